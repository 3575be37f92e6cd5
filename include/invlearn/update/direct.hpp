#pragma once
/// @file direct.hpp
/// Direct update: θ ← θ - α∇L_u, then the optimizer step on the labeled batch.

#include "invlearn/update/signed_step.hpp"

namespace invlearn {

/// θ^d of Algorithm 1 (line 10) when used as a candidate of InverseGradient.
using DirectUpdate = SignedStep<-1, SgdStep>;
/// The same with another inner step rule, e.g. DirectUpdateWith<NormalizedStep>.
template <class StepRule>
using DirectUpdateWith = SignedStep<-1, StepRule>;

}  // namespace invlearn

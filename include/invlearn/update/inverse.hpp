#pragma once
/// @file inverse.hpp
/// Inverse update: θ ← θ + α∇L_u (Definition 2), then the optimizer step on the labeled batch.

#include "invlearn/update/signed_step.hpp"

namespace invlearn {

/// θ^i of Algorithm 1 (line 11) when used as a candidate of InverseGradient.
using InverseUpdate = SignedStep<+1, SgdStep>;
/// The same with another inner step rule.
template <class StepRule>
using InverseUpdateWith = SignedStep<+1, StepRule>;

}  // namespace invlearn

#pragma once
/// @file methods.hpp
/// The paper's methods as Trainer compositions (Table 1 and Table 2).

#include "invlearn/data/sampling.hpp"
#include "invlearn/loss/bce.hpp"
#include "invlearn/loss/inverse_dual.hpp"
#include "invlearn/optim/adam.hpp"
#include "invlearn/train/paper_settings.hpp"
#include "invlearn/train/schedule.hpp"
#include "invlearn/train/trainer.hpp"
#include "invlearn/update/inverse_gradient.hpp"
#include "invlearn/update/joint.hpp"
#include "invlearn/update/block_inverse_gradient.hpp"
#include "invlearn/update/no_update.hpp"

namespace invlearn {
namespace methods {

/// None: the labels alone, BCE.
template <class Model, class Optimizer = Adam>
using None = Trainer<Model, BCE, BCE, NoUpdate, Optimizer>;

/// NS: unlabeled pairs drawn uniformly and taken as negatives, one step on both.
template <class Model, class Optimizer = Adam>
using NS = Trainer<Model, BCE, BCE, JointUpdate, Optimizer>;

/// T-CE (DenoisingRec): NS with the truncated loss over the joint batch, at the paper's
/// drop rate for the backbone (PaperSettings).
template <class Model, class Optimizer = Adam>
using TCE = Trainer<Model, TruncatedFor<Model>, TruncatedFor<Model>, JointUpdate, Optimizer>;

/// R-CE (DenoisingRec): NS with the reweighted loss over the joint batch, at the paper's
/// β for the backbone (PaperSettings).
template <class Model, class Optimizer = Adam>
using RCE = Trainer<Model, ReweightedFor<Model>, ReweightedFor<Model>, JointUpdate, Optimizer>;

/// IDL: BCE on the labels and the inverse dual loss on the unlabeled pairs, one step on both.
template <class Model, class Optimizer = Adam>
using IDL = Trainer<Model, BCE, InverseDual, JointUpdate, Optimizer>;

/// IG as the paper's Algorithm 1 has it: after each pass over training-train, meta steps
/// on training-test batches move θ by ∓α·d (d from IDL's gradient) or not at all, as the
/// training-test loss decides. Schedule and inner step rule are policies.
template <class Model, class Optimizer = Adam, class Schedule = TestPass, class StepRule = SgdStep>
using IGPaper = Trainer<Model, BCE, InverseDual, InverseGradient<StepRule>, Optimizer, UniformSampler, Schedule>;

/// IG by blocks (the default IG): Algorithm 1's three directions for the IDL term of IDL's
/// joint step, chosen per block of steps between two evaluations: the block is trained
/// with the term followed, left out and inverted, from the same state, and the run with
/// the lowest validation BCE goes on (docs/algorithm.md says why and what it costs).
template <class Model, class Optimizer = Adam>
using IG = Trainer<Model, BCE, InverseDual, BlockInverseGradient, Optimizer>;

/// DNS: NS whose negative is the highest-scoring of several uniform candidates.
template <class Model, class Optimizer = Adam>
using DNS = Trainer<Model, BCE, BCE, JointUpdate, Optimizer, DNSSampler>;

/// SRNS: NS whose negative is chosen from a per-user memory by score and score variance.
template <class Model, class Optimizer = Adam>
using SRNS = Trainer<Model, BCE, BCE, JointUpdate, Optimizer, SRNSSampler>;

}  // namespace methods
}  // namespace invlearn

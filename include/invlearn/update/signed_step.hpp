#pragma once
/// @file signed_step.hpp
/// A step along ± the unlabeled gradient, then the optimizer step on the labels:
/// the shared body of DirectUpdate and InverseUpdate.

#include "invlearn/update/context.hpp"
#include "invlearn/update/step_rule.hpp"

namespace invlearn {

/// \f$\theta \leftarrow \theta + \mathrm{Direction}\cdot\alpha\,d(\nabla L_u)\f$, then the optimizer
/// step on the labeled batch; d comes from the step rule (d = g for SgdStep).
/// Direction -1 is the direct gradient, +1 the inverse gradient of Definition 2.
template <int Direction, class StepRule = SgdStep>
struct SignedStep {
  static_assert(Direction == -1 || Direction == 1, "SignedStep: Direction must be -1 or +1");
  static constexpr int direction = Direction;
  static constexpr const char* name = Direction < 0 ? "direct" : "inverse";
  static constexpr bool uses_unlabeled = true;
  static constexpr bool is_meta = false;
  StepRule rule;

  /// Checkpoint archive protocol (core/archive.hpp): the step rule's state, if it has one.
  template <class Archive>
  void serialize(Archive& ar) {
    ar(rule);
  }

  template <class Ctx>
  void step(Ctx& ctx, const BatchView& labeled, const UnlabeledBatch* unlabeled, StepRecord& rec) {
    using S = typename Ctx::Scalar;
    if (unlabeled != nullptr && unlabeled->batch.size() > 0) {
      rec.unlabeled_loss = unlabeled_gradient(ctx, *unlabeled, rec);
      rule.transform(ctx.model.parameters(), ctx.buffers.unlabeled_grad);
      ctx.model.apply(ctx.buffers.unlabeled_grad, static_cast<S>(Direction * ctx.alpha));
    }
    rec.labeled_loss = labeled_step(ctx, labeled);
  }
};

}  // namespace invlearn

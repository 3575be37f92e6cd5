#pragma once
/// @file step_context.hpp
/// What an update policy works with: the model, the optimizer's state, the two losses,
/// buffers allocated once, and the tally its unlabeled losses report to.

#include <vector>

#include "invlearn/core/types.hpp"
#include "invlearn/update/step_record.hpp"

namespace invlearn {

/// Buffers for one step, sized once for the largest batch.
template <class Model>
struct StepBuffers {
  using S = typename Model::Scalar;
  typename Model::Workspace ws;
  typename Model::Gradient grad;            ///< gradient of the labeled loss
  typename Model::Gradient unlabeled_grad;  ///< gradient of the unlabeled loss (the IG direction)
  Vector<S> logits, dlogits;
  Vector<S> loss_parts;  ///< IG: what the labeled loss kept of each candidate's logits (has_loss_parts_v)
  Batch joint;  ///< labeled + unlabeled rows, for policies that take one step on both
  /// IG without a fused candidate pass: one workspace per candidate, so that the chosen
  /// candidate's forward serves the labeled step (created on the first meta step).
  std::vector<typename Model::Workspace> candidate_ws;

  StepBuffers(const Model& model, Index capacity)
      : ws(model.workspace(capacity)),
        grad(model.make_gradient(capacity)),
        unlabeled_grad(model.make_gradient(capacity)),
        logits(capacity),
        dlogits(capacity) {
    joint.reserve(static_cast<std::size_t>(capacity));
  }
  Index capacity() const { return logits.size(); }
  /// Room for `n` logits (IG's candidates take k·n).
  void reserve_logits(Index n) {
    if (logits.size() < n) {
      logits.resize(n);
      dlogits.resize(n);
    }
  }
  /// Room for `n` loss parts.
  void reserve_loss_parts(Index n) {
    if (loss_parts.size() < n) loss_parts.resize(n);
  }
};

/// The model, the optimizer's state and the losses a policy acts on, and its buffers.
/// `weights`, when set, receives every IDL positive weight of the unlabeled batches.
template <class Model, class LabeledLoss, class UnlabeledLoss, class OptimizerState>
struct StepContext {
  using Scalar = typename Model::Scalar;
  Model& model;
  OptimizerState& optimizer;
  LabeledLoss& labeled_loss;
  UnlabeledLoss& unlabeled_loss;
  StepBuffers<Model>& buffers;
  double alpha;  ///< step size α for the unlabeled gradient
  WeightTally* weights = nullptr;
};

}  // namespace invlearn

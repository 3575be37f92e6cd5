#pragma once
/// @file context.hpp
/// What an update policy works with: the model, the optimizer, the two losses,
/// buffers allocated once, and the record of the step it fills in.

#include <cmath>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "invlearn/core/error.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/data/sampling/unlabeled_batch.hpp"
#include "invlearn/model/gradient.hpp"

namespace invlearn {

/// What one training step did. Losses are batch means; NaN where not computed.
struct StepRecord {
  static constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  double labeled_loss = nan;    ///< loss of the labeled batch (at the chosen θ for IG)
  double unlabeled_loss = nan;  ///< loss of the unlabeled batch at θ
  /// IG: training-test loss at θ^d = θ - αg, θ, and θ^i = θ + αg (NaN if not a candidate).
  double candidate_loss[3] = {nan, nan, nan};
  /// IG: -1 direct, 0 no update, +1 inverse. Other policies: 2 (not a meta step).
  int choice = 2;
  double mean_positive_weight = nan;  ///< IDL: mean w¹ over the unlabeled batch
  Index annotated = 0;                ///< unlabeled pairs whose truth is known
  Index annotated_correct = 0;        ///< of those, pairs where (w¹ > 0.5) matches the truth
  bool is_meta() const { return choice >= -1 && choice <= 1; }
};

/// Buffers for one step, sized once for the largest batch.
template <class Model>
struct StepBuffers {
  using S = typename Model::Scalar;
  typename Model::Workspace ws;
  typename Model::Gradient grad;            ///< gradient of the labeled loss
  typename Model::Gradient unlabeled_grad;  ///< gradient of the unlabeled loss (the IG direction)
  Vector<S> logits, dlogits;
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
};

/// The model, optimizer and losses a policy acts on, and its buffers.
template <class Model, class LabeledLoss, class UnlabeledLoss, class Optimizer>
struct StepContext {
  using Scalar = typename Model::Scalar;
  Model& model;
  Optimizer& optimizer;
  LabeledLoss& labeled_loss;
  UnlabeledLoss& unlabeled_loss;
  StepBuffers<Model>& buffers;
  double alpha;  ///< step size α for the unlabeled gradient
};

namespace detail {

template <class L, class = void>
struct has_positive_weights : std::false_type {};
template <class L>
struct has_positive_weights<L, std::void_t<decltype(std::declval<const L&>().positive_weights())>>
    : std::true_type {};

inline void check_finite_loss(double loss, const char* what) {
  if (!std::isfinite(loss)) throw NumericalError(std::string(what) + " is not finite (" + std::to_string(loss) + ")");
}

template <class G>
inline void check_finite_gradient(const G& grad, const char* what) {
  if (!grad.all_finite()) throw NumericalError(std::string("gradient of the ") + what + " is not finite");
}

}  // namespace detail

/// Evaluates `loss` on `batch` at θ (or at θ + step·displace when `displace` is given)
/// into the context's logits and dlogits; returns the batch loss.
template <class Ctx, class Loss>
inline double forward_loss(Ctx& ctx, Loss& loss, const BatchView& batch, bool with_gradient) {
  auto& b = ctx.buffers;
  auto logits = b.logits.head(batch.size);
  ctx.model.forward(batch, b.ws, logits);
  return loss.evaluate(b.logits.data(), batch.labels, batch.size, with_gradient ? b.dlogits.data() : nullptr);
}

/// One optimizer step on the labeled loss of `batch`; returns the loss before the step.
template <class Ctx>
inline double labeled_step(Ctx& ctx, const BatchView& batch) {
  auto& b = ctx.buffers;
  const double loss = forward_loss(ctx, ctx.labeled_loss, batch, true);
  detail::check_finite_loss(loss, "labeled loss");
  ctx.model.backward(batch, b.ws, b.dlogits.head(batch.size), b.grad);
  detail::check_finite_gradient(b.grad, "labeled loss");
  ctx.optimizer.step(ctx.model.parameters(), b.grad);
  return loss;
}

/// labeled_step() for a batch whose forward at the current θ is already in `ws` and
/// `logits` (IG's chosen candidate, after θ was moved to it): the loss, its gradient
/// through `ws`, one optimizer step. Returns the loss before the step.
template <class Ctx, class Workspace>
inline double labeled_step_from_forward(Ctx& ctx, const BatchView& batch, Workspace& ws,
                                        const typename Ctx::Scalar* logits) {
  auto& b = ctx.buffers;
  const double loss = ctx.labeled_loss.evaluate(logits, batch.labels, batch.size, b.dlogits.data());
  detail::check_finite_loss(loss, "labeled loss");
  ctx.model.backward(batch, ws, b.dlogits.head(batch.size), b.grad);
  detail::check_finite_gradient(b.grad, "labeled loss");
  ctx.optimizer.step(ctx.model.parameters(), b.grad);
  return loss;
}

/// Counts how many pairs the unlabeled loss labels as their truth says (IDL: w¹ > 0.5
/// means positive), for the pairs whose truth is known.
template <class Loss>
inline void record_annotation(const Loss& loss, const UnlabeledBatch& unlabeled, StepRecord& rec) {
  if constexpr (detail::has_positive_weights<Loss>::value) {
    const auto& w = loss.positive_weights();
    double sum = 0.0;
    for (std::size_t k = 0; k < w.size(); ++k) {
      sum += w[k];
      if (k < unlabeled.truth.size() && !std::isnan(unlabeled.truth[k])) {
        ++rec.annotated;
        rec.annotated_correct += ((w[k] > 0.5f) == (unlabeled.truth[k] > 0.5f)) ? 1 : 0;
      }
    }
    if (!w.empty()) rec.mean_positive_weight = sum / static_cast<double>(w.size());
  } else {
    (void)loss;
    (void)unlabeled;
    (void)rec;
  }
}

/// ∇ of the unlabeled loss at θ into buffers.unlabeled_grad; returns the loss.
template <class Ctx>
inline double unlabeled_gradient(Ctx& ctx, const UnlabeledBatch& unlabeled, StepRecord& rec) {
  auto& b = ctx.buffers;
  const BatchView batch = unlabeled.batch.view();
  const double loss = forward_loss(ctx, ctx.unlabeled_loss, batch, true);
  detail::check_finite_loss(loss, "unlabeled loss");
  record_annotation(ctx.unlabeled_loss, unlabeled, rec);
  ctx.model.backward(batch, b.ws, b.dlogits.head(batch.size), b.unlabeled_grad);
  detail::check_finite_gradient(b.unlabeled_grad, "unlabeled loss");
  return loss;
}

}  // namespace invlearn

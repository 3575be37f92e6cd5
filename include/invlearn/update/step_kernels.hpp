#pragma once
/// @file step_kernels.hpp
/// The pieces every update policy is made of: a forward with its loss, the one descent
/// step (backward, finiteness check, optimizer step), the labeled step, and the gradient
/// of the unlabeled loss with its annotation record.

#include <cmath>
#include <string>

#include "invlearn/core/error.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/data/sampling/unlabeled_batch.hpp"
#include "invlearn/loss/loss.hpp"
#include "invlearn/update/step_context.hpp"
#include "invlearn/update/step_record.hpp"

namespace invlearn {

namespace detail {

inline void check_finite_loss(double loss, const char* what) {
  if (!std::isfinite(loss)) throw NumericalError(std::string(what) + " is not finite (" + std::to_string(loss) + ")");
}

template <class G>
inline void check_finite_gradient(const G& grad, const char* what) {
  if (!grad.all_finite()) throw NumericalError(std::string("gradient of the ") + what + " is not finite");
}

}  // namespace detail

/// Evaluates `loss` on `batch` at θ into the context's logits (and dlogits when
/// `with_gradient`); returns the batch loss.
template <class Ctx, class Loss>
inline double forward_loss(Ctx& ctx, Loss& loss, const BatchView& batch, bool with_gradient) {
  auto& b = ctx.buffers;
  auto logits = b.logits.head(batch.size);
  ctx.model.forward(batch, b.ws, logits);
  return loss.evaluate(b.logits.data(), batch.labels, batch.size, with_gradient ? b.dlogits.data() : nullptr);
}

/// The one descent step of every policy: the gradient of Σ dlogits·x through the forward
/// held in `ws`, checked finite, then one optimizer step. `what` names the loss in errors.
template <class Ctx, class Workspace>
inline void descend(Ctx& ctx, const BatchView& batch, Workspace& ws, const char* what) {
  auto& b = ctx.buffers;
  ctx.model.backward(batch, ws, b.dlogits.head(batch.size), b.grad);
  detail::check_finite_gradient(b.grad, what);
  ctx.optimizer.step(ctx.model.parameters(), b.grad);
}

/// One optimizer step on the labeled loss of `batch`; returns the loss before the step.
template <class Ctx>
inline double labeled_step(Ctx& ctx, const BatchView& batch) {
  const double loss = forward_loss(ctx, ctx.labeled_loss, batch, true);
  detail::check_finite_loss(loss, "labeled loss");
  descend(ctx, batch, ctx.buffers.ws, "labeled loss");
  return loss;
}

/// labeled_step() for a batch whose forward at the current θ is already in `ws` and
/// `logits` (IG's chosen candidate, after θ was moved to it). Returns the loss before the step.
template <class Ctx, class Workspace>
inline double labeled_step_from_forward(Ctx& ctx, const BatchView& batch, Workspace& ws,
                                        const typename Ctx::Scalar* logits) {
  const double loss = ctx.labeled_loss.evaluate(logits, batch.labels, batch.size, ctx.buffers.dlogits.data());
  detail::check_finite_loss(loss, "labeled loss");
  descend(ctx, batch, ws, "labeled loss");
  return loss;
}

/// labeled_step_from_forward() when the labeled loss's value on `logits` is already known
/// (`loss`, from value_keeping_parts) with the parts it kept (has_loss_parts_v): the
/// gradient comes from the parts, the same bits as evaluate() would give.
template <class Ctx, class Workspace>
inline double labeled_step_from_parts(Ctx& ctx, const BatchView& batch, Workspace& ws,
                                      const typename Ctx::Scalar* logits, const typename Ctx::Scalar* parts,
                                      double loss) {
  detail::check_finite_loss(loss, "labeled loss");
  ctx.labeled_loss.gradient_from_parts(logits, batch.labels, parts, batch.size, ctx.buffers.dlogits.data());
  descend(ctx, batch, ws, "labeled loss");
  return loss;
}

/// Records how the unlabeled loss labeled the pairs of `unlabeled`, in one pass over its
/// positive weights (IDL: w¹ > 0.5 means positive): the step's mean weight and, for the
/// pairs whose truth is known, how many it labeled as their truth says; each weight goes
/// to the context's tally. Nothing for a loss without positive weights.
template <class Ctx, class Loss>
inline void record_annotation(Ctx& ctx, const Loss& loss, const UnlabeledBatch& unlabeled, StepRecord& rec) {
  if constexpr (has_positive_weights_v<Loss>) {
    const auto& w = loss.positive_weights();
    double sum = 0.0;
    for (std::size_t k = 0; k < w.size(); ++k) {
      sum += w[k];
      if (ctx.weights != nullptr) ctx.weights->add(w[k]);
      if (k < unlabeled.truth.size() && !std::isnan(unlabeled.truth[k])) {
        ++rec.annotated;
        rec.annotated_correct += ((w[k] > 0.5f) == (unlabeled.truth[k] > 0.5f)) ? 1 : 0;
      }
    }
    if (!w.empty()) rec.mean_positive_weight = sum / static_cast<double>(w.size());
  } else {
    (void)ctx;
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
  record_annotation(ctx, ctx.unlabeled_loss, unlabeled, rec);
  ctx.model.backward(batch, b.ws, b.dlogits.head(batch.size), b.unlabeled_grad);
  detail::check_finite_gradient(b.unlabeled_grad, "unlabeled loss");
  return loss;
}

}  // namespace invlearn

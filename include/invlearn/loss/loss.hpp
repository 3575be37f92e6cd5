#pragma once
/// @file loss.hpp
/// The Loss concept: a per-batch loss of logits against labels, its compile-time check,
/// an archetype that documents the contract, and the optional members the library uses.

#include <utility>

#include "invlearn/core/detect.hpp"
#include "invlearn/core/types.hpp"

namespace invlearn {

/// There is no LossArchetype loss in the library: this class only documents the
/// contract (docs/concepts.md, "Loss policy"); `check_loss<LossArchetype>()` holds.
/// BCE, Truncated (T-CE), Reweighted (R-CE) and InverseDual (IDL) model it.
struct LossArchetype {
  /// Names the loss in checkpoints and messages.
  static constexpr const char* name = "archetype";
  /// requires: logits and labels hold n values (labels may be null for a loss that does
  /// not read them, as IDL); S is float or double.
  /// ensures: returns the batch loss (a mean over the n samples, accumulated in double);
  /// when `dlogits` is not null, writes ∂L/∂logit_k (the 1/n included). May advance the
  /// loss's own state (T-CE counts batches); weights derived from the losses are
  /// constants of the gradient (stop-gradient).
  template <class S>
  double evaluate(const S* logits, const float* labels, Index n, S* dlogits);
  /// ensures: the value evaluate() would return, without its state changing (IG judges
  /// its candidates with it). The same arithmetic as evaluate, so the two agree bit for bit.
  template <class S>
  double value(const S* logits, const float* labels, Index n) const;
};

namespace detail {
template <class L> using loss_name_t = decltype(L::name);
template <class L, class S>
using loss_evaluate_t = decltype(std::declval<L&>().evaluate(std::declval<const S*>(), std::declval<const float*>(),
                                                             Index(0), std::declval<S*>()));
template <class L, class S>
using loss_value_t = decltype(std::declval<const L&>().value(std::declval<const S*>(), std::declval<const float*>(),
                                                             Index(0)));
template <class L> using positive_weights_t = decltype(std::declval<const L&>().positive_weights());
template <class L, class S>
using value_keeping_parts_t = decltype(std::declval<const L&>().value_keeping_parts(
    std::declval<const S*>(), std::declval<const float*>(), Index(0), std::declval<S*>()));
template <class L, class S>
using gradient_from_parts_t = decltype(std::declval<const L&>().gradient_from_parts(
    std::declval<const S*>(), std::declval<const float*>(), std::declval<const S*>(), Index(0), std::declval<S*>()));
}  // namespace detail

/// Optional: `const std::vector<float>& positive_weights() const`, the weight w¹ the last
/// evaluate() gave each unlabeled sample's positive label (IDL); the trainer draws its
/// histograms and annotation accuracy from it.
template <class L>
constexpr bool has_positive_weights_v = is_detected_v<detail::positive_weights_t, L>;

/// Optional, for a loss whose evaluate() changes no state (BCE):
/// `template <class S> double value_keeping_parts(const S* logits, const float* labels, Index n, S* parts) const`,
/// value() that also leaves n scalars in `parts`, and
/// `template <class S> void gradient_from_parts(const S* logits, const float* labels, const S* parts, Index n, S* dlogits) const`,
/// the dlogits evaluate() writes for those logits, from those parts, bit for bit. IG
/// judges its candidates with the first and takes the chosen one's gradient with the
/// second, so the transcendental part of the labeled loss is computed once per candidate.
template <class L, class S>
constexpr bool has_loss_parts_v =
    is_detected_v<detail::value_keeping_parts_t, L, S> && is_detected_v<detail::gradient_from_parts_t, L, S>;

/// Checks that L models the Loss concept for scalar S; each missing piece fails with
/// its own message. Returns true so it can sit in a static_assert.
template <class L, class S>
constexpr bool check_loss() {
  using namespace detail;
  static_assert(is_detected_v<loss_name_t, L>, "Loss: missing `static constexpr const char* name`");
  static_assert(is_detected_v<loss_evaluate_t, L, S>,
                "Loss: missing `template <class S> double evaluate(const S* logits, const float* labels, Index n, "
                "S* dlogits)` (the batch loss; writes dL/dlogit when dlogits is not null)");
  static_assert(is_detected_v<loss_value_t, L, S>,
                "Loss: missing `template <class S> double value(const S* logits, const float* labels, Index n) "
                "const` (the loss without gradient and without changing state)");
  return true;
}

}  // namespace invlearn

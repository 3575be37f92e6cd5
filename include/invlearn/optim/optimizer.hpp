#pragma once
/// @file optimizer.hpp
/// The Optimizer concept: settings in the outer class, the per-run state in a nested
/// State<S>; its compile-time check, an archetype that documents the contract, and
/// the optional members the trainer uses.

#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "invlearn/core/detect.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/model/gradient.hpp"
#include "invlearn/model/parameters.hpp"

namespace invlearn {

/// There is no OptimizerArchetype optimizer in the library: this class only documents
/// the contract (docs/concepts.md, "Optimizer"); `check_optimizer<OptimizerArchetype,
/// float>()` holds. SGD and Adam model it.
struct OptimizerArchetype {
  /// Names the optimizer in checkpoints and messages.
  static constexpr const char* name = "archetype";
  /// Optional, with set_lr: γ as the user set it, or nothing. The trainer resolves one
  /// learning rate from this and TrainerOptions::lr (both set and different: an error).
  std::optional<double> lr() const;
  void set_lr(double lr);

  /// The state of one run for a model of scalar S, built by the trainer once S is known.
  /// Optional: bring_up_to_date() and bring_all_up_to_date() (defers_rows_v below).
  template <class S>
  class State {
   public:
    State(const OptimizerArchetype& settings, const Parameters<S>& params);
    /// requires: `grad` shaped like `params` (rows it does not hold have zero gradient).
    /// ensures: one step on `params`. Optional: `template <class Archive> void
    /// serialize(Archive&)` for what a resumed run needs (core/archive.hpp).
    void step(Parameters<S>& params, const Gradient<S>& grad);
  };
};

namespace detail {
template <class O> using optimizer_name_t = decltype(O::name);
template <class O, class S>
using optimizer_state_ctor_t =
    decltype(typename O::template State<S>(std::declval<const O&>(), std::declval<const Parameters<S>&>()));
template <class O, class S>
using optimizer_step_t = decltype(std::declval<typename O::template State<S>&>().step(
    std::declval<Parameters<S>&>(), std::declval<const Gradient<S>&>()));
template <class O>
using optimizer_lr_t = decltype(std::declval<O&>().set_lr(1.0), std::optional<double>(std::declval<const O&>().lr()));
template <class St, class S>
using bring_up_to_date_t = decltype(std::declval<St&>().bring_up_to_date(
    std::declval<Parameters<S>&>(), std::declval<const BatchView&>(), std::declval<const std::vector<TableKey>&>()));
template <class St, class S>
using bring_all_up_to_date_t = decltype(std::declval<St&>().bring_all_up_to_date(std::declval<Parameters<S>&>()));
}  // namespace detail

/// Optional: `std::optional<double> lr() const` and `void set_lr(double)`.
template <class O>
constexpr bool has_lr_v = is_detected_v<detail::optimizer_lr_t, O>;

/// Optional, on State<S>: `void bring_up_to_date(Parameters<S>&, const BatchView& batch,
/// const std::vector<TableKey>& keys)` and `void bring_all_up_to_date(Parameters<S>&)`, for a
/// state that defers the moves of rows a step did not touch (Adam's AdamRows::deferred):
/// the trainer calls the first before every forward on a batch, the second before it
/// evaluates or saves θ.
template <class St, class S>
constexpr bool defers_rows_v =
    is_detected_v<detail::bring_up_to_date_t, St, S> && is_detected_v<detail::bring_all_up_to_date_t, St, S>;

/// Checks that O models the Optimizer concept for scalar S; each missing piece fails
/// with its own message. Returns true so it can sit in a static_assert.
template <class O, class S>
constexpr bool check_optimizer() {
  using namespace detail;
  static_assert(is_detected_v<optimizer_name_t, O>, "Optimizer: missing `static constexpr const char* name`");
  static_assert(is_detected_v<optimizer_state_ctor_t, O, S>,
                "Optimizer: missing `template <class S> class State` constructible from "
                "(const Optimizer&, const Parameters<S>&)");
  static_assert(is_detected_v<optimizer_step_t, O, S>,
                "Optimizer: State<S> is missing `void step(Parameters<S>&, const Gradient<S>&)`");
  return true;
}

}  // namespace invlearn

#pragma once
/// @file step_rule.hpp
/// The StepRule concept: what direction d the unlabeled moves θ ± α·d are built from,
/// given the unlabeled gradient g; its compile-time check and an archetype.

#include <utility>

#include "invlearn/core/detect.hpp"
#include "invlearn/model/gradient.hpp"
#include "invlearn/model/parameters.hpp"

namespace invlearn {

/// There is no StepRuleArchetype rule in the library: this class only documents the
/// contract (docs/concepts.md, "Update policy"). SgdStep and NormalizedStep model it.
struct StepRuleArchetype {
  /// Names the rule in checkpoints and messages.
  static constexpr const char* name = "archetype";
  /// The rule's state for a model of scalar S (its moments, say), built by the trainer.
  template <class S>
  class State {
   public:
    State(const StepRuleArchetype& settings, const Parameters<S>& params);
    /// requires: `grad` the gradient of the unlabeled loss at θ = `params`.
    /// ensures: `grad` holds d, the direction of the move (same rows).
    void transform(const Parameters<S>& params, Gradient<S>& grad);
  };
};

namespace detail {
template <class R> using rule_name_t = decltype(R::name);
template <class R, class S>
using rule_transform_t = decltype(std::declval<typename R::template State<S>&>().transform(
    std::declval<const Parameters<S>&>(), std::declval<Gradient<S>&>()));
}  // namespace detail

/// Checks that R models the StepRule concept for scalar S.
template <class R, class S>
constexpr bool check_step_rule() {
  static_assert(is_detected_v<detail::rule_name_t, R>, "StepRule: missing `static constexpr const char* name`");
  static_assert(is_detected_v<detail::rule_transform_t, R, S>,
                "StepRule: missing `template <class S> class State` with "
                "`void transform(const Parameters<S>&, Gradient<S>&)`");
  return true;
}

}  // namespace invlearn

#pragma once
/// @file per_scalar_state.hpp
/// Hyperparameters in the outer class, per-run state in a nested `State<S>`: a policy
/// (an optimizer, a step rule, an update policy) is not a template on the scalar type;
/// the trainer instantiates its `State<S>` once the model's Scalar is known, so no
/// policy keeps a float and a double copy of its buffers. A policy without a nested
/// State is its own state.

#include <type_traits>
#include <utility>

#include "invlearn/core/detect.hpp"

namespace invlearn {
namespace detail {
template <class P, class S> using nested_state_t = typename P::template State<S>;
}  // namespace detail

/// True when P has a nested `template <class S> class State`.
template <class P, class S>
constexpr bool has_state_v = is_detected_v<detail::nested_state_t, P, S>;

namespace detail {
template <class P, class S, bool = has_state_v<P, S>>
struct state_of {
  using type = P;
  template <class... Args>
  static type make(const P& policy, Args&&...) {
    return policy;
  }
};
template <class P, class S>
struct state_of<P, S, true> {
  using type = typename P::template State<S>;
  template <class... Args>
  static type make(const P& policy, Args&&... args) {
    return type(policy, std::forward<Args>(args)...);
  }
};
}  // namespace detail

/// `P::State<S>` when P has one, else P itself.
template <class P, class S>
using state_of_t = typename detail::state_of<P, S>::type;

/// The per-scalar state of `policy`: `P::State<S>(policy, args...)`, or a copy of the
/// policy when it has no nested State.
template <class S, class P, class... Args>
inline state_of_t<P, S> make_state(const P& policy, Args&&... args) {
  return detail::state_of<P, S>::make(policy, std::forward<Args>(args)...);
}

}  // namespace invlearn

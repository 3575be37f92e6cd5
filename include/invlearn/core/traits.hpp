#pragma once
/// @file traits.hpp
/// Compile-time checks of the Backbone concept, with messages that say what is missing.

#include <type_traits>
#include <utility>

#include "invlearn/core/types.hpp"

namespace invlearn {
namespace detail {

template <class...>
using void_t = void;

#define INVLEARN_DETECT_(trait, expr)                               \
  template <class M, class = void>                                  \
  struct trait : std::false_type {};                                \
  template <class M>                                                \
  struct trait<M, void_t<decltype(expr)>> : std::true_type {}

INVLEARN_DETECT_(has_scalar, std::declval<typename M::Scalar>());
INVLEARN_DETECT_(has_workspace, std::declval<typename M::Workspace&>());
/// True when M has no Workspace (reported by its own check) or a copyable one.
template <class M, bool = has_workspace<M>::value>
struct workspace_copyable : std::true_type {};
template <class M>
struct workspace_copyable<M, true> : std::is_copy_constructible<typename M::Workspace> {};
INVLEARN_DETECT_(has_gradient, std::declval<typename M::Gradient&>());
INVLEARN_DETECT_(has_parameters, std::declval<M&>().parameters().dense);
INVLEARN_DETECT_(has_make_workspace, std::declval<const M&>().workspace(Index(1)));
INVLEARN_DETECT_(has_make_gradient, std::declval<const M&>().make_gradient(Index(1)));
INVLEARN_DETECT_(has_sizes, std::declval<const M&>().num_users() + std::declval<const M&>().num_items());
INVLEARN_DETECT_(has_forward,
                 std::declval<const M&>().forward(std::declval<const BatchView&>(),
                                                  std::declval<typename M::Workspace&>(),
                                                  std::declval<Vector<typename M::Scalar>&>()));
INVLEARN_DETECT_(has_backward,
                 std::declval<const M&>().backward(std::declval<const BatchView&>(),
                                                   std::declval<typename M::Workspace&>(),
                                                   std::declval<const Vector<typename M::Scalar>&>(),
                                                   std::declval<typename M::Gradient&>()));
INVLEARN_DETECT_(has_forward_displaced,
                 std::declval<const M&>().forward_displaced(
                     std::declval<const BatchView&>(), std::declval<const typename M::Gradient&>(),
                     std::declval<typename M::Scalar>(), std::declval<typename M::Workspace&>(),
                     std::declval<Vector<typename M::Scalar>&>()));
INVLEARN_DETECT_(has_apply, std::declval<M&>().apply(std::declval<const typename M::Gradient&>(),
                                                     std::declval<typename M::Scalar>()));

#undef INVLEARN_DETECT_

}  // namespace detail

/// Checks that M models the Backbone concept (docs/concepts.md); each missing piece
/// fails with its own message. Returns true so it can sit in a static_assert.
template <class M>
constexpr bool check_backbone() {
  static_assert(detail::has_scalar<M>::value, "Backbone: missing `using Scalar = float or double;`");
  static_assert(detail::has_workspace<M>::value, "Backbone: missing `using Workspace = ...;` (per-batch buffers)");
  static_assert(detail::workspace_copyable<M>::value,
                "Backbone: Workspace must be copyable (IG keeps one per candidate)");
  static_assert(detail::has_gradient<M>::value, "Backbone: missing `using Gradient = invlearn::Gradient<Scalar>;`");
  static_assert(detail::has_parameters<M>::value,
                "Backbone: missing `Parameters<Scalar>& parameters()` (tables + dense block)");
  static_assert(detail::has_make_workspace<M>::value, "Backbone: missing `Workspace workspace(Index max_batch) const`");
  static_assert(detail::has_make_gradient<M>::value,
                "Backbone: missing `Gradient make_gradient(Index max_batch) const`");
  static_assert(detail::has_sizes<M>::value, "Backbone: missing `Index num_users() const` / `num_items() const`");
  static_assert(detail::has_forward<M>::value,
                "Backbone: missing `void forward(const BatchView&, Workspace&, logits) const`");
  static_assert(detail::has_backward<M>::value,
                "Backbone: missing `void backward(const BatchView&, Workspace&, dlogits, Gradient&) const`");
  static_assert(detail::has_forward_displaced<M>::value,
                "Backbone: missing `void forward_displaced(const BatchView&, const Gradient&, Scalar step, "
                "Workspace&, logits) const` (logits at θ + step·g without copying θ)");
  static_assert(detail::has_apply<M>::value, "Backbone: missing `void apply(const Gradient&, Scalar step)`");
  return true;
}

}  // namespace invlearn

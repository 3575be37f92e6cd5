#pragma once
/// @file detect.hpp
/// The detection idiom, once: whether an expression is well formed for a type. Every
/// concept check and every optional member is detected with it.

#include <type_traits>

namespace invlearn {
namespace detail {

template <class AlwaysVoid, template <class...> class Op, class... Args>
struct detector : std::false_type {};
template <template <class...> class Op, class... Args>
struct detector<std::void_t<Op<Args...>>, Op, Args...> : std::true_type {};

}  // namespace detail

/// True when `Op<Args...>` (an alias template naming an expression's type) is well formed.
template <template <class...> class Op, class... Args>
constexpr bool is_detected_v = detail::detector<void, Op, Args...>::value;

}  // namespace invlearn

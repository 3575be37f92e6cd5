#pragma once
/// @file detect.hpp
/// The detection idiom, once for every concept check: `is_detected<Op, Args...>` is true
/// when `Op<Args...>` names a type. Each check writes the member it asks about as an alias
/// template of a decltype, e.g.
/// ```
/// template <class F>
/// using split_member = decltype(F::split(std::string_view(), 0, ...));
/// static_assert(is_detected<split_member, F>, "Format: missing split(...)");
/// ```
/// so that optional members are detected in one way everywhere.

#include <type_traits>

namespace invlearn {
namespace detail {

template <class AlwaysVoid, template <class...> class Op, class... Args>
struct detector : std::false_type {};
template <template <class...> class Op, class... Args>
struct detector<std::void_t<Op<Args...>>, Op, Args...> : std::true_type {};

}  // namespace detail

/// True when `Op<Args...>` is a valid type (the member it spells exists and is callable as written).
template <template <class...> class Op, class... Args>
constexpr bool is_detected = detail::detector<void, Op, Args...>::value;

}  // namespace invlearn

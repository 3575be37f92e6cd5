#pragma once
/// @file format.hpp
/// The Format concept: what a ratings-file layout tells the parser. check_format<F>()
/// fails with one message per missing member; FormatArchetype is the written contract.
/// data/read/formats.hpp lists the formats the readers know.

#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "invlearn/core/detect.hpp"
#include "invlearn/data/read/fields.hpp"

namespace invlearn {

/// A list of format types (the registry's shape).
template <class... F>
struct FormatList {
  static constexpr std::size_t size = sizeof...(F);
};

/// There is no format called FormatArchetype: it is shown here to document what a format
/// must provide (the parser asks nothing else of it), and the tests check that it passes
/// check_format(). A format is a type with static members only.
struct FormatArchetype {
  /// Requires: lower case, unique among the formats. parse_format() accepts it (with '_'
  /// for '-' as well) and format_name() returns it.
  static constexpr const char* name = "archetype";
  /// The layout of a data line, named in "missing field" messages ("user::item::rating").
  static constexpr const char* layout = "user item value";
  /// RawRatings::value_column when the file has no header line ("rating", "watch_ratio").
  static constexpr const char* value_column = "value";
  /// True when the first non-blank line names the columns (data/read/header.hpp reads it).
  static constexpr bool has_header = false;
  /// Whether a file whose first non-blank line is `first_line` (no newline, no '\r') is
  /// of this format. detect_format() asks the formats in registry order and takes the
  /// first that says yes, so a format is asked only after every format listed before it
  /// declined; the last format takes any line left.
  static bool detect(std::string_view /*first_line*/) { return false; }
  /// Appends at most `want` fields of `line` (no newline, no trailing '\r') to `fields`,
  /// trimmed. A field may point into `line` or into `scratch`, which the format may
  /// rewrite on each call (views stay valid until the next call). Ensures: on a
  /// malformed field, returns its 1-based column (the fields before it appended);
  /// otherwise returns FieldError{} (column 0).
  static FieldError split(std::string_view /*line*/, std::size_t /*want*/,
                          std::vector<std::string_view>& /*fields*/, std::string& /*scratch*/) {
    return {};
  }
};

namespace detail {

template <class F>
using format_name_t = decltype(std::string_view(F::name));
template <class F>
using format_layout_t = decltype(std::string_view(F::layout));
template <class F>
using format_value_column_t = decltype(std::string_view(F::value_column));
template <class F>
using format_has_header_t = std::integral_constant<bool, F::has_header>;
template <class F>
using format_detect_t = decltype(bool(F::detect(std::declval<std::string_view>())));
template <class F>
using format_split_t = decltype(FieldError(
    F::split(std::declval<std::string_view>(), std::size_t(), std::declval<std::vector<std::string_view>&>(),
             std::declval<std::string&>())));

}  // namespace detail

/// Checks that F models the Format concept (see FormatArchetype); each missing piece fails
/// with its own message. Returns true so it can sit in a static_assert.
template <class F>
constexpr bool check_format() {
  static_assert(is_detected_v<detail::format_name_t, F>,
                "Format: missing `static constexpr const char* name` (see FormatArchetype)");
  static_assert(is_detected_v<detail::format_layout_t, F>,
                "Format: missing `static constexpr const char* layout` (the line layout for messages)");
  static_assert(is_detected_v<detail::format_value_column_t, F>,
                "Format: missing `static constexpr const char* value_column` (used without a header)");
  static_assert(is_detected_v<detail::format_has_header_t, F>,
                "Format: missing `static constexpr bool has_header`");
  static_assert(is_detected_v<detail::format_detect_t, F>,
                "Format: missing `static bool detect(std::string_view first_line)`");
  static_assert(is_detected_v<detail::format_split_t, F>,
                "Format: missing `static FieldError split(std::string_view line, std::size_t want, "
                "std::vector<std::string_view>& fields, std::string& scratch)`");
  return true;
}

}  // namespace invlearn

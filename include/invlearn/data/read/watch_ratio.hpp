#pragma once
/// @file watch_ratio.hpp
/// `user,item,watch_ratio` without a header (KuaiRec style); RFC 4180 quotes.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "invlearn/data/read/fields.hpp"

namespace invlearn {
namespace formats {

/// Headerless CSV: user, item, value (ids may still be strings).
struct WatchRatio {
  static constexpr const char* name = "watch-ratio";
  static constexpr const char* layout = "user,item,watch_ratio";
  static constexpr const char* value_column = "watch_ratio";
  static constexpr bool has_header = false;

  /// A line with a comma that no format before this one claimed.
  static bool detect(std::string_view line) { return line.find(',') != std::string_view::npos; }

  static FieldError split(std::string_view line, std::size_t want, std::vector<std::string_view>& fields,
                          std::string& scratch) {
    return detail::split_commas(line, want, fields, scratch);
  }
};

}  // namespace formats
}  // namespace invlearn

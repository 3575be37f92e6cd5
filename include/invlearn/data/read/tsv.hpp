#pragma once
/// @file tsv.hpp
/// `user item rating [timestamp]` separated by tabs or runs of spaces (ML-100K u.data, *.rating).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "invlearn/data/read/fields.hpp"

namespace invlearn {
namespace formats {

/// Fields separated by runs of blanks (tabs or spaces).
struct Tsv {
  static constexpr const char* name = "tsv";
  static constexpr const char* layout = "user item rating [timestamp]";
  static constexpr const char* value_column = "rating";
  static constexpr bool has_header = false;

  /// A line holding a tab, or no comma (spaces, or nothing to split: the parse error then
  /// names the missing field).
  static bool detect(std::string_view line) {
    return line.find('\t') != std::string_view::npos || line.find(',') == std::string_view::npos;
  }

  static FieldError split(std::string_view line, std::size_t want, std::vector<std::string_view>& fields,
                          std::string& /*scratch*/) {
    std::size_t k = 0;
    const std::size_t n = line.size();
    while (fields.size() < want) {
      while (k < n && detail::is_blank_char(line[k])) ++k;
      if (k == n) break;
      const std::size_t b = k;
      while (k < n && !detail::is_blank_char(line[k])) ++k;
      fields.push_back(line.substr(b, k - b));
    }
    return {};
  }
};

}  // namespace formats
}  // namespace invlearn

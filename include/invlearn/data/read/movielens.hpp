#pragma once
/// @file movielens.hpp
/// MovieLens `user::item::rating[::timestamp]` (ML-1M and ML-10M ratings.dat).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "invlearn/data/read/fields.hpp"

namespace invlearn {
namespace formats {

/// `user::item::rating[::timestamp]`, fields separated by "::".
struct MovieLens {
  static constexpr const char* name = "movielens";
  static constexpr const char* layout = "user::item::rating::timestamp";
  static constexpr const char* value_column = "rating";
  static constexpr bool has_header = false;

  /// A line holding "::".
  static bool detect(std::string_view line) { return line.find("::") != std::string_view::npos; }

  static FieldError split(std::string_view line, std::size_t want, std::vector<std::string_view>& fields,
                          std::string& /*scratch*/) {
    detail::split_at(line, "::", want, fields);
    return {};
  }
};

}  // namespace formats
}  // namespace invlearn

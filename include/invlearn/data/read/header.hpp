#pragma once
/// @file header.hpp
/// A header line: which columns hold the user, the item and the value.

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "invlearn/core/error.hpp"
#include "invlearn/data/read/fields.hpp"

namespace invlearn {
namespace detail {

/// Column names recognised in headers, in order of preference.
inline const std::vector<std::string>& user_column_names() {
  static const std::vector<std::string> n{"user", "user_id", "userid", "uid"};
  return n;
}
inline const std::vector<std::string>& item_column_names() {
  static const std::vector<std::string> n{"item",     "item_id", "itemid",  "movieid",
                                          "movie_id", "video_id", "videoid", "iid"};
  return n;
}
inline const std::vector<std::string>& value_column_names() {
  static const std::vector<std::string> n{"rating", "value", "watch_ratio", "label"};
  return n;
}

/// True when `lowered` (a lower-cased field) is one of the recognised column names.
inline bool is_known_column(const std::string& lowered) {
  for (const auto* names : {&user_column_names(), &item_column_names(), &value_column_names()})
    if (std::find(names->begin(), names->end(), lowered) != names->end()) return true;
  return false;
}

/// Where the user, item and value of a line are (0-based), and the value column's name.
struct Columns {
  std::size_t user = 0, item = 1, value = 2;
  std::string value_name;
};

/// The columns a header line names. Columns not named fall back to positions 0, 1, 2, but
/// only when that is consistent with the names that were found; a half-recognised header
/// is an error, not a guess. Throws ParseError at `file`:`line` otherwise.
inline Columns read_header(const std::vector<std::string_view>& cols, const std::string& file, long long line) {
  bool all_numeric = true;
  for (auto c : cols) all_numeric = all_numeric && looks_numeric(c);
  if (all_numeric)
    throw ParseError(file, line, "",
                     "expected a header line naming the columns, found only numbers "
                     "(Format::watch_ratio reads a CSV without header)");
  std::vector<std::string> lowered;
  for (auto c : cols) lowered.push_back(lower(c));
  auto find = [&](const std::vector<std::string>& names) -> long {
    for (const auto& n : names)
      for (std::size_t k = 0; k < lowered.size(); ++k)
        if (lowered[k] == n) return static_cast<long>(k);
    return -1;
  };
  const long u = find(user_column_names()), i = find(item_column_names()), v = find(value_column_names());
  Columns c;
  if (u >= 0 && i >= 0 && v >= 0) {
    c.user = static_cast<std::size_t>(u);
    c.item = static_cast<std::size_t>(i);
    c.value = static_cast<std::size_t>(v);
  } else {
    if ((u >= 0 && u != 0) || (i >= 0 && i != 1) || (v >= 0 && v != 2)) {
      const char* missing = u < 0 ? "user" : (i < 0 ? "item" : "value");
      throw ParseError(file, line, missing,
                       "the header names some columns but no " + std::string(missing) +
                           " column (user: user/user_id/userId; item: item/item_id/itemId/"
                           "movieId/video_id; value: rating/value/watch_ratio/label)");
    }
    if (cols.size() < 3)
      throw ParseError(file, line, cols.size() < 2 ? "item" : "value",
                       "the header has " + std::to_string(cols.size()) +
                           " column(s); need user, item and value columns");
  }
  c.value_name = std::string(cols[c.value]);
  return c;
}

}  // namespace detail
}  // namespace invlearn

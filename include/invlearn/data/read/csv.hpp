#pragma once
/// @file csv.hpp
/// Comma separated values with a header line naming the columns (MovieLens-20M
/// ratings.csv, KuaiRec's matrices); RFC 4180 quotes (see data/read/fields.hpp).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "invlearn/data/read/fields.hpp"
#include "invlearn/data/read/header.hpp"

namespace invlearn {
namespace formats {

/// CSV whose first line names the columns (data/read/header.hpp finds them).
struct Csv {
  static constexpr const char* name = "csv";
  static constexpr const char* layout = "the header's columns";
  static constexpr const char* value_column = "rating";
  static constexpr bool has_header = true;

  /// A line with a comma that looks like a header: a field is a known column name, or the
  /// third field is not a number. Fields are split as CSV (quotes honoured); a malformed
  /// quote is not reported here but by the parser, which judges by the fields before it.
  static bool detect(std::string_view line) {
    if (line.find(',') == std::string_view::npos) return false;
    std::vector<std::string_view> fields;
    std::string scratch;
    detail::split_commas(line, static_cast<std::size_t>(-1), fields, scratch);
    for (auto f : fields)
      if (detail::is_known_column(detail::lower(f))) return true;
    return fields.size() >= 3 && !detail::looks_numeric(fields[2]);
  }

  static FieldError split(std::string_view line, std::size_t want, std::vector<std::string_view>& fields,
                          std::string& scratch) {
    return detail::split_commas(line, want, fields, scratch);
  }
};

}  // namespace formats
}  // namespace invlearn

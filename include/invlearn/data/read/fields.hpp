#pragma once
/// @file fields.hpp
/// Fields of a ratings line: blanks, trimming, numbers, and the comma splitting with
/// RFC 4180 quotes that the CSV-like formats share.
///
/// CSV fields may be quoted as in RFC 4180: inside double quotes a comma is part of the
/// field and `""` stands for one quote character; blanks around and just inside the quotes
/// are trimmed like those of unquoted fields, and a quote inside an unquoted field is an
/// ordinary character. A quoted field must close on the line it opens on: quoted fields
/// holding a newline are not supported and are reported as an unterminated quote. Text
/// between a closing quote and the next comma is an error as well.

#include <cctype>
#include <charconv>
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace invlearn {

/// A malformed field found while splitting a line.
struct FieldError {
  std::size_t column = 0;    ///< 1-based column of the field; 0 when the line is well formed
  const char* problem = "";  ///< what is wrong, e.g. "unterminated quote"
  const char* hint = "";     ///< how to write it instead
};

namespace detail {

inline bool is_blank_char(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

inline std::string_view trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && is_blank_char(s[b])) ++b;
  while (e > b && is_blank_char(s[e - 1])) --e;
  return s.substr(b, e - b);
}

/// Parses the whole of `s` as a double (a leading '+' is accepted, which
/// std::from_chars alone would reject). Returns the std::errc of the conversion;
/// std::errc::invalid_argument also when characters are left over.
inline std::errc parse_double(std::string_view s, double& out) {
  const char* b = s.data();
  const char* e = b + s.size();
  if (b != e && *b == '+') {
    ++b;
    if (b != e && (*b == '-' || *b == '+')) return std::errc::invalid_argument;
  }
  if (b == e) return std::errc::invalid_argument;
  const auto r = std::from_chars(b, e, out, std::chars_format::general);
  if (r.ec != std::errc()) return r.ec;
  if (r.ptr != e) return std::errc::invalid_argument;
  return std::errc();
}

inline bool looks_numeric(std::string_view s) {
  double v = 0;
  const std::errc ec = parse_double(trim(s), v);
  return ec == std::errc() || ec == std::errc::result_out_of_range;
}

inline std::string lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

/// Appends the fields of `line` separated by `separator`, trimmed, at most `want` of them.
inline void split_at(std::string_view line, std::string_view separator, std::size_t want,
                     std::vector<std::string_view>& out) {
  std::size_t start = 0;
  while (out.size() < want) {
    const std::size_t c = line.find(separator, start);
    if (c == std::string_view::npos) {
      out.push_back(trim(line.substr(start)));
      return;
    }
    out.push_back(trim(line.substr(start, c - start)));
    start = c + separator.size();
  }
}

/// Splits a CSV line that may hold quoted fields (see the file comment) at the commas
/// outside quotes, appending at most `want` trimmed fields to `out`. The rest of the
/// line is still checked, so a quote left open in an ignored column is reported too
/// rather than read as a field spanning lines. Fields holding `""` are stored unescaped
/// in `scratch`, reserved to the line's size up front so that it never reallocates and
/// the views in `out` stay valid until the next call with the same `scratch`. On a
/// malformed field, returns its column; `out` then holds the fields before it.
inline FieldError split_quoted_csv(std::string_view line, std::size_t want,
                                   std::vector<std::string_view>& out, std::string& scratch) {
  constexpr std::size_t npos = std::string_view::npos;
  scratch.clear();
  scratch.reserve(line.size());
  const std::size_t n = line.size();
  std::size_t k = 0;
  for (std::size_t column = 1;; ++column) {
    while (k < n && is_blank_char(line[k])) ++k;
    std::string_view field;
    if (k < n && line[k] == '"') {
      const std::size_t open = k + 1;
      std::size_t close = open;
      bool doubled = false;
      for (;;) {
        close = line.find('"', close);
        if (close == npos)
          return {column, "unterminated quote",
                  "a quoted field must close on the line it opens on; fields spanning "
                  "lines are not supported"};
        if (close + 1 < n && line[close + 1] == '"') {
          doubled = true;
          close += 2;
          continue;
        }
        break;
      }
      field = line.substr(open, close - open);
      if (doubled) {
        const std::size_t at = scratch.size();
        for (std::size_t j = 0; j < field.size(); ++j) {
          scratch.push_back(field[j]);
          if (field[j] == '"') ++j;  // the second quote of a `""` pair
        }
        field = std::string_view(scratch).substr(at);
      }
      field = trim(field);
      k = close + 1;
      while (k < n && is_blank_char(line[k])) ++k;
      if (k < n && line[k] != ',')
        return {column, "text after the closing quote",
                "a quote inside a quoted field is written as two quotes"};
    } else {
      const std::size_t c = line.find(',', k);
      const std::size_t end = c == npos ? n : c;
      field = trim(line.substr(k, end - k));
      k = end;
    }
    if (out.size() < want) out.push_back(field);
    if (k >= n) return {};
    ++k;  // past the comma
  }
}

/// Splits a CSV line into at most `want` fields, appended to `out`: quoted fields as
/// split_quoted_csv does, and a plain split at commas for lines without a quote.
inline FieldError split_commas(std::string_view line, std::size_t want,
                               std::vector<std::string_view>& out, std::string& scratch) {
  if (line.find('"') != std::string_view::npos) return split_quoted_csv(line, want, out, scratch);
  split_at(line, ",", want, out);
  return {};
}

}  // namespace detail
}  // namespace invlearn

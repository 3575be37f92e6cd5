#pragma once
// Strict reading of flag values. CLI11's own conversions are lenient where a typo
// should be an error ("010" is octal, " 1" and "true" are numbers, "nan" is a double),
// so every value flag of the programs takes its text and converts it here. Each
// function throws UsageError naming the flag.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "common/errors.hpp"

namespace cli {

inline std::string in_quotes(std::string_view s) { return "'" + std::string(s) + "'"; }

/// Shortest text of a number that reads back as the same double ("0.001", not
/// "0.001000"), for messages and --help.
inline std::string number_text(double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

/// A finite double written in full ("1e-3", "0.5", "-2"); nothing may follow the number.
inline double parse_double(const std::string& flag, const std::string& text) {
  double v = 0.0;
  const char* b = text.data();
  const char* e = b + text.size();
  const auto r = std::from_chars(b, e, v, std::chars_format::general);
  if (text.empty() || r.ec == std::errc::invalid_argument || r.ptr != e)
    throw UsageError(flag + ": expected a number, got " + in_quotes(text));
  if (r.ec == std::errc::result_out_of_range || !std::isfinite(v))
    throw UsageError(flag + ": " + in_quotes(text) + " is not a finite number");
  return v;
}

/// A decimal integer in [lo, hi]; "1e3", "2.0", "0x10" and "12x" are refused.
inline long long parse_integer(const std::string& flag, const std::string& text, long long lo, long long hi) {
  long long v = 0;
  const char* b = text.data();
  const char* e = b + text.size();
  const auto r = std::from_chars(b, e, v, 10);
  if (text.empty() || r.ec == std::errc::invalid_argument || r.ptr != e)
    throw UsageError(flag + ": expected an integer, got " + in_quotes(text));
  if (r.ec == std::errc::result_out_of_range) throw UsageError(flag + ": " + text + " is out of range");
  // Bounds far beyond any sensible value are implementation limits, not ranges a user
  // needs to read: name only the bound that was crossed.
  const bool huge_hi = hi >= std::numeric_limits<int>::max();
  const bool huge_lo = lo == std::numeric_limits<long long>::min();
  const std::string both = "in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  if (v < lo) throw UsageError(flag + ": must be " + (huge_hi ? "at least " + std::to_string(lo) : both) + ", got " + text);
  if (v > hi)
    throw UsageError(flag + ": must be " + (huge_hi || huge_lo ? "at most " + std::to_string(hi) : both) + ", got " +
                     text);
  return v;
}

/// Any integer in [0, 2^64), such as a seed.
inline std::uint64_t parse_uint64(const std::string& flag, const std::string& text) {
  std::uint64_t v = 0;
  const char* b = text.data();
  const char* e = b + text.size();
  const auto r = std::from_chars(b, e, v, 10);
  if (text.empty() || r.ec == std::errc::invalid_argument || r.ptr != e)
    throw UsageError(flag + ": expected a non-negative integer, got " + in_quotes(text));
  if (r.ec == std::errc::result_out_of_range) throw UsageError(flag + ": " + text + " does not fit in 64 bits");
  return v;
}

/// "a, b or c": the allowed values, for messages and --help.
inline std::string alternatives(const std::vector<std::string>& values, const char* last = " or ") {
  std::string list;
  for (std::size_t k = 0; k < values.size(); ++k)
    list += (k == 0 ? "" : (k + 1 == values.size() ? last : ", ")) + values[k];
  return list;
}

/// "a|b|c": the values joined by `separator`.
inline std::string joined(const std::vector<std::string>& values, const std::string& separator) {
  std::string out;
  for (std::size_t k = 0; k < values.size(); ++k) out += (k == 0 ? "" : separator) + values[k];
  return out;
}

/// `value` if it is one of `allowed` (case matters).
inline std::string parse_choice(const std::string& flag, const std::string& value,
                                const std::vector<std::string>& allowed) {
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return value;
  throw UsageError(flag + ": unknown value " + in_quotes(value) + " (expected " + alternatives(allowed) + ")");
}

/// "a,b,,c" → {"a", "b", "", "c"}: empty items are kept, for the caller to refuse.
inline std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t c = s.find(',', start);
    out.push_back(s.substr(start, c == std::string::npos ? std::string::npos : c - start));
    if (c == std::string::npos) return out;
    start = c + 1;
  }
}

}  // namespace cli

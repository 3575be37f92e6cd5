#pragma once
/// @file text.hpp
/// Text for messages: numbers in their shortest exact form and quoted, printable copies of
/// input. Nothing here knows a command line; programs may use it for their own messages.

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <string>
#include <string_view>

namespace invlearn {

/// The shortest text that reads back as `v` ("0.8", not "0.800000"; "1e-05").
inline std::string format_number(double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

/// `s` in single quotes, as given.
inline std::string in_quotes(std::string_view s) { return "'" + std::string(s) + "'"; }

/// A printable, shortened copy of input text in single quotes: at most 40 characters,
/// bytes outside printable ASCII written as \xhh, "..." when cut.
inline std::string shown(std::string_view s) {
  std::string r;
  const std::size_t n = std::min<std::size_t>(s.size(), 40);
  for (std::size_t k = 0; k < n; ++k) {
    const unsigned char c = static_cast<unsigned char>(s[k]);
    if (c >= 0x20 && c < 0x7f) {
      r.push_back(static_cast<char>(c));
    } else {
      static const char hex[] = "0123456789abcdef";
      r += "\\x";
      r.push_back(hex[c >> 4]);
      r.push_back(hex[c & 15]);
    }
  }
  if (s.size() > n) r += "...";
  return in_quotes(r);
}

}  // namespace invlearn

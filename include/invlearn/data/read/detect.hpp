#pragma once
/// @file detect.hpp
/// Guessing the format of a ratings file from its first non-blank line.

#include <string_view>

#include "invlearn/data/read/formats.hpp"

namespace invlearn {

/// The first format in registry order whose detect() claims `first_line`: "::" →
/// movielens; a tab, or no comma → tsv; a comma with a header-like line (a known column
/// name, or a third field that is not a number) → csv; any other comma line → watch_ratio
/// (headerless CSV, whose ids may still be strings). A line no format claims is read as
/// the last format of the registry.
inline Format detect_format(std::string_view first_line) {
  Format found = Format::automatic, last = Format::automatic;
  for_each_format([&](auto f, Format id) {
    last = id;
    if (found == Format::automatic && decltype(f)::detect(first_line)) found = id;
  });
  return found == Format::automatic ? last : found;
}

}  // namespace invlearn

#pragma once
/// @file read_ratings.hpp
/// Reading ratings from files and from text in memory, in any registered format.
///
/// Files are read in 1 MiB chunks and split into lines in place; numbers are parsed
/// with std::from_chars (no iostream extraction per field), so a million lines parse in
/// a fraction of a second. Raw ids are kept as strings exactly as written (trimmed) and
/// mapped to dense indices in order of first appearance (IdMap).

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

#include "invlearn/data/id_map.hpp"
#include "invlearn/data/read/file_lines.hpp"
#include "invlearn/data/read/formats.hpp"
#include "invlearn/data/read/parser.hpp"
#include "invlearn/data/read/raw_ratings.hpp"

namespace invlearn {
namespace detail {

/// Parses `text` into `out`, with ids added to `users` and `items`.
inline void parse_text_into(std::string_view text, Format format, const std::string& name, IdMap& users,
                            IdMap& items, RawRatings& out) {
  RatingsParser parser(format, name, users, items, out);
  parser.reserve(static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1);
  for_each_line(text, [&](std::string_view line) { parser.feed(line); });
  parser.finish();
}

/// Streams the file at `path` into `out`, with ids added to `users` and `items`.
inline void read_file_into(const std::string& path, Format format, IdMap& users, IdMap& items, RawRatings& out) {
  RatingsParser parser(format, path, users, items, out);
  for_each_file_line(
      path, [&](std::string_view line) { parser.feed(line); }, [&](std::size_t rows) { parser.reserve(rows); });
  parser.finish();
}

}  // namespace detail

/// Parses ratings held in memory; `name` stands for the file name in errors. Ids are
/// added to (and looked up in) `users` and `items`, so several texts can share one
/// mapping; the result holds a copy of the maps as they stand afterwards.
inline RawRatings read_ratings_from_string(const std::string& text, Format format, const std::string& name,
                                           IdMap& users, IdMap& items) {
  RawRatings out;
  detail::parse_text_into(text, format, name, users, items, out);
  return out;
}

/// Parses ratings held in memory with fresh id maps (used by tests and fuzzers).
inline RawRatings read_ratings_from_string(const std::string& text, Format format = Format::automatic,
                                           const std::string& name = "<string>") {
  RawRatings out;
  detail::parse_text_into(text, format, name, out.user_ids, out.item_ids, out);
  return out;
}

/// Reads a ratings file, adding ids to `users` and `items`: pass the same maps for
/// pre-split train/valid/test files so one raw id gets one index across them. The
/// result holds a copy of the maps as they stand afterwards. On a ParseError the maps
/// may already hold ids from the failing file.
inline RawRatings read_ratings(const std::string& path, Format format, IdMap& users, IdMap& items) {
  RawRatings out;
  detail::read_file_into(path, format, users, items, out);
  return out;
}

/// Reads a ratings file with fresh id maps.
inline RawRatings read_ratings(const std::string& path, Format format = Format::automatic) {
  RawRatings out;
  detail::read_file_into(path, format, out.user_ids, out.item_ids, out);
  return out;
}

/// Three pre-split files read with one shared id mapping.
struct PresplitRatings {
  RawRatings train, valid, test;
};

/// Reads train, valid and test files (in that order) sharing one user and one item
/// mapping; each part's maps are the shared maps as they stood after reading it, so
/// `test`'s maps cover all three files.
inline PresplitRatings read_ratings_presplit(const std::string& train_path, const std::string& valid_path,
                                             const std::string& test_path, Format format = Format::automatic) {
  IdMap users, items;
  PresplitRatings p;
  p.train = read_ratings(train_path, format, users, items);
  p.valid = read_ratings(valid_path, format, users, items);
  p.test = read_ratings(test_path, format, users, items);
  return p;
}

}  // namespace invlearn

#pragma once
/// @file raw_ratings.hpp
/// RawRatings: the rows of a ratings file as read, over dense ids.

#include <cstddef>
#include <string>
#include <vector>

#include "invlearn/core/types.hpp"
#include "invlearn/data/id_map.hpp"
#include "invlearn/data/read/formats.hpp"

namespace invlearn {

/// Rows of (user, item, value) as read from a file, over dense ids.
///
/// Duplicate (user, item) rows follow one documented rule, **last wins**: the value of
/// the last row in the file is kept and the earlier rows are dropped (counted in
/// `duplicates_dropped`). Surviving rows keep their file order.
struct RawRatings {
  std::vector<Index> users;   ///< dense user index per row
  std::vector<Index> items;   ///< dense item index per row
  std::vector<double> values; ///< rating / watch ratio per row (finite, >= 0)
  IdMap user_ids;             ///< raw user id <-> dense index
  IdMap item_ids;             ///< raw item id <-> dense index
  std::string source;         ///< file name (or the name given for in-memory text)
  Format format = Format::automatic;  ///< the format actually parsed (never `automatic`)
  std::string value_column;   ///< name of the value column ("rating", "watch_ratio", ...)
  Index duplicates_dropped = 0;  ///< earlier rows of repeated (user, item) pairs removed

  Index size() const { return static_cast<Index>(users.size()); }
  bool empty() const { return users.empty(); }
};

/// Longest raw id accepted. Longer ones are almost always a wrong format or a binary file.
constexpr std::size_t kMaxIdLength = 64;

}  // namespace invlearn

#pragma once
/// @file dedup.hpp
/// The last-wins rule for repeated (user, item) rows of a ratings file.

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

#include "invlearn/core/types.hpp"
#include "invlearn/data/group_by_user.hpp"
#include "invlearn/data/read/raw_ratings.hpp"

namespace invlearn {
namespace detail {

/// Last wins: every row followed later in the file by a row of the same (user, item) is
/// dropped; the others keep their order. Rows are grouped by user (counting sort), each
/// user's (item, row) pairs sorted: O(n log d) for n rows and d rows per user, no hash set
/// of all pairs. Returns the number of rows dropped. Users are in [0, num_users).
inline Index drop_duplicate_pairs(RawRatings& r, Index num_users) {
  const std::size_t n = r.users.size();
  const UserGroups groups(r.users.data(), n, num_users);
  std::vector<std::pair<Index, std::size_t>> by_user(n);
  for (std::size_t k = 0; k < n; ++k) by_user[k] = {r.items[groups.rows[k]], groups.rows[k]};
  std::vector<char> keep;
  std::size_t dropped = 0;
  for (Index u = 0; u < num_users; ++u) {
    auto b = by_user.begin() + static_cast<std::ptrdiff_t>(groups.begin(u));
    auto e = by_user.begin() + static_cast<std::ptrdiff_t>(groups.end(u));
    if (e - b < 2) continue;
    std::sort(b, e);
    for (auto it = b; it + 1 < e; ++it) {
      if (it->first == (it + 1)->first) {
        if (keep.empty()) keep.assign(n, 1);
        keep[it->second] = 0;
        ++dropped;
      }
    }
  }
  if (dropped == 0) return 0;
  std::size_t w = 0;
  for (std::size_t k = 0; k < n; ++k) {
    if (!keep[k]) continue;
    r.users[w] = r.users[k];
    r.items[w] = r.items[k];
    r.values[w] = r.values[k];
    ++w;
  }
  r.users.resize(w);
  r.items.resize(w);
  r.values.resize(w);
  return static_cast<Index>(dropped);
}

}  // namespace detail
}  // namespace invlearn

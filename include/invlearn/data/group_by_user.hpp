#pragma once
/// @file group_by_user.hpp
/// Rows grouped by user with a stable counting sort (the reader's duplicate rule and the
/// pair index both need each user's rows together).

#include <cstddef>
#include <vector>

#include "invlearn/core/types.hpp"

namespace invlearn {
namespace detail {

/// User u's rows are rows[begin(u) .. end(u)), in increasing row order. O(n + users) time.
struct UserGroups {
  std::vector<std::size_t> offsets;  ///< num_users + 1 entries
  std::vector<std::size_t> rows;     ///< row indices, grouped by user

  /// Groups rows 0..n-1 whose users are users[0..n), each in [0, num_users).
  UserGroups(const Index* users, std::size_t n, Index num_users)
      : offsets(static_cast<std::size_t>(num_users) + 1, 0), rows(n) {
    for (std::size_t r = 0; r < n; ++r) ++offsets[static_cast<std::size_t>(users[r]) + 1];
    for (std::size_t u = 0; u + 1 < offsets.size(); ++u) offsets[u + 1] += offsets[u];
    std::vector<std::size_t> fill(offsets.begin(), offsets.end() - 1);
    for (std::size_t r = 0; r < n; ++r) rows[fill[static_cast<std::size_t>(users[r])]++] = r;
  }

  std::size_t begin(Index u) const { return offsets[static_cast<std::size_t>(u)]; }
  std::size_t end(Index u) const { return offsets[static_cast<std::size_t>(u) + 1]; }
};

}  // namespace detail
}  // namespace invlearn

#pragma once
/// @file recommendations.hpp
/// Recommendations: the top-k lists of many users, one fixed-size row per user.

#include <cstddef>
#include <vector>

#include "invlearn/core/types.hpp"

namespace invlearn {

/// The lists recommend() writes: for the r-th user asked about, `users[r]`, its items in
/// rank order (best first) at items[r·k .. r·k + length(r)) and their scores (logits) at
/// the same places of `scores`. recommend() sets k to the k asked for, or to the size of
/// the catalogue when that is smaller. A list is shorter than k only when fewer than k
/// items are left once the user's excluded items are taken out; the rest of its row is
/// unused.
template <class S>
struct Recommendations {
  Index k = 0;
  std::vector<Index> users;    ///< the users, in the order they were asked for
  std::vector<Index> lengths;  ///< list length per user, ≤ k
  std::vector<Index> items;    ///< users.size() rows of k item ids
  std::vector<S> scores;       ///< users.size() rows of k scores

  /// Number of lists.
  Index size() const { return static_cast<Index>(users.size()); }
  Index length(Index r) const { return lengths[static_cast<std::size_t>(r)]; }
  /// The r-th list: length(r) items and scores.
  const Index* items_of(Index r) const { return items.data() + r * k; }
  const S* scores_of(Index r) const { return scores.data() + r * k; }

  /// Empty lists of capacity `list_size` for `who`.
  void reset(const std::vector<Index>& who, Index list_size) {
    k = list_size;
    users = who;
    const std::size_t n = who.size(), cells = n * static_cast<std::size_t>(list_size);
    lengths.assign(n, 0);
    items.assign(cells, Index(-1));
    scores.assign(cells, S(0));
  }
};

}  // namespace invlearn

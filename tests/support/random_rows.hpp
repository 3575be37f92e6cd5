#pragma once
// Random (user, item, label) rows over every pair, for ranking tests.

#include <cstdint>

#include "invlearn/core/random.hpp"
#include "invlearn/data/interactions.hpp"

namespace invlearn_test {

/// Each (user, item) pair with probability `density`, in user then item order, labeled 1
/// with probability `positive_rate` and 0 otherwise.
inline invlearn::Interactions random_rows(invlearn::Index users, invlearn::Index items, double density,
                                          double positive_rate, std::uint64_t seed) {
  invlearn::Interactions rows;
  rows.num_users = users;
  rows.num_items = items;
  invlearn::Rng rng(seed);
  for (invlearn::Index u = 0; u < users; ++u)
    for (invlearn::Index i = 0; i < items; ++i)
      if (rng.uniform() < density) rows.push_back(u, i, rng.uniform() < positive_rate ? 1.0f : 0.0f);
  return rows;
}

}  // namespace invlearn_test

#pragma once
/// @file choose_rows.hpp
/// How many unlabeled pairs a labeled batch gets, and for which of its rows.

#include <cmath>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "invlearn/core/error.hpp"
#include "invlearn/core/random.hpp"
#include "invlearn/core/text.hpp"
#include "invlearn/core/types.hpp"

namespace invlearn {
namespace detail {

/// Throws OptionError(option) unless `rate` (unlabeled pairs per labeled row) is finite
/// and non-negative.
inline void check_rate(double rate, const char* option) {
  require_option(std::isfinite(rate) && rate >= 0.0, option, "must be finite and >= 0, got " + format_number(rate));
}

/// round(rate · n): the number of unlabeled pairs for a labeled batch of n rows.
inline Index sample_count(double rate, Index n) {
  return static_cast<Index>(std::llround(rate * static_cast<double>(n)));
}

/// Which labeled rows (indices in [0, n)) get an unlabeled pair, `count` of them.
///
/// Whole cycles first: every row once per full multiple of n (rows in order), so with an
/// integer rate every row gets exactly `rate` pairs and no random number is drawn. The
/// remaining `count mod n` rows are a seeded choice without replacement (partial
/// Fisher-Yates over `perm`), not the first rows of the batch: batches read in file order
/// (the IG training-test pass) are often grouped by user, and taking the first rows would
/// favour the users at the start of each batch. So every row gets floor(rate) or
/// ceil(rate) pairs, and which rows get the extra one is uniform.
inline void choose_rows(Index n, Index count, Rng& rng, std::vector<Index>& perm, std::vector<Index>& rows) {
  rows.clear();
  if (n <= 0 || count <= 0) return;
  const Index cycles = count / n;
  const Index rest = count % n;
  for (Index c = 0; c < cycles; ++c)
    for (Index k = 0; k < n; ++k) rows.push_back(k);
  if (rest == 0) return;
  perm.resize(static_cast<std::size_t>(n));
  for (Index k = 0; k < n; ++k) perm[static_cast<std::size_t>(k)] = k;
  for (Index k = 0; k < rest; ++k) {
    const Index j = k + rng.index(n - k);
    std::swap(perm[static_cast<std::size_t>(k)], perm[static_cast<std::size_t>(j)]);
    rows.push_back(perm[static_cast<std::size_t>(k)]);
  }
}

}  // namespace detail
}  // namespace invlearn

#pragma once
/// @file shard.hpp
/// The fixed rule that splits a global batch into one contiguous shard per rank.

#include <cstdint>
#include <vector>

#include "invlearn/core/types.hpp"

namespace invlearn {

/// Rows [begin, begin + size) of a global batch: rank r of p takes [⌊n·r/p⌋, ⌊n·(r+1)/p⌋).
/// Contiguous shards in rank order keep the global batch's sample order when the ranks'
/// parts are concatenated, which is what makes the combined gradient sum in sample order.
struct Shard {
  Index begin = 0;
  Index size = 0;

  static Shard of(Index n, int rank, int ranks) {
    const auto b = static_cast<Index>(static_cast<std::int64_t>(n) * rank / ranks);
    const auto e = static_cast<Index>(static_cast<std::int64_t>(n) * (rank + 1) / ranks);
    return Shard{b, e - b};
  }
  /// Every rank's shard size, in rank order, times `per_row` (values per row).
  static void sizes(Index n, int ranks, std::int64_t per_row, std::vector<std::int64_t>& out) {
    out.resize(static_cast<std::size_t>(ranks));
    for (int r = 0; r < ranks; ++r) out[static_cast<std::size_t>(r)] = of(n, r, ranks).size * per_row;
  }
};

}  // namespace invlearn

#pragma once
/// @file hide_labels.hpp
/// Keeping a seeded fraction of the training labels (the paper's label-scarce settings).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "invlearn/core/random.hpp"
#include "invlearn/core/rows.hpp"
#include "invlearn/data/interactions.hpp"
#include "invlearn/data/split.hpp"

namespace invlearn {

/// Keeps a seeded share `fraction` of the labeled training rows (round(fraction·n), at
/// least one when n > 0) and moves the others, labels included, to `*hidden_out` (if
/// given). Both keep the rows' relative order. The hidden labels are the truth used to
/// score annotation accuracy; training never reads them. The kept rows are the first of
/// shuffled_indices() drawn from stream Stream::label_fraction. Throws OptionError
/// ("SplitOptions::label_fraction") unless fraction is in (0, 1].
inline void label_fraction(Interactions& train, double fraction, std::uint64_t seed, Interactions* hidden_out) {
  SplitOptions::check_label_fraction(fraction);
  Interactions hidden = Interactions::empty_like(train);
  const std::size_t n = train.users.size();
  std::size_t keep_count = std::min(n, share_of(fraction, n));
  if (n > 0 && keep_count == 0) keep_count = 1;
  if (keep_count < n) {
    Rng rng(seed, Stream::label_fraction);
    const std::vector<Index> order = shuffled_indices(static_cast<Index>(n), rng);
    std::vector<char> keep(n, 0);
    for (std::size_t k = 0; k < keep_count; ++k) keep[static_cast<std::size_t>(order[k])] = 1;
    hidden.reserve(n - keep_count);
    keep_if(train, [&keep](std::size_t r) { return keep[r] != 0; }, &hidden);
  }
  if (hidden_out) *hidden_out = std::move(hidden);
}

}  // namespace invlearn

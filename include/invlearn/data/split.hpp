#pragma once
/// @file split.hpp
/// How a data set is split (SplitOptions), and the one permute-and-cut of labeled rows:
/// shuffled_indices() draws the seeded permutation that split_rows(), label_fraction()
/// and the Trainer's training-train / training-test cut all take their rows in.
///
/// Every random choice here draws from its own stream (Stream::split,
/// Stream::label_fraction), so the same seed gives the same split on every platform and
/// changing one option never shifts the rows another option picks.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "invlearn/core/error.hpp"
#include "invlearn/core/random.hpp"
#include "invlearn/core/rows.hpp"
#include "invlearn/core/text.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/data/interactions.hpp"

namespace invlearn {

/// How a data set is split and which unlabeled pool it carries.
struct SplitOptions {
  double train = 0.6;          ///< share of labeled rows for training
  double valid = 0.2;          ///< share for validation; the rest is test
  std::uint64_t seed = 42;     ///< seeds the split and the label fraction
  double label_fraction = 1.0; ///< share of training labels kept, in (0, 1]
  /// Where unlabeled pairs come from: `uniform` — sampled over all items during
  /// training (no pool); `middle` — the unclear rows (between the label thresholds) that
  /// fall in the training split, truth unknown (NaN); `hidden` — the training rows whose
  /// labels label_fraction hid, with their true labels kept for measuring annotation
  /// accuracy (training never reads them).
  enum class Unlabeled { uniform, middle, hidden } unlabeled = Unlabeled::uniform;

  /// Throws OptionError naming the bad option.
  void validate() const {
    check_fractions(train, valid);
    check_label_fraction(label_fraction);
  }

  /// Throws OptionError unless train is in (0, 1], valid in [0, 1) and their sum at most 1.
  static void check_fractions(double train, double valid) {
    require_option(train > 0.0 && train <= 1.0, "SplitOptions::train",
                   "must be in (0, 1], got " + format_number(train));
    require_option(valid >= 0.0 && valid < 1.0, "SplitOptions::valid",
                   "must be in [0, 1), got " + format_number(valid));
    require_option(train + valid <= 1.0 + 1e-12, "SplitOptions::valid",
                   "SplitOptions::train + SplitOptions::valid exceed 1 (" + format_number(train) + " + " +
                       format_number(valid) + ")");
  }

  /// Throws OptionError unless `fraction` is in (0, 1].
  static void check_label_fraction(double fraction) {
    require_option(fraction > 0.0 && fraction <= 1.0, "SplitOptions::label_fraction",
                   "must be in (0, 1], got " + format_number(fraction));
  }
};

/// Parses "uniform", "middle" or "hidden" (the values of SplitOptions::unlabeled).
inline SplitOptions::Unlabeled parse_unlabeled(const std::string& name) {
  if (name == "uniform") return SplitOptions::Unlabeled::uniform;
  if (name == "middle") return SplitOptions::Unlabeled::middle;
  if (name == "hidden") return SplitOptions::Unlabeled::hidden;
  throw OptionError("SplitOptions::unlabeled", "unknown value '" + name + "': expected uniform, middle or hidden");
}

/// The name parse_unlabeled accepts for `u`.
inline const char* unlabeled_name(SplitOptions::Unlabeled u) {
  switch (u) {
    case SplitOptions::Unlabeled::uniform: return "uniform";
    case SplitOptions::Unlabeled::middle: return "middle";
    case SplitOptions::Unlabeled::hidden: return "hidden";
  }
  return "?";
}

/// 0, 1, ..., n - 1 in the order of a Fisher-Yates shuffle drawn from `rng`: the one
/// permutation every cut of labeled rows takes its rows in.
inline std::vector<Index> shuffled_indices(Index n, Rng& rng) {
  std::vector<Index> order(static_cast<std::size_t>(n));
  for (Index k = 0; k < n; ++k) order[static_cast<std::size_t>(k)] = k;
  rng.shuffle(order);
  return order;
}

/// round(fraction · n): the rows a share takes.
inline std::size_t share_of(double fraction, std::size_t n) {
  return static_cast<std::size_t>(std::llround(fraction * static_cast<double>(n)));
}

/// The three parts of a split.
struct SplitParts {
  Interactions train, valid, test;
};

/// Random split of `rows` into round(train·n), round(valid·n) and the rest, drawing
/// the permutation from `rng`. Each part is in the permuted (random) order, not file
/// order: a later "first 90% / last 10%" cut of the training part (IG's training-train
/// and training-test) is then a random cut rather than a cut by user.
inline SplitParts split_rows(const Interactions& rows, double train, double valid, Rng& rng) {
  SplitOptions::check_fractions(train, valid);
  const std::size_t n = rows.users.size();
  const std::vector<Index> order = shuffled_indices(static_cast<Index>(n), rng);
  const std::size_t nt = std::min(n, share_of(train, n));
  const std::size_t nv = std::min(n - nt, share_of(valid, n));
  SplitParts parts{Interactions::empty_like(rows), Interactions::empty_like(rows), Interactions::empty_like(rows)};
  gather(rows, order.data(), static_cast<Index>(nt), parts.train);
  gather(rows, order.data() + nt, static_cast<Index>(nv), parts.valid);
  gather(rows, order.data() + nt + nv, static_cast<Index>(n - nt - nv), parts.test);
  return parts;
}

/// Random split of `rows` seeded by `seed` (stream Stream::split).
inline SplitParts split_rows(const Interactions& rows, double train = 0.6, double valid = 0.2,
                             std::uint64_t seed = 42) {
  Rng rng(seed, Stream::split);
  return split_rows(rows, train, valid, rng);
}

}  // namespace invlearn

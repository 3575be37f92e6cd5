#pragma once
/// @file uniform.hpp
/// UniformSampler: the paper's default unlabeled sampling.

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

#include "invlearn/core/memory.hpp"
#include "invlearn/core/random.hpp"
#include "invlearn/core/rows.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/data/interactions.hpp"
#include "invlearn/data/sampling/choose_rows.hpp"
#include "invlearn/data/sampling/source.hpp"
#include "invlearn/data/sampling/unlabeled_batch.hpp"

namespace invlearn {

/// Uniform unlabeled sampling: the paper's default ("sampling rate 1") and the rule of the
/// authors' release.
///
/// For each labeled row's user u (rows chosen by detail::choose_rows: every row `rate` times
/// for an integer rate, a seeded choice of rows for the fraction), an item j uniform over
/// the items with which u has no training pair (see detail::UnlabeledSource::draw_item).
/// A user with a training pair for every item has no unlabeled pair: that row is skipped,
/// so the batch is then shorter than round(rate · n). No training pair is ever returned.
///
/// With a pool (SplitOptions::unlabeled middle or hidden), pool rows are drawn uniformly
/// instead (user and item from the pool row, truth = the pool row's label), round(rate · n)
/// of them.
///
/// Scores nothing. Draws per pair: 1 expected while u rated a small share of items.
class UniformSampler {
 public:
  static constexpr const char* name = "uniform";

  /// `rate` = unlabeled pairs per labeled row (1 in the paper).
  UniformSampler() : UniformSampler(1.0) {}
  explicit UniformSampler(double rate) : rate_(rate) { detail::check_rate(rate, "UniformSampler::rate"); }

  double rate() const { return rate_; }

  /// Once before training. `train` = every labeled training row (the pairs to reject);
  /// `pool` (may be null or empty) = a fixed pool of unlabeled pairs to draw from instead of
  /// uniform items, its labels the truth (NaN if unknown); `truth` gives the truth of
  /// uniformly drawn pairs (may be empty). The sampler keeps its own copies.
  void prepare(const Interactions& train, const Interactions* pool, TruthFn truth) {
    source_.prepare(train, pool, std::move(truth), "UniformSampler");
  }

  /// Uniform sampling has no per-epoch state.
  template <class Score>
  void begin_epoch(int /*epoch*/, Score&& /*score*/) {}

  /// Replaces `out` with round(rate · labeled.size) unlabeled pairs (fewer only for users
  /// who rated every item).
  template <class Score>
  void sample(const BatchView& labeled, Score&& /*score*/, Rng& rng, UnlabeledBatch& out) {
    sample(labeled, rng, out);
  }

  /// The same, for callers without scores (uniform sampling never scores).
  void sample(const BatchView& labeled, Rng& rng, UnlabeledBatch& out) {
    source_.check_labeled(labeled, "UniformSampler");
    out.clear();
    const Index count = detail::sample_count(rate_, labeled.size);
    if (source_.has_pool()) {
      for (Index k = 0; k < count; ++k) {
        const Index r = source_.draw_pool_row(rng);
        out.batch.push_back(source_.pool_user(r), source_.pool_item(r), 0.0f);
        out.truth.push_back(source_.pool_truth(r));
      }
      return;
    }
    detail::choose_rows(labeled.size, count, rng, perm_, rows_);
    // A draw's first lookup in the pair filter is a cache miss on a large training set. A
    // copy of the stream, kept kPrefetchAhead rows ahead on one draw per row (nearly every
    // first draw is taken), asks for the blocks of later rows' draws while this one waits.
    // It only hints; after a rejected draw it is out of step and restarts from `rng`.
    Rng ahead = rng;
    std::size_t primed = 0;
    const auto prime = [&](std::size_t upto) {
      for (upto = std::min(upto, rows_.size()); primed < upto; ++primed)
        source_.prefetch_draw(labeled.users[rows_[primed]], ahead);
    };
    constexpr auto kAhead = static_cast<std::size_t>(kPrefetchAhead);
    prime(kAhead);
    for (std::size_t k = 0; k < rows_.size(); ++k) {
      const Index u = labeled.users[rows_[k]];
      bool in_step = true;
      const Index j = source_.draw_item(u, rng, &in_step);
      if (!in_step) {
        ahead = rng;
        primed = k + 1;
      }
      prime(k + 1 + kAhead);
      if (j < 0) continue;
      out.batch.push_back(u, j, 0.0f);
      out.truth.push_back(source_.truth(u, j));
    }
  }

 private:
  double rate_;
  detail::UnlabeledSource source_;
  std::vector<Index> perm_, rows_;
};

}  // namespace invlearn

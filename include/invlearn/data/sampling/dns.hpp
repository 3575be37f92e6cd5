#pragma once
/// @file dns.hpp
/// DNSSampler: Dynamic Negative Sampling, the best-scoring of a few uniform candidates.

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "invlearn/core/error.hpp"
#include "invlearn/core/random.hpp"
#include "invlearn/core/rows.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/data/interactions.hpp"
#include "invlearn/data/sampling/choose_rows.hpp"
#include "invlearn/data/sampling/source.hpp"
#include "invlearn/data/sampling/unlabeled_batch.hpp"

namespace invlearn {

/// Dynamic Negative Sampling (Zhang, Chen, Wang and Yu, "Optimizing top-n collaborative
/// filtering via dynamic negative item sampling", SIGIR 2013): for each unlabeled pair,
/// `candidates` items are drawn uniformly for the user (exactly as UniformSampler draws
/// one), all scored at the current θ, and the highest-scoring one is kept: the "hard"
/// negative the model currently ranks highest. Ties keep the first candidate drawn.
///
/// All candidates of a batch are scored by one call of the Score. Random numbers are drawn
/// in the same order as UniformSampler's, so with candidates = 1 the two return identical
/// batches for the same seed. With a pool, each candidate is a uniform pool row (user
/// included) and the highest-scoring pool pair is kept.
class DNSSampler {
 public:
  static constexpr const char* name = "dns";

  /// `rate` = unlabeled pairs per labeled row; `candidates` = uniform draws per pair (>= 1;
  /// 5 is our default, a common choice in DNS baselines, not a value from the paper).
  DNSSampler() : DNSSampler(1.0, 5) {}
  explicit DNSSampler(double rate, int candidates = 5) : rate_(rate), candidates_(candidates) {
    detail::check_rate(rate, "DNSSampler::rate");
    require_option(candidates >= 1, "DNSSampler::candidates", "must be >= 1, got " + std::to_string(candidates));
  }

  double rate() const { return rate_; }
  int candidates() const { return candidates_; }

  /// As UniformSampler::prepare().
  void prepare(const Interactions& train, const Interactions* pool, TruthFn truth) {
    source_.prepare(train, pool, std::move(truth), "DNSSampler");
  }

  /// DNS has no per-epoch state.
  template <class Score>
  void begin_epoch(int /*epoch*/, Score&& /*score*/) {}

  /// Replaces `out` with round(rate · labeled.size) pairs, each the best of `candidates`
  /// (fewer pairs only for users who rated every item). One call of `score` for the
  /// count · candidates candidates.
  template <class Score>
  void sample(const BatchView& labeled, Score&& score, Rng& rng, UnlabeledBatch& out) {
    source_.check_labeled(labeled, "DNSSampler");
    out.clear();
    cand_.clear();
    cand_row_.clear();
    const Index count = detail::sample_count(rate_, labeled.size);
    const std::size_t c = static_cast<std::size_t>(candidates_);
    cand_.reserve(static_cast<std::size_t>(count) * c);
    if (source_.has_pool()) {
      for (Index k = 0; k < count; ++k)
        for (std::size_t t = 0; t < c; ++t) {
          const Index r = source_.draw_pool_row(rng);
          cand_.push_back(source_.pool_user(r), source_.pool_item(r), 0.0f);
          cand_row_.push_back(r);
        }
    } else {
      detail::choose_rows(labeled.size, count, rng, perm_, rows_);
      for (const Index row : rows_) {
        const Index u = labeled.users[row];
        const Index first = source_.draw_item(u, rng);
        if (first < 0) continue;  // u rated every item: no candidate exists
        cand_.push_back(u, first, 0.0f);
        // Once one unrated item exists, draw_item never fails for this user.
        for (std::size_t t = 1; t < c; ++t) cand_.push_back(u, source_.draw_item(u, rng), 0.0f);
      }
    }
    scores_.resize(cand_.users.size());
    if (!cand_.empty()) score(cand_.view(), scores_.data());
    const std::size_t pairs = cand_.users.size() / c;
    for (std::size_t p = 0; p < pairs; ++p) {
      std::size_t best = p * c;
      for (std::size_t t = best + 1; t < (p + 1) * c; ++t)
        if (scores_[t] > scores_[best]) best = t;
      const Index u = cand_.users[best], j = cand_.items[best];
      out.batch.push_back(u, j, 0.0f);
      out.truth.push_back(source_.has_pool() ? source_.pool_truth(cand_row_[best]) : source_.truth(u, j));
    }
  }

 private:
  double rate_;
  int candidates_;
  detail::UnlabeledSource source_;
  std::vector<Index> perm_, rows_;
  Batch cand_;                   ///< all candidates of a batch, `candidates` per pair
  std::vector<Index> cand_row_;  ///< pool row of each candidate (pool mode)
  std::vector<double> scores_;   ///< the candidates' scores
};

}  // namespace invlearn

#pragma once
/// @file srns.hpp
/// SRNSSampler: hard negatives from a per-user memory, preferring those whose scores vary.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "invlearn/core/error.hpp"
#include "invlearn/core/math.hpp"
#include "invlearn/core/random.hpp"
#include "invlearn/core/rows.hpp"
#include "invlearn/core/text.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/data/interactions.hpp"
#include "invlearn/data/sampling/choose_rows.hpp"
#include "invlearn/data/sampling/source.hpp"
#include "invlearn/data/sampling/srns_pools.hpp"
#include "invlearn/data/sampling/unlabeled_batch.hpp"

namespace invlearn {

/// Options of SRNSSampler. The defaults are the authors' ML-1M settings (SRNS_real/run.sh and
/// the defaults of SRNS_real/SRNS_main.py in github.com/dingjingtao/SRNS).
struct SRNSOptions {
  double rate = 1.0;          ///< unlabeled pairs per labeled row (theirs: one negative per positive)
  int memory = 8;             ///< S1, memory items per user (`--S1 8`)
  int fresh = 64;             ///< S2, pool items added to the memory per refill (S1 · `--S2_div_S1 8`)
  int candidates = 3000;      ///< C, items in a user's candidate pool (`--varset_size`, default 3000)
  int history = 5;            ///< T, epoch-boundary snapshots the std is taken over (5 in their code)
  double alpha = 5.0;         ///< α, weight of the std once warmed up (`--alpha 5.0`)
  int warmup = 50;            ///< epochs over which α_t rises from 0 to α, from epoch 0 (`--warmup 50`)
  double temperature = 10.0;  ///< τ of the refill's softmax over logits / τ (`--temperature 10.0`); 0 keeps the best
  std::uint64_t seed = 42;    ///< seeds the candidate pools and the first memories (ours)

  /// Throws OptionError naming the bad option.
  void validate() const {
    require_option(std::isfinite(rate) && rate >= 0.0, "SRNSOptions::rate",
                   "must be finite and >= 0, got " + format_number(rate));
    require_option(memory >= 1, "SRNSOptions::memory", "must be >= 1, got " + std::to_string(memory));
    require_option(fresh >= 0, "SRNSOptions::fresh", "must be >= 0, got " + std::to_string(fresh));
    require_option(candidates >= 1 && static_cast<long long>(memory) + fresh <= candidates,
                   "SRNSOptions::candidates",
                   "must be at least SRNSOptions::memory + SRNSOptions::fresh (" +
                       std::to_string(static_cast<long long>(memory) + fresh) + "), got " + std::to_string(candidates));
    require_option(history >= 1 && history <= 32, "SRNSOptions::history",
                   "must be in [1, 32], got " + std::to_string(history));
    require_option(std::isfinite(alpha) && alpha >= 0.0, "SRNSOptions::alpha",
                   "must be finite and >= 0, got " + format_number(alpha));
    require_option(warmup >= 0, "SRNSOptions::warmup", "must be >= 0, got " + std::to_string(warmup));
    require_option(std::isfinite(temperature) && temperature >= 0.0, "SRNSOptions::temperature",
                   "must be finite and >= 0, got " + format_number(temperature));
  }
};

/// SRNS (Ding, Quan, Yao, Li and Jin, "Simplify and Robustify Negative Sampling for Implicit
/// Collaborative Filtering", NeurIPS 2020), as the paper and the authors' code
/// (SRNS_real/SRNS_main.py) define it.
///
/// The idea: hard negatives score high, but so do false negatives (unseen positives), whose
/// scores are high *steadily*, while a true negative's score moves as the model learns. So
/// each user keeps a small memory of candidates and the negative is the memory item with the
/// most information, score + α_t · std, std being the standard deviation of its score over
/// the last epochs; the memory drifts towards high scores by resampling.
///
/// Exactly, for a labeled row (u, i):
/// - Score of a candidate j: P(j) = σ(x̂_uj − x̂_ui), relative to the row's item i, not the raw
///   logit. In the paper every row is a positive; here a row labeled 0 is the reference all the
///   same (a labeled row that is not a training pair has no history: its current score stands in).
/// - Candidate pools (detail::CandidatePools): per user C = 3000 uniform unrated items, a new
///   pool each epoch, every pool scored at the T = 5 epoch boundaries before it is used, so an
///   item entering the memory already has a history. std(j) is the population standard
///   deviation (not the variance) of σ(x̂_uj − x̂_ui) over those snapshots, both scores taken
///   at the same boundary; 0 while a pool has one snapshot (the first epoch).
/// - Memory: S1 = 8 distinct positions in the user's current pool, uniform at the start. The
///   positions carry over when the pool rotates (so the memory then holds the new pool's
///   items there), as in the authors' code.
/// - Choice: the memory item maximising P(j) + α_t · std(j), α_t = α · min(1, epoch / warm-up)
///   with the epoch of begin_epoch() counted from 0 (α from the start when warm-up is 0);
///   ties take the first memory slot. Every row of a user in a batch chooses from the memory
///   as it was at the start of the batch.
/// - Refill, once per distinct user per batch: S2 = 64 more positions of the pool, distinct
///   from the memory's and from each other, uniform; S1 of the S1 + S2 are kept, drawn
///   without replacement with probability ∝ exp(x̂_uj / τ) (raw logits, τ = 10), done as the S1
///   largest x̂_uj / τ + Gumbel noise (the same distribution, and no overflow). τ = 0 keeps the
///   S1 best.
/// - Protocol: this library's methods train pointwise, so the chosen item enters the
///   unlabeled batch with label 0 and the step is BCE (JointUpdate); the authors train BPR on
///   (u, i, j). The defaults are their ML-1M settings; see SRNSOptions for the source of each.
/// - No fixed pool: SRNS draws items per user; prepare() rejects a non-empty pool.
///
/// Randomness: the pools and the first memories from SRNSOptions::seed (begin_epoch() has no
/// Rng); the refill and the fresh positions from the Rng passed to sample().
///
/// Memory: the pools' 4 · users · C · (T(T+1)/2 + 1) bytes (about 576 MB for 3000 users with
/// the defaults, 1.2 GB for ML-1M's 6040), 4 · T bytes per training pair, 4 · S1 per user.
/// Work: at each epoch boundary, users · C · T candidate draws and scores plus one score per
/// training pair; per labeled batch of n rows with d distinct users, one Score call of
/// n + d · (S1 + S2) rows, n · S1 · T sigmoids for the std, d · (S1 + S2) Gumbel draws.
class SRNSSampler {
 public:
  static constexpr const char* name = "srns";

  SRNSSampler() : SRNSSampler(SRNSOptions{}) {}
  explicit SRNSSampler(const SRNSOptions& options) : opt_(options) { opt_.validate(); }

  const SRNSOptions& options() const { return opt_; }

  /// As UniformSampler::prepare(), but `pool` must be null or empty. Sizes the pools
  /// (drawn at the first begin_epoch() or sample()) and forgets any earlier state — unless
  /// a checkpoint was just loaded into this sampler and its state fits the data: then a
  /// resumed run goes on with the pools and memories it had.
  void prepare(const Interactions& train, const Interactions* pool, TruthFn truth) {
    if (pool != nullptr && !pool->empty())
      throw OptionError("SplitOptions::unlabeled",
                        "SRNSSampler draws items per user and takes no fixed unlabeled pool; use UniformSampler "
                        "or DNSSampler with a pool (middle or hidden)");
    source_.prepare(train, nullptr, std::move(truth), "SRNSSampler");
    const Index users = source_.num_users();
    const std::size_t s1 = static_cast<std::size_t>(opt_.memory);
    const bool keep = restored_ && pools_.users() == users && pools_.pairs() == source_.index().size() &&
                      memory_.size() == static_cast<std::size_t>(users) * s1;
    restored_ = false;
    if (keep) {
      pools_.restore_items(source_);
    } else {
      pools_.reset(users, source_.index().size(), opt_.candidates, opt_.history, opt_.seed);
      memory_.assign(static_cast<std::size_t>(users) * s1, -1);
      pool_epoch_ = 0;
    }
    stamp_.assign(static_cast<std::size_t>(users), 0);
    position_.assign(static_cast<std::size_t>(users), 0);
    marks_.assign(static_cast<std::size_t>(opt_.candidates), 0);
    call_ = 0;
    mark_ = 0;
  }

  /// At the start of epoch `epoch` (from 0): draws the pools and takes their first scores
  /// the first time, and at every later epoch snapshots the pools and moves to the next one.
  template <class Score>
  void begin_epoch(int epoch, Score&& score) {
    epoch_ = epoch;
    if (!source_.prepared()) return;
    if (!pools_.started()) {
      start(score);
    } else if (epoch > pool_epoch_) {
      pools_.rotate(source_, score);
      pool_epoch_ = epoch;
    }
  }

  /// α_t for the current epoch.
  double current_alpha() const {
    if (opt_.warmup == 0) return opt_.alpha;
    const double t = std::max(0, epoch_);
    return opt_.alpha * std::min(1.0, t / static_cast<double>(opt_.warmup));
  }

  /// The memory of user u (S1 items; empty before the pools are drawn or for a user
  /// with a training pair for every item).
  std::vector<Index> memory(Index u) const {
    std::vector<Index> items;
    for (const Index c : memory_positions(u)) items.push_back(pools_.item(u, c));
    return items;
  }
  /// The memory of user u as positions in the user's current pool.
  std::vector<Index> memory_positions(Index u) const {
    std::vector<Index> slots;
    if (u < 0 || u >= source_.num_users() || !pools_.started() || !pools_.has_items(u)) return slots;
    const std::size_t s1 = static_cast<std::size_t>(opt_.memory);
    for (std::size_t s = 0; s < s1; ++s) slots.push_back(memory_[static_cast<std::size_t>(u) * s1 + s]);
    return slots;
  }

  /// Checkpoint archive protocol (io/checkpoint.hpp): the pools' snapshots, the memories and
  /// the epochs. A loaded state survives the next prepare() (Trainer::fit() calls it on resume).
  template <class Archive>
  void serialize(Archive& ar) {
    if (Archive::loading) pools_.set_shape(opt_.candidates, opt_.history);
    ar(memory_, pool_epoch_, pools_);
    ar.check(memory_.size() == static_cast<std::size_t>(pools_.users()) * static_cast<std::size_t>(opt_.memory) &&
                 pools_.consistent() && pools_.seed() == opt_.seed,
             "SRNS memory sizes disagree with the sampler's memory, candidates, history and seed options");
    for (const std::int32_t c : memory_) ar.check(c >= -1 && c < opt_.candidates, "SRNS memory position out of range");
    if (Archive::loading) restored_ = true;
  }

  /// Replaces `out` with round(rate · labeled.size) pairs (fewer only for users who rated
  /// every item) and refills the memories of the batch's users. One call of `score`.
  template <class Score>
  void sample(const BatchView& labeled, Score&& score, Rng& rng, UnlabeledBatch& out) {
    source_.check_labeled(labeled, "SRNSSampler");
    out.clear();
    if (!pools_.started()) start(score);
    const std::size_t s1 = static_cast<std::size_t>(opt_.memory);
    const std::size_t s2 = static_cast<std::size_t>(opt_.fresh);
    ++call_;
    cand_.clear();
    users_.clear();
    picks_.clear();
    fresh_.clear();
    detail::choose_rows(labeled.size, detail::sample_count(opt_.rate, labeled.size), rng, perm_, rows_);

    // The rows to score: each chosen row's own item (the reference), then per distinct
    // user its memory and its fresh positions.
    for (const Index row : rows_) {
      const Index u = labeled.users[row];
      const auto uu = static_cast<std::size_t>(u);
      if (!pools_.has_items(u)) continue;  // u rated every item
      if (stamp_[uu] != call_) {
        stamp_[uu] = call_;
        position_[uu] = static_cast<Index>(users_.size());
        users_.push_back(UserRef{u, 0});
      }
      picks_.push_back(Pick{position_[uu], labeled.items[row], cand_.size()});
      cand_.push_back(u, labeled.items[row], 0.0f);
    }
    for (UserRef& user : users_) {
      user.offset = cand_.size();
      const std::int32_t* mem = &memory_[static_cast<std::size_t>(user.id) * s1];
      next_mark();
      for (std::size_t s = 0; s < s1; ++s) {
        marks_[static_cast<std::size_t>(mem[s])] = mark_;
        cand_.push_back(user.id, pools_.item(user.id, mem[s]), 0.0f);
      }
      for (std::size_t t = 0; t < s2; ++t) {
        Index c = rng.index(opt_.candidates);
        while (marks_[static_cast<std::size_t>(c)] == mark_) c = rng.index(opt_.candidates);
        marks_[static_cast<std::size_t>(c)] = mark_;
        fresh_.push_back(static_cast<std::int32_t>(c));
        cand_.push_back(user.id, pools_.item(user.id, c), 0.0f);
      }
    }
    scores_.resize(cand_.users.size());
    if (!cand_.empty()) score(cand_.view(), scores_.data());

    // Choose, row by row, from the memories as they are.
    const double alpha_t = current_alpha();
    for (const Pick& pick : picks_) {
      const UserRef& user = users_[static_cast<std::size_t>(pick.user)];
      const std::int32_t* mem = &memory_[static_cast<std::size_t>(user.id) * s1];
      const Index pair = source_.index().find(user.id, pick.item);
      const double reference = scores_[static_cast<std::size_t>(pick.row)];
      std::size_t best = 0;
      double best_value = -std::numeric_limits<double>::infinity();
      for (std::size_t s = 0; s < s1; ++s) {
        const double now = sigmoid(scores_[static_cast<std::size_t>(user.offset) + s] - reference);
        const double value = now + alpha_t * deviation(user.id, mem[s], pair, reference);
        if (s == 0 || value > best_value) {
          best = s;
          best_value = value;
        }
      }
      const Index j = pools_.item(user.id, mem[best]);
      out.batch.push_back(user.id, j, 0.0f);
      out.truth.push_back(source_.truth(user.id, j));
    }

    // Refill each distinct user's memory once.
    for (std::size_t q = 0; q < users_.size(); ++q) refill(users_[q], q * s2, rng);
  }

 private:
  struct UserRef {
    Index id;
    Index offset;  ///< first row of the user's memory and fresh items in cand_
  };
  struct Pick {
    Index user;  ///< position in users_
    Index item;  ///< the labeled row's item (the reference)
    Index row;   ///< the reference's row in cand_
  };

  template <class Score>
  void start(Score& score) {
    pools_.start(source_, score);
    pool_epoch_ = epoch_;
    // Uniform distinct positions, user u's from its own stream Rng(seed, u).
    const std::size_t s1 = static_cast<std::size_t>(opt_.memory);
    for (Index u = 0; u < source_.num_users(); ++u) {
      Rng rng(opt_.seed, static_cast<std::uint64_t>(u));
      next_mark();
      for (std::size_t s = 0; s < s1; ++s) {
        Index c = rng.index(opt_.candidates);
        while (marks_[static_cast<std::size_t>(c)] == mark_) c = rng.index(opt_.candidates);
        marks_[static_cast<std::size_t>(c)] = mark_;
        memory_[static_cast<std::size_t>(u) * s1 + s] = static_cast<std::int32_t>(c);
      }
    }
  }

  /// A new stamp for marks_ (positions taken for the user at hand).
  void next_mark() {
    if (++mark_ == 0) {
      std::fill(marks_.begin(), marks_.end(), 0);
      mark_ = 1;
    }
  }

  /// Population standard deviation over the current pool's snapshots of σ(x̂_uc − x̂_ui),
  /// i being training pair `pair` (or, for a row that is not one, its current score).
  double deviation(Index u, Index c, Index pair, double reference) const {
    const int h = pools_.snapshots();
    if (h < 2) return 0.0;
    double p[32];
    double mean = 0.0;
    for (int t = 0; t < h; ++t) {
      const double ref = pair >= 0 ? static_cast<double>(pools_.positive_score(t, pair)) : reference;
      p[t] = sigmoid(static_cast<double>(pools_.candidate_score(t, u, c)) - ref);
      mean += p[t];
    }
    mean /= h;
    double var = 0.0;
    for (int t = 0; t < h; ++t) var += (p[t] - mean) * (p[t] - mean);
    return std::sqrt(var / h);
  }

  /// Keeps S1 of the user's memory ∪ fresh positions, sampled ∝ exp(x̂ / τ) without
  /// replacement (the S1 largest x̂ / τ + Gumbel noise; the S1 largest x̂ when τ = 0).
  void refill(const UserRef& user, std::size_t fresh_at, Rng& rng) {
    const std::size_t s1 = static_cast<std::size_t>(opt_.memory);
    const std::size_t s2 = static_cast<std::size_t>(opt_.fresh);
    if (s2 == 0) return;  // memory ∪ {} = memory: nothing changes
    std::int32_t* mem = &memory_[static_cast<std::size_t>(user.id) * s1];
    const std::size_t n = s1 + s2;
    keys_.resize(n);
    order_.resize(n);
    for (std::size_t k = 0; k < n; ++k) {
      const double x = scores_[static_cast<std::size_t>(user.offset) + k];
      double key = x;
      if (opt_.temperature > 0.0) {
        double v = rng.uniform();
        while (v <= 0.0) v = rng.uniform();
        key = x / opt_.temperature - std::log(-std::log(v));
      }
      keys_[k] = key;
      order_[k] = k;
    }
    std::partial_sort(order_.begin(), order_.begin() + static_cast<std::ptrdiff_t>(s1), order_.end(),
                      [this](std::size_t a, std::size_t b) { return keys_[a] > keys_[b] || (keys_[a] == keys_[b] && a < b); });
    kept_.resize(s1);
    for (std::size_t s = 0; s < s1; ++s) {
      const std::size_t k = order_[s];
      kept_[s] = k < s1 ? mem[k] : fresh_[fresh_at + (k - s1)];
    }
    std::copy(kept_.begin(), kept_.end(), mem);
  }

  SRNSOptions opt_;
  detail::UnlabeledSource source_;
  detail::CandidatePools pools_;
  std::vector<std::int32_t> memory_;  ///< per user, S1 positions in the current pool
  int epoch_ = 0;                     ///< the epoch of the last begin_epoch()
  int pool_epoch_ = 0;                ///< the epoch the current pool came into use
  bool restored_ = false;  ///< set by loading a checkpoint; kept by the next prepare() if it fits
  // Per-call scratch (stamp_ marks the users already met in the current call).
  std::vector<std::uint64_t> stamp_;
  std::vector<Index> position_;
  std::uint64_t call_ = 0;
  std::vector<std::uint32_t> marks_;  ///< per pool position: mark_ when taken for the current user
  std::uint32_t mark_ = 0;
  std::vector<Index> perm_, rows_;
  std::vector<UserRef> users_;
  std::vector<Pick> picks_;
  std::vector<std::int32_t> fresh_;  ///< S2 fresh positions per distinct user, in users_ order
  Batch cand_;
  std::vector<double> scores_;
  std::vector<double> keys_;
  std::vector<std::size_t> order_;
  std::vector<std::int32_t> kept_;
};

}  // namespace invlearn

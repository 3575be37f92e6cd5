#pragma once
/// @file sampler.hpp
/// Samplers of unlabeled pairs: one unlabeled batch per labeled batch.
///
/// Three samplers share one interface (the trainer is templated on the sampler type):
/// - UniformSampler: the paper's default and the authors' release rule. For each labeled
///   row's user u, an item j uniform over all items, redrawn while (u, j) is a training pair.
/// - DNSSampler: Dynamic Negative Sampling (Zhang et al., SIGIR 2013): the highest-scoring of
///   a few uniform candidates. The paper's Appendix A.3 compares against it.
/// - SRNSSampler: SRNS (Ding et al., NeurIPS 2020): a per-user memory of candidates, chosen by
///   score plus a bonus for the variance of the score over recent epochs. Also in Appendix A.3.
///
/// Interface of a sampler `S`:
/// ```
/// static constexpr const char* name;
/// void prepare(const Interactions& train, const Interactions* pool, TruthFn truth);
/// void begin_epoch(int epoch);
/// template <class Model>
/// void sample(const BatchView& labeled, const Model& model, typename Model::Workspace& ws,
///             Rng& rng, UnlabeledBatch& out);
/// ```
/// Every random choice comes from the Rng passed to sample(): the same seed and the same
/// sequence of calls give the same pairs, whatever the number of threads (the model's
/// forward pass is the only parallel part, and it writes disjoint outputs).
/// Buffers are members, reused from call to call: after the first calls have grown them to
/// the batch size, sampling allocates nothing.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "invlearn/core/error.hpp"
#include "invlearn/core/random.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/data/interactions.hpp"
#include "invlearn/data/split.hpp"

namespace invlearn {

/// Unlabeled pairs drawn for one labeled batch.
struct UnlabeledBatch {
  /// The pairs. Labels are all 0: the label negative sampling assumes; IDL ignores labels.
  Batch batch;
  /// The pair's true label when known (synthetic data, hidden labels), else NaN. Training
  /// never reads it; traces and analyses do (how many sampled "negatives" were positive).
  std::vector<float> truth;

  void clear() {
    batch.clear();
    truth.clear();
  }
  Index size() const { return batch.size(); }
};

/// The truth of a pair (u, i), or NaN when unknown. May be empty (std::function).
using TruthFn = std::function<float(Index, Index)>;

namespace detail {

/// NaN: "this pair's label is not known".
inline float unknown_truth() { return std::numeric_limits<float>::quiet_NaN(); }

/// Throws unless `rate` (unlabeled pairs per labeled row) is finite and non-negative.
inline void check_rate(double rate, const char* who) {
  require(std::isfinite(rate) && rate >= 0.0,
          std::string(who) + ": rate must be finite and >= 0, got " + std::to_string(rate));
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
inline void choose_rows(Index n, Index count, Rng& rng, std::vector<Index>& perm,
                        std::vector<Index>& rows) {
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

/// Logit buffers for float and double models, grown on demand and reused: samplers are
/// not templates, so they cannot hold a `Vector<Model::Scalar>` member directly.
struct LogitsBuffer {
  Eigen::VectorXf f;
  Eigen::VectorXd d;

  /// A buffer of at least `n` entries of scalar S (contents unspecified).
  template <class S>
  Vector<S>& get(Index n) {
    static_assert(std::is_same<S, float>::value || std::is_same<S, double>::value,
                  "samplers score with models whose Scalar is float or double");
    if constexpr (std::is_same<S, float>::value) {
      if (f.size() < n) f.resize(n);
      return f;
    } else {
      if (d.size() < n) d.resize(n);
      return d;
    }
  }
};

/// Logits of `batch` under `model` into `buffer` (one forward call); returns the buffer.
template <class Model>
const Vector<typename Model::Scalar>& score_batch(const Model& model, typename Model::Workspace& ws,
                                                  const Batch& batch, LogitsBuffer& buffer) {
  auto& logits = buffer.get<typename Model::Scalar>(batch.size());
  if (batch.size() == 0) return logits;
  model.reserve(ws, batch.size());
  model.forward(batch.view(), ws, logits.head(batch.size()));
  return logits;
}

/// What the samplers share: the index of training pairs to reject, the optional fixed pool
/// of unlabeled pairs, and the truth of uniformly drawn pairs.
class UnlabeledSource {
 public:
  /// Most uniform draws per pair before falling back to an exact draw from the user's
  /// unrated items (see draw_item()).
  static constexpr int kMaxDraws = 64;

  /// Builds the index of `train`'s pairs and keeps the rows of `pool` that are not training
  /// pairs (so no sampler can return one). `who` names the sampler in error messages.
  void prepare(const Interactions& train, const Interactions* pool, TruthFn truth,
               const char* who) {
    train.validate(std::string(who) + ": training rows", /*require_labels=*/false);
    require(train.num_users > 0 && train.num_items > 0,
            std::string(who) + ": the training set has no users or no items");
    num_users_ = train.num_users;
    num_items_ = train.num_items;
    index_ = PairIndex(train);
    truth_ = std::move(truth);
    pool_ = Interactions();
    pool_.num_users = num_users_;
    pool_.num_items = num_items_;
    if (pool != nullptr && !pool->empty()) {
      require(pool->num_users <= num_users_ && pool->num_items <= num_items_,
              std::string(who) + ": the unlabeled pool has more users or items than training");
      pool->validate(std::string(who) + ": unlabeled pool", /*require_labels=*/false);
      pool_.reserve(static_cast<std::size_t>(pool->size()));
      for (Index r = 0; r < pool->size(); ++r) {
        const auto k = static_cast<std::size_t>(r);
        if (!index_.contains(pool->users[k], pool->items[k]))
          pool_.push_back(pool->users[k], pool->items[k], pool->labels[k]);
      }
      require(!pool_.empty(), std::string(who) + ": every row of the unlabeled pool (" +
                                  std::to_string(pool->size()) + ") is a training pair");
    }
    prepared_ = true;
  }

  bool prepared() const { return prepared_; }
  bool has_pool() const { return !pool_.empty(); }
  Index num_users() const { return num_users_; }
  Index num_items() const { return num_items_; }
  const PairIndex& index() const { return index_; }

  /// Throws unless prepare() ran and every user of `labeled` is a training user id.
  void check_labeled(const BatchView& labeled, const char* who) const {
    // Messages are built only on failure: this runs every step.
    if (!prepared_) throw InvalidArgument(std::string(who) + ": sample() called before prepare()");
    if (labeled.size < 0) throw InvalidArgument(std::string(who) + ": negative batch size");
    for (Index k = 0; k < labeled.size; ++k)
      if (labeled.users[k] < 0 || labeled.users[k] >= num_users_)
        throw InvalidArgument(std::string(who) + ": labeled row " + std::to_string(k) + ": user id " +
                              std::to_string(labeled.users[k]) + " is outside [0, " +
                              std::to_string(num_users_) + ")");
  }

  /// Throws unless `model` covers every user and item id of the training set.
  template <class Model>
  void check_model(const Model& model, const char* who) const {
    if (model.num_users() < num_users_ || model.num_items() < num_items_)
      throw InvalidArgument(std::string(who) + ": the model has " + std::to_string(model.num_users()) +
                            " users and " + std::to_string(model.num_items()) +
                            " items, fewer than the training set's " + std::to_string(num_users_) +
                            " and " + std::to_string(num_items_));
  }

  /// An item j for user u such that (u, j) is not a training pair, uniform over all such
  /// items; -1 when u has a training pair with every item (then no unlabeled pair exists).
  ///
  /// Rejection as in the authors' release: j uniform over [0, num_items), redrawn while
  /// (u, j) is a training pair (a binary search in u's sorted items). After kMaxDraws draws
  /// that all hit (likely only when u rated most items: probability share^64), the item is
  /// drawn directly: the k-th of u's unrated items, k uniform, found by a binary search over
  /// u's sorted training items. Both branches are uniform over u's unrated items, so the
  /// result is exactly uniform and the time is bounded.
  Index draw_item(Index u, Rng& rng) const {
    for (int t = 0; t < kMaxDraws; ++t) {
      const Index j = rng.index(num_items_);
      if (!index_.contains(u, j)) return j;
    }
    return kth_unrated(u, rng);
  }

  /// A uniform row of the pool (call only when has_pool()).
  Index draw_pool_row(Rng& rng) const { return rng.index(pool_.size()); }
  Index pool_user(Index r) const { return pool_.users[static_cast<std::size_t>(r)]; }
  Index pool_item(Index r) const { return pool_.items[static_cast<std::size_t>(r)]; }
  float pool_truth(Index r) const { return pool_.labels[static_cast<std::size_t>(r)]; }

  /// The truth of a uniformly drawn pair: truth(u, i) when a TruthFn was given, else NaN.
  float truth(Index u, Index i) const { return truth_ ? truth_(u, i) : unknown_truth(); }

 private:
  /// Uniform over u's unrated items, from u's sorted, duplicate-free training items a[]:
  /// the number of unrated items below a[m] is a[m] - m, so the k-th unrated item (0-based)
  /// is k + (the number of a[m] with a[m] - m <= k).
  Index kth_unrated(Index u, Rng& rng) const {
    const Index* rated = index_.begin(u);
    const Index n = index_.degree(u);
    if (n >= num_items_) return -1;
    const Index k = rng.index(num_items_ - n);
    Index lo = 0, hi = n;  // first m with a[m] - m > k
    while (lo < hi) {
      const Index mid = lo + (hi - lo) / 2;
      if (rated[mid] - mid <= k)
        lo = mid + 1;
      else
        hi = mid;
    }
    return k + lo;
  }

  PairIndex index_;
  Interactions pool_;
  TruthFn truth_;
  Index num_users_ = 0;
  Index num_items_ = 0;
  bool prepared_ = false;
};

}  // namespace detail

/// Uniform unlabeled sampling: the paper's default ("sampling rate 1") and the rule of the
/// authors' release.
///
/// For each labeled row's user u (rows chosen by detail::choose_rows: every row `rate` times
/// for an integer rate, a seeded choice of rows for the fraction), an item j uniform over
/// the items with which u has no training pair (see detail::UnlabeledSource::draw_item).
/// A user with a training pair for every item has no unlabeled pair: that row is skipped,
/// so the batch is then shorter than round(rate · n). No training pair is ever returned.
///
/// With a pool (`--unlabeled middle|hidden`), pool rows are drawn uniformly instead
/// (user and item from the pool row, truth = the pool row's label), round(rate · n) of them.
///
/// The model is not read. Draws per pair: 1 expected while u rated a small share of items.
class UniformSampler {
 public:
  static constexpr const char* name = "uniform";

  /// `rate` = unlabeled pairs per labeled row (1 in the paper).
  explicit UniformSampler(double rate = 1.0) : rate_(rate) {
    detail::check_rate(rate, "UniformSampler");
  }

  double rate() const { return rate_; }

  /// Once before training. `train` = every labeled training row (the pairs to reject);
  /// `pool` (may be null or empty) = a fixed pool of unlabeled pairs to draw from instead of
  /// uniform items, its labels the truth (NaN if unknown); `truth` gives the truth of
  /// uniformly drawn pairs (may be empty). The sampler keeps its own copies.
  void prepare(const Interactions& train, const Interactions* pool, TruthFn truth) {
    source_.prepare(train, pool, std::move(truth), "UniformSampler");
  }

  /// Uniform sampling has no per-epoch state.
  void begin_epoch(int /*epoch*/) {}

  /// Replaces `out` with round(rate · labeled.size) unlabeled pairs (fewer only for users
  /// who rated every item).
  template <class Model>
  void sample(const BatchView& labeled, const Model& /*model*/, typename Model::Workspace& /*ws*/,
              Rng& rng, UnlabeledBatch& out) {
    sample(labeled, rng, out);
  }

  /// The same, for callers without a model (uniform sampling never scores).
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
    for (const Index row : rows_) {
      const Index u = labeled.users[row];
      const Index j = source_.draw_item(u, rng);
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

/// Dynamic Negative Sampling (Zhang, Chen, Wang and Yu, "Optimizing top-n collaborative
/// filtering via dynamic negative item sampling", SIGIR 2013): for each unlabeled pair,
/// `candidates` items are drawn uniformly for the user (exactly as UniformSampler draws
/// one), all scored by the current model, and the highest-scoring one is kept: the "hard"
/// negative the model currently ranks highest. Ties keep the first candidate drawn.
///
/// All candidates of a batch are scored by one forward call. Random numbers are drawn in the
/// same order as UniformSampler's, so with candidates = 1 the two return identical batches
/// for the same seed. With a pool, each candidate is a uniform pool row (user included) and
/// the highest-scoring pool pair is kept.
class DNSSampler {
 public:
  static constexpr const char* name = "dns";

  /// `rate` = unlabeled pairs per labeled row; `candidates` = uniform draws per pair (>= 1;
  /// 5 is our default, a common choice in DNS baselines, not a value from the paper).
  explicit DNSSampler(double rate = 1.0, int candidates = 5)
      : rate_(rate), candidates_(candidates) {
    detail::check_rate(rate, "DNSSampler");
    require(candidates >= 1,
            "DNSSampler: candidates must be >= 1, got " + std::to_string(candidates));
  }

  double rate() const { return rate_; }
  int candidates() const { return candidates_; }

  /// As UniformSampler::prepare().
  void prepare(const Interactions& train, const Interactions* pool, TruthFn truth) {
    source_.prepare(train, pool, std::move(truth), "DNSSampler");
  }

  /// DNS has no per-epoch state.
  void begin_epoch(int /*epoch*/) {}

  /// Replaces `out` with round(rate · labeled.size) pairs, each the best of `candidates`
  /// (fewer pairs only for users who rated every item). Calls model.reserve(ws, count ·
  /// candidates) and one model.forward().
  template <class Model>
  void sample(const BatchView& labeled, const Model& model, typename Model::Workspace& ws, Rng& rng,
              UnlabeledBatch& out) {
    source_.check_labeled(labeled, "DNSSampler");
    source_.check_model(model, "DNSSampler");
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
    const auto& logits = detail::score_batch(model, ws, cand_, logits_);
    const std::size_t pairs = cand_.users.size() / c;
    for (std::size_t p = 0; p < pairs; ++p) {
      std::size_t best = p * c;
      for (std::size_t t = best + 1; t < (p + 1) * c; ++t)
        if (logits[static_cast<Index>(t)] > logits[static_cast<Index>(best)]) best = t;
      const Index u = cand_.users[best], j = cand_.items[best];
      out.batch.push_back(u, j, 0.0f);
      out.truth.push_back(source_.has_pool() ? source_.pool_truth(cand_row_[best])
                                             : source_.truth(u, j));
    }
  }

 private:
  double rate_;
  int candidates_;
  detail::UnlabeledSource source_;
  std::vector<Index> perm_, rows_;
  Batch cand_;                   ///< all candidates of a batch, `candidates` per pair
  std::vector<Index> cand_row_;  ///< pool row of each candidate (pool mode)
  detail::LogitsBuffer logits_;
};

/// Options of SRNSSampler. S1, S2, T, alpha and the warm-up are the parameters of the SRNS
/// method; the default values here are ours (see SRNSSampler).
struct SRNSOptions {
  double rate = 1.0;         ///< unlabeled pairs per labeled row
  int memory = 10;           ///< S1: candidate items remembered per user
  int fresh = 5;             ///< S2: uniform items drawn per pair to refresh the memory
  int history = 5;           ///< T: epochs of scores kept per memory item for its std
  double alpha = 5.0;        ///< weight of the std bonus once warmed up
  int warmup = 2;            ///< epochs over which alpha_t rises linearly from 0 to alpha
  double temperature = 1.0;  ///< tau of the memory refill; 0 keeps the S1 best (no randomness)
};

/// SRNS (Ding, Quan, Yu, Li and Jin, "Simplify and Robustify Negative Sampling for Implicit
/// Collaborative Filtering", NeurIPS 2020).
///
/// The paper's idea, which we follow: hard negatives score high, and false negatives (unseen
/// positives) score high *steadily* while true hard negatives' scores move as the model
/// learns; so each user keeps a small memory of candidate items, the negative drawn is the
/// memory item maximising score + alpha_t · std, std being the standard deviation of that
/// item's score over the last T epochs, with alpha_t warmed up because early scores say
/// little; and the memory is refreshed with uniform items, resampled by score so it drifts
/// towards hard items.
///
/// What this implementation does exactly (our choices where we did not have the paper's
/// details at hand; none of the defaults is claimed to be the paper's):
/// - Memory: S1 items per user, initialised by uniform draws (never training pairs) the
///   first time the user is sampled, using the Rng of that call.
/// - Score: the model's logit (what forward() returns), not a probability.
/// - History: each memory item carries a ring of its last T recorded scores, recorded at
///   most once per epoch — the first time the item is scored in the epoch (a fresh item's
///   score is recorded as it enters the memory). std is the population standard deviation
///   of the recorded scores (0 with fewer than 2). The ring moves with the item when the
///   memory is refilled; an item leaving the memory loses its history.
/// - alpha_t = alpha · min(1, epoch / warmup) for the epoch passed to begin_epoch() (0 in
///   epoch 0; alpha from the start when warmup = 0).
/// - Choice: argmax over memory slots of score + alpha_t · std (ties: lowest slot).
/// - Refill after each draw for user u: S2 fresh uniform items (never training pairs; no
///   history, std 0); S1 of the S1 + S2 candidates are kept, sampled without replacement with
///   probability ∝ exp(score / temperature), done as the S1 largest score + tau · Gumbel
///   noise (Gumbel-top-k, which never overflows exp). temperature = 0 keeps the S1 best.
///   A fresh item equal to a memory item may leave the item twice in the memory.
/// - A user appearing several times in one batch is drawn for several times in turn, each
///   draw seeing the memory left by the one before; all the scores needed (the memories at
///   the start of the call and every fresh item) come from one forward call per batch, as
///   the model does not change during sampling.
/// - No pool: SRNS draws items per user; prepare() rejects a non-empty pool.
///
/// Memory: O(users · S1 · T) floats of history, 16 bytes per (user, slot) and 17 per user,
/// allocated in prepare() (about 36 MB for 100k users with the defaults: 20 MB of history, 16 MB of
/// slots). Work per pair: one row of the forward pass per memory item of each user in the batch and
/// per fresh item, plus O(S1 · T).
class SRNSSampler {
 public:
  static constexpr const char* name = "srns";

  explicit SRNSSampler(const SRNSOptions& options = {}) : opt_(options) {
    detail::check_rate(options.rate, "SRNSSampler");
    require(options.memory >= 1,
            "SRNSSampler: memory (S1) must be >= 1, got " + std::to_string(options.memory));
    require(options.fresh >= 0,
            "SRNSSampler: fresh (S2) must be >= 0, got " + std::to_string(options.fresh));
    require(
        options.history >= 1 && options.history <= 1000,
        "SRNSSampler: history (T) must be in [1, 1000], got " + std::to_string(options.history));
    require(std::isfinite(options.alpha) && options.alpha >= 0.0,
            "SRNSSampler: alpha must be finite and >= 0, got " + std::to_string(options.alpha));
    require(options.warmup >= 0,
            "SRNSSampler: warmup must be >= 0, got " + std::to_string(options.warmup));
    require(std::isfinite(options.temperature) && options.temperature >= 0.0,
            "SRNSSampler: temperature must be finite and >= 0, got " +
                std::to_string(options.temperature));
  }

  const SRNSOptions& options() const { return opt_; }

  /// As UniformSampler::prepare(), but `pool` must be null or empty. Allocates the memory
  /// (O(users · S1 · T)) and forgets any earlier one — unless a checkpoint was just
  /// loaded into this sampler and its memory fits the data: then a resumed run goes on
  /// with the memory it had.
  void prepare(const Interactions& train, const Interactions* pool, TruthFn truth) {
    require(pool == nullptr || pool->empty(),
            "SRNSSampler: a fixed unlabeled pool is not supported (SRNS draws items per user); "
            "use the uniform or dns sampler with --unlabeled middle|hidden");
    source_.prepare(train, nullptr, std::move(truth), "SRNSSampler");
    const auto users = static_cast<std::size_t>(source_.num_users());
    const auto s1 = static_cast<std::size_t>(opt_.memory);
    const bool keep = restored_ && ready_.size() == users && slots_.size() == users * s1;
    restored_ = false;
    if (!keep) {
      slots_.assign(users * s1, Slot());
      history_.assign(users * s1 * static_cast<std::size_t>(opt_.history), 0.0f);
      ready_.assign(users, 0);
    }
    stamp_.assign(users, 0);
    position_.assign(users, 0);
    call_ = 0;
    epoch_ = 0;
  }

  /// Sets the epoch: history is recorded once per epoch, and alpha_t depends on it.
  void begin_epoch(int epoch) { epoch_ = epoch; }

  /// alpha_t for the current epoch.
  double current_alpha() const {
    if (opt_.warmup == 0) return opt_.alpha;
    const double t = std::max(0, epoch_);
    return opt_.alpha * std::min(1.0, t / static_cast<double>(opt_.warmup));
  }

  /// Checkpoint archive protocol (core/archive.hpp): the memories and score histories.
  /// A loaded memory survives the next prepare() (Trainer::fit() calls it on resume).
  template <class Archive>
  void serialize(Archive& ar) {
    ar(slots_, history_, ready_);
    if (Archive::loading) restored_ = true;
    const std::size_t s1 = static_cast<std::size_t>(opt_.memory);
    ar.check(slots_.size() == ready_.size() * s1 &&
                 history_.size() == slots_.size() * static_cast<std::size_t>(opt_.history),
             "SRNS memory sizes disagree with the sampler's memory and history options");
    for (const Slot& s : slots_)
      ar.check(s.head < opt_.history && s.count <= opt_.history, "SRNS slot ring out of range");
  }

  /// The memory of user u (S1 items; empty before u was first sampled).
  std::vector<Index> memory(Index u) const {
    std::vector<Index> items;
    if (u < 0 || u >= source_.num_users() || !ready_[static_cast<std::size_t>(u)]) return items;
    const std::size_t base = static_cast<std::size_t>(u) * static_cast<std::size_t>(opt_.memory);
    for (std::size_t s = 0; s < static_cast<std::size_t>(opt_.memory); ++s)
      items.push_back(slots_[base + s].item);
    return items;
  }

  /// Replaces `out` with round(rate · labeled.size) pairs (fewer only for users who rated
  /// every item), updating the memories. One model.forward() over the memories of the
  /// batch's distinct users and all fresh items.
  template <class Model>
  void sample(const BatchView& labeled, const Model& model, typename Model::Workspace& ws, Rng& rng,
              UnlabeledBatch& out) {
    source_.check_labeled(labeled, "SRNSSampler");
    source_.check_model(model, "SRNSSampler");
    out.clear();
    const Index count = detail::sample_count(opt_.rate, labeled.size);
    const std::size_t s1 = static_cast<std::size_t>(opt_.memory);
    const std::size_t s2 = static_cast<std::size_t>(opt_.fresh);
    ++call_;
    cand_.clear();
    users_.clear();
    pairs_.clear();
    detail::choose_rows(labeled.size, count, rng, perm_, rows_);

    // Pass 1: the rows to score: each distinct user's memory once, then each pair's fresh items.
    for (const Index row : rows_) {
      const Index u = labeled.users[row];
      const auto uu = static_cast<std::size_t>(u);
      if (stamp_[uu] != call_) {
        if (!ready_[uu] && !init_memory(u, rng)) continue;  // u rated every item
        stamp_[uu] = call_;
        position_[uu] = static_cast<Index>(users_.size());
        users_.push_back(UserRef{u, cand_.size()});
        for (std::size_t s = 0; s < s1; ++s) cand_.push_back(u, slots_[uu * s1 + s].item, 0.0f);
      }
      pairs_.push_back(PairRef{position_[uu], cand_.size()});
      for (std::size_t t = 0; t < s2; ++t) cand_.push_back(u, source_.draw_item(u, rng), 0.0f);
    }
    const auto& logits = detail::score_batch(model, ws, cand_, logits_);

    // Current scores of every memory slot of the batch's users.
    scores_.resize(users_.size() * s1);
    for (std::size_t q = 0; q < users_.size(); ++q)
      for (std::size_t s = 0; s < s1; ++s)
        scores_[q * s1 + s] = static_cast<double>(logits[users_[q].offset + static_cast<Index>(s)]);

    // Pass 2: draw, then refill, pair by pair.
    const double alpha_t = current_alpha();
    for (const PairRef& pair : pairs_) {
      const UserRef& user = users_[static_cast<std::size_t>(pair.user)];
      Slot* slots = &slots_[static_cast<std::size_t>(user.id) * s1];
      float* hist = &history_[static_cast<std::size_t>(user.id) * s1 *
                              static_cast<std::size_t>(opt_.history)];
      double* scores = &scores_[static_cast<std::size_t>(pair.user) * s1];
      std::size_t best = 0;
      double best_value = -std::numeric_limits<double>::infinity();
      for (std::size_t s = 0; s < s1; ++s) {
        record(slots[s], slot_history(hist, s), scores[s]);
        const double value = scores[s] + alpha_t * deviation(slots[s], slot_history(hist, s));
        if (s == 0 || value > best_value) {
          best = s;
          best_value = value;
        }
      }
      const Index j = slots[best].item;
      out.batch.push_back(user.id, j, 0.0f);
      out.truth.push_back(source_.truth(user.id, j));
      refill(slots, hist, scores, logits, pair.fresh, rng);
    }
  }

 private:
  /// One memory slot: its item and the bookkeeping of the item's score ring.
  struct Slot {
    Index item = 0;
    std::int32_t last_epoch =
        std::numeric_limits<std::int32_t>::min();  ///< epoch of the last record
    std::uint16_t count = 0;                       ///< scores recorded (at most T)
    std::uint16_t head = 0;                        ///< ring position of the next record
    template <class Archive>
    void serialize(Archive& ar) {
      ar(item, last_epoch, count, head);
    }
  };
  struct UserRef {
    Index id;
    Index offset;  ///< first row of the user's memory in cand_
  };
  struct PairRef {
    Index user;   ///< position in users_
    Index fresh;  ///< first row of the pair's fresh items in cand_
  };

  float* slot_history(float* hist, std::size_t s) const {
    return hist + s * static_cast<std::size_t>(opt_.history);
  }

  /// Uniform initial memory; false when u has no unrated item.
  bool init_memory(Index u, Rng& rng) {
    const std::size_t s1 = static_cast<std::size_t>(opt_.memory);
    Slot* slots = &slots_[static_cast<std::size_t>(u) * s1];
    for (std::size_t s = 0; s < s1; ++s) {
      const Index j = source_.draw_item(u, rng);
      if (j < 0) return false;
      slots[s] = Slot();
      slots[s].item = j;
    }
    ready_[static_cast<std::size_t>(u)] = 1;
    return true;
  }

  /// Records `score` in the slot's ring unless the slot was recorded this epoch.
  void record(Slot& slot, float* ring, double score) const {
    if (slot.last_epoch == epoch_) return;
    slot.last_epoch = epoch_;
    ring[slot.head] = static_cast<float>(score);
    slot.head = static_cast<std::uint16_t>((slot.head + 1) % opt_.history);
    if (slot.count < opt_.history) ++slot.count;
  }

  /// Population standard deviation of the recorded scores (0 with fewer than two).
  static double deviation(const Slot& slot, const float* ring) {
    if (slot.count < 2) return 0.0;
    double mean = 0.0;
    for (int k = 0; k < slot.count; ++k) mean += ring[k];
    mean /= slot.count;
    double var = 0.0;
    for (int k = 0; k < slot.count; ++k) var += (ring[k] - mean) * (ring[k] - mean);
    return std::sqrt(var / slot.count);
  }

  /// Keeps S1 of memory ∪ fresh, sampled ∝ exp(score / tau) without replacement.
  template <class Logits>
  void refill(Slot* slots, float* hist, double* scores, const Logits& logits, Index fresh,
              Rng& rng) {
    const std::size_t s1 = static_cast<std::size_t>(opt_.memory);
    const std::size_t s2 = static_cast<std::size_t>(opt_.fresh);
    const std::size_t t_len = static_cast<std::size_t>(opt_.history);
    if (s2 == 0) return;  // memory ∪ {} = memory: nothing changes
    const std::size_t n = s1 + s2;
    keys_.resize(n);
    order_.resize(n);
    for (std::size_t c = 0; c < n; ++c) {
      const double score =
          c < s1 ? scores[c] : static_cast<double>(logits[fresh + static_cast<Index>(c - s1)]);
      double key = score;
      if (opt_.temperature > 0.0) {
        double v = rng.uniform();
        while (v <= 0.0) v = rng.uniform();
        key += opt_.temperature * -std::log(-std::log(v));  // score + tau · Gumbel
      }
      keys_[c] = key;
      order_[c] = c;
    }
    std::partial_sort(order_.begin(), order_.begin() + static_cast<std::ptrdiff_t>(s1),
                      order_.end(), [this](std::size_t a, std::size_t b) {
                        return keys_[a] > keys_[b] || (keys_[a] == keys_[b] && a < b);
                      });
    new_slots_.resize(s1);
    new_history_.resize(s1 * t_len);
    new_scores_.resize(s1);
    for (std::size_t s = 0; s < s1; ++s) {
      const std::size_t c = order_[s];
      if (c < s1) {
        new_slots_[s] = slots[c];
        std::copy(hist + c * t_len, hist + (c + 1) * t_len, new_history_.begin() + s * t_len);
        new_scores_[s] = scores[c];
      } else {
        const Index row = fresh + static_cast<Index>(c - s1);
        new_slots_[s] = Slot();
        new_slots_[s].item = cand_.items[static_cast<std::size_t>(row)];
        new_scores_[s] = static_cast<double>(logits[row]);
        record(new_slots_[s], &new_history_[s * t_len], new_scores_[s]);
      }
    }
    std::copy(new_slots_.begin(), new_slots_.end(), slots);
    std::copy(new_history_.begin(), new_history_.end(), hist);
    std::copy(new_scores_.begin(), new_scores_.end(), scores);
  }

  SRNSOptions opt_;
  detail::UnlabeledSource source_;
  int epoch_ = 0;
  // Per (user, slot) state, users · S1 entries; history users · S1 · T.
  std::vector<Slot> slots_;
  std::vector<float> history_;
  std::vector<std::uint8_t> ready_;  ///< per user: memory initialised
  bool restored_ = false;            ///< set by loading a checkpoint; kept by the next prepare()
  // Per-call bookkeeping (stamp_ marks the users already met in the current call).
  std::vector<std::uint64_t> stamp_;
  std::vector<Index> position_;
  std::uint64_t call_ = 0;
  std::vector<Index> perm_, rows_;
  std::vector<UserRef> users_;
  std::vector<PairRef> pairs_;
  std::vector<double> scores_;
  Batch cand_;
  detail::LogitsBuffer logits_;
  // Refill scratch.
  std::vector<double> keys_;
  std::vector<std::size_t> order_;
  std::vector<Slot> new_slots_;
  std::vector<float> new_history_;
  std::vector<double> new_scores_;
};

}  // namespace invlearn

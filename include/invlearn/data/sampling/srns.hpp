#pragma once
/// @file srns.hpp
/// SRNSSampler: hard negatives from a per-user memory, chosen by score and score variation.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
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
    detail::check_rate(options.rate, "SRNSOptions::rate");
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

  /// Sets the epoch (from 0): history is recorded once per epoch, and alpha_t depends on it.
  template <class Score>
  void begin_epoch(int epoch, Score&& /*score*/) {
    epoch_ = epoch;
  }

  /// alpha_t for the current epoch.
  double current_alpha() const {
    if (opt_.warmup == 0) return opt_.alpha;
    const double t = std::max(0, epoch_);
    return opt_.alpha * std::min(1.0, t / static_cast<double>(opt_.warmup));
  }

  /// Checkpoint archive protocol (io/checkpoint.hpp): the memories and score histories.
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
  /// every item), updating the memories. One call of `score` over the memories of the
  /// batch's distinct users and all fresh items.
  template <class Score>
  void sample(const BatchView& labeled, Score&& score, Rng& rng, UnlabeledBatch& out) {
    source_.check_labeled(labeled, "SRNSSampler");
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
    logits_.resize(cand_.users.size());
    if (!cand_.empty()) score(cand_.view(), logits_.data());
    const std::vector<double>& logits = logits_;

    // Current scores of every memory slot of the batch's users.
    scores_.resize(users_.size() * s1);
    for (std::size_t q = 0; q < users_.size(); ++q)
      for (std::size_t s = 0; s < s1; ++s)
        scores_[q * s1 + s] = logits[static_cast<std::size_t>(users_[q].offset) + s];

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
          c < s1 ? scores[c] : logits[static_cast<std::size_t>(fresh) + (c - s1)];
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
        new_scores_[s] = logits[static_cast<std::size_t>(row)];
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
  std::vector<double> logits_;
  // Refill scratch.
  std::vector<double> keys_;
  std::vector<std::size_t> order_;
  std::vector<Slot> new_slots_;
  std::vector<float> new_history_;
  std::vector<double> new_scores_;
};

}  // namespace invlearn

#pragma once
/// @file srns_pools.hpp
/// The candidate pools of SRNS and the score snapshots its standard deviations come from.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "invlearn/config.hpp"
#include "invlearn/core/random.hpp"
#include "invlearn/core/rows.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/data/pair_index.hpp"
#include "invlearn/data/sampling/source.hpp"

namespace invlearn {
namespace detail {

/// Per user, a pool of C candidate items drawn uniformly (with replacement) from the items
/// the user has no training pair with, and the user's scores of them at the last T epoch
/// boundaries, as the SRNS authors' code keeps them (SRNS_real/SRNS_main.py:
/// `candidate_cur`, `candidate_nxt`, `score_cand_cur`, `score_pos_cur`).
///
/// The pool in use changes at every epoch boundary (rotate()), and each pool is scored at
/// the T boundaries before it comes into use, so the pool an epoch samples from always has
/// a history: T + 1 pools are alive at once, the current one and T next ones, and the
/// boundary snapshot goes to each next pool. The first pool instead gets one snapshot when
/// the pools start (the scores before training), as in the authors' code. The scores of
/// the training pairs (the rows' positives) are snapshotted at the same times, in a ring of
/// the last T, so snapshot t of a candidate and snapshot t of a positive are the same θ.
///
/// A pool's items are not stored but drawn again from its own seeded stream whenever
/// needed (Rng(seed, (q + 1) · users + u) for pool q and user u), which makes them
/// independent of the order and threads that draw them; only the current pool's items are
/// kept (items()). Snapshots are floats. Memory: 4 · users · C · (T(T+1)/2 + 1) bytes plus
/// 4 · T bytes per training pair.
class CandidatePools {
 public:
  /// Forgets everything; sizes the pools for `users` users. Nothing is drawn until start().
  void reset(Index users, Index pairs, int candidates, int history, std::uint64_t seed) {
    users_ = users;
    pairs_ = pairs;
    c_ = candidates;
    t_ = history;
    seed_ = seed;
    started_ = false;
    current_ = 0;
    const std::size_t rows = static_cast<std::size_t>(t_) * static_cast<std::size_t>(t_ + 1) / 2;
    snapshots_.assign(rows * row_size(), 0.0f);
    slot_rows_.assign(static_cast<std::size_t>(t_ + 1) * static_cast<std::size_t>(t_), -1);
    slot_count_.assign(static_cast<std::size_t>(t_ + 1), 0);
    free_.clear();
    for (std::size_t r = rows; r-- > 0;) free_.push_back(static_cast<std::int32_t>(r));
    positives_.assign(static_cast<std::size_t>(t_) * static_cast<std::size_t>(pairs_), 0.0f);
    positive_count_ = 0;
    positive_head_ = 0;
    replace_first_ = false;
    items_.clear();
  }

  bool started() const { return started_; }
  Index users() const { return users_; }
  Index pairs() const { return pairs_; }
  int candidates() const { return c_; }
  int history() const { return t_; }
  std::uint64_t seed() const { return seed_; }
  /// The number of the pool in use (0 for the first).
  std::int64_t current() const { return current_; }

  /// Draws the first pool and snapshots it and the training pairs at the current θ.
  template <class Score>
  void start(const UnlabeledSource& source, Score& score) {
    started_ = true;
    current_ = 0;
    snapshot_pool(source, score, 0, true);
    snapshot_positives(source, score);
    replace_first_ = true;  // the scores before training give way to the first boundary's
  }

  /// An epoch boundary: snapshots the T next pools and the training pairs, then makes the
  /// next pool the current one (the current pool's snapshots are dropped).
  template <class Score>
  void rotate(const UnlabeledSource& source, Score& score) {
    const int cur = slot_of(current_);
    for (int j = 0; j < slot_count_[static_cast<std::size_t>(cur)]; ++j)
      free_.push_back(slot_rows_[static_cast<std::size_t>(cur * t_ + j)]);
    slot_count_[static_cast<std::size_t>(cur)] = 0;
    for (int k = 1; k <= t_; ++k) snapshot_pool(source, score, current_ + k, k == 1);
    snapshot_positives(source, score);
    ++current_;
  }

  /// Redraws the current pool's items (after loading a checkpoint, which keeps none).
  void restore_items(const UnlabeledSource& source) {
    if (started_) draw_items(source, current_, 0, users_, nullptr, true);
  }

  /// Item c of user u's current pool; -1 when u has no item without a training pair.
  Index item(Index u, Index c) const { return items_[index(u, c)]; }
  bool has_items(Index u) const { return items_[index(u, 0)] >= 0; }

  /// Snapshots of the current pool (and of the positives it is read with), at most T.
  int snapshots() const { return slot_count_[static_cast<std::size_t>(slot_of(current_))]; }
  /// Snapshot t (0 = oldest) of user u's score of current-pool entry c.
  float candidate_score(int t, Index u, Index c) const {
    const auto row = static_cast<std::size_t>(slot_rows_[static_cast<std::size_t>(slot_of(current_) * t_ + t)]);
    return snapshots_[row * row_size() + index(u, c)];
  }
  /// The score of training pair `pair` (its number in the PairIndex) at the time of
  /// candidate_score(t, ...).
  float positive_score(int t, Index pair) const {
    const int back = snapshots() - 1 - t;  // 0 = the newest
    const int k = (positive_head_ + positive_count_ - 1 - back + t_) % t_;
    return positives_[static_cast<std::size_t>(k) * static_cast<std::size_t>(pairs_) + static_cast<std::size_t>(pair)];
  }

  /// Checkpoint archive protocol: everything but the current pool's items (restore_items()
  /// draws them again) and C and T, which set_shape() gives before loading.
  template <class Archive>
  void serialize(Archive& ar) {
    ar(users_, pairs_, started_, seed_, current_, snapshots_, slot_rows_, slot_count_, free_, positives_,
       positive_count_, positive_head_, replace_first_);
    if (Archive::loading) items_.clear();
  }
  void set_shape(int candidates, int history) {
    c_ = candidates;
    t_ = history;
  }

  /// True when the state (a loaded one, say) has the sizes C and T and the users and pairs
  /// ask for.
  bool consistent() const {
    const std::size_t rows = static_cast<std::size_t>(t_) * static_cast<std::size_t>(t_ + 1) / 2;
    if (snapshots_.size() != rows * row_size() || slot_count_.size() != static_cast<std::size_t>(t_ + 1) ||
        slot_rows_.size() != static_cast<std::size_t>(t_ + 1) * static_cast<std::size_t>(t_) ||
        positives_.size() != static_cast<std::size_t>(t_) * static_cast<std::size_t>(pairs_) || current_ < 0 ||
        positive_count_ < 0 || positive_count_ > t_ || positive_head_ < 0 || positive_head_ >= t_)
      return false;
    std::size_t used = free_.size();
    for (int s = 0; s <= t_; ++s) {
      const int n = slot_count_[static_cast<std::size_t>(s)];
      if (n < 0 || n > t_) return false;
      used += static_cast<std::size_t>(n);
      for (int j = 0; j < n; ++j) {
        const std::int32_t r = slot_rows_[static_cast<std::size_t>(s * t_ + j)];
        if (r < 0 || static_cast<std::size_t>(r) >= rows) return false;
      }
    }
    for (std::int32_t r : free_)
      if (r < 0 || static_cast<std::size_t>(r) >= rows) return false;
    return used == rows && (!started_ || snapshots() == positive_count_);
  }

 private:
  /// Users per block of scored rows: about 256k rows per call of the Score, enough for the
  /// draws of a block to go parallel.
  std::size_t block_users() const { return std::max<std::size_t>(1, (std::size_t(1) << 18) / static_cast<std::size_t>(c_)); }
  std::size_t row_size() const { return static_cast<std::size_t>(users_) * static_cast<std::size_t>(c_); }
  std::size_t index(Index u, Index c) const {
    return static_cast<std::size_t>(u) * static_cast<std::size_t>(c_) + static_cast<std::size_t>(c);
  }
  int slot_of(std::int64_t pool) const { return static_cast<int>(pool % (t_ + 1)); }

  /// Pool `pool`'s items for users [u0, u1) into pairs_ (users without an unrated item
  /// score item 0 there, never read) and, when `keep`, into items_.
  void draw_items(const UnlabeledSource& source, std::int64_t pool, Index u0, Index u1, Batch* pairs, bool keep) {
    if (keep && items_.size() != row_size()) items_.assign(row_size(), -1);
    const std::size_t c = static_cast<std::size_t>(c_);
    if (pairs != nullptr) {
      const std::size_t n = static_cast<std::size_t>(u1 - u0) * c;
      pairs->users.resize(n);
      pairs->items.resize(n);
      pairs->labels.assign(n, 0.0f);
    }
    INVLEARN_OMP(parallel for schedule(static) if ((u1 - u0) * c_ > kParallelGrain))
    for (Index u = u0; u < u1; ++u) {
      Rng rng(seed_, static_cast<std::uint64_t>(pool + 1) * static_cast<std::uint64_t>(users_) +
                         static_cast<std::uint64_t>(u));
      Index first = source.draw_item(u, rng);
      for (std::size_t k = 0; k < c; ++k) {
        const Index j = first < 0 ? Index(-1) : (k == 0 ? first : source.draw_item(u, rng));
        if (keep) items_[index(u, static_cast<Index>(k))] = static_cast<std::int32_t>(j);
        if (pairs != nullptr) {
          const std::size_t at = static_cast<std::size_t>(u - u0) * c + k;
          pairs->users[at] = u;
          pairs->items[at] = j < 0 ? 0 : j;
        }
      }
    }
  }

  /// Appends one snapshot of pool `pool` (scored at the current θ) to its slot.
  template <class Score>
  void snapshot_pool(const UnlabeledSource& source, Score& score, std::int64_t pool, bool keep_items) {
    const int slot = slot_of(pool);
    const std::int32_t row = free_.back();
    free_.pop_back();
    slot_rows_[static_cast<std::size_t>(slot * t_ + slot_count_[static_cast<std::size_t>(slot)])] = row;
    ++slot_count_[static_cast<std::size_t>(slot)];
    float* out = snapshots_.data() + static_cast<std::size_t>(row) * row_size();
    for (Index u0 = 0; u0 < users_; u0 += static_cast<Index>(block_users())) {
      const Index u1 = std::min<Index>(users_, u0 + static_cast<Index>(block_users()));
      draw_items(source, pool, u0, u1, &block_, keep_items);
      scores_.resize(block_.users.size());
      score(block_.view(), scores_.data());
      float* dst = out + index(u0, 0);
      for (std::size_t k = 0; k < scores_.size(); ++k) dst[k] = static_cast<float>(scores_[k]);
    }
  }

  /// Adds one snapshot of every training pair's score to the ring of T.
  template <class Score>
  void snapshot_positives(const UnlabeledSource& source, Score& score) {
    int k = 0;
    if (replace_first_) {
      k = (positive_head_ + positive_count_ - 1) % t_;
      replace_first_ = false;
    } else if (positive_count_ < t_) {
      k = (positive_head_ + positive_count_) % t_;
      ++positive_count_;
    } else {
      k = positive_head_;
      positive_head_ = (positive_head_ + 1) % t_;
    }
    float* out = positives_.data() + static_cast<std::size_t>(k) * static_cast<std::size_t>(pairs_);
    const PairIndex& index = source.index();
    const std::size_t block = std::size_t(1) << 16;
    Index u = 0;
    for (std::size_t p0 = 0; p0 < static_cast<std::size_t>(pairs_); p0 += block) {
      const std::size_t p1 = std::min(static_cast<std::size_t>(pairs_), p0 + block);
      block_.clear();
      for (std::size_t p = p0; p < p1; ++p) {
        while (static_cast<std::size_t>(index.offsets()[static_cast<std::size_t>(u) + 1]) <= p) ++u;
        block_.push_back(u, index.items()[p], 0.0f);
      }
      scores_.resize(block_.users.size());
      score(block_.view(), scores_.data());
      for (std::size_t p = p0; p < p1; ++p) out[p] = static_cast<float>(scores_[p - p0]);
    }
  }

  Index users_ = 0;
  Index pairs_ = 0;
  int c_ = 1;
  int t_ = 1;
  std::uint64_t seed_ = 0;
  bool started_ = false;
  std::int64_t current_ = 0;
  std::vector<float> snapshots_;           ///< T(T+1)/2 rows of users · C scores
  std::vector<std::int32_t> slot_rows_;    ///< per pool slot (pool mod T+1): its snapshot rows, oldest first
  std::vector<std::int32_t> slot_count_;   ///< per pool slot: snapshots taken
  std::vector<std::int32_t> free_;         ///< snapshot rows not in use
  std::vector<float> positives_;           ///< T rows of one score per training pair (a ring)
  int positive_count_ = 0;
  int positive_head_ = 0;                  ///< ring position of the oldest positive snapshot
  bool replace_first_ = false;             ///< the next positive snapshot replaces the one of start()
  std::vector<std::int32_t> items_;        ///< the current pool, users · C (not saved)
  Batch block_;                            ///< pairs being scored
  std::vector<double> scores_;             ///< their scores
};

}  // namespace detail
}  // namespace invlearn

#pragma once
/// @file source.hpp
/// Where unlabeled pairs come from: the items a user has no training pair with (drawn
/// uniformly), or a fixed pool of unlabeled pairs.

#include <cstddef>
#include <string>
#include <utility>

#include "invlearn/core/error.hpp"
#include "invlearn/core/random.hpp"
#include "invlearn/core/rows.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/data/interactions.hpp"
#include "invlearn/data/pair_index.hpp"
#include "invlearn/data/sampling/unlabeled_batch.hpp"

namespace invlearn {
namespace detail {

/// What the samplers share: the index of training pairs to reject, the optional fixed pool
/// of unlabeled pairs, and the truth of uniformly drawn pairs.
class UnlabeledSource {
 public:
  /// Most uniform draws per pair before falling back to an exact draw from the user's
  /// unrated items (see draw_item()).
  static constexpr int kMaxDraws = 64;

  /// Builds the index of `train`'s pairs and keeps the rows of `pool` that are not training
  /// pairs (so no sampler can return one). `who` names the sampler in error messages.
  void prepare(const Interactions& train, const Interactions* pool, TruthFn truth, const char* who) {
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
      static_cast<Rows&>(pool_) = *pool;
      keep_if(pool_, [&](std::size_t r) { return !index_.contains(pool_.users[r], pool_.items[r]); });
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

  /// Throws unless prepare() ran and every row of `labeled` has training-set ids.
  void check_labeled(const BatchView& labeled, const char* who) const {
    if (!prepared_) throw InvalidArgument(std::string(who) + ": sample() called before prepare()");
    check_ids(labeled, num_users_, num_items_, who);
  }

  /// An item j for user u such that (u, j) is not a training pair, uniform over all such
  /// items; -1 when u has a training pair with every item (then no unlabeled pair exists).
  ///
  /// Rejection as in the authors' release: j uniform over [0, num_items), redrawn while
  /// (u, j) is a training pair. After kMaxDraws draws that all hit (likely only when u
  /// rated most items: probability share^64), the item is drawn directly: the k-th of u's
  /// unrated items, k uniform, found by a binary search over u's sorted training items.
  /// Both branches are uniform over u's unrated items, so the result is exactly uniform
  /// and the time is bounded. `first_accepted` (may be null) tells whether the first
  /// uniform draw was taken: what prefetch_draw() assumes.
  Index draw_item(Index u, Rng& rng, bool* first_accepted = nullptr) const {
    for (int t = 0; t < kMaxDraws; ++t) {
      const Index j = rng.index(num_items_);
      if (!index_.contains(u, j)) {
        if (first_accepted != nullptr) *first_accepted = t == 0;
        return j;
      }
    }
    if (first_accepted != nullptr) *first_accepted = false;
    return kth_unrated(u, rng);
  }

  /// Takes from `ahead` (a copy of a sampler's stream, running ahead of it) the first
  /// uniform draw a later draw_item(u, ..) will make, and starts loading the filter block
  /// its lookup reads. A hint: what the sampler draws does not depend on it.
  void prefetch_draw(Index u, Rng& ahead) const { index_.prefetch(u, ahead.index(num_items_)); }

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
}  // namespace invlearn

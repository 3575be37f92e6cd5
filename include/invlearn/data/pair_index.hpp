#pragma once
/// @file pair_index.hpp
/// PairIndex: which (user, item) pairs a set of interactions holds (samplers reject
/// training pairs with it).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "invlearn/core/error.hpp"
#include "invlearn/core/memory.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/data/group_by_user.hpp"
#include "invlearn/data/interactions.hpp"

namespace invlearn {

/// Which (user, item) pairs a set of interactions holds, in CSR form: per user, a
/// sorted vector of distinct items. contains() is a binary search in one user's items,
/// O(log d); samplers call it to reject pairs seen in training without ever scanning
/// the whole set.
///
/// A blocked Bloom filter (one 64-byte block per pair, 16 to 32 bits per pair) answers
/// first. Samplers mostly ask about pairs that are not there, and a binary search over
/// a large index is a chain of dependent cache misses (it was three quarters of the
/// uniform sampler's time); the filter rejects almost all of those with one cache line.
/// It has no false negatives, so contains() answers exactly as the search alone would.
class PairIndex {
 public:
  PairIndex() : offsets_(1, 0) {}

  /// Index of the pairs in `rows`.
  explicit PairIndex(const Interactions& rows) : PairIndex(std::vector<const Interactions*>{&rows}) {}

  /// Index of the pairs in all of `parts` (e.g. train and an unlabeled pool).
  /// Users range over [0, max num_users of the parts) (or beyond, if a row's id is).
  explicit PairIndex(const std::vector<const Interactions*>& parts) {
    Index nu = 0;
    std::vector<Index> users, items;
    for (const Interactions* p : parts) {
      nu = std::max(nu, p->num_users);
      for (std::size_t r = 0; r < p->users.size(); ++r) {
        if (p->users[r] < 0 || p->items[r] < 0)
          throw InvalidArgument("PairIndex: row " + std::to_string(r) + " has a negative id");
        nu = std::max(nu, p->users[r] + 1);
      }
      users.insert(users.end(), p->users.begin(), p->users.end());
      items.insert(items.end(), p->items.begin(), p->items.end());
    }
    // Each user's items together, then sorted, without repeats, compacted in place.
    const detail::UserGroups groups(users.data(), users.size(), nu);
    items_.resize(users.size());
    for (std::size_t k = 0; k < users.size(); ++k) items_[k] = items[groups.rows[k]];
    offsets_.assign(static_cast<std::size_t>(nu) + 1, 0);
    std::size_t w = 0;
    for (Index u = 0; u < nu; ++u) {
      auto b = items_.begin() + static_cast<std::ptrdiff_t>(groups.begin(u));
      auto e = items_.begin() + static_cast<std::ptrdiff_t>(groups.end(u));
      std::sort(b, e);
      e = std::unique(b, e);
      const auto out = items_.begin() + static_cast<std::ptrdiff_t>(w);
      if (out != b) std::move(b, e, out);
      w += static_cast<std::size_t>(e - b);
      offsets_[static_cast<std::size_t>(u) + 1] = static_cast<Index>(w);
    }
    items_.resize(w);
    items_.shrink_to_fit();
    build_filter();
  }

  /// True if (u, i) is one of the indexed pairs; false for a user outside the index.
  bool contains(Index u, Index i) const {
    if (u < 0 || u >= num_users()) return false;
    if (!filter_.empty() && !may_contain(u, i)) return false;
    return std::binary_search(begin(u), end(u), i);
  }

  /// Starts loading the filter block contains(u, i) reads first. A hint: no answer
  /// changes. A sampler asks for the blocks of its next few draws while it waits on one.
  void prefetch(Index u, Index i) const {
    if (!filter_.empty() && u >= 0 && u < num_users()) prefetch_line(filter_.data() + block_of(pair_hash(u, i)));
  }

  /// The position of (u, i) in items() (so a pair's number in [0, size())), or -1 when
  /// it is not an indexed pair.
  Index find(Index u, Index i) const {
    if (u < 0 || u >= num_users()) return -1;
    const Index* it = std::lower_bound(begin(u), end(u), i);
    return it != end(u) && *it == i ? static_cast<Index>(it - items_.data()) : Index(-1);
  }

  Index num_users() const { return static_cast<Index>(offsets_.size()) - 1; }
  /// Number of distinct pairs.
  Index size() const { return static_cast<Index>(items_.size()); }
  /// Number of distinct items of user u (0 outside the index).
  Index degree(Index u) const {
    return (u < 0 || u >= num_users()) ? 0 : offsets_[static_cast<std::size_t>(u) + 1] -
                                                 offsets_[static_cast<std::size_t>(u)];
  }
  /// User u's items, sorted ascending: [begin(u), end(u)). u must be in [0, num_users()).
  const Index* begin(Index u) const { return items_.data() + offsets_[static_cast<std::size_t>(u)]; }
  const Index* end(Index u) const { return items_.data() + offsets_[static_cast<std::size_t>(u) + 1]; }

  /// CSR arrays: user u's items are items()[offsets()[u] .. offsets()[u+1]).
  const std::vector<Index>& offsets() const { return offsets_; }
  const std::vector<Index>& items() const { return items_; }

 private:
  static constexpr int kWordsPerBlock = 8;  // 512 bits: one cache line
  static constexpr int kBitsPerPair = 4;    // bits set per pair, all in its block

  static std::uint64_t pair_hash(Index u, Index i) {
    // splitmix64's finaliser over a combination of the two ids.
    std::uint64_t h = static_cast<std::uint64_t>(u) * 0x9E3779B97F4A7C15ull ^
                      (static_cast<std::uint64_t>(i) + 0x632BE59BD9B4E019ull);
    h ^= h >> 30;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 27;
    h *= 0x94D049BB133111EBull;
    return h ^ (h >> 31);
  }

  /// Index in filter_ of the first word of the pair's block (from the hash's high bits);
  /// the bits set in it are kBitsPerPair positions of 9 bits each from the low ones.
  std::size_t block_of(std::uint64_t h) const {
    return filter_begin_ + static_cast<std::size_t>(h >> block_shift_) * kWordsPerBlock;
  }
  static unsigned bit_of(std::uint64_t h, int b) { return static_cast<unsigned>(h >> (9 * b)) & 511u; }

  bool may_contain(Index u, Index i) const {
    const std::uint64_t h = pair_hash(u, i);
    const std::uint64_t* block = filter_.data() + block_of(h);
    for (int b = 0; b < kBitsPerPair; ++b) {
      const unsigned bit = bit_of(h, b);
      if (!(block[bit >> 6] & (std::uint64_t(1) << (bit & 63u)))) return false;
    }
    return true;
  }

  void build_filter() {
    filter_.clear();
    filter_begin_ = 0;
    if (items_.empty()) return;
    // A power of two (at least 2) of blocks, with at least 16 bits per pair.
    int log_blocks = 1;
    while ((std::size_t(1) << log_blocks) * 512 < 16 * items_.size()) ++log_blocks;
    block_shift_ = 64 - log_blocks;
    // One block more than needed, so that block 0 can start on a cache line.
    filter_.assign((std::size_t(1) << log_blocks) * kWordsPerBlock + kWordsPerBlock, 0);
    const auto address = reinterpret_cast<std::uintptr_t>(filter_.data());
    filter_begin_ = ((64 - address % 64) % 64) / sizeof(std::uint64_t);
    for (Index u = 0; u < num_users(); ++u) {
      for (const Index* it = begin(u); it != end(u); ++it) {
        const std::uint64_t h = pair_hash(u, *it);
        std::uint64_t* block = filter_.data() + block_of(h);
        for (int b = 0; b < kBitsPerPair; ++b) {
          const unsigned bit = bit_of(h, b);
          block[bit >> 6] |= std::uint64_t(1) << (bit & 63u);
        }
      }
    }
  }

  std::vector<Index> offsets_;
  std::vector<Index> items_;
  std::vector<std::uint64_t> filter_;  // empty: no filter (an empty index)
  std::size_t filter_begin_ = 0;       // first word of block 0 (cache-line aligned)
  int block_shift_ = 63;               // h >> block_shift_ is the block
};

}  // namespace invlearn

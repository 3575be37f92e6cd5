#pragma once
/// @file row_slot_map.hpp
/// Table row → slot lookup sized to a batch, not to the table.

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "invlearn/core/types.hpp"

namespace invlearn {

/// Maps table rows to slots with a small open-addressing hash table (linear probing),
/// sized to the rows a batch can touch, not to the table: lookups stay in the cache
/// however large the table is, and clearing costs O(rows held).
class RowSlotMap {
 public:
  /// Room for `rows` keys without growing (load factor at most 1/2).
  void reserve(Index rows) {
    std::size_t want = 16;
    while (want < 2 * static_cast<std::size_t>(rows)) want *= 2;
    if (want > buckets_.size()) rehash(want);
  }

  /// Slot of `row`, or -1.
  std::int32_t find(Index row) const {
    if (buckets_.empty()) return -1;
    for (std::size_t p = home(row);; p = (p + 1) & mask_) {
      if (buckets_[p].row == row) return buckets_[p].slot;
      if (buckets_[p].row < 0) return -1;
    }
  }

  /// Address of the bucket where a lookup of `row` starts (for prefetching).
  const void* bucket_address(Index row) const {
    return buckets_.empty() ? nullptr : static_cast<const void*>(buckets_.data() + home(row));
  }

  /// The slot of `row`; inserts `row` with slot `next` if absent. Returns (slot, inserted).
  std::pair<std::int32_t, bool> find_or_insert(Index row, std::int32_t next) {
    if (2 * (used_.size() + 1) > buckets_.size()) rehash(std::max<std::size_t>(16, 2 * buckets_.size()));
    std::size_t p = home(row);
    for (; buckets_[p].row >= 0; p = (p + 1) & mask_)
      if (buckets_[p].row == row) return {buckets_[p].slot, false};
    buckets_[p] = Bucket{row, next};
    used_.push_back(p);
    return {next, true};
  }

  /// Forgets every key (O(keys held)).
  void clear() {
    for (std::size_t p : used_) buckets_[p].row = -1;
    used_.clear();
  }

 private:
  struct Bucket {
    Index row = -1;  // -1: empty
    std::int32_t slot = -1;
  };

  std::size_t home(Index row) const {
    // Fibonacci hashing: consecutive ids spread over the whole table.
    return static_cast<std::size_t>((static_cast<std::uint64_t>(row) * 0x9E3779B97F4A7C15ull) >> shift_);
  }

  void rehash(std::size_t size) {  // size: a power of two
    const std::vector<Bucket> old = std::move(buckets_);
    buckets_.assign(size, Bucket{});
    mask_ = size - 1;
    shift_ = 64;
    for (std::size_t s = size; s > 1; s /= 2) --shift_;
    used_.clear();
    used_.reserve(size / 2);
    for (const Bucket& b : old) {
      if (b.row < 0) continue;
      std::size_t p = home(b.row);
      while (buckets_[p].row >= 0) p = (p + 1) & mask_;
      buckets_[p] = b;
      used_.push_back(p);
    }
  }

  std::vector<Bucket> buckets_;
  std::vector<std::size_t> used_;  // occupied buckets, for clear()
  std::size_t mask_ = 0;
  int shift_ = 64;
};

}  // namespace invlearn

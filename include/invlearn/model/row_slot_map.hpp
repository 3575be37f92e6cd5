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
///
/// The buckets are allocated once for the most rows a batch can hold (reserve()), but an
/// empty map can be told how many keys are coming (expect()): it then uses only the first
/// power of two of buckets that keeps the load at most 1/2 for them, and at most 1/4
/// while that takes no more than 64 KiB of buckets (as far as the buckets allocated
/// allow). So a gradient of 1024 rows probes 64 KiB in any map reserved for 2048 rows or
/// more (the trainer reserves four batches). Measured on one machine, not derived
/// (docs/performance.md, "Slot maps at load 1/4"): for 1024 keys
/// the probes of a GMF IG step's gradients and candidate pass took about 15 µs less at
/// 1/4 (64 KiB) than at 1/2 (32 KiB), and 1/8 (128 KiB) was slower again; for the 2048
/// keys of an NS step, 1/4 (128 KiB) was slower than 1/2 (64 KiB).
class RowSlotMap {
 public:
  /// Room for `rows` keys without allocating (load factor at most 1/2).
  void reserve(Index rows) {
    std::size_t want = kMinBuckets;
    while (want < 2 * static_cast<std::size_t>(rows)) want *= 2;
    if (want > buckets_.size()) {
      rehash_into(want, want);
      scratch_.reserve(want / 2);
    }
  }

  /// On an empty map: uses the fewest buckets that hold `keys` keys at load 1/2, or at
  /// 1/4 while that is at most kQuarterLoadBuckets, or all the buckets reserve()
  /// allocated if that is fewer (more keys still fit: the map grows at load 1/2 as
  /// find_or_insert needs).
  void expect(Index keys) {
    if (!used_.empty() || buckets_.empty()) return;
    const auto k = static_cast<std::size_t>(keys);
    std::size_t want = kMinBuckets;
    while (want < buckets_.size() && (want < 2 * k || (want < 4 * k && want < kQuarterLoadBuckets))) want *= 2;
    set_active(want);
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
    if (2 * (used_.size() + 1) > active_) grow();
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
  static constexpr std::size_t kMinBuckets = 16;
  /// expect() keeps the load at 1/4 up to this many buckets (64 KiB), at 1/2 past it.
  static constexpr std::size_t kQuarterLoadBuckets = 4096;

  std::size_t home(Index row) const {
    // Fibonacci hashing: consecutive ids spread over the whole table.
    return static_cast<std::size_t>((static_cast<std::uint64_t>(row) * 0x9E3779B97F4A7C15ull) >> shift_);
  }

  void set_active(std::size_t size) {  // size: a power of two, at most buckets_.size()
    active_ = size;
    mask_ = size - 1;
    shift_ = 64;
    for (std::size_t s = size; s > 1; s /= 2) --shift_;
  }

  /// Twice the buckets in use: within the allocation while it has room, else a new one.
  void grow() {
    const std::size_t size = std::max(kMinBuckets, 2 * active_);
    rehash_into(size, std::max(size, buckets_.size()));
  }

  /// Moves the keys into the first `size` of `allocated` buckets (both powers of two).
  void rehash_into(std::size_t size, std::size_t allocated) {
    scratch_.clear();
    for (std::size_t p : used_) scratch_.push_back(buckets_[p]);
    clear();
    if (allocated > buckets_.size()) {
      buckets_.assign(allocated, Bucket{});
      used_.reserve(allocated / 2);
    }
    set_active(size);
    for (const Bucket& b : scratch_) {
      std::size_t p = home(b.row);
      while (buckets_[p].row >= 0) p = (p + 1) & mask_;
      buckets_[p] = b;
      used_.push_back(p);
    }
  }

  std::vector<Bucket> buckets_;
  std::vector<std::size_t> used_;  // occupied buckets, for clear()
  std::vector<Bucket> scratch_;    // keys in transit while rehashing
  std::size_t active_ = 0;         // buckets in use: a power of two, at most buckets_.size()
  std::size_t mask_ = 0;
  int shift_ = 64;
};

}  // namespace invlearn

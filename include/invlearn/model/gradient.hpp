#pragma once
/// @file gradient.hpp
/// Parameters and gradients in the one layout every backbone, optimizer and
/// checkpoint shares: embedding tables (one row per user or item id) and one flat
/// block of dense weights. A gradient holds only the table rows a batch touched.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "invlearn/config.hpp"
#include "invlearn/core/error.hpp"
#include "invlearn/core/memory.hpp"
#include "invlearn/core/rows.hpp"
#include "invlearn/core/table.hpp"
#include "invlearn/core/types.hpp"

namespace invlearn {

/// True if no entry of `block` is NaN or ±inf: x·0 is 0 for a finite x and NaN otherwise,
/// so one vectorised sum answers for the whole block (Eigen's allFinite() tests entry by
/// entry, which was a tenth of a small step). Not valid under -ffast-math.
template <class Derived>
inline bool all_finite_sum(const Eigen::DenseBase<Derived>& block) {
  using S = typename Derived::Scalar;
  return block.size() == 0 || (block.derived().array() * S(0)).sum() == S(0);
}

/// Sizes an embedding table (or a table of optimizer moments); zeroes it when `zero`.
/// (Table asks for huge pages itself, before the first write.)
template <class S>
inline void allocate_table(Table<S>& table, Index rows, Index cols, bool zero) {
  table.resize(rows, cols);
  if (zero) table.setZero();
}

/// A backbone's parameters θ: embedding tables and the dense block.
template <class S>
struct Parameters {
  std::vector<Table<S>> tables;
  Vector<S> dense;

  /// Total number of scalars in θ.
  Index size() const {
    Index n = dense.size();
    for (const auto& t : tables) n += t.size();
    return n;
  }
  bool all_finite() const {
    for (const auto& t : tables)
      if (!t.allFinite()) return false;
    return dense.allFinite();
  }
};

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

/// The gradient of one embedding table over the rows a batch touched.
///
/// Rows are kept in order of first appearance in the batch, and each row's value
/// is the sum of its samples' contributions taken in sample order, so the result
/// is the same for any thread count. A RowSlotMap sized to the batch (not to the
/// table) finds a row's slot, so every step costs O(batch), not O(table), and its
/// lookups do not miss the cache when the table is gigabytes.
template <class S>
class SparseRows {
 public:
  SparseRows() = default;
  SparseRows(Index table_rows, Index dim, Index capacity) { reset_shape(table_rows, dim, capacity); }

  void reset_shape(Index table_rows, Index dim, Index capacity) {
    table_rows_ = table_rows;
    slot_ = RowSlotMap();
    slot_.reserve(capacity);
    rows_.clear();
    rows_.reserve(static_cast<std::size_t>(capacity));
    values_.setZero(capacity, dim);
    dim_ = dim;
    // Scratch of assign_sum, sized for `capacity` samples so steps do not allocate.
    sample_slot_.reserve(static_cast<std::size_t>(capacity));
    order_.reserve(static_cast<std::size_t>(capacity));
    offsets_.reserve(static_cast<std::size_t>(capacity) + 1);
    cursor_.reserve(static_cast<std::size_t>(capacity) + 1);
  }

  /// Forgets all rows (O(rows set)).
  void clear() {
    slot_.clear();
    rows_.clear();
  }

  /// Address of the slot-map bucket where a lookup of `row` starts (for prefetching).
  const void* slot_address(Index row) const { return slot_.bucket_address(row); }

  /// Slot of table row `row`, or -1 when the gradient has no value for it.
  std::int32_t find(Index row) const { return slot_.find(row); }

  /// Table rows held, in slot order.
  const std::vector<Index>& rows() const { return rows_; }
  Index count() const { return static_cast<Index>(rows_.size()); }
  Index dim() const { return dim_; }
  Index table_rows() const { return table_rows_; }

  /// Values of the rows held: row k is the gradient of table row rows()[k].
  auto values() { return values_.topRows(count()); }
  auto values() const { return values_.topRows(count()); }
  auto value(Index slot) { return values_.row(slot); }
  auto value(Index slot) const { return values_.row(slot); }

  /// Sets this gradient to the row-wise sums of `per_sample` (one row per sample)
  /// grouped by `ids` (the table row of each sample). Duplicate ids are summed.
  /// Allocates nothing for batches up to the capacity given to reset_shape().
  template <class Derived>
  void assign_sum(const Index* ids, Index n, const Eigen::MatrixBase<Derived>& per_sample) {
    clear();
    sample_slot_.resize(static_cast<std::size_t>(n));
    for (Index i = 0; i < n; ++i) {
      const auto [s, inserted] = slot_.find_or_insert(ids[i], static_cast<std::int32_t>(rows_.size()));
      if (inserted) rows_.push_back(ids[i]);
      sample_slot_[static_cast<std::size_t>(i)] = s;
    }
    const Index k = count();
    if (k > values_.rows()) values_.conservativeResize(k, dim_);
    // Counting sort of samples by slot, stable, so each slot sums in sample order.
    offsets_.assign(static_cast<std::size_t>(k) + 1, 0);
    for (Index i = 0; i < n; ++i) ++offsets_[static_cast<std::size_t>(sample_slot_[i]) + 1];
    for (Index s = 0; s < k; ++s) offsets_[s + 1] += offsets_[s];
    order_.resize(static_cast<std::size_t>(n));
    cursor_.assign(offsets_.begin(), offsets_.end() - 1);
    for (Index i = 0; i < n; ++i) order_[cursor_[sample_slot_[i]]++] = i;
    INVLEARN_OMP(parallel for schedule(static) if (k * dim_ > kParallelGrain))
    for (Index s = 0; s < k; ++s) {
      auto row = values_.row(s);
      row.setZero();
      for (Index p = offsets_[s]; p < offsets_[s + 1]; ++p) row += per_sample.row(order_[p]);
    }
  }

  /// Adds `alpha * other` (same table) into this gradient, adding rows as needed.
  void add(const SparseRows& other, S alpha) {
    for (Index k = 0; k < other.count(); ++k) {
      const Index r = other.rows_[static_cast<std::size_t>(k)];
      const auto [s, inserted] = slot_.find_or_insert(r, static_cast<std::int32_t>(rows_.size()));
      if (inserted) {
        rows_.push_back(r);
        if (count() > values_.rows()) values_.conservativeResize(count() * 2, dim_);
        values_.row(s).setZero();
      }
      values_.row(s) += alpha * other.values_.row(k);
    }
  }

 private:
  RowSlotMap slot_;
  std::vector<Index> rows_;
  RowMatrix<S> values_;
  Index dim_ = 0;
  Index table_rows_ = 0;
  // Reused scratch for assign_sum.
  std::vector<std::int32_t> sample_slot_;
  std::vector<Index> offsets_, cursor_, order_;
};

/// ∇θ of a batch loss: sparse rows for every embedding table and the dense block.
template <class S>
struct Gradient {
  std::vector<SparseRows<S>> tables;
  Vector<S> dense;

  Gradient() = default;
  /// A zero gradient shaped like `params`, with room for `capacity` rows per table.
  Gradient(const Parameters<S>& params, Index capacity) { reset_shape(params, capacity); }

  void reset_shape(const Parameters<S>& params, Index capacity) {
    tables.resize(params.tables.size());
    for (std::size_t t = 0; t < tables.size(); ++t)
      tables[t].reset_shape(params.tables[t].rows(), params.tables[t].cols(), capacity);
    dense.setZero(params.dense.size());
  }

  /// Sets the gradient to zero (O(rows held) + O(dense)).
  void clear() {
    for (auto& t : tables) t.clear();
    dense.setZero();
  }

  bool all_finite() const {
    for (const auto& t : tables)
      if (!all_finite_sum(t.values())) return false;
    return all_finite_sum(dense);
  }

  /// Squared Euclidean norm, accumulated in double.
  double squared_norm() const {
    double n = dense.template cast<double>().squaredNorm();
    for (const auto& t : tables) n += t.values().template cast<double>().squaredNorm();
    return n;
  }
};

/// Calls body(t, k) for slot k of every table t that `grad` holds rows of, with slot k of
/// all tables in the same iteration: each table's rows are scattered over memory that can
/// be gigabytes, and a loop that walks one table at a time keeps fewer independent misses
/// in flight (a third slower for lazy Adam at 10^6 rows in a scratch test). Parallel over k
/// when the work is large; the calls must be independent (they are row updates of distinct
/// rows), so the order does not change the result.
template <class S, class Body>
inline void for_each_row_across_tables(const Gradient<S>& grad, Body&& body) {
  Index longest = 0, work = 0;
  for (const auto& g : grad.tables) {
    longest = std::max(longest, g.count());
    work += g.count() * g.dim();
  }
  const std::size_t tables = grad.tables.size();
  INVLEARN_OMP(parallel for schedule(static) if (work > kParallelGrain))
  for (Index k = 0; k < longest; ++k)
    for (std::size_t t = 0; t < tables; ++t)
      if (k < grad.tables[t].count()) body(t, k);
}

/// θ ← θ + step · g, touching only the rows g holds (prefetched a few slots ahead).
template <class S>
inline void apply(Parameters<S>& params, const Gradient<S>& grad, S step) {
  for_each_row_across_tables(grad, [&](std::size_t t, Index k) {
    const auto& g = grad.tables[t];
    auto& table = params.tables[t];
    const auto& rows = g.rows();
    if (k + kPrefetchAhead < g.count()) prefetch_row(table, rows[static_cast<std::size_t>(k + kPrefetchAhead)]);
    table.row(rows[static_cast<std::size_t>(k)]) += step * g.value(k);
  });
  params.dense.noalias() += step * grad.dense;
}

/// Reads embedding rows at θ + step·g without copying θ: a row the gradient holds
/// is read as row + step·g_row, any other row as it is.
template <class S>
struct DisplacedTable {
  const Table<S>& table;
  const SparseRows<S>* grad;  // null: no displacement
  S step;

  /// Starts loading row `id` (and its gradient slot) into the cache: the gather loops
  /// call it a few samples ahead so the misses on scattered rows overlap.
  void prefetch(Index id) const {
    prefetch_row(table, id);
#if defined(__GNUC__)
    if (grad != nullptr && step != S(0)) __builtin_prefetch(grad->slot_address(id), 0, 1);
#endif
  }

  /// Writes row `id` of the displaced table into `out`.
  template <class Out>
  void read(Index id, Out&& out) const {
    if (grad != nullptr && step != S(0)) {
      const std::int32_t s = grad->find(id);
      if (s >= 0) {
        out.noalias() = table.row(id) + step * grad->value(s);
        return;
      }
    }
    out = table.row(id);
  }
};

/// Throws InvalidArgument unless every id of `batch` is in range for a model with
/// `num_users` users and `num_items` items (core/rows.hpp's check_ids).
inline void check_batch(const BatchView& batch, Index num_users, Index num_items, const char* where) {
  check_ids(batch, num_users, num_items, where);
}

}  // namespace invlearn

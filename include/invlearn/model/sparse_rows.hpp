#pragma once
/// @file sparse_rows.hpp
/// The gradient of one embedding table over the rows a batch touched.

#include <cstdint>
#include <vector>

#include "invlearn/config.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/model/parallel.hpp"
#include "invlearn/model/row_slot_map.hpp"

namespace invlearn {

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
  ///
  /// Each row's value is 0 + x₁ + x₂ + … over its samples in sample order. Below
  /// kParallelGrain scalars that is one pass over the samples (a row's first sample
  /// writes 0 + x₁, later ones add); above it the samples are grouped by row first
  /// (a stable counting sort) and the rows summed in parallel. Both give the same bits.
  template <class Derived>
  void assign_sum(const Index* ids, Index n, const Eigen::MatrixBase<Derived>& per_sample) {
    clear();
    slot_.expect(n);
    if (n * dim_ <= kParallelGrain) {
      if (n > values_.rows()) values_.conservativeResize(n, dim_);
      constexpr bool rows_in_place =
          bool(Derived::Flags & Eigen::DirectAccessBit) && bool(Derived::Flags & Eigen::RowMajorBit);
      if constexpr (rows_in_place) {
        if (per_sample.innerStride() == 1) {  // rows as pointers: no Eigen set-up per row
          const S* base = per_sample.derived().data();
          const Index stride = per_sample.outerStride();
          for (Index i = 0; i < n; ++i) add_sample(ids[i], base + i * stride);
          return;
        }
      }
      for (Index i = 0; i < n; ++i) {
        const auto [s, inserted] = slot_.find_or_insert(ids[i], static_cast<std::int32_t>(rows_.size()));
        if (inserted) {
          rows_.push_back(ids[i]);
          values_.row(s).array() = S(0) + per_sample.row(i).array();
        } else {
          values_.row(s) += per_sample.row(i);
        }
      }
      return;
    }
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
    detail::parallel_for(k, k * dim_ > kParallelGrain, [&](Index s) {
      auto row = values_.row(s);
      row.setZero();
      for (Index p = offsets_[s]; p < offsets_[s + 1]; ++p) row += per_sample.row(order_[p]);
    });
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
  /// One sample of the one-pass assign_sum: its row's first writes 0 + x, later ones add.
  void add_sample(Index id, const S* __restrict x) {
    const auto [s, inserted] = slot_.find_or_insert(id, static_cast<std::int32_t>(rows_.size()));
    S* __restrict out = values_.data() + s * dim_;
    if (inserted) {
      rows_.push_back(id);
      for (Index c = 0; c < dim_; ++c) out[c] = S(0) + x[c];
    } else {
      for (Index c = 0; c < dim_; ++c) out[c] = out[c] + x[c];
    }
  }

  RowSlotMap slot_;
  std::vector<Index> rows_;
  RowMatrix<S> values_;
  Index dim_ = 0;
  Index table_rows_ = 0;
  // Reused scratch for assign_sum.
  std::vector<std::int32_t> sample_slot_;
  std::vector<Index> offsets_, cursor_, order_;
};

}  // namespace invlearn

#pragma once
/// @file row_moments.hpp
/// Adam's per-row state of one embedding table: each row's m and v side by side in one
/// record, and the step each row is current at.

#include <cstdint>
#include <vector>

#include "invlearn/core/memory.hpp"
#include "invlearn/core/table.hpp"
#include "invlearn/core/types.hpp"

namespace invlearn {

/// The first and second moments of every row of one embedding table, one record per row,
/// [m (d) | v (d) | padding] padded to whole cache lines and starting on one, and the step
/// each row is current at, in an array of its own.
///
/// Why one record: an optimizer step reads and writes m and v of a few thousand scattered
/// rows; in one record they are neighbouring lines, not misses in separate streams (in a
/// scratch test at 10^6 rows, m, v and the step in one record were about a quarter faster
/// for Adam's row updates than in three arrays of their own).
///
/// Why the step apart: at d = 32 in float, m and v fill exactly four lines, and the step
/// in the record took a fifth line for its 8 bytes (320 bytes a row). Apart, the steps of
/// 10^4 rows are 80 KB that stay in cache, and the record is the four lines the row
/// kernels work on (docs/performance.md, "The step counts out of the records").
///
/// The record's layout is internal: checkpoints hold m and v as tables shaped like θ
/// (Adam::State::serialize), and copy_m / copy_v / assign give them in that form.
template <class S>
class RowMoments {
 public:
  RowMoments() = default;
  /// `rows` rows of `dim` coordinates: zero moments, every row current at step `step`.
  RowMoments(Index rows, Index dim, std::int64_t step) { reset(rows, dim, step); }

  void reset(Index rows, Index dim, std::int64_t step) {
    dim_ = dim;
    records_.resize(rows, width(dim));
    records_.setZero();
    steps_.assign(static_cast<std::size_t>(rows), step);
  }

  Index rows() const { return records_.rows(); }
  Index dim() const { return dim_; }

  S* m(Index row) { return records_.data() + row * records_.cols(); }
  const S* m(Index row) const { return records_.data() + row * records_.cols(); }
  S* v(Index row) { return m(row) + dim_; }
  const S* v(Index row) const { return m(row) + dim_; }

  /// The step row `row` is current at (its moments and θ are those after that step).
  std::int64_t step(Index row) const { return steps_[static_cast<std::size_t>(row)]; }
  void set_step(Index row, std::int64_t s) { steps_[static_cast<std::size_t>(row)] = s; }

  /// Starts loading row `row`'s record (every line of it) and its step into the cache.
  void prefetch(Index row) const {
    prefetch_record(row);
    prefetch_step(row);
  }
  void prefetch_record(Index row) const { prefetch_row(records_, row); }
  void prefetch_step(Index row) const { prefetch_line(steps_.data() + row); }

  /// m (or v) of every row as a table shaped like θ.
  Table<S> copy_m() const { return copy(0); }
  Table<S> copy_v() const { return copy(dim_); }

  /// Takes m and v (tables of the same shape) with every row current at step `step`.
  void assign(const Table<S>& m, const Table<S>& v, std::int64_t step) {
    reset(m.rows(), m.cols(), step);
    for (Index r = 0; r < m.rows(); ++r) {
      for (Index c = 0; c < dim_; ++c) {
        this->m(r)[c] = m(r, c);
        this->v(r)[c] = v(r, c);
      }
    }
  }

  /// The scalars of a record for rows of `dim` coordinates.
  static Index width(Index dim) {
    constexpr Index line = static_cast<Index>(64 / sizeof(S));
    return (2 * dim + line - 1) / line * line;
  }

 private:
  Table<S> copy(Index offset) const {
    Table<S> out(rows(), dim_);
    for (Index r = 0; r < rows(); ++r)
      for (Index c = 0; c < dim_; ++c) out(r, c) = m(r)[offset + c];
    return out;
  }

  Table<S> records_;  ///< rows × width(dim)
  std::vector<std::int64_t> steps_;
  Index dim_ = 0;
};

}  // namespace invlearn

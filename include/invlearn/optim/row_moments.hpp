#pragma once
/// @file row_moments.hpp
/// Adam's per-row state of one embedding table: each row's m, v and the step it is
/// current at, side by side in one record.

#include <cstdint>
#include <cstring>

#include "invlearn/core/memory.hpp"
#include "invlearn/core/table.hpp"
#include "invlearn/core/types.hpp"

namespace invlearn {

/// The first and second moments of every row of one embedding table and the step each
/// row is current at, one record per row: [m (d) | v (d) | step (int64) | padding], padded
/// to whole cache lines and starting on one.
///
/// Why one record: an optimizer step reads and writes m, v and the step of a few thousand
/// scattered rows; as three tables (and a vector of steps) each row was four separate
/// misses in four streams, in one record they are neighbouring lines (about a quarter
/// faster for Adam's row updates at 10^6 rows in a scratch test). At d = 32 in float a
/// record is 320 bytes where m, v and the step took 264.
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
    records_.setZero();  // (step 0 is the zero bytes)
    if (step != 0)
      for (Index r = 0; r < rows; ++r) set_step(r, step);
  }

  Index rows() const { return records_.rows(); }
  Index dim() const { return dim_; }

  S* m(Index row) { return records_.data() + row * records_.cols(); }
  const S* m(Index row) const { return records_.data() + row * records_.cols(); }
  S* v(Index row) { return m(row) + dim_; }
  const S* v(Index row) const { return m(row) + dim_; }

  /// The step row `row` is current at (its moments and θ are those after that step).
  std::int64_t step(Index row) const {
    std::int64_t s;
    std::memcpy(&s, m(row) + 2 * dim_, sizeof(s));
    return s;
  }
  void set_step(Index row, std::int64_t s) { std::memcpy(m(row) + 2 * dim_, &s, sizeof(s)); }

  /// Starts loading row `row`'s record into the cache (every line of it).
  void prefetch(Index row) const { prefetch_row(records_, row); }

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
    const Index used = 2 * dim + static_cast<Index>((sizeof(std::int64_t) + sizeof(S) - 1) / sizeof(S));
    return (used + line - 1) / line * line;
  }

 private:
  Table<S> copy(Index offset) const {
    Table<S> out(rows(), dim_);
    for (Index r = 0; r < rows(); ++r)
      for (Index c = 0; c < dim_; ++c) out(r, c) = m(r)[offset + c];
    return out;
  }

  Table<S> records_;  ///< rows × width(dim)
  Index dim_ = 0;
};

}  // namespace invlearn

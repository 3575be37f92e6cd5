#pragma once
/// @file displaced_table.hpp
/// Reading embedding rows at θ + step·g without copying θ.

#include <cstdint>

#include "invlearn/core/memory.hpp"
#include "invlearn/core/table.hpp"
#include "invlearn/model/row_ops.hpp"
#include "invlearn/model/sparse_rows.hpp"

namespace invlearn {

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

  /// Writes row `id` of the displaced table into `out` (table.cols() values).
  void read(Index id, S* out) const {
    const Index d = table.cols();
    const S* row = table.data() + id * d;
    if (grad != nullptr && step != S(0)) {
      const std::int32_t s = grad->find(id);
      if (s >= 0) {
        detail::displaced_row(row, grad->value(s).data(), step, out, d);
        return;
      }
    }
    detail::copy_row(row, out, d);
  }
  /// The same into a contiguous Eigen row (a row of a row-major matrix, or a segment of one).
  template <class Out>
  void read(Index id, Out&& out) const {
    read(id, out.data());
  }
};

}  // namespace invlearn

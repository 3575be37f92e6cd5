#pragma once
/// @file parameters.hpp
/// θ in the one layout every backbone, optimizer and checkpoint shares: embedding tables
/// (one row per user or item id) and one flat block of dense weights.

#include <vector>

#include "invlearn/core/table.hpp"
#include "invlearn/core/types.hpp"

namespace invlearn {

/// Which id indexes the rows of an embedding table.
enum class TableKey { user, item };

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
  /// Zeros of the shape of `like` (optimizer moments, accumulated sums).
  template <class T>
  static Parameters zeros_like(const Parameters<T>& like) {
    Parameters p;
    p.tables.resize(like.tables.size());
    for (std::size_t k = 0; k < like.tables.size(); ++k)
      allocate_table(p.tables[k], like.tables[k].rows(), like.tables[k].cols(), true);
    p.dense.setZero(like.dense.size());
    return p;
  }
};

}  // namespace invlearn

#pragma once
/// @file gradient.hpp
/// ∇θ of a batch loss: the table rows the batch touched and the dense block, and the
/// one loop over the rows of several tables that optimizers and apply() share.

#include <algorithm>
#include <vector>

#include "invlearn/config.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/model/parallel.hpp"
#include "invlearn/model/parameters.hpp"
#include "invlearn/model/sparse_rows.hpp"

namespace invlearn {

/// True if no entry of `block` is NaN or ±inf: x·0 is 0 for a finite x and NaN otherwise,
/// so one vectorised sum answers for the whole block (Eigen's allFinite() tests entry by
/// entry, which was a tenth of a small step). Not valid under -ffast-math.
template <class Derived>
inline bool all_finite_sum(const Eigen::DenseBase<Derived>& block) {
  using S = typename Derived::Scalar;
  return block.size() == 0 || (block.derived().array() * S(0)).sum() == S(0);
}

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
/// rows), so the order does not change the result. Scope: parallel_for's per-thread scope.
template <class Scope = detail::NoScope, class S, class Body>
inline void for_each_row_across_tables(const Gradient<S>& grad, Body&& body) {
  Index longest = 0, work = 0;
  for (const auto& g : grad.tables) {
    longest = std::max(longest, g.count());
    work += g.count() * g.dim();
  }
  const std::size_t tables = grad.tables.size();
  detail::parallel_for<Scope>(longest, work > kParallelGrain, [&](Index k) {
    for (std::size_t t = 0; t < tables; ++t)
      if (k < grad.tables[t].count()) body(t, k);
  });
}

}  // namespace invlearn

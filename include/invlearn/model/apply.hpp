#pragma once
/// @file apply.hpp
/// θ ← θ + step · g, touching only the rows g holds.

#include "invlearn/core/memory.hpp"
#include "invlearn/model/gradient.hpp"
#include "invlearn/model/parameters.hpp"
#include "invlearn/model/row_ops.hpp"

namespace invlearn {

/// θ ← θ + step · g, touching only the rows g holds (prefetched a few slots ahead).
template <class S>
inline void apply(Parameters<S>& params, const Gradient<S>& grad, S step) {
  for_each_row_across_tables(grad, [&](std::size_t t, Index k) {
    const auto& g = grad.tables[t];
    auto& table = params.tables[t];
    const auto& rows = g.rows();
    if (k + kPrefetchAhead < g.count()) prefetch_row(table, rows[static_cast<std::size_t>(k + kPrefetchAhead)]);
    detail::add_scaled_row(table.data() + rows[static_cast<std::size_t>(k)] * table.cols(), g.value(k).data(), step,
                           table.cols());
  });
  detail::add_scaled_row(params.dense.data(), grad.dense.data(), step, params.dense.size());
}

}  // namespace invlearn

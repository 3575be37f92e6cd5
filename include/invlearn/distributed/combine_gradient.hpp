#pragma once
/// @file combine_gradient.hpp
/// The sum over ranks of the gradients of their shards: sparse rows gathered (ids and
/// values) and summed in a fixed order, the dense block by allreduce.

#include <cstdint>
#include <vector>

#include "invlearn/core/types.hpp"
#include "invlearn/distributed/communicator.hpp"
#include "invlearn/model/gradient.hpp"

namespace invlearn {

/// Buffers of combine_gradient(), kept between steps so a step does not allocate once
/// they have grown to the largest batch.
template <class S>
struct GradientExchange {
  std::vector<std::int64_t> counts;       ///< rows per (rank, table), rank-major
  std::vector<std::int64_t> id_counts, value_counts;
  std::vector<Index> send_ids, ids, table_ids;
  std::vector<S> send_values, values, table_values;
};

/// grad ← Σ over ranks of every rank's grad, the same on every rank. Each table's rows are
/// gathered in rank order and summed by SparseRows::assign_sum, which keeps rows in order of
/// first appearance and sums each row's parts in that order: with contiguous shards in rank
/// order (Shard) the rows come out in the order a single process would give them, and a
/// row's value is the sum of its shards' partial sums (the same up to float rounding). The
/// dense block is summed by MPI_Allreduce. Nothing to do on one rank.
template <class S>
inline void combine_gradient(const Communicator& comm, Gradient<S>& grad, GradientExchange<S>& x) {
  const int p = comm.size();
  if (p == 1) return;
  const std::size_t tables = grad.tables.size();
  std::vector<std::int64_t> mine(tables);
  x.send_ids.clear();
  x.send_values.clear();
  for (std::size_t t = 0; t < tables; ++t) {
    const auto& g = grad.tables[t];
    mine[t] = g.count();
    x.send_ids.insert(x.send_ids.end(), g.rows().begin(), g.rows().end());
    const auto v = g.values();
    x.send_values.insert(x.send_values.end(), v.data(), v.data() + v.size());
  }
  x.counts.resize(static_cast<std::size_t>(p) * tables);
  if (tables > 0) comm.allgather(mine.data(), static_cast<std::int64_t>(tables), x.counts.data());
  x.id_counts.assign(static_cast<std::size_t>(p), 0);
  x.value_counts.assign(static_cast<std::size_t>(p), 0);
  for (int r = 0; r < p; ++r)
    for (std::size_t t = 0; t < tables; ++t) {
      const std::int64_t c = x.counts[static_cast<std::size_t>(r) * tables + t];
      x.id_counts[static_cast<std::size_t>(r)] += c;
      x.value_counts[static_cast<std::size_t>(r)] += c * grad.tables[t].dim();
    }
  std::int64_t total_ids = 0, total_values = 0;
  for (int r = 0; r < p; ++r) {
    total_ids += x.id_counts[static_cast<std::size_t>(r)];
    total_values += x.value_counts[static_cast<std::size_t>(r)];
  }
  x.ids.resize(static_cast<std::size_t>(total_ids));
  x.values.resize(static_cast<std::size_t>(total_values));
  comm.allgatherv(x.send_ids.data(), x.id_counts, x.ids.data());
  comm.allgatherv(x.send_values.data(), x.value_counts, x.values.data());

  // Table t's parts in rank order, then summed by id.
  std::vector<std::int64_t> id_at(static_cast<std::size_t>(p)), value_at(static_cast<std::size_t>(p));
  std::int64_t ib = 0, vb = 0;
  for (int r = 0; r < p; ++r) {
    id_at[static_cast<std::size_t>(r)] = ib;
    value_at[static_cast<std::size_t>(r)] = vb;
    ib += x.id_counts[static_cast<std::size_t>(r)];
    vb += x.value_counts[static_cast<std::size_t>(r)];
  }
  for (std::size_t t = 0; t < tables; ++t) {
    const Index dim = grad.tables[t].dim();
    x.table_ids.clear();
    x.table_values.clear();
    for (int r = 0; r < p; ++r) {
      const auto rs = static_cast<std::size_t>(r);
      const std::int64_t c = x.counts[rs * tables + t];
      const auto i0 = x.ids.begin() + id_at[rs];
      const auto v0 = x.values.begin() + value_at[rs];
      x.table_ids.insert(x.table_ids.end(), i0, i0 + c);
      x.table_values.insert(x.table_values.end(), v0, v0 + c * dim);
      id_at[rs] += c;
      value_at[rs] += c * dim;
    }
    const auto n = static_cast<Index>(x.table_ids.size());
    const Eigen::Map<const RowMatrix<S>> parts(x.table_values.data(), n, dim);
    grad.tables[t].assign_sum(x.table_ids.data(), n, parts);
  }
  comm.allreduce_sum(grad.dense.data(), static_cast<std::int64_t>(grad.dense.size()));
}

}  // namespace invlearn

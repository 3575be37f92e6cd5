#pragma once
/// @file gmf_part.hpp
/// The GMF interaction \f$w^\top(e_u \odot e_i)\f$, written once: GMF is this plus a
/// bias, NeuMF adds it to its MLP tower's term.

#include <cstdint>

#include "invlearn/config.hpp"
#include "invlearn/core/memory.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/model/gradient.hpp"
#include "invlearn/model/parallel.hpp"
#include "invlearn/model/row_ops.hpp"

namespace invlearn {

/// The GMF part's forward and backward on gathered embedding rows (contiguous rows:
/// rows of row-major matrices and tables, vectors), through the raw-row loops of
/// row_ops.hpp.
template <class S>
struct GMFPart {
  /// \f$w^\top(e_u \odot e_i)\f$ for one sample's rows (summed as Eigen's
  /// `eu.cwiseProduct(ei).dot(w.transpose())` sums it: detail::interaction).
  template <class U, class I, class W>
  static S term(const U& eu, const I& ei, const W& w) {
    return detail::interaction(eu.data(), ei.data(), w.data(), eu.size());
  }

  /// The per-sample row gradients of g·term: \f$\partial/\partial e_u = g\,w \odot e_i\f$ and
  /// \f$\partial/\partial e_i = g\,w \odot e_u\f$.
  static void row_gradients(S g, const S* __restrict w, const S* __restrict eu, const S* __restrict ei,
                            S* __restrict du, S* __restrict di, Index d) {
    for (Index c = 0; c < d; ++c) {
      du[c] = g * (w[c] * ei[c]);
      di[c] = g * (w[c] * eu[c]);
    }
  }
  template <class W, class U, class I, class DU, class DI>
  static void row_gradients(S g, const W& w, const U& eu, const I& ei, DU&& du, DI&& di) {
    row_gradients(g, w.data(), eu.data(), ei.data(), du.data(), di.data(), eu.size());
  }

  /// Adds \f$g\,(e_u \odot e_i)\f$, one sample's share of the head's gradient.
  static void add_head_gradient(S g, const S* __restrict eu, const S* __restrict ei, S* __restrict dw, Index d) {
    for (Index c = 0; c < d; ++c) dw[c] = dw[c] + g * (eu[c] * ei[c]);
  }
  template <class U, class I, class DW>
  static void add_head_gradient(S g, const U& eu, const I& ei, DW&& dw) {
    add_head_gradient(g, eu.data(), ei.data(), dw.data(), eu.size());
  }

  /// Rows of the GEMMs that score blocks of users (score_block, model/backbone.hpp) come in
  /// multiples of this: a multiple of every SIMD packet's length, so that no user's row
  /// goes through the GEMM's one-row paths (a GEMV for a single row, a scalar loop for
  /// the rows left over after the packets), whose sums run in another order. A user's
  /// scores are then the same bits whichever users share its block.
  static constexpr Index kScorePanel = 16;
  static Index score_rows_padded(Index rows) { return (rows + kScorePanel - 1) / kScorePanel * kScorePanel; }

  /// out (rows × items.rows(), row-major) = bias + queries.topRows(rows)·itemsᵀ, with
  /// every GEMM on a multiple of kScorePanel rows: `queries` has score_rows_padded(rows)
  /// rows (those past `rows` finite, e.g. zero), and the last partial panel is computed
  /// into `tail` (grown as needed) and copied out.
  template <class Q, class E>
  static void score_rows(const Q& queries, Index rows, const E& items, S bias, Vector<S>& tail, S* out) {
    const Index n = items.rows(), whole = rows / kScorePanel * kScorePanel;
    Eigen::Map<RowMatrix<S>> scores(out, rows, n);
    if (whole > 0) {
      auto head = scores.topRows(whole);
      head.setConstant(bias);  // a GEMM's "=" zeroes its output first anyway
      head.noalias() += queries.topRows(whole) * items.transpose();
    }
    if (whole == rows) return;
    if (tail.size() < kScorePanel * n) tail.resize(kScorePanel * n);
    Eigen::Map<RowMatrix<S>> last(tail.data(), kScorePanel, n);
    last.setConstant(bias);
    last.noalias() += queries.middleRows(whole, kScorePanel) * items.transpose();
    scores.bottomRows(rows - whole) = last.topRows(rows - whole);
  }

  /// Logits \f$w_c^\top(e_u^c \odot e_i^c) + b_c\f$ of `batch` at θ + steps[c]·g for each
  /// candidate c < k (k ≤ 3), into out[c·n + j] (candidate-major), in one pass: each
  /// sample's rows and their gradient rows are looked up once for all candidates, and a
  /// row the gradient does not hold (or a candidate with step 0) is read in place.
  /// `heads[c]` and `bias[c]` are the candidates' displaced head and bias. Each logit is
  /// the expression a forward at the displaced θ evaluates, so the two agree bit for bit.
  template <class Heads>
  static void candidate_logits(const BatchView& batch, const Table<S>& users, const Table<S>& items,
                               const SparseRows<S>& gu, const SparseRows<S>& gi, const S* steps, int k,
                               const Heads& heads, const S* bias, S* out) {
    const Index n = batch.size;
    const Index d = users.cols();
    detail::parallel_for(n, n * d > kParallelGrain, [&](Index j) {
      if (j + kPrefetchAhead < n) {
        const Index ua = batch.users[j + kPrefetchAhead], ia = batch.items[j + kPrefetchAhead];
        prefetch_row(users, ua);
        prefetch_row(items, ia);
#if defined(__GNUC__)
        __builtin_prefetch(gu.slot_address(ua), 0, 3);
        __builtin_prefetch(gi.slot_address(ia), 0, 3);
#endif
      }
      const Index u = batch.users[j], i = batch.items[j];
      const std::int32_t su = gu.find(u), si = gi.find(i);
      const S* tu = users.data() + u * d;
      const S* ti = items.data() + i * d;
      const S* du = su >= 0 ? gu.value(su).data() : nullptr;
      const S* di = si >= 0 ? gi.value(si).data() : nullptr;
      for (int c = 0; c < k; ++c)
        out[c * n + j] = detail::displaced_interaction(tu, du, steps[c], ti, di, steps[c], heads[c].data(), d) + bias[c];
    });
  }
};

}  // namespace invlearn

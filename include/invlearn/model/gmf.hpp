#pragma once
/// @file gmf.hpp
/// Generalized Matrix Factorization (He et al., 2017).

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "invlearn/config.hpp"
#include "invlearn/core/error.hpp"
#include "invlearn/core/random.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/model/apply.hpp"
#include "invlearn/model/backbone.hpp"
#include "invlearn/model/check_batch.hpp"
#include "invlearn/model/displaced_table.hpp"
#include "invlearn/model/gmf_part.hpp"
#include "invlearn/model/gmf_options.hpp"
#include "invlearn/model/gradient.hpp"
#include "invlearn/model/init.hpp"
#include "invlearn/model/parallel.hpp"
#include "invlearn/model/row_ops.hpp"

namespace invlearn {

/// Buffers for one batch of GMF, allocated once (see GMF::workspace).
template <class S>
struct GMFWorkspace {
  RowMatrix<S> eu, ei;        ///< gathered (possibly displaced) embedding rows
  RowMatrix<S> du, di;        ///< per-sample embedding gradients
  Vector<S> head;             ///< displaced head weights
  Vector<S> candidate_head[3];  ///< forward_candidates: each candidate's displaced head
  Vector<S> score_tail;       ///< score_block: the scores of its last partial panel of users
  /// Set by forward_candidates: backward() reads the batch's rows and the head at θ as it
  /// is then (the chosen candidate's point once θ has been moved to it), not from eu, ei.
  bool rows_at_theta = false;
  Index capacity() const { return eu.rows(); }
};

/// GMF: \f$x_{ui} = w^\top (e_u \odot e_i) + b\f$.
///
/// Parameters: tables {user (U×d), item (I×d)}; dense = [w (d), b].
/// Embeddings start N(0, 0.01²); the head w starts uniform(±√(3/d)) and b = 0
/// (the initialisation of the NCF code the paper builds on).
template <class S>
class GMF {
 public:
  using Scalar = S;
  using Workspace = GMFWorkspace<S>;
  using Gradient = invlearn::Gradient<S>;
  using Options = GMFOptions;
  static constexpr const char* kind = "gmf";
  /// forward_candidates leaves `ws` ready for a backward at the current θ (see there).
  static constexpr bool candidates_keep_forward = true;

  GMF(Index num_users, Index num_items, const GMFOptions& options = {}, std::uint64_t seed = 42)
      : options_(options) {
    require(num_users > 0, "GMF: num_users must be positive, got " + std::to_string(num_users));
    require(num_items > 0, "GMF: num_items must be positive, got " + std::to_string(num_items));
    require(options.dim > 0, "GMF: dim must be positive, got " + std::to_string(options.dim));
    const Index d = options.dim;
    params_.tables.assign(2, Table<S>());
    allocate_table(params_.tables[0], num_users, d, false);
    allocate_table(params_.tables[1], num_items, d, false);
    params_.dense.setZero(d + 1);
    Rng rng(seed, Stream::init);
    for (auto& t : params_.tables) init_normal(t, options.init_std, rng);
    init_uniform(params_.dense.data(), d, head_uniform_bound(d), rng);
  }

  Index num_users() const { return params_.tables[0].rows(); }
  Index num_items() const { return params_.tables[1].rows(); }
  Index dim() const { return options_.dim; }
  const GMFOptions& options() const { return options_; }
  Parameters<S>& parameters() { return params_; }
  const Parameters<S>& parameters() const { return params_; }
  /// The id that indexes each table.
  std::vector<TableKey> table_keys() const { return {TableKey::user, TableKey::item}; }

  /// Buffers for batches of up to `max_batch` rows.
  Workspace workspace(Index max_batch) const {
    Workspace ws;
    reserve(ws, max_batch);
    return ws;
  }
  /// Grows `ws` to batches of `max_batch` rows (forward calls it; a no-op when it fits).
  void reserve(Workspace& ws, Index max_batch) const {
    if (ws.capacity() >= max_batch && ws.head.size() == dim() && ws.candidate_head[2].size() == dim()) return;
    ws.eu.resize(max_batch, dim());
    ws.ei.resize(max_batch, dim());
    ws.du.resize(max_batch, dim());
    ws.di.resize(max_batch, dim());
    ws.head.resize(dim());
    for (auto& h : ws.candidate_head) h.resize(dim());
  }

  /// A zero gradient shaped like θ with room for `max_batch` rows per table.
  Gradient make_gradient(Index max_batch) const { return Gradient(params_, max_batch); }

  /// Logits of `batch` at θ.
  template <class Out>
  void forward(const BatchView& batch, Workspace& ws, Out&& logits) const {
    forward_impl(batch, nullptr, S(0), ws, logits);
  }

  /// Logits of `batch` at θ + step·grad, reading θ in place (no copy of any table).
  template <class Out>
  void forward_displaced(const BatchView& batch, const Gradient& grad, S step, Workspace& ws,
                         Out&& logits) const {
    forward_impl(batch, &grad, step, ws, logits);
  }

  /// The logits of `batch` at θ + steps[c]·grad for each candidate c < k (k ≤ 3), into
  /// out[c·n + j] (candidate-major), in one pass (GMFPart::candidate_logits). Each logit
  /// is the expression forward_displaced() evaluates, so the two agree bit for bit.
  /// Leaves `ws` holding `batch` at whatever θ is when backward() runs: once θ has been
  /// moved to candidate c (apply(grad, steps[c]), which computes θ + steps[c]·grad as the
  /// pass did), backward() is the backward of candidate c's forward, whose logits are
  /// out[c·n ...]: the winner's forward needs no second pass.
  void forward_candidates(const BatchView& batch, const Gradient& grad, const S* steps, int k, Workspace& ws,
                          S* out) const {
    check_batch(batch, num_users(), num_items(), "GMF::forward_candidates");
    if (k < 1 || k > 3)  // (not require(): its message would be built, and allocated, every step)
      throw InvalidArgument("GMF::forward_candidates: between 1 and 3 candidates, got " + std::to_string(k));
    reserve(ws, batch.size);
    const Index d = dim();
    S bias[3];
    for (int c = 0; c < k; ++c) {
      bias[c] = params_.dense[d];
      if (steps[c] != S(0)) {
        ws.candidate_head[c].noalias() = params_.dense.head(d) + steps[c] * grad.dense.head(d);
        bias[c] += steps[c] * grad.dense[d];
      } else {
        ws.candidate_head[c] = params_.dense.head(d);
      }
    }
    GMFPart<S>::candidate_logits(batch, params_.tables[0], params_.tables[1], grad.tables[0], grad.tables[1], steps,
                                 k, ws.candidate_head, bias, out);
    ws.rows_at_theta = true;
  }

  /// ∇θ of Σ_k dlogits[k]·x_k, taken at the point of the last forward call on `ws`
  /// for this batch (θ after forward(), θ + step·g after forward_displaced(), θ as it is
  /// now after forward_candidates()).
  template <class In>
  void backward(const BatchView& batch, Workspace& ws, const In& dlogits, Gradient& grad) const {
    const Index n = batch.size;
    const Index d = dim();
    const bool at_theta = ws.rows_at_theta;
    const S* w = at_theta ? params_.dense.data() : ws.head.data();
    const S* users = params_.tables[0].data();
    const S* items = params_.tables[1].data();
    auto eu = [&](Index k) { return at_theta ? users + batch.users[k] * d : ws.eu.row(k).data(); };
    auto ei = [&](Index k) { return at_theta ? items + batch.items[k] * d : ws.ei.row(k).data(); };
    auto row_gradients = [&](Index k) {
      GMFPart<S>::row_gradients(dlogits[k], w, eu(k), ei(k), ws.du.row(k).data(), ws.di.row(k).data(), d);
    };
    // dw = Σ_k g_k (e_u ⊙ e_i) and db = Σ_k g_k, summed in sample order.
    S* dw = grad.dense.data();
    std::fill(dw, dw + d, S(0));
    S db = S(0);
    const bool parallel = n * d > kParallelGrain;
    if (parallel) detail::parallel_for(n, true, row_gradients);
    for (Index k = 0; k < n; ++k) {
      if (!parallel) row_gradients(k);
      GMFPart<S>::add_head_gradient(dlogits[k], eu(k), ei(k), dw, d);
      db += dlogits[k];
    }
    grad.dense[d] = db;
    grad.tables[0].assign_sum(batch.users, n, ws.du.topRows(n));
    grad.tables[1].assign_sum(batch.items, n, ws.di.topRows(n));
  }

  /// θ ← θ + step·grad.
  void apply(const Gradient& grad, S step) { invlearn::apply(params_, grad, step); }

  /// The logits of users[0..user_count) × items [first_item, first_item + item_count)
  /// into `out` (row-major), by GEMM: (e_u ⊙ w) against the item table's rows, plus b
  /// (the optional Backbone member of model/backbone.hpp), on whole panels of rows
  /// (GMFPart::score_rows), so that a user's scores do not depend on the other users of
  /// the block. The sum over the d products runs in the GEMM's order, not forward()'s,
  /// so the two may differ in the last bits.
  void score_block(const Index* users, Index user_count, Index first_item, Index item_count, Workspace& ws,
                   S* out) const {
    check_score_block(users, user_count, first_item, item_count, num_users(), num_items(), "GMF::score_block");
    const Index padded = GMFPart<S>::score_rows_padded(user_count);
    reserve(ws, padded);
    const Index d = dim();
    auto queries = ws.eu.topRows(padded);
    for (Index r = 0; r < user_count; ++r)
      queries.row(r) = params_.tables[0].row(users[r]).cwiseProduct(params_.dense.head(d).transpose());
    queries.bottomRows(padded - user_count).setZero();
    GMFPart<S>::score_rows(queries, user_count, params_.tables[1].middleRows(first_item, item_count), params_.dense[d],
                           ws.score_tail, out);
  }

 private:
  template <class Out>
  void forward_impl(const BatchView& batch, const Gradient* grad, S step, Workspace& ws,
                    Out& logits) const {
    check_batch(batch, num_users(), num_items(), "GMF::forward");
    reserve(ws, batch.size);
    const Index n = batch.size;
    const Index d = dim();
    const bool displaced = grad != nullptr && step != S(0);
    const DisplacedTable<S> users{params_.tables[0], displaced ? &grad->tables[0] : nullptr, step};
    const DisplacedTable<S> items{params_.tables[1], displaced ? &grad->tables[1] : nullptr, step};
    S bias = params_.dense[d];
    if (displaced) {
      ws.head.noalias() = params_.dense.head(d) + step * grad->dense.head(d);
      bias += step * grad->dense[d];
    } else {
      ws.head = params_.dense.head(d);
    }
    ws.rows_at_theta = false;
    const S* w = ws.head.data();
    detail::parallel_for(n, n * d > kParallelGrain, [&](Index k) {
      if (k + kPrefetchAhead < n) {
        users.prefetch(batch.users[k + kPrefetchAhead]);
        items.prefetch(batch.items[k + kPrefetchAhead]);
      }
      S* eu = ws.eu.row(k).data();
      S* ei = ws.ei.row(k).data();
      users.read(batch.users[k], eu);
      items.read(batch.items[k], ei);
      logits[k] = detail::interaction(eu, ei, w, d) + bias;
    });
  }

  GMFOptions options_;
  Parameters<S> params_;
};

}  // namespace invlearn

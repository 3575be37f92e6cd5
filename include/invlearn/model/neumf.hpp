#pragma once
/// @file neumf.hpp
/// Neural Matrix Factorization, NeuMF-end (He et al., 2017): GMF and an MLP side by side.

#include <algorithm>
#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "invlearn/config.hpp"
#include "invlearn/core/error.hpp"
#include "invlearn/core/random.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/model/apply.hpp"
#include "invlearn/model/backbone.hpp"
#include "invlearn/model/check_batch.hpp"
#include "invlearn/model/dense.hpp"
#include "invlearn/model/displaced_table.hpp"
#include "invlearn/model/gmf_part.hpp"
#include "invlearn/model/neumf_options.hpp"
#include "invlearn/model/gradient.hpp"
#include "invlearn/model/init.hpp"
#include "invlearn/model/mlp.hpp"

namespace invlearn {

/// Buffers for one batch of NeuMF, allocated once (see NeuMF::workspace).
template <class S>
struct NeuMFWorkspace {
  RowMatrix<S> gu, gi;               ///< gathered GMF rows
  RowMatrix<S> x0;                   ///< gathered MLP input [user | item]
  std::vector<RowMatrix<S>> act;     ///< ReLU outputs of each MLP layer
  RowMatrix<S> delta_a, delta_b;     ///< back-propagated deltas, alternating
  RowMatrix<S> dgu, dgi;             ///< per-sample GMF row gradients
  Vector<S> dense;                   ///< θ + step·g for the dense block when displaced
  RowMatrix<S> user_part, item_part; ///< score_block: the halves of the first MLP layer
  Vector<S> score_tail;              ///< score_block: the GMF scores of its last partial panel of users
  const S* used = nullptr;           ///< dense weights the last forward used (θ's or `dense`)
  Index capacity() const { return x0.rows(); }
};

/// NeuMF-end: \f$x_{ui} = h^\top [e^G_u \odot e^G_i;\ \mathrm{MLP}([e^M_u; e^M_i])] + b\f$.
///
/// Parameters: tables {user GMF (U×d), item GMF (I×d), user MLP (U×m), item MLP (I×m)};
/// dense = [W_1, b_1, …, W_L, b_L, h, b] with each W_l stored column-major (in × out)
/// (MLPLayout). Init: embeddings N(0, 0.01²), MLP weights Xavier uniform, head
/// uniform(±√(3/fan_in)), biases 0.
template <class S>
class NeuMF {
 public:
  using Scalar = S;
  using Workspace = NeuMFWorkspace<S>;
  using Gradient = invlearn::Gradient<S>;
  using Options = NeuMFOptions;
  static constexpr const char* kind = "neumf";

  NeuMF(Index num_users, Index num_items, const NeuMFOptions& options = {}, std::uint64_t seed = 42)
      : options_(options) {
    require(num_users > 0, "NeuMF: num_users must be positive, got " + std::to_string(num_users));
    require(num_items > 0, "NeuMF: num_items must be positive, got " + std::to_string(num_items));
    require(options.dim > 0, "NeuMF: dim must be positive, got " + std::to_string(options.dim));
    require(options.mlp_layers >= 1 && options.mlp_layers <= 10,
            "NeuMF: mlp_layers must be in [1, 10], got " + std::to_string(options.mlp_layers));
    const Index d = options.dim;
    const Index m = d << (options.mlp_layers - 1);
    std::vector<Index> widths{2 * m};
    for (int l = 0; l < options.mlp_layers; ++l) widths.push_back(widths.back() / 2);
    mlp_ = MLPLayout(std::move(widths), 0);
    head_offset_ = mlp_.end();

    params_.tables.assign(4, Table<S>());
    allocate_table(params_.tables[0], num_users, d, false);
    allocate_table(params_.tables[1], num_items, d, false);
    allocate_table(params_.tables[2], num_users, m, false);
    allocate_table(params_.tables[3], num_items, m, false);
    params_.dense.setZero(head_offset_ + d + mlp_.output_width() + 1);
    Rng rng(seed, Stream::init);
    for (auto& t : params_.tables) init_normal(t, options.init_std, rng);
    mlp_.init(params_.dense, rng);
    const Index fan_in = d + mlp_.output_width();
    init_uniform(params_.dense.data() + head_offset_, fan_in, head_uniform_bound(fan_in), rng);
  }

  Index num_users() const { return params_.tables[0].rows(); }
  Index num_items() const { return params_.tables[1].rows(); }
  Index dim() const { return options_.dim; }
  /// MLP widths from input to output, e.g. {256, 128, 64, 32}.
  const std::vector<Index>& mlp_widths() const { return mlp_.widths(); }
  const NeuMFOptions& options() const { return options_; }
  Parameters<S>& parameters() { return params_; }
  const Parameters<S>& parameters() const { return params_; }
  /// The id that indexes each table.
  std::vector<TableKey> table_keys() const { return {TableKey::user, TableKey::item, TableKey::user, TableKey::item}; }
  Gradient make_gradient(Index max_batch) const { return Gradient(params_, max_batch); }

  Workspace workspace(Index max_batch) const {
    Workspace ws;
    reserve(ws, max_batch);
    return ws;
  }
  /// Grows `ws` to batches of `max_batch` rows (forward calls it; a no-op when it fits).
  void reserve(Workspace& ws, Index max_batch) const {
    if (ws.capacity() >= max_batch && ws.dense.size() == params_.dense.size()) return;
    const Index d = dim();
    const auto& widths = mlp_.widths();
    ws.gu.resize(max_batch, d);
    ws.gi.resize(max_batch, d);
    ws.dgu.resize(max_batch, d);
    ws.dgi.resize(max_batch, d);
    ws.x0.resize(max_batch, widths[0]);
    ws.act.resize(static_cast<std::size_t>(mlp_.layers()));
    for (int l = 0; l < mlp_.layers(); ++l) ws.act[l].resize(max_batch, widths[l + 1]);
    ws.delta_a.resize(max_batch, widths[0]);
    ws.delta_b.resize(max_batch, widths[0]);
    ws.dense.resize(params_.dense.size());
  }

  /// Logits of `batch` at θ.
  template <class Out>
  void forward(const BatchView& batch, Workspace& ws, Out&& logits) const {
    forward_impl(batch, nullptr, S(0), ws, logits);
  }

  /// Logits of `batch` at θ + step·grad without copying any embedding table (the
  /// dense block, a few tens of thousands of weights, is displaced into `ws`).
  template <class Out>
  void forward_displaced(const BatchView& batch, const Gradient& grad, S step, Workspace& ws,
                         Out&& logits) const {
    forward_impl(batch, &grad, step, ws, logits);
  }

  /// ∇θ of Σ_k dlogits[k]·x_k at the point of the last forward call on `ws`.
  template <class In>
  void backward(const BatchView& batch, Workspace& ws, const In& dlogits, Gradient& grad) const {
    const Index n = batch.size;
    const Index d = dim();
    const Index top = mlp_.output_width();
    const Eigen::Map<const Vector<S>> dense(ws.used, params_.dense.size());
    const auto head_g = dense.segment(head_offset_, d);
    const auto head_m = dense.segment(head_offset_ + d, top);
    grad.dense.setZero();

    // Head: dh = [G; A_L]ᵀ dl, db = Σ dl; summed in sample order.
    auto dh_g = grad.dense.segment(head_offset_, d);
    auto dh_m = grad.dense.segment(head_offset_ + d, top);
    S db = S(0);
    const auto& a_top = ws.act.back();
    for (Index k = 0; k < n; ++k) {
      const S g = dlogits[k];
      GMFPart<S>::add_head_gradient(g, ws.gu.row(k), ws.gi.row(k), dh_g);
      dh_m.noalias() += g * a_top.row(k).transpose();
      db += g;
    }
    grad.dense[head_offset_ + d + top] = db;

    // One parallel region for the rest (on a machine whose other core is busy, every
    // region costs a time slice): the GMF rows and the delta entering the top MLP layer,
    // dZ_L = dl hₘᵀ ⊙ [A_L > 0]; the tower's backward; the four tables' rows, one table per
    // task (each SparseRows is its own). Every loop's tasks are fixed by the shapes.
    const Index m = mlp_.input_width() / 2;
    std::exception_ptr error;
    INVLEARN_OMP(parallel if (n > detail::kGemmChunk))
    {
      INVLEARN_OMP(for schedule(static))
      for (Index k = 0; k < n; ++k) {
        const S g = dlogits[k];
        GMFPart<S>::row_gradients(g, head_g, ws.gu.row(k), ws.gi.row(k), ws.dgu.row(k), ws.dgi.row(k));
        // Unconditional stores through plain pointers, so the compiler vectorises the select.
        const S* a_row = a_top.row(k).data();
        const S* h = head_m.data();
        S* out = ws.delta_a.row(k).data();
        for (Index j = 0; j < top; ++j) out[j] = a_row[j] > S(0) ? g * h[j] : S(0);
      }
      // dX0 = [dE^M_u | dE^M_i]; every thread returns the same buffer.
      const RowMatrix<S>& dx0 = mlp_.backward(ws.used, ws.x0, ws.act, ws.delta_a, ws.delta_b, n, grad.dense.data());
      // The wide tables (the MLP's, m columns) first. A sum may grow its buffers (a batch
      // above the gradient's capacity): an allocation failure is taken out of the region
      // and thrown after it, since an exception must not leave an OpenMP region.
      INVLEARN_OMP(for schedule(dynamic, 1))
      for (int t = 0; t < 4; ++t) {
        try {
          switch (t) {
            case 0: grad.tables[2].assign_sum(batch.users, n, dx0.topLeftCorner(n, m)); break;
            case 1: grad.tables[3].assign_sum(batch.items, n, dx0.block(0, m, n, m)); break;
            case 2: grad.tables[0].assign_sum(batch.users, n, ws.dgu.topRows(n)); break;
            default: grad.tables[1].assign_sum(batch.items, n, ws.dgi.topRows(n)); break;
          }
        } catch (...) {
          INVLEARN_OMP(critical(invlearn_neumf_backward_error))
          if (!error) error = std::current_exception();
        }
      }
    }
    if (error) std::rethrow_exception(error);
  }

  void apply(const Gradient& grad, S step) { invlearn::apply(params_, grad, step); }

  /// The logits of users[0..user_count) × items [first_item, first_item + item_count) into
  /// `out`, row-major (the optional Backbone member of model/backbone.hpp). The first MLP
  /// layer splits by the rows of W_1 into a user half and an item half,
  /// [m_u; m_i]·W_1 + b_1 = (m_u·W_1[:m] + b_1) + m_i·W_1[m:], each computed once per block,
  /// and the GMF part is one GEMM, (e_u ⊙ h_G) against the item rows. Left per pair: the
  /// ReLU of a sum (widths[1] values), the layers above the first (2·Σ_{l≥2} in·out FLOP,
  /// GEMMs over 4·kGemmChunk pairs of one user at a time) and the head; at the defaults
  /// 20.6 kFLOP a pair against forward()'s 86 kFLOP. Sums run in other orders than
  /// forward()'s, so the two may differ in the last bits.
  void score_block(const Index* users, Index user_count, Index first_item, Index item_count, Workspace& ws,
                   S* out) const {
    check_score_block(users, user_count, first_item, item_count, num_users(), num_items(), "NeuMF::score_block");
    constexpr Index kPairs = 4 * detail::kGemmChunk;
    const Index d = dim(), m = mlp_.input_width() / 2, top = mlp_.output_width();
    const Index w1 = mlp_.widths()[1];
    const Index padded = GMFPart<S>::score_rows_padded(user_count);  // whole panels: see GMFPart::kScorePanel
    reserve(ws, std::max(padded, kPairs));
    if (ws.user_part.rows() < padded || ws.user_part.cols() != w1) ws.user_part.resize(padded, w1);
    if (ws.item_part.rows() < item_count || ws.item_part.cols() != w1) ws.item_part.resize(item_count, w1);
    const S* dense = params_.dense.data();
    const Eigen::Map<const ColMatrix<S>> w_first(dense + mlp_.weight_offset(0), 2 * m, w1);
    const Eigen::Map<const Vector<S>> b_first(dense + mlp_.bias_offset(0), w1);
    const auto head_g = params_.dense.segment(head_offset_, d);
    const auto head_m = params_.dense.segment(head_offset_ + d, top);
    const S head_bias = params_.dense[head_offset_ + d + top];
    for (Index r = 0; r < user_count; ++r) {
      ws.gu.row(r) = params_.tables[0].row(users[r]).cwiseProduct(head_g.transpose());
      ws.x0.row(r).head(m) = params_.tables[2].row(users[r]);
    }
    ws.gu.middleRows(user_count, padded - user_count).setZero();
    ws.x0.block(user_count, 0, padded - user_count, m).setZero();
    auto user_part = ws.user_part.topRows(padded);
    auto item_part = ws.item_part.topRows(item_count);
    user_part.noalias() = ws.x0.topLeftCorner(padded, m) * w_first.topRows(m);
    user_part.rowwise() += b_first.transpose();
    item_part.noalias() = params_.tables[3].middleRows(first_item, item_count) * w_first.bottomRows(m);
    GMFPart<S>::score_rows(ws.gu.topRows(padded), user_count, params_.tables[1].middleRows(first_item, item_count),
                           S(0), ws.score_tail, out);
    Eigen::Map<RowMatrix<S>> scores(out, user_count, item_count);
    for (Index r = 0; r < user_count; ++r) {
      for (Index j0 = 0; j0 < item_count; j0 += kPairs) {
        const Index n = std::min(kPairs, item_count - j0);
        for (Index c = 0; c < n; ++c)
          ws.act[0].row(c) = (user_part.row(r) + item_part.row(j0 + c)).cwiseMax(S(0));
        for (int l = 1; l < mlp_.layers(); ++l) {
          const Index in = mlp_.widths()[l], width = mlp_.widths()[l + 1];
          const Eigen::Map<const ColMatrix<S>> w(dense + mlp_.weight_offset(l), in, width);
          const Eigen::Map<const Vector<S>> b(dense + mlp_.bias_offset(l), width);
          auto a = ws.act[l].topRows(n);
          a.noalias() = ws.act[l - 1].topLeftCorner(n, in) * w;
          for (Index c = 0; c < n; ++c) a.row(c) = (a.row(c) + b.transpose()).cwiseMax(S(0));
        }
        const auto& a_top = ws.act.back();
        for (Index c = 0; c < n; ++c) scores(r, j0 + c) += a_top.row(c).dot(head_m.transpose()) + head_bias;
      }
    }
  }

 private:
  template <class Out>
  void forward_impl(const BatchView& batch, const Gradient* grad, S step, Workspace& ws,
                    Out& logits) const {
    check_batch(batch, num_users(), num_items(), "NeuMF::forward");
    reserve(ws, batch.size);
    const Index n = batch.size;
    const Index d = dim();
    const Index m = mlp_.input_width() / 2;
    const bool displaced = grad != nullptr && step != S(0);
    if (displaced) {
      ws.dense.noalias() = params_.dense + step * grad->dense;
      ws.used = ws.dense.data();
    } else {
      ws.used = params_.dense.data();
    }
    const Eigen::Map<const Vector<S>> dense(ws.used, params_.dense.size());
    const DisplacedTable<S> ug{params_.tables[0], displaced ? &grad->tables[0] : nullptr, step};
    const DisplacedTable<S> ig{params_.tables[1], displaced ? &grad->tables[1] : nullptr, step};
    const DisplacedTable<S> um{params_.tables[2], displaced ? &grad->tables[2] : nullptr, step};
    const DisplacedTable<S> im{params_.tables[3], displaced ? &grad->tables[3] : nullptr, step};
    const Index top = mlp_.output_width();
    const auto head_g = dense.segment(head_offset_, d);
    const auto head_m = dense.segment(head_offset_ + d, top);
    const S head_bias = dense[head_offset_ + d + top];
    // Rows never interact in the forward, so each chunk of kGemmChunk rows goes through
    // the gather, every layer and the head in one parallel region (one fork/join per
    // forward: on a machine whose other core is busy, every region costs a time slice).
    // The chunks are fixed by the batch size alone, so results do not depend on threads.
    const Index chunks = (n + detail::kGemmChunk - 1) / detail::kGemmChunk;
    INVLEARN_OMP(parallel for schedule(static) if (n > detail::kGemmChunk))
    for (Index c = 0; c < chunks; ++c) {
      const Index first = c * detail::kGemmChunk;
      const Index rows = std::min(detail::kGemmChunk, n - first);
      for (Index k = first; k < first + rows; ++k) {
        if (k + kPrefetchAhead < n) {
          ug.prefetch(batch.users[k + kPrefetchAhead]);
          ig.prefetch(batch.items[k + kPrefetchAhead]);
          um.prefetch(batch.users[k + kPrefetchAhead]);
          im.prefetch(batch.items[k + kPrefetchAhead]);
        }
        ug.read(batch.users[k], ws.gu.row(k));
        ig.read(batch.items[k], ws.gi.row(k));
        um.read(batch.users[k], ws.x0.row(k).head(m));
        im.read(batch.items[k], ws.x0.row(k).tail(m));
      }
      mlp_.forward(ws.used, ws.x0, ws.act, first, rows);
      const auto& a_top = ws.act.back();
      for (Index k = first; k < first + rows; ++k)
        logits[k] = GMFPart<S>::term(ws.gu.row(k), ws.gi.row(k), head_g) + a_top.row(k).dot(head_m.transpose()) +
                    head_bias;
    }
  }

  NeuMFOptions options_;
  Parameters<S> params_;
  MLPLayout mlp_;
  Index head_offset_ = 0;
};

}  // namespace invlearn

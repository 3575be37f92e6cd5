#pragma once
// A backbone written outside the library: plain matrix factorization,
// x_ui = e_u · e_i + c. It shows what a model must provide to be trained by any
// invlearn method, IG included (docs/concepts.md): the Backbone concept, nothing more.

#include <cmath>
#include <cstdint>

#include <invlearn/core/random.hpp>
#include <invlearn/model/backbone.hpp>

namespace example {

using invlearn::Index;

template <class S>
class DotMF {
 public:
  using Scalar = S;
  using Gradient = invlearn::Gradient<S>;
  struct Workspace {
    invlearn::RowMatrix<S> eu, ei, du, di;  // gathered rows and per-sample gradients
    S bias = 0;                             // the global bias the last forward used
  };

  DotMF(Index users, Index items, Index dim, std::uint64_t seed) {
    invlearn::require(users > 0 && items > 0 && dim > 0, "DotMF: sizes must be positive");
    params_.tables.emplace_back(users, dim);
    params_.tables.emplace_back(items, dim);
    params_.dense = invlearn::Vector<S>::Zero(1);
    invlearn::Rng rng(seed, invlearn::Stream::init);
    for (auto& t : params_.tables)
      for (Index k = 0; k < t.size(); ++k) t.data()[k] = static_cast<S>(rng.normal(0.0, 0.1));
  }

  Index num_users() const { return params_.tables[0].rows(); }
  Index num_items() const { return params_.tables[1].rows(); }
  invlearn::Parameters<S>& parameters() { return params_; }
  const invlearn::Parameters<S>& parameters() const { return params_; }
  Gradient make_gradient(Index max_batch) const { return Gradient(params_, max_batch); }
  Workspace workspace(Index max_batch) const {
    const Index d = params_.tables[0].cols();
    Workspace ws;
    ws.eu.resize(max_batch, d);
    ws.ei.resize(max_batch, d);
    ws.du.resize(max_batch, d);
    ws.di.resize(max_batch, d);
    return ws;
  }

  template <class Out>
  void forward(const invlearn::BatchView& b, Workspace& ws, Out&& logits) const {
    run(b, nullptr, S(0), ws, logits);
  }
  template <class Out>
  void forward_displaced(const invlearn::BatchView& b, const Gradient& g, S step, Workspace& ws,
                         Out&& logits) const {
    run(b, &g, step, ws, logits);
  }
  // ∂x/∂e_u = e_i, ∂x/∂e_i = e_u, ∂x/∂c = 1, at the point of the last forward.
  template <class In>
  void backward(const invlearn::BatchView& b, Workspace& ws, const In& dlogits, Gradient& g) const {
    S dc = 0;
    for (Index k = 0; k < b.size; ++k) {
      ws.du.row(k) = dlogits[k] * ws.ei.row(k);
      ws.di.row(k) = dlogits[k] * ws.eu.row(k);
      dc += dlogits[k];
    }
    g.tables[0].assign_sum(b.users, b.size, ws.du.topRows(b.size));
    g.tables[1].assign_sum(b.items, b.size, ws.di.topRows(b.size));
    g.dense[0] = dc;
  }
  void apply(const Gradient& g, S step) { invlearn::apply(params_, g, step); }

 private:
  template <class Out>
  void run(const invlearn::BatchView& b, const Gradient* g, S step, Workspace& ws, Out& logits) const {
    invlearn::check_batch(b, num_users(), num_items(), "DotMF");
    if (ws.eu.rows() < b.size) ws = workspace(b.size);
    const invlearn::DisplacedTable<S> users{params_.tables[0], g ? &g->tables[0] : nullptr, step};
    const invlearn::DisplacedTable<S> items{params_.tables[1], g ? &g->tables[1] : nullptr, step};
    ws.bias = params_.dense[0] + (g ? step * g->dense[0] : S(0));
    for (Index k = 0; k < b.size; ++k) {
      users.read(b.users[k], ws.eu.row(k));
      items.read(b.items[k], ws.ei.row(k));
      logits[k] = ws.eu.row(k).dot(ws.ei.row(k)) + ws.bias;
    }
  }
  invlearn::Parameters<S> params_;
};

}  // namespace example

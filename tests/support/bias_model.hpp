#pragma once
// A logistic model over one-hot user and item features, x_ui = b_u + b_i (+ c):
// the model of the paper's proof of Theorem 1, written as a backbone.

#include "invlearn/core/error.hpp"
#include "invlearn/model/backbone.hpp"

namespace invlearn_test {

using invlearn::Index;

class BiasModel {
 public:
  using Scalar = double;
  using Gradient = invlearn::Gradient<double>;
  struct Workspace {
    invlearn::RowMatrix<double> ones;  // per-sample ∂x/∂b (always 1)
  };

  BiasModel(Index users, Index items, bool with_global_bias) {
    params_.tables.emplace_back(invlearn::RowMatrix<double>::Zero(users, 1));
    params_.tables.emplace_back(invlearn::RowMatrix<double>::Zero(items, 1));
    params_.dense = invlearn::Vector<double>::Zero(with_global_bias ? 1 : 0);
  }
  Index num_users() const { return params_.tables[0].rows(); }
  Index num_items() const { return params_.tables[1].rows(); }
  invlearn::Parameters<double>& parameters() { return params_; }
  const invlearn::Parameters<double>& parameters() const { return params_; }
  Workspace workspace(Index n) const { return Workspace{invlearn::RowMatrix<double>::Ones(n, 1)}; }
  Gradient make_gradient(Index n) const { return Gradient(params_, n); }

  template <class Out>
  void forward(const invlearn::BatchView& b, Workspace& ws, Out&& logits) const {
    forward_displaced(b, nullptr, 0.0, ws, logits);
  }
  template <class Out>
  void forward_displaced(const invlearn::BatchView& b, const Gradient& g, double step, Workspace& ws,
                         Out&& logits) const {
    forward_displaced(b, &g, step, ws, logits);
  }
  template <class In>
  void backward(const invlearn::BatchView& b, Workspace& ws, const In& dlogits, Gradient& g) const {
    if (ws.ones.rows() < b.size) ws.ones = invlearn::RowMatrix<double>::Ones(b.size, 1);
    invlearn::RowMatrix<double> per(b.size, 1);
    for (Index k = 0; k < b.size; ++k) per(k, 0) = dlogits[k];
    g.tables[0].assign_sum(b.users, b.size, per);
    g.tables[1].assign_sum(b.items, b.size, per);
    g.dense.setZero();
    if (g.dense.size() > 0)
      for (Index k = 0; k < b.size; ++k) g.dense[0] += dlogits[k];
  }
  void apply(const Gradient& g, double step) { invlearn::apply(params_, g, step); }

 private:
  template <class Out>
  void forward_displaced(const invlearn::BatchView& b, const Gradient* g, double step, Workspace&,
                         Out& logits) const {
    invlearn::check_batch(b, num_users(), num_items(), "BiasModel");
    const invlearn::DisplacedTable<double> users{params_.tables[0], g ? &g->tables[0] : nullptr, step};
    const invlearn::DisplacedTable<double> items{params_.tables[1], g ? &g->tables[1] : nullptr, step};
    // Each one-wide row into its own part of a wider buffer: GCC 12 takes Eigen's
    // vectorised store into a 1 × 1 matrix for an out-of-bounds write (-Warray-bounds).
    invlearn::RowMatrix<double> ui(1, 8);
    for (Index k = 0; k < b.size; ++k) {
      users.read(b.users[k], ui.row(0).segment(0, 1));
      items.read(b.items[k], ui.row(0).segment(4, 1));
      double c = params_.dense.size() > 0 ? params_.dense[0] : 0.0;
      if (g && params_.dense.size() > 0) c += step * g->dense[0];
      logits[k] = ui(0, 0) + ui(0, 4) + c;
    }
  }
  invlearn::Parameters<double> params_;
};

}  // namespace invlearn_test

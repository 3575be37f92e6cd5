#pragma once
/// @file adam.hpp
/// Adam (Kingma & Ba, 2015) with state kept across steps, lazy for embedding rows.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>

#include "invlearn/config.hpp"
#include "invlearn/core/error.hpp"
#include "invlearn/model/gradient.hpp"

namespace invlearn {

/// Settings of Adam.
struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
  /// true: update the moments and values of only the embedding rows a gradient holds
  /// (LazyAdam / SparseAdam; O(batch) per step). false: every row's moments decay and
  /// every row moves each step, exactly as PyTorch's torch.optim.Adam (O(|θ|) per step).
  bool lazy = true;
};

/// Per step t (counted from 1) and every parameter with gradient g:
/// \f[ m \leftarrow \beta_1 m + (1-\beta_1) g,\quad v \leftarrow \beta_2 v + (1-\beta_2) g^2,\quad
///     \theta \leftarrow \theta - \frac{\gamma}{1-\beta_1^t}\cdot\frac{m}{\sqrt{v}/\sqrt{1-\beta_2^t} + \epsilon} \f]
/// in PyTorch's order of operations. The state (m, v, t) persists across steps: the
/// authors' release built a fresh Adam for every meta step, we do not.
/// Dense weights are always updated densely; embedding rows lazily unless `lazy` is off.
template <class S>
class AdamState {
 public:
  Parameters<S> m, v;
  std::int64_t t = 0;
  bool initialized() const { return !m.tables.empty() || m.dense.size() > 0; }
  void initialize(const Parameters<S>& params) {
    m.tables.resize(params.tables.size());
    v.tables.resize(params.tables.size());
    for (std::size_t k = 0; k < params.tables.size(); ++k) {
      allocate_table(m.tables[k], params.tables[k].rows(), params.tables[k].cols(), true);
      allocate_table(v.tables[k], params.tables[k].rows(), params.tables[k].cols(), true);
    }
    m.dense.setZero(params.dense.size());
    v.dense.setZero(params.dense.size());
    t = 0;
  }
  /// Checkpoint archive protocol (core/archive.hpp): m, v and t; m and v must agree.
  template <class Archive>
  void serialize(Archive& ar) {
    ar(m, v, t);
    ar.check(m.tables.size() == v.tables.size() && m.dense.size() == v.dense.size(),
             "Adam moments m and v differ in shape");
  }
};

class Adam {
 public:
  static constexpr const char* name = "adam";
  double lr;

  explicit Adam(const AdamOptions& options = {}) : lr(options.lr), options_(options) { validate(); }
  explicit Adam(double learning_rate) : Adam(with_lr(learning_rate)) {}

  const AdamOptions& options() const { return options_; }
  bool lazy() const { return options_.lazy; }

  /// One Adam step on `params`. The state is created on the first call, shaped like `params`.
  template <class S>
  void step(Parameters<S>& params, const Gradient<S>& grad) {
    auto& st = state<S>();
    if (!st.initialized()) st.initialize(params);
    ++st.t;
    const double bc1 = 1.0 - std::pow(options_.beta1, static_cast<double>(st.t));
    const double bc2 = 1.0 - std::pow(options_.beta2, static_cast<double>(st.t));
    const S b1 = static_cast<S>(options_.beta1), b2 = static_cast<S>(options_.beta2);
    const S step_size = static_cast<S>(lr / bc1);
    const S bc2_sqrt = static_cast<S>(std::sqrt(bc2));
    const S eps = static_cast<S>(options_.epsilon);

    // One scalar (or row) of the update, shared by every path.
    auto update = [&](auto&& theta, auto&& m, auto&& v, const auto& g) {
      m = b1 * m + (S(1) - b1) * g;
      v = b2 * v + (S(1) - b2) * g.cwiseProduct(g);
      theta.array() -= step_size * m.array() / (v.array().sqrt() / bc2_sqrt + eps);
    };

    if (options_.lazy) {
      for_each_row_across_tables(grad, [&](std::size_t k, Index r) {
        const auto& g = grad.tables[k];
        auto& table = params.tables[k];
        auto& mt = st.m.tables[k];
        auto& vt = st.v.tables[k];
        const auto& rows = g.rows();
        // Ask for the rows a few slots ahead, so their misses overlap this work.
        if (r + kPrefetchAhead < g.count()) {
          const Index ahead = rows[static_cast<std::size_t>(r + kPrefetchAhead)];
          prefetch_row(table, ahead);
          prefetch_row(mt, ahead);
          prefetch_row(vt, ahead);
        }
        const Index row = rows[static_cast<std::size_t>(r)];
        update(table.row(row), mt.row(row), vt.row(row), g.value(r));
      });
    } else {
      for (std::size_t k = 0; k < params.tables.size(); ++k) {
        auto& table = params.tables[k];
        auto& mt = st.m.tables[k];
        auto& vt = st.v.tables[k];
        const auto& g = grad.tables[k];
        // Every row moves: rows without gradient see g = 0.
        const Index dim = table.cols();
        INVLEARN_OMP(parallel for schedule(static) if (table.size() > kParallelGrain))
        for (Index row = 0; row < table.rows(); ++row) {
          const std::int32_t s = g.find(row);
          if (s >= 0)
            update(table.row(row), mt.row(row), vt.row(row), g.value(s));
          else
            update(table.row(row), mt.row(row), vt.row(row), RowMatrix<S>::Zero(1, dim).row(0));
        }
      }
    }
    update(params.dense, st.m.dense, st.v.dense, grad.dense);
  }

  /// The moments and step count for scalar type S (for checkpoints and tests).
  template <class S>
  AdamState<S>& state() {
    if constexpr (std::is_same<S, float>::value) return float_state_;
    else return double_state_;
  }
  template <class S>
  const AdamState<S>& state() const {
    if constexpr (std::is_same<S, float>::value) return float_state_;
    else return double_state_;
  }

  /// Checkpoint archive protocol (core/archive.hpp): the moments and step counts
  /// (the options come from the code that builds the optimizer, not from the file).
  template <class Archive>
  void serialize(Archive& ar) {
    ar(float_state_, double_state_);
  }

 private:
  static AdamOptions with_lr(double lr) {
    AdamOptions o;
    o.lr = lr;
    return o;
  }
  void validate() const {
    require(std::isfinite(options_.lr) && options_.lr >= 0, "Adam: lr must be finite and >= 0");
    require(options_.beta1 >= 0 && options_.beta1 < 1, "Adam: beta1 must be in [0, 1)");
    require(options_.beta2 >= 0 && options_.beta2 < 1, "Adam: beta2 must be in [0, 1)");
    require(options_.epsilon > 0, "Adam: epsilon must be positive");
  }
  AdamOptions options_;
  AdamState<float> float_state_;
  AdamState<double> double_state_;
};

}  // namespace invlearn

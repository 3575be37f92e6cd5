#pragma once
/// @file adam.hpp
/// Adam (Kingma & Ba, 2015) with state kept across steps, lazy for embedding rows.

#include <cmath>
#include <cstdint>
#include <optional>

#include "invlearn/config.hpp"
#include "invlearn/core/error.hpp"
#include "invlearn/core/memory.hpp"
#include "invlearn/model/gradient.hpp"
#include "invlearn/optim/moments.hpp"

namespace invlearn {

/// Settings of Adam.
struct AdamOptions {
  /// γ. Unset: the trainer's TrainerOptions::lr, or 1e-3 when neither is set (set both
  /// to different values and the trainer refuses them).
  std::optional<double> lr;
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
///
/// Adam holds the settings; `Adam::State<S>` (built by the trainer) holds the moments.
class Adam {
 public:
  static constexpr const char* name = "adam";
  static constexpr double kDefaultLr = 1e-3;

  explicit Adam(const AdamOptions& options = {}) : options_(options) { validate(); }
  explicit Adam(double learning_rate) : Adam(with_lr(learning_rate)) {}

  const AdamOptions& options() const { return options_; }
  bool lazy() const { return options_.lazy; }
  /// γ as set (unset: see AdamOptions::lr).
  std::optional<double> lr() const { return options_.lr; }
  void set_lr(double lr) {
    options_.lr = lr;
    validate();
  }

  /// The moments and step count of one run, for a model of scalar S.
  template <class S>
  class State {
   public:
    State(const Adam& adam, const Parameters<S>& /*params*/) : options_(adam.options()) {}

    /// One Adam step on `params`. The moments are created on the first call, shaped like `params`.
    void step(Parameters<S>& params, const Gradient<S>& grad) {
      auto& st = moments_;
      if (!st.initialized()) st.initialize(params);
      ++st.t;
      const double bc1 = 1.0 - std::pow(options_.beta1, static_cast<double>(st.t));
      const double bc2 = 1.0 - std::pow(options_.beta2, static_cast<double>(st.t));
      const S b1 = static_cast<S>(options_.beta1), b2 = static_cast<S>(options_.beta2);
      const S step_size = static_cast<S>(options_.lr.value_or(kDefaultLr) / bc1);
      const S bc2_sqrt = static_cast<S>(std::sqrt(bc2));
      const S eps = static_cast<S>(options_.epsilon);

      // One scalar (or row) of the update, shared by every path.
      auto update = [&](auto&& theta, auto&& m, auto&& v, const auto& g) {
        update_moments(m, v, g, b1, b2);
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

    const Moments<S>& moments() const { return moments_; }
    Moments<S>& moments() { return moments_; }
    double lr() const { return options_.lr.value_or(kDefaultLr); }

    /// Archive protocol (core/archive.hpp): the moments and step count (the settings come
    /// from the code that builds the optimizer, not from the file).
    template <class Archive>
    void serialize(Archive& ar) {
      serialize_scalar_pair<S, Moments>(ar, moments_);
    }

   private:
    AdamOptions options_;
    Moments<S> moments_;
  };

 private:
  static AdamOptions with_lr(double lr) {
    AdamOptions o;
    o.lr = lr;
    return o;
  }
  void validate() const {
    if (options_.lr)
      require(std::isfinite(*options_.lr) && *options_.lr >= 0, "Adam: lr must be finite and >= 0");
    require(options_.beta1 >= 0 && options_.beta1 < 1, "Adam: beta1 must be in [0, 1)");
    require(options_.beta2 >= 0 && options_.beta2 < 1, "Adam: beta2 must be in [0, 1)");
    require(options_.epsilon > 0, "Adam: epsilon must be positive");
  }
  AdamOptions options_;
};

}  // namespace invlearn

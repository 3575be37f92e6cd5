#pragma once
/// @file adam.hpp
/// Adam (Kingma & Ba, 2015) with state kept across steps: dense Adam's parameters at the
/// cost of a lazy update (deferred rows), or LazyAdam, or dense Adam itself.

#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "invlearn/config.hpp"
#include "invlearn/core/error.hpp"
#include "invlearn/core/memory.hpp"
#include "invlearn/model/gradient.hpp"
#include "invlearn/optim/idle_steps.hpp"
#include "invlearn/optim/moments.hpp"

namespace invlearn {

/// How Adam treats the embedding rows a step's gradient does not hold.
enum class AdamRows {
  /// As dense Adam (every row's moments decay and every row moves on its momentum each
  /// step), at a lazy update's cost: a row's missed steps are taken when it is next read
  /// or written (IdleSteps), and every row before evaluation or saving. The default.
  deferred,
  /// LazyAdam / SparseAdam: rows without gradient keep their moments and do not move.
  /// Cheapest; with few labels a row's momentum is thrown away between its rare visits.
  lazy,
  /// torch.optim.Adam exactly: every row of every table each step, O(|θ|) per step.
  dense,
};

/// Settings of Adam.
struct AdamOptions {
  /// γ. Unset: the trainer's TrainerOptions::lr, or 1e-3 when neither is set (set both
  /// to different values and the trainer refuses them).
  std::optional<double> lr;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
  AdamRows rows = AdamRows::deferred;
};

/// Per step t (counted from 1) and every parameter with gradient g:
/// \f[ m \leftarrow \beta_1 m + (1-\beta_1) g,\quad v \leftarrow \beta_2 v + (1-\beta_2) g^2,\quad
///     \theta \leftarrow \theta - \frac{\gamma}{1-\beta_1^t}\cdot\frac{m}{\sqrt{v}/\sqrt{1-\beta_2^t} + \epsilon} \f]
/// in PyTorch's order of operations. The state (m, v, t) persists across steps: the
/// authors' release built a fresh Adam for every meta step, we do not.
/// Dense weights are always updated densely; embedding rows as AdamOptions::rows says.
///
/// Adam holds the settings; `Adam::State<S>` (built by the trainer) holds the moments.
class Adam {
 public:
  static constexpr const char* name = "adam";
  static constexpr double kDefaultLr = 1e-3;

  Adam() : Adam(AdamOptions{}) {}
  explicit Adam(const AdamOptions& options) : options_(options) { validate(); }
  explicit Adam(double learning_rate) : Adam(with_lr(learning_rate)) {}

  const AdamOptions& options() const { return options_; }
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
    State(const Adam& adam, const Parameters<S>& /*params*/) : options_(adam.options()) {
      if (options_.rows == AdamRows::deferred) idle_ = IdleSteps::for_betas(options_.beta1, options_.beta2);
    }

    /// One Adam step on `params`. The moments are created on the first call, shaped like `params`.
    void step(Parameters<S>& params, const Gradient<S>& grad) {
      auto& st = moments_;
      if (!st.initialized()) initialize(params);
      const std::int64_t before = st.t++;
      const double bc1 = 1.0 - std::pow(options_.beta1, static_cast<double>(st.t));
      const double bc2 = 1.0 - std::pow(options_.beta2, static_cast<double>(st.t));
      const S b1 = static_cast<S>(options_.beta1), b2 = static_cast<S>(options_.beta2);
      const S step_size = static_cast<S>(lr() / bc1);
      const S bc2_sqrt = static_cast<S>(std::sqrt(bc2));
      const S eps = static_cast<S>(options_.epsilon);

      // One scalar (or row) of the update, shared by every path.
      auto update = [&](auto&& theta, auto&& m, auto&& v, const auto& g) {
        update_moments(m, v, g, b1, b2);
        theta.array() -= step_size * m.array() / (v.array().sqrt() / bc2_sqrt + eps);
      };

      if (options_.rows == AdamRows::dense) {
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
      } else {
        const bool deferred = options_.rows == AdamRows::deferred;
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
          if (deferred) catch_up(params, k, row, before);
          update(table.row(row), mt.row(row), vt.row(row), g.value(r));
          if (deferred) last_[k][static_cast<std::size_t>(row)] = st.t;
        });
        behind_ = deferred;
      }
      update(params.dense, st.m.dense, st.v.dense, grad.dense);
    }

    /// Deferred rows: takes the steps the rows `batch` reads have missed (the rows of
    /// user-keyed tables by batch.users, of item-keyed ones by batch.items), so that a
    /// forward reads what dense Adam would hold. A no-op for the other modes.
    void bring_up_to_date(Parameters<S>& params, const BatchView& batch, const std::vector<TableKey>& keys) {
      if (options_.rows != AdamRows::deferred || !behind_) return;
      for (std::size_t k = 0; k < params.tables.size(); ++k) {
        const Index* ids = keys[k] == TableKey::user ? batch.users : batch.items;
        for (Index i = 0; i < batch.size; ++i) catch_up(params, k, ids[i], moments_.t);
      }
    }

    /// Deferred rows: takes every row's missed steps (before evaluating or saving θ).
    void bring_all_up_to_date(Parameters<S>& params) {
      if (options_.rows != AdamRows::deferred || !behind_) return;
      for (std::size_t k = 0; k < params.tables.size(); ++k) {
        const Index rows = params.tables[k].rows();
        INVLEARN_OMP(parallel for schedule(static) if (params.tables[k].size() > kParallelGrain))
        for (Index row = 0; row < rows; ++row) catch_up(params, k, row, moments_.t);
      }
      behind_ = false;
    }

    const Moments<S>& moments() const { return moments_; }
    Moments<S>& moments() { return moments_; }
    double lr() const { return options_.lr.value_or(kDefaultLr); }
    AdamRows rows() const { return options_.rows; }

    /// Archive protocol (core/archive.hpp): the moments and step count (the settings come
    /// from the code that builds the optimizer, not from the file). Saved with every row
    /// up to date (the trainer brings them before it saves), so the layout is that of
    /// every Adam mode and a loaded state has every row current.
    template <class Archive>
    void serialize(Archive& ar) {
      if constexpr (!Archive::loading) {
        if (behind_) throw Error("Adam: rows have steps pending; bring_all_up_to_date() before saving");
      }
      serialize_scalar_pair<S, Moments>(ar, moments_);
      if constexpr (Archive::loading) reset_rows();
    }

   private:
    void initialize(const Parameters<S>& params) {
      moments_.initialize(params);
      reset_rows();
    }
    /// Every row current at the moments' step.
    void reset_rows() {
      last_.assign(moments_.m.tables.size(), {});
      for (std::size_t k = 0; k < last_.size(); ++k)
        last_[k].assign(static_cast<std::size_t>(moments_.m.tables[k].rows()), moments_.t);
      behind_ = false;
    }
    /// Takes row `row` of table k from its last step to step `now` (no gradient on the way).
    void catch_up(Parameters<S>& params, std::size_t k, Index row, std::int64_t now) {
      if (last_.empty()) return;  // no step yet: nothing is behind
      std::int64_t& last = last_[k][static_cast<std::size_t>(row)];
      if (last >= now) return;
      idle_->template apply<S>(last, now - last, lr(), options_.epsilon, params.tables[k].row(row),
                               moments_.m.tables[k].row(row), moments_.v.tables[k].row(row));
      last = now;
    }

    AdamOptions options_;
    Moments<S> moments_;
    std::shared_ptr<const IdleSteps> idle_;
    std::vector<std::vector<std::int64_t>> last_;  ///< deferred: per table row, the step it is current at
    bool behind_ = false;                           ///< deferred: some row has steps pending
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

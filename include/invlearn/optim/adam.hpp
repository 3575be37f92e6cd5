#pragma once
/// @file adam.hpp
/// Adam (Kingma & Ba, 2015) with state kept across steps: dense Adam's parameters at the
/// cost of a lazy update (deferred rows), or LazyAdam, or dense Adam itself.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <type_traits>
#include <vector>

#include "invlearn/config.hpp"
#include "invlearn/core/error.hpp"
#include "invlearn/core/memory.hpp"
#include "invlearn/core/subnormals.hpp"
#include "invlearn/model/gradient.hpp"
#include "invlearn/model/parallel.hpp"
#include "invlearn/optim/adam_options.hpp"
#include "invlearn/optim/idle_steps.hpp"
#include "invlearn/optim/moments.hpp"
#include "invlearn/optim/row_kernels.hpp"
#include "invlearn/optim/row_moments.hpp"

namespace invlearn {

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
  ///
  /// Each embedding table's rows keep m, v and the step they are current at in one record
  /// (RowMoments); the dense block keeps m and v as vectors. Its arithmetic runs with
  /// subnormal numbers taken as zero (detail::FlushSubnormals), in every mode.
  template <class S>
  class State {
   public:
    State(const Adam& adam, const Parameters<S>& /*params*/)
        : options_(adam.options()), avx2_(detail::use_avx2_row_kernels()) {
      if (options_.rows == AdamRows::deferred) idle_ = IdleSteps::for_betas(options_.beta1, options_.beta2);
    }

    /// One Adam step on `params`. The moments are created on the first call, shaped like `params`.
    void step(Parameters<S>& params, const Gradient<S>& grad) {
      if (!initialized_) initialize(params);
      const std::int64_t before = t_++;
      const double bc1 = 1.0 - std::pow(options_.beta1, static_cast<double>(t_));
      const double bc2 = 1.0 - std::pow(options_.beta2, static_cast<double>(t_));
      detail::AdamRowConstants<S> k;
      k.beta1 = static_cast<S>(options_.beta1);
      k.beta2 = static_cast<S>(options_.beta2);
      k.one_minus_beta1 = S(1) - k.beta1;
      k.one_minus_beta2 = S(1) - k.beta2;
      k.step_size = static_cast<S>(lr() / bc1);
      k.bc2_sqrt = static_cast<S>(std::sqrt(bc2));
      k.epsilon = static_cast<S>(options_.epsilon);

      if (options_.rows == AdamRows::dense) {
        for (std::size_t t = 0; t < params.tables.size(); ++t) {
          auto& table = params.tables[t];
          auto& rm = rows_[t];
          const auto& g = grad.tables[t];
          // Every row moves: rows without gradient see g = 0.
          const Index dim = table.cols();
          detail::parallel_for<detail::FlushSubnormals>(table.rows(), table.size() > kParallelGrain, [&](Index row) {
            const std::int32_t s = g.find(row);
            detail::adam_row(table.row(row).data(), rm.m(row), rm.v(row), s >= 0 ? g.value(s).data() : zeros_.data(),
                             dim, k, avx2_);
          });
        }
      } else {
        const bool deferred = options_.rows == AdamRows::deferred;
        for_each_row_across_tables<detail::FlushSubnormals>(grad, [&](std::size_t t, Index r) {
          const auto& g = grad.tables[t];
          auto& table = params.tables[t];
          auto& rm = rows_[t];
          const auto& rows = g.rows();
          // Ask for the rows a few slots ahead, so their misses overlap this work.
          if (r + kPrefetchAhead < g.count()) {
            const Index ahead = rows[static_cast<std::size_t>(r + kPrefetchAhead)];
            prefetch_row(table, ahead);
            rm.prefetch(ahead);
          }
          const Index row = rows[static_cast<std::size_t>(r)];
          if (deferred) catch_up(params, t, row, before, nullptr);
          detail::adam_row(table.row(row).data(), rm.m(row), rm.v(row), g.value(r).data(), table.cols(), k, avx2_);
          if (deferred) rm.set_step(row, t_);
        });
        behind_ = deferred;
      }
      const detail::FlushSubnormals flush;
      detail::adam_row(params.dense.data(), dense_m_.data(), dense_v_.data(), grad.dense.data(), params.dense.size(),
                       k, avx2_);
    }

    /// Past this many bytes of θ and moments, the rows a step reads come from memory and the
    /// catch-up waits on their misses; two threads keep twice as many in flight
    /// (docs/performance.md, "Deferred rows on two threads"). Below it the rows sit in the
    /// cache of the core that last wrote them, and a second thread pulls them over and back.
    static constexpr long long kColdStateBytes = 64LL << 20;

    /// Deferred rows: takes the steps the rows `batch` reads have missed (the rows of
    /// user-keyed tables by batch.users, of item-keyed ones by batch.items), so that a
    /// forward reads what dense Adam would hold. A no-op for the other modes.
    void bring_up_to_date(Parameters<S>& params, const BatchView& batch, const std::vector<TableKey>& keys) {
      if (options_.rows != AdamRows::deferred || !behind_) return;
      long long work = 0;  // scalars touched: θ, m and v of every row the batch reads
      for (const auto& table : params.tables) work += 3LL * batch.size * table.cols();
      if (!split_by_row(params, work)) {
        const detail::FlushSubnormals flush;
        return catch_up_owned(params, batch, keys, 0, 1, windows_);
      }
      // A batch repeats ids, so the threads split the rows, not the batch: thread j of T
      // takes the rows whose id is j mod T, in every table. A row's catch-up is the same
      // arithmetic whoever takes it, so the result does not depend on T.
      INVLEARN_OMP(parallel)
      {
        const detail::FlushSubnormals flush;  // per thread
        WindowCache windows;                  // one per thread
        catch_up_owned(params, batch, keys, thread_in_team(), team_size(), windows);
      }
    }

    /// Deferred rows: takes every row's missed steps (before evaluating or saving θ).
    void bring_all_up_to_date(Parameters<S>& params) {
      if (options_.rows != AdamRows::deferred || !behind_) return;
      for (std::size_t k = 0; k < params.tables.size(); ++k) {
        const Index rows = params.tables[k].rows();
        INVLEARN_OMP(parallel if (params.tables[k].size() > kParallelGrain))
        {
          const detail::FlushSubnormals flush;  // per thread
          WindowCache windows;                  // one per thread
          INVLEARN_OMP(for schedule(static))
          for (Index row = 0; row < rows; ++row) catch_up(params, k, row, t_, &windows);
        }
      }
      behind_ = false;
    }

    /// A copy of the moments in the layout of θ (m and v shaped like the parameters) and
    /// the step count: what a checkpoint holds. Empty before the first step.
    const Moments<S> moments() const {
      Moments<S> out;
      out.t = t_;
      if (!initialized_) return out;
      out.m = export_part(0);
      out.v = export_part(1);
      return out;
    }

    /// Replaces the moments and the step count: every row current at `moments.t` (as after
    /// loading a checkpoint). Empty moments forget the state; the next step starts a run.
    void set_moments(const Moments<S>& moments) {
      if (!moments.initialized()) {
        *this = State(options_);
        return;
      }
      const auto& m = moments.m;
      const auto& v = moments.v;
      bool same = m.tables.size() == v.tables.size() && m.dense.size() == v.dense.size();
      for (std::size_t k = 0; same && k < m.tables.size(); ++k)
        same = m.tables[k].rows() == v.tables[k].rows() && m.tables[k].cols() == v.tables[k].cols();
      require(same, "Adam::State::set_moments: m and v differ in shape");
      rows_.assign(m.tables.size(), RowMoments<S>());
      Index widest = 0;
      for (std::size_t k = 0; k < m.tables.size(); ++k) {
        rows_[k].assign(m.tables[k], v.tables[k], moments.t);
        widest = std::max(widest, m.tables[k].cols());
      }
      dense_m_ = m.dense;
      dense_v_ = v.dense;
      zeros_.setZero(widest);
      t_ = moments.t;
      initialized_ = true;
      pristine_ = false;
      behind_ = false;
    }

    /// The number of steps taken.
    std::int64_t steps() const { return t_; }
    double lr() const { return options_.lr.value_or(kDefaultLr); }
    AdamRows rows() const { return options_.rows; }

    /// Archive protocol (core/archive.hpp): the moments and step count (the settings come
    /// from the code that builds the optimizer, not from the file), in the layout of
    /// moments(): m and v as parameters shaped like θ, then t, beside an empty state of the
    /// other scalar type (serialize_scalar_pair), as every format version has held them.
    /// Saved with every row up to date (the trainer brings them before it saves), so a
    /// loaded state has every row current.
    template <class Archive>
    void serialize(Archive& ar) {
      if constexpr (Archive::loading) {
        Moments<S> loaded;
        serialize_scalar_pair<S, Moments>(ar, loaded);
        set_moments(loaded);
      } else {
        if (behind_) throw Error("Adam: rows have steps pending; bring_all_up_to_date() before saving");
        Moments<other_scalar_t<S>> other;
        if constexpr (!std::is_same<S, float>::value) ar(other);
        {  // m, then v, then t, as Moments::serialize writes them; one copy alive at a time
          Parameters<S> m = export_part(0);
          ar(m);
        }
        {
          Parameters<S> v = export_part(1);
          ar(v);
        }
        std::int64_t t = t_;
        ar(t);
        if constexpr (std::is_same<S, float>::value) ar(other);
      }
    }

   private:
    using WindowCache = detail::IdleWindowCache<S>;

    explicit State(const AdamOptions& options) : options_(options), avx2_(detail::use_avx2_row_kernels()) {
      if (options_.rows == AdamRows::deferred) idle_ = IdleSteps::for_betas(options_.beta1, options_.beta2);
    }

    void initialize(const Parameters<S>& params) {
      rows_.assign(params.tables.size(), RowMoments<S>());
      Index widest = 0;
      for (std::size_t k = 0; k < params.tables.size(); ++k) {
        rows_[k].reset(params.tables[k].rows(), params.tables[k].cols(), 0);
        widest = std::max(widest, params.tables[k].cols());
      }
      dense_m_.setZero(params.dense.size());
      dense_v_.setZero(params.dense.size());
      zeros_.setZero(widest);
      t_ = 0;
      initialized_ = true;
      pristine_ = true;
      behind_ = false;
    }

    /// m (part 0) or v (part 1) of every table and of the dense block, shaped like θ.
    Parameters<S> export_part(int part) const {
      Parameters<S> p;
      if (!initialized_) return p;
      p.tables.reserve(rows_.size());
      for (const auto& rm : rows_) p.tables.push_back(part == 0 ? rm.copy_m() : rm.copy_v());
      p.dense = part == 0 ? dense_m_ : dense_v_;
      return p;
    }

    /// Whether a catch-up touching `work` scalars is split between the threads by row id
    /// (kColdStateBytes): more than one thread, work above kParallelGrain, and θ with its
    /// moments' records above kColdStateBytes.
    bool split_by_row(const Parameters<S>& params, long long work) const {
      if (max_threads() == 1 || work <= kParallelGrain) return false;
      long long bytes = 0;
      for (const auto& table : params.tables)
        bytes += table.rows() * ((table.cols() + RowMoments<S>::width(table.cols())) * static_cast<long long>(sizeof(S)) +
                                 static_cast<long long>(sizeof(std::int64_t)));  // θ, the record, the step
      return bytes >= kColdStateBytes;
    }

    /// bring_up_to_date() of the rows whose id is `part` mod `parts`, in three stages a few
    /// samples apart, for the rows are scattered and each stage's loads are misses: the step
    /// of sample j + kPrefetchAhead is asked for; sample j's step is read, and if its row is
    /// behind the row is marked current and its θ, record and the lines of IdleSteps' tables
    /// its window reads are asked for; sample j − kPrefetchAhead's row takes its idle steps.
    /// Late in a run over a large catalogue nearly every row's window is its own and its
    /// table lines are misses (docs/performance.md, "Window lines asked for ahead"). Each
    /// row takes the same arithmetic as catch_up(), so the result is the same bits.
    void catch_up_owned(Parameters<S>& params, const BatchView& batch, const std::vector<TableKey>& keys, int part,
                        int parts, WindowCache& windows) {
      if (!initialized_) return;  // no step yet: nothing is behind
      constexpr Index ahead = kPrefetchAhead, kRing = kPrefetchAhead + 1;
      constexpr std::size_t kMaxTables = 8;  // NeuMF has 4
      const std::size_t tables = params.tables.size();
      const auto owned = [&](Index id) { return parts == 1 || id % parts == part; };
      const auto ids_of = [&](std::size_t k) { return keys[k] == TableKey::user ? batch.users : batch.items; };
      if (tables > kMaxTables) {  // one row at a time
        for (Index i = 0; i < batch.size; ++i)
          for (std::size_t k = 0; k < tables; ++k)
            if (owned(ids_of(k)[i])) catch_up(params, k, ids_of(k)[i], t_, &windows);
        return;
      }
      std::int64_t behind_since[kRing][kMaxTables];  // the step sample j's row was at, or −1: nothing to take
      for (Index j = 0; j < batch.size + ahead; ++j) {
        for (std::size_t k = 0; k < tables; ++k) {
          const Index* ids = ids_of(k);
          if (j + ahead < batch.size && owned(ids[j + ahead])) rows_[k].prefetch_step(ids[j + ahead]);
          if (j < batch.size) behind_since[j % kRing][k] = owned(ids[j]) ? mark_current(params, k, ids[j]) : -1;
          const Index i = j - ahead;
          if (i >= 0 && behind_since[i % kRing][k] >= 0)
            take_idle_steps(params, k, ids[i], behind_since[i % kRing][k], t_, &windows);
        }
      }
    }

    /// Marks row `row` of table k current at step t_ and starts loading what its catch-up
    /// reads. Returns the step it was at, or −1 when it has nothing to take.
    std::int64_t mark_current(const Parameters<S>& params, std::size_t k, Index row) {
      RowMoments<S>& rm = rows_[k];
      const std::int64_t last = rm.step(row);
      if (last >= t_) return -1;
      rm.set_step(row, t_);
      if (last == 0 && pristine_) return -1;  // see catch_up()
      prefetch_row(params.tables[k], row);
      rm.prefetch_record(row);
      idle_->prefetch_window(last, t_ - last);
      return last;
    }

    /// Takes row `row` of table k from its step to step `now` (no gradient on the way).
    void catch_up(Parameters<S>& params, std::size_t k, Index row, std::int64_t now, WindowCache* windows) {
      if (!initialized_) return;  // no step yet: nothing is behind
      RowMoments<S>& rm = rows_[k];
      const std::int64_t last = rm.step(row);
      if (last >= now) return;
      rm.set_step(row, now);
      // A row no step has touched since the moments were zeroed has m = v = 0, and idle
      // steps leave θ, m and v as they are (θ − 0·x = θ): nothing to compute.
      if (last == 0 && pristine_) return;
      take_idle_steps(params, k, row, last, now, windows);
    }

    /// The idle steps last+1 … now of row `row` of table k, already marked current at `now`.
    void take_idle_steps(Parameters<S>& params, std::size_t k, Index row, std::int64_t last, std::int64_t now,
                         WindowCache* windows) {
      RowMoments<S>& rm = rows_[k];
      S* theta = params.tables[k].row(row).data();
      S* m = rm.m(row);
      S* v = rm.v(row);
      const Index d = rm.dim();
      std::int64_t steps = now - last;
      std::int64_t t = last;
      if (t < IdleSteps::kExactUntil) {
        t = idle_->apply_early(last, steps, lr(), options_.epsilon, theta, m, v, d);
        if (steps == 0) return;
      }
      if (windows == nullptr) {
        detail::idle_row(theta, m, v, d, idle_->template window<S>(t, steps, lr(), options_.epsilon), avx2_);
        return;
      }
      const int slot = static_cast<int>(static_cast<std::uint64_t>(t) % WindowCache::kSize);
      if (windows->from[slot] != t || windows->to[slot] != now) {
        windows->window[slot] = idle_->template window<S>(t, steps, lr(), options_.epsilon);
        windows->from[slot] = t;
        windows->to[slot] = now;
      }
      detail::idle_row(theta, m, v, d, windows->window[slot], avx2_);
    }

    AdamOptions options_;
    bool avx2_ = false;  ///< run the AVX2 row kernels
    std::vector<RowMoments<S>> rows_;
    Vector<S> dense_m_, dense_v_;
    Vector<S> zeros_;  ///< dense mode: the gradient of a row the batch did not touch
    std::int64_t t_ = 0;
    bool initialized_ = false;
    bool pristine_ = false;  ///< deferred: rows at step 0 have zero moments (not loaded)
    std::shared_ptr<const IdleSteps> idle_;
    WindowCache windows_;
    bool behind_ = false;  ///< deferred: some row has steps pending
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

// Optimizers against steps computed by hand from the formulas (PyTorch's order of
// operations for Adam), for lazy and dense Adam and for SGD.

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "invlearn/config.hpp"
#include "invlearn/core/random.hpp"
#include "invlearn/core/subnormals.hpp"
#include "invlearn/optim/adam.hpp"
#include "invlearn/optim/idle_steps.hpp"
#include "invlearn/optim/optimizer.hpp"
#include "invlearn/optim/sgd.hpp"
#include "support/tolerance.hpp"

using invlearn::Index;
using invlearn_test::Tol;

namespace {

// θ: one table of 3 rows × 2, dense block of 2.
template <class S>
invlearn::Parameters<S> make_params() {
  invlearn::Parameters<S> p;
  p.tables.emplace_back(3, 2);
  p.tables[0] << 1.0, -1.0, 0.5, 0.25, -2.0, 3.0;
  p.dense.resize(2);
  p.dense << 0.1, -0.2;
  return p;
}

// A gradient holding rows `rows` with values `values` (one per row, both columns equal
// to value and -value), and dense gradient (dv, -dv).
template <class S>
invlearn::Gradient<S> make_grad(const invlearn::Parameters<S>& p, std::vector<Index> rows, double value, double dv) {
  invlearn::Gradient<S> g(p, 4);
  invlearn::RowMatrix<S> per(static_cast<Index>(rows.size()), 2);
  for (Index k = 0; k < per.rows(); ++k) per.row(k) << S(value * (k + 1)), S(-value * (k + 1));
  g.tables[0].assign_sum(rows.data(), static_cast<Index>(rows.size()), per);
  g.dense << S(dv), S(-dv);
  return g;
}

// One scalar of Adam by hand, PyTorch's formula.
struct HandAdam {
  double m = 0, v = 0;
  double step(double theta, double g, int t, double lr = 1e-3, double b1 = 0.9, double b2 = 0.999,
              double eps = 1e-8) {
    m = b1 * m + (1 - b1) * g;
    v = b2 * v + (1 - b2) * g * g;
    const double bc1 = 1 - std::pow(b1, t), bc2 = 1 - std::pow(b2, t);
    return theta - (lr / bc1) * m / (std::sqrt(v) / std::sqrt(bc2) + eps);
  }
};

}  // namespace

TEMPLATE_TEST_CASE("optim: SGD moves only the rows it is given", "[optim]", float, double) {
  using S = TestType;
  auto p = make_params<S>();
  const auto before = p;
  auto g = make_grad(p, {2}, 1.0, 0.5);
  invlearn::SGD::State<S> sgd(invlearn::SGD(0.1), p);
  sgd.step(p, g);
  CHECK(p.tables[0].row(0) == before.tables[0].row(0));
  CHECK(p.tables[0].row(1) == before.tables[0].row(1));
  CHECK(p.tables[0](2, 0) == Approx(-2.0 - 0.1 * 1.0));
  CHECK(p.tables[0](2, 1) == Approx(3.0 + 0.1 * 1.0));
  CHECK(p.dense[0] == Approx(0.1 - 0.05));
}

TEMPLATE_TEST_CASE("optim: lazy Adam equals hand-computed steps and leaves untouched rows alone", "[optim]", float,
                   double) {
  using S = TestType;
  auto p = make_params<S>();
  const auto before = p;
  invlearn::AdamOptions o;
  o.lr = 0.01;
  o.rows = invlearn::AdamRows::lazy;
  invlearn::Adam::State<S> adam(invlearn::Adam(o), p);
  HandAdam row0c0, row2c0, dense0;
  double r0 = before.tables[0](0, 0), r2 = before.tables[0](2, 0), d0 = before.dense[0];
  // Step 1 touches rows 0 and 2 (row 2 twice: duplicates were summed); step 2 only row 0.
  auto g1 = make_grad(p, {0, 2}, 0.3, 0.7);
  adam.step(p, g1);
  r0 = row0c0.step(r0, 0.3, 1, 0.01);
  r2 = row2c0.step(r2, 0.6, 1, 0.01);
  d0 = dense0.step(d0, 0.7, 1, 0.01);
  auto g2 = make_grad(p, {0}, -0.2, 0.1);
  adam.step(p, g2);
  r0 = row0c0.step(r0, -0.2, 2, 0.01);
  d0 = dense0.step(d0, 0.1, 2, 0.01);
  CHECK(p.tables[0](0, 0) == Approx(r0).epsilon(Tol<S>::exact));
  CHECK(p.tables[0](2, 0) == Approx(r2).epsilon(Tol<S>::exact));  // lazily frozen at step 2
  CHECK(p.dense[0] == Approx(d0).epsilon(Tol<S>::exact));
  CHECK(p.tables[0].row(1) == before.tables[0].row(1));
  CHECK(adam.moments().t == 2);
}

TEMPLATE_TEST_CASE("optim: dense Adam equals torch.optim.Adam: every row moves with decaying moments", "[optim]",
                   float, double) {
  using S = TestType;
  auto p = make_params<S>();
  const auto before = p;
  invlearn::AdamOptions o;
  o.lr = 0.01;
  o.rows = invlearn::AdamRows::dense;
  invlearn::Adam::State<S> adam(invlearn::Adam(o), p);
  HandAdam row2c0, row1c0;
  double r2 = before.tables[0](2, 0), r1 = before.tables[0](1, 0);
  auto g1 = make_grad(p, {2}, 0.3, 0.7);
  adam.step(p, g1);
  r2 = row2c0.step(r2, 0.3, 1, 0.01);
  r1 = row1c0.step(r1, 0.0, 1, 0.01);
  auto g2 = make_grad(p, {0}, 0.3, 0.7);
  adam.step(p, g2);
  r2 = row2c0.step(r2, 0.0, 2, 0.01);  // no gradient, yet it moves on its momentum
  r1 = row1c0.step(r1, 0.0, 2, 0.01);
  CHECK(p.tables[0](2, 0) == Approx(r2).epsilon(Tol<S>::exact));
  CHECK(p.tables[0](2, 0) != Approx(before.tables[0](2, 0) - 0.01));
  CHECK(p.tables[0](1, 0) == before.tables[0](1, 0));  // g = 0 and m = 0: no move
}

TEMPLATE_TEST_CASE("optim: Adam keeps its state across steps", "[optim]", float, double) {
  using S = TestType;
  // Two steps with the same gradient: a fresh Adam every step would move by lr twice
  // (its first step is always ±lr); a persistent one moves by lr, then by lr again only
  // because m̂/√v̂ = 1 for a constant gradient. A sign flip tells them apart.
  auto p = make_params<S>();
  invlearn::Adam::State<S> adam(invlearn::Adam(0.1), p);
  auto g = make_grad(p, {0}, 1.0, 1.0);
  adam.step(p, g);
  const double after1 = p.tables[0](0, 0);
  auto flipped = make_grad(p, {0}, -1.0, -1.0);
  adam.step(p, flipped);
  // Persistent: m = 0.9·0.1 - 0.1 = -0.01 → m̂ = -0.01/0.19; v̂ = 1 → step = +0.1·0.0526.
  CHECK(p.tables[0](0, 0) - after1 == Approx(0.1 * (0.01 / 0.19)).epsilon(std::is_same<S, float>::value ? 1e-4 : 1e-6));
  CHECK_THROWS_AS(invlearn::Adam(-1.0), invlearn::InvalidArgument);
}

TEST_CASE("optim: every optimizer and the archetype model the Optimizer concept", "[optim][concept]") {
  static_assert(invlearn::check_optimizer<invlearn::OptimizerArchetype, float>(), "archetype");
  static_assert(invlearn::check_optimizer<invlearn::Adam, float>() && invlearn::check_optimizer<invlearn::Adam, double>(),
                "Adam");
  static_assert(invlearn::check_optimizer<invlearn::SGD, double>(), "SGD");
  static_assert(invlearn::has_lr_v<invlearn::Adam> && invlearn::has_lr_v<invlearn::SGD>, "both take a learning rate");
  SUCCEED();
}

namespace {

// A sparse gradient: each row of a `rows` x `dim` table is touched with probability
// `share`, by values spread over six orders of magnitude (so ε matters for some rows:
// √v from 1e-9 to 1e-3), plus a dense block.
template <class S>
invlearn::Gradient<S> sparse_grad(const invlearn::Parameters<S>& p, double share, invlearn::Rng& rng) {
  const Index rows = p.tables[0].rows(), dim = p.tables[0].cols();
  std::vector<Index> ids;
  for (Index r = 0; r < rows; ++r)
    if (rng.uniform() < share) ids.push_back(r);
  invlearn::Gradient<S> g(p, rows);
  invlearn::RowMatrix<S> per(static_cast<Index>(ids.size()), dim);
  for (Index k = 0; k < per.rows(); ++k) {
    const double scale = std::pow(10.0, -7.0 + 0.25 * static_cast<double>(ids[static_cast<std::size_t>(k)] % 25));
    for (Index j = 0; j < dim; ++j) per(k, j) = static_cast<S>(scale * rng.normal());
  }
  g.tables[0].assign_sum(ids.data(), static_cast<Index>(ids.size()), per);
  for (Index j = 0; j < g.dense.size(); ++j) g.dense[j] = static_cast<S>(0.01 * rng.normal());
  return g;
}

}  // namespace

TEMPLATE_TEST_CASE("optim: deferred Adam gives dense Adam's parameters, step by step", "[optim][deferred]", float,
                   double) {
  using S = TestType;
  invlearn::Parameters<S> initial;
  initial.tables.emplace_back(300, 8);
  invlearn::Rng init(1);
  for (Index k = 0; k < initial.tables[0].size(); ++k) initial.tables[0].data()[k] = static_cast<S>(init.normal(0, 0.1));
  initial.dense = invlearn::Vector<S>::Constant(3, S(0.5));
  invlearn::AdamOptions dense_options, deferred_options;
  dense_options.rows = invlearn::AdamRows::dense;
  deferred_options.rows = invlearn::AdamRows::deferred;
  auto dense = initial, deferred = initial;
  invlearn::Adam::State<S> dense_adam(invlearn::Adam(dense_options), dense);
  invlearn::Adam::State<S> deferred_adam(invlearn::Adam(deferred_options), deferred);
  // The rounding baseline: the same dense run in double.
  invlearn::Parameters<double> exact;
  exact.tables.emplace_back(initial.tables[0].template cast<double>());
  exact.dense = initial.dense.template cast<double>();
  invlearn::Adam::State<double> exact_adam(invlearn::Adam(dense_options), exact);
  invlearn::Rng rng(2);
  // Rows 0-99 are touched often early and then never; the rest rarely throughout: idle
  // stretches of every length, across the end of the exact early steps (256) and long after.
  double worst = 0.0, rounding = 0.0, moved = 0.0;
  const int steps = 700;
  for (int t = 1; t <= steps; ++t) {
    auto g = sparse_grad(dense, t < 120 ? 0.3 : 0.02, rng);
    dense_adam.step(dense, g);
    deferred_adam.step(deferred, g);
    invlearn::Gradient<double> gd(exact, g.tables[0].count());
    gd.tables[0].assign_sum(g.tables[0].rows().data(), g.tables[0].count(), g.tables[0].values().template cast<double>());
    gd.dense = g.dense.template cast<double>();
    exact_adam.step(exact, gd);
    if (t % 50 == 0 || t == 257 || t == steps) {
      auto view = deferred;  // a copy brought up to date: the run itself stays lazy
      auto view_adam = deferred_adam;
      view_adam.bring_all_up_to_date(view);
      for (Index k = 0; k < dense.tables[0].size(); ++k) {
        const double d = static_cast<double>(dense.tables[0].data()[k]);
        worst = std::max(worst, std::abs(d - static_cast<double>(view.tables[0].data()[k])));
        rounding = std::max(rounding, std::abs(d - exact.tables[0].data()[k]));
        moved = std::max(moved, std::abs(d - static_cast<double>(initial.tables[0].data()[k])));
      }
      const auto& dm = dense_adam.moments();
      const auto& vm = view_adam.moments();
      CHECK((vm.m.tables[0] - dm.m.tables[0]).cwiseAbs().maxCoeff() <=
            Tol<S>::exact * dm.m.tables[0].cwiseAbs().maxCoeff() * 10);
      CHECK((vm.v.tables[0] - dm.v.tables[0]).cwiseAbs().maxCoeff() <=
            Tol<S>::exact * dm.v.tables[0].cwiseAbs().maxCoeff() * 10);
      CHECK(view.dense == dense.dense);
    }
  }
  INFO("largest difference " << worst << ", dense in S vs dense in double " << rounding << ", largest move " << moved);
  CHECK(moved > 0.01);  // the steps did move θ
  if (std::is_same<S, float>::value)
    CHECK(worst <= 2.0 * rounding);  // within float's own rounding of a dense run
  else
    CHECK(worst <= 1e-9 * moved);
}

TEST_CASE("optim: the idle-step quadrature matches the step-by-step sum to 4e-8", "[optim][deferred]") {
  const auto idle = invlearn::IdleSteps::for_betas(0.9, 0.999);
  const double eps = 1e-8;
  double worst = 0.0;
  for (std::int64_t t : {256, 257, 300, 1000, 5000, 40000, 100000})
    for (std::int64_t k : {1, 2, 3, 5, 10, 50, 300, 3000, 20000})
      for (double s : {0.0, 1e-12, 1e-10, 1e-9, 3e-9, 1e-8, 3e-8, 1e-7, 1e-5, 1e-3}) {
        const double exact = idle->reference_sum(t, k, s, eps);
        const double quad = idle->quadrature_sum(t, k, s, eps);
        worst = std::max(worst, std::abs(quad - exact) / exact);
      }
  CHECK(worst <= 4e-8);
}

TEST_CASE("optim: deferred Adam's catch-up of a batch is each read row's whole catch-up, and its step the same, on 1 or 2 threads",
          "[optim][deferred][determinism]") {
  // Tables keyed by user, item, user, … (three, and nine: more than the staged catch-up
  // keeps a ring for, which it takes a row at a time) and a batch that repeats ids: each
  // row the batch reads must end as bring_all_up_to_date leaves it, every other row untouched.
  // Small tables are caught up on one thread; tables whose θ and moments pass
  // kColdStateBytes are split between the threads by row id. After `steps` steps past
  // IdleSteps::kExactUntil the rows' windows come from IdleSteps' tables, which the
  // catch-up asks for a few samples ahead of the rows that use them.
  using S = float;
  const auto check = [](Index rows, Index dim, Index n, int steps, std::size_t tables = 3) {
    invlearn::Parameters<S> p;
    invlearn::Rng rng(5);
    for (std::size_t t = 0; t < tables; ++t) {
      p.tables.emplace_back(rows, dim);
      for (Index k = 0; k < p.tables.back().size(); ++k) p.tables.back().data()[k] = static_cast<S>(rng.normal(0, 0.1));
    }
    p.dense = invlearn::Vector<S>::Constant(2, S(0.5));
    std::vector<invlearn::TableKey> keys;
    for (std::size_t t = 0; t < tables; ++t) keys.push_back(t % 2 ? invlearn::TableKey::item : invlearn::TableKey::user);
    invlearn::AdamOptions options;
    options.rows = invlearn::AdamRows::deferred;
    invlearn::Adam::State<S> adam(invlearn::Adam(options), p);
    // Steps on a few rows of each table, so that most rows fall behind by different counts.
    invlearn::Gradient<S> g(p, rows);  // each step assigns every table's rows anew
    for (int t = 0; t < steps; ++t) {
      for (auto& table : g.tables) {
        std::vector<Index> ids;
        for (Index r = 0; r < rows; ++r)
          if (rng.uniform() < (t < 10 ? 0.5 : 0.05)) ids.push_back(r);
        invlearn::RowMatrix<S> per(static_cast<Index>(ids.size()), dim);
        for (Index k = 0; k < per.size(); ++k) per.data()[k] = static_cast<S>(0.01 * rng.normal());
        table.assign_sum(ids.data(), static_cast<Index>(ids.size()), per);
      }
      adam.step(p, g);
    }
    std::vector<Index> users(n), items(n);
    std::vector<float> labels(n, 1.0f);
    for (Index k = 0; k < n; ++k) {
      users[static_cast<std::size_t>(k)] = rng.index(rows / 2);  // half the rows, many repeats
      items[static_cast<std::size_t>(k)] = rng.index(rows);
    }
    const invlearn::BatchView batch{users.data(), items.data(), labels.data(), n};

    auto whole = p;
    auto whole_adam = adam;
    whole_adam.bring_all_up_to_date(whole);  // every row's catch-up, from its step to now
    for (int threads : {1, 2}) {
      invlearn::set_threads(threads);
      auto part = p;
      auto part_adam = adam;
      part_adam.bring_up_to_date(part, batch, keys);
      for (std::size_t t = 0; t < tables; ++t) {
        std::vector<char> read(static_cast<std::size_t>(rows), 0);
        Index reads = 0;
        for (Index k = 0; k < n; ++k) {
          char& r = read[static_cast<std::size_t>((keys[t] == invlearn::TableKey::user ? users : items)[k])];
          reads += r == 0;
          r = 1;
        }
        Index differ = 0, moved = 0;
        for (Index r = 0; r < rows; ++r) {
          const auto& expected = read[static_cast<std::size_t>(r)] ? whole.tables[t] : p.tables[t];
          if (part.tables[t].row(r) != expected.row(r)) ++differ;
          if (read[static_cast<std::size_t>(r)] && whole.tables[t].row(r) != p.tables[t].row(r)) ++moved;
        }
        INFO("rows " << rows << ", threads " << threads << ", table " << t);
        CHECK(differ == 0);
        CHECK(moved > reads / 4);  // the catch-up did move the rows the batch reads
      }
    }
    // A step on a tenth of the rows (behind by up to `steps` steps) after it: the same bits
    // whether its row updates run on one thread or are split between two.
    for (auto& table : g.tables) {
      std::vector<Index> ids;
      for (Index r = 0; r < rows; ++r)
        if (rng.uniform() < 0.1) ids.push_back(r);
      invlearn::RowMatrix<S> per(static_cast<Index>(ids.size()), dim);
      for (Index k = 0; k < per.size(); ++k) per.data()[k] = static_cast<S>(0.01 * rng.normal());
      table.assign_sum(ids.data(), static_cast<Index>(ids.size()), per);
    }
    std::vector<invlearn::Parameters<S>> stepped;
    std::vector<invlearn::Moments<S>> moments;
    for (int threads : {1, 2}) {
      invlearn::set_threads(threads);
      auto q = p;
      auto q_adam = adam;
      q_adam.bring_up_to_date(q, batch, keys);
      q_adam.step(q, g);
      q_adam.bring_all_up_to_date(q);
      stepped.push_back(q);
      moments.push_back(q_adam.moments());
    }
    invlearn::set_threads(2);
    for (std::size_t t = 0; t < tables; ++t) {
      INFO("rows " << rows << ", table " << t);
      CHECK(stepped[0].tables[t] == stepped[1].tables[t]);
      CHECK(moments[0].m.tables[t] == moments[1].m.tables[t]);
      CHECK(moments[0].v.tables[t] == moments[1].v.tables[t]);
      CHECK(stepped[0].tables[t] != whole.tables[t]);  // the step moved rows
    }
  };
  check(400, 16, 1500, 40);
  check(400, 16, 1500, 300);
  check(400, 16, 1500, 300, 9);
  // 3 × 120 000 rows of θ (16 floats), a record (32) and a step (8 bytes): 69 MiB, above kColdStateBytes.
  const long long cold =
      3LL * 120000 * ((16 + invlearn::RowMoments<S>::width(16)) * static_cast<long long>(sizeof(S)) + 8);
  REQUIRE(cold >= invlearn::Adam::State<S>::kColdStateBytes);
  check(120000, 16, 1500, 300);
}

TEST_CASE("optim: Adam's moments of an idle row reach zero, not a subnormal, and the caller's float mode is kept",
          "[optim][deferred]") {
  // β1 = 0.5 so that m of a row idle since step 1 passes below float's smallest normal in
  // ~120 steps: after 135 it would be 0.5^135 ≈ 2e-41, a subnormal, were they not flushed.
  // 16 400 rows × 8 pass kParallelGrain: the dense steps and the catch-up run on 2 threads,
  // each of which must flush; the idle row is the last, which the second thread updates.
  using S = float;
  const int steps = 135;
  const double unflushed = std::pow(0.5, steps);
  REQUIRE(unflushed < static_cast<double>(std::numeric_limits<S>::min()));
  REQUIRE(unflushed > 2.0 * static_cast<double>(std::numeric_limits<S>::denorm_min()));
  invlearn::set_threads(2);
  // The team's threads exist before any flush: a thread started inside one would inherit
  // the mode and hide a region that flushes only on its calling thread.
  int team = 0;
  INVLEARN_OMP(parallel)
  {
    INVLEARN_OMP(atomic)
    ++team;
  }
  INFO("threads in the team " << team);
  for (auto rows : {invlearn::AdamRows::dense, invlearn::AdamRows::deferred}) {
    invlearn::Parameters<S> p;
    p.tables.emplace_back(16400, 8);
    p.tables[0].setConstant(S(0.5));
    REQUIRE(p.tables[0].size() > invlearn::kParallelGrain);
    p.dense = invlearn::Vector<S>::Zero(2);
    invlearn::AdamOptions options;
    options.rows = rows;
    options.beta1 = 0.5;
    invlearn::Adam::State<S> adam(invlearn::Adam(options), p);
#if INVLEARN_HAVE_MXCSR
    const unsigned mode = _mm_getcsr();
#endif
    invlearn::Gradient<S> g(p, 1);
    const invlearn::RowMatrix<S> ones = invlearn::RowMatrix<S>::Ones(1, 8);
    const Index idle = p.tables[0].rows() - 1;  // a gradient at step 1 only; row 0 at every other
    for (int t = 1; t <= steps; ++t) {
      const Index row = t == 1 ? idle : 0;
      g.tables[0].assign_sum(&row, 1, ones);
      adam.step(p, g);
    }
    adam.bring_all_up_to_date(p);
    const auto moments = adam.moments();
    INFO((rows == invlearn::AdamRows::dense ? "dense" : "deferred") << ": m of the idle row "
                                                                    << moments.m.tables[0](idle, 0));
    CHECK((moments.m.tables[0].row(idle).array() == S(0)).all());
    CHECK((moments.m.tables[0].row(0).array() > S(0.4)).all());  // the active row: m ≈ 1
    CHECK(p.tables[0].allFinite());
#if INVLEARN_HAVE_MXCSR
    CHECK(_mm_getcsr() == mode);  // the flush ended with the calls
#endif
    volatile S tiny = std::numeric_limits<S>::min();
    CHECK(tiny / S(4) != S(0));  // and the caller's own arithmetic still has subnormals
  }
}

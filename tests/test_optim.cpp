// Optimizers against steps computed by hand from the formulas (PyTorch's order of
// operations for Adam), for lazy and dense Adam and for SGD.

#include <catch2/catch.hpp>

#include <cmath>
#include <type_traits>

#include "invlearn/optim/adam.hpp"
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
  o.lazy = false;
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

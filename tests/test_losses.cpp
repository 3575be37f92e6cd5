// Loss policies: dL/dlogit against central differences on a grid of logits and
// both labels; stability at extreme logits; T-CE's selection and schedule; IDL's weights.

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "invlearn/core/math.hpp"
#include "invlearn/core/random.hpp"
#include "invlearn/loss/bce.hpp"
#include "invlearn/loss/inverse_dual.hpp"
#include "invlearn/loss/loss.hpp"
#include "invlearn/loss/reweighted.hpp"
#include "invlearn/loss/truncated.hpp"
#include "support/tolerance.hpp"

using invlearn::Index;
using invlearn_test::Tol;

namespace {

const std::vector<double> kGrid = {-30.0, -8.0, -2.5, -1.0, -0.3, 0.0, 0.2, 0.9, 1.7, 4.0, 12.0, 30.0};

// Checks each dL/dx_k of a batch loss against central differences of the loss.
// `loss_at` evaluates the batch loss with weights frozen where the policy says so.
template <class Eval>
void check_dlogits(Eval&& loss_at, const std::vector<double>& logits, const std::vector<float>& labels,
                   const std::vector<double>& analytic, double tol) {
  const double h = 1e-6;
  for (std::size_t k = 0; k < logits.size(); ++k) {
    auto up = logits, down = logits;
    up[k] += h;
    down[k] -= h;
    const double numeric = (loss_at(up, labels) - loss_at(down, labels)) / (2 * h);
    INFO("logit " << logits[k] << " label " << labels[k]);
    CHECK(std::abs(numeric - analytic[k]) <= tol * std::max(1.0, std::abs(numeric)));
  }
}

// A batch of every grid logit with label 1, then every grid logit with label 0, in S
// (and `x` the same logits in double, for the reference).
template <class S>
void grid_batch(std::vector<S>& logits, std::vector<float>& labels, std::vector<double>& x) {
  logits.clear();
  labels.clear();
  for (float y : {1.0f, 0.0f})
    for (double v : kGrid) {
      logits.push_back(static_cast<S>(v));
      labels.push_back(y);
    }
  x.assign(logits.begin(), logits.end());
}

}  // namespace

TEST_CASE("losses: stable math stays finite and exact at extreme logits", "[losses]") {
  for (double x : {-1e4, -700.0, -50.0, 0.0, 50.0, 700.0, 1e4}) {
    CHECK(std::isfinite(invlearn::bce_with_logits(x, 1.0)));
    CHECK(std::isfinite(invlearn::bce_with_logits(x, 0.0)));
    CHECK(std::isfinite(invlearn::log_sigmoid(x)));
    CHECK(std::isfinite(invlearn::bce_with_logits(static_cast<float>(x), 1.0f)));
    const double s = invlearn::sigmoid(x);
    CHECK(s >= 0.0);
    CHECK(s <= 1.0);
  }
  CHECK(invlearn::bce_with_logits(1e4, 0.0) == Approx(1e4));
  CHECK(invlearn::bce_with_logits(-1e4, 1.0) == Approx(1e4));
  CHECK(invlearn::bce_with_logits(0.0, 1.0) == Approx(std::log(2.0)));
  CHECK(invlearn::bce_with_logits(2.0, 1.0) == Approx(std::log1p(std::exp(-2.0))));
  CHECK(invlearn::sigmoid(0.5) == Approx(1.0 / (1.0 + std::exp(-0.5))));
}

// Each loss takes exp and log1p once per logit (LogisticParts) where it used up to three
// of each: the pieces must be the bits the scalar functions give, at any logit.
TEMPLATE_TEST_CASE("losses: LogisticParts gives the bits of softplus, sigmoid and bce_with_logits", "[losses]",
                   float, double) {
  using S = TestType;
  using L = std::numeric_limits<S>;
  std::vector<S> xs = {S(0), -S(0), L::denorm_min(), -L::denorm_min(), L::min(), L::epsilon(), S(1e4), S(-1e4),
                       L::max(), L::lowest(), L::infinity(), -L::infinity(), L::quiet_NaN()};
  invlearn::Rng rng(5, invlearn::Stream::synthetic);
  for (int k = 0; k < 20000; ++k) xs.push_back(static_cast<S>(rng.uniform(-40.0, 40.0)));
  for (int k = 0; k < 2000; ++k) xs.push_back(static_cast<S>(rng.uniform(-1e-3, 1e-3)));
  // The same bits, or both NaN (a NaN logit gives a NaN whose sign bit may differ).
  auto same = [](S a, S b) { return (std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, sizeof(S)) == 0; };
  int differ = 0;
  for (const S x : xs) {
    const invlearn::LogisticParts<S> p(x);
    for (const S y : {S(0), S(1), S(0.25)}) differ += same(p.bce(y), invlearn::bce_with_logits(x, y)) ? 0 : 1;
    differ += same(p.softplus(), invlearn::softplus(x)) ? 0 : 1;
    differ += same(p.softplus_of_negative(), invlearn::softplus(-x)) ? 0 : 1;
    differ += same(p.sigmoid(), invlearn::sigmoid(x)) ? 0 : 1;
  }
  CHECK(differ == 0);
}

// The losses take z = e^{−|x|} and log(1 + z) from logistic_parts (Eigen's vectorized
// exp and log1p), a block of logits at a time: within a few ulp of the exact values, 0
// where z underflows, NaN for NaN, and each logit of a batch longer than a block with
// its own parts.
TEMPLATE_TEST_CASE("losses: logistic_parts is within 3 ulp of exp and log1p at every logit", "[losses]", float,
                   double) {
  using S = TestType;
  using L = std::numeric_limits<S>;
  std::vector<S> xs = {S(0), -S(0), L::denorm_min(), L::min(), L::epsilon(), S(1e4), S(-1e4), L::max(),
                       L::lowest(), L::infinity(), -L::infinity()};
  invlearn::Rng rng(6, invlearn::Stream::synthetic);
  for (int k = 0; k < 20000; ++k) xs.push_back(static_cast<S>(rng.uniform(-40.0, 40.0)));
  for (int k = 0; k < 2000; ++k) xs.push_back(static_cast<S>(rng.uniform(-1e-3, 1e-3)));
  for (int k = 0; k < 2000; ++k) xs.push_back(static_cast<S>(rng.uniform(-800.0, 800.0)));  // past underflow
  xs.push_back(L::quiet_NaN());
  const Index n = static_cast<Index>(xs.size());
  // The distance to the exact value (long double) in units of the last place of S there.
  auto ulps = [](S got, long double exact) {
    if (exact < static_cast<long double>(L::min())) return got == S(0) ? 0.0L : 1e30L;
    const S near = static_cast<S>(exact);
    const long double ulp = static_cast<long double>(std::nextafter(near, L::infinity())) - near;
    return std::abs(static_cast<long double>(got) - exact) / ulp;
  };
  std::vector<S> z(xs.size()), log1p_z(xs.size());
  invlearn::logistic_parts(xs.data(), n, z.data(), log1p_z.data());
  long double worst_z = 0, worst_log1p = 0;
  for (std::size_t k = 0; k + 1 < xs.size(); ++k) {
    const long double exact_z = std::exp(-std::abs(static_cast<long double>(xs[k])));
    worst_z = std::max(worst_z, ulps(z[k], exact_z));
    worst_log1p = std::max(worst_log1p, ulps(log1p_z[k], std::log1p(exact_z)));
  }
  CHECK(worst_z <= 3);
  CHECK(worst_log1p <= 3);
  CHECK(std::isnan(z.back()));
  CHECK(std::isnan(log1p_z.back()));

  std::vector<S> seen_z(xs.size(), S(-1)), seen_log1p(xs.size(), S(-1));
  invlearn::for_each_logistic_parts(xs.data(), n, [&](Index k, const invlearn::LogisticParts<S>& p) {
    CHECK(std::memcmp(&p.x, &xs[static_cast<std::size_t>(k)], sizeof(S)) == 0);
    seen_z[static_cast<std::size_t>(k)] = p.z;
    seen_log1p[static_cast<std::size_t>(k)] = p.log1p_z;
  });
  CHECK(std::memcmp(seen_z.data(), z.data(), sizeof(S) * (xs.size() - 1)) == 0);
  CHECK(std::memcmp(seen_log1p.data(), log1p_z.data(), sizeof(S) * (xs.size() - 1)) == 0);
}

// IG judges its candidates with value_keeping_parts and takes the chosen one's gradient
// from the parts: the value and the dlogits must be the bits of value() and evaluate().
TEMPLATE_TEST_CASE("losses: BCE's kept parts give the bits of value and evaluate", "[losses]", float, double) {
  using S = TestType;
  static_assert(invlearn::has_loss_parts_v<invlearn::BCE, S>, "BCE keeps its parts");
  static_assert(!invlearn::has_loss_parts_v<invlearn::Truncated, S>, "T-CE has state: no parts");
  static_assert(!invlearn::has_loss_parts_v<invlearn::InverseDual, S>, "IDL keeps no parts");
  invlearn::Rng rng(9, invlearn::Stream::synthetic);
  std::vector<S> xs;
  std::vector<float> ys;
  for (const double x : kGrid) {
    xs.push_back(static_cast<S>(x));
    ys.push_back(x > 0 ? 0.0f : 1.0f);
  }
  for (int k = 0; k < 5000; ++k) {
    xs.push_back(static_cast<S>(rng.uniform(-20.0, 20.0)));
    ys.push_back(rng.uniform() < 0.5 ? 1.0f : 0.0f);
  }
  const Index n = static_cast<Index>(xs.size());
  invlearn::BCE bce;
  std::vector<S> parts(xs.size()), from_parts(xs.size()), direct(xs.size());
  const double kept = bce.value_keeping_parts(xs.data(), ys.data(), n, parts.data());
  bce.gradient_from_parts(xs.data(), ys.data(), parts.data(), n, from_parts.data());
  const double evaluated = bce.evaluate(xs.data(), ys.data(), n, direct.data());
  CHECK(kept == bce.value(xs.data(), ys.data(), n));
  CHECK(kept == evaluated);
  CHECK(std::memcmp(from_parts.data(), direct.data(), sizeof(S) * xs.size()) == 0);
}

TEST_CASE("losses: BCE's gradient from kept parts matches central differences in double", "[losses][gradient]") {
  std::vector<double> logits, x, parts, d;
  std::vector<float> y;
  grid_batch(logits, y, x);
  const Index n = static_cast<Index>(x.size());
  parts.resize(x.size());
  d.resize(x.size());
  const invlearn::BCE bce;
  bce.value_keeping_parts(x.data(), y.data(), n, parts.data());
  bce.gradient_from_parts(x.data(), y.data(), parts.data(), n, d.data());
  check_dlogits([&](const std::vector<double>& xv, const std::vector<float>& ys) {
    return bce.value(xv.data(), ys.data(), static_cast<Index>(xv.size()));
  }, x, y, d, 1e-6);
}

TEMPLATE_TEST_CASE("losses: BCE gradient matches central differences", "[losses][gradient]", float, double) {
  using S = TestType;
  std::vector<S> xs, ds;
  std::vector<double> x;
  std::vector<float> y;
  grid_batch(xs, y, x);
  ds.resize(x.size());
  invlearn::BCE bce;
  const double value = bce.evaluate(xs.data(), y.data(), static_cast<Index>(x.size()), ds.data());
  CHECK(value == bce.value(xs.data(), y.data(), static_cast<Index>(x.size())));
  double expected = 0;
  for (std::size_t k = 0; k < x.size(); ++k)
    expected += -(y[k] * std::log(1 / (1 + std::exp(-x[k]))) + (1 - y[k]) * std::log(1 / (1 + std::exp(x[k]))));
  CHECK(value == Approx(expected / static_cast<double>(x.size())).epsilon(Tol<S>::gradient));
  check_dlogits([&](const std::vector<double>& xv, const std::vector<float>& ys) {
    invlearn::BCE b;
    return b.evaluate(xv.data(), ys.data(), static_cast<Index>(xv.size()), static_cast<double*>(nullptr));
  }, x, y, std::vector<double>(ds.begin(), ds.end()), Tol<S>::gradient);
}

TEMPLATE_TEST_CASE("losses: R-CE gradient matches central differences with weights frozen", "[losses][gradient]",
                   float, double) {
  using S = TestType;
  std::vector<S> xs, ds;
  std::vector<double> x;
  std::vector<float> y;
  grid_batch(xs, y, x);
  ds.resize(x.size());
  for (double beta : {0.2, 0.25, 1.0}) {
    invlearn::Reweighted rce(beta);
    const double value = rce.evaluate(xs.data(), y.data(), static_cast<Index>(x.size()), ds.data());
    CHECK(value == rce.value(xs.data(), y.data(), static_cast<Index>(x.size())));
    const std::vector<double> d(ds.begin(), ds.end());
    // The weights are constants (stop-gradient): freeze them at x and vary only the BCE.
    std::vector<double> w(x.size());
    for (std::size_t k = 0; k < x.size(); ++k) {
      const double s = 1 / (1 + std::exp(-x[k]));
      w[k] = y[k] == 1.0f ? std::pow(s, beta) : std::pow(1 - s, beta);
    }
    check_dlogits([&](const std::vector<double>& xv, const std::vector<float>& ys) {
      double sum = 0;
      for (std::size_t k = 0; k < xv.size(); ++k) sum += w[k] * invlearn::bce_with_logits(xv[k], static_cast<double>(ys[k]));
      return sum / static_cast<double>(xv.size());
    }, x, y, d, Tol<S>::gradient);
    // Hard samples weigh less: a confident wrong positive is down-weighted.
    std::vector<double> two = {-5.0, 5.0}, g2(2);
    std::vector<float> pos = {1.0f, 1.0f};
    invlearn::Reweighted r(beta);
    const double l = r.evaluate(two.data(), pos.data(), 2, g2.data());
    CHECK(l < invlearn::BCE().evaluate(two.data(), pos.data(), 2, static_cast<double*>(nullptr)));
  }
}

TEMPLATE_TEST_CASE("losses: T-CE gradient matches central differences with its mask frozen", "[losses][gradient]",
                   float, double) {
  using S = TestType;
  std::vector<S> xs, ds;
  std::vector<double> x;
  std::vector<float> y;
  grid_batch(xs, y, x);
  ds.resize(x.size());
  invlearn::Truncated tce(0.2, 2);  // ramp reaches 0.2 after one batch
  tce.set_iteration(5);
  const double ahead = tce.value(xs.data(), y.data(), static_cast<Index>(x.size()));
  CHECK(tce.iteration() == 5);  // value() leaves the schedule where it was
  const double value = tce.evaluate(xs.data(), y.data(), static_cast<Index>(x.size()), ds.data());
  CHECK(value == ahead);
  CHECK(tce.iteration() == 6);
  const auto mask = tce.mask();
  check_dlogits([&](const std::vector<double>& xv, const std::vector<float>& ys) {
    return invlearn::Truncated::masked(xv.data(), ys.data(), static_cast<Index>(xv.size()), mask.data(),
                                       static_cast<double*>(nullptr));
  }, x, y, std::vector<double>(ds.begin(), ds.end()), Tol<S>::gradient);
}

TEST_CASE("losses: T-CE keeps every negative and drops the largest positive losses", "[losses]") {
  // Positives with losses increasing as the logit falls; negatives with huge losses.
  std::vector<double> x = {3.0, 1.0, -1.0, -3.0, 5.0, 6.0};
  std::vector<float> y = {1, 1, 1, 1, 0, 0};
  invlearn::Truncated tce(0.5, 2);
  tce.set_iteration(1);  // drop rate min(1·0.5/1, 0.5) = 0.5: keep int(0.5·6) = 3
  CHECK(tce.drop_rate() == Approx(0.5));
  std::vector<double> d(6);
  tce.evaluate(x.data(), y.data(), 6, d.data());
  // Order by loss·label: the two negatives (key 0) first, then the positive with logit 3.
  const std::vector<unsigned char> expected = {1, 0, 0, 0, 1, 1};
  CHECK(tce.mask() == expected);
  CHECK(d[1] == 0.0);
  CHECK(d[3] == 0.0);
  CHECK(tce.iteration() == 2);
}

TEST_CASE("losses: T-CE drop rate ramps linearly to its maximum", "[losses]") {
  invlearn::Truncated tce(0.1, 11);
  CHECK(tce.drop_rate() == 0.0);
  tce.set_iteration(5);
  CHECK(tce.drop_rate() == Approx(0.05));
  tce.set_iteration(10);
  CHECK(tce.drop_rate() == Approx(0.1));
  tce.set_iteration(1000);
  CHECK(tce.drop_rate() == Approx(0.1));
  CHECK_THROWS_AS(invlearn::Truncated(1.0), invlearn::InvalidArgument);
}

TEMPLATE_TEST_CASE("losses: IDL gradient matches central differences with weights frozen", "[losses][gradient]",
                   float, double) {
  using S = TestType;
  std::vector<S> xs, ds;
  std::vector<double> x;
  std::vector<float> y;
  grid_batch(xs, y, x);
  ds.resize(x.size());
  invlearn::InverseDual idl;
  const double value = idl.evaluate(xs.data(), y.data(), static_cast<Index>(x.size()), ds.data());
  CHECK(value == idl.value(xs.data(), y.data(), static_cast<Index>(x.size())));
  const std::vector<double> d(ds.begin(), ds.end());
  const auto w1 = idl.positive_weights();
  check_dlogits([&](const std::vector<double>& xv, const std::vector<float>&) {
    double sum = 0;
    for (std::size_t k = 0; k < xv.size(); ++k)
      sum += w1[k] * invlearn::bce_with_logits(xv[k], 1.0) + (1 - w1[k]) * invlearn::bce_with_logits(xv[k], 0.0);
    return sum / static_cast<double>(xv.size());
  }, x, y, d, 10 * Tol<S>::gradient);
}

TEST_CASE("losses: IDL weights follow Definition 1 and ignore labels", "[losses]") {
  std::vector<double> x = {-3.0, -0.5, 0.0, 0.5, 3.0};
  std::vector<float> ones(5, 1.0f), zeros(5, 0.0f);
  std::vector<double> d1(5), d0(5);
  invlearn::InverseDual a, b;
  const double l1 = a.evaluate(x.data(), ones.data(), 5, d1.data());
  const double l0 = b.evaluate(x.data(), zeros.data(), 5, d0.data());
  CHECK(l1 == l0);
  CHECK(d1 == d0);
  for (std::size_t k = 0; k < x.size(); ++k) {
    const double p = invlearn::softplus(-x[k]), n = invlearn::softplus(x[k]);
    // w¹ = (N/P) / (N/P + P/N) = N² / (N² + P²).
    CHECK(a.positive_weights()[k] == Approx(n * n / (n * n + p * p)).epsilon(1e-6));
  }
  CHECK(a.positive_weights()[2] == Approx(0.5));
  CHECK(a.positive_weights()[4] > 0.5f);  // a confident positive is labeled positive
  CHECK(a.positive_weights()[0] < 0.5f);
}

TEST_CASE("losses: IDL stays finite when either loss is zero", "[losses]") {
  // In double, softplus(-1e4) is exactly 0: P = 0, and the weight must still be finite.
  std::vector<double> x = {1e4, -1e4, 800.0, -800.0};
  std::vector<float> y(4, 0.0f);
  std::vector<double> d(4);
  invlearn::InverseDual idl;
  const double l = idl.evaluate(x.data(), y.data(), 4, d.data());
  CHECK(std::isfinite(l));
  for (double g : d) CHECK(std::isfinite(g));
  CHECK(idl.positive_weights()[0] == Approx(1.0));
  CHECK(idl.positive_weights()[1] == Approx(0.0).margin(1e-12));
  std::vector<float> xf = {1e4f, -1e4f, 60.0f, -60.0f}, df(4);
  invlearn::InverseDual idlf;
  CHECK(std::isfinite(idlf.evaluate(xf.data(), y.data(), 4, df.data())));
  for (float g : df) CHECK(std::isfinite(g));
}

TEST_CASE("losses: every policy is finite at |logit| = 1e4 in float and double", "[losses]") {
  std::vector<float> xf = {-1e4f, 1e4f, -1e4f, 1e4f};
  std::vector<double> xd = {-1e4, 1e4, -1e4, 1e4};
  std::vector<float> y = {1, 1, 0, 0};
  std::vector<float> df(4);
  std::vector<double> dd(4);
  invlearn::BCE bce;
  invlearn::Reweighted rce;
  invlearn::Truncated tce;
  CHECK(std::isfinite(bce.evaluate(xf.data(), y.data(), 4, df.data())));
  CHECK(std::isfinite(rce.evaluate(xf.data(), y.data(), 4, df.data())));
  CHECK(std::isfinite(tce.evaluate(xd.data(), y.data(), 4, dd.data())));
  CHECK(std::isfinite(bce.evaluate(xd.data(), y.data(), 4, dd.data())));
  for (float g : df) CHECK(std::isfinite(g));
}

TEST_CASE("losses: BCE of a million float logits agrees with a double reference to 1e-9", "[losses]") {
  // IG compares candidate losses that differ by a few parts in 10^7: summed in float, a
  // million terms would carry an error of 10^-4 and make ties out of rounding.
  invlearn::Rng rng(7);
  const Index n = 1000000;
  std::vector<float> x(static_cast<std::size_t>(n)), y(static_cast<std::size_t>(n));
  for (Index k = 0; k < n; ++k) {
    x[static_cast<std::size_t>(k)] = static_cast<float>(rng.uniform(-10.0, 10.0));
    y[static_cast<std::size_t>(k)] = static_cast<float>(rng.index(2));
  }
  long double reference = 0;
  for (Index k = 0; k < n; ++k)
    reference += invlearn::bce_with_logits(static_cast<double>(x[static_cast<std::size_t>(k)]),
                                           static_cast<double>(y[static_cast<std::size_t>(k)]));
  reference /= n;
  const invlearn::BCE bce;
  const double value = bce.value(x.data(), y.data(), n);
  CHECK(std::abs(value - static_cast<double>(reference)) <= 1e-9 * static_cast<double>(reference));
}

TEST_CASE("losses: every loss and the archetype model the Loss concept", "[losses][concept]") {
  static_assert(invlearn::check_loss<invlearn::LossArchetype, float>(), "archetype");
  static_assert(invlearn::check_loss<invlearn::BCE, float>() && invlearn::check_loss<invlearn::BCE, double>(), "BCE");
  static_assert(invlearn::check_loss<invlearn::Truncated, float>(), "T-CE");
  static_assert(invlearn::check_loss<invlearn::Reweighted, double>(), "R-CE");
  static_assert(invlearn::check_loss<invlearn::InverseDual, float>(), "IDL");
  static_assert(invlearn::has_positive_weights_v<invlearn::InverseDual> && !invlearn::has_positive_weights_v<invlearn::BCE>,
                "only IDL exposes positive weights");
  SUCCEED();
}

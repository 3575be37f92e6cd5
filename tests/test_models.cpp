// Backbones: finite-difference gradient checks in double, sparse-row structure,
// forward_displaced against an explicitly displaced copy, float against double.

#include <catch2/catch.hpp>

#include <set>
#include <type_traits>

#include "invlearn/model/backbone.hpp"
#include "invlearn/model/gmf.hpp"
#include "invlearn/model/neumf.hpp"
#include "invlearn/testing/gradient_check.hpp"

using invlearn::Batch;
using invlearn::Index;
using invlearn::testing::check_gradient;

namespace {

// A batch with repeated users and items, so duplicate rows must be summed.
Batch small_batch(Index users, Index items, Index n, std::uint64_t seed) {
  invlearn::Rng rng(seed);
  Batch b;
  for (Index k = 0; k < n; ++k)
    b.push_back(rng.index(std::min<Index>(users, 3)), rng.index(std::min<Index>(items, 3)),
                static_cast<float>(rng.index(2)));
  return b;
}

std::vector<double> random_weights(Index n, std::uint64_t seed) {
  invlearn::Rng rng(seed);
  std::vector<double> c(static_cast<std::size_t>(n));
  for (auto& v : c) v = rng.uniform(-1.0, 1.0);
  return c;
}

// Every table row not used by the batch must have exactly zero gradient, and the
// gradient must hold no such rows.
template <class Model>
void check_untouched_rows(const Model& model, const Batch& batch) {
  using S = typename Model::Scalar;
  auto ws = model.workspace(batch.size());
  invlearn::Vector<S> logits(batch.size()), dl(batch.size());
  model.forward(batch.view(), ws, logits);
  dl.setOnes();
  auto grad = model.make_gradient(batch.size());
  model.backward(batch.view(), ws, dl, grad);
  const std::set<Index> users(batch.users.begin(), batch.users.end());
  const std::set<Index> items(batch.items.begin(), batch.items.end());
  for (std::size_t t = 0; t < grad.tables.size(); ++t) {
    const auto& expected = (model.parameters().tables[t].rows() == model.num_users() && t % 2 == 0) ? users : items;
    const std::set<Index> held(grad.tables[t].rows().begin(), grad.tables[t].rows().end());
    CHECK(held == expected);
    CHECK(static_cast<std::size_t>(grad.tables[t].count()) == held.size());  // no duplicates
  }
}

template <class Model>
void check_displaced(const Model& model, const Batch& other, const Batch& eval, double step, double tol) {
  using S = typename Model::Scalar;
  auto ws = model.workspace(64);
  invlearn::Vector<S> logits(other.size()), dl(other.size());
  model.forward(other.view(), ws, logits);
  invlearn::Rng rng(9);
  for (Index k = 0; k < other.size(); ++k) dl[k] = static_cast<S>(rng.uniform(-1, 1));
  auto grad = model.make_gradient(other.size());
  model.backward(other.view(), ws, dl, grad);

  invlearn::Vector<S> displaced(eval.size()), expected(eval.size());
  model.forward_displaced(eval.view(), grad, static_cast<S>(step), ws, displaced);
  Model copy = model;
  copy.apply(grad, static_cast<S>(step));
  auto ws2 = copy.workspace(64);
  copy.forward(eval.view(), ws2, expected);
  for (Index k = 0; k < eval.size(); ++k) CHECK(std::abs(displaced[k] - expected[k]) <= tol);
  // And θ itself was not touched.
  invlearn::Vector<S> again(eval.size()), plain(eval.size());
  model.forward(eval.view(), ws, plain);
  model.forward_displaced(eval.view(), grad, S(0), ws, again);
  for (Index k = 0; k < eval.size(); ++k) CHECK(again[k] == plain[k]);
}

}  // namespace

TEST_CASE("models: GMF gradient matches central differences in double", "[models][gradient]") {
  invlearn::GMFOptions opt;
  opt.dim = 4;
  opt.init_std = 0.5;
  invlearn::GMF<double> model(5, 6, opt, 3);
  model.parameters().dense[opt.dim] = 0.3;  // a non-zero bias
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const Batch b = small_batch(5, 6, 7, seed);
    const auto result = check_gradient(model, b.view(), random_weights(b.size(), seed + 10));
    INFO("seed " << seed);
    CHECK(result.max_relative_error <= 1e-6);
  }
}

TEST_CASE("models: NeuMF gradient matches central differences in double", "[models][gradient]") {
  invlearn::NeuMFOptions opt;
  opt.dim = 2;
  opt.mlp_layers = 3;  // MLP 16 -> 8 -> 4 -> 2
  opt.init_std = 0.5;
  invlearn::NeuMF<double> model(4, 5, opt, 5);
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const Batch b = small_batch(4, 5, 6, seed);
    const auto result = check_gradient(model, b.view(), random_weights(b.size(), seed + 20));
    INFO("seed " << seed);
    CHECK(result.max_relative_error <= 1e-5);
  }
}

TEST_CASE("models: NeuMF gradient check at the paper's layer sizes", "[models][gradient]") {
  invlearn::NeuMFOptions opt;  // d = 32, MLP 256 -> 128 -> 64 -> 32
  opt.init_std = 0.3;
  invlearn::NeuMF<double> model(3, 3, opt, 11);
  const Batch b = small_batch(3, 3, 4, 4);
  // 44k parameters with J = O(1): central differences carry ~1e-10 of round-off,
  // so entries far below the gradient's scale are compared against a floor of 1e-5.
  // 44k parameters: a seeded sample of about 4000 of them, spread over every block.
  const auto result = check_gradient(model, b.view(), random_weights(b.size(), 44), {1e-5, 1e-5, 4000, 12345});
  CHECK(result.max_relative_error <= 1e-5);
}

TEMPLATE_TEST_CASE("models: rows outside the batch get no gradient", "[models]", float, double) {
  invlearn::GMF<TestType> gmf(10, 12, {}, 1);
  invlearn::NeuMFOptions nopt;
  nopt.dim = 4;
  invlearn::NeuMF<TestType> neumf(10, 12, nopt, 1);
  const Batch b = small_batch(10, 12, 9, 5);
  check_untouched_rows(gmf, b);
  check_untouched_rows(neumf, b);
}

TEMPLATE_TEST_CASE("models: forward_displaced equals forward on a displaced copy", "[models]", float, double) {
  invlearn::GMFOptions gopt;
  gopt.init_std = 0.3;
  invlearn::GMF<TestType> gmf(6, 7, gopt, 2);
  invlearn::NeuMFOptions nopt;
  nopt.dim = 4;
  nopt.init_std = 0.3;
  invlearn::NeuMF<TestType> neumf(6, 7, nopt, 2);
  // Displaced reads and an applied copy round differently in float (θ + s·g is rounded
  // once per row read, and once into the copy): both agree to a few ulps of the logits.
  const double tol = std::is_same<TestType, float>::value ? 1e-5 : 1e-12;
  // The evaluation batch shares some rows with the gradient's batch and not others.
  invlearn::Rng rng(4);
  Batch other, eval;
  for (int k = 0; k < 8; ++k) other.push_back(rng.index(4), rng.index(4), 1.0f);
  for (int k = 0; k < 10; ++k) eval.push_back(rng.index(6), rng.index(7), 0.0f);
  for (double step : {0.5, -0.5, 3.0}) {
    check_displaced(gmf, other, eval, step, tol);
    check_displaced(neumf, other, eval, step, tol);
  }
}

TEST_CASE("models: GMF forward_candidates equals forward_displaced bit for bit", "[models]") {
  // float, the paper's d = 32 and an odd d (unaligned rows), a batch that shares some rows
  // with the gradient's and not others, and the three IG candidates in either order.
  for (const Index d : {Index(32), Index(5)}) {
    invlearn::GMFOptions opt;
    opt.dim = d;
    opt.init_std = 0.3;
    invlearn::GMF<float> gmf(40, 50, opt, 3);
    invlearn::Rng rng(5);
    Batch other, eval;
    for (int k = 0; k < 60; ++k) other.push_back(rng.index(20), rng.index(25), 1.0f);
    for (int k = 0; k < 70; ++k) eval.push_back(rng.index(40), rng.index(50), 0.0f);
    auto ws = gmf.workspace(128);
    invlearn::Vector<float> logits(other.size()), dl(other.size());
    gmf.forward(other.view(), ws, logits);
    for (Index k = 0; k < other.size(); ++k) dl[k] = static_cast<float>(rng.uniform(-1, 1));
    auto grad = gmf.make_gradient(other.size());
    gmf.backward(other.view(), ws, dl, grad);

    const float alpha = 0.37f;
    for (const auto& steps : {std::vector<float>{-alpha, 0.0f, alpha}, std::vector<float>{alpha, -alpha},
                              std::vector<float>{0.0f}}) {
      const int k = static_cast<int>(steps.size());
      const Index n = eval.size();
      std::vector<float> fused(static_cast<std::size_t>(k * n));
      gmf.forward_candidates(eval.view(), grad, steps.data(), k, ws, fused.data());
      for (int c = 0; c < k; ++c) {
        invlearn::Vector<float> one(n);
        if (steps[static_cast<std::size_t>(c)] == 0.0f)
          gmf.forward(eval.view(), ws, one);
        else
          gmf.forward_displaced(eval.view(), grad, steps[static_cast<std::size_t>(c)], ws, one);
        for (Index j = 0; j < n; ++j) REQUIRE(fused[static_cast<std::size_t>(c * n + j)] == one[j]);
      }
    }
    const float four[4] = {0, 0, 0, 0};
    std::vector<float> out(static_cast<std::size_t>(4 * eval.size()));
    CHECK_THROWS_AS(gmf.forward_candidates(eval.view(), grad, four, 4, ws, out.data()), invlearn::InvalidArgument);
  }
}

TEST_CASE("models: float and double agree within 1e-3", "[models]") {
  invlearn::NeuMFOptions opt;
  opt.dim = 8;
  opt.init_std = 0.3;
  invlearn::NeuMF<double> md(20, 30, opt, 7);
  invlearn::NeuMF<float> mf(20, 30, opt, 7);
  invlearn::GMF<double> gd(20, 30, {}, 7);
  invlearn::GMF<float> gf(20, 30, {}, 7);
  invlearn::Rng rng(3);
  Batch b;
  for (int k = 0; k < 50; ++k) b.push_back(rng.index(20), rng.index(30), 1.0f);
  auto compare = [&](auto& dmodel, auto& fmodel) {
    auto wsd = dmodel.workspace(b.size());
    auto wsf = fmodel.workspace(b.size());
    invlearn::Vector<double> ld(b.size()), gdl(b.size());
    invlearn::Vector<float> lf(b.size()), gfl(b.size());
    dmodel.forward(b.view(), wsd, ld);
    fmodel.forward(b.view(), wsf, lf);
    for (Index k = 0; k < b.size(); ++k) CHECK(std::abs(ld[k] - lf[k]) <= 1e-3);
    gdl.setConstant(0.1);
    gfl.setConstant(0.1f);
    auto gradd = dmodel.make_gradient(b.size());
    auto gradf = fmodel.make_gradient(b.size());
    dmodel.backward(b.view(), wsd, gdl, gradd);
    fmodel.backward(b.view(), wsf, gfl, gradf);
    const auto a = invlearn::testing::densify(gradd, dmodel.parameters());
    const auto c = invlearn::testing::densify(gradf, fmodel.parameters());
    REQUIRE(a.size() == c.size());
    double worst = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - c[i]));
    CHECK(worst <= 1e-3);
  };
  compare(md, mf);
  compare(gd, gf);
}

TEST_CASE("models: bad arguments are refused with a message", "[models][errors]") {
  CHECK_THROWS_AS(invlearn::GMF<float>(0, 5), invlearn::InvalidArgument);
  invlearn::GMFOptions zero;
  zero.dim = 0;
  CHECK_THROWS_WITH(invlearn::GMF<float>(5, 5, zero), Catch::Contains("dim"));
  invlearn::GMF<float> model(3, 4);
  Batch b;
  b.push_back(3, 0, 1.0f);  // user 3 is out of range
  auto ws = model.workspace(4);
  invlearn::Vector<float> logits(1);
  CHECK_THROWS_WITH(model.forward(b.view(), ws, logits), Catch::Contains("user id 3"));
  Batch c;
  c.push_back(0, -1, 1.0f);
  CHECK_THROWS_WITH(model.forward(c.view(), ws, logits), Catch::Contains("item id -1"));
}

namespace {

// Sample mean and standard deviation of a block.
template <class Block>
std::pair<double, double> moments_of(const Block& b) {
  const double n = static_cast<double>(b.size());
  const double mean = b.template cast<double>().sum() / n;
  const double var = (b.template cast<double>().array() - mean).square().sum() / n;
  return {mean, std::sqrt(var)};
}

}  // namespace

TEST_CASE("models: initialisation follows DESIGN §5 (embeddings N(0, 0.01²), Xavier MLP, head bounds, zero biases)",
          "[models][init]") {
  // Sample sizes give the sample std to better than 1% of 0.01, and each bound is
  // reached to within a few percent by the largest |w| of its block.
  const Index users = 3000, items = 2000;
  invlearn::GMF<double> gmf(users, items, {}, 3);
  for (const auto& t : gmf.parameters().tables) {
    const auto [mean, sd] = moments_of(t);
    CHECK(std::abs(mean) < 1e-4);
    CHECK(sd == Approx(0.01).epsilon(0.01));
  }
  const Index d = gmf.dim();
  const auto w = gmf.parameters().dense.head(d);
  const double head = std::sqrt(3.0 / static_cast<double>(d));
  CHECK(w.cwiseAbs().maxCoeff() <= head);
  CHECK(w.cwiseAbs().maxCoeff() > 0.8 * head);
  CHECK(gmf.parameters().dense[d] == 0.0);

  invlearn::NeuMF<double> neumf(users, items, {}, 3);
  const auto& p = neumf.parameters();
  for (const auto& t : p.tables) CHECK(moments_of(t).second == Approx(0.01).epsilon(0.01));
  const auto& widths = neumf.mlp_widths();  // 256, 128, 64, 32
  Index offset = 0;
  for (std::size_t l = 0; l + 1 < widths.size(); ++l) {
    const Index in = widths[l], out = widths[l + 1];
    const auto weights = p.dense.segment(offset, in * out);
    const double bound = std::sqrt(6.0 / static_cast<double>(in + out));  // Xavier uniform
    INFO("layer " << l);
    CHECK(weights.cwiseAbs().maxCoeff() <= bound);
    CHECK(weights.cwiseAbs().maxCoeff() > 0.99 * bound);
    CHECK(moments_of(weights).second == Approx(bound / std::sqrt(3.0)).epsilon(0.05));
    offset += in * out;
    CHECK(p.dense.segment(offset, out).isZero(0.0));  // the layer's bias
    offset += out;
  }
  const Index fan_in = d + widths.back();
  const auto h = p.dense.segment(offset, fan_in);
  const double hb = std::sqrt(3.0 / static_cast<double>(fan_in));
  CHECK(h.cwiseAbs().maxCoeff() <= hb);
  CHECK(h.cwiseAbs().maxCoeff() > 0.8 * hb);
  CHECK(p.dense[offset + fan_in] == 0.0);
  CHECK(offset + fan_in + 1 == p.dense.size());
}

TEST_CASE("models: GMF, NeuMF and the archetype model the Backbone concept", "[models][concept]") {
  static_assert(invlearn::check_backbone<invlearn::BackboneArchetype<float>>(), "archetype");
  static_assert(invlearn::check_backbone<invlearn::GMF<float>>() && invlearn::check_backbone<invlearn::NeuMF<double>>(),
                "GMF, NeuMF");
  static_assert(invlearn::has_forward_candidates_v<invlearn::GMF<float>> &&
                    !invlearn::has_forward_candidates_v<invlearn::NeuMF<float>>,
                "GMF has a fused candidate pass, NeuMF does not");
  SUCCEED();
}

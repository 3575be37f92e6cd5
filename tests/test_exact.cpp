// The step's raw-row loops and its fused IG pass against the Eigen expressions and the
// unfused step they stand for: the same bits, at one thread.

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <vector>

#include "invlearn/config.hpp"
#include "invlearn/core/per_scalar_state.hpp"
#include "invlearn/core/random.hpp"
#include "invlearn/loss/bce.hpp"
#include "invlearn/loss/inverse_dual.hpp"
#include "invlearn/model/gmf.hpp"
#include "invlearn/model/row_ops.hpp"
#include "invlearn/model/sparse_rows.hpp"
#include "invlearn/optim/adam.hpp"
#include "invlearn/optim/row_kernels.hpp"
#include "invlearn/update/inverse_gradient.hpp"
#include "invlearn/update/step_kernels.hpp"

using invlearn::Batch;
using invlearn::Index;
using invlearn::Rng;
using invlearn::UnlabeledBatch;

namespace {

template <class S>
bool same_bits(const S* a, const S* b, Index n) {
  return std::memcmp(a, b, static_cast<std::size_t>(n) * sizeof(S)) == 0;
}

template <class S>
bool same_parameters(const invlearn::Parameters<S>& a, const invlearn::Parameters<S>& b) {
  if (a.tables.size() != b.tables.size() || a.dense.size() != b.dense.size()) return false;
  for (std::size_t k = 0; k < a.tables.size(); ++k)
    if (a.tables[k].size() != b.tables[k].size() || !same_bits(a.tables[k].data(), b.tables[k].data(), a.tables[k].size()))
      return false;
  return same_bits(a.dense.data(), b.dense.data(), a.dense.size());
}

template <class S>
invlearn::Table<S> random_table(Rng& rng, Index rows, Index d, double lo, double hi) {
  invlearn::Table<S> t(rows, d);
  for (Index r = 0; r < rows; ++r)
    for (Index c = 0; c < d; ++c) t(r, c) = static_cast<S>(rng.uniform(lo, hi));
  return t;
}

}  // namespace

TEMPLATE_TEST_CASE("exact: Adam's row kernels give the bits of Adam's Eigen row expression", "[exact][optim]", float,
                   double) {
  using S = TestType;
  // Rows of a table of d columns start at every alignment as d varies: Eigen's expression
  // takes packets from the first aligned coordinate of θ's row, and in float its packet
  // square root is not the exact one, so the split matters.
  Rng rng(11);
  invlearn::detail::AdamRowConstants<S> k;
  k.beta1 = S(0.9);
  k.beta2 = S(0.999);
  k.one_minus_beta1 = S(1) - k.beta1;
  k.one_minus_beta2 = S(1) - k.beta2;
  k.step_size = static_cast<S>(1e-3 / (1.0 - std::pow(0.9, 7.0)));
  k.bc2_sqrt = static_cast<S>(std::sqrt(1.0 - std::pow(0.999, 7.0)));
  k.epsilon = S(1e-8);
  std::vector<bool> kernels{false};
  if (invlearn::detail::use_avx2_row_kernels()) kernels.push_back(true);
  for (Index d = 1; d <= 37; ++d) {
    const Index rows = 6;
    const auto theta0 = random_table<S>(rng, rows, d, -0.1, 0.1);
    const auto m0 = random_table<S>(rng, rows, d, -1e-3, 1e-3);
    const auto v0 = random_table<S>(rng, rows, d, 0.0, 1e-5);
    const auto g = random_table<S>(rng, rows, d, -0.05, 0.05);
    auto theta = theta0, m = m0, v = v0;
    for (Index r = 0; r < rows; ++r) {  // as Adam::State::step wrote it with Eigen
      auto tr = theta.row(r);
      auto mr = m.row(r);
      auto vr = v.row(r);
      mr = k.beta1 * mr + (S(1) - k.beta1) * g.row(r);
      vr = k.beta2 * vr + (S(1) - k.beta2) * g.row(r).cwiseProduct(g.row(r));
      tr.array() -= k.step_size * mr.array() / (vr.array().sqrt() / k.bc2_sqrt + k.epsilon);
    }
    for (const bool avx2 : kernels) {
      auto t2 = theta0, m2 = m0, v2 = v0;
      for (Index r = 0; r < rows; ++r)
        invlearn::detail::adam_row(t2.row(r).data(), m2.row(r).data(), v2.row(r).data(), g.row(r).data(), d, k, avx2);
      INFO("d = " << d << ", avx2 = " << avx2);
      CHECK(same_bits(t2.data(), theta.data(), t2.size()));
      CHECK(same_bits(m2.data(), m.data(), m2.size()));
      CHECK(same_bits(v2.data(), v.data(), v2.size()));
    }
  }
}

TEMPLATE_TEST_CASE("exact: the idle-step kernels agree with the coordinate formula", "[exact][optim]", float, double) {
  using S = TestType;
  Rng rng(12);
  const auto idle = invlearn::IdleSteps::for_betas(0.9, 0.999);
  const auto w = idle->template window<S>(2000, 37, 1e-3, 1e-8);
  for (Index d = 1; d <= 37; ++d) {
    const auto theta0 = random_table<S>(rng, 3, d, -0.1, 0.1);
    const auto m0 = random_table<S>(rng, 3, d, -1e-3, 1e-3);
    auto v0 = random_table<S>(rng, 3, d, 0.0, 1e-5);
    v0(0, 0) = S(0);
    v0(2, d - 1) = S(1e-20);  // below the split: the other rule
    auto theta = theta0, m = m0, v = v0;
    for (Index i = 0; i < theta.size(); ++i) invlearn::detail::idle_coordinate(theta.data()[i], m.data()[i], v.data()[i], w);
    for (const bool avx2 : {false, invlearn::detail::use_avx2_row_kernels()}) {
      auto t2 = theta0, m2 = m0, v2 = v0;
      for (Index r = 0; r < 3; ++r) invlearn::detail::idle_row(t2.row(r).data(), m2.row(r).data(), v2.row(r).data(), d, w, avx2);
      INFO("d = " << d << ", avx2 = " << avx2);
      CHECK(same_bits(t2.data(), theta.data(), t2.size()));
      CHECK(same_bits(m2.data(), m.data(), m2.size()));
      CHECK(same_bits(v2.data(), v.data(), v2.size()));
    }
  }
}

TEMPLATE_TEST_CASE("exact: the GMF term of displaced rows is the Eigen expression's", "[exact][models]", float,
                   double) {
  using S = TestType;
  using Row = Eigen::Matrix<S, 1, Eigen::Dynamic>;
  Rng rng(13);
  for (Index d = 1; d <= 40; ++d) {
    const auto users = random_table<S>(rng, 5, d, -1, 1), items = random_table<S>(rng, 5, d, -1, 1);
    const auto gu = random_table<S>(rng, 5, d, -1, 1), gi = random_table<S>(rng, 5, d, -1, 1);
    const auto heads = random_table<S>(rng, 5, d, -1, 1);
    for (Index r = 0; r < 5; ++r) {
      const S su = r % 2 == 0 ? S(0.37) : S(0), si = r % 3 == 0 ? S(0) : S(-0.21);
      // As forward_displaced wrote it: the displaced rows into a workspace, then the term.
      const Row eu = su != S(0) ? Row(users.row(r) + su * gu.row(r)) : Row(users.row(r));
      const Row ei = si != S(0) ? Row(items.row(r) + si * gi.row(r)) : Row(items.row(r));
      const S expected = eu.cwiseProduct(ei).dot(heads.row(r));
      const S got = invlearn::detail::displaced_interaction(users.row(r).data(), gu.row(r).data(), su,
                                                            items.row(r).data(), gi.row(r).data(), si,
                                                            heads.row(r).data(), d);
      INFO("d = " << d << ", row " << r);
      CHECK(same_bits(&got, &expected, 1));
      const S plain = invlearn::detail::interaction(users.row(r).data(), items.row(r).data(), heads.row(r).data(), d);
      const S plain_expected = users.row(r).cwiseProduct(items.row(r)).dot(heads.row(r));
      CHECK(same_bits(&plain, &plain_expected, 1));
    }
  }
}

TEST_CASE("exact: SparseRows::assign_sum gives each row 0 + x1 + x2 + ... in sample order, either way", "[exact][models]") {
  using S = float;
  const Index d = 32;
  Rng rng(14);
  // 256 samples take the one-pass way, 8192 (n·d above kParallelGrain) the grouped one.
  for (const Index n : {Index(256), Index(8192)}) {
    std::vector<Index> ids(static_cast<std::size_t>(n));
    for (auto& id : ids) id = rng.index(n / 4);
    const auto x = random_table<S>(rng, n, d, -1, 1);
    std::vector<Index> order;
    std::vector<std::vector<S>> sums;
    std::vector<Index> slot_of(static_cast<std::size_t>(n / 4), -1);
    for (Index i = 0; i < n; ++i) {
      Index& s = slot_of[static_cast<std::size_t>(ids[static_cast<std::size_t>(i)])];
      if (s < 0) {
        s = static_cast<Index>(order.size());
        order.push_back(ids[static_cast<std::size_t>(i)]);
        sums.emplace_back(static_cast<std::size_t>(d), S(0));
      }
      for (Index c = 0; c < d; ++c) sums[static_cast<std::size_t>(s)][static_cast<std::size_t>(c)] += x(i, c);
    }
    invlearn::SparseRows<S> g;
    g.reset_shape(n / 4, d, n);
    g.assign_sum(ids.data(), n, x);
    REQUIRE(g.count() == static_cast<Index>(order.size()));
    for (Index s = 0; s < g.count(); ++s) {
      REQUIRE(g.rows()[static_cast<std::size_t>(s)] == order[static_cast<std::size_t>(s)]);
      CHECK(same_bits(g.value(s).data(), sums[static_cast<std::size_t>(s)].data(), d));
    }
  }
}

namespace {

using GMFf = invlearn::GMF<float>;
using OptState = invlearn::Adam::State<float>;
using Ctx = invlearn::StepContext<GMFf, invlearn::BCE, invlearn::InverseDual, OptState>;

/// InverseGradient<>'s step written out with one forward_displaced per candidate and a
/// fresh forward of the labeled batch at the chosen θ (what the fused pass replaces).
void reference_ig_step(Ctx& ctx, const invlearn::BatchView& labeled, const UnlabeledBatch& unlabeled,
                       invlearn::StepRecord& rec) {
  auto& b = ctx.buffers;
  rec.unlabeled_loss = invlearn::unlabeled_gradient(ctx, unlabeled, rec);
  const Index n = labeled.size;
  const float steps[3] = {static_cast<float>(-ctx.alpha), 0.0f, static_cast<float>(ctx.alpha)};
  double losses[3];
  invlearn::Vector<float> logits(n);
  for (int c = 0; c < 3; ++c) {
    if (steps[c] == 0.0f)
      ctx.model.forward(labeled, b.ws, logits);
    else
      ctx.model.forward_displaced(labeled, b.unlabeled_grad, steps[c], b.ws, logits);
    losses[c] = ctx.labeled_loss.value(logits.data(), labeled.labels, n);
  }
  int chosen = 0;
  for (int c = 1; c < 3; ++c)
    if (losses[c] < losses[chosen] || (losses[c] == losses[chosen] && c == 1)) chosen = c;
  if (chosen != 1) ctx.model.apply(b.unlabeled_grad, steps[chosen]);
  rec.choice = chosen - 1;
  rec.labeled_loss = invlearn::labeled_step(ctx, labeled);
}

}  // namespace

TEST_CASE("exact: a GMF IG step with the fused pass's forward reused is the unfused step, bit for bit",
          "[exact][update]") {
  invlearn::set_threads(1);
  invlearn::GMFOptions o;
  o.dim = 32;
  o.init_std = 0.1;
  const Index users = 300, items = 200;
  GMFf a(users, items, o, 5), b = a;
  const auto keys = invlearn::table_keys_of(a);
  const invlearn::Adam adam(0.05);  // deferred rows, the default
  OptState oa(adam, a.parameters()), ob(adam, b.parameters());
  invlearn::BCE bce_a, bce_b;
  invlearn::InverseDual idl_a, idl_b;
  invlearn::StepBuffers<GMFf> buf_a(a, 512), buf_b(b, 512);
  Ctx ca{a, oa, bce_a, idl_a, buf_a, 0.05};
  Ctx cb{b, ob, bce_b, idl_b, buf_b, 0.05};
  auto ig = invlearn::make_state<float>(invlearn::InverseGradient<>{}, a.parameters());
  Rng rng(15);
  int moved = 0;
  for (int step = 0; step < 30; ++step) {
    Batch labeled;
    UnlabeledBatch u;
    for (int k = 0; k < 256; ++k) {
      labeled.push_back(rng.index(users), rng.index(items), static_cast<float>(rng.index(2)));
      u.batch.push_back(labeled.users.back(), rng.index(items), 0.0f);
      u.truth.push_back(std::nanf(""));
    }
    for (auto* s : {&oa, &ob}) {
      s->bring_up_to_date(s == &oa ? a.parameters() : b.parameters(), labeled.view(), keys);
      s->bring_up_to_date(s == &oa ? a.parameters() : b.parameters(), u.batch.view(), keys);
    }
    invlearn::StepRecord ra, rb;
    ig.step(ca, labeled.view(), &u, ra);
    reference_ig_step(cb, labeled.view(), u, rb);
    REQUIRE(ra.choice == rb.choice);
    REQUIRE(ra.labeled_loss == rb.labeled_loss);
    REQUIRE(ra.unlabeled_loss == rb.unlabeled_loss);
    REQUIRE(same_parameters(a.parameters(), b.parameters()));
    moved += ra.choice != 0;
  }
  CHECK(moved > 0);  // the chosen θ was not always θ: the reused forward was a displaced one
  oa.bring_all_up_to_date(a.parameters());
  ob.bring_all_up_to_date(b.parameters());
  CHECK(same_parameters(a.parameters(), b.parameters()));
  CHECK(same_parameters(oa.moments().m, ob.moments().m));
  CHECK(same_parameters(oa.moments().v, ob.moments().v));
}

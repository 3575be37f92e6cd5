// Update policies and the Inverse Gradient meta step: Theorem 1 as a property,
// constructed cases with a known best candidate, ties, and equivalences.

#include <catch2/catch.hpp>

#include <cmath>

#include "invlearn/loss/bce.hpp"
#include "invlearn/loss/inverse_dual.hpp"
#include "invlearn/model/gmf.hpp"
#include "invlearn/model/neumf.hpp"
#include "invlearn/optim/adam.hpp"
#include "invlearn/optim/sgd.hpp"
#include "invlearn/update/direct.hpp"
#include "invlearn/update/inverse.hpp"
#include "invlearn/update/inverse_gradient.hpp"
#include "invlearn/update/joint.hpp"
#include "invlearn/update/no_update.hpp"
#include "invlearn/update/step_rule.hpp"
#include "invlearn/update/update_policy.hpp"
#include "invlearn/update/normalized_step.hpp"
#include "invlearn/update/signed_joint.hpp"
#include "invlearn/core/per_scalar_state.hpp"
#include "support/bias_model.hpp"

using invlearn::Batch;
using invlearn::Index;
using invlearn::UnlabeledBatch;
using invlearn_test::BiasModel;

namespace {

// Runs one step of `Policy` on (labeled, unlabeled) and returns its record.
template <class Policy, class Model, class Optimizer = invlearn::SGD>
invlearn::StepRecord run_step(Model& model, const Batch& labeled, const UnlabeledBatch& unlabeled, double alpha,
                              Policy policy = {}, Optimizer optimizer = Optimizer(0.0)) {
  using S = typename Model::Scalar;
  invlearn::BCE bce;
  invlearn::InverseDual idl;
  invlearn::StepBuffers<Model> buffers(model, 64);
  typename Optimizer::template State<S> opt(optimizer, model.parameters());
  invlearn::StepContext<Model, invlearn::BCE, invlearn::InverseDual, decltype(opt)> ctx{model, opt, bce, idl,
                                                                                       buffers, alpha};
  auto state = invlearn::make_state<S>(policy, model.parameters());
  invlearn::StepRecord rec;
  state.step(ctx, labeled.view(), &unlabeled, rec);
  return rec;
}

UnlabeledBatch unlabeled_of(std::initializer_list<std::pair<Index, Index>> pairs) {
  UnlabeledBatch u;
  for (auto& p : pairs) {
    u.batch.push_back(p.first, p.second, 0.0f);
    u.truth.push_back(std::nanf(""));
  }
  return u;
}

using IG = invlearn::InverseGradient<>;

}  // namespace

TEST_CASE("update: Theorem 1 — on one labeled instance the candidate losses are monotone", "[update][theorem]") {
  invlearn::Rng rng(2024);
  int strict = 0;
  for (int trial = 0; trial < 300; ++trial) {
    BiasModel model(6, 6, true);
    for (auto& t : model.parameters().tables)
      for (Index k = 0; k < t.size(); ++k) t.data()[k] = rng.normal(0.0, 1.5);
    model.parameters().dense[0] = rng.normal(0.0, 0.5);
    UnlabeledBatch u;
    for (int k = 0; k < 5; ++k) u.batch.push_back(rng.index(6), rng.index(6), 0.0f);
    Batch labeled;
    labeled.push_back(rng.index(6), rng.index(6), static_cast<float>(rng.index(2)));
    const double alpha = rng.uniform(0.01, 2.0);
    const auto rec = run_step<IG>(model, labeled, u, alpha);
    const double ld = rec.candidate_loss[0], l = rec.candidate_loss[1], li = rec.candidate_loss[2];
    const bool down = ld < l && l < li;
    const bool up = ld > l && l > li;
    INFO("trial " << trial << ": " << ld << " " << l << " " << li);
    // The global bias c is always touched, so the instance's logit always moves.
    CHECK((down || up));
    strict += down || up;
    // And IG chose the end that is lower.
    CHECK(rec.choice == (down ? -1 : 1));
  }
  CHECK(strict == 300);
}

TEST_CASE("update: IG picks the direct gradient when the unlabeled pair is easy", "[update]") {
  BiasModel model(3, 3, false);
  model.parameters().tables[0](0, 0) = 1.0;  // user 0 likes things: logit of (0, 0) = 1 > 0
  Batch labeled;
  labeled.push_back(0, 1, 1.0f);  // a true positive of the same user
  // IDL labels (0, 0) positive (logit > 0), so its direct gradient raises b_0, which
  // lowers the loss of the positive (0, 1).
  const auto rec = run_step<IG>(model, labeled, unlabeled_of({{0, 0}}), 0.5);
  CHECK(rec.candidate_loss[0] < rec.candidate_loss[1]);
  CHECK(rec.candidate_loss[1] < rec.candidate_loss[2]);
  CHECK(rec.choice == -1);
  CHECK(model.parameters().tables[0](0, 0) > 1.0);  // θ^d was taken
}

TEST_CASE("update: IG picks the inverse gradient when the unlabeled pair is hard", "[update]") {
  BiasModel model(3, 3, false);
  model.parameters().tables[0](0, 0) = -1.0;  // logit of (0, 0) = -1: IDL calls it negative
  Batch labeled;
  labeled.push_back(0, 1, 1.0f);  // but the user's items are positive
  const auto rec = run_step<IG>(model, labeled, unlabeled_of({{0, 0}}), 0.5);
  CHECK(rec.candidate_loss[2] < rec.candidate_loss[1]);
  CHECK(rec.candidate_loss[1] < rec.candidate_loss[0]);
  CHECK(rec.choice == 1);
  CHECK(model.parameters().tables[0](0, 0) > -1.0);  // θ^i moved b_0 up
}

TEST_CASE("update: IG keeps θ when both directions raise the training-test loss", "[update]") {
  BiasModel model(3, 4, true);
  auto& p = model.parameters();
  p.tables[1](1, 0) = 1.0;   // x(0, 1) = 1
  p.tables[1](2, 0) = -1.0;  // x(0, 2) = -1
  p.tables[1](3, 0) = 0.8;   // x(0, 3) = 0.8: IDL's gradient there is not zero
  Batch labeled;
  labeled.push_back(0, 1, 1.0f);
  labeled.push_back(0, 2, 0.0f);
  // The unlabeled pair shares user 0 and the global bias: both logits shift by the
  // same δ, and softplus(-1-δ) + softplus(-1+δ) has its minimum at δ = 0.
  const auto before = p;
  const auto rec = run_step<IG>(model, labeled, unlabeled_of({{0, 3}}), 0.5);
  CHECK(rec.candidate_loss[1] < rec.candidate_loss[0]);
  CHECK(rec.candidate_loss[1] < rec.candidate_loss[2]);
  CHECK(rec.choice == 0);
  CHECK(model.parameters().tables[0] == before.tables[0]);  // optimizer lr is 0 here
  CHECK(model.parameters().tables[1] == before.tables[1]);
}

TEST_CASE("update: a tie goes to no update", "[update]") {
  BiasModel model(4, 4, false);  // no shared dense weight
  model.parameters().tables[0](2, 0) = 0.7;
  Batch labeled;
  labeled.push_back(0, 0, 1.0f);
  const auto before = model.parameters();
  // The unlabeled pair shares nothing with the labeled one: all three losses are equal.
  const auto rec = run_step<IG>(model, labeled, unlabeled_of({{2, 3}}), 0.5);
  CHECK(rec.candidate_loss[0] == rec.candidate_loss[1]);
  CHECK(rec.candidate_loss[2] == rec.candidate_loss[1]);
  CHECK(rec.choice == 0);
  CHECK(model.parameters().tables[0] == before.tables[0]);
  CHECK(model.parameters().tables[1] == before.tables[1]);
}

TEST_CASE("update: the candidate losses are those of explicitly displaced copies", "[update]") {
  invlearn::GMFOptions o;
  o.dim = 8;
  o.init_std = 0.5;
  invlearn::GMF<double> model(10, 10, o, 3);
  invlearn::Rng rng(5);
  Batch labeled;
  UnlabeledBatch u;
  for (int k = 0; k < 12; ++k) {
    labeled.push_back(rng.index(10), rng.index(10), static_cast<float>(rng.index(2)));
    u.batch.push_back(rng.index(10), rng.index(10), 0.0f);
  }
  const double alpha = 0.3;
  // g by hand: IDL on the unlabeled batch, backward.
  auto ws = model.workspace(16);
  invlearn::Vector<double> x(u.batch.size()), d(u.batch.size());
  model.forward(u.batch.view(), ws, x);
  invlearn::InverseDual idl;
  idl.evaluate(x.data(), nullptr, u.batch.size(), d.data());
  auto g = model.make_gradient(16);
  model.backward(u.batch.view(), ws, d, g);
  double expected[3];
  for (int s = -1; s <= 1; ++s) {
    auto copy = model;
    copy.apply(g, s * alpha);
    auto ws2 = copy.workspace(16);
    invlearn::Vector<double> y(labeled.size());
    copy.forward(labeled.view(), ws2, y);
    expected[s + 1] = invlearn::BCE().evaluate(y.data(), labeled.labels.data(), labeled.size(),
                                               static_cast<double*>(nullptr));
  }
  const auto rec = run_step<IG>(model, labeled, u, alpha);
  for (int c = 0; c < 3; ++c) CHECK(rec.candidate_loss[c] == Approx(expected[c]).epsilon(1e-12));
}

TEST_CASE("update: NoUpdate leaves θ bit-identical to a labels-only step", "[update]") {
  invlearn::GMF<float> a(20, 20, {}, 1), b(20, 20, {}, 1);
  invlearn::Rng rng(8);
  Batch labeled;
  UnlabeledBatch u;
  for (int k = 0; k < 16; ++k) {
    labeled.push_back(rng.index(20), rng.index(20), static_cast<float>(rng.index(2)));
    u.batch.push_back(rng.index(20), rng.index(20), 0.0f);
  }
  invlearn::Adam oa(0.01), ob(0.01);
  run_step<invlearn::NoUpdate>(a, labeled, u, 0.1, {}, oa);
  // b: the same labeled step with no unlabeled batch at all.
  invlearn::BCE bce;
  invlearn::InverseDual idl;
  invlearn::StepBuffers<invlearn::GMF<float>> buf(b, 64);
  invlearn::Adam::State<float> sb(ob, b.parameters());
  invlearn::StepContext<invlearn::GMF<float>, invlearn::BCE, invlearn::InverseDual, invlearn::Adam::State<float>> ctx{
      b, sb, bce, idl, buf, 0.1};
  invlearn::labeled_step(ctx, labeled.view());
  CHECK(a.parameters().tables[0] == b.parameters().tables[0]);
  CHECK(a.parameters().tables[1] == b.parameters().tables[1]);
  CHECK(a.parameters().dense == b.parameters().dense);
}

namespace {

// IG with a single candidate must train exactly as that candidate's own update policy:
// for GMF this checks the fused candidate pass and the labeled forward after it; for
// NeuMF, which evaluates candidates one by one, that reusing the winner's forward for the
// labeled step is bit for bit a fresh forward at the θ IG moved to.
template <class Model, class Candidate>
void check_single_candidate_ig(const Model& initial, int expected_choice) {
  using S = typename Model::Scalar;
  using OnlyOne = invlearn::InverseGradient<invlearn::SgdStep, Candidate>;
  using OptState = invlearn::Adam::State<S>;
  Model a = initial, b = initial;
  const invlearn::Adam adam(0.01);
  OptState oa(adam, a.parameters()), ob(adam, b.parameters());
  invlearn::Rng rng(9);
  invlearn::BCE bce_a, bce_b;
  invlearn::InverseDual idl_a, idl_b;
  invlearn::StepBuffers<Model> buf_a(a, 64), buf_b(b, 64);
  invlearn::StepContext<Model, invlearn::BCE, invlearn::InverseDual, OptState> ca{a, oa, bce_a, idl_a, buf_a, 0.05};
  invlearn::StepContext<Model, invlearn::BCE, invlearn::InverseDual, OptState> cb{b, ob, bce_b, idl_b, buf_b, 0.05};
  auto ig = invlearn::make_state<S>(OnlyOne{}, a.parameters());
  auto policy = invlearn::make_state<S>(Candidate{}, b.parameters());
  const Index users = initial.num_users(), items = initial.num_items();
  for (int step = 0; step < 20; ++step) {
    Batch labeled;
    UnlabeledBatch u;
    for (int k = 0; k < 24; ++k) {
      labeled.push_back(rng.index(users), rng.index(items), static_cast<float>(rng.index(2)));
      u.batch.push_back(rng.index(users), rng.index(items), 0.0f);
    }
    invlearn::StepRecord ra, rb;
    ig.step(ca, labeled.view(), &u, ra);
    policy.step(cb, labeled.view(), &u, rb);
    REQUIRE(ra.choice == expected_choice);
    REQUIRE(ra.labeled_loss == rb.labeled_loss);
  }
  for (std::size_t t = 0; t < a.parameters().tables.size(); ++t)
    CHECK(a.parameters().tables[t] == b.parameters().tables[t]);
  CHECK(a.parameters().dense == b.parameters().dense);
}

}  // namespace

TEST_CASE("update: IG with one candidate equals that candidate's update, step for step", "[update]") {
  invlearn::GMFOptions g;
  g.dim = 8;
  const invlearn::GMF<float> gmf(30, 30, g, 4);
  check_single_candidate_ig<invlearn::GMF<float>, invlearn::DirectUpdate>(gmf, -1);
  check_single_candidate_ig<invlearn::GMF<float>, invlearn::InverseUpdate>(gmf, +1);
  invlearn::NeuMFOptions n;
  n.dim = 4;
  n.mlp_layers = 2;
  n.init_std = 0.1;
  const invlearn::NeuMF<float> neumf(30, 30, n, 4);
  check_single_candidate_ig<invlearn::NeuMF<float>, invlearn::DirectUpdate>(neumf, -1);
  check_single_candidate_ig<invlearn::NeuMF<float>, invlearn::InverseUpdate>(neumf, +1);
  check_single_candidate_ig<invlearn::NeuMF<float>, invlearn::NoUpdate>(neumf, 0);
}

TEST_CASE("update: direct and inverse updates move θ by ∓α·g before the labeled step", "[update]") {
  BiasModel d(3, 3, false), i(3, 3, false);
  d.parameters().tables[0](0, 0) = 1.0;
  i.parameters().tables[0](0, 0) = 1.0;
  Batch labeled;
  labeled.push_back(2, 2, 1.0f);  // shares nothing: only the unlabeled step moves row 0
  const auto u = unlabeled_of({{0, 0}});
  run_step<invlearn::DirectUpdate>(d, labeled, u, 0.5);
  run_step<invlearn::InverseUpdate>(i, labeled, u, 0.5);
  // IDL gradient at x = 1 is σ(1) - w¹(1) (n = 1); the direct step subtracts 0.5 of it.
  const double p = invlearn::softplus(-1.0), n = invlearn::softplus(1.0);
  const double g = invlearn::sigmoid(1.0) - n * n / (n * n + p * p);
  CHECK(d.parameters().tables[0](0, 0) == Approx(1.0 - 0.5 * g).epsilon(1e-6));
  CHECK(i.parameters().tables[0](0, 0) == Approx(1.0 + 0.5 * g).epsilon(1e-6));
}

TEST_CASE("update: NormalizedStep moves each touched coordinate by about α", "[update]") {
  BiasModel model(3, 3, false);
  model.parameters().tables[0](0, 0) = 1.0;
  Batch labeled;
  labeled.push_back(2, 2, 1.0f);
  using Normalized = invlearn::DirectUpdateWith<invlearn::NormalizedStep>;
  run_step<Normalized>(model, labeled, unlabeled_of({{0, 0}}), 0.01);
  // First step: m̂/√v̂ = sign(g) = -1 here (IDL pulls a positive logit up): +α.
  CHECK(model.parameters().tables[0](0, 0) == Approx(1.0 + 0.01).epsilon(1e-6));
}

TEST_CASE("update: JointUpdate weighs labeled and unlabeled rows by their counts", "[update]") {
  BiasModel model(3, 3, false);
  Batch labeled;
  labeled.push_back(0, 0, 1.0f);
  const auto u = unlabeled_of({{1, 1}, {1, 2}, {2, 1}});
  const auto rec = run_step<invlearn::JointUpdate>(model, labeled, u, 0.1, {}, invlearn::SGD(1.0));
  // At θ = 0 every logit is 0: the labeled BCE is log 2, IDL is log 2 (w¹ = 1/2).
  CHECK(rec.labeled_loss == Approx(std::log(2.0)));
  CHECK(rec.unlabeled_loss == Approx(std::log(2.0)));
  // dL/dx for the labeled row: (σ(0) - 1)/1 · (1/4) → b_0 moves by +0.125 with lr 1.
  CHECK(model.parameters().tables[0](0, 0) == Approx(0.125));
  // Unlabeled rows: (σ(0) - w¹)/3 · (3/4) = 0: IDL at a logit of 0 pulls neither way.
  CHECK(model.parameters().tables[0](1, 0) == Approx(0.0).margin(1e-12));
}

TEST_CASE("update: the signed joint step follows, leaves out or inverts the IDL term", "[update]") {
  // With SGD the move is linear in the gradient: Δ(d) = -lr (w_l g_l - d w_u g_u). So
  // Δ(-1) is IDL's joint step, Δ(-1) + Δ(+1) = 2 Δ(0), and Δ(0) has no IDL term at all.
  invlearn::Rng rng(17);
  BiasModel start(5, 5, true);
  for (auto& t : start.parameters().tables)
    for (Index k = 0; k < t.size(); ++k) t.data()[k] = rng.normal(0.0, 1.0);
  Batch labeled;
  labeled.push_back(0, 1, 1.0f);
  labeled.push_back(2, 3, 0.0f);
  const auto u = unlabeled_of({{1, 1}, {3, 2}, {4, 0}});
  auto move = [&](auto policy, int direction) {
    BiasModel m = start;
    using S = double;
    invlearn::BCE bce;
    invlearn::InverseDual idl;
    invlearn::StepBuffers<BiasModel> buffers(m, 64);
    invlearn::SGD::State<S> opt(invlearn::SGD(0.5), m.parameters());
    invlearn::StepContext<BiasModel, invlearn::BCE, invlearn::InverseDual, decltype(opt)> ctx{m, opt, bce, idl,
                                                                                          buffers, 0.1};
    auto state = invlearn::make_state<S>(policy, m.parameters());
    if constexpr (!std::is_same<decltype(policy), invlearn::JointUpdate>::value) state.set_direction(direction);
    invlearn::StepRecord rec;
    state.step(ctx, labeled.view(), &u, rec);
    if constexpr (!std::is_same<decltype(policy), invlearn::JointUpdate>::value) CHECK(rec.choice == direction);
    std::vector<double> delta;
    for (std::size_t t = 0; t < m.parameters().tables.size(); ++t)
      for (Index k = 0; k < m.parameters().tables[t].size(); ++k)
        delta.push_back(m.parameters().tables[t].data()[k] - start.parameters().tables[t].data()[k]);
    for (Index k = 0; k < m.parameters().dense.size(); ++k)
      delta.push_back(m.parameters().dense[k] - start.parameters().dense[k]);
    return delta;
  };
  const auto idl = move(invlearn::JointUpdate{}, 0);
  const auto direct = move(invlearn::SignedJointUpdate{}, -1);
  const auto none = move(invlearn::SignedJointUpdate{}, 0);
  const auto inverse = move(invlearn::SignedJointUpdate{}, +1);
  REQUIRE(idl.size() == direct.size());
  bool idl_term_moves = false;
  for (std::size_t k = 0; k < idl.size(); ++k) {
    CHECK(direct[k] == idl[k]);
    CHECK(direct[k] + inverse[k] == Approx(2 * none[k]).margin(1e-12));
    idl_term_moves = idl_term_moves || std::abs(direct[k] - none[k]) > 1e-6;
  }
  CHECK(idl_term_moves);
  CHECK_THROWS_WITH(invlearn::make_state<double>(invlearn::SignedJointUpdate{}, start.parameters()).set_direction(2),
                    Catch::Contains("-1, 0 or +1"));
}

namespace {

// A labeled loss that is not BCE: -BCE (its minimum is where BCE is largest). IG must
// judge its candidates by the labeled loss the trainer uses, so with this loss it picks
// the candidate BCE would rank last.
struct NegatedBCE {
  static constexpr const char* name = "negated-bce";
  template <class S>
  double evaluate(const S* logits, const float* labels, Index n, S* dlogits) {
    const double v = -invlearn::BCE().evaluate(logits, labels, n, dlogits);
    if (dlogits)
      for (Index k = 0; k < n; ++k) dlogits[k] = -dlogits[k];
    return v;
  }
  template <class S>
  double value(const S* logits, const float* labels, Index n) const {
    return -invlearn::BCE().value(logits, labels, n);
  }
};

}  // namespace

TEST_CASE("update: IG judges its candidates with the trainer's labeled loss", "[update]") {
  BiasModel model(3, 3, false);
  model.parameters().tables[0](0, 0) = 1.0;  // the easy case above: BCE picks θ^d
  Batch labeled;
  labeled.push_back(0, 1, 1.0f);
  invlearn::InverseDual idl;
  NegatedBCE negated;
  invlearn::StepBuffers<BiasModel> buffers(model, 64);
  invlearn::SGD::State<double> sgd(invlearn::SGD(0.0), model.parameters());
  invlearn::StepContext<BiasModel, NegatedBCE, invlearn::InverseDual, decltype(sgd)> ctx{model, sgd, negated, idl,
                                                                                      buffers, 0.5};
  auto ig = invlearn::make_state<double>(IG{}, model.parameters());
  invlearn::StepRecord rec;
  const auto u = unlabeled_of({{0, 0}});
  ig.step(ctx, labeled.view(), &u, rec);
  CHECK(rec.candidate_loss[2] < rec.candidate_loss[1]);  // -BCE is lowest at θ^i
  CHECK(rec.choice == 1);
}

TEST_CASE("update: a meta step without unlabeled pairs makes no choice", "[update]") {
  BiasModel model(3, 3, false);
  Batch labeled;
  labeled.push_back(0, 1, 1.0f);
  const auto rec = run_step<IG>(model, labeled, UnlabeledBatch(), 0.5);
  CHECK(rec.choice == 2);
  CHECK_FALSE(rec.is_meta());  // so it is not counted as a "none" choice
  CHECK(std::isfinite(rec.labeled_loss));
}

TEST_CASE("update: NormalizedStep keeps its moments: g then -g against hand-computed moments", "[update]") {
  invlearn::Parameters<double> p;
  p.tables.emplace_back(2, 1);
  p.tables[0].setZero();
  p.dense.setZero(1);
  auto gradient = [&](double g) {
    invlearn::Gradient<double> grad(p, 2);
    invlearn::RowMatrix<double> per(1, 1);
    per(0, 0) = g;
    const Index row = 1;
    grad.tables[0].assign_sum(&row, 1, per);
    grad.dense[0] = 2 * g;
    return grad;
  };
  invlearn::NormalizedStep::State<double> rule(invlearn::NormalizedStep(), p);
  const double b1 = 0.9, b2 = 0.999, eps = 1e-8, g = 0.3;
  double m = 0, v = 0;
  for (int t = 1; t <= 2; ++t) {
    const double gt = t == 1 ? g : -g;
    auto grad = gradient(gt);
    rule.transform(p, grad);
    m = b1 * m + (1 - b1) * gt;
    v = b2 * v + (1 - b2) * gt * gt;
    const double d = (m / (1 - std::pow(b1, t))) / (std::sqrt(v / (1 - std::pow(b2, t))) + eps);
    INFO("step " << t);
    CHECK(grad.tables[0].value(0)[0] == Approx(d).epsilon(1e-12));
  }
  // A rule that started fresh each step would give sign(-g) = -1 at step 2; the kept
  // moments give m̂/√v̂ = -0.01/0.19 ≈ -0.053.
  CHECK(rule.moments().t == 2);
}

namespace {

// IG with all three candidates and a learning rate, on a backbone without a fused
// candidate pass: every meta step must equal "apply the chosen candidate's move, then an
// ordinary labeled step" computed independently on a copy.
template <class Model>
void check_ig_equals_move_then_step(const Model& initial, double alpha) {
  using S = typename Model::Scalar;
  using OptState = invlearn::Adam::State<S>;
  Model a = initial, b = initial;
  const invlearn::Adam adam(0.01);
  OptState oa(adam, a.parameters()), ob(adam, b.parameters());
  invlearn::BCE bce_a, bce_b;
  invlearn::InverseDual idl_a, idl_b;
  invlearn::StepBuffers<Model> buf_a(a, 64), buf_b(b, 64);
  invlearn::StepContext<Model, invlearn::BCE, invlearn::InverseDual, OptState> ca{a, oa, bce_a, idl_a, buf_a, alpha};
  invlearn::StepContext<Model, invlearn::BCE, invlearn::InverseDual, OptState> cb{b, ob, bce_b, idl_b, buf_b, alpha};
  auto ig = invlearn::make_state<S>(IG{}, a.parameters());
  invlearn::Rng rng(21);
  int moved = 0;
  for (int step = 0; step < 30; ++step) {
    Batch labeled;
    UnlabeledBatch u;
    for (int k = 0; k < 24; ++k) {
      labeled.push_back(rng.index(a.num_users()), rng.index(a.num_items()), static_cast<float>(rng.index(2)));
      u.batch.push_back(rng.index(a.num_users()), rng.index(a.num_items()), 0.0f);
    }
    invlearn::StepRecord ra, rb;
    ig.step(ca, labeled.view(), &u, ra);
    REQUIRE(ra.is_meta());
    moved += ra.choice != 0;
    // b: the same unlabeled gradient, the chosen move, then a fresh labeled step.
    invlearn::unlabeled_gradient(cb, u, rb);
    if (ra.choice != 0) b.apply(buf_b.unlabeled_grad, static_cast<S>(ra.choice * alpha));
    const double loss = invlearn::labeled_step(cb, labeled.view());
    REQUIRE(loss == ra.labeled_loss);
  }
  CHECK(moved > 0);  // the check is only as good as the moves it saw
  for (std::size_t t = 0; t < a.parameters().tables.size(); ++t)
    CHECK(a.parameters().tables[t] == b.parameters().tables[t]);
  CHECK(a.parameters().dense == b.parameters().dense);
}

}  // namespace

TEST_CASE("update: IG's labeled step is taken at the θ it moved to (no fused pass)", "[update]") {
  invlearn::NeuMFOptions n;
  n.dim = 4;
  n.mlp_layers = 2;
  n.init_std = 0.3;
  check_ig_equals_move_then_step(invlearn::NeuMF<float>(30, 30, n, 4), 0.5);
  check_ig_equals_move_then_step(invlearn::NeuMF<double>(30, 30, n, 4), 0.5);
  BiasModel bias(30, 30, true);
  invlearn::Rng rng(3);
  for (auto& t : bias.parameters().tables)
    for (Index k = 0; k < t.size(); ++k) t.data()[k] = rng.normal(0.0, 1.0);
  check_ig_equals_move_then_step(bias, 0.5);
}

TEST_CASE("update: every policy, step rule and archetype models its concept", "[update][concept]") {
  using Ctx = invlearn::StepContext<BiasModel, invlearn::BCE, invlearn::InverseDual, invlearn::SGD::State<double>>;
  static_assert(invlearn::check_update_policy<invlearn::UpdatePolicyArchetype, Ctx>(), "archetype");
  static_assert(invlearn::check_update_policy<invlearn::NoUpdate, Ctx>(), "NoUpdate");
  static_assert(invlearn::check_update_policy<invlearn::JointUpdate, Ctx>(), "JointUpdate");
  static_assert(invlearn::check_update_policy<invlearn::DirectUpdate, Ctx>(), "DirectUpdate");
  static_assert(invlearn::check_update_policy<IG, Ctx>(), "InverseGradient");
  static_assert(invlearn::check_step_rule<invlearn::StepRuleArchetype, float>(), "archetype");
  static_assert(invlearn::check_step_rule<invlearn::SgdStep, float>() &&
                    invlearn::check_step_rule<invlearn::NormalizedStep, double>(),
                "SgdStep, NormalizedStep");
  SUCCEED();
}

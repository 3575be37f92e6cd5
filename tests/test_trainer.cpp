// The Trainer and the paper's methods end to end on synthetic data with a planted
// ground truth: model selection, schedules, determinism across thread counts,
// numerical guards, a backbone from outside the library, and IG against NS.

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "invlearn/ig.hpp"
#include "support/same_parameters.hpp"
#include "support/bias_model.hpp"

using invlearn::Index;

namespace {

invlearn::SyntheticOptions small_data(std::uint64_t seed) {
  invlearn::SyntheticOptions o;
  o.users = 400;
  o.items = 200;
  o.labeled_per_user = 40;
  o.seed = seed;
  return o;
}

bool quick() { return std::getenv("INVLEARN_QUICK") != nullptr; }

template <class T>
struct TypeTag {
  using type = T;
};

template <class S>
bool same(const invlearn::Parameters<S>& a, const invlearn::Parameters<S>& b) {
  return invlearn_test::same_parameters(a, b);
}

}  // namespace

TEST_CASE("trainer: the best epoch's parameters are restored", "[trainer]") {
  const invlearn::SyntheticData syn(small_data(1));
  const auto data = syn.dataset();
  invlearn::GMF<double> model(data.num_users(), data.num_items());
  invlearn::TrainerOptions o;
  o.epochs = 6;
  o.patience = 0;  // every epoch evaluated
  o.lr = 0.05;  // large enough to overfit after a few epochs
  o.batch_size = 256;
  invlearn::methods::NS<invlearn::GMF<double>> trainer(model, o);
  std::vector<double> losses;
  trainer.on_epoch([&](const invlearn::EpochReport& e) {
    losses.push_back(e.valid_loss);
    return true;
  });
  const auto fit = trainer.fit(data.train, data.valid);
  REQUIRE(losses.size() == 6);
  const auto best = std::min_element(losses.begin(), losses.end());
  CHECK(fit.best_epoch == 1 + (best - losses.begin()));
  CHECK(fit.best_valid_loss == *best);
  CHECK(trainer.validation_loss(data.valid) == *best);  // θ is the best epoch's, bit for bit
}

TEST_CASE("trainer: on_epoch returning false stops training", "[trainer]") {
  const invlearn::SyntheticData syn(small_data(2));
  const auto data = syn.dataset();
  invlearn::GMF<float> model(data.num_users(), data.num_items());
  invlearn::TrainerOptions o;
  o.epochs = 5;
  invlearn::methods::None<invlearn::GMF<float>> trainer(model, o);
  int seen = 0;
  trainer.on_epoch([&](const invlearn::EpochReport&) { return ++seen < 2; });
  trainer.fit(data.train, data.valid);
  CHECK(seen == 2);
  CHECK(trainer.trace().epochs.size() == 2);
}

TEST_CASE("trainer: IG's schedules run the documented number of meta steps", "[trainer]") {
  const invlearn::SyntheticData syn(small_data(3));
  const auto data = syn.dataset();
  invlearn::TrainerOptions o;
  o.epochs = 2;
  o.batch_size = 128;
  const Index n = data.train.size();
  const Index n_test = static_cast<Index>(std::llround(0.1 * static_cast<double>(n)));
  const Index train_batches = (n - n_test + 127) / 128, test_batches = (n_test + 127) / 128;
  auto count = [](const invlearn::Trace& t, invlearn::Phase p) {
    return std::count_if(t.steps.begin(), t.steps.end(), [&](const invlearn::TraceRow& r) { return r.phase == p; });
  };
  {
    invlearn::GMF<float> model(data.num_users(), data.num_items());
    invlearn::methods::IGPaper<invlearn::GMF<float>> trainer(model, o);
    trainer.fit(data.train, data.valid);
    CHECK(count(trainer.trace(), invlearn::Phase::train) == 2 * train_batches);
    CHECK(count(trainer.trace(), invlearn::Phase::meta) == 2 * test_batches);
    for (const auto& r : trainer.trace().steps)
      if (r.phase == invlearn::Phase::meta) {
        CHECK(r.record.is_meta());
        CHECK(std::isfinite(r.record.candidate_loss[1]));
        CHECK(std::isfinite(r.record.mean_positive_weight));
      }
  }
  {
    invlearn::GMF<float> model(data.num_users(), data.num_items());
    invlearn::methods::IGPaper<invlearn::GMF<float>, invlearn::Adam, invlearn::PerTrainBatch> trainer(model, o);
    trainer.fit(data.train, data.valid);
    CHECK(count(trainer.trace(), invlearn::Phase::meta) == 2 * train_batches);
  }
}

TEST_CASE("trainer: same seed, 1 or 2 threads: identical parameters and metrics", "[trainer][determinism]") {
  const invlearn::SyntheticData syn(small_data(4));
  const auto data = syn.dataset();
  invlearn::TrainerOptions o;
  o.epochs = 2;
  o.batch_size = 256;
  auto run_ig = [&](int threads) {
    invlearn::NeuMFOptions no;
    no.dim = 8;
    invlearn::NeuMF<float> model(data.num_users(), data.num_items(), no, 7);
    auto opts = o;
    opts.threads = threads;
    invlearn::methods::IGPaper<invlearn::NeuMF<float>> trainer(model, opts);
    trainer.fit(data.train, data.valid);
    return model;
  };
  auto run_srns = [&](int threads) {
    invlearn::GMF<float> model(data.num_users(), data.num_items(), {}, 7);
    auto opts = o;
    opts.threads = threads;
    invlearn::methods::SRNS<invlearn::GMF<float>> trainer(model, opts);
    trainer.fit(data.train, data.valid);
    return model;
  };
  const auto a = run_ig(1), b = run_ig(2);
  CHECK(same(a.parameters(), b.parameters()));
  CHECK(invlearn::evaluate(a, data.test).auc == invlearn::evaluate(b, data.test).auc);
  const auto c = run_srns(1), d = run_srns(2);
  CHECK(same(c.parameters(), d.parameters()));
  invlearn::set_threads(2);
}

TEST_CASE("trainer: a non-finite loss stops training, naming method, epoch and step", "[trainer][errors]") {
  const invlearn::SyntheticData syn(small_data(5));
  const auto data = syn.dataset();
  invlearn::TrainerOptions o;
  o.epochs = 3;
  o.patience = 0;  // every epoch evaluated
  o.method = "idl";
  SECTION("in the first step") {
    invlearn::GMF<float> model(data.num_users(), data.num_items());
    model.parameters().dense[0] = std::nanf("");
    invlearn::methods::IDL<invlearn::GMF<float>> trainer(model, o);
    CHECK_THROWS_WITH(trainer.fit(data.train, data.valid),
                      Catch::Contains("idl, epoch 1, step 1") && Catch::Contains("not finite"));
  }
  SECTION("after an epoch: the best parameters so far are kept") {
    invlearn::GMF<float> model(data.num_users(), data.num_items());
    invlearn::methods::IDL<invlearn::GMF<float>> trainer(model, o);
    invlearn::Parameters<float> snapshot;
    trainer.on_epoch([&](const invlearn::EpochReport&) {
      snapshot = model.parameters();
      model.parameters().dense[0] = std::nanf("");  // poison θ for epoch 2
      return true;
    });
    CHECK_THROWS_AS(trainer.fit(data.train, data.valid), invlearn::NumericalError);
    CHECK(same(model.parameters(), snapshot));
    CHECK(model.parameters().all_finite());
  }
}

TEST_CASE("trainer: bad data is refused with a message", "[trainer][errors]") {
  const invlearn::SyntheticData syn(small_data(6));
  auto data = syn.dataset();
  invlearn::GMF<float> model(data.num_users(), data.num_items());
  invlearn::methods::None<invlearn::GMF<float>> trainer(model);
  auto bad = data.train;
  bad.items[3] = data.num_items() + 5;
  CHECK_THROWS_WITH(trainer.fit(bad, data.valid), Catch::Contains("row 3") && Catch::Contains("item id"));
  auto unequal = data.train;
  unequal.labels.pop_back();
  CHECK_THROWS_WITH(trainer.fit(unequal, data.valid), Catch::Contains("different lengths"));
  invlearn::Interactions empty = data.train;
  empty.users.clear();
  empty.items.clear();
  empty.labels.clear();
  CHECK_THROWS_WITH(trainer.fit(empty, data.valid), Catch::Contains("no labeled training rows"));
  invlearn::TrainerOptions zero;
  zero.batch_size = 0;
  CHECK_THROWS_WITH(invlearn::methods::None<invlearn::GMF<float>>(model, zero), Catch::Contains("batch_size"));
}

TEST_CASE("trainer: a backbone from outside the library trains with both IGs, DNS and SRNS", "[trainer][custom]") {
  // BiasModel (tests/support) is a backbone the library does not know: x = b_u + b_i + c.
  // Item biases carry most of the synthetic data's signal, so it learns a clear AUC.
  const invlearn::SyntheticData syn(small_data(7));
  const auto data = syn.dataset();
  using Model = invlearn_test::BiasModel;
  invlearn::TrainerOptions o;
  o.epochs = 10;
  o.lr = 0.02;
  o.batch_size = 256;
  auto truth = [&](Index u, Index i) { return syn.truth(u, i); };
  auto check_learns = [&](auto tag) {
    using Method = typename decltype(tag)::type;
    Model model(data.num_users(), data.num_items(), true);
    const double before = invlearn::evaluate(model, data.test).auc;
    Method trainer(model, o);
    const auto fit = trainer.fit(data.train, data.valid, truth);
    const double after = invlearn::evaluate(model, data.test).auc;
    INFO(Method::policy_type::name << ": AUC before " << before << ", after " << after);
    CHECK(after > before + 0.1);
    CHECK(fit.choices[0] + fit.choices[1] + fit.choices[2] > 0);
    CHECK(fit.annotated > 0);
  };
  check_learns(TypeTag<invlearn::methods::IGPaper<Model>>{});
  check_learns(TypeTag<invlearn::methods::IG<Model>>{});
  // The samplers that score pairs (DNS, SRNS) need nothing beyond the Backbone concept.
  o.epochs = 2;
  Model dns_model(data.num_users(), data.num_items(), true);
  invlearn::methods::DNS<Model>(dns_model, o).fit(data.train, data.valid);
  CHECK(dns_model.parameters().all_finite());
  invlearn::SRNSOptions small;
  small.candidates = 100;
  Model srns_model(data.num_users(), data.num_items(), true);
  invlearn::methods::SRNS<Model>(srns_model, o, {}, {}, {}, {}, invlearn::SRNSSampler(small))
      .fit(data.train, data.valid);
  CHECK(srns_model.parameters().all_finite());
}

TEST_CASE("trainer: on planted truth with noisy unlabeled pairs, IG beats NS on test AUC", "[trainer][accuracy]") {
  // Uniformly drawn pairs are positive about 45% of the time here, so NS's
  // "unlabeled = negative" is wrong for almost half of them; IG's choice of
  // direction protects it. Measured with these settings: IG 0.849/0.841/0.847 against
  // NS 0.665/0.642/0.641 (seeds 100-102), a margin of about 0.19; asserted: 0.10.
  const int seeds = quick() ? 1 : 3;
  double ig_sum = 0, ns_sum = 0;
  for (int s = 0; s < seeds; ++s) {
    invlearn::SyntheticOptions so = small_data(100 + s);
    so.users = 1000;
    so.items = 500;
    so.labeled_per_user = 60;
    const invlearn::SyntheticData syn(so);
    const auto data = syn.dataset();
    invlearn::TrainerOptions o;
    o.epochs = 8;
    o.lr = 3e-3;
    o.seed = 100 + static_cast<std::uint64_t>(s);
    invlearn::GMF<float> m_ig(data.num_users(), data.num_items(), {}, o.seed);
    invlearn::GMF<float> m_ns(data.num_users(), data.num_items(), {}, o.seed);
    invlearn::methods::IGPaper<invlearn::GMF<float>> ig(m_ig, o);
    invlearn::methods::NS<invlearn::GMF<float>> ns(m_ns, o);
    ig.fit(data.train, data.valid);
    ns.fit(data.train, data.valid);
    const double a = invlearn::evaluate(m_ig, data.test).auc, b = invlearn::evaluate(m_ns, data.test).auc;
    INFO("seed " << s << ": IG " << a << ", NS " << b);
    ig_sum += a;
    ns_sum += b;
  }
  CHECK(ig_sum / seeds > ns_sum / seeds + 0.10);
}

TEST_CASE("trainer: all-positive labels and users with one label are ordinary input", "[trainer]") {
  const invlearn::SyntheticData syn(small_data(8));
  auto data = syn.dataset();
  for (auto* part : {&data.train, &data.valid, &data.test})
    for (auto& y : part->labels) y = 1.0f;
  invlearn::TrainerOptions o;
  o.epochs = 2;
  invlearn::GMF<float> model(data.num_users(), data.num_items());
  invlearn::methods::IGPaper<invlearn::GMF<float>> trainer(model, o);
  const auto fit = trainer.fit(data.train, data.valid);
  CHECK(fit.best_epoch >= 1);
  CHECK(model.parameters().all_finite());
  const auto m = invlearn::evaluate(model, data.test);
  CHECK(std::isnan(m.auc));  // one class: AUC is undefined, and says so
  CHECK(std::isnan(m.gauc));
  CHECK(std::isfinite(m.loss));
}

namespace {

template <class S>
std::vector<int> ig_choices(const invlearn::Dataset& data, int epochs) {
  invlearn::GMFOptions g;
  g.dim = 8;
  invlearn::GMF<S> model(data.num_users(), data.num_items(), g, 5);
  invlearn::TrainerOptions o;
  o.epochs = epochs;
  o.batch_size = 32;
  o.lr = 1e-3;  // and α = 0.1·lr, the paper's ratio: the candidates' losses are close
  invlearn::methods::IGPaper<invlearn::GMF<S>> trainer(model, o);
  trainer.fit(data.train, data.valid);
  std::vector<int> choices;
  for (const auto& r : trainer.trace().steps)
    if (r.phase == invlearn::Phase::meta) choices.push_back(r.record.choice);
  return choices;
}

}  // namespace

TEST_CASE("trainer: float IG makes the same choices as double IG", "[trainer][precision]") {
  // The candidates' losses differ by a few parts in 10^7; accumulated in float they would
  // tie by rounding and turn decisions into "no update" (on these data a float sum makes
  // 16 and 11 of the choices differ). Much longer runs reach parameters where α·g is
  // below float's resolution of the embeddings, where the float model itself ties.
  std::size_t steps = 0;
  for (std::uint64_t seed : {3u, 4u}) {
    invlearn::SyntheticOptions so;
    so.users = 300;
    so.items = 150;
    so.labeled_per_user = 30;
    so.seed = seed;
    const invlearn::SyntheticData syn(so);
    const auto data = syn.dataset();
    const int epochs = quick() ? 4 : 10;
    const auto f = ig_choices<float>(data, epochs), d = ig_choices<double>(data, epochs);
    INFO("seed " << seed);
    // The float model may itself tie once in a long run, and where that happens differs
    // between machines (one choice of ~160 differed on an AMD EPYC VM, none on a Xeon VM;
    // the cause was not isolated); a float sum of the losses makes 9 and 16 differ.
    REQUIRE(f.size() == d.size());
    std::size_t differ = 0;
    for (std::size_t k = 0; k < f.size(); ++k) differ += f[k] != d[k] ? 1 : 0;
    CHECK(differ <= 2);
    CHECK(std::count(d.begin(), d.end(), -1) > 0);
    CHECK(std::count(d.begin(), d.end(), 1) > 0);
    steps += d.size();
    if (quick()) break;
  }
  CHECK(steps >= (quick() ? 60u : 300u));
}

TEST_CASE("trainer: without validation rows nothing is selected and the last epoch's θ is kept",
          "[trainer][selection]") {
  const invlearn::SyntheticData syn(small_data(9));
  invlearn::TrainerOptions o;
  o.epochs = 4;
  o.patience = 0;  // no early stopping without validation rows
  auto check_last_kept = [&](const invlearn::Dataset& data) {
    invlearn::GMF<float> model(data.num_users(), data.num_items());
    invlearn::methods::None<invlearn::GMF<float>> trainer(model, o);
    invlearn::Parameters<float> last;
    trainer.on_epoch([&](const invlearn::EpochReport& e) {
      last = model.parameters();
      CHECK(std::isnan(e.valid_loss));
      CHECK_FALSE(e.improved);
      return true;
    });
    const auto fit = trainer.fit(data.train, data.valid);
    CHECK_FALSE(fit.selected);
    CHECK(fit.best_epoch == 4);
    CHECK(std::isnan(fit.best_valid_loss));
    CHECK(same(model.parameters(), last));  // not rolled back to epoch 1
  };
  SECTION("fit(train, {})") {
    auto data = syn.dataset();
    data.valid = invlearn::Interactions();
    check_last_kept(data);
  }
  SECTION("SplitOptions::valid = 0") {
    invlearn::SplitOptions split;
    split.valid = 0.0;
    const auto data = syn.dataset(split);
    REQUIRE(data.valid.empty());
    check_last_kept(data);
  }
}

TEST_CASE("trainer: the learning rate has one owner", "[trainer][options]") {
  const invlearn::SyntheticData syn(small_data(10));
  const auto data = syn.dataset();
  invlearn::GMF<float> model(data.num_users(), data.num_items());
  using NoneT = invlearn::methods::None<invlearn::GMF<float>>;
  // The optimizer's own rate is used when the trainer sets none...
  NoneT from_optimizer(model, {}, {}, {}, {}, invlearn::Adam(1e-4));
  CHECK(from_optimizer.lr() == 1e-4);
  CHECK(from_optimizer.optimizer().lr() == 1e-4);
  CHECK(from_optimizer.alpha() == Approx(1e-5));
  // ...the trainer's when the optimizer has none...
  invlearn::TrainerOptions o;
  o.lr = 3e-3;
  NoneT from_options(model, o);
  CHECK(from_options.optimizer().lr() == 3e-3);
  // ...the default when neither does, and two different rates are refused.
  CHECK(NoneT(model).lr() == invlearn::kDefaultLearningRate);
  CHECK_THROWS_WITH(NoneT(model, o, {}, {}, {}, invlearn::Adam(1e-4)), Catch::Contains("learning rate is given twice"));
  o.lr = 1e-4;
  CHECK(NoneT(model, o, {}, {}, {}, invlearn::Adam(1e-4)).lr() == 1e-4);  // the same value twice is no conflict
}

TEST_CASE("trainer: T-CE and R-CE carry the paper's settings for each backbone", "[trainer][methods]") {
  invlearn::GMF<float> gmf(4, 4);
  invlearn::NeuMF<float> neumf(4, 4);
  invlearn::methods::TCE<invlearn::GMF<float>> tce_gmf(gmf);
  invlearn::methods::TCE<invlearn::NeuMF<float>> tce_neumf(neumf);
  invlearn::methods::RCE<invlearn::GMF<float>> rce_gmf(gmf);
  invlearn::methods::RCE<invlearn::NeuMF<float>> rce_neumf(neumf);
  for (auto* loss : {&tce_gmf.labeled_loss(), &tce_gmf.unlabeled_loss()}) {
    loss->set_iteration(30000);  // past the ramp: the maximum drop rate
    CHECK(loss->drop_rate() == Approx(0.1));
  }
  for (auto* loss : {&tce_neumf.labeled_loss(), &tce_neumf.unlabeled_loss()}) {
    loss->set_iteration(30000);
    CHECK(loss->drop_rate() == Approx(0.2));
  }
  CHECK(rce_gmf.labeled_loss().beta() == 0.2);
  CHECK(rce_neumf.labeled_loss().beta() == 0.25);
  CHECK(rce_neumf.unlabeled_loss().beta() == 0.25);
}

namespace {

// Records the calls a schedule makes on the Epoch it runs.
struct RecordingEpoch {
  invlearn::Index train = 0, test = 0;
  std::vector<std::string> calls;
  invlearn::Index train_batches() const { return train; }
  invlearn::Index test_batches() const { return test; }
  void policy_step(invlearn::Index b) { calls.push_back("policy" + std::to_string(b)); }
  void labels_step(invlearn::Index b) { calls.push_back("labels" + std::to_string(b)); }
  void shuffle_test() { calls.push_back("shuffle"); }
  void meta_step(invlearn::Index b) { calls.push_back("meta" + std::to_string(b)); }
};

}  // namespace

TEST_CASE("trainer: each schedule's epoch structure", "[trainer][schedule]") {
  RecordingEpoch e;
  e.train = 5;
  e.test = 2;
  invlearn::PerTrainBatch::run(e);
  // T = 5 meta steps cycling over 2 training-test batches, reshuffled before each cycle.
  CHECK(e.calls == std::vector<std::string>{"labels0", "labels1", "labels2", "labels3", "labels4", "shuffle", "meta0",
                                            "meta1", "shuffle", "meta0", "meta1", "shuffle", "meta0"});
  CHECK(invlearn::PerTrainBatch::steps(5, 2) == 10);
  e.calls.clear();
  invlearn::TestPass::run(e);
  CHECK(e.calls == std::vector<std::string>{"labels0", "labels1", "labels2", "labels3", "labels4", "shuffle", "meta0",
                                            "meta1"});
  CHECK(invlearn::TestPass::steps(5, 2) == 7);
  e.calls.clear();
  invlearn::Plain::run(e);
  CHECK(e.calls == std::vector<std::string>{"policy0", "policy1", "policy2", "policy3", "policy4"});
  static_assert(invlearn::check_schedule<invlearn::ScheduleArchetype>(), "the archetype models the concept");
}

TEST_CASE("trainer: early stopping evaluates at its cadence and stops after its patience", "[trainer][stopping]") {
  SECTION("the rule") {
    invlearn::TrainerOptions o;
    o.epochs = 100;
    o.max_steps = 0;
    o.patience = 2;
    o.min_delta = 0.01;
    o.eval_every = 5;
    const invlearn::StoppingRule rule(o);
    invlearn::StoppingState s;
    // Epochs of 2 steps: evaluated once 5 steps have run since the last evaluation.
    CHECK_FALSE(rule.evaluate_now(1, 2, s));
    CHECK_FALSE(rule.evaluate_now(2, 4, s));
    CHECK(rule.evaluate_now(3, 6, s));
    rule.record(0.50, 6, s);
    CHECK_FALSE(rule.evaluate_now(4, 8, s));
    CHECK(rule.evaluate_now(6, 12, s));
    rule.record(0.495, 12, s);  // lower, but by less than min_delta: patience goes on
    CHECK(s.since_improvement == 1);
    CHECK(rule.patience_left(s) == 1);
    rule.record(0.40, 18, s);  // a real improvement resets it
    CHECK(s.since_improvement == 0);
    rule.record(0.41, 24, s);
    CHECK_FALSE(s.stopped);
    rule.record(0.39, 30, s);  // lower than the best, not by min_delta: the second in a row
    CHECK(s.stopped);
    CHECK_FALSE(rule.may_continue(15, 30, s));
    CHECK(rule.evaluate_now(100, 200, invlearn::StoppingState()));  // the last epoch always is
    o.max_steps = 20;
    CHECK_FALSE(invlearn::StoppingRule(o).may_continue(10, 20, invlearn::StoppingState()));
    CHECK(invlearn::StoppingRule(o).evaluate_now(10, 20, invlearn::StoppingState()));
  }
  SECTION("a fit") {
    const invlearn::SyntheticData syn(small_data(11));
    const auto data = syn.dataset();
    invlearn::TrainerOptions o;
    o.lr = 0.05;  // overfits after a few epochs
    o.batch_size = 256;
    o.patience = 3;
    o.eval_every = 1;
    invlearn::GMF<float> model(data.num_users(), data.num_items());
    invlearn::methods::None<invlearn::GMF<float>> trainer(model, o);
    std::vector<double> losses;
    trainer.on_epoch([&](const invlearn::EpochReport& e) {
      CHECK(e.evaluated());
      losses.push_back(e.valid_loss);
      return true;
    });
    const auto fit = trainer.fit(data.train, data.valid);
    CHECK(fit.stopped_early);
    const auto best = std::min_element(losses.begin(), losses.end()) - losses.begin();
    CHECK(fit.best_epoch == best + 1);
    CHECK(static_cast<Index>(losses.size()) == best + 1 + o.patience);  // three evaluations past the best
    CHECK(fit.evaluations == static_cast<Index>(losses.size()));
    CHECK(trainer.validation_loss(data.valid) == losses[static_cast<std::size_t>(best)]);  // the best θ is restored
  }
  SECTION("no validation rows") {
    const invlearn::SyntheticData syn(small_data(12));
    auto data = syn.dataset();
    invlearn::GMF<float> model(data.num_users(), data.num_items());
    invlearn::methods::None<invlearn::GMF<float>> trainer(model);
    CHECK_THROWS_WITH(trainer.fit(data.train, invlearn::Interactions()), Catch::Contains("TrainerOptions::patience"));
  }
}

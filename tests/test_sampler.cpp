// Samplers (data/sampling/): the Sampler concept, uniform and DNS sampling, what every
// sampler shares (rates, rows, pools, truth), and samplers in a Trainer with a backbone
// that has nothing beyond the Backbone concept.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "invlearn/core/random.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/data/interactions.hpp"
#include "invlearn/data/pair_index.hpp"
#include "invlearn/data/sampling.hpp"
#include "invlearn/data/synthetic.hpp"
#include "invlearn/model/gmf.hpp"
#include "invlearn/train/methods.hpp"
#include "support/bias_model.hpp"
#include "support/sampling.hpp"

using invlearn::Batch;
using invlearn::BatchView;
using invlearn::DNSSampler;
using invlearn::Index;
using invlearn::Interactions;
using invlearn::PairIndex;
using invlearn::Rng;
using invlearn::SRNSOptions;
using invlearn::SRNSSampler;
using invlearn::UniformSampler;
using invlearn::UnlabeledBatch;
using namespace invlearn_test;  // draw, FakeScorer, labeled_of, random_train, same_pairs

namespace {

// Not a sampler: check_sampler() would stop at its missing members.
struct NotASampler {
  static constexpr const char* name = "none";
  void prepare(const Interactions&, const Interactions*, invlearn::TruthFn) {}
};

}  // namespace

TEST_CASE("sampler: the archetype and every sampler pass check_sampler", "[sampler]") {
  static_assert(invlearn::check_sampler<invlearn::SamplerArchetype>());
  static_assert(invlearn::check_sampler<UniformSampler>());
  static_assert(invlearn::check_sampler<DNSSampler>());
  static_assert(invlearn::check_sampler<SRNSSampler>());
  static_assert(invlearn::is_detected_v<invlearn::detail::sampler_prepare_t, NotASampler>);
  static_assert(!invlearn::is_detected_v<invlearn::detail::sampler_sample_t, NotASampler>);
  static_assert(!invlearn::is_detected_v<invlearn::detail::sampler_begin_epoch_t, NotASampler>);
  // The archetype does what it documents: nothing but an empty batch.
  invlearn::SamplerArchetype a;
  const Interactions train = random_train(3, 5, 0.3, 1);
  a.prepare(train, nullptr, {});
  FakeScorer score(3, 5);
  a.begin_epoch(0, score);
  Rng rng(1);
  UnlabeledBatch out;
  out.batch.push_back(0, 0, 0.0f);
  a.sample(labeled_of({0}).view(), score, rng, out);
  CHECK(out.size() == 0);
  CHECK(score.calls == 0);
}

TEST_CASE("sampler: constructors reject bad arguments", "[sampler]") {
  CHECK_THROWS_AS(UniformSampler(-1.0), invlearn::InvalidArgument);
  CHECK_THROWS_AS(UniformSampler(std::nan("")), invlearn::InvalidArgument);
  CHECK_THROWS_AS(UniformSampler(INFINITY), invlearn::InvalidArgument);
  CHECK_THROWS_AS(DNSSampler(1.0, 0), invlearn::InvalidArgument);
  SRNSOptions o;
  o.memory = 0;
  CHECK_THROWS_AS(SRNSSampler(o), invlearn::InvalidArgument);
  o = SRNSOptions();
  o.temperature = -1;
  CHECK_THROWS_AS(SRNSSampler(o), invlearn::InvalidArgument);
  UniformSampler s;
  Rng rng(1);
  UnlabeledBatch out;
  const Batch labeled = labeled_of({0});
  CHECK_THROWS_AS(s.sample(labeled.view(), rng, out), invlearn::InvalidArgument);  // no prepare
  // A labeled user outside the training ids, and a model smaller than the training set.
  Interactions train;
  train.num_users = 2;
  train.num_items = 5;
  train.push_back(0, 1, 1.0f);
  s.prepare(train, nullptr, {});
  const Batch stranger = labeled_of({2});
  CHECK_THROWS_AS(s.sample(stranger.view(), rng, out), invlearn::InvalidArgument);
  // The sampler passes its candidates to the Score, which refuses ids it does not cover
  // (as a model's forward does): 40 candidates over 4 unrated items include item 4.
  DNSSampler d;
  d.prepare(train, nullptr, {});
  FakeScorer small(2, 4);
  const Batch many = labeled_of(std::vector<Index>(8, 0));
  CHECK_THROWS_AS(d.sample(many.view(), small, rng, out), invlearn::InvalidArgument);
}

TEST_CASE("sampler: uniform never returns a training pair", "[sampler]") {
  const Interactions train = random_train(60, 50, 0.6, 7);
  const PairIndex index(train);
  UniformSampler s(2.0);
  s.prepare(train, nullptr, {});
  FakeScorer model(60, 50);
  Rng rng(3, invlearn::Stream::sampler);
  Index drawn = 0;
  for (Index start = 0; start + 256 <= train.size(); start += 256) {
    Batch labeled;
    for (Index r = start; r < start + 256; ++r)
      labeled.push_back(train.users[static_cast<std::size_t>(r)], 0, 1.0f);
    const UnlabeledBatch out = draw(s, labeled, model, rng);
    REQUIRE(out.size() == 512);
    for (Index k = 0; k < out.size(); ++k) {
      const Index u = out.batch.users[static_cast<std::size_t>(k)];
      const Index i = out.batch.items[static_cast<std::size_t>(k)];
      REQUIRE(i >= 0);
      REQUIRE(i < 50);
      REQUIRE_FALSE(index.contains(u, i));
    }
    drawn += out.size();
  }
  CHECK(drawn > 3000);
}

TEST_CASE("sampler: uniform is uniform over a dense user's few unrated items", "[sampler]") {
  // User 0 rated all but items {3, 500, 999} of 1000: the 64 rejection draws mostly fail,
  // so this exercises the exact fallback (the k-th unrated item).
  Interactions train;
  train.num_users = 2;
  train.num_items = 1000;
  for (Index i = 0; i < 1000; ++i)
    if (i != 3 && i != 500 && i != 999) train.push_back(0, i, 1.0f);
  UniformSampler s(1.0);
  s.prepare(train, nullptr, {});
  Rng rng(11);
  std::map<Index, int> counts;
  const Batch labeled = labeled_of(std::vector<Index>(300, 0));
  for (int rep = 0; rep < 10; ++rep) {
    UnlabeledBatch out;
    s.sample(labeled.view(), rng, out);
    REQUIRE(out.size() == 300);
    for (Index i : out.batch.items) ++counts[i];
  }
  REQUIRE(counts.size() == 3);
  for (Index i : {Index(3), Index(500), Index(999)}) {
    CHECK(counts[i] > 850);  // expected 1000 each; sd ~26
    CHECK(counts[i] < 1150);
  }
}

TEST_CASE("sampler: counts follow the rate", "[sampler]") {
  const Interactions train = random_train(40, 30, 0.3, 1);
  std::vector<Index> users;
  for (Index k = 0; k < 40; ++k) users.push_back(k);
  const Batch labeled = labeled_of(users);
  FakeScorer model(40, 30);
  for (double rate : {1.0, 2.0, 0.5, 0.0, 1.5, 0.3, 3.0}) {
    const Index expected = static_cast<Index>(std::llround(rate * 40));
    UniformSampler u(rate);
    u.prepare(train, nullptr, {});
    DNSSampler d(rate, 3);
    d.prepare(train, nullptr, {});
    SRNSOptions o;
    o.rate = rate;
    SRNSSampler r(o);
    r.prepare(train, nullptr, {});
    Rng rng(5);
    CHECK(draw(u, labeled, model, rng).size() == expected);
    CHECK(draw(d, labeled, model, rng).size() == expected);
    CHECK(draw(r, labeled, model, rng).size() == expected);
  }
}

TEST_CASE("sampler: same seed gives the same pairs, another seed others", "[sampler]") {
  const Interactions train = random_train(50, 200, 0.1, 2);
  std::vector<Index> users;
  for (Index k = 0; k < 64; ++k) users.push_back(k % 50);
  const Batch labeled = labeled_of(users);
  FakeScorer model(50, 200);
  UniformSampler u(1.5);
  DNSSampler d(1.5, 4);
  SRNSSampler r;
  u.prepare(train, nullptr, {});
  d.prepare(train, nullptr, {});
  r.prepare(train, nullptr, {});
  SRNSSampler r2;
  r2.prepare(train, nullptr, {});
  Rng a(9), b(9), c(10);
  const auto ua = draw(u, labeled, model, a), ub = draw(u, labeled, model, b),
             uc = draw(u, labeled, model, c);
  CHECK(same_pairs(ua, ub));
  CHECK_FALSE(same_pairs(ua, uc));
  const auto da = draw(d, labeled, model, a), db = draw(d, labeled, model, b),
             dc = draw(d, labeled, model, c);
  CHECK(same_pairs(da, db));
  CHECK_FALSE(same_pairs(da, dc));
  // SRNS keeps state: compare two fresh samplers fed the same calls.
  Rng s1(4), s2(4);
  for (int step = 0; step < 5; ++step) {
    r.begin_epoch(step / 2, model);
    r2.begin_epoch(step / 2, model);
    CHECK(same_pairs(draw(r, labeled, model, s1), draw(r2, labeled, model, s2)));
  }
}

TEST_CASE("sampler: each unlabeled pair belongs to its labeled row's user", "[sampler]") {
  const Interactions train = random_train(30, 100, 0.2, 3);
  std::vector<Index> users;
  for (Index k = 0; k < 30; ++k) users.push_back((k * 7) % 30);  // distinct users
  const Batch labeled = labeled_of(users);
  FakeScorer model(30, 100);
  Rng rng(1);
  for (double rate : {1.0, 2.0, 3.0}) {  // whole cycles: pair k is for row k mod n
    UniformSampler u(rate);
    DNSSampler d(rate, 3);
    SRNSOptions o;
    o.rate = rate;
    SRNSSampler r(o);
    u.prepare(train, nullptr, {});
    d.prepare(train, nullptr, {});
    r.prepare(train, nullptr, {});
    for (const auto& out : {draw(u, labeled, model, rng), draw(d, labeled, model, rng),
                            draw(r, labeled, model, rng)}) {
      REQUIRE(out.size() == static_cast<Index>(rate) * 30);
      for (std::size_t k = 0; k < out.batch.users.size(); ++k)
        CHECK(out.batch.users[k] == users[k % 30]);
    }
  }
  // A fraction: a seeded choice of distinct rows.
  UniformSampler half(0.5);
  half.prepare(train, nullptr, {});
  std::set<Index> seen;
  const auto out = draw(half, labeled, model, rng);
  REQUIRE(out.size() == 15);
  for (Index u : out.batch.users) {
    CHECK(std::find(users.begin(), users.end(), u) != users.end());
    CHECK(seen.insert(u).second);
  }
  // ... which is not simply the first rows.
  std::set<Index> first(users.begin(), users.begin() + 15);
  CHECK(seen != first);
}

TEST_CASE("sampler: a user who rated every item is skipped, never loops", "[sampler]") {
  Interactions train;
  train.num_users = 3;
  train.num_items = 20;
  for (Index i = 0; i < 20; ++i) train.push_back(0, i, 1.0f);  // user 0 rated everything
  train.push_back(1, 4, 0.0f);
  const Batch labeled = labeled_of({0, 1, 0, 2, 0});
  FakeScorer model(3, 20);
  UniformSampler u(2.0);
  DNSSampler d(2.0, 3);
  SRNSOptions o;
  o.rate = 2.0;
  SRNSSampler r(o);
  u.prepare(train, nullptr, {});
  d.prepare(train, nullptr, {});
  r.prepare(train, nullptr, {});
  Rng rng(2);
  for (const auto& out :
       {draw(u, labeled, model, rng), draw(d, labeled, model, rng), draw(r, labeled, model, rng)}) {
    // The documented fallback: no pair for user 0; rows of users 1 and 2 get theirs.
    REQUIRE(out.size() == 4);
    CHECK(out.batch.users == std::vector<Index>{1, 2, 1, 2});
    for (std::size_t k = 0; k < 4; ++k)
      CHECK_FALSE((out.batch.users[k] == 1 && out.batch.items[k] == 4));
  }
  CHECK(r.memory(0).empty());
}

TEST_CASE("sampler: pool mode draws only pool pairs and carries their labels", "[sampler]") {
  const Interactions train = random_train(20, 20, 0.3, 4);
  const PairIndex index(train);
  Interactions pool;
  pool.num_users = 20;
  pool.num_items = 20;
  std::map<std::pair<Index, Index>, float> truth;
  Index training_rows = 0;
  Rng g(8);
  for (int k = 0; k < 40; ++k) {
    const Index u = g.index(20), i = g.index(20);
    if (truth.count({u, i})) continue;
    const float y = k % 3 == 0 ? 1.0f : (k % 3 == 1 ? 0.0f : std::nanf(""));
    pool.push_back(u, i, y);
    if (index.contains(u, i))
      ++training_rows;
    else
      truth[{u, i}] = y;
  }
  REQUIRE(training_rows > 0);  // such rows are dropped, never returned
  const Batch labeled = labeled_of(std::vector<Index>(50, 0));
  FakeScorer model(20, 20);
  UniformSampler u(1.0);
  DNSSampler d(1.0, 3);
  u.prepare(train, &pool, {});
  d.prepare(train, &pool, {});
  Rng rng(3);
  std::set<std::pair<Index, Index>> drawn;
  for (const auto& out : {draw(u, labeled, model, rng), draw(d, labeled, model, rng)}) {
    REQUIRE(out.size() == 50);
    for (std::size_t k = 0; k < 50; ++k) {
      const std::pair<Index, Index> pair{out.batch.users[k], out.batch.items[k]};
      REQUIRE(truth.count(pair) == 1);
      const float y = truth[pair];
      if (std::isnan(y))
        CHECK(std::isnan(out.truth[k]));
      else
        CHECK(out.truth[k] == y);
      drawn.insert(pair);
    }
  }
  CHECK(drawn.size() > 10);
  // An empty pool means uniform sampling; a pool made only of training pairs is an error.
  Interactions empty;
  CHECK_NOTHROW(u.prepare(train, &empty, {}));
  CHECK_THROWS_AS(u.prepare(train, &train, {}), invlearn::InvalidArgument);
  SRNSSampler r;
  CHECK_THROWS_AS(r.prepare(train, &pool, {}), invlearn::InvalidArgument);
}

TEST_CASE("sampler: truth comes from the TruthFn, NaN without one", "[sampler]") {
  const Interactions train = random_train(10, 30, 0.2, 5);
  const Batch labeled = labeled_of({0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  FakeScorer model(10, 30);
  const invlearn::TruthFn fn = [](Index u, Index i) { return static_cast<float>((u + i) % 2); };
  UniformSampler with(3.0), without(3.0);
  DNSSampler dns(3.0, 2);
  SRNSSampler srns;
  with.prepare(train, nullptr, fn);
  without.prepare(train, nullptr, {});
  dns.prepare(train, nullptr, fn);
  srns.prepare(train, nullptr, fn);
  Rng rng(4);
  for (const auto& out : {draw(with, labeled, model, rng), draw(dns, labeled, model, rng),
                          draw(srns, labeled, model, rng)})
    for (std::size_t k = 0; k < out.truth.size(); ++k)
      CHECK(out.truth[k] == static_cast<float>((out.batch.users[k] + out.batch.items[k]) % 2));
  for (float y : draw(without, labeled, model, rng).truth) CHECK(std::isnan(y));
}

TEST_CASE("sampler: dns keeps the highest-scoring candidate, in one forward call", "[sampler]") {
  const Interactions train = random_train(25, 60, 0.3, 6);
  const PairIndex index(train);
  std::vector<Index> users;
  for (Index k = 0; k < 40; ++k) users.push_back(k % 25);
  const Batch labeled = labeled_of(users);
  FakeScorer model(25, 60);
  DNSSampler d(1.5, 4);
  d.prepare(train, nullptr, {});
  Rng rng(12);
  for (int rep = 0; rep < 5; ++rep) {
    model.calls = 0;
    const auto out = draw(d, labeled, model, rng);
    CHECK(model.calls == 1);
    REQUIRE(out.size() == 60);
    REQUIRE(model.last.size() == 60 * 4);
    for (std::size_t p = 0; p < 60; ++p) {
      Index best = -1;
      for (std::size_t t = p * 4; t < p * 4 + 4; ++t) {
        CHECK(model.last.users[t] == out.batch.users[p]);
        CHECK_FALSE(index.contains(model.last.users[t], model.last.items[t]));
        best = std::max(best, model.last.items[t]);  // score = item id
      }
      CHECK(out.batch.items[p] == best);
    }
  }
}

TEST_CASE("sampler: dns with one candidate equals uniform for the same seed", "[sampler]") {
  const Interactions train = random_train(25, 60, 0.3, 6);
  std::vector<Index> users;
  for (Index k = 0; k < 40; ++k) users.push_back(k % 25);
  const Batch labeled = labeled_of(users);
  FakeScorer model(25, 60);
  const Interactions pool = random_train(25, 60, 0.1, 99);
  for (const Interactions* p : {static_cast<const Interactions*>(nullptr), &pool}) {
    for (double rate : {1.0, 0.7, 2.5}) {
      UniformSampler u(rate);
      DNSSampler d(rate, 1);
      u.prepare(train, p, {});
      d.prepare(train, p, {});
      Rng a(21), b(21);
      for (int rep = 0; rep < 3; ++rep) {
        const auto ua = draw(u, labeled, model, a);
        const auto db = draw(d, labeled, model, b);
        CHECK(same_pairs(ua, db));
      }
    }
  }
}

TEST_CASE("sampler: dns scores with a float GMF", "[sampler]") {
  const Interactions train = random_train(30, 40, 0.2, 8);
  const PairIndex index(train);
  invlearn::GMF<float> gmf(30, 40);
  // A Score over the model in chunks of 8 rows, however many pairs the sampler passes.
  auto ws = gmf.workspace(8);
  Eigen::VectorXf logits(8);
  auto score = [&](const BatchView& pairs, double* out) {
    for (Index b = 0; b < pairs.size; b += 8) {
      const Index n = std::min<Index>(8, pairs.size - b);
      gmf.forward(pairs.slice(b, n), ws, logits.head(n));
      for (Index k = 0; k < n; ++k) out[b + k] = logits[k];
    }
  };
  DNSSampler d(2.0, 5);
  d.prepare(train, nullptr, {});
  SRNSSampler r;
  r.prepare(train, nullptr, {});
  Rng rng(1);
  UnlabeledBatch out;
  d.sample(train.view(), score, rng, out);
  REQUIRE(out.size() == 2 * train.size());
  for (std::size_t k = 0; k < out.batch.users.size(); ++k)
    CHECK_FALSE(index.contains(out.batch.users[k], out.batch.items[k]));
  r.sample(train.view(), score, rng, out);
  REQUIRE(out.size() == train.size());
  for (std::size_t k = 0; k < out.batch.users.size(); ++k)
    CHECK_FALSE(index.contains(out.batch.users[k], out.batch.items[k]));
}

TEST_CASE("sampler: DNS and SRNS train a backbone that has no reserve()", "[sampler]") {
  // BiasModel has only what the Backbone concept names; the samplers score through the
  // Trainer's callable, never the model.
  invlearn::SyntheticOptions so;
  so.users = 40;
  so.items = 30;
  so.factors = 4;
  so.labeled_per_user = 6;
  so.seed = 3;
  const invlearn::SyntheticData syn(so);
  const invlearn::Dataset d = syn.dataset();
  invlearn::TrainerOptions t;
  t.epochs = 2;
  t.batch_size = 16;
  t.lr = 0.05;
  t.record_steps = false;
  invlearn_test::BiasModel dns_model(so.users, so.items, true);
  invlearn::methods::DNS<invlearn_test::BiasModel> dns(dns_model, t);
  const auto dns_fit = dns.fit(d.train, d.valid);
  CHECK(dns_fit.best_epoch >= 1);
  CHECK(std::isfinite(dns_fit.best_valid_loss));
  SRNSOptions o;
  o.candidates = 100;
  invlearn_test::BiasModel srns_model(so.users, so.items, true);
  invlearn::methods::SRNS<invlearn_test::BiasModel> srns(srns_model, t, {}, {}, {}, invlearn::Adam(),
                                                         SRNSSampler(o));
  const auto srns_fit = srns.fit(d.train, d.valid);
  CHECK(std::isfinite(srns_fit.best_valid_loss));
  for (Index u = 0; u < so.users; ++u) CHECK(srns.sampler().memory(u).size() == 8);
}

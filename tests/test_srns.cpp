// SRNS (data/sampling/srns.hpp, srns_pools.hpp) as Ding et al. (NeurIPS 2020) and their
// code define it: scores relative to the row's item, std over epoch-boundary snapshots of
// rotating candidate pools, memories refilled once per user and batch, checkpoints.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "invlearn/core/math.hpp"
#include "invlearn/core/random.hpp"
#include "invlearn/data/pair_index.hpp"
#include "invlearn/data/sampling.hpp"
#include "invlearn/io/checkpoint.hpp"
#include "support/sampling.hpp"

using invlearn::Batch;
using invlearn::Index;
using invlearn::Interactions;
using invlearn::PairIndex;
using invlearn::Rng;
using invlearn::SRNSOptions;
using invlearn::SRNSSampler;
using invlearn::UnlabeledBatch;
using namespace invlearn_test;  // draw, FakeScorer, labeled_of, random_train, same_pairs

namespace {

// One user, 40 items: items 20..39 are training pairs, 0..19 the candidates. Even
// candidates score 3 at every snapshot ("steady", the false-negative pattern), odd ones
// alternate 0, 2, 0, ... across snapshots ("moving") and score `now` when sampled. Item 20
// scores 0 and item 21 scores 5 throughout: the two labeled rows' items.
struct TwoKinds {
  Interactions train;
  FakeScorer score{1, 40};
  double moving = 0.0;  // the odd candidates' score at the next call

  TwoKinds() {
    train.num_users = 1;
    train.num_items = 40;
    for (Index i = 20; i < 40; ++i) train.push_back(0, i, i % 2 ? 0.0f : 1.0f);
    score.score = [this](Index, Index i) {
      if (i == 20) return 0.0;
      if (i == 21) return 5.0;
      if (i >= 20) return 0.0;
      return i % 2 == 0 ? 3.0 : moving;
    };
  }
  static bool steady(Index i) { return i % 2 == 0; }
  // The score of candidate i at snapshot t (0-based among the phases below) and now.
  static double at(Index i, double moving_value) { return steady(i) ? 3.0 : moving_value; }
};

// The memory item a rule picks for a row whose item scores `reference` throughout:
// argmax over slots of σ(x̂_now − ref) + α·spread, spread computed by `spread` from the
// σ values at the snapshots.
template <class Spread>
Index pick(const std::vector<Index>& memory, const std::vector<double>& phases, double now, double reference,
           double alpha, Spread spread, bool relative = true) {
  Index best = -1;
  double best_value = -INFINITY;
  for (Index item : memory) {
    std::vector<double> p;
    for (double phase : phases) {
      const double x = TwoKinds::at(item, phase);
      p.push_back(relative ? invlearn::sigmoid(x - reference) : x);
    }
    const double x_now = TwoKinds::at(item, now);
    const double value = (relative ? invlearn::sigmoid(x_now - reference) : x_now) + alpha * spread(p);
    if (best < 0 || value > best_value) {
      best = item;
      best_value = value;
    }
  }
  return best;
}

double variance(const std::vector<double>& p) {
  double mean = 0.0;
  for (double v : p) mean += v;
  mean /= static_cast<double>(p.size());
  double var = 0.0;
  for (double v : p) var += (v - mean) * (v - mean);
  return var / static_cast<double>(p.size());
}
double deviation(const std::vector<double>& p) { return std::sqrt(variance(p)); }

std::string saved(SRNSSampler& s) {
  std::string bytes;
  invlearn::detail::ckpt::OutputArchive ar(bytes);
  ar(s);
  return bytes;
}

void load(SRNSSampler& s, const std::string& bytes) {
  invlearn::detail::ckpt::InputArchive ar(reinterpret_cast<const unsigned char*>(bytes.data()), 0, bytes.size(),
                                          "test", "SMPL");
  ar(s);
  ar.finish();
}

}  // namespace

TEST_CASE("srns: the defaults are the authors' ML-1M settings", "[srns]") {
  const SRNSOptions o;
  CHECK(o.memory == 8);         // S1
  CHECK(o.fresh == 64);         // S2 = S1 · 8
  CHECK(o.candidates == 3000);  // the pool whose scores give the std
  CHECK(o.history == 5);        // snapshots
  CHECK(o.alpha == 5.0);
  CHECK(o.warmup == 50);
  CHECK(o.temperature == 10.0);
  SRNSSampler r;
  FakeScorer none(1, 1);
  r.begin_epoch(0, none);
  CHECK(r.current_alpha() == 0.0);  // warm-up counted from epoch 0
  r.begin_epoch(25, none);
  CHECK(r.current_alpha() == 2.5);
  r.begin_epoch(50, none);
  CHECK(r.current_alpha() == 5.0);
  SRNSOptions bad;
  bad.candidates = 71;  // fewer than S1 + S2 = 72
  CHECK_THROWS_AS(SRNSSampler(bad), invlearn::OptionError);
  bad = SRNSOptions();
  bad.history = 0;
  CHECK_THROWS_WITH(SRNSSampler(bad), Catch::Contains("SRNSOptions::history"));
}

TEST_CASE("srns: the pick is argmax of σ(x̂_uj − x̂_ui) + α·std over the pool's snapshots", "[srns]") {
  TwoKinds k;
  SRNSOptions o;
  o.memory = 8;
  o.fresh = 0;  // the memory keeps its positions; only the choice is seen
  o.candidates = 16;
  o.history = 5;
  o.alpha = 1.0;
  o.warmup = 0;
  o.temperature = 0.0;
  SRNSSampler r(o);
  r.prepare(k.train, nullptr, {});
  // Epoch 0 draws the pools; each later boundary snapshots the next pools. The pool of
  // epoch 5 was scored at the boundaries of epochs 1..5, with the odd items at these:
  const std::vector<double> phases{0.0, 2.0, 0.0, 2.0, 0.0};
  k.moving = 1.0;
  r.begin_epoch(0, k.score);
  for (int e = 1; e <= 5; ++e) {
    k.moving = phases[static_cast<std::size_t>(e - 1)];
    r.begin_epoch(e, k.score);
  }
  const std::vector<Index> memory = r.memory(0);
  REQUIRE(memory.size() == 8);
  REQUIRE(std::count_if(memory.begin(), memory.end(), TwoKinds::steady) > 0);
  REQUIRE(std::count_if(memory.begin(), memory.end(), [](Index i) { return !TwoKinds::steady(i); }) > 0);

  k.moving = 1.5;  // now
  Batch labeled;
  labeled.push_back(0, 20, 1.0f);  // reference score 0
  labeled.push_back(0, 21, 0.0f);  // reference score 5
  Rng rng(1);
  const UnlabeledBatch out = draw(r, labeled, k.score, rng);
  REQUIRE(out.size() == 2);
  const Index with_std = pick(memory, phases, 1.5, 0.0, 1.0, deviation);
  CHECK(out.batch.items[0] == with_std);
  CHECK_FALSE(TwoKinds::steady(with_std));  // the moving item: a true negative
  // The variance (std²) or raw logits would pick the steady item instead.
  CHECK(TwoKinds::steady(pick(memory, phases, 1.5, 0.0, 1.0, variance)));
  CHECK(TwoKinds::steady(pick(memory, phases, 1.5, 0.0, 1.0, deviation, false)));
  // Relative to item 21 (score 5) σ compresses the moving item's swings: the steady one wins.
  const Index second = pick(memory, phases, 1.5, 5.0, 1.0, deviation);
  CHECK(out.batch.items[1] == second);
  CHECK(TwoKinds::steady(second));
}

TEST_CASE("srns: memories refilled once per distinct user per batch, without repeats", "[srns]") {
  const Interactions train = random_train(6, 60, 0.2, 3);
  const PairIndex index(train);
  FakeScorer model(6, 60);
  model.score = [](Index, Index i) { return 0.1 * static_cast<double>(i); };
  SRNSOptions o;
  o.memory = 4;
  o.fresh = 6;
  o.candidates = 20;
  o.history = 2;
  o.alpha = 0.0;
  o.temperature = 1.0;
  SRNSSampler r(o);
  r.prepare(train, nullptr, {});
  r.begin_epoch(0, model);
  Rng rng(8);
  const Batch labeled = labeled_of({0, 3, 0, 0, 5, 3});
  for (int step = 0; step < 30; ++step) {
    if (step % 10 == 9) r.begin_epoch(step / 10 + 1, model);
    std::vector<std::vector<Index>> before;
    for (Index u = 0; u < 6; ++u) before.push_back(r.memory(u));
    model.calls = 0;
    const UnlabeledBatch out = draw(r, labeled, model, rng);
    CHECK(model.calls == 1);
    REQUIRE(out.size() == 6);
    // Scored: the 6 labeled rows' items, then S1 + S2 rows for each of the 3 distinct users.
    REQUIRE(model.last.size() == 6 + 3 * (4 + 6));
    for (Index u : {Index(0), Index(3), Index(5)})
      CHECK(std::count(model.last.users.begin() + 6, model.last.users.end(), u) == 10);
    // Every row of a user chose from the memory as it was before the batch (α = 0: its best).
    for (std::size_t k = 0; k < 6; ++k) {
      const auto& mem = before[static_cast<std::size_t>(labeled.users[k])];
      CHECK(out.batch.items[k] == *std::max_element(mem.begin(), mem.end()));
      CHECK_FALSE(index.contains(out.batch.users[k], out.batch.items[k]));
    }
    for (Index u = 0; u < 6; ++u) {
      const auto slots = r.memory_positions(u);
      REQUIRE(slots.size() == 4);
      CHECK(std::set<Index>(slots.begin(), slots.end()).size() == 4);  // no slot twice
      for (Index c : slots) CHECK((c >= 0 && c < 20));
    }
  }
  // Users 1, 2 and 4 were never in a batch: their memories never changed positions.
  SRNSSampler fresh_start(o);
  fresh_start.prepare(train, nullptr, {});
  fresh_start.begin_epoch(0, model);
  for (Index u : {Index(1), Index(2), Index(4)}) CHECK(r.memory_positions(u) == fresh_start.memory_positions(u));
}

TEST_CASE("srns: the pools' work per epoch boundary", "[srns]") {
  const Interactions train = random_train(5, 30, 0.2, 4);
  const PairIndex index(train);
  struct Counting {
    Index rows = 0;
    void operator()(const invlearn::BatchView& b, double* out) {
      rows += b.size;
      for (Index k = 0; k < b.size; ++k) out[k] = 0.0;
    }
  } count;
  SRNSOptions o;
  o.candidates = 80;
  o.history = 3;
  SRNSSampler r(o);
  r.prepare(train, nullptr, {});
  r.begin_epoch(0, count);  // the first pool and the training pairs
  CHECK(count.rows == 5 * 80 + index.size());
  count.rows = 0;
  r.begin_epoch(1, count);  // the T next pools and the training pairs
  CHECK(count.rows == 3 * 5 * 80 + index.size());
  count.rows = 0;
  r.begin_epoch(1, count);  // the same epoch again: nothing
  CHECK(count.rows == 0);
}

TEST_CASE("srns: same options, data and calls give the same pairs", "[srns]") {
  const Interactions train = random_train(30, 100, 0.15, 5);
  std::vector<Index> users;
  for (Index k = 0; k < 50; ++k) users.push_back((k * 7) % 30);
  const Batch labeled = labeled_of(users);
  FakeScorer model(30, 100);
  Rng noise(3);
  model.score = [&noise](Index, Index i) { return 0.01 * static_cast<double>(i) + noise.normal(); };
  SRNSOptions o;
  o.candidates = 90;
  o.warmup = 2;
  auto run = [&](std::uint64_t seed) {
    noise = Rng(3);
    SRNSSampler r(o);
    r.prepare(train, nullptr, {});
    Rng rng(seed);
    std::vector<UnlabeledBatch> outs;
    for (int e = 0; e < 4; ++e) {
      r.begin_epoch(e, model);
      for (int s = 0; s < 3; ++s) outs.push_back(draw(r, labeled, model, rng));
    }
    return std::make_pair(outs, saved(r));
  };
  const auto a = run(11), b = run(11), c = run(12);
  REQUIRE(a.first.size() == b.first.size());
  for (std::size_t k = 0; k < a.first.size(); ++k) CHECK(same_pairs(a.first[k], b.first[k]));
  CHECK(a.second == b.second);
  bool any_different = false;
  for (std::size_t k = 0; k < a.first.size(); ++k) any_different = any_different || !same_pairs(a.first[k], c.first[k]);
  CHECK(any_different);
}

TEST_CASE("srns: a checkpoint of the sampler resumes it exactly", "[srns]") {
  const Interactions train = random_train(20, 60, 0.2, 6);
  std::vector<Index> users;
  for (Index k = 0; k < 30; ++k) users.push_back((k * 3) % 20);
  const Batch labeled = labeled_of(users);
  FakeScorer model(20, 60);
  int epoch = 0;
  model.score = [&epoch](Index u, Index i) { return std::sin(0.3 * static_cast<double>(i + u) + epoch); };
  SRNSOptions o;
  o.memory = 4;
  o.fresh = 8;
  o.candidates = 50;
  o.history = 3;
  o.warmup = 1;
  SRNSSampler a(o);
  a.prepare(train, nullptr, {});
  Rng rng_a(21);
  for (epoch = 0; epoch < 3; ++epoch) {
    a.begin_epoch(epoch, model);
    for (int s = 0; s < 2; ++s) draw(a, labeled, model, rng_a);
  }
  const std::string bytes = saved(a);
  SRNSSampler b(o);
  load(b, bytes);
  CHECK(saved(b) == bytes);  // before prepare() the loaded state is what is saved
  b.prepare(train, nullptr, {});
  CHECK(saved(b) == bytes);  // prepare() keeps a loaded state that fits the data
  for (Index u = 0; u < 20; ++u) CHECK(b.memory(u) == a.memory(u));
  Rng rng_b = rng_a;
  for (; epoch < 6; ++epoch) {
    a.begin_epoch(epoch, model);
    b.begin_epoch(epoch, model);
    for (int s = 0; s < 2; ++s) CHECK(same_pairs(draw(a, labeled, model, rng_a), draw(b, labeled, model, rng_b)));
  }
  CHECK(saved(a) == saved(b));
  // Other pool sizes do not load; other data is not kept.
  SRNSOptions other = o;
  other.candidates = 60;
  SRNSSampler c(other);
  CHECK_THROWS_WITH(load(c, bytes), Catch::Contains("SRNS memory sizes disagree"));
  SRNSSampler d(o);
  load(d, bytes);
  d.prepare(random_train(21, 60, 0.2, 6), nullptr, {});
  CHECK(d.memory(0).empty());  // a fresh start: nothing drawn yet
}

TEST_CASE("srns: never returns a training pair and keeps S1 items in memory", "[srns]") {
  const Interactions train = random_train(40, 30, 0.5, 9);
  const PairIndex index(train);
  std::vector<Index> users;
  for (Index k = 0; k < 64; ++k) users.push_back((k * 13) % 40);
  const Batch labeled = labeled_of(users);
  FakeScorer model(40, 30);
  Rng noise(77);
  model.score = [&noise](Index, Index i) { return static_cast<double>(i % 7) + noise.normal(); };
  SRNSOptions o;
  o.memory = 6;
  o.fresh = 4;
  o.history = 3;
  o.warmup = 1;
  SRNSSampler r(o);
  r.prepare(train, nullptr, {});
  Rng rng(31);
  for (int epoch = 0; epoch < 4; ++epoch) {
    r.begin_epoch(epoch, model);
    for (int step = 0; step < 5; ++step) {
      model.calls = 0;
      const auto out = draw(r, labeled, model, rng);
      CHECK(model.calls == 1);
      REQUIRE(out.size() == 64);
      for (std::size_t k = 0; k < 64; ++k) {
        CHECK(out.batch.users[k] == users[k]);
        CHECK_FALSE(index.contains(out.batch.users[k], out.batch.items[k]));
      }
    }
  }
  for (Index u = 0; u < 40; ++u) {
    const auto mem = r.memory(u);
    REQUIRE(mem.size() == 6);
    for (Index i : mem) CHECK_FALSE(index.contains(u, i));
  }
}

TEST_CASE("srns: with alpha 0 and temperature 0 picks the best memory item", "[srns]") {
  const Interactions train = random_train(20, 80, 0.3, 10);
  std::vector<Index> users;
  for (Index k = 0; k < 20; ++k) users.push_back(k);  // distinct: one draw per user per call
  const Batch labeled = labeled_of(users);
  FakeScorer model(20, 80);
  // Scores in the range of logits: σ(x̂_uj − x̂_ui) of far larger ones rounds to 1 and ties.
  model.score = [](Index, Index i) { return 0.1 * static_cast<double>(i); };
  SRNSOptions o;
  o.memory = 5;
  o.fresh = 3;
  o.alpha = 0.0;
  o.temperature = 0.0;
  SRNSSampler r(o);
  r.prepare(train, nullptr, {});
  Rng rng(5);
  draw(r, labeled, model, rng);  // initialises every memory
  for (int step = 0; step < 6; ++step) {
    r.begin_epoch(step, model);
    std::vector<std::vector<Index>> before;
    for (Index u = 0; u < 20; ++u) before.push_back(r.memory(u));
    const auto out = draw(r, labeled, model, rng);
    REQUIRE(out.size() == 20);
    for (Index u = 0; u < 20; ++u) {
      const auto& mem = before[static_cast<std::size_t>(u)];
      CHECK(out.batch.items[static_cast<std::size_t>(u)] ==
            *std::max_element(mem.begin(), mem.end()));
      // The refill keeps the S1 best of memory ∪ fresh: all the items scored for u after
      // the first 20 rows (the labeled rows' own items, which the scores are relative to).
      std::vector<Index> scored;
      for (std::size_t k = 20; k < model.last.users.size(); ++k)
        if (model.last.users[k] == u) scored.push_back(model.last.items[k]);
      REQUIRE(scored.size() == 8);
      std::sort(scored.rbegin(), scored.rend());
      auto after = r.memory(u);
      std::sort(after.rbegin(), after.rend());
      CHECK(after == std::vector<Index>(scored.begin(), scored.begin() + 5));
    }
  }
}

TEST_CASE("srns: std bonus prefers an item whose score moves", "[srns]") {
  // User 0 may draw items 0 and 1 only (the others are training pairs), so every pool and
  // memory holds both. Item 0's score oscillates across epochs (0, 2, 0, 2, ...); item 1
  // stays at 1.5. With fresh = 0 the memory never changes, so only the choice rule is seen.
  // The labeled row (0, 0) is not a training pair: its current score is the reference.
  Interactions train;
  train.num_users = 1;
  train.num_items = 4;
  train.push_back(0, 2, 1.0f);
  train.push_back(0, 3, 0.0f);
  int epoch = 0;
  FakeScorer model(1, 4);
  model.score = [&epoch](Index, Index i) {
    if (i == 0) return epoch % 2 == 0 ? 0.0 : 2.0;
    return 1.5;
  };
  const Batch labeled = labeled_of({0});
  auto run = [&](double alpha) {
    SRNSOptions o;
    o.memory = 8;
    o.fresh = 0;
    o.alpha = alpha;
    o.warmup = 0;
    SRNSSampler r(o);
    r.prepare(train, nullptr, {});
    Rng rng(3);
    std::vector<Index> chosen;
    for (epoch = 0; epoch < 4; ++epoch) {
      r.begin_epoch(epoch, model);
      const auto out = draw(r, labeled, model, rng);
      REQUIRE(out.size() == 1);
      chosen.push_back(out.batch.items[0]);
      const auto mem = r.memory(0);
      REQUIRE(std::count(mem.begin(), mem.end(), 0) > 0);  // both items are in memory
      REQUIRE(std::count(mem.begin(), mem.end(), 1) > 0);
    }
    return chosen;
  };
  // alpha = 0: the higher score each epoch.
  CHECK(run(0.0) == std::vector<Index>{1, 0, 1, 0});
  // alpha = 5: one snapshot in epochs 0 and 1 (std 0); from epoch 2 item 0's std of
  // σ(x̂ − x̂_ref) over the pool's snapshots outweighs the gap.
  CHECK(run(5.0) == std::vector<Index>{1, 0, 0, 0});
}

TEST_CASE("srns: alpha warms up linearly", "[srns]") {
  SRNSOptions o;
  o.alpha = 4.0;
  o.warmup = 2;
  SRNSSampler r(o);
  FakeScorer model(1, 1);
  r.begin_epoch(0, model);
  CHECK(r.current_alpha() == 0.0);
  r.begin_epoch(1, model);
  CHECK(r.current_alpha() == 2.0);
  r.begin_epoch(2, model);
  CHECK(r.current_alpha() == 4.0);
  r.begin_epoch(9, model);
  CHECK(r.current_alpha() == 4.0);
}

// Tests of rank/: the bounded top-k selection, score(), recommend() through forward() and
// through GMF's and NeuMF's score_block, against brute-force rankings (every item scored
// by forward(), sorted by score then item id, excluded items dropped); exclusions, k
// beyond the catalogue, thread counts and block sizes, NeuMF's split first layer against
// its plain forward, and bad input.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>
#include <vector>

#include "invlearn/config.hpp"
#include "invlearn/core/error.hpp"
#include "invlearn/core/random.hpp"
#include "invlearn/data/interactions.hpp"
#include "invlearn/data/pair_index.hpp"
#include "invlearn/model/backbone.hpp"
#include "invlearn/model/gmf.hpp"
#include "invlearn/model/neumf.hpp"
#include "invlearn/rank/rank.hpp"
#include "support/random_rows.hpp"
#include "support/score_table.hpp"

namespace {

using invlearn::Index;
using invlearn_test::ScoreTable;

static_assert(invlearn::has_score_block_v<invlearn::GMF<float>>, "GMF has score_block");
static_assert(invlearn::has_score_block_v<invlearn::NeuMF<double>>, "NeuMF has score_block");
static_assert(!invlearn::has_score_block_v<ScoreTable<float>>, "ScoreTable goes through forward");

/// Random pairs: `per_user` distinct items on average for each user.
invlearn::Interactions random_pairs(Index users, Index items, double per_user, std::uint64_t seed) {
  return invlearn_test::random_rows(users, items, per_user / static_cast<double>(items), 1.0, seed);
}

/// The brute-force top k of `user`: every item's forward() logit, sorted by score (high
/// first) then item id, the excluded ones dropped.
template <class Model>
std::vector<Index> brute_top(const Model& model, Index user, Index k, const invlearn::PairIndex& exclude,
                             std::vector<double>* scores = nullptr) {
  std::vector<Index> all(static_cast<std::size_t>(model.num_items()));
  std::iota(all.begin(), all.end(), Index(0));
  std::vector<typename Model::Scalar> s;
  invlearn::score(model, user, all, s);
  std::vector<Index> order;
  for (Index i : all)
    if (!exclude.contains(user, i)) order.push_back(i);
  std::sort(order.begin(), order.end(), [&](Index a, Index b) {
    const auto sa = s[static_cast<std::size_t>(a)], sb = s[static_cast<std::size_t>(b)];
    return sa != sb ? sa > sb : a < b;
  });
  if (static_cast<Index>(order.size()) > k) order.resize(static_cast<std::size_t>(k));
  if (scores)
    for (Index i : order) scores->push_back(static_cast<double>(s[static_cast<std::size_t>(i)]));
  return order;
}

template <class S>
std::vector<Index> list_of(const invlearn::Recommendations<S>& r, Index row) {
  return std::vector<Index>(r.items_of(row), r.items_of(row) + r.length(row));
}

std::vector<Index> all_users(Index n) {
  std::vector<Index> u(static_cast<std::size_t>(n));
  std::iota(u.begin(), u.end(), Index(0));
  return u;
}

/// Scores drawn from a few values, so that most items tie with others.
ScoreTable<float> tied_table(Index users, Index items, int levels, std::uint64_t seed) {
  ScoreTable<float> t;
  t.scores.resize(users, items);
  invlearn::Rng rng(seed);
  for (Index u = 0; u < users; ++u)
    for (Index i = 0; i < items; ++i) t.scores(u, i) = static_cast<float>(rng.index(levels)) * 0.5f - 1.0f;
  return t;
}

/// Sets every parameter to a small integer (and the GMF head to integers too), so that
/// every sum either path computes is exact and score_block equals forward() bit for bit.
template <class Model>
void integer_parameters(Model& model, int range, std::uint64_t seed) {
  invlearn::Rng rng(seed);
  for (auto& t : model.parameters().tables)
    for (Index k = 0; k < t.size(); ++k) t.data()[k] = static_cast<typename Model::Scalar>(rng.index(2 * range + 1) - range);
  auto& dense = model.parameters().dense;
  for (Index k = 0; k < dense.size(); ++k)
    dense[k] = static_cast<typename Model::Scalar>(rng.index(2 * range + 1) - range);
}

}  // namespace

TEST_CASE("TopKLists keeps the k best under (score desc, item asc), fed in tiles or one by one", "[rank]") {
  invlearn::Rng rng(3);
  for (int trial = 0; trial < 50; ++trial) {
    const Index n = 1 + rng.index(300), k = 1 + rng.index(40);
    std::vector<float> s(static_cast<std::size_t>(n));
    for (auto& v : s) v = static_cast<float>(rng.index(5));  // heavy ties
    std::vector<Index> want(static_cast<std::size_t>(n));
    std::iota(want.begin(), want.end(), Index(0));
    std::sort(want.begin(), want.end(), [&](Index a, Index b) {
      return s[static_cast<std::size_t>(a)] != s[static_cast<std::size_t>(b)]
                 ? s[static_cast<std::size_t>(a)] > s[static_cast<std::size_t>(b)]
                 : a < b;
    });
    want.resize(static_cast<std::size_t>(std::min(n, k)));

    invlearn::TopKLists<float> tiles, shuffled;
    tiles.reset(1, k);
    shuffled.reset(1, k);
    const Index tile = 1 + rng.index(50);
    for (Index first = 0; first < n; first += tile)
      tiles.offer(0, s.data() + first, first, std::min(tile, n - first));
    std::vector<Index> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), Index(0));
    rng.shuffle(order);
    for (Index i : order) shuffled.push(0, {s[static_cast<std::size_t>(i)], i});
    std::vector<Index> got(static_cast<std::size_t>(k)), got2(static_cast<std::size_t>(k));
    std::vector<float> scores(static_cast<std::size_t>(k));
    got.resize(static_cast<std::size_t>(tiles.take(0, got.data(), scores.data())));
    got2.resize(static_cast<std::size_t>(shuffled.take(0, got2.data(), scores.data())));
    REQUIRE(got == want);
    REQUIRE(got2 == want);
  }
}

TEST_CASE("TopKLists never keeps NaN or -inf scores", "[rank]") {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> s{nan, -inf, 1.0f, nan, 0.5f, -inf};
  invlearn::TopKLists<float> lists;
  lists.reset(1, 4);
  lists.offer(0, s.data(), 0, static_cast<Index>(s.size()));
  Index items[4];
  float scores[4];
  REQUIRE(lists.take(0, items, scores) == 2);
  CHECK(items[0] == 2);
  CHECK(items[1] == 4);
}

TEST_CASE("score() gives forward()'s logits for a list of items", "[rank]") {
  invlearn::GMF<float> model(7, 50, invlearn::GMFOptions{8, 0.5}, 1);
  const std::vector<Index> items{3, 0, 49, 3, 17};
  std::vector<float> got;
  invlearn::score(model, 4, items, got, 2);
  REQUIRE(got.size() == items.size());
  for (std::size_t j = 0; j < items.size(); ++j) {
    invlearn::Rows one;
    one.push_back(4, items[j], 0.0f);
    auto ws = model.workspace(1);
    invlearn::Vector<float> logit(1);
    model.forward(one.view(), ws, logit);
    CHECK(got[j] == logit[0]);
  }
  CHECK_THROWS_AS(invlearn::score(model, 7, items, got), invlearn::InvalidArgument);
  CHECK_THROWS_AS(invlearn::score(model, 0, items, got, 0), invlearn::InvalidArgument);
}

TEST_CASE("recommend() through forward() equals the brute-force ranking, ties to the lower id", "[rank]") {
  const Index users = 37, items = 211;
  const ScoreTable<float> model = tied_table(users, items, 4, 11);
  const invlearn::PairIndex exclude(random_pairs(users, items, 30.0, 12));
  for (Index k : {Index(1), Index(5), Index(50), Index(500)}) {
    invlearn::RecommendOptions o;
    o.user_block = 8;
    o.item_tile = 64;
    invlearn::Recommendations<float> r;
    invlearn::recommend(model, all_users(users), k, exclude, r, o);
    REQUIRE(r.size() == users);
    for (Index u = 0; u < users; ++u) {
      std::vector<double> want_scores;
      const std::vector<Index> want = brute_top(model, u, k, exclude, &want_scores);
      REQUIRE(list_of(r, u) == want);
      for (std::size_t j = 0; j < want.size(); ++j) CHECK(r.scores_of(u)[j] == want_scores[j]);
    }
  }
  // A k far beyond the catalogue: rows as long as the catalogue, not as k.
  invlearn::Recommendations<float> huge;
  invlearn::recommend(model, all_users(users), Index(1) << 40, exclude, huge);
  CHECK(huge.k == items);
  CHECK(list_of(huge, 3) == brute_top(model, 3, items, exclude));
}

TEST_CASE("recommend() never returns an excluded item; a user with every item excluded gets none", "[rank]") {
  const Index users = 6, items = 40;
  const ScoreTable<float> model = tied_table(users, items, 3, 5);
  invlearn::Interactions seen;
  seen.num_users = users;
  seen.num_items = items;
  for (Index i = 0; i < items; ++i) seen.push_back(2, i, 0.0f);        // user 2 has seen everything
  for (Index i = 0; i < items - 3; ++i) seen.push_back(4, i, 1.0f);    // user 4 has 3 items left
  seen.push_back(0, 7, 1.0f);
  const invlearn::PairIndex exclude(seen);
  invlearn::Recommendations<float> r;
  invlearn::recommend(model, {0, 2, 4, 5}, 10, exclude, r);
  CHECK(r.length(1) == 0);
  CHECK(r.length(2) == 3);
  CHECK(list_of(r, 2) == brute_top(model, 4, 10, exclude));
  for (Index row = 0; row < r.size(); ++row)
    for (Index j = 0; j < r.length(row); ++j) CHECK_FALSE(exclude.contains(r.users[static_cast<std::size_t>(row)], r.items_of(row)[j]));
  // Users beyond the index have no exclusions; an empty index excludes nothing.
  invlearn::recommend(model, {5}, 100, invlearn::PairIndex(), r);
  CHECK(r.length(0) == items);
}

TEST_CASE("recommend() is the same for any thread count and block sizes", "[rank]") {
  const Index users = 150, items = 997;
  invlearn::GMF<float> gmf(users, items, invlearn::GMFOptions{6, 0.1}, 7);
  integer_parameters(gmf, 2, 8);  // exact sums: ties, and the same scores for any blocking
  const invlearn::PairIndex exclude(random_pairs(users, items, 40.0, 9));
  const int threads_before = invlearn::max_threads();
  std::vector<invlearn::Recommendations<float>> runs;
  for (int threads : {1, 2, 3}) {
    invlearn::set_threads(threads);
    for (Index block : {Index(1), Index(64), Index(256)})
      for (Index tile : {Index(100), Index(1024)}) {
        invlearn::RecommendOptions o;
        o.user_block = block;
        o.item_tile = tile;
        runs.emplace_back();
        invlearn::recommend(gmf, all_users(users), 25, exclude, runs.back(), o);
      }
  }
  invlearn::set_threads(threads_before);
  for (const auto& r : runs) {
    CHECK(r.items == runs.front().items);
    CHECK(r.scores == runs.front().scores);
    CHECK(r.lengths == runs.front().lengths);
  }
  for (Index u = 0; u < users; u += 7) CHECK(list_of(runs.front(), u) == brute_top(gmf, u, 25, exclude));
}

TEST_CASE("a user's list and scores do not depend on the users asked with it", "[rank]") {
  // Random parameters, so that sums in another order would change the last bits: a user
  // alone (a GEMM of one row), at another place of its block, or among other users must
  // get the same bits. invlearn-train --topk ranks the users with test positives,
  // invlearn-recommend the users it is given.
  const Index users = 53, items = 1100;
  invlearn::GMF<float> gmf(users, items, invlearn::GMFOptions{32, 0.3}, 21);
  gmf.parameters().dense.head(32).setRandom();
  invlearn::NeuMFOptions no;
  no.dim = 8;
  no.init_std = 0.3;
  invlearn::NeuMF<float> neumf(users, items, no, 22);
  const invlearn::PairIndex exclude(random_pairs(users, items, 30.0, 23));
  auto check = [&](const auto& model) {
    invlearn::Recommendations<float> all, one;
    invlearn::recommend(model, all_users(users), 15, exclude, all);
    std::vector<Index> reversed = all_users(users);
    std::reverse(reversed.begin(), reversed.end());
    invlearn::Recommendations<float> back;
    invlearn::recommend(model, reversed, 15, exclude, back);
    for (Index u = 0; u < users; ++u) {
      invlearn::recommend(model, {u}, 15, exclude, one);
      INFO("user " << u);
      REQUIRE(list_of(one, 0) == list_of(all, u));
      CHECK(std::equal(one.scores_of(0), one.scores_of(0) + one.length(0), all.scores_of(u)));
      const Index r = users - 1 - u;
      REQUIRE(list_of(back, r) == list_of(all, u));
      CHECK(std::equal(back.scores_of(r), back.scores_of(r) + back.length(r), all.scores_of(u)));
    }
  };
  check(gmf);
  check(neumf);
}

TEMPLATE_TEST_CASE("score_block equals forward() on exact arithmetic, so recommend() equals brute force", "[rank]",
                   float, double) {
  const Index users = 23, items = 301;
  invlearn::GMF<TestType> gmf(users, items, invlearn::GMFOptions{5, 0.1}, 2);
  invlearn::NeuMFOptions no;
  no.dim = 4;
  no.mlp_layers = 3;
  invlearn::NeuMF<TestType> neumf(users, items, no, 3);
  integer_parameters(gmf, 3, 4);
  integer_parameters(neumf, 1, 5);
  const invlearn::PairIndex exclude(random_pairs(users, items, 25.0, 6));
  invlearn::RecommendOptions o;
  o.user_block = 5;
  o.item_tile = 77;
  auto check = [&](const auto& model) {
    invlearn::Recommendations<TestType> r;
    invlearn::recommend(model, all_users(users), 30, exclude, r, o);
    for (Index u = 0; u < users; ++u) {
      std::vector<double> want_scores;
      REQUIRE(list_of(r, u) == brute_top(model, u, 30, exclude, &want_scores));
      for (std::size_t j = 0; j < want_scores.size(); ++j) CHECK(r.scores_of(u)[j] == want_scores[j]);
    }
  };
  check(gmf);
  check(neumf);
}

TEMPLATE_TEST_CASE("NeuMF's split first layer agrees with its plain forward", "[rank]", float, double) {
  const double tol = std::is_same<TestType, float>::value ? 2e-5 : 1e-12;
  for (int layers : {1, 2, 3}) {
    invlearn::NeuMFOptions no;
    no.dim = 8;
    no.mlp_layers = layers;
    no.init_std = 0.5;  // large enough that the MLP's ReLUs cut
    invlearn::NeuMF<TestType> model(40, 700, no, 17 + layers);
    invlearn::Rng rng(5);
    auto& dense = model.parameters().dense;
    for (Index k = 0; k < dense.size(); ++k) dense[k] += static_cast<TestType>(rng.normal(0.0, 0.3));  // nonzero biases
    const std::vector<Index> users{0, 39, 7, 7, 21};
    const Index first = 3, count = 600;  // beyond one chunk of pairs
    auto ws = model.workspace(1);
    std::vector<TestType> block(users.size() * static_cast<std::size_t>(count));
    model.score_block(users.data(), static_cast<Index>(users.size()), first, count, ws, block.data());
    double worst = 0.0, scale = 0.0;
    for (std::size_t r = 0; r < users.size(); ++r) {
      std::vector<Index> items(static_cast<std::size_t>(count));
      std::iota(items.begin(), items.end(), first);
      std::vector<TestType> plain;
      invlearn::score(model, users[r], items, plain);
      for (Index j = 0; j < count; ++j) {
        const double a = block[r * static_cast<std::size_t>(count) + static_cast<std::size_t>(j)];
        const double b = plain[static_cast<std::size_t>(j)];
        worst = std::max(worst, std::abs(a - b));
        scale = std::max(scale, std::abs(b));
      }
    }
    INFO("layers " << layers << ", largest |logit| " << scale);
    CHECK(scale > 0.1);
    CHECK(worst <= tol * std::max(1.0, scale));
  }
}

TEST_CASE("GMF's score_block agrees with forward() on random parameters", "[rank]") {
  invlearn::GMF<float> model(30, 500, invlearn::GMFOptions{32, 0.3}, 4);
  model.parameters().dense[32] = 0.25f;
  const std::vector<Index> users{29, 0, 3};
  auto ws = model.workspace(1);
  std::vector<float> block(3 * 500);
  model.score_block(users.data(), 3, 0, 500, ws, block.data());
  std::vector<Index> items(500);
  std::iota(items.begin(), items.end(), Index(0));
  for (std::size_t r = 0; r < 3; ++r) {
    std::vector<float> plain;
    invlearn::score(model, users[r], items, plain);
    for (std::size_t j = 0; j < 500; ++j) CHECK(block[r * 500 + j] == Approx(plain[j]).margin(1e-6));
  }
}

TEST_CASE("score_block and recommend() refuse bad input", "[rank]") {
  invlearn::GMF<float> model(5, 20, invlearn::GMFOptions{4, 0.1}, 1);
  auto ws = model.workspace(1);
  std::vector<float> out(100);
  const Index bad_user[] = {5};
  const Index good_user[] = {4};
  CHECK_THROWS_AS(model.score_block(bad_user, 1, 0, 20, ws, out.data()), invlearn::InvalidArgument);
  CHECK_THROWS_AS(model.score_block(good_user, 1, 10, 11, ws, out.data()), invlearn::InvalidArgument);
  CHECK_THROWS_AS(model.score_block(good_user, 1, -1, 2, ws, out.data()), invlearn::InvalidArgument);
  invlearn::Recommendations<float> r;
  const invlearn::PairIndex none;
  CHECK_THROWS_WITH(invlearn::recommend(model, {0}, 0, none, r), Catch::Contains("k must be at least 1"));
  CHECK_THROWS_WITH(invlearn::recommend(model, {0, 5}, 3, none, r), Catch::Contains("users[1] = 5"));
  invlearn::RecommendOptions o;
  o.item_tile = 0;
  CHECK_THROWS_WITH(invlearn::recommend(model, {0}, 3, none, r, o), Catch::Contains("RecommendOptions::item_tile"));
  model.parameters().tables[1].row(3).setConstant(std::numeric_limits<float>::quiet_NaN());
  model.parameters().tables[1].row(4).setConstant(std::numeric_limits<float>::quiet_NaN());
  CHECK_NOTHROW(invlearn::recommend(model, {1}, 18, none, r));  // 18 finite items are enough
  CHECK_THROWS_AS(invlearn::recommend(model, {1}, 19, none, r), invlearn::NumericalError);
  invlearn::recommend(model, {}, 3, none, r);
  CHECK(r.size() == 0);
}

// Tests of metrics/auc.hpp, metrics/ranking.hpp, metrics/evaluate.hpp, metrics/topk_metrics.hpp
// and metrics/full_ranking.hpp: every metric against a brute-force definition on random data
// with many ties, and against hand-computed values.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <numeric>
#include <vector>

#include "invlearn/core/error.hpp"
#include "invlearn/core/random.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/data/interactions.hpp"
#include "invlearn/metrics/auc.hpp"
#include "invlearn/metrics/evaluate.hpp"
#include "invlearn/metrics/full_ranking.hpp"
#include "invlearn/metrics/ranking.hpp"
#include "invlearn/metrics/topk_metrics.hpp"
#include "invlearn/model/gmf.hpp"
#include "invlearn/rank/score.hpp"
#include "support/random_rows.hpp"
#include "support/score_table.hpp"

namespace {

using invlearn::Index;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ---------------------------------------------------------------------------------------------
// Brute-force references: straight from the definitions, O(n²) or per-user scans.

// AUC as the fraction of (positive, negative) pairs won, ties counted 1/2.
double brute_auc(const std::vector<float>& labels, const std::vector<double>& scores) {
  double won = 0.0;
  double pairs = 0.0;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] != 1.0f) continue;
    for (std::size_t j = 0; j < labels.size(); ++j) {
      if (labels[j] != 0.0f) continue;
      pairs += 1.0;
      if (scores[i] > scores[j])
        won += 1.0;
      else if (scores[i] == scores[j])
        won += 0.5;
    }
  }
  return pairs == 0.0 ? kNaN : won / pairs;
}

// The rows of each user, in row order.
std::map<Index, std::vector<std::size_t>> rows_by_user(const std::vector<Index>& users) {
  std::map<Index, std::vector<std::size_t>> groups;
  for (std::size_t r = 0; r < users.size(); ++r) groups[users[r]].push_back(r);
  return groups;
}

invlearn::GaucResult brute_gauc(const std::vector<Index>& users, const std::vector<float>& labels,
                                const std::vector<double>& scores) {
  double sum = 0.0, wsum = 0.0, wtotal = 0.0;
  Index counted = 0;
  for (const auto& kv : rows_by_user(users)) {
    std::vector<float> y;
    std::vector<double> s;
    for (std::size_t r : kv.second) {
      y.push_back(labels[r]);
      s.push_back(scores[r]);
    }
    const double a = brute_auc(y, s);
    if (std::isnan(a)) continue;
    sum += a;
    wsum += static_cast<double>(y.size()) * a;
    wtotal += static_cast<double>(y.size());
    ++counted;
  }
  invlearn::GaucResult g;
  g.users = counted;
  g.unweighted = counted ? sum / static_cast<double>(counted) : kNaN;
  g.weighted = counted ? wsum / wtotal : kNaN;
  return g;
}

// A user's rows ranked by score, highest first; stable_sort keeps ties in row order.
std::vector<std::size_t> ranked_rows(std::vector<std::size_t> rows,
                                     const std::vector<double>& scores) {
  std::stable_sort(rows.begin(), rows.end(),
                   [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
  return rows;
}

double brute_ndcg(const std::vector<Index>& users, const std::vector<float>& labels,
                  const std::vector<double>& scores, int k) {
  double sum = 0.0;
  int counted = 0;
  for (const auto& kv : rows_by_user(users)) {
    const std::vector<std::size_t> ranked = ranked_rows(kv.second, scores);
    std::vector<float> ideal;
    for (std::size_t r : kv.second) ideal.push_back(labels[r]);
    std::sort(ideal.begin(), ideal.end(), [](float a, float b) { return a > b; });
    double dcg = 0.0, idcg = 0.0;
    for (std::size_t r = 0; r < ranked.size() && r < static_cast<std::size_t>(k); ++r) {
      const double discount = std::log2(static_cast<double>(r) + 2.0);
      dcg += (std::pow(2.0, labels[ranked[r]]) - 1.0) / discount;
      idcg += (std::pow(2.0, ideal[r]) - 1.0) / discount;
    }
    if (idcg > 0.0) {
      sum += dcg / idcg;
      ++counted;
    }
  }
  return counted ? sum / counted : kNaN;
}

double brute_mrr(const std::vector<Index>& users, const std::vector<float>& labels,
                 const std::vector<double>& scores) {
  double sum = 0.0;
  int counted = 0;
  for (const auto& kv : rows_by_user(users)) {
    const std::vector<std::size_t> ranked = ranked_rows(kv.second, scores);
    for (std::size_t r = 0; r < ranked.size(); ++r) {
      if (labels[ranked[r]] > 0.0f) {
        sum += 1.0 / static_cast<double>(r + 1);
        ++counted;
        break;
      }
    }
  }
  return counted ? sum / counted : kNaN;
}

// ---------------------------------------------------------------------------------------------
// Random fixtures with many ties: scores on a coarse grid, a few users with non-dense ids.

struct Fixture {
  std::vector<Index> users;
  std::vector<float> labels;
  std::vector<double> scores;
};

Fixture random_fixture(std::uint64_t seed, std::size_t n, Index num_users, int score_levels,
                       double positive_rate, int label_levels = 2) {
  invlearn::Rng rng(seed);
  Fixture f;
  for (std::size_t r = 0; r < n; ++r) {
    // Non-dense, partly negative ids: grouping must not assume 0..U-1.
    f.users.push_back(rng.index(num_users) * 7 - 11);
    float y = 0.0f;
    if (rng.uniform() < positive_rate)
      y = static_cast<float>(label_levels <= 2 ? 1 : 1 + rng.index(label_levels - 1));
    f.labels.push_back(y);
    f.scores.push_back(static_cast<double>(rng.index(score_levels)) / score_levels - 0.5);
  }
  return f;
}

bool same_or_both_nan(double a, double b, double tol = 1e-12) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::abs(a - b) <= tol;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// AUC

TEST_CASE("metrics: auc hand-computed cases", "[metrics]") {
  const std::vector<float> y = {0, 0, 1, 1};
  // Every positive above every negative.
  CHECK(invlearn::auc(y, {0.1, 0.2, 0.8, 0.9}) == 1.0);
  // Every positive below every negative.
  CHECK(invlearn::auc(y, {0.9, 0.8, 0.2, 0.1}) == 0.0);
  // All tied: every pair counts 1/2.
  CHECK(invlearn::auc(y, {0.3, 0.3, 0.3, 0.3}) == 0.5);
  // labels 1,0,1,0 with scores .5,.5,.9,.1. Pairs (pos, neg):
  //   (r0 .5, r1 .5) tie 1/2; (r0 .5, r3 .1) 1; (r2 .9, r1 .5) 1; (r2 .9, r3 .1) 1
  //   => 3.5 / 4 = 0.875.
  CHECK(invlearn::auc({1, 0, 1, 0}, {0.5, 0.5, 0.9, 0.1}) == 0.875);
  // Only the order matters: infinities are scores like any other.
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(invlearn::auc({1, 0, 1, 0}, {inf, -inf, inf, 0.0}) == 1.0);
  // labels 1,0 with equal infinite scores: a tie.
  CHECK(invlearn::auc({1, 0}, {inf, inf}) == 0.5);
}

TEST_CASE("metrics: auc is NaN when a class is absent", "[metrics]") {
  CHECK(std::isnan(invlearn::auc({1, 1, 1}, {0.1, 0.2, 0.3})));
  CHECK(std::isnan(invlearn::auc({0, 0}, {0.1, 0.2})));
  CHECK(std::isnan(invlearn::auc({}, {})));
}

TEST_CASE("metrics: auc rejects bad input", "[metrics]") {
  using Catch::Matchers::Contains;
  CHECK_THROWS_AS(invlearn::auc({1, 0, 1}, {0.1, 0.2}), invlearn::InvalidArgument);
  CHECK_THROWS_WITH(invlearn::auc({1, 0, 1}, {0.1, 0.2}), Contains("scores"));
  CHECK_THROWS_AS(invlearn::auc({1, 0, 1}, {0.1, 0.2, kNaN}), invlearn::InvalidArgument);
  CHECK_THROWS_WITH(invlearn::auc({1, 0, 1}, {0.1, 0.2, kNaN}), Contains("score at row 2 is NaN"));
  CHECK_THROWS_AS(invlearn::auc({1, 0.5f}, {0.1, 0.2}), invlearn::InvalidArgument);
  CHECK_THROWS_WITH(invlearn::auc({1, static_cast<float>(kNaN)}, {0.1, 0.2}),
                    Contains("label at row 1"));
}

TEST_CASE("metrics: auc equals the brute-force pair count on random data with ties",
          "[metrics]") {
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    // Few score levels => many ties, including ties across classes.
    const int levels = static_cast<int>(2 + seed % 5);
    const double positive_rate = 0.1 + 0.1 * static_cast<double>(seed % 7);
    const Fixture f = random_fixture(seed, 200 + 37 * seed, 10, levels, positive_rate);
    INFO("seed " << seed << ", levels " << levels);
    CHECK(invlearn::auc(f.labels, f.scores) ==
          Approx(brute_auc(f.labels, f.scores)).epsilon(1e-12));
  }
  // Continuous scores too (almost no ties).
  invlearn::Rng rng(99);
  std::vector<float> y;
  std::vector<double> s;
  for (int r = 0; r < 500; ++r) {
    y.push_back(rng.uniform() < 0.3 ? 1.0f : 0.0f);
    s.push_back(rng.normal() + y.back());
  }
  CHECK(invlearn::auc(y, s) == Approx(brute_auc(y, s)).epsilon(1e-12));
}

// ---------------------------------------------------------------------------------------------
// GAUC

TEST_CASE("metrics: gauc hand-computed case", "[metrics]") {
  // user 5: labels 1,0 scores .9,.1 -> AUC 1 (2 rows)
  // user 2: labels 1,0,0,1 scores .2,.8,.1,.3 -> pairs (.2,.8)=0 (.2,.1)=1 (.3,.8)=0 (.3,.1)=1
  //         -> AUC 2/4 = 0.5 (4 rows)
  // user 9: labels 1,1 -> one class, left out
  // unweighted = (1 + 0.5)/2 = 0.75; weighted = (2·1 + 4·0.5)/(2 + 4) = 4/6.
  const std::vector<Index> u = {5, 2, 2, 9, 5, 2, 2, 9};
  const std::vector<float> y = {1, 1, 0, 1, 0, 0, 1, 1};
  const std::vector<double> s = {.9, .2, .8, .5, .1, .1, .3, .4};
  const invlearn::GaucResult g = invlearn::gauc(u, y, s);
  CHECK(g.users == 2);
  CHECK(g.unweighted == Approx(0.75));
  CHECK(g.weighted == Approx(4.0 / 6.0));
}

TEST_CASE("metrics: gauc is NaN with no user having both classes", "[metrics]") {
  const invlearn::GaucResult g = invlearn::gauc({0, 0, 1}, {1, 1, 0}, {0.1, 0.2, 0.3});
  CHECK(g.users == 0);
  CHECK(std::isnan(g.unweighted));
  CHECK(std::isnan(g.weighted));
  const invlearn::GaucResult e = invlearn::gauc({}, {}, {});
  CHECK(e.users == 0);
  CHECK(std::isnan(e.unweighted));
}

TEST_CASE("metrics: gauc rejects bad input", "[metrics]") {
  using Catch::Matchers::Contains;
  CHECK_THROWS_WITH(invlearn::gauc({0, 1}, {1, 0, 1}, {0.1, 0.2, 0.3}), Contains("labels"));
  CHECK_THROWS_WITH(invlearn::gauc({0, 1, 2}, {1, 0, 1}, {0.1, 0.2}), Contains("scores"));
  CHECK_THROWS_AS(invlearn::gauc({0, 1}, {1, 0}, {kNaN, 0.2}), invlearn::InvalidArgument);
  CHECK_THROWS_WITH(invlearn::gauc({0, 1}, {1, 0}, {kNaN, 0.2}), Contains("score at row 0 is NaN"));
}

TEST_CASE("metrics: gauc equals per-user brute force on random data with ties", "[metrics]") {
  for (std::uint64_t seed = 11; seed <= 18; ++seed) {
    const Fixture f = random_fixture(seed, 400, 25, static_cast<int>(2 + seed % 4), 0.35);
    const invlearn::GaucResult got = invlearn::gauc(f.users, f.labels, f.scores);
    const invlearn::GaucResult want = brute_gauc(f.users, f.labels, f.scores);
    INFO("seed " << seed);
    REQUIRE(want.users > 0);
    CHECK(got.users == want.users);
    CHECK(got.unweighted == Approx(want.unweighted).epsilon(1e-12));
    CHECK(got.weighted == Approx(want.weighted).epsilon(1e-12));
  }
}

// ---------------------------------------------------------------------------------------------
// NDCG@K and MRR
//
// Tiny fixture (rows in input order):
//   row  user  label  score
//    0    A     1      0.2
//    1    A     0      0.9
//    2    A     1      0.5
//    3    A     0      0.1
//    4    B     0      0.7     (B: no positive -> left out of NDCG and MRR)
//    5    B     0      0.3
//    6    C     1      0.4     (C: a single positive row -> NDCG 1, RR 1)
// A ranked by score: row1 (y0), row2 (y1), row0 (y1), row3 (y0).

namespace {
const std::vector<Index> kTinyUsers = {0, 0, 0, 0, 1, 1, 2};
const std::vector<float> kTinyLabels = {1, 0, 1, 0, 0, 0, 1};
const std::vector<double> kTinyScores = {0.2, 0.9, 0.5, 0.1, 0.7, 0.3, 0.4};
}  // namespace

TEST_CASE("metrics: ndcg_at_k hand-computed values", "[metrics]") {
  const double l3 = std::log2(3.0);  // discount of rank 1 (0-based); rank 0 has log2(2) = 1
  // k = 1: A: DCG = (2^0-1)/1 = 0, IDCG = 1 -> 0.  C: 1.  mean (0 + 1)/2 = 0.5.
  CHECK(invlearn::ndcg_at_k(kTinyUsers, kTinyLabels, kTinyScores, 1) == Approx(0.5));
  // k = 2: A: DCG = 0/1 + 1/log2(3); IDCG = 1/1 + 1/log2(3) -> (1/l3)/(1 + 1/l3) ≈ 0.386853.
  //        mean with C: (0.386853 + 1)/2 ≈ 0.693426.
  const double a2 = (1.0 / l3) / (1.0 + 1.0 / l3);
  CHECK(a2 == Approx(0.386853).epsilon(1e-5));
  CHECK(invlearn::ndcg_at_k(kTinyUsers, kTinyLabels, kTinyScores, 2) == Approx((a2 + 1.0) / 2));
  // k = 3: A: DCG = 0 + 1/log2(3) + 1/log2(4) = 1/l3 + 0.5; IDCG = 1 + 1/l3 (only 2 positives).
  const double a3 = (1.0 / l3 + 0.5) / (1.0 + 1.0 / l3);
  CHECK(a3 == Approx(0.693426).epsilon(1e-5));
  CHECK(invlearn::ndcg_at_k(kTinyUsers, kTinyLabels, kTinyScores, 3) == Approx((a3 + 1.0) / 2));
  // k larger than every user's row count: same as k = 4 (A's whole list).
  CHECK(invlearn::ndcg_at_k(kTinyUsers, kTinyLabels, kTinyScores, 100) ==
        Approx(invlearn::ndcg_at_k(kTinyUsers, kTinyLabels, kTinyScores, 4)));
  // Graded relevance: one user, labels 2,1,0 ranked 0,1,2 by score (ideal order):
  //   DCG = 3/1 + 1/log2(3) + 0 = IDCG -> 1; reversed: DCG = 0 + 1/l3 + 3/2, IDCG = 3 + 1/l3.
  CHECK(invlearn::ndcg_at_k({7, 7, 7}, {2, 1, 0}, {0.9, 0.5, 0.1}, 3) == Approx(1.0));
  CHECK(invlearn::ndcg_at_k({7, 7, 7}, {2, 1, 0}, {0.1, 0.5, 0.9}, 3) ==
        Approx((1.0 / l3 + 1.5) / (3.0 + 1.0 / l3)));
}

TEST_CASE("metrics: mrr hand-computed values", "[metrics]") {
  // A: first positive (row 2) at rank 2 -> 1/2.  B: no positive, left out.  C: 1.
  // MRR = (1/2 + 1)/2 = 0.75.
  CHECK(invlearn::mrr(kTinyUsers, kTinyLabels, kTinyScores) == Approx(0.75));
}

TEST_CASE("metrics: mrr depends on the model's scores", "[metrics]") {
  // Raise row 0 (positive) to the top of A: A's RR becomes 1, MRR = (1 + 1)/2 = 1.
  std::vector<double> better = kTinyScores;
  better[0] = 1.0;
  CHECK(invlearn::mrr(kTinyUsers, kTinyLabels, better) == Approx(1.0));
  // Push both of A's positives to the bottom: ranking row1, row3, row0/row2...
  // scores: row0 .05, row2 .01 -> order row1 (.9, y0), row3 (.1, y0), row0 (.05, y1): RR 1/3.
  // MRR = (1/3 + 1)/2 = 2/3.
  std::vector<double> worse = kTinyScores;
  worse[0] = 0.05;
  worse[2] = 0.01;
  CHECK(invlearn::mrr(kTinyUsers, kTinyLabels, worse) == Approx(2.0 / 3.0));
  // And the labels' own ranking is not what is measured: same labels, three MRRs.
  CHECK(invlearn::mrr(kTinyUsers, kTinyLabels, kTinyScores) !=
        invlearn::mrr(kTinyUsers, kTinyLabels, better));
}

TEST_CASE("metrics: ranking ties are broken by lower row index first", "[metrics]") {
  // One user, all scores equal: the ranking is the row order.
  // labels 0,1: row 0 (y0) ranks first -> NDCG@1 = 0, RR = 1/2.
  CHECK(invlearn::ndcg_at_k({3, 3}, {0, 1}, {0.5, 0.5}, 1) == 0.0);
  CHECK(invlearn::mrr({3, 3}, {0, 1}, {0.5, 0.5}) == Approx(0.5));
  // labels 1,0: row 0 (y1) ranks first -> NDCG@1 = 1, RR = 1.
  CHECK(invlearn::ndcg_at_k({3, 3}, {1, 0}, {0.5, 0.5}, 1) == 1.0);
  CHECK(invlearn::mrr({3, 3}, {1, 0}, {0.5, 0.5}) == 1.0);
  // Rows of other users between them do not matter: user 3's rows are 0 and 2.
  CHECK(invlearn::mrr({3, 4, 3}, {0, 1, 1}, {0.5, 0.0, 0.5}) == Approx((0.5 + 1.0) / 2));
}

TEST_CASE("metrics: ndcg and mrr are NaN without any positive; bad input rejected",
          "[metrics]") {
  using Catch::Matchers::Contains;
  CHECK(std::isnan(invlearn::ndcg_at_k({0, 1}, {0, 0}, {0.1, 0.2}, 10)));
  CHECK(std::isnan(invlearn::mrr({0, 1}, {0, 0}, {0.1, 0.2})));
  CHECK(std::isnan(invlearn::mrr({}, {}, {})));
  CHECK_THROWS_AS(invlearn::ndcg_at_k({0, 1}, {0, 1}, {0.1, 0.2}, 0), invlearn::InvalidArgument);
  CHECK_THROWS_WITH(invlearn::ndcg_at_k({0, 1}, {0, 1}, {0.1}, 5), Contains("scores"));
  CHECK_THROWS_WITH(invlearn::mrr({0}, {0, 1}, {0.1, 0.2}), Contains("labels"));
  CHECK_THROWS_WITH(invlearn::mrr({0, 1}, {0, 1}, {0.1, kNaN}), Contains("score at row 1 is NaN"));
  CHECK_THROWS_WITH(invlearn::ndcg_at_k({0, 1}, {0, static_cast<float>(kNaN)}, {0.1, 0.2}, 5),
                    Contains("label at row 1"));
  CHECK_THROWS_AS(invlearn::mrr({0, 1}, {0, -1}, {0.1, 0.2}), invlearn::InvalidArgument);
}

TEST_CASE("metrics: ndcg_at_k and mrr equal brute force on random data with ties",
          "[metrics]") {
  for (std::uint64_t seed = 21; seed <= 28; ++seed) {
    const int levels = static_cast<int>(2 + seed % 4);
    const Fixture f = random_fixture(seed, 600, 30, levels, 0.25);
    const Fixture g = random_fixture(seed + 100, 600, 30, levels, 0.4, 4);  // graded 0..3
    INFO("seed " << seed);
    for (int k : {1, 3, 10, 50}) {
      INFO("k " << k);
      CHECK(invlearn::ndcg_at_k(f.users, f.labels, f.scores, k) ==
            Approx(brute_ndcg(f.users, f.labels, f.scores, k)).epsilon(1e-12));
      CHECK(invlearn::ndcg_at_k(g.users, g.labels, g.scores, k) ==
            Approx(brute_ndcg(g.users, g.labels, g.scores, k)).epsilon(1e-12));
    }
    CHECK(invlearn::mrr(f.users, f.labels, f.scores) ==
          Approx(brute_mrr(f.users, f.labels, f.scores)).epsilon(1e-12));
  }
}

// ---------------------------------------------------------------------------------------------
// mean_bce, evaluate_scores, predict, evaluate

TEST_CASE("metrics: mean_bce is stable and matches the definition", "[metrics]") {
  // (x=0, y=1): log 2.  (x=1000, y=1): 0.  (x=-1000, y=1): 1000.  (x=2, y=0): softplus(2).
  const double want = (std::log(2.0) + 0.0 + 1000.0 + std::log1p(std::exp(2.0))) / 4.0;
  CHECK(invlearn::mean_bce({1, 1, 1, 0}, {0.0, 1000.0, -1000.0, 2.0}) == Approx(want));
  CHECK(std::isnan(invlearn::mean_bce({}, {})));
  CHECK_THROWS_AS(invlearn::mean_bce({1, 0}, {0.0}), invlearn::InvalidArgument);
}

TEST_CASE("metrics: evaluate_scores reports every metric", "[metrics]") {
  const invlearn::MetricReport m =
      invlearn::evaluate_scores(kTinyUsers, kTinyLabels, kTinyScores, 2);
  const invlearn::GaucResult g = invlearn::gauc(kTinyUsers, kTinyLabels, kTinyScores);
  CHECK(m.auc == invlearn::auc(kTinyLabels, kTinyScores));
  CHECK(m.gauc == g.unweighted);
  CHECK(m.gauc_weighted == g.weighted);
  CHECK(m.ndcg == invlearn::ndcg_at_k(kTinyUsers, kTinyLabels, kTinyScores, 2));
  CHECK(m.mrr == invlearn::mrr(kTinyUsers, kTinyLabels, kTinyScores));
  CHECK(m.loss == invlearn::mean_bce(kTinyLabels, kTinyScores));
  CHECK(m.ndcg_k == 2);
  CHECK(m.rows == 7);
  CHECK_THROWS_AS(invlearn::evaluate_scores(kTinyUsers, kTinyLabels, kTinyScores, 0),
                  invlearn::InvalidArgument);
  CHECK_THROWS_AS(invlearn::evaluate_scores({0, 0}, {1, 2}, {0.1, 0.2}, 5),
                  invlearn::InvalidArgument);
}

namespace {

// A fake backbone: the logit of (u, i) is a table entry. Counts its forward calls.
struct TableModel {
  using Scalar = double;
  struct Workspace {
    Index capacity = 0;
  };

  Index num_items = 0;
  std::vector<double> table;  // num_users × num_items, row-major
  mutable Index calls = 0;
  mutable Index largest_batch = 0;

  Workspace workspace(Index max_batch) const { return Workspace{max_batch}; }
  void forward(const invlearn::BatchView& batch, Workspace& ws,
               Eigen::Ref<invlearn::Vector<Scalar>> logits) const {
    REQUIRE(batch.size <= ws.capacity);
    REQUIRE(logits.size() == batch.size);
    ++calls;
    largest_batch = std::max(largest_batch, batch.size);
    for (Index k = 0; k < batch.size; ++k)
      logits[k] = table[static_cast<std::size_t>(batch.users[k] * num_items + batch.items[k])];
  }
};

}  // namespace

TEST_CASE("metrics: evaluate on a model equals evaluate_scores on its scores", "[metrics]") {
  invlearn::Rng rng(7);
  TableModel model;
  invlearn::Interactions data;
  data.num_users = 12;
  data.num_items = 9;
  model.num_items = data.num_items;
  for (Index k = 0; k < data.num_users * data.num_items; ++k)
    model.table.push_back(std::round(rng.normal() * 4.0) / 4.0);  // coarse: ties
  const Index rows = 250;
  std::vector<double> want;
  for (Index r = 0; r < rows; ++r) {
    const Index u = rng.index(data.num_users);
    const Index i = rng.index(data.num_items);
    data.push_back(u, i, rng.uniform() < 0.4 ? 1.0f : 0.0f);
    want.push_back(model.table[static_cast<std::size_t>(u * data.num_items + i)]);
  }
  const invlearn::MetricReport ref = invlearn::evaluate_scores(data.users, data.labels, want, 5);

  for (Index chunk : {Index(1), Index(7), Index(64), Index(250), Index(4096)}) {
    INFO("chunk " << chunk);
    model.calls = 0;
    model.largest_batch = 0;
    CHECK(invlearn::predict(model, data, chunk) == want);
    CHECK(model.calls == (rows + chunk - 1) / chunk);
    CHECK(model.largest_batch == std::min(chunk, rows));

    const invlearn::MetricReport m = invlearn::evaluate(model, data, 5, chunk);
    CHECK(same_or_both_nan(m.auc, ref.auc, 0.0));
    CHECK(same_or_both_nan(m.gauc, ref.gauc, 0.0));
    CHECK(same_or_both_nan(m.gauc_weighted, ref.gauc_weighted, 0.0));
    CHECK(same_or_both_nan(m.ndcg, ref.ndcg, 0.0));
    CHECK(same_or_both_nan(m.mrr, ref.mrr, 0.0));
    CHECK(same_or_both_nan(m.loss, ref.loss, 0.0));
    CHECK(m.ndcg_k == 5);
    CHECK(m.rows == rows);
  }
  // The default chunk (4096) on more rows than that.
  invlearn::Interactions big = data;
  std::vector<double> big_want = want;
  while (big.size() < 10000) {
    const Index r = big.size() % rows;
    big.push_back(data.users[static_cast<std::size_t>(r)], data.items[static_cast<std::size_t>(r)],
                  data.labels[static_cast<std::size_t>(r)]);
    big_want.push_back(want[static_cast<std::size_t>(r)]);
  }
  model.calls = 0;
  const invlearn::MetricReport mb = invlearn::evaluate(model, big);
  CHECK(model.calls == 3);  // 4096 + 4096 + 1808
  const invlearn::MetricReport rb = invlearn::evaluate_scores(big.users, big.labels, big_want, 10);
  CHECK(mb.auc == rb.auc);
  CHECK(mb.gauc == rb.gauc);
  CHECK(mb.ndcg == rb.ndcg);
  CHECK(mb.mrr == rb.mrr);
  CHECK(mb.loss == rb.loss);
  CHECK(mb.ndcg_k == 10);
  CHECK(mb.rows == 10000);

  // Empty data: nothing scored, metrics NaN.
  invlearn::Interactions empty;
  model.calls = 0;
  CHECK(invlearn::predict(model, empty).empty());
  CHECK(model.calls == 0);
  CHECK(std::isnan(invlearn::evaluate(model, empty).auc));
  CHECK_THROWS_AS(invlearn::predict(model, data, 0), invlearn::InvalidArgument);
}

// ---------------------------------------------------------------------------------------------
// Full ranking: a brute-force reference that scores every item, sorts the whole catalogue and
// reads the metrics off the sorted list.

namespace {

struct BruteFullRanking {
  std::vector<std::map<std::string, double>> at;  // per K: recall, precision, hr, ndcg, mrr
  Index users = 0, users_without_positive = 0;
};

template <class S>
BruteFullRanking brute_full_ranking(const invlearn_test::ScoreTable<S>& model, const invlearn::Interactions& test,
                                    const std::vector<const invlearn::Interactions*>& masked, const std::vector<int>& ks) {
  const Index nu = model.num_users(), ni = model.num_items();
  std::vector<std::set<Index>> seen(static_cast<std::size_t>(nu)), positive(static_cast<std::size_t>(nu));
  std::vector<bool> has_rows(static_cast<std::size_t>(nu), false);
  for (const auto* part : masked)
    for (std::size_t r = 0; r < part->users.size(); ++r) seen[static_cast<std::size_t>(part->users[r])].insert(part->items[r]);
  for (std::size_t r = 0; r < test.users.size(); ++r) {
    has_rows[static_cast<std::size_t>(test.users[r])] = true;
    if (test.labels[r] == 1.0f) positive[static_cast<std::size_t>(test.users[r])].insert(test.items[r]);
  }
  BruteFullRanking out;
  out.at.resize(ks.size());
  for (Index u = 0; u < nu; ++u) {
    std::set<Index> relevant;
    for (Index i : positive[static_cast<std::size_t>(u)])
      if (!seen[static_cast<std::size_t>(u)].count(i)) relevant.insert(i);
    if (relevant.empty()) {
      out.users_without_positive += has_rows[static_cast<std::size_t>(u)] ? 1 : 0;
      continue;
    }
    ++out.users;
    std::vector<Index> ranked;
    for (Index i = 0; i < ni; ++i)
      if (!seen[static_cast<std::size_t>(u)].count(i)) ranked.push_back(i);
    std::stable_sort(ranked.begin(), ranked.end(), [&](Index a, Index b) { return model.scores(u, a) > model.scores(u, b); });
    for (std::size_t j = 0; j < ks.size(); ++j) {
      const int k = ks[j];
      double hits = 0.0, dcg = 0.0, idcg = 0.0, rr = 0.0;
      for (int r = 0; r < k && r < static_cast<int>(ranked.size()); ++r) {
        if (!relevant.count(ranked[static_cast<std::size_t>(r)])) continue;
        hits += 1.0;
        dcg += 1.0 / std::log2(r + 2.0);
        if (rr == 0.0) rr = 1.0 / (r + 1.0);
      }
      for (int r = 0; r < k && r < static_cast<int>(relevant.size()); ++r) idcg += 1.0 / std::log2(r + 2.0);
      auto& m = out.at[j];
      m["recall"] += hits / static_cast<double>(relevant.size());
      m["precision"] += hits / k;
      m["hr"] += hits > 0.0 ? 1.0 : 0.0;
      m["ndcg"] += dcg / idcg;
      m["mrr"] += rr;
    }
  }
  for (auto& m : out.at)
    for (auto& kv : m) kv.second /= static_cast<double>(out.users);
  return out;
}

using invlearn_test::random_rows;

}  // namespace

TEST_CASE("metrics: topk_metrics hand-computed values", "[metrics][full_ranking]") {
  // List 4 2 9 7 1; relevant {2, 7, 8}: hits at ranks 2 and 4.
  const Index list[] = {4, 2, 9, 7, 1};
  const Index relevant[] = {2, 7, 8};
  const invlearn::TopKMetrics m = invlearn::topk_metrics(list, 5, relevant, 3, 5);
  CHECK(m.recall == Approx(2.0 / 3.0));
  CHECK(m.precision == Approx(0.4));
  CHECK(m.hr == 1.0);
  CHECK(m.mrr == Approx(0.5));
  const double idcg = 1.0 + 1.0 / std::log2(3.0) + 0.5;
  CHECK(m.ndcg == Approx((1.0 / std::log2(3.0) + 1.0 / std::log2(5.0)) / idcg));
  // K = 1: no hit. K beyond the list: precision still divides by K, IDCG by min(K, |P|) = 3.
  const invlearn::TopKMetrics m1 = invlearn::topk_metrics(list, 5, relevant, 3, 1);
  CHECK(m1.recall == 0.0);
  CHECK(m1.hr == 0.0);
  CHECK(m1.mrr == 0.0);
  CHECK(m1.ndcg == 0.0);
  const invlearn::TopKMetrics m20 = invlearn::topk_metrics(list, 5, relevant, 3, 20);
  CHECK(m20.precision == Approx(2.0 / 20.0));
  CHECK(m20.ndcg == Approx(m.ndcg));
  // One relevant item at the top: every metric is 1 (precision 1/K).
  const Index one[] = {4};
  const invlearn::TopKMetrics top = invlearn::topk_metrics(list, 5, one, 1, 3);
  CHECK(top.ndcg == 1.0);
  CHECK(top.recall == 1.0);
  CHECK(top.mrr == 1.0);
  CHECK(top.precision == Approx(1.0 / 3.0));
  CHECK_THROWS_AS(invlearn::topk_metrics(list, 5, relevant, 3, 0), invlearn::InvalidArgument);
  CHECK_THROWS_AS(invlearn::topk_metrics(list, 5, relevant, 0, 3), invlearn::InvalidArgument);
}

TEST_CASE("metrics: full ranking equals brute force on random data with ties", "[metrics][full_ranking]") {
  const Index users = 45, items = 70;
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    invlearn_test::ScoreTable<float> model;
    model.scores.resize(users, items);
    invlearn::Rng rng(seed);
    for (Index k = 0; k < model.scores.size(); ++k) model.scores.data()[k] = static_cast<float>(rng.index(6));
    invlearn::Interactions train = random_rows(users, items, 0.2, 0.5, seed + 10);
    const invlearn::Interactions valid = random_rows(users, items, 0.05, 0.5, seed + 20);
    const invlearn::Interactions test = random_rows(users, items, 0.1, 0.4, seed + 30);  // overlaps train: masked
    for (Index i = 0; i < items; ++i) train.push_back(0, i, 0.0f);  // user 0 has seen every item
    for (Index i = 0; i < items; ++i) train.push_back(1, i, 1.0f);
    const std::vector<int> ks{1, 5, 20, 100};  // 100 > the catalogue
    for (const auto& masked : {std::vector<const invlearn::Interactions*>{&train},
                               std::vector<const invlearn::Interactions*>{&train, &valid}}) {
      invlearn::FullRankingOptions o;
      o.user_batch = 7;
      o.recommend.user_block = 4;
      o.recommend.item_tile = 16;
      const invlearn::FullRankingReport got = invlearn::evaluate_full_ranking(model, test, masked, ks, o);
      const BruteFullRanking want = brute_full_ranking(model, test, masked, ks);
      REQUIRE(got.users == want.users);
      REQUIRE(got.users > 20);
      CHECK(got.users_without_positive == want.users_without_positive);
      CHECK(got.users_without_positive >= 1);  // user 0
      REQUIRE(got.at.size() == ks.size());
      for (std::size_t j = 0; j < ks.size(); ++j) {
        INFO("K = " << ks[j]);
        CHECK(got.at[j].k == ks[j]);
        CHECK(got.at[j].recall == Approx(want.at[j].at("recall")).epsilon(1e-12));
        CHECK(got.at[j].precision == Approx(want.at[j].at("precision")).epsilon(1e-12));
        CHECK(got.at[j].hr == Approx(want.at[j].at("hr")).epsilon(1e-12));
        CHECK(got.at[j].ndcg == Approx(want.at[j].at("ndcg")).epsilon(1e-12));
        CHECK(got.at[j].mrr == Approx(want.at[j].at("mrr")).epsilon(1e-12));
      }
      // The same result for other batch and block sizes.
      const invlearn::FullRankingReport again = invlearn::evaluate_full_ranking(model, test, masked, ks);
      for (std::size_t j = 0; j < ks.size(); ++j) CHECK(again.at[j].ndcg == got.at[j].ndcg);
    }
  }
}

TEST_CASE("metrics: full ranking of a GMF equals brute force over its forward()", "[metrics][full_ranking]") {
  invlearn::GMF<float> gmf(30, 120, invlearn::GMFOptions{8, 0.5}, 5);
  invlearn_test::ScoreTable<float> table;  // the same model, scored pair by pair through forward()
  table.scores.resize(30, 120);
  for (Index u = 0; u < 30; ++u) {
    std::vector<Index> items(120);
    std::iota(items.begin(), items.end(), Index(0));
    std::vector<float> s;
    invlearn::score(gmf, u, items, s);
    for (Index i = 0; i < 120; ++i) table.scores(u, i) = s[static_cast<std::size_t>(i)];
  }
  const invlearn::Interactions train = random_rows(30, 120, 0.3, 0.5, 1);
  const invlearn::Interactions test = random_rows(30, 120, 0.1, 0.5, 2);
  const std::vector<int> ks{3, 10};
  const invlearn::FullRankingReport got = invlearn::evaluate_full_ranking(gmf, test, {&train}, ks);
  const BruteFullRanking want = brute_full_ranking(table, test, {&train}, ks);
  REQUIRE(got.users == want.users);
  for (std::size_t j = 0; j < ks.size(); ++j) {
    CHECK(got.at[j].recall == Approx(want.at[j].at("recall")));
    CHECK(got.at[j].ndcg == Approx(want.at[j].at("ndcg")));
  }
}

TEST_CASE("metrics: full ranking without positives, and bad input", "[metrics][full_ranking]") {
  invlearn_test::ScoreTable<float> model;
  model.scores = invlearn::RowMatrix<float>::Zero(3, 4);
  invlearn::Interactions test;
  test.num_users = 3;
  test.num_items = 4;
  test.push_back(0, 1, 0.0f);
  invlearn::FullRankingReport r = invlearn::evaluate_full_ranking(model, test, {}, {10});
  CHECK(r.users == 0);
  CHECK(r.users_without_positive == 1);
  CHECK(std::isnan(r.at[0].ndcg));
  CHECK_THROWS_WITH(invlearn::evaluate_full_ranking(model, test, {}, {}), Catch::Contains("no K"));
  CHECK_THROWS_WITH(invlearn::evaluate_full_ranking(model, test, {}, {5, 0}), Catch::Contains("at least 1"));
  test.push_back(0, 4, 1.0f);  // item out of range
  CHECK_THROWS_AS(invlearn::evaluate_full_ranking(model, test, {}, {5}), invlearn::InvalidArgument);
  test.items.back() = 2;
  test.labels.back() = 0.5f;
  CHECK_THROWS_AS(invlearn::evaluate_full_ranking(model, test, {}, {5}), invlearn::InvalidArgument);
  test.labels.back() = 1.0f;
  invlearn::FullRankingOptions o;
  o.user_batch = 0;
  CHECK_THROWS_WITH(invlearn::evaluate_full_ranking(model, test, {}, {5}, o), Catch::Contains("FullRankingOptions::user_batch"));
  r = invlearn::evaluate_full_ranking(model, test, {}, {2});  // all scores tie: items 0, 1 ranked first
  CHECK(r.users == 1);
  CHECK(r.at[0].hr == 0.0);
  r = invlearn::evaluate_full_ranking(model, test, {}, {3});
  CHECK(r.at[0].mrr == Approx(1.0 / 3.0));
}

// Data sets (data/): labeling, splits, label fraction, Dataset assembly, PairIndex, the
// grouping by user, and the synthetic data set.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "invlearn/data/group_by_user.hpp"
#include "invlearn/data/hide_labels.hpp"
#include "invlearn/data/labeling.hpp"
#include "invlearn/data/make_dataset.hpp"
#include "invlearn/data/pair_index.hpp"
#include "invlearn/data/read.hpp"
#include "invlearn/data/split.hpp"
#include "invlearn/data/synthetic.hpp"
#include "support/temp_file.hpp"

using invlearn::Format;
using invlearn::Index;
using invlearn::Interactions;
using invlearn::LabelRule;
using invlearn::SplitOptions;
using invlearn_test::TempFile;

namespace {

// Random labeled rows with distinct (user, item) pairs.
Interactions random_rows(Index users, Index items, std::size_t n, std::uint64_t seed) {
  invlearn::Rng rng(seed);
  std::set<std::pair<Index, Index>> seen;
  Interactions rows;
  rows.num_users = users;
  rows.num_items = items;
  while (rows.users.size() < n) {
    const Index u = rng.index(users), i = rng.index(items);
    if (!seen.insert({u, i}).second) continue;
    rows.push_back(u, i, static_cast<float>(rng.index(2)));
  }
  return rows;
}

using Triple = std::tuple<Index, Index, float>;

std::multiset<Triple> triples(const Interactions& rows) {
  std::multiset<Triple> s;
  for (std::size_t r = 0; r < rows.users.size(); ++r)
    s.insert({rows.users[r], rows.items[r], rows.labels[r]});
  return s;
}

bool same_rows(const Interactions& a, const Interactions& b) {
  return a.users == b.users && a.items == b.items && a.labels == b.labels;
}

}  // namespace

TEST_CASE("data: pre-split files share one id mapping", "[data]") {
  TempFile train("train.rating", "a\tx\t5\nb\ty\t1\nb\tz\t3\n");
  TempFile valid("valid.rating", "c\tx\t4\na\ty\t2\n");
  TempFile test("test.rating", "b\tx\t4\nd\tw\t1\n");
  const auto p = invlearn::read_ratings_presplit(train.str(), valid.str(), test.str());
  CHECK(p.test.user_ids.raws() == std::vector<std::string>{"a", "b", "c", "d"});
  CHECK(p.test.item_ids.raws() == std::vector<std::string>{"x", "y", "z", "w"});
  CHECK(p.valid.users == std::vector<Index>{2, 0});
  CHECK(p.test.items == std::vector<Index>{0, 3});

  SplitOptions opts;
  const auto d = invlearn::make_dataset_presplit(p.train, p.valid, p.test, LabelRule::ratings(),
                                                 opts);
  CHECK(d.train.size() == 3);
  CHECK(d.valid.size() == 2);
  CHECK(d.test.size() == 2);
  for (const Interactions* part : {&d.train, &d.valid, &d.test, &d.unlabeled_pool}) {
    CHECK(part->num_users == 4);
    CHECK(part->num_items == 4);
  }
  CHECK(d.train.labels == std::vector<float>{1, 0, 1});

  // Separately read files have inconsistent maps: refused.
  const auto lone_valid = invlearn::read_ratings(valid.str());
  CHECK_THROWS_AS(invlearn::make_dataset_presplit(p.train, lone_valid, p.test,
                                                  LabelRule::ratings(), opts),
                  invlearn::InvalidArgument);

  // `middle` takes the unclear rows of the training file.
  opts.unlabeled = SplitOptions::Unlabeled::middle;
  const auto dm = invlearn::make_dataset_presplit(p.train, p.valid, p.test,
                                                  LabelRule::ratings_paper_text(), opts);
  REQUIRE(dm.unlabeled_pool.size() == 1);  // b,z,3 is unclear under > 3 / < 2
  CHECK(dm.unlabeled_pool.users[0] == 1);
  CHECK(dm.unlabeled_pool.items[0] == 2);
  CHECK(std::isnan(dm.unlabeled_pool.labels[0]));
}

TEST_CASE("data: label rules, unclear rows and ambiguous rules", "[data]") {
  const auto ratings = invlearn::read_ratings_from_string(
      "1::a::1\n1::b::2\n1::c::3\n2::a::4\n2::b::5\n", Format::movielens, "r");
  SECTION("ratings(): > 2 positive, <= 2 negative, all labeled") {
    const auto rows = invlearn::apply_labels(ratings, LabelRule::ratings());
    CHECK(rows.labeled.labels == std::vector<float>{0, 0, 1, 1, 1});
    CHECK(rows.unclear.empty());
    CHECK(rows.labeled.num_users == 2);
    CHECK(rows.labeled.num_items == 3);
    rows.labeled.validate("labeled");
  }
  SECTION("paper text: > 3 positive, < 2 negative, the rest unclear") {
    const auto rows = invlearn::apply_labels(ratings, LabelRule::ratings_paper_text());
    CHECK(rows.labeled.labels == std::vector<float>{0, 1, 1});
    REQUIRE(rows.unclear.size() == 2);
    CHECK(std::isnan(rows.unclear.labels[0]));
    CHECK(rows.unclear.items == std::vector<Index>{1, 2});
  }
  SECTION("watch ratio: thresholds themselves are unclear") {
    const auto wr = invlearn::read_ratings_from_string("1,a,0.1\n1,b,0.2\n1,c,0.5\n1,d,0.8\n1,e,1.7\n",
                                                       Format::watch_ratio, "w");
    const auto rows = invlearn::apply_labels(wr, LabelRule::watch_ratio());
    CHECK(rows.labeled.labels == std::vector<float>{0, 1});
    CHECK(rows.labeled.items == std::vector<Index>{0, 4});
    CHECK(rows.unclear.items == std::vector<Index>{1, 2, 3});
  }
  SECTION("a value both above positive_above and below negative_below is rejected") {
    const auto half = invlearn::read_ratings_from_string("1::a::2.5\n", Format::movielens, "h");
    try {
      invlearn::apply_labels(half, LabelRule::ratings());
      FAIL("no OptionError thrown");
    } catch (const invlearn::OptionError& e) {
      const std::string what = e.what();
      CHECK(e.option() == "LabelRule::positive_above");
      CHECK(what.find("LabelRule::positive_above") != std::string::npos);
      CHECK(what.find("LabelRule::negative_below") != std::string::npos);
      CHECK(what.find("2.5") != std::string::npos);
      CHECK(what.find("--") == std::string::npos);  // library options, not flags
    }
    CHECK_THROWS_AS(LabelRule::ratings().label(2.5), invlearn::InvalidArgument);
    CHECK(LabelRule{2.25, 2.25}.label(2.5) == 1.0f);
  }
  SECTION("non-finite thresholds are rejected") {
    CHECK_THROWS_WITH(invlearn::apply_labels(ratings, LabelRule{std::nan(""), 1.0}),
                      Catch::Contains("LabelRule::positive_above"));
    CHECK_THROWS_WITH(invlearn::apply_labels(ratings, LabelRule{1.0, INFINITY}),
                      Catch::Contains("LabelRule::negative_below"));
  }
}

TEST_CASE("data: split sizes, determinism and disjointness", "[data]") {
  const Interactions rows = random_rows(50, 40, 1000, 1);
  const auto a = invlearn::split_rows(rows, 0.6, 0.2, 42);
  CHECK(a.train.size() == 600);
  CHECK(a.valid.size() == 200);
  CHECK(a.test.size() == 200);
  for (const Interactions* p : {&a.train, &a.valid, &a.test}) {
    CHECK(p->num_users == 50);
    CHECK(p->num_items == 40);
  }
  // Disjoint and together exactly the input rows.
  std::multiset<Triple> all = triples(a.train);
  for (const auto& t : triples(a.valid)) all.insert(t);
  for (const auto& t : triples(a.test)) all.insert(t);
  CHECK(all == triples(rows));
  std::set<std::pair<Index, Index>> pairs;
  for (const Interactions* p : {&a.train, &a.valid, &a.test})
    for (Index r = 0; r < p->size(); ++r) pairs.insert({p->users[r], p->items[r]});
  CHECK(pairs.size() == 1000);

  const auto b = invlearn::split_rows(rows, 0.6, 0.2, 42);
  CHECK(same_rows(a.train, b.train));
  CHECK(same_rows(a.test, b.test));
  const auto c = invlearn::split_rows(rows, 0.6, 0.2, 43);
  CHECK_FALSE(same_rows(a.train, c.train));

  const auto d = invlearn::split_rows(rows, 0.8, 0.1, 42);
  CHECK(d.train.size() == 800);
  CHECK(d.valid.size() == 100);
  CHECK_THROWS_AS(invlearn::split_rows(rows, 0.9, 0.2, 42), invlearn::InvalidArgument);
  CHECK_THROWS_AS(invlearn::split_rows(rows, 0.0, 0.2, 42), invlearn::InvalidArgument);
}

TEST_CASE("data: label_fraction keeps a seeded share and hides the rest with labels", "[data]") {
  const Interactions rows = random_rows(30, 30, 600, 2);
  Interactions kept = rows, hidden;
  invlearn::label_fraction(kept, 0.1, 7, &hidden);
  CHECK(kept.size() == 60);
  CHECK(hidden.size() == 540);
  CHECK(hidden.num_users == 30);
  std::multiset<Triple> all = triples(kept);
  for (const auto& t : triples(hidden)) all.insert(t);
  CHECK(all == triples(rows));  // hidden rows keep their true labels

  Interactions again = rows;
  invlearn::label_fraction(again, 0.1, 7, nullptr);
  CHECK(same_rows(again, kept));
  Interactions other = rows;
  invlearn::label_fraction(other, 0.1, 8, nullptr);
  CHECK_FALSE(same_rows(other, kept));

  Interactions full = rows;
  invlearn::label_fraction(full, 1.0, 7, &hidden);
  CHECK(same_rows(full, rows));
  CHECK(hidden.empty());

  Interactions tiny = random_rows(5, 5, 3, 3);
  invlearn::label_fraction(tiny, 0.01, 7, &hidden);
  CHECK(tiny.size() == 1);  // never all labels gone
  CHECK_THROWS_AS(invlearn::label_fraction(full, 0.0, 7, nullptr), invlearn::InvalidArgument);
  CHECK_THROWS_AS(invlearn::label_fraction(full, 1.5, 7, nullptr), invlearn::InvalidArgument);
}

TEST_CASE("data: make_dataset fills splits and the unlabeled pool", "[data]") {
  // 200 users x 10 items, watch ratios spread over [0, 1.2).
  std::string text;
  invlearn::Rng rng(5);
  for (int u = 0; u < 200; ++u)
    for (int i = 0; i < 10; ++i)
      text += "u" + std::to_string(u) + ",v" + std::to_string(i) + "," +
              std::to_string(rng.uniform(0.0, 1.2)) + "\n";
  const auto raw = invlearn::read_ratings_from_string(text, Format::automatic, "kuai");
  REQUIRE(raw.format == Format::watch_ratio);
  const LabelRule rule = LabelRule::for_data(raw);
  const auto rows = invlearn::apply_labels(raw, rule);
  const std::size_t n = rows.labeled.users.size();

  SplitOptions opts;
  const auto d = invlearn::make_dataset(raw, rule, opts);
  CHECK(d.name == "kuai");
  CHECK(static_cast<std::size_t>(d.train.size() + d.valid.size() + d.test.size()) == n);
  CHECK(d.train.size() == static_cast<Index>(std::llround(0.6 * static_cast<double>(n))));
  CHECK(d.unlabeled_pool.empty());
  CHECK(d.num_users() == 200);
  CHECK(d.num_items() == 10);
  for (const Interactions* p : {&d.train, &d.valid, &d.test, &d.unlabeled_pool}) {
    CHECK(p->num_users == 200);
    CHECK(p->num_items == 10);
  }
  d.train.validate("train");
  d.test.validate("test");
  CHECK(d.users.raw(0) == "u0");

  SECTION("middle: unclear rows of the training share, label NaN") {
    opts.unlabeled = SplitOptions::Unlabeled::middle;
    const auto m = invlearn::make_dataset(raw, rule, opts);
    CHECK(same_rows(m.train, d.train));  // the labeled split does not depend on the pool
    CHECK(m.unlabeled_pool.size() ==
          static_cast<Index>(std::llround(0.6 * static_cast<double>(rows.unclear.size()))));
    for (float y : m.unlabeled_pool.labels) CHECK(std::isnan(y));
    m.unlabeled_pool.validate("pool", false);
    CHECK_THROWS_AS(invlearn::make_dataset(raw, LabelRule{-1.0, 0.0}, opts),
                    invlearn::InvalidArgument);  // every value is positive: no unclear rows
  }
  SECTION("hidden: the training rows whose labels were hidden, labels kept") {
    opts.unlabeled = SplitOptions::Unlabeled::hidden;
    opts.label_fraction = 0.25;
    const auto h = invlearn::make_dataset(raw, rule, opts);
    CHECK(h.train.size() + h.unlabeled_pool.size() == d.train.size());
    CHECK(h.train.size() == static_cast<Index>(std::llround(0.25 * static_cast<double>(d.train.size()))));
    std::multiset<Triple> all = triples(h.train);
    for (const auto& t : triples(h.unlabeled_pool)) all.insert(t);
    CHECK(all == triples(d.train));
    h.unlabeled_pool.validate("pool", true);
    opts.label_fraction = 1.0;
    CHECK_THROWS_AS(invlearn::make_dataset(raw, rule, opts), invlearn::InvalidArgument);
  }
}

TEST_CASE("data: PairIndex agrees with a brute-force set", "[data]") {
  invlearn::Rng rng(11);
  Interactions a, b;
  a.num_users = b.num_users = 60;
  a.num_items = b.num_items = 80;
  std::set<std::pair<Index, Index>> truth;
  for (int k = 0; k < 1500; ++k) {  // with repeats
    const Index u = rng.index(60), i = rng.index(80);
    (k % 3 ? a : b).push_back(u, i, 1.0f);
    truth.insert({u, i});
  }
  const invlearn::PairIndex index({&a, &b});
  CHECK(index.size() == static_cast<Index>(truth.size()));
  CHECK(index.num_users() == 60);
  for (Index u = 0; u < 60; ++u) {
    Index degree = 0;
    for (Index i = 0; i < 80; ++i) {
      const bool expected = truth.count({u, i}) > 0;
      degree += expected;
      if (index.contains(u, i) != expected) FAIL("pair (" << u << ", " << i << ")");
    }
    CHECK(index.degree(u) == degree);
    CHECK(std::is_sorted(index.begin(u), index.end(u)));
  }
  CHECK_FALSE(index.contains(-1, 0));
  CHECK_FALSE(index.contains(60, 0));
  CHECK_FALSE(index.contains(0, -1));

  const invlearn::PairIndex only_a(a);
  for (Index r = 0; r < a.size(); ++r) CHECK(only_a.contains(a.users[r], a.items[r]));
  const invlearn::PairIndex empty;
  CHECK_FALSE(empty.contains(0, 0));
  CHECK(empty.size() == 0);
}

TEST_CASE("data: PairIndex answers exactly at scale, also when copied", "[data]") {
  // Enough pairs for a many-block filter, ids spread over large ranges, and queries that
  // are mostly absent pairs (the samplers' case): any false negative or false positive
  // of the index fails here.
  invlearn::Rng rng(12);
  Interactions t;
  t.num_users = 50000;
  t.num_items = 1 << 20;
  std::set<std::pair<Index, Index>> truth;
  for (int k = 0; k < 200000; ++k) {
    const Index u = rng.index(t.num_users), i = rng.index(t.num_items);
    t.push_back(u, i, 1.0f);
    truth.insert({u, i});
  }
  const invlearn::PairIndex built(t);
  const invlearn::PairIndex copy = built;  // a copy may sit at another alignment
  for (const auto* index : {&built, &copy}) {
    for (const auto& [u, i] : truth) REQUIRE(index->contains(u, i));
    for (int k = 0; k < 200000; ++k) {
      const Index u = rng.index(t.num_users), i = rng.index(t.num_items);
      REQUIRE(index->contains(u, i) == (truth.count({u, i}) > 0));
    }
    for (Index i = 0; i < 64; ++i) REQUIRE(index->contains(7, i) == (truth.count({7, i}) > 0));
  }
}

TEST_CASE("data: synthetic data is deterministic and has a planted truth", "[data]") {
  invlearn::SyntheticOptions o;
  o.users = 300;
  o.items = 200;
  o.labeled_per_user = 12;
  const invlearn::SyntheticData s1(o), s2(o);
  CHECK(same_rows(s1.observed(), s2.observed()));
  CHECK(s1.threshold() == s2.threshold());
  invlearn::SyntheticOptions o3 = o;
  o3.seed = 43;
  const invlearn::SyntheticData s3(o3);
  CHECK_FALSE(same_rows(s1.observed(), s3.observed()));

  // Uniformly random pairs: 30-60% positive (negative sampling's premise is wrong).
  invlearn::Rng rng(9);
  int positives = 0;
  for (int k = 0; k < 20000; ++k) positives += s1.truth(rng.index(300), rng.index(200)) == 1.0f;
  CHECK(positives / 20000.0 >= 0.3);
  CHECK(positives / 20000.0 <= 0.6);
  CHECK(s1.positive_rate() == Approx(0.45).margin(0.01));

  // Observed rows: labels are the truth, at least 2 distinct items per user, ~12 per user.
  const Interactions& obs = s1.observed();
  obs.validate("observed");
  std::map<Index, std::set<Index>> per_user;
  for (Index r = 0; r < obs.size(); ++r) {
    CHECK(obs.labels[r] == s1.truth(obs.users[r], obs.items[r]));
    CHECK(per_user[obs.users[r]].insert(obs.items[r]).second);
    CHECK((obs.labels[r] == 1.0f) ==
          (s1.true_logit(obs.users[r], obs.items[r]) > s1.threshold()));
  }
  CHECK(per_user.size() == 300);
  for (const auto& kv : per_user) CHECK(kv.second.size() >= 2);
  CHECK(static_cast<double>(obs.size()) / 300.0 == Approx(12.0).epsilon(0.15));
  CHECK_THROWS_AS(s1.truth(300, 0), invlearn::InvalidArgument);

  // Noise flips about that share of observed labels, on the same exposures.
  invlearn::SyntheticOptions on = o;
  on.noise = 0.2;
  const invlearn::SyntheticData noisy(on);
  REQUIRE(noisy.observed().size() == obs.size());
  CHECK(noisy.observed().users == obs.users);
  CHECK(noisy.observed().items == obs.items);
  Index flips = 0;
  for (Index r = 0; r < obs.size(); ++r) flips += noisy.observed().labels[r] != obs.labels[r];
  CHECK(static_cast<double>(flips) / static_cast<double>(obs.size()) == Approx(0.2).margin(0.04));
}

TEST_CASE("data: synthetic dataset() splits and hidden truth", "[data]") {
  invlearn::SyntheticOptions o;
  o.users = 200;
  o.items = 150;
  o.labeled_per_user = 10;
  o.noise = 0.1;
  const invlearn::SyntheticData syn(o);
  SplitOptions opts;
  const auto d = syn.dataset(opts);
  const Index n = syn.observed().size();
  CHECK(d.train.size() + d.valid.size() + d.test.size() == n);
  CHECK(d.unlabeled_pool.empty());
  CHECK(d.num_users() == 200);
  CHECK(d.num_items() == 150);
  CHECK(d.users.size() == 200);
  CHECK(d.items.raw(149) == "149");
  CHECK(same_rows(syn.dataset(opts).train, d.train));

  opts.unlabeled = SplitOptions::Unlabeled::hidden;
  opts.label_fraction = 0.2;
  const auto h = syn.dataset(opts);
  CHECK(h.train.size() + h.unlabeled_pool.size() == d.train.size());
  for (Index r = 0; r < h.unlabeled_pool.size(); ++r)  // the truth, not the noisy label
    CHECK(h.unlabeled_pool.labels[r] == syn.truth(h.unlabeled_pool.users[r], h.unlabeled_pool.items[r]));
  CHECK(h.unlabeled_pool.num_items == 150);

  opts.unlabeled = SplitOptions::Unlabeled::middle;
  CHECK_THROWS_AS(syn.dataset(opts), invlearn::InvalidArgument);

  invlearn::SyntheticOptions bad = o;
  bad.labeled_per_user = 1;
  CHECK_THROWS_AS(invlearn::SyntheticData(bad), invlearn::InvalidArgument);
}

TEST_CASE("data: synthetic defaults give about users x rows-per-user rows", "[data]") {
  const invlearn::SyntheticOptions o;
  const invlearn::SyntheticData syn;
  CHECK(syn.num_users() == o.users);
  CHECK(syn.num_items() == o.items);
  const double expected = static_cast<double>(o.users) * o.labeled_per_user;
  CHECK(static_cast<double>(syn.observed().size()) > 0.9 * expected);
  CHECK(static_cast<double>(syn.observed().size()) < 1.1 * expected);
  const double rate = static_cast<double>(syn.observed().positives()) /
                      static_cast<double>(syn.observed().size());
  CHECK(rate > 0.3);
  CHECK(rate < 0.6);
}


TEST_CASE("data: shuffled_indices is the one seeded permutation of every cut", "[data]") {
  invlearn::Rng a(42, invlearn::Stream::split), b(42, invlearn::Stream::split);
  const std::vector<Index> order = invlearn::shuffled_indices(1000, a);
  std::vector<Index> manual(1000);
  std::iota(manual.begin(), manual.end(), Index(0));
  b.shuffle(manual);  // what the Trainer's training-train / training-test cut drew
  CHECK(order == manual);
  std::vector<Index> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  std::vector<Index> iota(1000);
  std::iota(iota.begin(), iota.end(), Index(0));
  CHECK(sorted == iota);
  // split_rows takes its parts in that order.
  const Interactions rows = random_rows(30, 30, 100, 4);
  invlearn::Rng c(7, invlearn::Stream::split), d(7, invlearn::Stream::split);
  const auto parts = invlearn::split_rows(rows, 0.5, 0.2, c);
  const std::vector<Index> o = invlearn::shuffled_indices(100, d);
  for (Index k = 0; k < 50; ++k) CHECK(parts.train.items[static_cast<std::size_t>(k)] == rows.items[static_cast<std::size_t>(o[static_cast<std::size_t>(k)])]);
  CHECK(parts.test.users.back() == rows.users[static_cast<std::size_t>(o.back())]);
  CHECK(invlearn::shuffled_indices(0, c).empty());
}

TEST_CASE("data: options errors name the option as the library spells it", "[data]") {
  auto option_of = [](auto&& f) {
    try {
      f();
    } catch (const invlearn::OptionError& e) {
      CHECK(std::string(e.what()).find(e.option()) != std::string::npos);
      CHECK(std::string(e.what()).find("--") == std::string::npos);
      return e.option();
    }
    return std::string("no OptionError");
  };
  const Interactions rows = random_rows(10, 10, 40, 1);
  CHECK(option_of([&] { invlearn::split_rows(rows, 0.0, 0.2, 1); }) == "SplitOptions::train");
  CHECK(option_of([&] { invlearn::split_rows(rows, 0.5, 1.0, 1); }) == "SplitOptions::valid");
  CHECK(option_of([&] { invlearn::split_rows(rows, 0.9, 0.2, 1); }) == "SplitOptions::valid");
  Interactions copy = rows;
  CHECK(option_of([&] { invlearn::label_fraction(copy, 0.0, 1, nullptr); }) == "SplitOptions::label_fraction");
  CHECK(option_of([] { invlearn::parse_unlabeled("all"); }) == "SplitOptions::unlabeled");
  CHECK(option_of([] { LabelRule{1.0, NAN}.validate(); }) == "LabelRule::negative_below");
  invlearn::SyntheticOptions o;
  o.users = 1;
  CHECK(option_of([&] { invlearn::SyntheticData s(o); }) == "SyntheticOptions::users");
  o = invlearn::SyntheticOptions();
  o.noise = 0.9;
  CHECK(option_of([&] { invlearn::SyntheticData s(o); }) == "SyntheticOptions::noise");
  SplitOptions hidden;
  hidden.unlabeled = SplitOptions::Unlabeled::hidden;
  o = invlearn::SyntheticOptions();
  o.users = 50;
  o.items = 40;
  o.labeled_per_user = 5;
  const invlearn::SyntheticData syn(o);
  CHECK(option_of([&] { syn.dataset(hidden); }) == "SplitOptions::unlabeled");
}

TEST_CASE("data: PairIndex::find numbers the pairs in CSR order", "[data]") {
  Interactions t;
  t.num_users = 3;
  t.num_items = 10;
  for (auto [u, i] : {std::pair<Index, Index>{2, 5}, {0, 7}, {0, 3}, {2, 1}, {0, 7}}) t.push_back(u, i, 1.0f);
  const invlearn::PairIndex index(t);
  CHECK(index.size() == 4);
  CHECK(index.find(0, 3) == 0);
  CHECK(index.find(0, 7) == 1);
  CHECK(index.find(2, 1) == 2);
  CHECK(index.find(2, 5) == 3);
  CHECK(index.find(1, 3) == -1);
  CHECK(index.find(0, 4) == -1);
  CHECK(index.find(-1, 3) == -1);
  CHECK(index.find(3, 3) == -1);
  for (Index k = 0; k < index.size(); ++k) CHECK(index.items()[static_cast<std::size_t>(k)] >= 0);
}

TEST_CASE("data: rows grouped by user keep their order", "[data]") {
  const std::vector<Index> users{2, 0, 2, 1, 0, 2};
  const invlearn::detail::UserGroups g(users.data(), users.size(), 4);
  CHECK(g.offsets == std::vector<std::size_t>{0, 2, 3, 6, 6});
  CHECK(g.rows == std::vector<std::size_t>{1, 4, 3, 0, 2, 5});
  CHECK(g.begin(3) == g.end(3));
}

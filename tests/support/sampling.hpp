#pragma once
// What the sampler tests share: a fake Score, random training sets, labeled batches of
// given users, and a draw that checks the shape of what a sampler returns.

#include <catch2/catch.hpp>

#include <cstdint>
#include <functional>
#include <vector>

#include "invlearn/core/random.hpp"
#include "invlearn/core/rows.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/data/interactions.hpp"
#include "invlearn/data/sampling/unlabeled_batch.hpp"

namespace invlearn_test {

using invlearn::Batch;
using invlearn::BatchView;
using invlearn::Index;
using invlearn::Interactions;
using invlearn::Rng;
using invlearn::UnlabeledBatch;


// A fake Score: the score of (u, i) is score(u, i) (item id by default). Like a model's
// forward pass it refuses ids outside its ranges. It records the last batch it scored and
// how many calls it served.
struct FakeScorer {
  FakeScorer(Index num_users, Index num_items) : users(num_users), items(num_items) {}

  Index users, items;
  std::function<double(Index, Index)> score = [](Index, Index i) { return static_cast<double>(i); };
  Batch last;
  int calls = 0;

  void operator()(const BatchView& b, double* out) {
    invlearn::check_ids(b, users, items, "FakeScorer");
    ++calls;
    last.clear();
    for (Index k = 0; k < b.size; ++k) {
      last.push_back(b.users[k], b.items[k], 0.0f);
      out[k] = score(b.users[k], b.items[k]);
    }
  }
};

// Each (u, i) is a training pair with probability `density`; labels random.
inline Interactions random_train(Index users, Index items, double density, std::uint64_t seed) {
  Interactions t;
  t.num_users = users;
  t.num_items = items;
  Rng rng(seed);
  for (Index u = 0; u < users; ++u)
    for (Index i = 0; i < items; ++i)
      if (rng.uniform() < density) t.push_back(u, i, rng.uniform() < 0.5 ? 1.0f : 0.0f);
  return t;
}

// A labeled batch of the given users (items and labels do not matter to the samplers).
inline Batch labeled_of(const std::vector<Index>& users) {
  Batch b;
  for (Index u : users) b.push_back(u, 0, 1.0f);
  return b;
}

template <class Sampler>
UnlabeledBatch draw(Sampler& s, const Batch& labeled, FakeScorer& model, Rng& rng) {
  UnlabeledBatch out;
  s.sample(labeled.view(), model, rng, out);
  REQUIRE(out.truth.size() == out.batch.users.size());
  REQUIRE(out.batch.items.size() == out.batch.users.size());
  REQUIRE(out.batch.labels.size() == out.batch.users.size());
  for (float y : out.batch.labels) REQUIRE(y == 0.0f);
  return out;
}

inline bool same_pairs(const UnlabeledBatch& a, const UnlabeledBatch& b) {
  return a.batch.users == b.batch.users && a.batch.items == b.batch.items;
}


}  // namespace invlearn_test

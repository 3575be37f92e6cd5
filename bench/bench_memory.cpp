// The memory floor of a step, to judge ig_step's growth with the catalogue against.
//
//   row_traffic/<rows>  the embedding-row reads and writes one GMF IG step with lazy Adam
//                       cannot avoid, and nothing else: 1024 labeled (user, item) pairs
//                       and 1024 unlabeled items for the same users, rows = users = items,
//                       d = 32, float tables on cache lines (invlearn::Table), prefetched
//                       kPrefetchAhead rows ahead as the library's loops do:
//                         read   θ of the labeled users and the unlabeled items (IDL forward)
//                         read   θ of the labeled items (candidate losses)
//                         write  θ of the users and the unlabeled items (the chosen update)
//                         write  θ, m, v of the labeled users and items (Adam)
//                       The arithmetic is one add per value, so the time is the memory's.
//
// ig_step/gmf/R − ig_step/gmf/10000 can be set against row_traffic/R − row_traffic/10000:
// the part of a step's growth that no implementation of the same step can avoid on the
// machine (docs/performance.md).

#include <benchmark/benchmark.h>

#include <vector>

#include "invlearn/core/memory.hpp"
#include "invlearn/core/random.hpp"
#include "invlearn/core/table.hpp"

namespace {

using invlearn::Index;
using invlearn::Table;

constexpr Index kBatch = 1024;
constexpr Index kDim = 32;

struct Traffic {
  Table<float> user, item, user_m, user_v, item_m, item_v;
  std::vector<Index> ids;  // a long random stream of ids, walked three batches per step
  std::size_t cursor = 0;

  explicit Traffic(Index rows) {
    for (Table<float>* t : {&user, &item, &user_m, &user_v, &item_m, &item_v}) {
      t->resize(rows, kDim);
      t->setConstant(0.5f);
    }
    invlearn::Rng rng(11, invlearn::Stream::synthetic);
    ids.resize(std::size_t(1) << 21);
    for (auto& id : ids) id = rng.index(rows);
  }

  const Index* next_batch() {
    if (cursor + kBatch > ids.size()) cursor = 0;
    const Index* b = ids.data() + cursor;
    cursor += kBatch;
    return b;
  }
};

template <class Body>
inline void over_rows(const Table<float>& table, const Index* ids, Body&& body) {
  for (Index k = 0; k < kBatch; ++k) {
    if (k + invlearn::kPrefetchAhead < kBatch) invlearn::prefetch_row(table, ids[k + invlearn::kPrefetchAhead]);
    body(ids[k]);
  }
}

void bm_row_traffic(benchmark::State& state) {
  const Index rows = state.range(0);
  Traffic t(rows);
  float sink = 0.0f;
  for (auto _ : state) {
    const Index* users = t.next_batch();
    const Index* items = t.next_batch();
    const Index* unlabeled = t.next_batch();
    over_rows(t.user, users, [&](Index r) { sink += t.user.row(r).sum(); });
    over_rows(t.item, unlabeled, [&](Index r) { sink += t.item.row(r).sum(); });
    over_rows(t.item, items, [&](Index r) { sink += t.item.row(r).sum(); });
    over_rows(t.user, users, [&](Index r) { t.user.row(r).array() += 1e-7f; });
    over_rows(t.item, unlabeled, [&](Index r) { t.item.row(r).array() += 1e-7f; });
    for (Index k = 0; k < kBatch; ++k) {
      if (k + invlearn::kPrefetchAhead < kBatch) {
        const Index u = users[k + invlearn::kPrefetchAhead], i = items[k + invlearn::kPrefetchAhead];
        for (const Table<float>* p : {&t.user, &t.user_m, &t.user_v}) invlearn::prefetch_row(*p, u);
        for (const Table<float>* p : {&t.item, &t.item_m, &t.item_v}) invlearn::prefetch_row(*p, i);
      }
      for (Table<float>* p : {&t.user, &t.user_m, &t.user_v}) p->row(users[k]).array() += 1e-7f;
      for (Table<float>* p : {&t.item, &t.item_m, &t.item_v}) p->row(items[k]).array() += 1e-7f;
    }
    benchmark::DoNotOptimize(sink);
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}

BENCHMARK(bm_row_traffic)
    ->Name("row_traffic")
    ->Arg(10000)
    ->Arg(100000)
    ->Arg(1000000)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

}  // namespace

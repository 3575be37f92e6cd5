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
//   row_traffic_deferred/<rows>
//                       the same step with the default optimizer (Adam, deferred rows), with
//                       the library's own per-row record (RowMoments: m, v, step) and its row
//                       kernels, and nothing else: first the catch-up of every row the step
//                       reads (the labeled users and items, then the unlabeled items: the
//                       record's step read and written, one window of idle steps on θ, m, v),
//                       then row_traffic's θ reads and writes, then one Adam step on θ and
//                       the record of the labeled users and items from a gradient row held in
//                       L1.
//   row_kernels_hot     the arithmetic of row_traffic_deferred alone: as many idle windows
//                       (3·1024) and Adam steps (2·1024) on 16 rows that stay in L1.
//
// ig_step/gmf/R − ig_step/gmf/10000 can be set against row_traffic/R − row_traffic/10000:
// the part of a step's growth that no implementation of the same step can avoid on the
// machine (docs/performance.md). ig_step/gmf/R ÷ row_traffic_deferred/R is how far the step
// is from what its own optimizer cannot avoid.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <tuple>
#include <vector>

#include "invlearn/core/memory.hpp"
#include "invlearn/core/random.hpp"
#include "invlearn/core/table.hpp"
#include "invlearn/optim/idle_steps.hpp"
#include "invlearn/optim/row_kernels.hpp"
#include "invlearn/optim/row_moments.hpp"

namespace {

using invlearn::Index;
using invlearn::Table;

constexpr Index kBatch = 1024;
constexpr Index kDim = 32;

/// The embedding tables and the stream of ids both floors walk.
struct Traffic {
  Table<float> user, item;
  std::vector<Index> ids;  // a long random stream of ids, walked three batches per step
  std::size_t cursor = 0;

  explicit Traffic(Index rows) {
    for (Table<float>* t : {&user, &item}) {
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

/// The reads and writes of θ by the step's forward, backward and chosen update (both floors).
inline void theta_traffic(Traffic& t, const Index* users, const Index* items, const Index* unlabeled, float& sink) {
  over_rows(t.user, users, [&](Index r) { sink += t.user.row(r).sum(); });
  over_rows(t.item, unlabeled, [&](Index r) { sink += t.item.row(r).sum(); });
  over_rows(t.item, items, [&](Index r) { sink += t.item.row(r).sum(); });
  over_rows(t.user, users, [&](Index r) { t.user.row(r).array() += 1e-7f; });
  over_rows(t.item, unlabeled, [&](Index r) { t.item.row(r).array() += 1e-7f; });
}

/// Lazy Adam's moments: m and v as tables shaped like θ.
struct LazyTraffic : Traffic {
  Table<float> user_m, user_v, item_m, item_v;
  explicit LazyTraffic(Index rows) : Traffic(rows) {
    for (Table<float>* t : {&user_m, &user_v, &item_m, &item_v}) {
      t->resize(rows, kDim);
      t->setConstant(0.5f);
    }
  }
};

/// rows = users = items ∈ {10^4, 10^5, 10^6}, as the step benchmarks; µs, wall time.
void catalogue_sizes(benchmark::internal::Benchmark* b) {
  b->Arg(10000)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMicrosecond)->UseRealTime();
}

void bm_row_traffic(benchmark::State& state) {
  const Index rows = state.range(0);
  LazyTraffic t(rows);
  float sink = 0.0f;
  for (auto _ : state) {
    const Index* users = t.next_batch();
    const Index* items = t.next_batch();
    const Index* unlabeled = t.next_batch();
    theta_traffic(t, users, items, unlabeled, sink);
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

BENCHMARK(bm_row_traffic)->Name("row_traffic")->Apply(catalogue_sizes);

/// The default optimizer's state: one record per row (m, v, the step it is current at), and
/// the constants of a window of idle steps and of one step late in a run.
struct DeferredTraffic : Traffic {
  invlearn::RowMoments<float> user_rm, item_rm;
  invlearn::detail::IdleWindow<float> window;
  invlearn::detail::AdamRowConstants<float> constants;
  float grad[kDim];
  bool avx2 = invlearn::detail::use_avx2_row_kernels();
  std::int64_t now = 1;

  explicit DeferredTraffic(Index rows) : Traffic(rows), user_rm(rows, kDim, 0), item_rm(rows, kDim, 0) {
    for (auto* rm : {&user_rm, &item_rm}) {
      for (Index r = 0; r < rows; ++r) {
        std::fill(rm->m(r), rm->m(r) + kDim, 1e-3f);
        std::fill(rm->v(r), rm->v(r) + kDim, 1e-6f);
      }
    }
    // A window of 4 idle steps from step 10^4, and a step there: a long run's middle.
    window = invlearn::IdleSteps::for_betas(0.9, 0.999)->window<float>(10000, 4, 1e-3, 1e-8);
    constants = {0.9f, 0.1f, 0.999f, 0.001f, 1e-3f / (1.0f - std::pow(0.9f, 10000.0f)), 1.0f, 1e-8f};
    std::fill(grad, grad + kDim, 1e-3f);
  }

  /// Catches up row r of one table (as Adam::State::catch_up: its step read and set, one window).
  void catch_up(Table<float>& theta, invlearn::RowMoments<float>& rm, Index r) {
    if (rm.step(r) >= now) return;
    rm.set_step(r, now);
    invlearn::detail::idle_row(theta.row(r).data(), rm.m(r), rm.v(r), kDim, window, avx2);
  }
  void prefetch(const Table<float>& theta, const invlearn::RowMoments<float>& rm, Index r) {
    invlearn::prefetch_row(theta, r);
    rm.prefetch(r);
  }
};

void bm_row_traffic_deferred(benchmark::State& state) {
  const Index rows = state.range(0);
  DeferredTraffic t(rows);
  constexpr Index ahead = invlearn::kPrefetchAhead;
  float sink = 0.0f;
  for (auto _ : state) {
    ++t.now;
    const Index* users = t.next_batch();
    const Index* items = t.next_batch();
    const Index* unlabeled = t.next_batch();
    // The catch-up: the labeled batch's rows (row k of both tables together), then the
    // unlabeled items (their users are the labeled ones, already current).
    for (Index k = 0; k < kBatch; ++k) {
      if (k + ahead < kBatch) {
        t.prefetch(t.user, t.user_rm, users[k + ahead]);
        t.prefetch(t.item, t.item_rm, items[k + ahead]);
      }
      t.catch_up(t.user, t.user_rm, users[k]);
      t.catch_up(t.item, t.item_rm, items[k]);
    }
    for (Index k = 0; k < kBatch; ++k) {
      if (k + ahead < kBatch) t.prefetch(t.item, t.item_rm, unlabeled[k + ahead]);
      t.catch_up(t.item, t.item_rm, unlabeled[k]);
    }
    theta_traffic(t, users, items, unlabeled, sink);
    // One Adam step on the labeled rows; each row's step set to now.
    for (Index k = 0; k < kBatch; ++k) {
      if (k + ahead < kBatch) {
        t.prefetch(t.user, t.user_rm, users[k + ahead]);
        t.prefetch(t.item, t.item_rm, items[k + ahead]);
      }
      for (auto [theta, rm, r] : {std::make_tuple(&t.user, &t.user_rm, users[k]),
                                  std::make_tuple(&t.item, &t.item_rm, items[k])}) {
        invlearn::detail::adam_row(theta->row(r).data(), rm->m(r), rm->v(r), t.grad, kDim, t.constants, t.avx2);
        rm->set_step(r, t.now);
      }
    }
    benchmark::DoNotOptimize(sink);
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}

BENCHMARK(bm_row_traffic_deferred)->Name("row_traffic_deferred")->Apply(catalogue_sizes);

void bm_row_kernels_hot(benchmark::State& state) {
  constexpr Index kHot = 16;
  DeferredTraffic t(kHot);
  // Each idle window is followed by a step on the same row, which keeps m and v normal
  // numbers (idle windows alone decay them to subnormals, whose arithmetic is far slower).
  const auto idle = [&](Table<float>& theta, invlearn::RowMoments<float>& rm, Index r) {
    invlearn::detail::idle_row(theta.row(r).data(), rm.m(r), rm.v(r), kDim, t.window, t.avx2);
  };
  const auto step = [&](Table<float>& theta, invlearn::RowMoments<float>& rm, Index r) {
    invlearn::detail::adam_row(theta.row(r).data(), rm.m(r), rm.v(r), t.grad, kDim, t.constants, t.avx2);
  };
  for (auto _ : state) {
    for (Index k = 0; k < kBatch; ++k) {
      const Index r = k % kHot;
      idle(t.user, t.user_rm, r);
      idle(t.item, t.item_rm, r);
      idle(t.item, t.item_rm, kHot - 1 - r);  // the unlabeled item
      step(t.user, t.user_rm, r);
      step(t.item, t.item_rm, r);
    }
    benchmark::DoNotOptimize(t.user.data());
    benchmark::DoNotOptimize(t.item.data());
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}

BENCHMARK(bm_row_kernels_hot)->Name("row_kernels_hot")->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace

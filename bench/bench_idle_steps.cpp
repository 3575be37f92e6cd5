// The coefficients of a catch-up late in a long run (IdleSteps::window), one per row.
//
//   idle_windows/<span>  3·1024 windows (a GMF IG step's catch-ups: labeled users and items,
//                        unlabeled items), each from step now − k to now, now = 60 000 and k
//                        drawn uniformly from [1, span]. At span 1 every window is the same
//                        and the tables stay in L1: the arithmetic alone. A row of a large
//                        catalogue is read once in hundreds or thousands of steps, and rows
//                        read at different steps have windows of their own (Adam's
//                        WindowCache shares only equal ones), so span 1000 is a catalogue of
//                        ~10^6 rows and span 30 000 rows last read anywhere in the run.
//                        Nothing else is timed: the rows' own traffic is row_traffic_deferred's.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "invlearn/core/random.hpp"
#include "invlearn/optim/idle_steps.hpp"

namespace {

constexpr int kWindows = 3 * 1024;
constexpr std::int64_t kNow = 60000;

void bm_idle_windows(benchmark::State& state) {
  const std::int64_t span = state.range(0);
  const auto idle = invlearn::IdleSteps::for_betas(0.9, 0.999);
  invlearn::Rng rng(5, invlearn::Stream::synthetic);
  std::vector<std::int64_t> gaps(std::size_t(1) << 16);
  for (auto& k : gaps) k = 1 + static_cast<std::int64_t>(rng.index(static_cast<invlearn::Index>(span)));
  std::size_t cursor = 0;
  float sink = 0.0f;
  for (auto _ : state) {
    for (int w = 0; w < kWindows; ++w) {
      const std::int64_t k = gaps[cursor];
      cursor = (cursor + 1) & (gaps.size() - 1);
      const auto window = idle->window<float>(kNow - k, k, 1e-3, 1e-8);
      sink += window.w0 + window.c1 + window.decay2;
    }
    benchmark::DoNotOptimize(sink);
  }
  state.SetItemsProcessed(state.iterations() * kWindows);
}

BENCHMARK(bm_idle_windows)
    ->Name("idle_windows")
    ->Arg(1)
    ->Arg(1000)
    ->Arg(30000)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

}  // namespace

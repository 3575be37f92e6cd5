// Benchmarks of metrics/auc.hpp on one million rows: AUC over all rows and GAUC grouped by user.
// Registered as metrics/auc/1000000 and metrics/gauc/1000000.

#include <benchmark/benchmark.h>

#include <cstddef>
#include <vector>

#include "invlearn/core/random.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/metrics/auc.hpp"

namespace {

// n rows over ~6000 users (the size of MovieLens-1M's user set), ~58% positives, and scores
// that lean towards the label, rounded to 1e-3 so a realistic share of them tie.
struct MetricsData {
  std::vector<invlearn::Index> users;
  std::vector<float> labels;
  std::vector<double> scores;

  explicit MetricsData(std::size_t n) {
    invlearn::Rng rng(42, invlearn::Stream::synthetic);
    users.reserve(n);
    labels.reserve(n);
    scores.reserve(n);
    for (std::size_t r = 0; r < n; ++r) {
      users.push_back(rng.index(6040));
      const float y = rng.uniform() < 0.58 ? 1.0f : 0.0f;
      labels.push_back(y);
      scores.push_back(static_cast<double>(static_cast<long long>((rng.normal() + y) * 1000.0)) /
                       1000.0);
    }
  }
};

void BM_metrics_auc(benchmark::State& state) {
  const MetricsData data(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(invlearn::auc(data.labels, data.scores));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_metrics_gauc(benchmark::State& state) {
  const MetricsData data(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state)
    benchmark::DoNotOptimize(invlearn::gauc(data.users, data.labels, data.scores));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

}  // namespace

BENCHMARK(BM_metrics_auc)->Name("metrics/auc")->Arg(1000000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_metrics_gauc)->Name("metrics/gauc")->Arg(1000000)->Unit(benchmark::kMillisecond);

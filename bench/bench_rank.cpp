// Benchmarks of rank/ and of full-ranking evaluation (docs/performance.md, "Serving").
//
//   recommend/gmf/<items>        top 20 for 1024 users over the whole catalogue, GMF d = 32,
//                                items ∈ {10^4, 10^5, 10^6}, 50 excluded items per user.
//                                Its GEMM bound is 2·1024·items·32 FLOP at gemm_peak's rate;
//                                the FLOPS counter is that count per second.
//   recommend/neumf/<items>      top 20 for 64 users, NeuMF d = 32, MLP 256→128→64→32,
//                                items ∈ {10^4, 10^5}. FLOPS counts what is left per pair once
//                                the first layer is split (NeuMF::score_block).
//   full_rank_eval/gmf/ml1m_shape  Recall/NDCG/... @10,20 of a GMF over 6040 users × 3706
//                                items (synthetic data shaped like ML-1M), training and
//                                validation pairs masked.
//   gemm_score_tile              the GEMM of one GMF score_block call alone, (256×32)·(32×1024):
//                                what recommend/gmf would cost without its selection.
// recommend/* also report peak_extra_MB: the peak RSS their timed iterations add beyond the
// model and the exclusions (VmHWM after the loop less VmRSS before it, the peak having been
// reset through /proc/self/clear_refs), and model_MB, the model's tables.
// gemm_peak (bench_steps.cpp) is the rate the bounds use: run it in the same invocation.

#include <benchmark/benchmark.h>

#include <malloc.h>

#include <cstdio>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#include "invlearn/data/pair_index.hpp"
#include "invlearn/data/synthetic.hpp"
#include "invlearn/metrics/full_ranking.hpp"
#include "invlearn/model/gmf.hpp"
#include "invlearn/model/neumf.hpp"
#include "invlearn/rank/recommend.hpp"

namespace {

using namespace invlearn;

constexpr Index kK = 20;
constexpr Index kDim = 32;

std::vector<Index> first_users(Index n) {
  std::vector<Index> u(static_cast<std::size_t>(n));
  std::iota(u.begin(), u.end(), Index(0));
  return u;
}

/// `per_user` random items of each of `users` users.
PairIndex random_exclusions(Index users, Index items, Index per_user) {
  Interactions rows;
  rows.num_users = users;
  rows.num_items = items;
  Rng rng(7);
  for (Index u = 0; u < users; ++u)
    for (Index j = 0; j < per_user; ++j) rows.push_back(u, rng.index(items), 1.0f);
  return PairIndex(rows);
}

/// A field of /proc/self/status in kB ("VmRSS", "VmHWM"), or -1.
double status_kb(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field + ":", 0) == 0) return std::stod(line.substr(field.size() + 1));
  return -1.0;
}

/// The resident set now, in kB, with the peak (VmHWM) reset to it; -1 where /proc cannot do that.
double reset_peak_rss() {
  malloc_trim(0);  // memory freed by earlier benchmarks back to the system: it cannot hide new use
  const double now = status_kb("VmRSS");
  std::ofstream reset("/proc/self/clear_refs");
  reset << "5";  // VmHWM := VmRSS
  reset.close();
  return reset && now >= 0.0 ? now : -1.0;
}

/// Times recommend() of the top kK for the first `users` users of `model`, 50 random
/// items of each excluded, and returns the number of iterations. Sets peak_extra_MB and
/// model_MB (see the file comment).
template <class Model>
double time_recommend(benchmark::State& state, const Model& model, Index users) {
  const PairIndex exclude = random_exclusions(users, model.num_items(), 50);
  const std::vector<Index> who = first_users(users);
  double model_bytes = static_cast<double>(model.parameters().dense.size());
  for (const auto& t : model.parameters().tables) model_bytes += static_cast<double>(t.size());
  model_bytes *= sizeof(typename Model::Scalar);
  const double before = reset_peak_rss();
  {
    Recommendations<typename Model::Scalar> out;
    for (auto _ : state) {
      recommend(model, who, kK, exclude, out);
      benchmark::DoNotOptimize(out.items.data());
    }
  }
  if (before >= 0.0) state.counters["peak_extra_MB"] = (status_kb("VmHWM") - before) / 1024.0;
  state.counters["model_MB"] = model_bytes / (1024.0 * 1024.0);
  return static_cast<double>(state.iterations());
}

void bm_recommend_gmf(benchmark::State& state, Index items) {
  const Index users = 1024;
  const GMF<float> model(users, items, GMFOptions{kDim, 0.1}, 1);
  const double iterations = time_recommend(state, model, users);
  const double flops = 2.0 * static_cast<double>(users) * static_cast<double>(items) * kDim;
  state.counters["FLOPS"] = benchmark::Counter(flops * iterations, benchmark::Counter::kIsRate);
}

void bm_recommend_neumf(benchmark::State& state, Index items) {
  const Index users = 64;
  const NeuMF<float> model(users, items, NeuMFOptions{}, 1);
  const double iterations = time_recommend(state, model, users);
  // Per pair once the first layer is split: the layers above it, the head, the GMF part.
  const auto& w = model.mlp_widths();
  double per_pair = 2.0 * static_cast<double>(model.dim() + w.back());
  for (std::size_t l = 2; l < w.size(); ++l) per_pair += 2.0 * static_cast<double>(w[l - 1] * w[l]);
  const double pairs = static_cast<double>(users) * static_cast<double>(items);
  state.counters["FLOPS"] = benchmark::Counter(per_pair * pairs * iterations, benchmark::Counter::kIsRate);
  state.counters["flop_per_pair"] = per_pair;
}

void bm_full_rank_eval(benchmark::State& state) {
  SyntheticOptions so;
  so.users = 6040;
  so.items = 3706;
  so.labeled_per_user = 600000.0 / 6040.0;
  const Dataset d = SyntheticData(so).dataset();
  const GMF<float> model(d.num_users(), d.num_items(), GMFOptions{kDim, 0.1}, 1);
  FullRankingReport report;
  for (auto _ : state) {
    report = evaluate_full_ranking(model, d.test, {&d.train, &d.valid}, {10, 20});
    benchmark::DoNotOptimize(report.at.data());
  }
  state.counters["users"] = static_cast<double>(report.users);
}

void bm_gemm_score_tile(benchmark::State& state) {
  const Index users = 256, items = 1024;
  const RowMatrix<float> q = RowMatrix<float>::Random(users, kDim);
  const RowMatrix<float> e = RowMatrix<float>::Random(items, kDim);
  RowMatrix<float> c(users, items);
  for (auto _ : state) {
    c.noalias() = q * e.transpose();
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  const double flops = 2.0 * users * items * kDim;
  state.counters["FLOPS"] = benchmark::Counter(flops * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

int register_rank() {
  for (const Index items : {Index(10000), Index(100000), Index(1000000)})
    benchmark::RegisterBenchmark(("recommend/gmf/" + std::to_string(items)).c_str(),
                                 [items](benchmark::State& s) { bm_recommend_gmf(s, items); })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  for (const Index items : {Index(10000), Index(100000)})
    benchmark::RegisterBenchmark(("recommend/neumf/" + std::to_string(items)).c_str(),
                                 [items](benchmark::State& s) { bm_recommend_neumf(s, items); })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  benchmark::RegisterBenchmark("full_rank_eval/gmf/ml1m_shape", bm_full_rank_eval)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark("gemm_score_tile", bm_gemm_score_tile)->Unit(benchmark::kMicrosecond)->UseRealTime();
  return 0;
}

[[maybe_unused]] const int registered = register_rank();

}  // namespace

// Training-step benchmarks (see docs/performance.md for the commands and the numbers).
//
//   plain_step/<model>/<rows>  one NS step: draw 1024 unlabeled pairs (UniformSampler) for a
//                              labeled batch of 1024, BCE over the 2048 rows, one Adam step
//                              (JointUpdate through a StepContext).
//   ig_step/<model>/<rows>     one IG meta step: draw 1024 unlabeled pairs, IDL gradient,
//                              three candidate training-test losses without copying θ
//                              (GMF: one fused pass; NeuMF: forward_displaced, the winner's
//                              forward reused), choice, one Adam step on the labeled batch
//                              (InverseGradient<>::step).
//   ig_step_long_run/gmf/1000000
//                              ig_step/gmf/1000000 once the environment has taken 3000 steps
//                              (the rows read were last current at steps spread over a
//                              long run, each catch-up with a window of its own).
//   epoch/<model>/ml1m_shape   one IG training epoch (methods::IGPaper, epochs = 1) over synthetic
//                              data shaped like ML-1M (6040 users, 3706 items, ~600k rows).
//   gemm_peak                  one float GEMM of NeuMF's first layer, (1024×256)·(256×128).
//
// Each step is what Trainer's step does (step_env.hpp): with the default Adam (deferred
// rows) the rows of the labeled batch and of the unlabeled batch are brought up to date
// before the policy's step, and that is timed. Sampling is inside the timed region of BOTH
// step benchmarks (both kinds of step need an unlabeled batch per labeled batch). model ∈ {gmf, neumf}, rows = users = items ∈
// {10^4, 10^5, 10^6}, d = 32, NeuMF MLP 256→128→64→32, float. items_per_second counts
// labeled rows (1024 per step for both kinds of step).
//
// Each (model, rows) is built once (model, Adam state, sampler, labeled rows) and kept in a
// one-slot cache shared by its plain and IG benchmarks; building the next one frees it.
// Build time and the first (allocating, Adam-initialising) steps are not measured.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <type_traits>

#include "step_env.hpp"

namespace {

using namespace bench;

template <class Model>
void bm_plain_step(benchmark::State& state, Index rows) {
  auto& env = get_env<Model>(rows);
  for (auto _ : state) {
    StepRecord rec = env.plain_step();
    benchmark::DoNotOptimize(rec.labeled_loss);
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}

template <class Model>
void bm_ig_step(benchmark::State& state, Index rows) {
  auto& env = get_env<Model>(rows);
  std::int64_t choices[3] = {0, 0, 0};
  for (auto _ : state) {
    StepRecord rec = env.ig_step();
    benchmark::DoNotOptimize(rec.labeled_loss);
    ++choices[rec.choice + 1];
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  const double it = static_cast<double>(state.iterations());
  state.counters["direct"] = static_cast<double>(choices[0]) / it;
  state.counters["none"] = static_cast<double>(choices[1]) / it;
  state.counters["inverse"] = static_cast<double>(choices[2]) / it;
}

/// ig_step after at least kLongRun steps of the same environment (taken, untimed, if it
/// has fewer): at 10^6 rows a row is read about once in 500 steps, so only then have the
/// rows a step reads been last current at steps of their own, as late in a real run.
constexpr std::int64_t kLongRun = 3000;

template <class Model>
void bm_ig_step_long_run(benchmark::State& state, Index rows) {
  auto& env = get_env<Model>(rows);
  while (env.adam.steps() - kStartStep < kLongRun) env.ig_step();
  bm_ig_step<Model>(state, rows);
}

// ---------------------------------------------------------------------------
// One IG epoch on ML-1M-shaped synthetic data.
// ---------------------------------------------------------------------------

const Dataset& ml1m_shape() {
  static const Dataset data = [] {
    SyntheticOptions so;
    so.users = 6040;
    so.items = 3706;
    so.labeled_per_user = 600000.0 / 6040.0;  // ~600k labeled rows in all
    return SyntheticData(so).dataset();
  }();
  return data;
}

template <class Model>
void bm_epoch(benchmark::State& state) {
  release_env();
  const Dataset& d = ml1m_shape();
  const Model initial = make_model(d.num_users(), d.num_items(), static_cast<Model*>(nullptr));
  Index steps = 0, meta = 0;
  for (auto _ : state) {
    state.PauseTiming();
    Model model = initial;
    TrainerOptions opt;
    opt.epochs = 1;
    opt.batch_size = kBatch;
    opt.lr = kLr;
    methods::IGPaper<Model> trainer(model, opt);
    state.ResumeTiming();
    const FitResult r = trainer.fit(d.train, d.valid);
    benchmark::DoNotOptimize(r.best_valid_loss);
    state.PauseTiming();
    steps = trainer.trace().epochs.empty() ? 0 : trainer.trace().epochs[0].steps;
    meta = r.choices[0] + r.choices[1] + r.choices[2];
    state.ResumeTiming();
  }
  state.counters["train_rows"] = static_cast<double>(d.train.size());
  state.counters["steps"] = static_cast<double>(steps);
  state.counters["meta_steps"] = static_cast<double>(meta);
  state.SetItemsProcessed(state.iterations() * d.train.size());
}

// ---------------------------------------------------------------------------
// GEMM peak at NeuMF's first-layer shape, the layouts the model uses
// (row-major activations, column-major weights).
// ---------------------------------------------------------------------------

void bm_gemm_peak(benchmark::State& state) {
  release_env();
  const Index n = kBatch, in = 256, out = 128;
  RowMatrix<float> a = RowMatrix<float>::Random(n, in);
  ColMatrix<float> w = ColMatrix<float>::Random(in, out);
  RowMatrix<float> c(n, out);
  for (auto _ : state) {
    c.noalias() = a * w;
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  const double flops = 2.0 * static_cast<double>(n) * static_cast<double>(in) * static_cast<double>(out);
  state.counters["FLOPS"] =
      benchmark::Counter(flops * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

int register_all() {
  const Index sizes[] = {10000, 100000, 1000000};
  auto add_model = [&](auto* tag, const char* name) {
    using Model = std::remove_pointer_t<decltype(tag)>;
    for (const Index rows : sizes) {
      const std::string suffix = std::string(name) + "/" + std::to_string(rows);
      benchmark::RegisterBenchmark(("plain_step/" + suffix).c_str(),
                                   [rows](benchmark::State& s) { bm_plain_step<Model>(s, rows); })
          ->Unit(benchmark::kMicrosecond)
          ->UseRealTime();
      benchmark::RegisterBenchmark(("ig_step/" + suffix).c_str(),
                                   [rows](benchmark::State& s) { bm_ig_step<Model>(s, rows); })
          ->Unit(benchmark::kMicrosecond)
          ->UseRealTime();
    }
  };
  add_model(static_cast<GMF<float>*>(nullptr), "gmf");
  add_model(static_cast<NeuMF<float>*>(nullptr), "neumf");
  benchmark::RegisterBenchmark("ig_step_long_run/gmf/1000000",
                               [](benchmark::State& s) { bm_ig_step_long_run<GMF<float>>(s, 1000000); })
      ->Unit(benchmark::kMicrosecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark("epoch/gmf/ml1m_shape", bm_epoch<GMF<float>>)
      ->Unit(benchmark::kMillisecond)
      ->Iterations(2)
      ->UseRealTime();
  benchmark::RegisterBenchmark("epoch/neumf/ml1m_shape", bm_epoch<NeuMF<float>>)
      ->Unit(benchmark::kMillisecond)
      ->Iterations(2)
      ->UseRealTime();
  benchmark::RegisterBenchmark("gemm_peak", bm_gemm_peak)->Unit(benchmark::kMicrosecond)->UseRealTime();
  return 0;
}

[[maybe_unused]] const int registered = register_all();

}  // namespace

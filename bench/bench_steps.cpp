// Training-step benchmarks (see docs/performance.md for the commands and the numbers).
//
//   plain_step/<model>/<rows>  one NS step: draw 1024 unlabeled pairs (UniformSampler) for a
//                              labeled batch of 1024, BCE over the 2048 rows, one lazy Adam
//                              step (JointUpdate through a StepContext).
//   ig_step/<model>/<rows>     one IG meta step: draw 1024 unlabeled pairs, IDL gradient,
//                              three candidate training-test losses without copying θ
//                              (GMF: one fused pass; NeuMF: forward_displaced, the winner's
//                              forward reused), choice, one Adam step on the labeled batch
//                              (InverseGradient<>::step).
//   epoch/<model>/ml1m_shape   one IG training epoch (methods::IGPaper, epochs = 1) over synthetic
//                              data shaped like ML-1M (6040 users, 3706 items, ~600k rows).
//   gemm_peak                  one float GEMM of NeuMF's first layer, (1024×256)·(256×128).
//
// Sampling is inside the timed region of BOTH step benchmarks (both kinds of step need an
// unlabeled batch per labeled batch). model ∈ {gmf, neumf}, rows = users = items ∈
// {10^4, 10^5, 10^6}, d = 32, NeuMF MLP 256→128→64→32, float. items_per_second counts
// labeled rows (1024 per step for both kinds of step).
//
// Each (model, rows) is built once (model, Adam state, sampler, labeled rows) and kept in a
// one-slot cache shared by its plain and IG benchmarks; building the next one frees it.
// Build time and the first (allocating, Adam-initialising) steps are not measured.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>

#include "invlearn/ig.hpp"

namespace {

using namespace invlearn;

constexpr Index kBatch = 1024;
constexpr Index kDim = 32;
constexpr double kLr = 1e-3;
constexpr double kAlpha = 0.1 * kLr;  // the paper's α = 0.1·γ (TrainerOptions' default)

GMF<float> make_model(Index users, Index items, GMF<float>*) {
  GMFOptions o;
  o.dim = kDim;
  return GMF<float>(users, items, o, 42);
}
NeuMF<float> make_model(Index users, Index items, NeuMF<float>*) {
  NeuMFOptions o;  // the paper's sizes: d = 32, 3 MLP layers → 256→128→64→32
  o.dim = kDim;
  o.mlp_layers = 3;
  return NeuMF<float>(users, items, o, 42);
}

/// Labeled rows at uniformly random (user, item) over the whole catalogue, random 0/1 labels:
/// consecutive slices of 1024 are the labeled batches, so the rows a step touches are spread
/// like real training's. 2·rows of them (at least 2^20), so a benchmark cycles through
/// hundreds of distinct batches and never sees one twice inside a cache's lifetime.
Interactions random_rows(Index users, Index items) {
  Interactions t;
  t.num_users = users;
  t.num_items = items;
  const Index n = std::max<Index>(2 * std::max(users, items), Index(1) << 20);
  t.reserve(static_cast<std::size_t>(n));
  Rng rng(7, Stream::synthetic);
  for (Index k = 0; k < n; ++k)
    t.push_back(rng.index(users), rng.index(items), rng.uniform() < 0.5 ? 1.0f : 0.0f);
  return t;
}

struct EnvBase {
  virtual ~EnvBase() = default;
};

template <class Model>
struct StepEnv : EnvBase {
  using S = typename Model::Scalar;
  Model model;
  Adam::State<S> adam;
  BCE bce, bce_u;
  InverseDual idl;
  StepBuffers<Model> buffers;
  StepContext<Model, BCE, BCE, Adam::State<S>> ns_ctx;
  StepContext<Model, BCE, InverseDual, Adam::State<S>> ig_ctx;
  JointUpdate joint;
  InverseGradient<>::State<S> ig;
  Interactions rows;
  UniformSampler sampler;
  UnlabeledBatch unlabeled;
  Rng rng{42, Stream::sampler};
  Index cursor = 0;

  explicit StepEnv(Index n)
      : model(make_model(n, n, static_cast<Model*>(nullptr))),
        adam(Adam(kLr), model.parameters()),
        buffers(model, 4 * kBatch),  // as Trainer::fit
        ns_ctx{model, adam, bce, bce_u, buffers, kAlpha},
        ig_ctx{model, adam, bce, idl, buffers, kAlpha},
        ig(InverseGradient<>{}, model.parameters()),
        rows(random_rows(n, n)) {
    sampler.prepare(rows, nullptr, TruthFn());
    // Warm-up (not measured): Adam state, buffer growth, OpenMP thread pool.
    for (int k = 0; k < 3; ++k) plain_step();
    for (int k = 0; k < 3; ++k) ig_step();
  }

  BatchView next_batch() {
    if (cursor + kBatch > rows.size()) cursor = 0;
    const BatchView b = rows.view().slice(cursor, kBatch);
    cursor += kBatch;
    return b;
  }

  StepRecord plain_step() {
    const BatchView labeled = next_batch();
    sampler.sample(labeled, rng, unlabeled);
    StepRecord rec;
    joint.step(ns_ctx, labeled, &unlabeled, rec);
    return rec;
  }

  StepRecord ig_step() {
    const BatchView labeled = next_batch();
    sampler.sample(labeled, rng, unlabeled);
    StepRecord rec;
    ig.step(ig_ctx, labeled, &unlabeled, rec);
    return rec;
  }
};

/// One environment alive at a time (a 10^6-row NeuMF with its Adam state is ~4 GB).
std::unique_ptr<EnvBase>& env_slot() {
  static std::unique_ptr<EnvBase> slot;
  return slot;
}
std::string& env_key() {
  static std::string key;
  return key;
}
void release_env() {
  env_slot().reset();
  env_key().clear();
}

template <class Model>
StepEnv<Model>& get_env(Index rows) {
  const std::string key = std::string(Model::kind) + "/" + std::to_string(rows);
  if (env_key() != key) {
    release_env();  // free the old one before building the next
    env_slot() = std::make_unique<StepEnv<Model>>(rows);
    env_key() = key;
  }
  return static_cast<StepEnv<Model>&>(*env_slot());
}

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

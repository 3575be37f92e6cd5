// Benchmarks of data/sampling/: one unlabeled batch for a labeled batch of 1024 rows, on a
// training set of 1M random rows over 100k users and 100k items.
// Registered as sampler/uniform/1024, sampler/dns/1024 (5 candidates, GMF<float> d = 32)
// and sampler/srns/1024 (default options but 128 candidates per user's pool, GMF<float>).

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstddef>

#include "invlearn/core/random.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/data/interactions.hpp"
#include "invlearn/data/sampling.hpp"
#include "invlearn/model/gmf.hpp"

namespace {

constexpr invlearn::Index kUsers = 100000;
constexpr invlearn::Index kItems = 100000;
constexpr std::size_t kRows = 1000000;

// Built once and shared by every benchmark (building the pair index is not what is timed).
struct SamplerData {
  invlearn::Interactions train;
  invlearn::GMF<float> model{kUsers, kItems};

  SamplerData() {
    invlearn::Rng rng(42, invlearn::Stream::synthetic);
    train.num_users = kUsers;
    train.num_items = kItems;
    train.reserve(kRows);
    for (std::size_t r = 0; r < kRows; ++r)
      train.push_back(rng.index(kUsers), rng.index(kItems), rng.uniform() < 0.5 ? 1.0f : 0.0f);
  }

  // A labeled batch: `n` consecutive training rows.
  invlearn::BatchView batch(invlearn::Index n) const { return train.view().slice(0, n); }
};

const SamplerData& data() {
  static const SamplerData d;
  return d;
}

// The Score a Trainer passes: GMF's logits, up to 2^14 rows per forward call.
class ModelScore {
 public:
  explicit ModelScore(const invlearn::GMF<float>& model) : model_(model), ws_(model.workspace(kChunk)), logits_(kChunk) {}
  void operator()(const invlearn::BatchView& pairs, double* out) {
    for (invlearn::Index b = 0; b < pairs.size; b += kChunk) {
      const invlearn::Index n = std::min(kChunk, pairs.size - b);
      model_.forward(pairs.slice(b, n), ws_, logits_.head(n));
      for (invlearn::Index k = 0; k < n; ++k) out[b + k] = logits_[k];
    }
  }

 private:
  static constexpr invlearn::Index kChunk = invlearn::Index(1) << 14;
  const invlearn::GMF<float>& model_;
  invlearn::GMF<float>::Workspace ws_;
  Eigen::VectorXf logits_;
};

template <class Sampler>
void run(benchmark::State& state, Sampler& sampler) {
  const SamplerData& d = data();
  sampler.prepare(d.train, nullptr, {});
  const invlearn::BatchView labeled = d.batch(state.range(0));
  ModelScore score(d.model);
  sampler.begin_epoch(0, score);  // SRNS draws its pools and their first scores here (not timed)
  invlearn::Rng rng(7, invlearn::Stream::sampler);
  invlearn::UnlabeledBatch out;
  for (auto _ : state) {
    sampler.sample(labeled, score, rng, out);
    benchmark::DoNotOptimize(out.batch.items.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_sampler_uniform(benchmark::State& state) {
  invlearn::UniformSampler sampler(1.0);
  run(state, sampler);
}

void BM_sampler_dns(benchmark::State& state) {
  invlearn::DNSSampler sampler(1.0, 5);
  run(state, sampler);
}

void BM_sampler_srns(benchmark::State& state) {
  // The defaults' pools (3000 candidates) would take 18 GB of snapshots for 100k users; the
  // step's work does not depend on the pool size, so 128 candidates are scored instead.
  invlearn::SRNSOptions options;
  options.candidates = 128;
  invlearn::SRNSSampler sampler(options);
  run(state, sampler);
}

}  // namespace

BENCHMARK(BM_sampler_uniform)->Name("sampler/uniform")->Arg(1024)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_sampler_dns)->Name("sampler/dns")->Arg(1024)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_sampler_srns)->Name("sampler/srns")->Arg(1024)->Unit(benchmark::kMicrosecond);

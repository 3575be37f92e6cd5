// The data-parallel IG step (docs/distributed.md, "Measured on this machine"). Run under
// mpirun, one thread per rank:
//
//   mpirun -np 1 build/release/bench/invlearn-dist-bench --benchmark_repetitions=5
//   mpirun -np 2 build/release/bench/invlearn-dist-bench --benchmark_repetitions=5
//
//   dist_step/<model>   ig_step/<model>/10000 of invlearn-bench (step_env.hpp: draw 1024
//                       unlabeled pairs, IDL gradient, three candidate losses, the choice, one
//                       Adam step) on DataParallel<model> over MPI_COMM_WORLD: each rank
//                       forwards and back-propagates its shard of every batch, the logits and
//                       the gradient are gathered. Counters: ranks, and bytes_per_step, the
//                       bytes this rank hands to collectives per step (Communicator::bytes_sent:
//                       the payload, not the wire traffic).
//
// Every rank runs the same benchmarks with the same fixed iteration count (an adaptive count
// could differ between ranks, and a collective waiting for a rank that stopped never
// returns); only rank 0 reports, and only rank 0 keeps --benchmark_out.

#include <benchmark/benchmark.h>

#include <cstring>
#include <memory>
#include <vector>

#include "invlearn/distributed.hpp"
#include "step_env.hpp"

namespace {

using namespace bench;

constexpr Index kRows = 10000;
constexpr int kIterations = 20;

Communicator& world() {
  static Communicator comm;
  return comm;
}

/// A DataParallel over its backbone, in the place of PlainModel.
template <class Backbone>
struct DistributedModel {
  using Model = DataParallel<Backbone>;
  Backbone backbone;
  Model data_parallel;
  explicit DistributedModel(Index n)
      : backbone(make_model(n, n, static_cast<Backbone*>(nullptr))), data_parallel(backbone, world()) {}
  Model& model() { return data_parallel; }
};

template <class Backbone>
using DistEnv = StepEnvOf<DistributedModel<Backbone>>;

template <class Backbone>
void bm_dist_step(benchmark::State& state) {
  if (env_key() != Backbone::kind) {
    release_env();
    env_slot() = std::make_unique<DistEnv<Backbone>>(kRows);
    env_key() = Backbone::kind;
  }
  auto& env = static_cast<DistEnv<Backbone>&>(*env_slot());
  world().barrier();  // the ranks start the timed steps together
  const std::uint64_t bytes_before = world().bytes_sent();
  for (auto _ : state) {
    StepRecord rec = env.ig_step();
    benchmark::DoNotOptimize(rec.labeled_loss);
  }
  const double it = static_cast<double>(state.iterations());
  state.counters["ranks"] = world().size();
  state.counters["bytes_per_step"] = static_cast<double>(world().bytes_sent() - bytes_before) / it;
  state.SetItemsProcessed(state.iterations() * kBatch);
}

BENCHMARK_TEMPLATE(bm_dist_step, GMF<float>)
    ->Name("dist_step/gmf")
    ->Iterations(kIterations)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_TEMPLATE(bm_dist_step, NeuMF<float>)
    ->Name("dist_step/neumf")
    ->Iterations(kIterations)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

/// What ranks other than 0 report: nothing.
class SilentReporter : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>&) override {}
};

}  // namespace

int main(int argc, char** argv) {
  MpiSession session(argc, argv);
  set_threads(1);
  const bool root = world().is_root();
  // Only rank 0 writes --benchmark_out: another rank opening the same file would truncate it.
  std::vector<char*> args;
  for (int k = 0; k < argc; ++k)
    if (root || std::strncmp(argv[k], "--benchmark_out", 15) != 0) args.push_back(argv[k]);
  int count = static_cast<int>(args.size());
  benchmark::Initialize(&count, args.data());
  if (benchmark::ReportUnrecognizedArguments(count, args.data())) return 1;
  // An error on one rank ends every rank (the others would wait in a collective).
  return run_or_abort(world(), [&] {
    if (root) {
      benchmark::RunSpecifiedBenchmarks();
    } else {
      SilentReporter silent;
      benchmark::RunSpecifiedBenchmarks(&silent);
    }
    release_env();
    benchmark::Shutdown();
    return 0;
  });
}

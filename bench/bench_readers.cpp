// Reader throughput: a generated MovieLens-format text of 1M lines (ML-1M's shape:
// ~6k users in order, ~3.7k items, integer ratings, timestamps), parsed in memory, so
// the number measures parsing and id mapping, not the disk.

#include <benchmark/benchmark.h>

#include <string>

#include "invlearn/core/random.hpp"
#include "invlearn/data/read.hpp"

namespace {

const std::string& movielens_text(int lines) {
  static std::string text;
  static int made = -1;
  if (made != lines) {
    invlearn::Rng rng(42, invlearn::Stream::synthetic);
    text.clear();
    text.reserve(static_cast<std::size_t>(lines) * 24);
    const int per_user = 165;
    for (int k = 0; k < lines; ++k) {
      text += std::to_string(1 + k / per_user);
      text += "::";
      text += std::to_string(1 + rng.index(3706));
      text += "::";
      text += std::to_string(1 + rng.index(5));
      text += "::";
      text += std::to_string(956703932 + rng.index(90000000));
      text += '\n';
    }
    made = lines;
  }
  return text;
}

void read_movielens(benchmark::State& state) {
  const int lines = static_cast<int>(state.range(0));
  const std::string& text = movielens_text(lines);
  for (auto _ : state) {
    auto r = invlearn::read_ratings_from_string(text, invlearn::Format::movielens, "bench");
    benchmark::DoNotOptimize(r.values.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * lines);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}

}  // namespace

BENCHMARK(read_movielens)->Name("read/movielens")->Arg(1000000)->Unit(benchmark::kMillisecond);

// Data-parallel training checked across rank counts. Run under mpirun:
//   dist_check run <case> <out>   trains <case> for a few short epochs with DataParallel and
//                                 writes θ, its checksum and the IG choices (rank 0) to <out>;
//                                 every rank checks that θ is the same on every rank.
//   dist_check throw              the last rank throws at its third step: the run must end.
// And without mpirun:
//   dist_check compare <a> <b>    θ of two runs within 1e-5 (relative to each block's largest
//                                 entry) and the same IG choices; exit 1 otherwise.
// Cases: gmf-ig, neumf-ig (IG by blocks), gmf-ig-paper (Algorithm 1's meta steps, the fused
// candidate pass).

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "invlearn/distributed.hpp"
#include "invlearn/ig.hpp"

namespace {

using invlearn::Index;

invlearn::Dataset small_dataset() {
  invlearn::SyntheticOptions o;
  o.users = 300;
  o.items = 150;
  o.labeled_per_user = 20;
  o.seed = 11;
  return invlearn::SyntheticData(o).dataset();
}

invlearn::TrainerOptions short_run() {
  invlearn::TrainerOptions o;
  o.epochs = 3;
  o.patience = 0;  // one block (three runs for IG by blocks) per epoch
  o.batch_size = 500;
  o.restore_best = false;
  o.seed = 3;
  o.threads = 1;
  return o;
}

struct Outcome {
  std::vector<std::vector<double>> blocks;  ///< each table, then the dense block
  std::vector<int> choices;                 ///< per epoch: its steps' counts of -1, 0, +1
  std::uint64_t checksum = 0;
  Index steps = 0;
};

template <class Model>
Outcome outcome_of(const Model& model, const invlearn::Trace& trace, Index steps) {
  Outcome out;
  for (const auto& t : model.parameters().tables) out.blocks.emplace_back(t.data(), t.data() + t.size());
  const auto& d = model.parameters().dense;
  out.blocks.emplace_back(d.data(), d.data() + d.size());
  for (const auto& e : trace.epochs)
    for (int c = 0; c < 3; ++c) out.choices.push_back(static_cast<int>(e.choices[c]));
  out.checksum = invlearn::parameters_checksum(model.parameters());
  out.steps = steps;
  return out;
}

template <template <class...> class Method, class Backbone>
Outcome train(const invlearn::Communicator& comm, Backbone& backbone, int throw_at_step = -1) {
  const invlearn::Dataset data = small_dataset();
  invlearn::DataParallel<Backbone> model(backbone, comm);
  Method<invlearn::DataParallel<Backbone>> trainer(model, short_run());
  trainer.on_step([&](const invlearn::TraceRow& row) {
    if (row.step == throw_at_step && comm.rank() == comm.size() - 1)
      throw std::runtime_error("a failure on the last rank only");
  });
  const auto fit = trainer.fit(data.train, data.valid);
  invlearn::check_replicated(comm, model.parameters(), "dist_check");
  return outcome_of(model, trainer.trace(), fit.steps);
}

Outcome run_case(const invlearn::Communicator& comm, const std::string& name) {
  const invlearn::Dataset data = small_dataset();
  if (name == "gmf-ig" || name == "gmf-ig-paper") {
    invlearn::GMFOptions g;
    g.dim = 8;
    invlearn::GMF<float> gmf(data.num_users(), data.num_items(), g, 7);
    if (name == "gmf-ig") return train<invlearn::methods::IG>(comm, gmf);
    return train<invlearn::methods::IGPaper>(comm, gmf);
  }
  if (name == "neumf-ig") {
    invlearn::NeuMFOptions n;
    n.dim = 8;
    n.mlp_layers = 2;
    invlearn::NeuMF<float> neumf(data.num_users(), data.num_items(), n, 7);
    return train<invlearn::methods::IG>(comm, neumf);
  }
  throw std::invalid_argument("unknown case '" + name + "' (gmf-ig, neumf-ig, gmf-ig-paper)");
}

void write(const Outcome& o, const std::string& path) {
  std::ofstream f(path);
  f.precision(9);
  f << "checksum " << o.checksum << "\nsteps " << o.steps << "\nchoices " << o.choices.size();
  for (int c : o.choices) f << ' ' << c;
  f << "\nblocks " << o.blocks.size() << '\n';
  for (const auto& b : o.blocks) {
    f << b.size();
    for (double v : b) f << ' ' << v;
    f << '\n';
  }
  if (!f) throw std::runtime_error("cannot write " + path);
}

Outcome read(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw std::runtime_error("cannot read " + path);
  Outcome o;
  std::string word;
  std::size_t n = 0;
  f >> word >> o.checksum >> word >> o.steps >> word >> n;
  o.choices.resize(n);
  for (auto& c : o.choices) f >> c;
  f >> word >> n;
  o.blocks.resize(n);
  for (auto& b : o.blocks) {
    f >> n;
    b.resize(n);
    for (auto& v : b) f >> v;
  }
  if (!f) throw std::runtime_error(path + ": not a dist_check output");
  return o;
}

int compare(const std::string& a_path, const std::string& b_path) {
  const Outcome a = read(a_path), b = read(b_path);
  int bad = 0;
  if (a.steps != b.steps || a.steps < 20) {
    std::cerr << "steps: " << a.steps << " vs " << b.steps << " (at least 20 expected)\n";
    ++bad;
  }
  if (a.choices != b.choices) {
    std::cerr << "the IG choices differ\n";
    ++bad;
  }
  if (a.blocks.size() != b.blocks.size()) {
    std::cerr << "different shapes\n";
    return 1;
  }
  for (std::size_t k = 0; k < a.blocks.size(); ++k) {
    const auto& x = a.blocks[k];
    const auto& y = b.blocks[k];
    if (x.size() != y.size()) {
      std::cerr << "block " << k << ": different sizes\n";
      return 1;
    }
    double scale = 0.0, diff = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      scale = std::max(scale, std::abs(x[i]));
      diff = std::max(diff, std::abs(x[i] - y[i]));
    }
    std::cout << "block " << k << ": max |a - b| = " << diff << ", max |a| = " << scale << '\n';
    if (!(diff <= 1e-5 * scale)) ++bad;
  }
  std::cout << (bad == 0 ? "same within 1e-5\n" : "DIFFERENT\n");
  return bad == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 3 && args[0] == "compare") {
    try {
      return compare(args[1], args[2]);
    } catch (const std::exception& e) {
      std::cerr << e.what() << '\n';
      return 2;
    }
  }
  invlearn::MpiSession session(argc, argv);
  invlearn::Communicator comm;
  return invlearn::run_or_abort(comm, [&] {
    if (args.size() == 3 && args[0] == "run") {
      const Outcome o = run_case(comm, args[1]);
      if (comm.is_root()) write(o, args[2]);
      return 0;
    }
    if (args.size() == 1 && args[0] == "throw") {
      invlearn::GMF<float> gmf(small_dataset().num_users(), small_dataset().num_items());
      train<invlearn::methods::IG>(comm, gmf, 3);
      return 0;
    }
    throw std::invalid_argument("usage: dist_check run <case> <out> | throw | compare <a> <b>");
  });
}

#pragma once
// What the command line of invlearn-train sets: the Options struct and the names of
// the methods, schedules and step rules. The defaults here are the documented ones;
// --help reads them from a default Options.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <invlearn/data/synthetic.hpp>
#include <invlearn/train/schedule.hpp>
#include <invlearn/update/normalized_step.hpp>
#include <invlearn/update/sgd_step.hpp>

namespace train {

/// The methods `--method all` runs, in the order of the paper's Table 1.
inline const std::vector<std::string>& all_methods() {
  static const std::vector<std::string> m{"none", "ns", "tce", "rce", "idl", "ig", "dns", "srns"};
  return m;
}

/// The values of --ig-schedule and --ig-step: the names of the schedules and step
/// rules methods::IG is instantiated with (run_method.hpp maps each name to its type).
inline const std::vector<std::string>& ig_schedules() {
  static const std::vector<std::string> v{invlearn::TestPass::name, invlearn::PerTrainBatch::name};
  return v;
}
inline const std::vector<std::string>& ig_steps() {
  static const std::vector<std::string> v{invlearn::SgdStep::name, invlearn::NormalizedStep::name};
  return v;
}

/// IG's unlabeled step α without --alpha, as a share of the learning rate γ.
constexpr double kAlphaPerLr = 0.1;

/// Everything the command line can set.
struct Options {
  // Data
  std::string data;          ///< training file, or all labeled rows to split; empty = synthetic
  std::string valid, test;   ///< pre-split validation and test files (both or neither)
  std::string format = "auto";
  std::optional<double> positive_above;  ///< unset = preset of the data's format
  std::optional<double> negative_below;
  std::string unlabeled = "uniform";
  double label_fraction = 1.0;
  invlearn::Index synthetic_users = invlearn::SyntheticOptions().users;
  invlearn::Index synthetic_items = invlearn::SyntheticOptions().items;
  double synthetic_rows_per_user = invlearn::SyntheticOptions().labeled_per_user;

  // Model and methods
  std::string model = "gmf";
  std::vector<std::string> methods = all_methods();

  // Training
  int epochs = 10;
  invlearn::Index batch = 1024;
  invlearn::Index dim = 32;
  double lr = 1e-3;
  std::optional<double> alpha;  ///< unset = kAlphaPerLr · lr
  /// IG's schedule and step rule; the defaults are those of methods::IG<Model>.
  std::string ig_schedule = invlearn::TestPass::name;
  std::string ig_step = invlearn::SgdStep::name;
  std::uint64_t seed = 42;
  int threads = 0;

  // Outputs and checkpoints
  std::string json, trace, save, load, resume;
  std::vector<int> topk;  ///< Ks of the full-ranking metrics on the test rows (empty: none)
  bool quiet = false;
  bool help = false;

  bool synthetic() const { return data.empty(); }
  bool presplit() const { return !valid.empty(); }
  bool runs(const std::string& method) const {
    for (const std::string& m : methods)
      if (m == method) return true;
    return false;
  }
  double effective_alpha() const { return alpha ? *alpha : kAlphaPerLr * lr; }
};

}  // namespace train

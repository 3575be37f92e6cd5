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
#include <invlearn/train/options.hpp>
#include <invlearn/update/sgd_step.hpp>

namespace train {

/// The methods `--method all` runs, in the order of the paper's Table 1.
inline const std::vector<std::string>& all_methods() {
  static const std::vector<std::string> m{"none", "ns", "tce", "rce", "idl", "ig", "dns", "srns"};
  return m;
}

/// The values of --ig-preset: IG by blocks (methods::IG, the default) and the paper's
/// Algorithm 1 (methods::IGPaper).
inline const std::vector<std::string>& ig_presets() {
  static const std::vector<std::string> v{"blocks", "paper"};
  return v;
}

/// The values of --ig-schedule and --ig-step (--ig-preset paper): the names of the
/// schedules and step rules methods::IGPaper is instantiated with (run_method.hpp maps
/// each name to its type).
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
  /// --label-fraction: the shares of training labels kept, one run per value (a sweep
  /// when there are several); label_fraction is the one in force for the current run.
  std::vector<double> label_fractions{1.0};
  double label_fraction = 1.0;
  /// --seeds: runs per label fraction, with seeds seed, seed+1, ..., seed+seeds-1.
  int seeds = 1;
  invlearn::Index synthetic_users = invlearn::SyntheticOptions().users;
  invlearn::Index synthetic_items = invlearn::SyntheticOptions().items;
  double synthetic_rows_per_user = invlearn::SyntheticOptions().labeled_per_user;

  // Model and methods
  std::string model = "gmf";
  std::vector<std::string> methods = all_methods();

  // Training
  // Training length and model selection: TrainerOptions' defaults (early stopping).
  int epochs = invlearn::TrainerOptions().epochs;
  invlearn::Index max_steps = invlearn::TrainerOptions().max_steps;
  int patience = invlearn::TrainerOptions().patience;
  double min_delta = invlearn::TrainerOptions().min_delta;
  invlearn::Index eval_every = invlearn::TrainerOptions().eval_every;
  invlearn::Index batch = 1024;
  invlearn::Index dim = 32;
  double lr = 1e-3;
  std::optional<double> alpha;  ///< unset = kAlphaPerLr · lr
  /// Which IG: "blocks" (methods::IG) or "paper" (methods::IGPaper).
  std::string ig_preset = "blocks";
  /// The paper IG's schedule and step rule; the defaults are those of methods::IGPaper<Model>.
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
  /// Several runs (label fractions × seeds), reported as means and standard deviations.
  bool sweep() const { return label_fractions.size() > 1 || seeds > 1; }
  double effective_alpha() const { return alpha ? *alpha : kAlphaPerLr * lr; }
};

}  // namespace train

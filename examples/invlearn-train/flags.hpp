#pragma once
// The flags of invlearn-train: each one's name, value, check, default and --help
// text, defined once on a CLI::App; and the library options they set, so library
// messages can name the flags.

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <invlearn/data/labeling.hpp>

#include "common/command_line.hpp"
#include "common/flags.hpp"
#include "common/option_names.hpp"
#include "common/values.hpp"
#include "options.hpp"
#include "topk.hpp"

namespace train {

/// The library options the flags set, as library messages name them.
inline const std::vector<cli::OptionFlag>& option_flags() {
  static const std::vector<cli::OptionFlag> table{
      {"SplitOptions::label_fraction", "--label-fraction"},
      {"SplitOptions::unlabeled", "--unlabeled"},
      {"SplitOptions::seed", "--seed"},
      {"LabelRule::positive_above", "--positive-above"},
      {"LabelRule::negative_below", "--negative-below"},
      {"SyntheticOptions::users", "--synthetic-users"},
      {"SyntheticOptions::items", "--synthetic-items"},
      {"SyntheticOptions::labeled_per_user", "--synthetic-rows-per-user"},
      {"SyntheticOptions::seed", "--seed"},
      {"TrainerOptions::epochs", "--epochs"},
      {"TrainerOptions::max_steps", "--max-steps"},
      {"TrainerOptions::patience", "--patience"},
      {"TrainerOptions::min_delta", "--min-delta"},
      {"TrainerOptions::eval_every", "--eval-every"},
      {"TrainerOptions::batch_size", "--batch"},
      {"TrainerOptions::lr", "--lr"},
      {"TrainerOptions::alpha", "--alpha"},
      {"TrainerOptions::seed", "--seed"},
      {"TrainerOptions::threads", "--threads"},
  };
  return table;
}

/// "none", "ig,idl", "all" → the methods, in the order given; duplicates and unknown
/// names are errors. A --config file's list arrives split at its commas, joined by
/// newlines.
inline std::vector<std::string> parse_methods(const std::string& flag, std::string text) {
  for (char& c : text)
    if (c == '\n') c = ',';
  if (text == "all") return all_methods();
  std::vector<std::string> out;
  for (const std::string& m : cli::split_commas(text)) {
    if (m == "all") throw cli::UsageError(flag + ": 'all' cannot be combined with other methods");
    if (std::find(all_methods().begin(), all_methods().end(), m) == all_methods().end())
      throw cli::UsageError(flag + ": unknown method " + cli::in_quotes(m) + " (expected " +
                            cli::alternatives(all_methods(), ", ") + ", all, or a comma-separated list)");
    if (std::find(out.begin(), out.end(), m) != out.end())
      throw cli::UsageError(flag + ": " + cli::in_quotes(m) + " is listed twice");
    out.push_back(m);
  }
  return out;
}

/// "1,0.2,0.05" → the label fractions, in the order given; each in (0, 1], no value
/// twice. A --config file's list arrives split at its commas, joined by newlines.
inline std::vector<double> parse_fractions(const std::string& flag, std::string text) {
  for (char& c : text)
    if (c == '\n') c = ',';
  std::vector<double> out;
  for (const std::string& part : cli::split_commas(text)) {
    const double v = cli::parse_double(flag, part);
    if (!(v > 0.0 && v <= 1.0)) throw cli::UsageError(flag + ": must be in (0, 1], got " + part);
    if (std::find(out.begin(), out.end(), v) != out.end())
      throw cli::UsageError(flag + ": " + part + " is listed twice");
    out.push_back(v);
  }
  return out;
}

/// Defines every flag on `app`, each storing into `o`; `o`'s values when this is
/// called are the defaults --help shows.
inline void define_flags(CLI::App& app, Options& o) {
  using namespace cli;
  using invlearn::LabelRule;
  constexpr long long kMaxSize = 1LL << 40;
  constexpr long long kMaxInt = std::numeric_limits<int>::max();
  constexpr long long kNoLowerBound = std::numeric_limits<long long>::min();  // checked after parsing
  auto preset = [](double ratings, double watch) {
    return number_text(ratings) + " for ratings, " + number_text(watch) + " for watch ratios";
  };

  add_text_flag(app, "--data", "PATH", o.data,
                "ratings file; its labeled rows are split 60/20/20 at random\n"
                "(with --valid/--test: the training file). Without it: the\n"
                "built-in synthetic data, with a known truth for every pair",
                "none")
      ->group("Data");
  add_text_flag(app, "--valid", "PATH", o.valid, "pre-split validation file (needs --data and --test)", "")->group("Data");
  add_text_flag(app, "--test", "PATH", o.test, "pre-split test file (needs --data and --valid)", "")->group("Data");
  add_choice_flag(app, "--format", "F", o.format, {"auto", "movielens", "tsv", "csv", "watch-ratio"},
                  "auto|movielens|tsv|csv|watch-ratio; auto looks at the first\nline")
      ->group("Data");
  add_number_flag(app, "--positive-above", o.positive_above, any_number, "", "a value > X is a positive label",
                  preset(LabelRule::ratings().positive_above, LabelRule::watch_ratio().positive_above))
      ->group("Data")
      ->type_name("X");
  add_number_flag(app, "--negative-below", o.negative_below, any_number, "",
                  "a value < Y is a negative label; a value both > X and < Y\n"
                  "is an error (exit 2), never a guess",
                  preset(LabelRule::ratings().negative_below, LabelRule::watch_ratio().negative_below))
      ->group("Data")
      ->type_name("Y");
  add_choice_flag(app, "--unlabeled", "MODE", o.unlabeled, {"uniform", "middle", "hidden"},
                  "where the unlabeled pairs come from. uniform: drawn over all\n"
                  "items; middle: the rows between the thresholds (needs --data);\n"
                  "hidden: the training rows whose labels --label-fraction hid")
      ->group("Data");
  add_value_flag(app, "--label-fraction", "F",
                 "share of the training labels kept, in (0, 1]; a comma-\n"
                 "separated list (1,0.2,0.05) runs every method at each value:\n"
                 "a sparsity sweep, reported as mean +- sd over --seeds",
                 number_text(o.label_fraction),
                 [&o](const std::string& f, const std::string& text) {
                   o.label_fractions = parse_fractions(f, text);
                   o.label_fraction = o.label_fractions.front();
                 })
      ->group("Data")
      ->multi_option_policy(CLI::MultiOptionPolicy::Join);
  add_integer_flag(app, "--synthetic-users", o.synthetic_users, 2, kMaxSize, "users of the synthetic data, >= 2")
      ->group("Data");
  add_integer_flag(app, "--synthetic-items", o.synthetic_items, 4, kMaxSize, "items of the synthetic data, >= 4")
      ->group("Data");
  add_number_flag(app, "--synthetic-rows-per-user", o.synthetic_rows_per_user, any_number, "",
                  "mean labeled rows per user of the synthetic data,\nin [2, items/2]",
                  number_text(o.synthetic_rows_per_user) + ", or items/2 if that is smaller")
      ->group("Data")
      ->type_name("R");

  add_choice_flag(app, "--model", "M", o.model, {"gmf", "neumf"}, "gmf|neumf (float)")->group("Model and methods");
  add_value_flag(app, "--method", "M",
                 joined(all_methods(), "|") + "|all, or a comma-separated\n"
                 "list such as none,ig; all runs the eight in that order",
                 "all", [&o](const std::string& f, const std::string& text) { o.methods = parse_methods(f, text); })
      ->group("Model and methods")
      ->multi_option_policy(CLI::MultiOptionPolicy::Join);

  add_integer_flag(app, "--epochs", o.epochs, kNoLowerBound, kMaxInt,
                   "the most epochs per method, >= 1 (early stopping ends\n"
                   "sooner; with --patience 0, exactly this many); 0 with\n"
                   "--load evaluates the loaded parameters without training")
      ->group("Training");
  add_integer_flag(app, "--max-steps", o.max_steps, 0, kMaxSize,
                   "the most optimizer steps per method, checked at each\nepoch's end; 0 = no cap in steps")
      ->group("Training");
  add_integer_flag(app, "--patience", o.patience, 0, kMaxInt,
                   "stop after N evaluations in a row that do not lower the\n"
                   "best validation BCE by more than --min-delta; 0 = no early\n"
                   "stopping: every epoch evaluated, --epochs run (the paper's\n"
                   "protocol: --epochs 10 --patience 0)")
      ->group("Training");
  add_number_flag(app, "--min-delta", o.min_delta, [](double v) { return v >= 0.0; }, ">= 0",
                  "the improvement of the validation BCE that resets the\npatience", number_text(o.min_delta))
      ->group("Training");
  add_integer_flag(app, "--eval-every", o.eval_every, 1, kMaxSize,
                   "evaluate at the end of an epoch once N optimizer steps\n"
                   "have run since the last evaluation (and at the last\n"
                   "epoch): every epoch when epochs are long, every few when\n"
                   "an epoch is a batch or two; ignored with --patience 0")
      ->group("Training");
  add_integer_flag(app, "--batch", o.batch, 1, kMaxSize, "labeled rows per batch, >= 1")->group("Training");
  add_integer_flag(app, "--dim", o.dim, 1, 1 << 16, "embedding size, >= 1")->group("Training");
  add_number_flag(app, "--lr", o.lr, [](double v) { return v > 0.0; }, "> 0", "Adam's learning rate, > 0",
                  number_text(o.lr))
      ->group("Training");
  add_number_flag(app, "--alpha", o.alpha, [](double v) { return v >= 0.0; }, ">= 0",
                  "IG's unlabeled step, >= 0 (--ig-preset paper only)", number_text(kAlphaPerLr) + " * lr")
      ->group("Training");
  add_choice_flag(app, "--ig-preset", "P", o.ig_preset, ig_presets(),
                  "which IG (--method with ig only). blocks: IDL's joint step with\n"
                  "its IDL term followed, left out or inverted, chosen for each\n"
                  "block of steps between two evaluations by validation BCE (each\n"
                  "block is trained three times); paper: Algorithm 1's meta step,\n"
                  "theta -/+ alpha*d after each pass over training-train")
      ->group("Training");
  add_choice_flag(app, "--ig-schedule", "S", o.ig_schedule, ig_schedules(),
                  "when IG's meta steps run, each epoch after the pass over\n"
                  "training-train (--ig-preset paper only). test-pass: one per\n"
                  "training-test batch; per-train-batch: as many as there are\n"
                  "training-train batches, cycling the training-test batches,\n"
                  "as Algorithm 1 is written")
      ->group("Training");
  add_choice_flag(app, "--ig-step", "R", o.ig_step, ig_steps(),
                  "IG's direction d from the IDL gradient g; the candidates are\n"
                  "theta -/+ alpha*d (--ig-preset paper only). sgd: g itself;\n"
                  "normalized: Adam's m/sqrt(v) of g, moments kept across meta\n"
                  "steps, so each coordinate moves by about alpha")
      ->group("Training");
  add_value_flag(app, "--seed", "N", "seeds the data, the split, the initialisation and\nthe sampling",
                 std::to_string(o.seed),
                 [&o](const std::string& f, const std::string& text) { o.seed = parse_uint64(f, text); })
      ->group("Training");
  add_integer_flag(app, "--seeds", o.seeds, 1, 1000,
                   "runs per label fraction, seeds --seed, --seed+1, ...; with\n"
                   "more than one the table shows mean +- sd, >= 1")
      ->group("Training");
  add_integer_flag(app, "--threads", o.threads, 0, 4096, "OpenMP threads, 0 = OpenMP's default")->group("Training");

  add_text_flag(app, "--json", "PATH", o.json, "the results as JSON, rewritten atomically after\neach method",
                "none")
      ->group("Outputs");
  add_text_flag(app, "--trace", "PATH", o.trace,
                "per-step CSV to PATH and IDL weight histograms to\n"
                "PATH.weights.csv; with several methods the method name goes\n"
                "before the extension: trace.csv -> trace.ig.csv",
                "none")
      ->group("Outputs");
  add_text_flag(app, "--save", "PATH", o.save,
                "a training checkpoint after every epoch and at the end (then\n"
                "holding the evaluated parameters); with several methods one\n"
                "file per method: model.ckpt -> model.ig.ckpt",
                "none")
      ->group("Outputs");
  add_text_flag(app, "--load", "PATH", o.load,
                "start every method from the parameters in PATH (a --save\n"
                "file or a model file), with a fresh optimizer",
                "none")
      ->group("Outputs");
  add_text_flag(app, "--resume", "PATH", o.resume,
                "continue an interrupted run from its checkpoints (per method\n"
                "as --save names them); give the same flags as the run that\n"
                "wrote them, --save included to keep saving",
                "none")
      ->group("Outputs");
  add_value_flag(app, "--topk", "K,...",
                 "also rank the whole catalogue for each test user, training and\n"
                 "validation pairs masked, and report Recall, NDCG, Precision, HR\n"
                 "and MRR at each K (e.g. 10,20)",
                 "none", [&o](const std::string& f, const std::string& text) { o.topk = parse_topk(f, text); })
      ->group("Outputs")
      ->multi_option_policy(CLI::MultiOptionPolicy::Join);
  app.add_flag("--quiet", o.quiet, "no progress output on stderr")->group("Outputs");

  add_config_flag(app,
                  "read flags from FILE, one \"flag = value\" line each (TOML or\n"
                  "INI), such as: epochs = 20; flags on the command line win")
      ->group("Other");
  app.set_help_flag("-h,--help", "show this text and exit")->group("Other")->configurable(false);
}

}  // namespace train

#pragma once
// Parsing the command line of invlearn-train into Options, the checks of flags that
// only mean something together, and the --help text. Parsing never exits or prints;
// every problem is a UsageError that names the flag, so main() can print it and exit
// with code 2.

#include <algorithm>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/command_line.hpp"
#include "common/errors.hpp"
#include "common/values.hpp"
#include "flags.hpp"
#include "options.hpp"

namespace train {

/// The app with every flag of invlearn-train, storing into `o`.
inline void make_app(CLI::App& app, Options& o) {
  app.name("invlearn-train");
  app.description(
      "Trains a recommender (GMF or NeuMF) on sparse labeled feedback with the methods of\n"
      "Lin et al., WSDM'24 (None, NS, T-CE, R-CE, IDL, IG, DNS, SRNS), evaluates each on the\n"
      "test rows, and prints a table like the paper's Table 1.\n");
  app.footer(
      "Every flag takes its value as --flag value or --flag=value, once. A --config file\n"
      "holds the same flags without dashes, for example:\n"
      "    method = none,ig\n"
      "    epochs = 20\n"
      "    trace = \"runs/trace.csv\"\n"
      "    quiet = true\n"
      "\n"
      "Progress goes to stderr (a bar on a terminal, one line per epoch otherwise); the\n"
      "dataset line and the results table go to stdout.\n"
      "\n"
      "Exit status: 0 success; 2 bad usage or bad input (unreadable or malformed data file,\n"
      "bad checkpoint); 1 any other failure (e.g. training diverged, an output could not be\n"
      "written).");
  app.get_formatter()->column_width(32);
  define_flags(app, o);
}

/// The long names of every flag, as --help lists them.
inline std::vector<std::string> flag_names() {
  Options o;
  CLI::App app;
  make_app(app, o);
  return cli::long_names(app);
}

/// The --help text; the defaults it shows are those of a default Options.
inline std::string help_text() {
  Options o;
  CLI::App app;
  make_app(app, o);
  return app.help();
}

/// Refuses flags that would have no effect or contradict each other, and fills in
/// the defaults that depend on other flags. `app` tells which flags were given.
inline void check_combinations(const CLI::App& app, Options& o) {
  using cli::UsageError;
  auto given = [&app](const char* flag) { return cli::given(app, flag); };

  // 0 epochs means "evaluate the loaded parameters", which needs parameters to load.
  if (o.epochs < 1 && !(o.epochs == 0 && !o.load.empty()))
    throw UsageError("--epochs: must be at least 1, got " + std::to_string(o.epochs) +
                     (o.epochs == 0 ? " (0 is allowed with --load, to evaluate without training)" : ""));

  if (o.valid.empty() != o.test.empty())
    throw UsageError(std::string(o.valid.empty() ? "--test" : "--valid") +
                     ": pre-split files need both --valid and --test");
  if (o.presplit() && o.data.empty())
    throw UsageError("--valid/--test: pre-split files need the training file as --data");
  // A flag of the other data source would have no effect: a mistake to report, not to ignore.
  if (o.synthetic()) {
    for (const char* f : {"--format", "--positive-above", "--negative-below"})
      if (given(f))
        throw UsageError(std::string(f) + ": applies to --data files only; the synthetic data has binary labels");
    if (o.unlabeled == "middle")
      throw UsageError("--unlabeled middle: the synthetic data has no rows between the label thresholds; "
                       "use uniform or hidden, or give --data");
  } else {
    for (const char* f : {"--synthetic-users", "--synthetic-items", "--synthetic-rows-per-user"})
      if (given(f)) throw UsageError(std::string(f) + ": applies to the synthetic data only, not to --data");
  }
  if (!o.runs("ig"))
    for (const char* f : {"--ig-preset", "--alpha", "--ig-schedule", "--ig-step"})
      if (given(f))
        throw UsageError(std::string(f) + ": applies to the ig method only, and --method " +
                         cli::joined(o.methods, ",") + " does not include it");
  if (o.ig_preset != "paper")
    for (const char* f : {"--alpha", "--ig-schedule", "--ig-step"})
      if (given(f))
        throw UsageError(std::string(f) + ": applies to --ig-preset paper only (IG by blocks takes full optimizer "
                         "steps and has no meta step)");
  for (const double f : o.label_fractions)
    if (o.unlabeled == "hidden" && !(f < 1.0))
      throw UsageError("--unlabeled hidden: needs --label-fraction below 1 (no training labels are hidden at 1)");
  // A sweep's runs share no files: one checkpoint or trace path cannot hold them all.
  if (o.sweep())
    for (const char* f : {"--save", "--load", "--resume", "--trace"})
      if (given(f))
        throw UsageError(std::string(f) + ": not with a sweep (several --label-fraction values or --seeds above 1); "
                         "run the fraction and seed on their own");
  if (o.synthetic()) {
    const double max_rows = 0.5 * static_cast<double>(o.synthetic_items);
    // The default follows a small --synthetic-items down, so that shrinking the data
    // for a quick run does not also need --synthetic-rows-per-user.
    if (!given("--synthetic-rows-per-user")) o.synthetic_rows_per_user = std::min(o.synthetic_rows_per_user, max_rows);
    if (!(o.synthetic_rows_per_user >= 2.0 && o.synthetic_rows_per_user <= max_rows))
      throw UsageError("--synthetic-rows-per-user: must be in [2, items/2] = [2, " + cli::number_text(max_rows) +
                       "], got " + cli::number_text(o.synthetic_rows_per_user));
  }
  if (!o.load.empty() && !o.resume.empty())
    throw UsageError("--load and --resume: give one or the other (--resume already restores the parameters)");
}

/// Parses argv without the program name: `--flag value`, `--flag=value` and a
/// --config file. Throws UsageError naming the flag for anything wrong; with --help,
/// returns at once with help set.
inline Options parse_args(const std::vector<std::string>& args) {
  return cli::parse_options<Options>(args, make_app, check_combinations);
}

}  // namespace train

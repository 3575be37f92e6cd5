#pragma once
// Command-line options of invlearn-train: the Options struct, a strict parser and
// the --help text. Parsing never exits or prints; every problem is a UsageError
// whose message names the flag, so main() can print it and exit with code 2.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <invlearn/data/synthetic.hpp>
#include <invlearn/train/schedule.hpp>
#include <invlearn/update/normalized_step.hpp>
#include <invlearn/update/sgd_step.hpp>

namespace cli {

/// Bad usage: unknown flag, missing or malformed value, value out of range, or
/// flags that do not go together. main() exits with code 2.
class UsageError : public std::runtime_error {
 public:
  explicit UsageError(const std::string& what) : std::runtime_error(what) {}
};

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

/// Everything the command line can set. Defaults are the documented ones.
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
  std::optional<double> alpha;  ///< unset = 0.1 · lr
  /// IG's schedule and step rule; the defaults are those of methods::IG<Model>.
  std::string ig_schedule = invlearn::TestPass::name;
  std::string ig_step = invlearn::SgdStep::name;
  std::uint64_t seed = 42;
  int threads = 0;

  // Outputs and checkpoints
  std::string json, trace, save, load, resume;
  bool quiet = false;
  bool help = false;

  bool synthetic() const { return data.empty(); }
  bool presplit() const { return !valid.empty(); }
  double effective_alpha() const { return alpha ? *alpha : 0.1 * lr; }
};

namespace detail {

inline std::string in_quotes(std::string_view s) { return "'" + std::string(s) + "'"; }

/// A finite double written in full ("1e-3", "0.5", "-2"); nothing may follow the number.
inline double parse_double(const std::string& flag, const std::string& text) {
  double v = 0.0;
  const char* b = text.data();
  const char* e = b + text.size();
  const auto r = std::from_chars(b, e, v, std::chars_format::general);
  if (text.empty() || r.ec == std::errc::invalid_argument || r.ptr != e)
    throw UsageError(flag + ": expected a number, got " + in_quotes(text));
  if (r.ec == std::errc::result_out_of_range || !std::isfinite(v))
    throw UsageError(flag + ": " + in_quotes(text) + " is not a finite number");
  return v;
}

/// A decimal integer in [lo, hi]; "1e3", "2.0" and "12x" are refused.
inline long long parse_integer(const std::string& flag, const std::string& text, long long lo,
                               long long hi) {
  long long v = 0;
  const char* b = text.data();
  const char* e = b + text.size();
  const auto r = std::from_chars(b, e, v, 10);
  if (text.empty() || r.ec == std::errc::invalid_argument || r.ptr != e)
    throw UsageError(flag + ": expected an integer, got " + in_quotes(text));
  if (r.ec == std::errc::result_out_of_range) throw UsageError(flag + ": " + text + " is out of range");
  // Bounds far beyond any sensible value are implementation limits, not ranges a user
  // needs to read: name only the bound that was crossed.
  const bool huge_hi = hi >= std::numeric_limits<int>::max();
  const bool huge_lo = lo == std::numeric_limits<long long>::min();
  const std::string both = "in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  if (v < lo) throw UsageError(flag + ": must be " + (huge_hi ? "at least " + std::to_string(lo) : both) + ", got " + text);
  if (v > hi)
    throw UsageError(flag + ": must be " + (huge_hi || huge_lo ? "at most " + std::to_string(hi) : both) + ", got " +
                     text);
  return v;
}

/// A seed: any integer in [0, 2^64).
inline std::uint64_t parse_seed(const std::string& flag, const std::string& text) {
  std::uint64_t v = 0;
  const char* b = text.data();
  const char* e = b + text.size();
  const auto r = std::from_chars(b, e, v, 10);
  if (text.empty() || r.ec == std::errc::invalid_argument || r.ptr != e)
    throw UsageError(flag + ": expected a non-negative integer, got " + in_quotes(text));
  if (r.ec == std::errc::result_out_of_range)
    throw UsageError(flag + ": " + text + " does not fit in 64 bits");
  return v;
}

/// Shortest text of a number, for messages and --help ("0.001", not "0.001000").
inline std::string number(double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

inline std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t c = s.find(',', start);
    out.push_back(s.substr(start, c == std::string::npos ? std::string::npos : c - start));
    if (c == std::string::npos) return out;
    start = c + 1;
  }
}

/// "none", "ig,idl", "all" → the methods, in the order given; duplicates and
/// unknown names are errors.
inline std::vector<std::string> parse_methods(const std::string& text) {
  if (text == "all") return all_methods();
  std::vector<std::string> out;
  for (const std::string& m : split_commas(text)) {
    if (m == "all") throw UsageError("--method: 'all' cannot be combined with other methods");
    const auto& known = all_methods();
    if (std::find(known.begin(), known.end(), m) == known.end())
      throw UsageError("--method: unknown method " + in_quotes(m) +
                       " (expected none, ns, tce, rce, idl, ig, dns, srns, all, or a comma-separated list)");
    if (std::find(out.begin(), out.end(), m) != out.end())
      throw UsageError("--method: " + in_quotes(m) + " is listed twice");
    out.push_back(m);
  }
  return out;
}

inline std::string one_of(const std::string& flag, const std::string& value,
                          const std::vector<std::string>& allowed) {
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return value;
  std::string list;
  for (std::size_t k = 0; k < allowed.size(); ++k) list += (k ? (k + 1 == allowed.size() ? " or " : ", ") : "") + allowed[k];
  throw UsageError(flag + ": unknown value " + in_quotes(value) + " (expected " + list + ")");
}

/// Levenshtein distance, for "did you mean" hints on misspelled flags.
inline std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace detail

/// Every flag invlearn-train knows, and whether it takes a value.
struct FlagSpec {
  const char* name;
  bool takes_value;
};

inline const std::vector<FlagSpec>& flag_specs() {
  static const std::vector<FlagSpec> f{
      {"--data", true},          {"--valid", true},           {"--test", true},
      {"--format", true},        {"--positive-above", true},  {"--negative-below", true},
      {"--unlabeled", true},     {"--label-fraction", true},  {"--model", true},
      {"--method", true},        {"--epochs", true},          {"--batch", true},
      {"--dim", true},           {"--lr", true},              {"--alpha", true},
      {"--ig-schedule", true},   {"--ig-step", true},         {"--seed", true},
      {"--threads", true},       {"--json", true},            {"--trace", true},
      {"--save", true},          {"--load", true},            {"--resume", true},
      {"--synthetic-users", true}, {"--synthetic-items", true},
      {"--synthetic-rows-per-user", true},                    {"--quiet", false},
      {"--help", false}};
  return f;
}

/// The --help text. Defaults shown here are read from Options and SyntheticOptions,
/// so the text cannot drift from what the parser does.
inline std::string help_text(const std::string& program = "invlearn-train") {
  const Options d;
  using detail::number;
  std::string h;
  h += "Usage: " + program + " [options]\n\n";
  h += "Trains a recommender (GMF or NeuMF) on sparse labeled feedback with the methods of\n"
       "Lin et al., WSDM'24 (None, NS, T-CE, R-CE, IDL, IG, DNS, SRNS), evaluates each on the\n"
       "test rows, and prints a table like the paper's Table 1.\n\n";
  h += "Data:\n";
  h += "  --data PATH              ratings file; its labeled rows are split 60/20/20 at random\n"
       "                           (with --valid/--test: the training file). Omit it to use the\n"
       "                           built-in synthetic data set (known truth for every pair).\n";
  h += "  --valid PATH             pre-split validation file (needs --data and --test)\n";
  h += "  --test PATH              pre-split test file (needs --data and --valid)\n";
  h += "  --format F               auto|movielens|tsv|csv|watch-ratio (default: " + d.format + ")\n";
  h += "  --positive-above X       value > X is a positive label (default: 2 for ratings,\n"
       "                           0.8 for watch ratios)\n";
  h += "  --negative-below Y       value < Y is a negative label (default: 3 for ratings, i.e.\n"
       "                           3-5 positive and 1-2 negative; 0.2 for watch ratios). A value\n"
       "                           both > X and < Y is an error (exit 2), never a guess.\n";
  h += "  --unlabeled MODE         uniform|middle|hidden (default: " + d.unlabeled + ")\n"
       "                           uniform: pairs drawn over all items; middle: the rows between\n"
       "                           the thresholds (needs --data); hidden: the training rows whose\n"
       "                           labels --label-fraction hid (needs --label-fraction < 1)\n";
  h += "  --label-fraction F       share of training labels kept, in (0, 1] (default: " +
       number(d.label_fraction) + ")\n";
  h += "  --synthetic-users N      users of the synthetic data (default: " +
       std::to_string(d.synthetic_users) + ")\n";
  h += "  --synthetic-items N      items of the synthetic data (default: " +
       std::to_string(d.synthetic_items) + ")\n";
  h += "  --synthetic-rows-per-user R\n"
       "                           mean labeled rows per user, in [2, items/2] (default: " +
       number(d.synthetic_rows_per_user) + ",\n"
       "                           or items/2 if that is smaller)\n";
  h += "\nModel and methods:\n";
  h += "  --model M                gmf|neumf (default: " + d.model + ")\n";
  h += "  --method M               none|ns|tce|rce|idl|ig|dns|srns|all, or a comma-separated\n"
       "                           list such as none,ig (default: all = the eight in that order)\n";
  h += "\nTraining:\n";
  h += "  --epochs N               epochs per method, >= 1; 0 with --load evaluates the loaded\n"
       "                           parameters without training (default: " + std::to_string(d.epochs) + ")\n";
  h += "  --batch N                labeled rows per batch, >= 1 (default: " + std::to_string(d.batch) + ")\n";
  h += "  --dim N                  embedding size, >= 1 (default: " + std::to_string(d.dim) + ")\n";
  h += "  --lr X                   Adam learning rate, > 0 (default: " + number(d.lr) + ")\n";
  h += "  --alpha X                unlabeled step of IG, >= 0 (--method ig only; default: 0.1 * lr)\n";
  h += "  --ig-schedule S          when IG's meta steps run, each epoch after the pass over\n"
       "                           training-train (--method ig only): test-pass = one per\n"
       "                           training-test batch; per-train-batch = as many as there are\n"
       "                           training-train batches, cycling the training-test batches, as\n"
       "                           Algorithm 1 is written (default: " + d.ig_schedule + ")\n";
  h += "  --ig-step R              IG's direction d from the IDL gradient g; the candidates are\n"
       "                           theta -/+ alpha*d (--method ig only): sgd = g itself;\n"
       "                           normalized = Adam's m/sqrt(v) of g, moments kept across meta\n"
       "                           steps, so each coordinate moves by about alpha (default: " + d.ig_step + ")\n";
  h += "  --seed N                 seeds data, split, initialisation and sampling (default: " +
       std::to_string(d.seed) + ")\n";
  h += "  --threads N              OpenMP threads, 0 = OpenMP's default (default: " +
       std::to_string(d.threads) + ")\n";
  h += "\nOutputs:\n";
  h += "  --json PATH              write the results as JSON (rewritten atomically after each\n"
       "                           method; default: none)\n";
  h += "  --trace PATH             write per-step CSV to PATH and IDL weight histograms to\n"
       "                           PATH.weights.csv; with several methods the method name goes\n"
       "                           before the extension: trace.csv -> trace.ig.csv (default: none)\n";
  h += "  --save PATH              save a training checkpoint after every epoch and at the end\n"
       "                           (then holding the evaluated parameters); with several methods\n"
       "                           one file per method: model.ckpt -> model.ig.ckpt (default: none)\n";
  h += "  --load PATH              start every method from the parameters in PATH (a --save file),\n"
       "                           with a fresh optimizer (default: none)\n";
  h += "  --resume PATH            continue an interrupted run from its checkpoints (per method\n"
       "                           as --save names them); give the same flags as the run that\n"
       "                           wrote them, --save included to keep saving (default: none)\n";
  h += "  --quiet                  no progress output on stderr\n";
  h += "  --help                   show this text and exit\n";
  h += "\nProgress goes to stderr (a bar on a terminal, one line per epoch otherwise); the\n"
       "dataset line and the results table go to stdout.\n";
  h += "\nExit status: 0 success; 2 bad usage or bad input (unreadable or malformed data file,\n"
       "bad checkpoint); 1 any other failure (e.g. training diverged, an output could not be\n"
       "written).\n";
  return h;
}

/// Parses argv[1..]. Accepts `--flag value` and `--flag=value`. Throws UsageError
/// naming the flag for anything wrong; with --help, returns at once with help set.
inline Options parse_args(const std::vector<std::string>& args) {
  Options o;
  std::vector<std::string> seen;
  for (const std::string& a : args)
    if (a == "--help" || a == "-h") {
      o.help = true;
      return o;
    }

  for (std::size_t k = 0; k < args.size(); ++k) {
    std::string flag = args[k];
    std::optional<std::string> inline_value;
    if (flag.rfind("--", 0) != 0)
      throw UsageError("unexpected argument " + detail::in_quotes(flag) +
                       " (flags start with --; see --help)");
    if (const std::size_t eq = flag.find('='); eq != std::string::npos) {
      inline_value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    }
    const auto& specs = flag_specs();
    const auto spec = std::find_if(specs.begin(), specs.end(),
                                   [&](const FlagSpec& s) { return flag == s.name; });
    if (spec == specs.end()) {
      std::string best;
      std::size_t best_d = 3;
      for (const auto& s : specs) {
        const std::size_t dist = detail::edit_distance(flag, s.name);
        if (dist < best_d) {
          best_d = dist;
          best = s.name;
        }
      }
      throw UsageError("unknown flag " + detail::in_quotes(flag) +
                       (best.empty() ? std::string() : " (did you mean " + best + "?)"));
    }
    if (std::find(seen.begin(), seen.end(), flag) != seen.end())
      throw UsageError(flag + ": given more than once");
    seen.push_back(flag);

    if (!spec->takes_value) {
      if (inline_value) throw UsageError(flag + ": takes no value");
      if (flag == "--quiet") o.quiet = true;
      continue;
    }
    std::string v;
    if (inline_value) {
      v = *inline_value;
    } else {
      // A following flag is not a value (but a negative number is, so that
      // "--epochs -1" is reported as out of range rather than as missing).
      if (k + 1 >= args.size() || (args[k + 1].rfind("--", 0) == 0))
        throw UsageError(flag + ": missing value");
      v = args[++k];
    }
    if (v.empty()) throw UsageError(flag + ": empty value");

    using namespace detail;
    constexpr long long kMaxInt = std::numeric_limits<int>::max();
    constexpr long long kMaxSize = 1LL << 40;
    if (flag == "--data") o.data = v;
    else if (flag == "--valid") o.valid = v;
    else if (flag == "--test") o.test = v;
    else if (flag == "--format") o.format = one_of(flag, v, {"auto", "movielens", "tsv", "csv", "watch-ratio"});
    else if (flag == "--positive-above") o.positive_above = parse_double(flag, v);
    else if (flag == "--negative-below") o.negative_below = parse_double(flag, v);
    else if (flag == "--unlabeled") o.unlabeled = one_of(flag, v, {"uniform", "middle", "hidden"});
    else if (flag == "--label-fraction") {
      o.label_fraction = parse_double(flag, v);
      if (!(o.label_fraction > 0.0 && o.label_fraction <= 1.0))
        throw UsageError(flag + ": must be in (0, 1], got " + v);
    } else if (flag == "--model") o.model = one_of(flag, v, {"gmf", "neumf"});
    else if (flag == "--method") o.methods = parse_methods(v);
    else if (flag == "--epochs") o.epochs = static_cast<int>(parse_integer(flag, v, std::numeric_limits<long long>::min(), kMaxInt));
    else if (flag == "--batch") o.batch = parse_integer(flag, v, 1, kMaxSize);
    else if (flag == "--dim") o.dim = parse_integer(flag, v, 1, 1 << 16);
    else if (flag == "--lr") {
      o.lr = parse_double(flag, v);
      if (!(o.lr > 0.0)) throw UsageError(flag + ": must be > 0, got " + v);
    } else if (flag == "--alpha") {
      o.alpha = parse_double(flag, v);
      if (!(*o.alpha >= 0.0)) throw UsageError(flag + ": must be >= 0, got " + v);
    } else if (flag == "--ig-schedule") o.ig_schedule = one_of(flag, v, ig_schedules());
    else if (flag == "--ig-step") o.ig_step = one_of(flag, v, ig_steps());
    else if (flag == "--seed") o.seed = parse_seed(flag, v);
    else if (flag == "--threads") o.threads = static_cast<int>(parse_integer(flag, v, 0, 4096));
    else if (flag == "--json") o.json = v;
    else if (flag == "--trace") o.trace = v;
    else if (flag == "--save") o.save = v;
    else if (flag == "--load") o.load = v;
    else if (flag == "--resume") o.resume = v;
    else if (flag == "--synthetic-users") o.synthetic_users = parse_integer(flag, v, 2, kMaxSize);
    else if (flag == "--synthetic-items") o.synthetic_items = parse_integer(flag, v, 4, kMaxSize);
    else if (flag == "--synthetic-rows-per-user") o.synthetic_rows_per_user = parse_double(flag, v);
  }

  auto given = [&](const char* f) { return std::find(seen.begin(), seen.end(), f) != seen.end(); };

  // 0 epochs means "evaluate the loaded parameters", which needs parameters to load.
  if (o.epochs < 1 && !(o.epochs == 0 && !o.load.empty()))
    throw UsageError("--epochs: must be at least 1, got " + std::to_string(o.epochs) +
                     (o.epochs == 0 ? " (0 is allowed with --load, to evaluate without training)" : ""));

  // Flags that only mean something together.
  if (o.valid.empty() != o.test.empty())
    throw UsageError(std::string(o.valid.empty() ? "--test" : "--valid") + ": pre-split files need both --valid and --test");
  if (o.presplit() && o.data.empty())
    throw UsageError("--valid/--test: pre-split files need the training file as --data");
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
  // Like the flags of one data source: a flag that would have no effect is a mistake
  // to report, not to ignore.
  if (std::find(o.methods.begin(), o.methods.end(), "ig") == o.methods.end()) {
    std::string listed;
    for (const std::string& m : o.methods) listed += (listed.empty() ? "" : ",") + m;
    for (const char* f : {"--alpha", "--ig-schedule", "--ig-step"})
      if (given(f))
        throw UsageError(std::string(f) + ": applies to the ig method only, and --method " + listed +
                         " does not include it");
  }
  if (o.unlabeled == "hidden" && !(o.label_fraction < 1.0))
    throw UsageError("--unlabeled hidden: needs --label-fraction below 1 (no training labels are hidden at 1)");
  if (o.synthetic()) {
    const double max_rows = 0.5 * static_cast<double>(o.synthetic_items);
    // The default follows a small --synthetic-items down, so that shrinking the data
    // for a quick run does not also need --synthetic-rows-per-user.
    if (!given("--synthetic-rows-per-user")) o.synthetic_rows_per_user = std::min(o.synthetic_rows_per_user, max_rows);
    if (!(o.synthetic_rows_per_user >= 2.0 && o.synthetic_rows_per_user <= max_rows))
      throw UsageError("--synthetic-rows-per-user: must be in [2, items/2] = [2, " + detail::number(max_rows) +
                       "], got " + detail::number(o.synthetic_rows_per_user));
  }
  if (!o.load.empty() && !o.resume.empty())
    throw UsageError("--load and --resume: give one or the other (--resume already restores the parameters)");
  return o;
}

/// parse_args over main()'s argv.
inline Options parse_args(int argc, const char* const* argv) {
  std::vector<std::string> args;
  for (int k = 1; k < argc; ++k) args.emplace_back(argv[k]);
  return parse_args(args);
}

}  // namespace cli

// invlearn-train's command line as functions: the flags, their checks, the --config
// file, --help, and the table that turns library option names into flags. The
// program itself is tested end to end by tests/cli/run_cli_tests.sh.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "common/option_names.hpp"
#include "flags.hpp"
#include "parse.hpp"

namespace {

train::Options parse(std::vector<std::string> args) { return train::parse_args(args); }

/// The message of the UsageError parse() throws for `args` (fails the test if none).
std::string usage_error(std::vector<std::string> args) {
  try {
    train::parse_args(args);
  } catch (const cli::UsageError& e) {
    return e.what();
  }
  FAIL("no UsageError for the arguments");
  return "";
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

/// A --config file in the scratch directory holding `content`; its path.
std::string config_file(const std::string& name, const std::string& content) {
  const std::string path = std::string(INVLEARN_TEST_BINARY_DIR) + "/" + name;
  std::ofstream(path) << content;
  return path;
}

}  // namespace

TEST_CASE("cli: defaults", "[cli]") {
  const train::Options o = parse({});
  CHECK(o.synthetic());
  CHECK_FALSE(o.presplit());
  CHECK(o.format == "auto");
  CHECK_FALSE(o.positive_above.has_value());
  CHECK_FALSE(o.negative_below.has_value());
  CHECK(o.unlabeled == "uniform");
  CHECK(o.label_fraction == 1.0);
  CHECK(o.model == "gmf");
  CHECK(o.methods == std::vector<std::string>{"none", "ns", "tce", "rce", "idl", "ig", "dns", "srns"});
  const invlearn::TrainerOptions library;
  CHECK(o.epochs == library.epochs);  // the library's defaults: early stopping within caps
  CHECK(o.max_steps == library.max_steps);
  CHECK(o.patience == library.patience);
  CHECK(o.min_delta == library.min_delta);
  CHECK(o.eval_every == library.eval_every);
  CHECK(o.batch == 1024);
  CHECK(o.dim == 32);
  CHECK(o.lr == 1e-3);
  CHECK_FALSE(o.alpha.has_value());
  CHECK(o.effective_alpha() == Approx(1e-4));
  CHECK(o.ig_preset == "blocks");
  CHECK(o.ig_schedule == "test-pass");
  CHECK(o.ig_step == "sgd");
  CHECK(o.seed == 42u);
  CHECK(o.threads == 0);
  CHECK(o.json.empty());
  CHECK(o.trace.empty());
  CHECK(o.save.empty());
  CHECK(o.load.empty());
  CHECK(o.resume.empty());
  CHECK_FALSE(o.quiet);
  CHECK_FALSE(o.help);
  const invlearn::SyntheticOptions s;
  CHECK(o.synthetic_users == s.users);
  CHECK(o.synthetic_items == s.items);
  CHECK(o.synthetic_rows_per_user == s.labeled_per_user);
}

TEST_CASE("cli: every flag is parsed", "[cli]") {
  const train::Options o =
      parse({"--data", "train.csv", "--valid", "valid.csv", "--test", "test.csv", "--format", "watch-ratio",
             "--positive-above", "0.7", "--negative-below", "0.3", "--unlabeled", "hidden", "--label-fraction",
             "0.05", "--model", "neumf", "--method", "ig", "--epochs", "3", "--batch", "256", "--dim", "16", "--lr",
             "1e-2", "--ig-preset", "paper", "--alpha", "0.5e-3", "--ig-schedule", "per-train-batch", "--ig-step", "normalized", "--seed",
             "18446744073709551615", "--threads", "2", "--json", "r.json", "--trace", "t.csv", "--save", "m.ckpt",
             "--quiet"});
  CHECK(o.data == "train.csv");
  CHECK(o.valid == "valid.csv");
  CHECK(o.test == "test.csv");
  CHECK(o.presplit());
  CHECK(o.format == "watch-ratio");
  CHECK(*o.positive_above == 0.7);
  CHECK(*o.negative_below == 0.3);
  CHECK(o.unlabeled == "hidden");
  CHECK(o.label_fraction == 0.05);
  CHECK(o.model == "neumf");
  CHECK(o.methods == std::vector<std::string>{"ig"});
  CHECK(o.epochs == 3);
  CHECK(o.batch == 256);
  CHECK(o.dim == 16);
  CHECK(o.lr == 1e-2);
  CHECK(*o.alpha == 0.5e-3);
  CHECK(o.effective_alpha() == 0.5e-3);
  CHECK(o.ig_preset == "paper");
  CHECK(o.ig_schedule == "per-train-batch");
  CHECK(o.ig_step == "normalized");
  CHECK(o.seed == 18446744073709551615ull);
  CHECK(o.threads == 2);
  CHECK(o.json == "r.json");
  CHECK(o.trace == "t.csv");
  CHECK(o.save == "m.ckpt");
  CHECK(o.quiet);

  const train::Options e =
      parse({"--max-steps", "5000", "--patience", "0", "--min-delta", "0.01", "--eval-every", "7"});
  CHECK(e.max_steps == 5000);
  CHECK(e.patience == 0);
  CHECK(e.min_delta == 0.01);
  CHECK(e.eval_every == 7);

  const train::Options l = parse({"--load", "a.ckpt"});
  CHECK(l.load == "a.ckpt");
  const train::Options r = parse({"--resume", "b.ckpt"});
  CHECK(r.resume == "b.ckpt");

  const train::Options s =
      parse({"--synthetic-users", "200", "--synthetic-items", "100", "--synthetic-rows-per-user", "12.5"});
  CHECK(s.synthetic_users == 200);
  CHECK(s.synthetic_items == 100);
  CHECK(s.synthetic_rows_per_user == 12.5);

  // Without the flag, the default rows per user shrinks with a small item count.
  const train::Options small = parse({"--synthetic-items", "40"});
  CHECK(small.synthetic_rows_per_user == std::min(20.0, invlearn::SyntheticOptions().labeled_per_user));
}

TEST_CASE("cli: --flag=value, method lists and --help", "[cli]") {
  const train::Options o = parse({"--epochs=4", "--method=none,ig,idl", "--lr=0.01"});
  CHECK(o.epochs == 4);
  CHECK(o.methods == std::vector<std::string>{"none", "ig", "idl"});
  CHECK(o.lr == 0.01);
  CHECK(parse({"--method", "all"}).methods.size() == 8);
  CHECK(parse({"--epochs", "abc", "--help"}).help);  // --help wins over everything
  CHECK(parse({"-h"}).help);
}

TEST_CASE("cli: --help names every flag and its default", "[cli]") {
  const std::string h = train::help_text();
  const std::vector<std::string> names = train::flag_names();
  for (const char* flag : {"--data", "--valid", "--test", "--format", "--positive-above", "--negative-below",
                           "--unlabeled", "--label-fraction", "--synthetic-users", "--synthetic-items",
                           "--synthetic-rows-per-user", "--model", "--method", "--epochs", "--batch", "--dim",
                           "--lr", "--alpha", "--ig-preset", "--ig-schedule", "--ig-step", "--seeds", "--seed", "--threads", "--json",
                           "--trace", "--save", "--load", "--resume", "--quiet", "--config", "--help"})
    CHECK(std::find(names.begin(), names.end(), flag) != names.end());
  for (const std::string& name : names) CHECK(contains(h, name));
  CHECK(contains(h, "(default: 10)"));
  CHECK(contains(h, "(default: 1024)"));
  CHECK(contains(h, "(default: 32)"));
  CHECK(contains(h, "(default: 0.001)"));
  CHECK(contains(h, "0.1 * lr"));
  CHECK(contains(h, "(default: 42)"));
  CHECK(contains(h, "(default: gmf)"));
  CHECK(contains(h, "(default: uniform)"));
  CHECK(contains(h, "(default: auto)"));
  CHECK(contains(h, "default: all"));
  CHECK(contains(h, "(default: blocks)"));
  CHECK(contains(h, "(default: test-pass)"));
  CHECK(contains(h, "(default: sgd)"));
  CHECK(contains(h, "Exit status"));
}

TEST_CASE("cli: --ig-preset, --ig-schedule and --ig-step", "[cli]") {
  // Both values of each, in both spellings of a flag.
  CHECK(parse({"--ig-preset", "paper", "--ig-schedule", "test-pass"}).ig_schedule == "test-pass");
  CHECK(parse({"--ig-preset", "paper", "--ig-schedule=per-train-batch"}).ig_schedule == "per-train-batch");
  CHECK(parse({"--ig-preset", "paper", "--ig-step", "sgd"}).ig_step == "sgd");
  CHECK(parse({"--ig-preset", "paper", "--ig-step=normalized"}).ig_step == "normalized");
  const train::Options both = parse({"--method", "none,ig", "--ig-preset", "paper", "--ig-step", "normalized", "--ig-schedule", "per-train-batch"});
  CHECK(both.ig_step == "normalized");
  CHECK(both.ig_schedule == "per-train-batch");
  // The allowed values are the names of the library's policies.
  CHECK(train::ig_schedules() == std::vector<std::string>{invlearn::TestPass::name, invlearn::PerTrainBatch::name});
  CHECK(train::ig_steps() == std::vector<std::string>{invlearn::SgdStep::name, invlearn::NormalizedStep::name});

  CHECK(contains(usage_error({"--ig-preset", "paper", "--ig-step", "adam"}), "--ig-step: unknown value 'adam' (expected sgd or normalized)"));
  CHECK(contains(usage_error({"--ig-preset", "paper", "--ig-schedule", "per-batch"}),
                 "--ig-schedule: unknown value 'per-batch' (expected test-pass or per-train-batch)"));
  CHECK(contains(usage_error({"--ig-preset", "paper", "--ig-step", "Normalized"}), "--ig-step: unknown value 'Normalized'"));
  CHECK(contains(usage_error({"--ig-step="}), "--ig-step: empty value"));
  CHECK(contains(usage_error({"--ig-schedule"}), "--ig-schedule: missing value"));
  CHECK(contains(usage_error({"--ig-step", "sgd", "--ig-step", "sgd"}), "--ig-step: given more than once"));

  // Without ig in --method they would do nothing: an error, as for the flags of the other data source.
  CHECK(contains(usage_error({"--method", "none,idl", "--ig-step", "normalized"}),
                 "--ig-step: applies to the ig method only, and --method none,idl does not include it"));
  CHECK(contains(usage_error({"--method", "none", "--ig-schedule", "test-pass"}),
                 "--ig-schedule: applies to the ig method only"));
  CHECK(contains(usage_error({"--method", "ns", "--alpha", "0.001"}), "--alpha: applies to the ig method only"));
  CHECK(parse({"--method", "all", "--ig-preset", "paper", "--ig-step", "normalized"}).ig_step == "normalized");
  CHECK(parse({"--method", "none,ig", "--ig-preset", "paper", "--alpha", "0.001"}).effective_alpha() == 0.001);
  // IG by blocks (the default preset) has no meta step: the paper's flags are errors with it.
  CHECK(parse({"--ig-preset", "blocks"}).ig_preset == "blocks");
  CHECK(train::ig_presets() == std::vector<std::string>{"blocks", "paper"});
  CHECK(contains(usage_error({"--ig-step", "normalized"}), "--ig-step: applies to --ig-preset paper only"));
  CHECK(contains(usage_error({"--ig-preset", "blocks", "--alpha", "0.001"}), "--alpha: applies to --ig-preset paper only"));
  CHECK(contains(usage_error({"--ig-preset", "fast"}), "--ig-preset: unknown value 'fast' (expected blocks or paper)"));
  CHECK(contains(usage_error({"--method", "none", "--ig-preset", "paper"}), "--ig-preset: applies to the ig method only"));
}

TEST_CASE("cli: numbers are parsed strictly", "[cli]") {
  CHECK(parse({"--lr", "1e-3"}).lr == 1e-3);
  CHECK(parse({"--lr", "0.5"}).lr == 0.5);
  CHECK(parse({"--epochs", "010"}).epochs == 10);  // decimal, not octal
  CHECK(contains(usage_error({"--epochs", "0x10"}), "--epochs: expected an integer"));
  CHECK(contains(usage_error({"--epochs", "true"}), "--epochs: expected an integer"));
  CHECK(contains(usage_error({"--lr", "abc"}), "--lr: expected a number, got 'abc'"));
  CHECK(contains(usage_error({"--lr", "1x"}), "--lr: expected a number, got '1x'"));
  CHECK(contains(usage_error({"--lr", " 1"}), "--lr: expected a number"));
  CHECK(contains(usage_error({"--lr", "nan"}), "--lr: 'nan' is not a finite number"));
  CHECK(contains(usage_error({"--lr", "inf"}), "--lr: 'inf' is not a finite number"));
  CHECK(contains(usage_error({"--lr", "1e999"}), "--lr: '1e999' is not a finite number"));
  CHECK(contains(usage_error({"--epochs", "2.5"}), "--epochs: expected an integer, got '2.5'"));
  CHECK(contains(usage_error({"--epochs", "1e3"}), "--epochs: expected an integer, got '1e3'"));
  CHECK(contains(usage_error({"--batch", "12x"}), "--batch: expected an integer, got '12x'"));
  CHECK(contains(usage_error({"--seed", "-1"}), "--seed: expected a non-negative integer"));
  CHECK(contains(usage_error({"--seed", "18446744073709551616"}), "--seed: 18446744073709551616 does not fit"));
  CHECK(contains(usage_error({"--epochs", "99999999999999999999"}), "--epochs: 99999999999999999999 is out of range"));
  CHECK(contains(usage_error({"--epochs", "3000000000"}), "--epochs: must be at most 2147483647, got 3000000000"));
}

TEST_CASE("cli: values out of range name the flag", "[cli]") {
  CHECK(contains(usage_error({"--epochs", "0"}), "--epochs: must be at least 1, got 0 (0 is allowed with --load"));
  CHECK(parse({"--epochs", "0", "--load", "m.ckpt"}).epochs == 0);
  CHECK(contains(usage_error({"--epochs", "-1", "--load", "m.ckpt"}), "--epochs: must be at least 1, got -1"));
  CHECK(contains(usage_error({"--epochs", "-3"}), "--epochs: must be at least 1, got -3"));
  CHECK(contains(usage_error({"--batch", "0"}), "--batch: must be at least 1, got 0"));
  CHECK(contains(usage_error({"--max-steps", "-1"}), "--max-steps: must be at least 0, got -1"));
  CHECK(contains(usage_error({"--patience", "-1"}), "--patience: must be at least 0, got -1"));
  CHECK(contains(usage_error({"--min-delta", "-1e-3"}), "--min-delta: must be >= 0"));
  CHECK(contains(usage_error({"--eval-every", "0"}), "--eval-every: must be at least 1, got 0"));
  CHECK(contains(usage_error({"--dim", "0"}), "--dim: must be in [1, 65536], got 0"));
  CHECK(contains(usage_error({"--lr", "0"}), "--lr: must be > 0, got 0"));
  CHECK(contains(usage_error({"--lr", "-1e-3"}), "--lr: must be > 0"));
  CHECK(contains(usage_error({"--alpha", "-0.1"}), "--alpha: must be >= 0, got -0.1"));
  CHECK(parse({"--ig-preset", "paper", "--alpha", "0"}).effective_alpha() == 0.0);
  CHECK(contains(usage_error({"--label-fraction", "0"}), "--label-fraction: must be in (0, 1], got 0"));
  CHECK(contains(usage_error({"--label-fraction", "1.5"}), "--label-fraction: must be in (0, 1], got 1.5"));
  CHECK(contains(usage_error({"--threads", "-1"}), "--threads: must be in [0, 4096], got -1"));
  CHECK(contains(usage_error({"--synthetic-users", "1"}), "--synthetic-users: must be at least 2, got 1"));
  CHECK(contains(usage_error({"--synthetic-items", "3"}), "--synthetic-items: must be at least 4, got 3"));
  CHECK(contains(usage_error({"--synthetic-items", "100", "--synthetic-rows-per-user", "60"}),
                 "--synthetic-rows-per-user: must be in [2, items/2] = [2, 50], got 60"));
  CHECK(contains(usage_error({"--synthetic-rows-per-user", "1"}), "--synthetic-rows-per-user: must be in [2,"));
  CHECK(contains(usage_error({"--data", "x", "--positive-above", "nan"}),
                 "--positive-above: 'nan' is not a finite number"));
  CHECK(contains(usage_error({"--data", "x", "--negative-below", "abc"}),
                 "--negative-below: expected a number, got 'abc'"));
}

TEST_CASE("cli: unknown, repeated and malformed flags", "[cli]") {
  CHECK(contains(usage_error({"--foo"}), "unknown flag '--foo'"));
  CHECK(contains(usage_error({"--epoch", "3"}), "did you mean --epochs?"));
  CHECK(contains(usage_error({"data.csv"}), "unexpected argument 'data.csv'"));
  CHECK(contains(usage_error({"-e"}), "unexpected argument '-e'"));
  CHECK(contains(usage_error({"--epochs"}), "--epochs: missing value"));
  CHECK(contains(usage_error({"--json", "--quiet"}), "--json: missing value"));
  CHECK(contains(usage_error({"--data="}), "--data: empty value"));
  CHECK(contains(usage_error({"--quiet=yes"}), "--quiet: takes no value"));
  CHECK(contains(usage_error({"--epochs", "3", "--epochs", "4"}), "--epochs: given more than once"));
  CHECK(contains(usage_error({"--model", "mlp"}), "--model: unknown value 'mlp' (expected gmf or neumf)"));
  CHECK(contains(usage_error({"--format", "xml"}), "--format: unknown value 'xml'"));
  CHECK(contains(usage_error({"--unlabeled", "all"}), "--unlabeled: unknown value 'all'"));
  CHECK(contains(usage_error({"--method", "bpr"}), "--method: unknown method 'bpr'"));
  CHECK(contains(usage_error({"--method", "ig,ig"}), "--method: 'ig' is listed twice"));
  CHECK(contains(usage_error({"--method", "ig,all"}), "--method: 'all' cannot be combined"));
  CHECK(contains(usage_error({"--method", "ig,"}), "--method: unknown method ''"));
}

TEST_CASE("cli: flags that must go together", "[cli]") {
  CHECK(contains(usage_error({"--data", "a", "--valid", "b"}), "--valid: pre-split files need both --valid and --test"));
  CHECK(contains(usage_error({"--data", "a", "--test", "c"}), "--test: pre-split files need both --valid and --test"));
  CHECK(contains(usage_error({"--valid", "b", "--test", "c"}), "pre-split files need the training file as --data"));
  CHECK(contains(usage_error({"--format", "csv"}), "--format: applies to --data files only"));
  CHECK(contains(usage_error({"--positive-above", "3"}), "--positive-above: applies to --data files only"));
  CHECK(contains(usage_error({"--negative-below", "2"}), "--negative-below: applies to --data files only"));
  CHECK(contains(usage_error({"--data", "a", "--synthetic-users", "100"}),
                 "--synthetic-users: applies to the synthetic data only"));
  CHECK(contains(usage_error({"--unlabeled", "middle"}), "--unlabeled middle: the synthetic data has no rows"));
  CHECK(parse({"--data", "a", "--unlabeled", "middle"}).unlabeled == "middle");
  CHECK(contains(usage_error({"--unlabeled", "hidden"}), "--unlabeled hidden: needs --label-fraction below 1"));
  CHECK(parse({"--unlabeled", "hidden", "--label-fraction", "0.1"}).unlabeled == "hidden");
  CHECK(contains(usage_error({"--load", "a", "--resume", "b"}), "--load and --resume"));
}


TEST_CASE("cli: --label-fraction lists and --seeds make a sweep", "[cli][sweep]") {
  const train::Options one = parse({"--label-fraction", "0.2"});
  CHECK(one.label_fractions == std::vector<double>{0.2});
  CHECK(one.label_fraction == 0.2);
  CHECK_FALSE(one.sweep());
  const train::Options list = parse({"--label-fraction", "1,0.5,0.02", "--seeds", "3"});
  CHECK(list.label_fractions == std::vector<double>{1.0, 0.5, 0.02});
  CHECK(list.label_fraction == 1.0);
  CHECK(list.seeds == 3);
  CHECK(list.sweep());
  CHECK(parse({"--seeds", "2"}).sweep());
  CHECK(contains(usage_error({"--label-fraction", "0.5,0"}), "--label-fraction: must be in (0, 1], got 0"));
  CHECK(contains(usage_error({"--label-fraction", "0.5,0.5"}), "--label-fraction: 0.5 is listed twice"));
  CHECK(contains(usage_error({"--label-fraction", "0.5,x"}), "--label-fraction"));
  CHECK(contains(usage_error({"--seeds", "0"}), "--seeds: must be"));
  CHECK(contains(usage_error({"--unlabeled", "hidden", "--label-fraction", "0.5,1"}),
                 "--unlabeled hidden: needs --label-fraction below 1"));
  for (const char* f : {"--save", "--trace"})
    CHECK(contains(usage_error({"--seeds", "2", f, "x"}), std::string(f) + ": not with a sweep"));
  CHECK(contains(usage_error({"--label-fraction", "1,0.5", "--resume", "x"}), "--resume: not with a sweep"));
}

TEST_CASE("cli: --config reads flag = value lines", "[cli]") {
  const std::string path = config_file("experiment.toml",
                                       "# an experiment\n"
                                       "method = none,ig\n"
                                       "epochs = 3\n"
                                       "lr = 1e-2\n"
                                       "ig-preset = paper\n"
                                       "ig-step = normalized\n"
                                       "json = \"out dir/r.json\"\n"
                                       "synthetic-users = 200\n"
                                       "quiet = true\n");
  const train::Options o = parse({"--config", path});
  CHECK(o.methods == std::vector<std::string>{"none", "ig"});
  CHECK(o.epochs == 3);
  CHECK(o.lr == 1e-2);
  CHECK(o.ig_step == "normalized");
  CHECK(o.json == "out dir/r.json");
  CHECK(o.synthetic_users == 200);
  CHECK(o.quiet);
  CHECK(o.batch == 1024);  // what the file does not set keeps its default

  // The command line wins over the file, in either order of the flags.
  CHECK(parse({"--epochs", "5", "--config", path}).epochs == 5);
  CHECK(parse({"--config=" + path, "--method", "ig"}).methods == std::vector<std::string>{"ig"});
  CHECK(parse({"--config", config_file("ini.ini", "[default]\n; comment\nepochs=4\nquiet\n")}).epochs == 4);
  CHECK(parse({"--config", config_file("all.toml", "method = all\n")}).methods.size() == 8);
}

TEST_CASE("cli: --config files get the checks of the command line", "[cli]") {
  auto config_error = [](const std::string& name, const std::string& content) {
    return usage_error({"--config", config_file(name, content)});
  };
  // Values are checked as on the command line.
  CHECK(contains(config_error("bad_lr.toml", "lr = abc\n"), "--lr: expected a number, got 'abc'"));
  CHECK(contains(config_error("bad_epochs.toml", "epochs = 010x\n"), "--epochs: expected an integer"));
  CHECK(contains(config_error("bad_step.toml", "ig-step = adam\n"), "--ig-step: unknown value 'adam'"));
  CHECK(contains(config_error("bad_method.toml", "method = ig,ig\n"), "--method: 'ig' is listed twice"));
  // So are the flags that must go together.
  CHECK(contains(config_error("format.toml", "format = csv\n"), "--format: applies to --data files only"));
  CHECK(contains(config_error("alpha.toml", "method = none\nalpha = 0.1\n"), "--alpha: applies to the ig method only"));
  // Keys: unknown (with a hint), twice, several values, sections.
  const std::string unknown = config_error("unknown.toml", "epoch = 3\n");
  CHECK(contains(unknown, "--config "));
  CHECK(contains(unknown, "unknown.toml: unknown flag 'epoch' (did you mean --epochs?)"));
  CHECK(contains(config_error("twice.toml", "epochs = 3\nlr = 0.1\nepochs = 4\n"), "epochs: given more than once"));
  CHECK(contains(config_error("two.toml", "json = a b.json\n"), "json: expected one value, got 2"));
  CHECK(contains(config_error("section.toml", "[train]\nepochs = 3\n"), "section [train]"));
  CHECK(contains(config_error("help.toml", "help = true\n"), "help.toml: help: cannot be set in the file"));
  CHECK(contains(config_error("config.toml", "config = other.toml\n"), "config: cannot be set in the file"));
  CHECK(contains(config_error("adjacent.toml", "epochs = 3\nepochs = 4\n"), "epochs: expected one value, got 2"));
  CHECK(contains(usage_error({"--config", "/nonexistent-dir-for-cli-test/x.toml"}), "--config: "));
  CHECK(contains(usage_error({"--config", "a.toml", "--config", "b.toml"}), "--config: given more than once"));
}

TEST_CASE("cli: library option names become flags", "[cli]") {
  const std::vector<std::string> names = train::flag_names();
  for (const cli::OptionFlag& entry : train::option_flags())
    CHECK(std::find(names.begin(), names.end(), entry.flag) != names.end());
  const auto& table = train::option_flags();
  CHECK(cli::with_flag_names("SplitOptions::label_fraction must be in (0, 1], got 2", table) ==
        "--label-fraction must be in (0, 1], got 2");
  CHECK(cli::with_flag_names("x.tsv: label rule is ambiguous: value 2.5 is both > LabelRule::positive_above 2 and < "
                             "LabelRule::negative_below 3",
                             table) ==
        "x.tsv: label rule is ambiguous: value 2.5 is both > --positive-above 2 and < --negative-below 3");
  CHECK(cli::with_flag_names("SyntheticOptions::users must be at least 2; SyntheticOptions::items too; "
                             "SyntheticOptions::labeled_per_user: in [2, items/2]; SplitOptions::unlabeled",
                             table) ==
        "--synthetic-users must be at least 2; --synthetic-items too; --synthetic-rows-per-user: in [2, items/2]; "
        "--unlabeled");
}

TEST_CASE("cli: --topk takes sorted distinct Ks >= 1", "[cli]") {
  CHECK(parse({}).topk.empty());
  CHECK(parse({"--topk", "20,10"}).topk == std::vector<int>{10, 20});
  CHECK(parse({"--topk=5"}).topk == std::vector<int>{5});
  CHECK(contains(usage_error({"--topk", "0"}), "--topk: must be"));
  CHECK(contains(usage_error({"--topk", "10,10"}), "--topk: 10 is listed twice"));
  CHECK(contains(usage_error({"--topk", "10,"}), "--topk: expected an integer, got ''"));
  CHECK(contains(usage_error({"--topk", "1e1"}), "--topk: expected an integer"));
}

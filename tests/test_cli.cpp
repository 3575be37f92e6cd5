// invlearn-train's command-line parser, output paths and JSON writer, as functions.
// The program itself is tested end to end by tests/cli/run_cli_tests.sh.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "../examples/cli/args.hpp"
#include "../examples/cli/json.hpp"
#include "../examples/cli/paths.hpp"
#include "../examples/cli/results.hpp"

namespace {

cli::Options parse(std::vector<std::string> args) { return cli::parse_args(args); }

/// The message of the UsageError parse() throws for `args` (fails the test if none).
std::string usage_error(std::vector<std::string> args) {
  try {
    cli::parse_args(args);
  } catch (const cli::UsageError& e) {
    return e.what();
  }
  FAIL("no UsageError for the arguments");
  return "";
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("cli: defaults", "[cli]") {
  const cli::Options o = parse({});
  CHECK(o.synthetic());
  CHECK_FALSE(o.presplit());
  CHECK(o.format == "auto");
  CHECK_FALSE(o.positive_above.has_value());
  CHECK_FALSE(o.negative_below.has_value());
  CHECK(o.unlabeled == "uniform");
  CHECK(o.label_fraction == 1.0);
  CHECK(o.model == "gmf");
  CHECK(o.methods == std::vector<std::string>{"none", "ns", "tce", "rce", "idl", "ig", "dns", "srns"});
  CHECK(o.epochs == 10);
  CHECK(o.batch == 1024);
  CHECK(o.dim == 32);
  CHECK(o.lr == 1e-3);
  CHECK_FALSE(o.alpha.has_value());
  CHECK(o.effective_alpha() == Approx(1e-4));
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
  const cli::Options o =
      parse({"--data", "train.csv", "--valid", "valid.csv", "--test", "test.csv", "--format", "watch-ratio",
             "--positive-above", "0.7", "--negative-below", "0.3", "--unlabeled", "hidden", "--label-fraction",
             "0.05", "--model", "neumf", "--method", "ig", "--epochs", "3", "--batch", "256", "--dim", "16", "--lr",
             "1e-2", "--alpha", "0.5e-3", "--ig-schedule", "per-train-batch", "--ig-step", "normalized", "--seed",
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
  CHECK(o.ig_schedule == "per-train-batch");
  CHECK(o.ig_step == "normalized");
  CHECK(o.seed == 18446744073709551615ull);
  CHECK(o.threads == 2);
  CHECK(o.json == "r.json");
  CHECK(o.trace == "t.csv");
  CHECK(o.save == "m.ckpt");
  CHECK(o.quiet);

  const cli::Options l = parse({"--load", "a.ckpt"});
  CHECK(l.load == "a.ckpt");
  const cli::Options r = parse({"--resume", "b.ckpt"});
  CHECK(r.resume == "b.ckpt");

  const cli::Options s =
      parse({"--synthetic-users", "200", "--synthetic-items", "100", "--synthetic-rows-per-user", "12.5"});
  CHECK(s.synthetic_users == 200);
  CHECK(s.synthetic_items == 100);
  CHECK(s.synthetic_rows_per_user == 12.5);

  // Without the flag, the default rows per user shrinks with a small item count.
  const cli::Options small = parse({"--synthetic-items", "40"});
  CHECK(small.synthetic_rows_per_user == std::min(20.0, invlearn::SyntheticOptions().labeled_per_user));
}

TEST_CASE("cli: --flag=value, method lists and --help", "[cli]") {
  const cli::Options o = parse({"--epochs=4", "--method=none,ig,idl", "--lr=0.01"});
  CHECK(o.epochs == 4);
  CHECK(o.methods == std::vector<std::string>{"none", "ig", "idl"});
  CHECK(o.lr == 0.01);
  CHECK(parse({"--method", "all"}).methods.size() == 8);
  CHECK(parse({"--epochs", "abc", "--help"}).help);  // --help wins over everything
  CHECK(parse({"-h"}).help);
}

TEST_CASE("cli: --help names every flag and its default", "[cli]") {
  const std::string h = cli::help_text();
  for (const auto& spec : cli::flag_specs()) CHECK(contains(h, spec.name));
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
  CHECK(contains(h, "(default: test-pass)"));
  CHECK(contains(h, "(default: sgd)"));
  CHECK(contains(h, "Exit status"));
}

TEST_CASE("cli: --ig-schedule and --ig-step", "[cli]") {
  // Both values of each, in both spellings of a flag.
  CHECK(parse({"--ig-schedule", "test-pass"}).ig_schedule == "test-pass");
  CHECK(parse({"--ig-schedule=per-train-batch"}).ig_schedule == "per-train-batch");
  CHECK(parse({"--ig-step", "sgd"}).ig_step == "sgd");
  CHECK(parse({"--ig-step=normalized"}).ig_step == "normalized");
  const cli::Options both = parse({"--method", "none,ig", "--ig-step", "normalized", "--ig-schedule", "per-train-batch"});
  CHECK(both.ig_step == "normalized");
  CHECK(both.ig_schedule == "per-train-batch");
  // The allowed values are the names of the library's policies.
  CHECK(cli::ig_schedules() == std::vector<std::string>{invlearn::TestPass::name, invlearn::PerTrainBatch::name});
  CHECK(cli::ig_steps() == std::vector<std::string>{invlearn::SgdStep::name, invlearn::NormalizedStep::name});

  CHECK(contains(usage_error({"--ig-step", "adam"}), "--ig-step: unknown value 'adam' (expected sgd or normalized)"));
  CHECK(contains(usage_error({"--ig-schedule", "per-batch"}),
                 "--ig-schedule: unknown value 'per-batch' (expected test-pass or per-train-batch)"));
  CHECK(contains(usage_error({"--ig-step", "Normalized"}), "--ig-step: unknown value 'Normalized'"));
  CHECK(contains(usage_error({"--ig-step="}), "--ig-step: empty value"));
  CHECK(contains(usage_error({"--ig-schedule"}), "--ig-schedule: missing value"));
  CHECK(contains(usage_error({"--ig-step", "sgd", "--ig-step", "sgd"}), "--ig-step: given more than once"));

  // Without ig in --method they would do nothing: an error, as for the flags of the other data source.
  CHECK(contains(usage_error({"--method", "none,idl", "--ig-step", "normalized"}),
                 "--ig-step: applies to the ig method only, and --method none,idl does not include it"));
  CHECK(contains(usage_error({"--method", "none", "--ig-schedule", "test-pass"}),
                 "--ig-schedule: applies to the ig method only"));
  CHECK(contains(usage_error({"--method", "ns", "--alpha", "0.001"}), "--alpha: applies to the ig method only"));
  CHECK(parse({"--method", "all", "--ig-step", "normalized"}).ig_step == "normalized");
  CHECK(parse({"--method", "none,ig", "--alpha", "0.001"}).effective_alpha() == 0.001);
}

TEST_CASE("cli: numbers are parsed strictly", "[cli]") {
  CHECK(parse({"--lr", "1e-3"}).lr == 1e-3);
  CHECK(parse({"--lr", "0.5"}).lr == 0.5);
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
  CHECK(contains(usage_error({"--dim", "0"}), "--dim: must be in [1, 65536], got 0"));
  CHECK(contains(usage_error({"--lr", "0"}), "--lr: must be > 0, got 0"));
  CHECK(contains(usage_error({"--lr", "-1e-3"}), "--lr: must be > 0"));
  CHECK(contains(usage_error({"--alpha", "-0.1"}), "--alpha: must be >= 0, got -0.1"));
  CHECK(parse({"--alpha", "0"}).effective_alpha() == 0.0);
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

TEST_CASE("cli: per-method output paths", "[cli]") {
  CHECK(cli::with_method("trace.csv", "ig") == "trace.ig.csv");
  CHECK(cli::with_method("out/trace.csv", "ig") == "out/trace.ig.csv");
  CHECK(cli::with_method("trace", "ig") == "trace.ig");
  CHECK(cli::with_method("run.d/trace", "ig") == "run.d/trace.ig");
  CHECK(cli::with_method(".trace", "ig") == ".trace.ig");
  CHECK(cli::with_method("a/b.tar.gz", "ns") == "a/b.tar.ns.gz");
  CHECK(cli::output_path("m.ckpt", "ig", false) == "m.ckpt");
  CHECK(cli::output_path("m.ckpt", "ig", true) == "m.ig.ckpt");
  CHECK_THROWS_AS(cli::check_output_path("--json", "/nonexistent-dir-for-cli-test/r.json"), cli::UsageError);
  CHECK_THROWS_WITH(cli::check_output_path("--json", "/nonexistent-dir-for-cli-test/r.json"),
                    Catch::Contains("--json: cannot write to directory /nonexistent-dir-for-cli-test"));
  CHECK_THROWS_WITH(cli::check_output_path("--trace", "out/"), Catch::Contains("names a directory"));
  CHECK_NOTHROW(cli::check_output_path("--json", "r.json"));
}

TEST_CASE("cli: JSON strings are escaped", "[cli]") {
  CHECK(cli::json_string("plain") == "\"plain\"");
  CHECK(cli::json_string("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(cli::json_string("\n\r\t\b\f") == "\"\\n\\r\\t\\b\\f\"");
  CHECK(cli::json_string(std::string("\x01\x1f\x7f", 3)) == "\"\\u0001\\u001f\\u007f\"");
  CHECK(cli::json_string(std::string("a\0b", 3)) == "\"a\\u0000b\"");
  CHECK(cli::json_string("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80") == "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"");
  // Invalid UTF-8 (stray continuation, truncated sequence, overlong, surrogate) → U+FFFD.
  CHECK(cli::json_string("\x80") == "\"\\ufffd\"");
  CHECK(cli::json_string("\xC3") == "\"\\ufffd\"");
  CHECK(cli::json_string("\xC0\xAF") == "\"\\ufffd\\ufffd\"");
  CHECK(cli::json_string("\xED\xA0\x80") == "\"\\ufffd\\ufffd\\ufffd\"");
  CHECK(cli::json_string("\xFF" "a") == "\"\\ufffda\"");
}

TEST_CASE("cli: JSON numbers; NaN and infinities are null", "[cli]") {
  CHECK(cli::json_number(0.5) == "0.5");
  CHECK(cli::json_number(1e-3) == "0.001");
  CHECK(cli::json_number(-2.0) == "-2");
  CHECK(cli::json_number(0.1 + 0.2) == "0.30000000000000004");  // round-trips exactly
  CHECK(cli::json_number(std::nan("")) == "null");
  CHECK(cli::json_number(std::numeric_limits<double>::infinity()) == "null");
  CHECK(cli::json_number(-std::numeric_limits<double>::infinity()) == "null");
  CHECK(cli::json_number(42LL) == "42");
}

TEST_CASE("cli: the JSON report has the documented shape", "[cli]") {
  cli::DatasetSummary d;
  d.name = "data/\"odd\".csv";
  d.users = 3;
  d.items = 4;
  d.train_rows = 5;
  d.positive_share = 0.4;
  cli::MethodResult ig;
  ig.method = "ig";
  ig.auc = 0.75;
  ig.gauc = std::nan("");
  ig.best_epoch = 2;
  ig.choices[0] = 7;
  ig.choices[2] = 1;
  ig.annotation_accuracy = 0.5;
  ig.ig_schedule = "per-train-batch";
  ig.ig_step = "normalized";
  cli::MethodResult failed;
  failed.method = "ns";
  failed.error = "ns, epoch 1, step 3: loss is not finite";
  const std::string j = cli::to_json(d, "gmf", {ig, failed});
  CHECK(contains(j, "\"dataset\": {\"name\": \"data/\\\"odd\\\".csv\", \"users\": 3, \"items\": 4"));
  CHECK(contains(j, "\"model\": \"gmf\""));
  CHECK(contains(j, "\"results\": ["));
  CHECK(contains(j, "{\"method\": \"ig\", \"auc\": 0.75, \"gauc\": null, \"gauc_weighted\": null, \"ndcg@10\": null, "
                    "\"mrr\": null, \"best_epoch\": 2, \"train_seconds\": null, "
                    "\"ig_choices\": {\"direct\": 7, \"none\": 0, \"inverse\": 1}, \"annotation_accuracy\": 0.5, "
                    "\"ig_schedule\": \"per-train-batch\", \"ig_step\": \"normalized\"}"));
  CHECK(contains(j, "\"method\": \"ns\""));
  CHECK(contains(j, "\"ig_schedule\": null, \"ig_step\": null"));
  CHECK(contains(j, "\"best_epoch\": null"));
  CHECK(contains(j, "\"error\": \"ns, epoch 1, step 3: loss is not finite\""));
  CHECK_FALSE(contains(j, "nan"));
  CHECK(cli::to_json(d, "gmf", {}).find("\"results\": []") != std::string::npos);
}

TEST_CASE("cli: atomic write replaces the whole file", "[cli]") {
  const std::string path = std::string(INVLEARN_TEST_BINARY_DIR) + "/cli_atomic.json";
  cli::write_file_atomic(path, "{\"a\": 1}\n");
  cli::write_file_atomic(path, "{}\n");
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  CHECK(ss.str() == "{}\n");
  std::remove(path.c_str());
  CHECK_THROWS_AS(cli::write_file_atomic("/nonexistent-dir-for-cli-test/x.json", "{}"), cli::OutputError);
  CHECK_THROWS_WITH(cli::write_file_atomic("/nonexistent-dir-for-cli-test/x.json", "{}"),
                    Catch::Contains("cannot write /nonexistent-dir-for-cli-test/x.json"));
}

TEST_CASE("cli: table rows", "[cli]") {
  cli::MethodResult r;
  r.method = "ig";
  r.auc = 0.81234;
  r.best_epoch = 3;
  r.choices[0] = 2;
  r.choices[1] = 1;
  r.choices[2] = 4;
  const std::string row = cli::format_table_row(r);
  CHECK(contains(row, "0.8123"));
  CHECK(contains(row, "2/1/4"));
  r.method = "none";
  CHECK_FALSE(contains(cli::format_table_row(r), "2/1/4"));
  r.error = "diverged";
  CHECK(contains(cli::format_table_row(r), "failed: diverged"));
  CHECK(contains(cli::format_table_header(), "NDCG@10"));
}

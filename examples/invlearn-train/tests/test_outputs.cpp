// invlearn-train's outputs as functions: per-method file names, the --json report and
// the results table.

#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "common/json.hpp"
#include "paths.hpp"
#include "report.hpp"
#include "results.hpp"
#include "sweep.hpp"

namespace {

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("cli: per-method output paths", "[cli]") {
  CHECK(train::with_method("trace.csv", "ig") == "trace.ig.csv");
  CHECK(train::with_method("out/trace.csv", "ig") == "out/trace.ig.csv");
  CHECK(train::with_method("trace", "ig") == "trace.ig");
  CHECK(train::with_method("run.d/trace", "ig") == "run.d/trace.ig");
  CHECK(train::with_method(".trace", "ig") == ".trace.ig");
  CHECK(train::with_method("a/b.tar.gz", "ns") == "a/b.tar.ns.gz");
  CHECK(train::output_path("m.ckpt", "ig", false) == "m.ckpt");
  CHECK(train::output_path("m.ckpt", "ig", true) == "m.ig.ckpt");
}

TEST_CASE("cli: the JSON report has the documented shape", "[cli]") {
  train::DatasetSummary d;
  d.name = "data/\"odd\".csv";
  d.users = 3;
  d.items = 4;
  d.train_rows = 5;
  d.positive_share = 0.4;
  train::MethodResult ig;
  ig.method = "ig";
  ig.auc = 0.75;
  ig.gauc = std::nan("");
  ig.best_epoch = 2;
  ig.choices[0] = 7;
  ig.choices[2] = 1;
  ig.annotation_accuracy = 0.5;
  ig.ig_preset = "paper";
  ig.ig_schedule = "per-train-batch";
  ig.ig_step = "normalized";
  train::MethodResult failed;
  failed.method = "ns";
  failed.error = "ns, epoch 1, step 3: loss is not finite";
  const std::string text = train::report_json(d, "gmf", {ig, failed});
  CHECK_FALSE(contains(text, "nan"));
  CHECK(contains(text, "\"name\": \"data/\\\"odd\\\".csv\""));

  const cli::Json j = cli::Json::parse(text);
  CHECK(j.size() == 3);
  CHECK(j.begin().key() == "dataset");  // fields in the documented order
  CHECK(j["dataset"] == cli::Json::parse(R"({"name": "data/\"odd\".csv", "users": 3, "items": 4, "train_rows": 5,
      "valid_rows": 0, "test_rows": 0, "positive_share": 0.4, "unlabeled": "uniform", "pool_rows": 0,
      "label_fraction": 1.0})"));
  CHECK(j["model"] == "gmf");
  REQUIRE(j["results"].size() == 2);
  CHECK(j["results"][0] == cli::Json::parse(R"({"method": "ig", "auc": 0.75, "gauc": null, "gauc_weighted": null,
      "ndcg@10": null, "mrr": null, "best_epoch": 2, "train_seconds": null,
      "ig_choices": {"direct": 7, "none": 0, "inverse": 1}, "annotation_accuracy": 0.5,
      "ig_preset": "paper", "ig_schedule": "per-train-batch", "ig_step": "normalized"})"));
  const cli::Json& ns = j["results"][1];
  CHECK(ns["method"] == "ns");
  CHECK(ns["ig_schedule"].is_null());
  CHECK(ns["ig_step"].is_null());
  CHECK(ns["best_epoch"].is_null());
  CHECK(ns["error"] == "ns, epoch 1, step 3: loss is not finite");
  CHECK(cli::Json::parse(train::report_json(d, "gmf", {}))["results"] == cli::Json::array());
}

TEST_CASE("cli: table rows", "[cli]") {
  train::MethodResult r;
  r.method = "ig";
  r.auc = 0.81234;
  r.best_epoch = 3;
  r.choices[0] = 2;
  r.choices[1] = 1;
  r.choices[2] = 4;
  const std::string row = train::format_table_row(r);
  CHECK(contains(row, "0.8123"));
  CHECK(contains(row, "2/1/4"));
  r.method = "none";
  CHECK_FALSE(contains(train::format_table_row(r), "2/1/4"));
  r.error = "diverged";
  CHECK(contains(train::format_table_row(r), "failed: diverged"));
  CHECK(contains(train::format_table_header(), "NDCG@10"));
}

TEST_CASE("cli: --topk adds a JSON field and Recall/NDCG columns", "[cli]") {
  train::MethodResult r;
  r.method = "none";
  CHECK(cli::Json::parse(train::report_json(train::DatasetSummary{}, "gmf", {r}))["results"][0].count("topk") == 0);
  r.topk.at = {{10, 0.25, 0.1, 0.5, 0.3, 0.2}, {20, 0.5, 0.05, 0.75, 0.4, 0.25}};
  r.topk.users = 12;
  r.topk.users_without_positive = 3;
  const cli::Json j = cli::Json::parse(train::report_json(train::DatasetSummary{}, "gmf", {r}))["results"][0]["topk"];
  CHECK(j["recall@10"] == 0.25);
  CHECK(j["precision@10"] == 0.1);
  CHECK(j["hr@10"] == 0.5);
  CHECK(j["ndcg@10"] == 0.3);
  CHECK(j["mrr@10"] == 0.2);
  CHECK(j["ndcg@20"] == 0.4);
  CHECK(j["users"] == 12);
  CHECK(j["users_without_positive"] == 3);
  const std::string header = train::format_table_header({10, 20});
  CHECK(header.find("R@10") != std::string::npos);
  CHECK(header.find("N@20") != std::string::npos);
  const std::string row = train::format_table_row(r);
  CHECK(row.find("0.2500") != std::string::npos);
  CHECK(row.find("0.4000") != std::string::npos);
  CHECK(row.size() == header.size());
}

TEST_CASE("cli: a sweep's summary: mean and sample sd per (label fraction, method), failures apart", "[cli][sweep]") {
  auto result = [](const std::string& method, double auc) {
    train::MethodResult r;
    r.method = method;
    r.auc = auc;
    r.gauc = auc - 0.1;
    r.best_epoch = 4;
    r.train_seconds = 1.0;
    return r;
  };
  std::vector<train::SweepRun> runs(3);
  runs[0].label_fraction = 0.5;
  runs[0].seed = 1;
  runs[0].results = {result("none", 0.70), result("ig", 0.80)};
  runs[1].label_fraction = 0.5;
  runs[1].seed = 2;
  runs[1].results = {result("none", 0.60), result("ig", 0.90)};
  runs[2].label_fraction = 0.05;
  runs[2].seed = 1;
  train::MethodResult failed = result("ig", std::nan(""));
  failed.error = "diverged";
  runs[2].results = {result("none", 0.55), failed};

  const auto cells = train::summarize_sweep(runs, {0.5, 0.05}, {"none", "ig"});
  REQUIRE(cells.size() == 4u);
  CHECK(cells[0].label_fraction == 0.5);
  CHECK(cells[0].method == "none");
  CHECK(cells[0].auc.n == 2);
  CHECK(cells[0].auc.mean == Approx(0.65));
  CHECK(cells[0].auc.sd == Approx(std::sqrt(0.005)));  // sample sd: Σ(x - x̄)² / (n - 1)
  CHECK(cells[1].auc.mean == Approx(0.85));
  CHECK(cells[1].gauc.mean == Approx(0.75));
  CHECK(cells[2].auc.n == 1);
  CHECK(std::isnan(cells[2].auc.sd));  // one run has no spread
  CHECK(cells[3].auc.n == 0);
  CHECK(cells[3].failed == 1);

  CHECK(contains(train::format_sweep_row(cells[0]), "0.6500 +- 0.0707"));
  CHECK(contains(train::format_sweep_row(cells[2]), "0.5500 "));
  CHECK_FALSE(contains(train::format_sweep_row(cells[2]), "+-"));
  CHECK(contains(train::format_sweep_row(cells[3]), "(1 failed)"));

  const cli::Json j = cli::Json::parse(train::sweep_json("gmf", {0.5, 0.05}, {1, 2}, {"none", "ig"}, runs));
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  CHECK(keys == std::vector<std::string>{"model", "sweep", "summary", "runs"});
  CHECK(j["sweep"]["label_fractions"] == cli::Json::parse("[0.5, 0.05]"));
  CHECK(j["sweep"]["seeds"] == cli::Json::parse("[1, 2]"));
  CHECK(j["summary"].size() == 4u);
  CHECK(j["summary"][0]["auc"]["mean"].get<double>() == Approx(0.65));
  CHECK(j["summary"][2]["auc"]["sd"].is_null());
  CHECK(j["summary"][3]["failed"] == 1);
  CHECK(j["runs"].size() == 3u);
  CHECK(j["runs"][2]["results"][1]["error"] == "diverged");
}

#pragma once
// The --json report: {"dataset": {...}, "model": "...", "results": [...]}, one result
// per method that has run. docs/cli.md lists the fields. Metrics that are undefined
// (NaN) are null.

#include <string>
#include <vector>

#include "common/json.hpp"
#include "results.hpp"

namespace train {

inline cli::Json to_json(const DatasetSummary& d) {
  cli::Json j;
  j["name"] = d.name;
  j["users"] = d.users;
  j["items"] = d.items;
  j["train_rows"] = d.train_rows;
  j["valid_rows"] = d.valid_rows;
  j["test_rows"] = d.test_rows;
  j["positive_share"] = d.positive_share;
  j["unlabeled"] = d.unlabeled;
  j["pool_rows"] = d.pool_rows;
  j["label_fraction"] = d.label_fraction;
  return j;
}

inline cli::Json to_json(const MethodResult& r) {
  cli::Json j;
  j["method"] = r.method;
  j["auc"] = r.auc;
  j["gauc"] = r.gauc;
  j["gauc_weighted"] = r.gauc_weighted;
  j["ndcg@10"] = r.ndcg;
  j["mrr"] = r.mrr;
  j["best_epoch"] = r.ok() ? cli::Json(r.best_epoch) : cli::Json();
  j["train_seconds"] = r.train_seconds;
  j["ig_choices"] = {{"direct", r.choices[0]}, {"none", r.choices[1]}, {"inverse", r.choices[2]}};
  j["annotation_accuracy"] = r.annotation_accuracy;
  j["ig_preset"] = cli::string_or_null(r.ig_preset);
  j["ig_schedule"] = cli::string_or_null(r.ig_schedule);
  j["ig_step"] = cli::string_or_null(r.ig_step);
  if (!r.topk.at.empty()) j["topk"] = topk_json(r.topk);
  if (!r.ok()) j["error"] = r.error;
  return j;
}

/// The whole report as JSON text.
inline std::string report_json(const DatasetSummary& dataset, const std::string& model,
                               const std::vector<MethodResult>& results) {
  cli::Json report;
  report["dataset"] = to_json(dataset);
  report["model"] = model;
  report["results"] = cli::Json::array();
  for (const MethodResult& r : results) report["results"].push_back(to_json(r));
  return cli::json_text(report);
}

}  // namespace train

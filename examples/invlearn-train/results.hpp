#pragma once
// What one run reports: the data set it trained on, one row per method, and the
// Table-1-style text rendering of both.

#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include <invlearn/core/types.hpp>
#include <invlearn/metrics/full_ranking.hpp>

#include "topk.hpp"

namespace train {

/// The data set line: sizes of the parts and where unlabeled pairs come from.
struct DatasetSummary {
  std::string name;  ///< "synthetic" or the training file's path
  invlearn::Index users = 0, items = 0;
  invlearn::Index train_rows = 0, valid_rows = 0, test_rows = 0;
  double positive_share = std::numeric_limits<double>::quiet_NaN();  ///< among training labels
  std::string unlabeled = "uniform";
  invlearn::Index pool_rows = 0;  ///< unlabeled pool size (middle/hidden), 0 for uniform
  double label_fraction = 1.0;
};

/// One method's outcome. Metrics are on the test rows; NaN means undefined or not
/// applicable (and becomes null in JSON). `error` is set when training failed.
struct MethodResult {
  static constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  std::string method;
  double auc = nan, gauc = nan, gauc_weighted = nan, ndcg = nan, mrr = nan;
  int best_epoch = 0;
  double train_seconds = nan;
  invlearn::Index choices[3] = {0, 0, 0};  ///< IG: direct, none, inverse
  double annotation_accuracy = nan;        ///< only when the truth of unlabeled pairs is known
  std::string ig_preset;                   ///< IG only: --ig-preset; empty otherwise
  std::string ig_schedule, ig_step;        ///< IG paper only: --ig-schedule and --ig-step; empty otherwise
  invlearn::FullRankingReport topk;        ///< --topk: full-ranking metrics (none without it)
  std::string error;                       ///< empty on success
  bool ok() const { return error.empty(); }
};

inline std::string format_dataset_line(const DatasetSummary& d) {
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "dataset %s: %lld users, %lld items; rows train %lld / valid %lld / test %lld; "
                "positives %.1f%% of training labels; unlabeled: %s",
                d.name.c_str(), static_cast<long long>(d.users), static_cast<long long>(d.items),
                static_cast<long long>(d.train_rows), static_cast<long long>(d.valid_rows),
                static_cast<long long>(d.test_rows), 100.0 * d.positive_share, d.unlabeled.c_str());
  std::string s = buf;
  if (d.pool_rows > 0) s += " (" + std::to_string(d.pool_rows) + " pool rows)";
  if (d.label_fraction < 1.0) {
    std::snprintf(buf, sizeof buf, "; label fraction %g", d.label_fraction);
    s += buf;
  }
  return s;
}

namespace detail {
inline std::string cell(double v, const char* fmt = "%.4f") {
  if (!std::isfinite(v)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}
}  // namespace detail

/// The header, with a Recall and an NDCG column for each K of --topk.
inline std::string format_table_header(const std::vector<int>& topk = {}) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "%-6s %7s %7s %7s %7s %7s %5s %8s %17s %8s", "method", "AUC", "GAUC",
                "GAUC(w)", "NDCG@10", "MRR", "best", "seconds", "IG d/n/i", "ann.acc");
  return buf + topk_header(topk);
}

/// One table row; a failed method shows its error instead of metrics.
inline std::string format_table_row(const MethodResult& r) {
  char buf[256];
  if (!r.ok()) {
    std::snprintf(buf, sizeof buf, "%-6s failed: %s", r.method.c_str(), r.error.c_str());
    return buf;
  }
  std::string choices = "-";
  if (r.method == "ig")
    choices = std::to_string(r.choices[0]) + "/" + std::to_string(r.choices[1]) + "/" + std::to_string(r.choices[2]);
  using detail::cell;
  std::snprintf(buf, sizeof buf, "%-6s %7s %7s %7s %7s %7s %5d %8s %17s %8s", r.method.c_str(), cell(r.auc).c_str(),
                cell(r.gauc).c_str(), cell(r.gauc_weighted).c_str(), cell(r.ndcg).c_str(), cell(r.mrr).c_str(),
                r.best_epoch, cell(r.train_seconds, "%.1f").c_str(), choices.c_str(),
                cell(r.annotation_accuracy, "%.3f").c_str());
  return buf + topk_cells(r.topk);
}

}  // namespace train

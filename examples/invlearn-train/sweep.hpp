#pragma once
// A sparsity sweep: every method at every --label-fraction, --seeds times each. What it
// reports: the runs as they are, and per (label fraction, method) the mean and sample
// standard deviation of each metric over the seeds (runs that failed are counted apart).

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "common/json.hpp"
#include "report.hpp"
#include "results.hpp"

namespace train {

/// One run of a sweep: a label fraction and a seed, every method.
struct SweepRun {
  double label_fraction = 1.0;
  std::uint64_t seed = 0;
  DatasetSummary dataset;
  std::vector<MethodResult> results;
};

/// Mean and sample standard deviation (NaN for fewer than two values) of what was measured.
struct Spread {
  double mean = std::nan(""), sd = std::nan("");
  int n = 0;
};

inline Spread spread_of(const std::vector<double>& v) {
  Spread s;
  s.n = static_cast<int>(v.size());
  if (v.empty()) return s;
  double sum = 0.0;
  for (double x : v) sum += x;
  s.mean = sum / s.n;
  if (s.n > 1) {
    double sq = 0.0;
    for (double x : v) sq += (x - s.mean) * (x - s.mean);
    s.sd = std::sqrt(sq / (s.n - 1));
  }
  return s;
}

/// One (label fraction, method) cell of the sweep's summary.
struct SweepCell {
  double label_fraction = 1.0;
  std::string method;
  Spread auc, gauc, ndcg, best_epoch, seconds;
  int failed = 0;
};

inline std::vector<SweepCell> summarize_sweep(const std::vector<SweepRun>& runs, const std::vector<double>& fractions,
                                              const std::vector<std::string>& methods) {
  std::vector<SweepCell> cells;
  for (double f : fractions)
    for (const std::string& m : methods) {
      SweepCell c;
      c.label_fraction = f;
      c.method = m;
      std::vector<double> auc, gauc, ndcg, best, secs;
      for (const SweepRun& run : runs) {
        if (run.label_fraction != f) continue;
        for (const MethodResult& r : run.results) {
          if (r.method != m) continue;
          if (!r.ok()) {
            ++c.failed;
            continue;
          }
          auc.push_back(r.auc);
          gauc.push_back(r.gauc);
          ndcg.push_back(r.ndcg);
          best.push_back(r.best_epoch);
          secs.push_back(r.train_seconds);
        }
      }
      c.auc = spread_of(auc);
      c.gauc = spread_of(gauc);
      c.ndcg = spread_of(ndcg);
      c.best_epoch = spread_of(best);
      c.seconds = spread_of(secs);
      cells.push_back(c);
    }
  return cells;
}

namespace detail {
inline std::string mean_sd(const Spread& s, const char* fmt = "%.4f") {
  if (!std::isfinite(s.mean)) return "-";
  std::string out = cell(s.mean, fmt);
  if (std::isfinite(s.sd)) out += " +- " + cell(s.sd, fmt);
  return out;
}
}  // namespace detail

inline std::string format_sweep_header() {
  char buf[160];
  std::snprintf(buf, sizeof buf, "%-8s %-6s %17s %17s %17s %6s %8s %4s", "labels", "method", "AUC", "GAUC", "NDCG@10",
                "best", "seconds", "runs");
  return buf;
}

inline std::string format_sweep_row(const SweepCell& c) {
  char buf[256], fraction[32];
  std::snprintf(fraction, sizeof fraction, "%g", c.label_fraction);
  std::string runs = std::to_string(c.auc.n);
  if (c.failed > 0) runs += " (" + std::to_string(c.failed) + " failed)";
  using detail::mean_sd;
  std::snprintf(buf, sizeof buf, "%-8s %-6s %17s %17s %17s %6s %8s %4s", fraction, c.method.c_str(),
                mean_sd(c.auc).c_str(), mean_sd(c.gauc).c_str(), mean_sd(c.ndcg).c_str(),
                detail::cell(c.best_epoch.mean, "%.0f").c_str(), detail::cell(c.seconds.mean, "%.1f").c_str(),
                runs.c_str());
  return buf;
}

inline cli::Json to_json(const Spread& s) {
  return {{"mean", s.mean}, {"sd", s.sd}, {"n", s.n}};
}

/// The sweep's --json report: {"model", "sweep": {label_fractions, seeds, methods},
/// "summary": [...], "runs": [{label_fraction, seed, dataset, results}]}.
inline std::string sweep_json(const std::string& model, const std::vector<double>& fractions,
                              const std::vector<std::uint64_t>& seeds, const std::vector<std::string>& methods,
                              const std::vector<SweepRun>& runs) {
  cli::Json report;
  report["model"] = model;
  report["sweep"] = {{"label_fractions", fractions}, {"seeds", seeds}, {"methods", methods}};
  report["summary"] = cli::Json::array();
  for (const SweepCell& c : summarize_sweep(runs, fractions, methods)) {
    cli::Json j;
    j["label_fraction"] = c.label_fraction;
    j["method"] = c.method;
    j["auc"] = to_json(c.auc);
    j["gauc"] = to_json(c.gauc);
    j["ndcg@10"] = to_json(c.ndcg);
    j["best_epoch"] = to_json(c.best_epoch);
    j["train_seconds"] = to_json(c.seconds);
    j["failed"] = c.failed;
    report["summary"].push_back(j);
  }
  report["runs"] = cli::Json::array();
  for (const SweepRun& run : runs) {
    cli::Json j;
    j["label_fraction"] = run.label_fraction;
    j["seed"] = run.seed;
    j["dataset"] = to_json(run.dataset);
    j["results"] = cli::Json::array();
    for (const MethodResult& r : run.results) j["results"].push_back(to_json(r));
    report["runs"].push_back(j);
  }
  return cli::json_text(report);
}

}  // namespace train

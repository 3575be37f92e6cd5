#pragma once
// --topk: full-ranking evaluation of each method on the test rows (metrics/full_ranking.hpp),
// its values, its JSON field and its table columns.

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include <invlearn/data/dataset.hpp>
#include <invlearn/metrics/full_ranking.hpp>

#include "common/errors.hpp"
#include "common/json.hpp"
#include "common/values.hpp"

namespace train {

/// "10,20" → {10, 20}, sorted: integers >= 1, none twice. A --config file's list arrives
/// split at its commas, joined by newlines.
inline std::vector<int> parse_topk(const std::string& flag, std::string text) {
  for (char& c : text)
    if (c == '\n') c = ',';
  std::vector<int> ks;
  for (const std::string& item : cli::split_commas(text)) {
    const int k = static_cast<int>(cli::parse_integer(flag, item, 1, 1 << 20));
    if (std::find(ks.begin(), ks.end(), k) != ks.end()) throw cli::UsageError(flag + ": " + item + " is listed twice");
    ks.push_back(k);
  }
  std::sort(ks.begin(), ks.end());
  return ks;
}

/// Recall, Precision, HR, NDCG and MRR at each K on the test rows, ranked over the whole
/// catalogue with the training pairs (the labeled rows and any unlabeled pool) and the
/// validation pairs masked.
template <class Model>
invlearn::FullRankingReport evaluate_topk(const Model& model, const invlearn::Dataset& d, const std::vector<int>& ks) {
  return invlearn::evaluate_full_ranking(model, d.test, {&d.train, &d.unlabeled_pool, &d.valid}, ks);
}

/// {"recall@10": …, "ndcg@10": …, "precision@10": …, "hr@10": …, "mrr@10": …, …, "users": N,
/// "users_without_positive": M}.
inline cli::Json topk_json(const invlearn::FullRankingReport& r) {
  cli::Json j = cli::Json::object();
  for (const invlearn::TopKMetrics& m : r.at) {
    const std::string at = "@" + std::to_string(m.k);
    j["recall" + at] = m.recall;
    j["ndcg" + at] = m.ndcg;
    j["precision" + at] = m.precision;
    j["hr" + at] = m.hr;
    j["mrr" + at] = m.mrr;
  }
  j["users"] = r.users;
  j["users_without_positive"] = r.users_without_positive;
  return j;
}

/// The table's Recall and NDCG columns: headers for `ks`, or one report's cells.
inline std::string topk_header(const std::vector<int>& ks) {
  std::string s;
  char buf[32];
  for (int k : ks) {
    std::snprintf(buf, sizeof buf, " %8s %8s", ("R@" + std::to_string(k)).c_str(), ("N@" + std::to_string(k)).c_str());
    s += buf;
  }
  return s;
}
inline std::string topk_cells(const invlearn::FullRankingReport& r) {
  std::string s;
  char buf[32];
  for (const invlearn::TopKMetrics& m : r.at) {
    std::snprintf(buf, sizeof buf, " %8.4f %8.4f", m.recall, m.ndcg);
    s += buf;
  }
  return s;
}

}  // namespace train

#pragma once
/// @file evaluate.hpp
/// Scoring a model on a split and the full metric report (AUC, GAUC, NDCG@K, MRR, BCE).

#include <algorithm>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "invlearn/core/error.hpp"
#include "invlearn/core/math.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/data/interactions.hpp"
#include "invlearn/metrics/auc.hpp"
#include "invlearn/metrics/ranking.hpp"
#include "invlearn/model/predict.hpp"

namespace invlearn {

/// Every metric of one split, as reported in the paper's tables (plus the loss used for model
/// selection). A metric that is undefined on the split (e.g. AUC with one class) is NaN.
struct MetricReport {
  double auc;            ///< auc() over all rows.
  double gauc;           ///< gauc().unweighted: per-user AUC, plain mean (the paper's GAUC).
  double gauc_weighted;  ///< gauc().weighted: per-user AUC weighted by the user's row count.
  double ndcg;           ///< ndcg_at_k() with k = ndcg_k.
  double mrr;            ///< mrr(), ranked by the model's scores.
  double loss;           ///< mean_bce() of the logits against the labels.
  int ndcg_k;            ///< The K of ndcg.
  Index rows;            ///< Number of rows scored.
};

/// Mean binary cross-entropy of `logits` against `labels`:
/// \f$\frac1n\sum_r \ell(x_r, y_r)\f$ with
/// \f$\ell(x, y) = \max(x,0) - xy + \log(1+e^{-|x|})\f$ (bce_with_logits(), stable for any
/// finite logit). Summed in row order in double.
///
/// @return NaN for empty input; NaN if a logit is NaN (it propagates, so a diverged model
///         is never selected by lowest loss without notice).
/// @throws InvalidArgument if the sizes differ ("mean_bce: logits has N rows but labels has M").
inline double mean_bce(const std::vector<float>& labels, const std::vector<double>& logits) {
  detail::require_same_rows("mean_bce", "labels", labels.size(), "logits", logits.size());
  if (labels.empty()) return std::numeric_limits<double>::quiet_NaN();
  double sum = 0.0;
  for (std::size_t r = 0; r < labels.size(); ++r)
    sum += bce_with_logits(logits[r], static_cast<double>(labels[r]));
  return sum / static_cast<double>(labels.size());
}

/// The logits of every row of `data`, in row order, computed `chunk` rows at a time so the
/// workspace (and the model's activations) stay bounded whatever the split's size.
///
/// `Model` needs `Scalar`, `Workspace`, `workspace(Index max_batch)` and
/// `forward(const BatchView&, Workspace&, logits) const` writing `batch.size` logits into a
/// contiguous Scalar vector expression (GMF, NeuMF). Labels are not read; batches carry them
/// only when `data.labels` has one per row.
///
/// @throws InvalidArgument if chunk < 1 or `data.items` and `data.users` differ in length;
///         whatever the model's forward throws (ids out of range, ...).
template <class Model>
std::vector<double> predict(const Model& model, const Interactions& data, Index chunk = 4096) {
  using Scalar = typename Model::Scalar;
  if (chunk < 1)
    throw InvalidArgument("predict: chunk must be at least 1 (got " + std::to_string(chunk) +
                          ")");
  detail::require_same_rows("predict", "data.users", data.users.size(), "data.items",
                            data.items.size());
  const Index n = data.size();
  std::vector<double> out(static_cast<std::size_t>(n));
  if (n == 0) return out;
  typename Model::Workspace ws = model.workspace(std::min(chunk, n));
  Vector<Scalar> logits;
  BatchView all;
  all.users = data.users.data();
  all.items = data.items.data();
  all.labels = data.labels.size() == data.users.size() ? data.labels.data() : nullptr;
  all.size = n;
  std::size_t at = 0;
  for_each_logit_chunk(model, all, chunk, ws, logits, [&](const BatchView& part, const Scalar* values) {
    for (Index k = 0; k < part.size; ++k) out[at++] = static_cast<double>(values[k]);
  });
  return out;
}

/// The MetricReport of `scores` (logits) against `labels`, rows grouped by `users`:
/// auc(), gauc(), ndcg_at_k(ndcg_k), mrr() and mean_bce(). The per-user ranking is built
/// once and shared by NDCG and MRR. O(n log n).
///
/// @throws InvalidArgument if sizes differ (naming the argument), ndcg_k < 1, a score is
///         NaN ("evaluate: score at row r is NaN") or a label is not 0 or 1.
inline MetricReport evaluate_scores(const std::vector<Index>& users,
                                    const std::vector<float>& labels,
                                    const std::vector<double>& scores, int ndcg_k) {
  detail::require_positive_k("evaluate", ndcg_k);
  detail::require_same_rows("evaluate", "users", users.size(), "labels", labels.size());
  detail::require_same_rows("evaluate", "users", users.size(), "scores", scores.size());
  detail::require_no_nan_scores("evaluate", scores);
  detail::require_binary_labels("evaluate", labels);

  MetricReport report;
  report.auc = auc(labels, scores);
  const GaucResult g = gauc(users, labels, scores);
  report.gauc = g.unweighted;
  report.gauc_weighted = g.weighted;
  const std::vector<detail::RankedRow> ranked = detail::rank_within_users(users, scores);
  report.ndcg = detail::ndcg_of_ranked(ranked, labels, ndcg_k);
  report.mrr = detail::mrr_of_ranked(ranked, labels);
  report.loss = mean_bce(labels, scores);
  report.ndcg_k = ndcg_k;
  report.rows = static_cast<Index>(labels.size());
  return report;
}

/// Scores every row of `data` with predict() (`chunk` rows per forward call) and reports
/// evaluate_scores() on them.
///
/// @throws InvalidArgument as predict() and evaluate_scores() do; `data.labels` must hold one
///         label (0 or 1) per row.
template <class Model>
MetricReport evaluate(const Model& model, const Interactions& data, int ndcg_k = 10,
                      Index chunk = 4096) {
  detail::require_positive_k("evaluate", ndcg_k);
  detail::require_same_rows("evaluate", "data.users", data.users.size(), "data.labels",
                            data.labels.size());
  const std::vector<double> scores = predict(model, data, chunk);
  return evaluate_scores(data.users, data.labels, scores, ndcg_k);
}

}  // namespace invlearn

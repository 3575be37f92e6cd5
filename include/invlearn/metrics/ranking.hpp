#pragma once
/// @file ranking.hpp
/// Per-user ranking metrics over each user's own rows: NDCG@K and MRR.
///
/// Each user's rows are ranked by the model's score, highest first. **Ties are broken by row
/// index: of two rows with equal scores, the one earlier in the input ranks higher.** The rule
/// is fixed so results never depend on the sort implementation. A model that scores a user's
/// rows alike is therefore credited with the input order: data whose row order carries the
/// labels (e.g. each user's positives written first) should be shuffled before it is scored.
///
/// Rank r below is 0-based (r = 0 is the top row). Rows are grouped by one sort on
/// (user, score, row), so each metric costs O(n log n) in all.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "invlearn/core/error.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/metrics/auc.hpp"

namespace invlearn {

namespace detail {

/// Throws InvalidArgument "<where>: label at row r is v, not a finite value >= 0".
inline void require_relevance_labels(const char* where, const std::vector<float>& labels) {
  for (std::size_t r = 0; r < labels.size(); ++r)
    if (!(std::isfinite(labels[r]) && labels[r] >= 0.0f))
      throw InvalidArgument(std::string(where) + ": label at row " + std::to_string(r) + " is " +
                            std::to_string(labels[r]) + ", not a finite value >= 0");
}

/// Checks the arguments common to the ranking metrics.
inline void check_ranking_args(const char* where, const std::vector<Index>& users,
                               const std::vector<float>& labels,
                               const std::vector<double>& scores) {
  require_same_rows(where, "users", users.size(), "labels", labels.size());
  require_same_rows(where, "users", users.size(), "scores", scores.size());
  require_no_nan_scores(where, scores);
  require_relevance_labels(where, labels);
}

/// One row's place in the per-user ranking.
struct RankedRow {
  Index user;
  double score;
  Index row;
};

/// All rows sorted by user (ascending), then score (descending), then row (ascending):
/// each user's rows are contiguous and in rank order. A strict total order, so the result
/// is the same for every sort implementation. Scores must not be NaN.
inline std::vector<RankedRow> rank_within_users(const std::vector<Index>& users,
                                                const std::vector<double>& scores) {
  std::vector<RankedRow> ranked(users.size());
  for (std::size_t r = 0; r < ranked.size(); ++r)
    ranked[r] = {users[r], scores[r], static_cast<Index>(r)};
  std::sort(ranked.begin(), ranked.end(), [](const RankedRow& a, const RankedRow& b) {
    if (a.user != b.user) return a.user < b.user;
    if (a.score != b.score) return a.score > b.score;
    return a.row < b.row;
  });
  return ranked;
}

/// End of the user group that starts at `begin` in `ranked`.
inline std::size_t user_group_end(const std::vector<RankedRow>& ranked, std::size_t begin) {
  std::size_t end = begin;
  while (end < ranked.size() && ranked[end].user == ranked[begin].user) ++end;
  return end;
}

/// Gain \f$2^{y}-1\f$ of relevance y.
inline double ndcg_gain(float y) { return std::exp2(static_cast<double>(y)) - 1.0; }

/// Discount \f$1/\log_2(r+2)\f$ of 0-based rank r.
inline double ndcg_discount(std::size_t r) {
  return 1.0 / std::log2(static_cast<double>(r) + 2.0);
}

/// NDCG@k from a ranking made by rank_within_users (arguments already checked).
inline double ndcg_of_ranked(const std::vector<RankedRow>& ranked,
                             const std::vector<float>& labels, int k) {
  const std::size_t kk = static_cast<std::size_t>(k);
  std::vector<float> ideal;
  double sum = 0.0;
  Index counted = 0;
  std::size_t begin = 0;
  while (begin < ranked.size()) {
    const std::size_t end = user_group_end(ranked, begin);
    const std::size_t top = std::min(kk, end - begin);
    ideal.clear();
    for (std::size_t i = begin; i < end; ++i)
      ideal.push_back(labels[static_cast<std::size_t>(ranked[i].row)]);
    std::partial_sort(ideal.begin(), ideal.begin() + static_cast<std::ptrdiff_t>(top),
                      ideal.end(), [](float a, float b) { return a > b; });
    double idcg = 0.0;
    double dcg = 0.0;
    for (std::size_t r = 0; r < top; ++r) {
      idcg += ndcg_gain(ideal[r]) * ndcg_discount(r);
      dcg += ndcg_gain(labels[static_cast<std::size_t>(ranked[begin + r].row)]) *
             ndcg_discount(r);
    }
    if (idcg > 0.0) {
      sum += dcg / idcg;
      ++counted;
    }
    begin = end;
  }
  return counted == 0 ? std::numeric_limits<double>::quiet_NaN()
                      : sum / static_cast<double>(counted);
}

/// MRR from a ranking made by rank_within_users (arguments already checked).
inline double mrr_of_ranked(const std::vector<RankedRow>& ranked,
                            const std::vector<float>& labels) {
  double sum = 0.0;
  Index counted = 0;
  std::size_t begin = 0;
  while (begin < ranked.size()) {
    const std::size_t end = user_group_end(ranked, begin);
    for (std::size_t i = begin; i < end; ++i) {
      if (labels[static_cast<std::size_t>(ranked[i].row)] > 0.0f) {
        sum += 1.0 / static_cast<double>(i - begin + 1);
        ++counted;
        break;
      }
    }
    begin = end;
  }
  return counted == 0 ? std::numeric_limits<double>::quiet_NaN()
                      : sum / static_cast<double>(counted);
}

/// Throws InvalidArgument unless k >= 1.
inline void require_positive_k(const char* where, int k) {
  if (k < 1)
    throw InvalidArgument(std::string(where) + ": k must be at least 1 (got " +
                          std::to_string(k) + ")");
}

}  // namespace detail

/// Mean NDCG@k over users, each user's rows ranked by `scores` (highest first; ties: lower
/// row index first, see the file comment).
///
/// For user u with rows ranked \f$\pi_u(0), \pi_u(1), \dots\f$ by score and
/// \f$\pi^*_u\f$ the same rows sorted by label (highest first):
/// \f[
///   \mathrm{DCG}_u@k = \sum_{r=0}^{\min(k, n_u)-1} \frac{2^{y_{\pi_u(r)}} - 1}{\log_2(r+2)},
///   \qquad
///   \mathrm{NDCG}_u@k = \frac{\mathrm{DCG}_u@k}{\mathrm{IDCG}_u@k},
/// \f]
/// with \f$\mathrm{IDCG}_u@k\f$ the DCG of \f$\pi^*_u\f$. The result is the mean of
/// \f$\mathrm{NDCG}_u@k\f$ over users with \f$\mathrm{IDCG}_u@k > 0\f$ (users with at least
/// one positive row), or NaN if there are none. Labels are relevances: 0/1, or graded.
///
/// @throws InvalidArgument if sizes differ (naming the argument), k < 1, a score is NaN
///         ("ndcg_at_k: score at row r is NaN"), or a label is negative or not finite.
/// Cost: O(n log n).
inline double ndcg_at_k(const std::vector<Index>& users, const std::vector<float>& labels,
                        const std::vector<double>& scores, int k) {
  detail::require_positive_k("ndcg_at_k", k);
  detail::check_ranking_args("ndcg_at_k", users, labels, scores);
  return detail::ndcg_of_ranked(detail::rank_within_users(users, scores), labels, k);
}

/// Mean reciprocal rank over users, each user's rows ranked by the model's `scores`
/// (highest first; ties: lower row index first, see the file comment):
/// \f[
///   \mathrm{MRR} = \frac{1}{|U^+|}\sum_{u\in U^+} \frac{1}{1 + \min\{r : y_{\pi_u(r)} > 0\}},
/// \f]
/// over the users \f$U^+\f$ with at least one positive (label > 0) row; NaN if there are none.
///
/// Unlike the authors' release, which ranked the labels by themselves (and so always
/// reported the same MRR), this depends on the model through \f$\pi_u\f$.
///
/// @throws InvalidArgument if sizes differ (naming the argument), a score is NaN
///         ("mrr: score at row r is NaN"), or a label is negative or not finite.
/// Cost: O(n log n).
inline double mrr(const std::vector<Index>& users, const std::vector<float>& labels,
                  const std::vector<double>& scores) {
  detail::check_ranking_args("mrr", users, labels, scores);
  return detail::mrr_of_ranked(detail::rank_within_users(users, scores), labels);
}

}  // namespace invlearn

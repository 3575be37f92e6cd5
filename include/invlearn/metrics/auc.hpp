#pragma once
/// @file auc.hpp
/// ROC AUC over all rows, and group AUC (GAUC): the per-user AUC averaged over users.
///
/// Both use the rank-sum (Mann-Whitney) form with tied scores sharing their average rank,
/// which is the same as counting, over every (positive, negative) pair, 1 when the positive
/// scores higher and 1/2 when the two scores are equal:
/// \f[
///   \mathrm{AUC} = \frac{1}{n_+ n_-}\sum_{i:\,y_i=1}\;\sum_{j:\,y_j=0}
///     \Big([s_i > s_j] + \tfrac12 [s_i = s_j]\Big).
/// \f]
/// Cost: one sort, O(n log n) time and O(n) memory.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "invlearn/core/error.hpp"
#include "invlearn/core/types.hpp"

namespace invlearn {

namespace detail {

/// Throws InvalidArgument unless `other` has as many rows as `first`
/// ("<where>: <other_name> has N rows but <first_name> has M").
inline void require_same_rows(const char* where, const char* first_name, std::size_t first,
                              const char* other_name, std::size_t other) {
  if (first != other)
    throw InvalidArgument(std::string(where) + ": " + other_name + " has " +
                          std::to_string(other) + " rows but " + first_name + " has " +
                          std::to_string(first));
}

/// Throws InvalidArgument "<where>: score at row r is NaN" for the first NaN score.
inline void require_no_nan_scores(const char* where, const std::vector<double>& scores) {
  for (std::size_t r = 0; r < scores.size(); ++r)
    if (std::isnan(scores[r]))
      throw InvalidArgument(std::string(where) + ": score at row " + std::to_string(r) +
                            " is NaN");
}

/// Throws InvalidArgument "<where>: label at row r is v, not 0 or 1" for the first label
/// that is not exactly 0 or 1 (NaN included: an unlabeled pool cannot be scored).
inline void require_binary_labels(const char* where, const std::vector<float>& labels) {
  for (std::size_t r = 0; r < labels.size(); ++r)
    if (!(labels[r] == 0.0f || labels[r] == 1.0f))
      throw InvalidArgument(std::string(where) + ": label at row " + std::to_string(r) + " is " +
                            std::to_string(labels[r]) + ", not 0 or 1");
}

/// A row reduced to what AUC reads.
struct ScoredLabel {
  double score;
  bool positive;
};

/// AUC of rows [first, last) already sorted by ascending score; NaN if a class is absent.
/// `get(*it)` yields the row's ScoredLabel.
///
/// Walks the tie groups in ascending order. A group with \f$p_g\f$ positives and \f$m_g\f$
/// negatives, above \f$M_{<g}\f$ negatives, contributes \f$p_g (M_{<g} + m_g/2)\f$ won pairs:
/// the average-rank rule for ties. Every partial sum is a multiple of 1/2, so it is exact in
/// double up to \f$2^{52}\f$ pairs.
template <class It, class Get>
double auc_of_sorted(It first, It last, Get get) {
  double won = 0.0;
  double neg_below = 0.0;
  double pos_total = 0.0;
  It g = first;
  while (g != last) {
    const double score = get(*g).score;
    It e = g;
    double p = 0.0;
    double m = 0.0;
    while (e != last && get(*e).score == score) {
      (get(*e).positive ? p : m) += 1.0;
      ++e;
    }
    won += p * (neg_below + 0.5 * m);
    neg_below += m;
    pos_total += p;
    g = e;
  }
  if (pos_total == 0.0 || neg_below == 0.0) return std::numeric_limits<double>::quiet_NaN();
  return won / (pos_total * neg_below);
}

}  // namespace detail

/// ROC AUC of `scores` against binary `labels` (1 positive, 0 negative), tied scores
/// counted as half a won pair (average ranks; see the file comment for the formula).
///
/// Only the order of the scores matters, so logits and probabilities give the same AUC.
/// Infinite scores are allowed (equal infinities tie).
///
/// @return the AUC in [0, 1], or **NaN when one class is absent** (no positive or no
///         negative row, which includes empty input): AUC is undefined there, and NaN keeps
///         such a split from passing for a perfect or a useless model.
/// @throws InvalidArgument if the sizes differ ("auc: scores has N rows but labels has M"),
///         if a score is NaN ("auc: score at row r is NaN"), or if a label is not 0 or 1.
/// Cost: O(n log n).
inline double auc(const std::vector<float>& labels, const std::vector<double>& scores) {
  detail::require_same_rows("auc", "labels", labels.size(), "scores", scores.size());
  detail::require_no_nan_scores("auc", scores);
  detail::require_binary_labels("auc", labels);
  std::vector<detail::ScoredLabel> rows(labels.size());
  for (std::size_t r = 0; r < rows.size(); ++r) rows[r] = {scores[r], labels[r] == 1.0f};
  std::sort(rows.begin(), rows.end(),
            [](const detail::ScoredLabel& a, const detail::ScoredLabel& b) {
              return a.score < b.score;
            });
  return detail::auc_of_sorted(rows.cbegin(), rows.cend(),
                               [](const detail::ScoredLabel& v) -> const detail::ScoredLabel& {
                                 return v;
                               });
}

/// Group AUC: the per-user AUC averaged over users.
struct GaucResult {
  /// \f$\frac{1}{|U'|}\sum_{u\in U'} \mathrm{AUC}_u\f$, the paper's GAUC
  /// (NaN if \f$U'\f$ is empty).
  double unweighted;
  /// \f$\sum_{u\in U'} n_u\,\mathrm{AUC}_u \big/ \sum_{u\in U'} n_u\f$, with \f$n_u\f$ the
  /// user's number of rows (NaN if \f$U'\f$ is empty).
  double weighted;
  /// \f$|U'|\f$: the number of users with at least one positive and one negative row.
  Index users;
};

/// Group AUC of `scores` against binary `labels`, rows grouped by `users`.
///
/// \f$\mathrm{AUC}_u\f$ is auc() over user u's rows alone (ties averaged); users whose rows
/// are all of one class have no AUC and are left out of both means (they are not counted in
/// GaucResult::users either). User ids may be any values (they need not be dense).
///
/// Rows are grouped by one sort on (user, score), so the cost is O(n log n) in all, never
/// O(n · users).
///
/// @throws InvalidArgument if the sizes differ (naming the argument), if a score is NaN
///         ("gauc: score at row r is NaN"), or if a label is not 0 or 1.
inline GaucResult gauc(const std::vector<Index>& users, const std::vector<float>& labels,
                       const std::vector<double>& scores) {
  detail::require_same_rows("gauc", "users", users.size(), "labels", labels.size());
  detail::require_same_rows("gauc", "users", users.size(), "scores", scores.size());
  detail::require_no_nan_scores("gauc", scores);
  detail::require_binary_labels("gauc", labels);

  struct Row {
    Index user;
    detail::ScoredLabel value;
  };
  std::vector<Row> rows(users.size());
  for (std::size_t r = 0; r < rows.size(); ++r)
    rows[r] = {users[r], {scores[r], labels[r] == 1.0f}};
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return a.user < b.user || (a.user == b.user && a.value.score < b.value.score);
  });
  const auto value = [](const Row& row) -> const detail::ScoredLabel& { return row.value; };

  double sum = 0.0;
  double weighted_sum = 0.0;
  double weight_total = 0.0;
  Index counted = 0;
  std::size_t begin = 0;
  while (begin < rows.size()) {
    std::size_t end = begin;
    while (end < rows.size() && rows[end].user == rows[begin].user) ++end;
    const auto base = rows.cbegin();
    const double a = detail::auc_of_sorted(base + static_cast<std::ptrdiff_t>(begin),
                                           base + static_cast<std::ptrdiff_t>(end), value);
    if (!std::isnan(a)) {
      const double n_u = static_cast<double>(end - begin);
      sum += a;
      weighted_sum += n_u * a;
      weight_total += n_u;
      ++counted;
    }
    begin = end;
  }
  GaucResult result;
  result.users = counted;
  if (counted == 0) {
    result.unweighted = std::numeric_limits<double>::quiet_NaN();
    result.weighted = std::numeric_limits<double>::quiet_NaN();
  } else {
    result.unweighted = sum / static_cast<double>(counted);
    result.weighted = weighted_sum / weight_total;
  }
  return result;
}

}  // namespace invlearn

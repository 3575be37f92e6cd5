#pragma once
/// @file full_ranking.hpp
/// Full-ranking evaluation: each user's test positives looked for in the user's top K
/// over the whole catalogue, with the items the user was seen with masked.
///
/// For each user u: P_u = u's test rows with label 1, minus the masked pairs; the list is
/// recommend()'s top K over every item not masked for u (ties to the lower item id).
/// Users whose P_u is empty are skipped: they are counted in `users_without_positive`
/// when they have test rows, and take no part in the means. Each metric
/// (metrics/topk_metrics.hpp) is the plain mean over the evaluated users, summed in user
/// order in double. The mask is what the caller passes: the training rows (and any
/// unlabeled pool of training pairs), plus the validation rows when the test rows are
/// evaluated.

#include <algorithm>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "invlearn/core/error.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/data/interactions.hpp"
#include "invlearn/data/pair_index.hpp"
#include "invlearn/metrics/topk_metrics.hpp"
#include "invlearn/rank/recommend.hpp"

namespace invlearn {

/// How evaluate_full_ranking() runs; none of it changes the result.
struct FullRankingOptions {
  Index user_batch = 4096;       ///< users ranked per recommend() call (bounds the lists held)
  RecommendOptions recommend;    ///< blocking of each call
};

/// The means over evaluated users at each K, in the order the Ks were given.
struct FullRankingReport {
  std::vector<TopKMetrics> at;
  Index users = 0;                   ///< users evaluated (at least one test positive left)
  Index users_without_positive = 0;  ///< users with test rows but no test positive left
};

/// Full-ranking Recall, Precision, HR, NDCG and MRR at each K of `ks` of `model` on the
/// labeled rows `test`, every pair of the parts in `masked` (e.g. {&train, &valid}) never
/// ranked (see the file comment). NaN means when no user has a test positive.
///
/// @throws InvalidArgument if `ks` is empty or holds a K < 1, `test` has a label other
///         than 0 or 1 or an id outside the model's ranges; OptionError for bad options;
///         NumericalError when recommend() meets NaN scores.
template <class Model>
FullRankingReport evaluate_full_ranking(const Model& model, const Interactions& test,
                                        const std::vector<const Interactions*>& masked, const std::vector<int>& ks,
                                        const FullRankingOptions& options = {}) {
  if (ks.empty()) throw InvalidArgument("evaluate_full_ranking: no K given");
  for (int k : ks)
    if (k < 1) throw InvalidArgument("evaluate_full_ranking: K must be at least 1 (got " + std::to_string(k) + ")");
  require_option(options.user_batch >= 1, "FullRankingOptions::user_batch",
                 "must be at least 1, got " + std::to_string(options.user_batch));
  options.recommend.validate();
  test.validate("evaluate_full_ranking: test");
  check_ids(test.view(), model.num_users(), model.num_items(), "evaluate_full_ranking: test");
  const Index num_users = model.num_users();

  Interactions positive_rows = Interactions::empty_like(test);
  std::vector<char> has_rows(static_cast<std::size_t>(num_users), 0);
  for (std::size_t r = 0; r < test.users.size(); ++r) {
    has_rows[static_cast<std::size_t>(test.users[r])] = 1;
    if (test.labels[r] == 1.0f) positive_rows.push_back_row(test, r);
  }
  const PairIndex positives(positive_rows);
  const PairIndex mask(masked);
  const int k_max = *std::max_element(ks.begin(), ks.end());

  FullRankingReport report;
  report.at.resize(ks.size());
  for (std::size_t j = 0; j < ks.size(); ++j) report.at[j].k = ks[j];
  std::vector<Index> batch;              // users of the batch
  std::vector<Index> relevant, offsets;  // their P_u, one after the other
  Recommendations<typename Model::Scalar> lists;
  auto flush = [&] {
    if (batch.empty()) return;
    recommend(model, batch, k_max, mask, lists, options.recommend);
    for (std::size_t b = 0; b < batch.size(); ++b) {
      const Index* p = relevant.data() + offsets[b];
      const Index count = offsets[b + 1] - offsets[b];
      for (std::size_t j = 0; j < ks.size(); ++j) {
        const TopKMetrics m = topk_metrics(lists.items_of(static_cast<Index>(b)), lists.length(static_cast<Index>(b)),
                                           p, count, ks[j]);
        TopKMetrics& sum = report.at[j];
        sum.recall += m.recall;
        sum.precision += m.precision;
        sum.hr += m.hr;
        sum.ndcg += m.ndcg;
        sum.mrr += m.mrr;
      }
    }
    batch.clear();
    relevant.clear();
    offsets.assign(1, 0);
  };
  offsets.assign(1, 0);
  for (Index u = 0; u < num_users; ++u) {
    const std::size_t before = relevant.size();
    if (u < positives.num_users())
      for (const Index* it = positives.begin(u); it != positives.end(u); ++it)
        if (!mask.contains(u, *it)) relevant.push_back(*it);
    if (relevant.size() == before) {
      report.users_without_positive += has_rows[static_cast<std::size_t>(u)];
      continue;
    }
    batch.push_back(u);
    offsets.push_back(static_cast<Index>(relevant.size()));
    ++report.users;
    if (static_cast<Index>(batch.size()) == options.user_batch) flush();
  }
  flush();
  const double n = static_cast<double>(report.users);
  for (TopKMetrics& m : report.at) {
    if (report.users == 0) {
      m.recall = m.precision = m.hr = m.ndcg = m.mrr = std::numeric_limits<double>::quiet_NaN();
      continue;
    }
    m.recall /= n;
    m.precision /= n;
    m.hr /= n;
    m.ndcg /= n;
    m.mrr /= n;
  }
  return report;
}

}  // namespace invlearn

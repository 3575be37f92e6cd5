#pragma once
/// @file topk_metrics.hpp
/// The metrics of one ranked top-K list against a user's relevant items (binary gain):
/// Recall@K, Precision@K, HR@K, NDCG@K and MRR@K, as full-ranking evaluation averages them.
///
/// For a user with relevant set P (|P| ≥ 1) and a list L of items in rank order,
/// 1-based rank r, hit(r) = 1 when L_r ∈ P, and h = Σ_{r ≤ K} hit(r):
///
///   Recall@K    = h / |P|
///   Precision@K = h / K                 (K, even when L is shorter than K)
///   HR@K        = 1 if h > 0, else 0
///   NDCG@K      = DCG@K / IDCG@K,  DCG@K = Σ_{r ≤ K} hit(r) / log2(r + 1),
///                                  IDCG@K = Σ_{r ≤ min(K, |P|)} 1 / log2(r + 1)
///   MRR@K       = 1 / (the rank of the first hit) if it is ≤ K, else 0
///
/// Only the first K entries of L count; L may be shorter than K (a catalogue with fewer
/// candidates), and the missing places count as misses.

#include <algorithm>
#include <cmath>
#include <string>

#include "invlearn/core/error.hpp"
#include "invlearn/core/types.hpp"

namespace invlearn {

/// The five top-K metrics at one K (one user's values, or their means over users).
struct TopKMetrics {
  int k = 0;
  double recall = 0.0, precision = 0.0, hr = 0.0, ndcg = 0.0, mrr = 0.0;
};

/// The metrics at `k` of `list` (its first min(k, length) entries count) against the
/// relevant items `relevant[0..relevant_count)`, sorted ascending without repeats (see
/// the file comment for the formulas). relevant_count ≥ 1.
///
/// @throws InvalidArgument if k < 1 or relevant_count < 1.
inline TopKMetrics topk_metrics(const Index* list, Index length, const Index* relevant, Index relevant_count, int k) {
  if (k < 1) throw InvalidArgument("topk_metrics: k must be at least 1 (got " + std::to_string(k) + ")");
  if (relevant_count < 1) throw InvalidArgument("topk_metrics: a user needs at least one relevant item");
  TopKMetrics m;
  m.k = k;
  const Index top = std::min<Index>(k, length);
  Index hits = 0;
  for (Index r = 0; r < top; ++r) {
    if (!std::binary_search(relevant, relevant + relevant_count, list[r])) continue;
    ++hits;
    m.ndcg += 1.0 / std::log2(static_cast<double>(r) + 2.0);
    if (hits == 1) m.mrr = 1.0 / static_cast<double>(r + 1);
  }
  double ideal = 0.0;
  for (Index r = 0; r < std::min<Index>(k, relevant_count); ++r) ideal += 1.0 / std::log2(static_cast<double>(r) + 2.0);
  m.ndcg /= ideal;
  m.recall = static_cast<double>(hits) / static_cast<double>(relevant_count);
  m.precision = static_cast<double>(hits) / static_cast<double>(k);
  m.hr = hits > 0 ? 1.0 : 0.0;
  return m;
}

}  // namespace invlearn

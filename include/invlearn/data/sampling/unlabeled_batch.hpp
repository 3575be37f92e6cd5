#pragma once
/// @file unlabeled_batch.hpp
/// What a sampler returns: the unlabeled pairs for one labeled batch, and their truth.

#include <functional>
#include <limits>
#include <vector>

#include "invlearn/core/rows.hpp"
#include "invlearn/core/types.hpp"

namespace invlearn {

/// Unlabeled pairs drawn for one labeled batch.
struct UnlabeledBatch {
  /// The pairs. Labels are all 0: the label negative sampling assumes; IDL ignores labels.
  Batch batch;
  /// The pair's true label when known (synthetic data, hidden labels), else NaN. Training
  /// never reads it; traces and analyses do (how many sampled "negatives" were positive).
  std::vector<float> truth;

  void clear() {
    batch.clear();
    truth.clear();
  }
  Index size() const { return batch.size(); }
};

/// The truth of a pair (u, i), or NaN when unknown. May be empty (std::function).
using TruthFn = std::function<float(Index, Index)>;

namespace detail {

/// NaN: "this pair's label is not known".
inline float unknown_truth() { return std::numeric_limits<float>::quiet_NaN(); }

}  // namespace detail
}  // namespace invlearn

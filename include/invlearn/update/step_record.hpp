#pragma once
/// @file step_record.hpp
/// What one training step did, and the tally of IDL weights an epoch keeps.

#include <algorithm>
#include <array>
#include <limits>

#include "invlearn/core/types.hpp"

namespace invlearn {

/// What one training step did. Losses are batch means; NaN where not computed.
struct StepRecord {
  static constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  double labeled_loss = nan;    ///< loss of the labeled batch (at the chosen θ for IG)
  double unlabeled_loss = nan;  ///< loss of the unlabeled batch at θ
  /// IG: training-test loss at θ^d = θ - αg, θ, and θ^i = θ + αg (NaN if not a candidate).
  double candidate_loss[3] = {nan, nan, nan};
  /// IG: -1 direct, 0 no update, +1 inverse. 2: no decision (not a meta step, or a meta
  /// step without unlabeled pairs to judge).
  int choice = 2;
  double mean_positive_weight = nan;  ///< IDL: mean w¹ over the unlabeled batch
  Index annotated = 0;                ///< unlabeled pairs whose truth is known
  Index annotated_correct = 0;        ///< of those, pairs where (w¹ > 0.5) matches the truth
  bool is_meta() const { return choice >= -1 && choice <= 1; }
};

/// Number of bins of the IDL positive-weight histograms (width 0.05 on [0, 1]).
constexpr int kWeightBins = 20;

/// The IDL positive weights w¹ seen over an epoch: their histogram and their sum.
struct WeightTally {
  std::array<Index, kWeightBins> histogram{};
  double sum = 0.0;
  Index count = 0;

  void add(float w) {
    const int bin = std::min(kWeightBins - 1, std::max(0, static_cast<int>(w * kWeightBins)));
    ++histogram[static_cast<std::size_t>(bin)];
    sum += w;
    ++count;
  }
};

}  // namespace invlearn

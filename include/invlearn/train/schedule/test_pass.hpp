#pragma once
/// @file test_pass.hpp
/// Algorithm 1 as the authors ran it: a labeled pass, then one meta step per
/// training-test batch.

#include "invlearn/core/types.hpp"

namespace invlearn {

/// Each epoch: a shuffled pass of labeled steps over training-train (Algorithm 1, lines
/// 3-6), then one meta step per training-test batch, in a fresh shuffled order (lines
/// 7-18 with T = the number of training-test batches). The default schedule of IG.
struct TestPass {
  static constexpr const char* name = "test-pass";
  /// meta_fraction of the labeled training rows are held out as training-test.
  static constexpr bool holds_out = true;

  template <class Epoch>
  static void run(Epoch& epoch) {
    for (Index b = 0; b < epoch.train_batches(); ++b) epoch.labels_step(b);
    epoch.shuffle_test();
    for (Index b = 0; b < epoch.test_batches(); ++b) epoch.meta_step(b);
  }
  static Index steps(Index train_batches, Index test_batches) { return train_batches + test_batches; }
};

}  // namespace invlearn

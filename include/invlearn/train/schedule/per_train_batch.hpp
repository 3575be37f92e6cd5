#pragma once
/// @file per_train_batch.hpp
/// Algorithm 1 as it is written: T meta steps per epoch, T the number of labeled steps.

#include "invlearn/core/types.hpp"

namespace invlearn {

/// Each epoch: a shuffled pass of labeled steps over training-train, then T meta steps
/// (T = the number of training-train batches), cycling through the training-test
/// batches; the training-test rows are reshuffled before each cycle. With few labels
/// this revisits the small training-test set many times per epoch and can overfit it.
struct PerTrainBatch {
  static constexpr const char* name = "per-train-batch";
  static constexpr bool holds_out = true;

  template <class Epoch>
  static void run(Epoch& epoch) {
    for (Index b = 0; b < epoch.train_batches(); ++b) epoch.labels_step(b);
    const Index test = epoch.test_batches();
    for (Index t = 0; t < epoch.train_batches(); ++t) {
      if (t % test == 0) epoch.shuffle_test();
      epoch.meta_step(t % test);
    }
  }
  static Index steps(Index train_batches, Index /*test_batches*/) { return 2 * train_batches; }
};

}  // namespace invlearn

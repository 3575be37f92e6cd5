#pragma once
/// @file schedule.hpp
/// When InverseGradient's meta steps run within an epoch. Algorithm 1 leaves it open.

namespace invlearn {

/// One meta step per training-test batch per epoch, after the epoch's pass over
/// training-train: how the authors ran Algorithm 1. The default.
struct TestPass {
  static constexpr const char* name = "test-pass";
  static constexpr bool per_train_batch = false;
};

/// T meta steps per epoch (T = the number of training-train batches), cycling
/// through the training-test batches, as Algorithm 1 is written (lines 7-18 run
/// T times). With few labels this revisits the small training-test set many
/// times per epoch and can overfit it.
struct PerTrainBatch {
  static constexpr const char* name = "per-train-batch";
  static constexpr bool per_train_batch = true;
};

}  // namespace invlearn

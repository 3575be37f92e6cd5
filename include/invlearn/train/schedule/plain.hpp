#pragma once
/// @file plain.hpp
/// One step of the update policy per labeled batch: how every method but IG trains.

#include "invlearn/core/types.hpp"

namespace invlearn {

/// Each epoch is a shuffled pass over all labeled training rows, every batch one step of
/// the update policy (with a fresh unlabeled batch when the policy uses one).
struct Plain {
  static constexpr const char* name = "plain";
  /// No training-test rows are held out.
  static constexpr bool holds_out = false;

  template <class Epoch>
  static void run(Epoch& epoch) {
    for (Index b = 0; b < epoch.train_batches(); ++b) epoch.policy_step(b);
  }
  /// Steps of one epoch with `train_batches` batches of training rows.
  static Index steps(Index train_batches, Index /*test_batches*/) { return train_batches; }
};

}  // namespace invlearn

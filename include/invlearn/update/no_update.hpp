#pragma once
/// @file no_update.hpp
/// The unlabeled batch does nothing: training on the labels alone.

#include "invlearn/update/step_kernels.hpp"

namespace invlearn {

/// θ is left as it is by the unlabeled batch; the optimizer steps on the labeled
/// batch. As a method ("None") it trains on the labels alone; as a candidate of
/// InverseGradient it is θ itself, and ties go to it.
struct NoUpdate {
  static constexpr const char* name = "none";
  static constexpr int direction = 0;
  static constexpr bool uses_unlabeled = false;
  static constexpr bool is_meta = false;

  template <class Ctx>
  void step(Ctx& ctx, const BatchView& labeled, const UnlabeledBatch* /*unlabeled*/, StepRecord& rec) {
    rec.labeled_loss = labeled_step(ctx, labeled);
  }
};

}  // namespace invlearn

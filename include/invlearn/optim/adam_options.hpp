#pragma once
/// @file adam_options.hpp
/// The settings of Adam: its constants, and how it treats the rows a step does not touch.

#include <optional>

namespace invlearn {

/// How Adam treats the embedding rows a step's gradient does not hold.
enum class AdamRows {
  /// As dense Adam (every row's moments decay and every row moves on its momentum each
  /// step), at a lazy update's cost: a row's missed steps are taken when it is next read
  /// or written (IdleSteps), and every row before evaluation or saving. The default.
  deferred,
  /// LazyAdam / SparseAdam: rows without gradient keep their moments and do not move.
  /// Cheapest; with few labels a row's momentum is thrown away between its rare visits.
  lazy,
  /// torch.optim.Adam exactly: every row of every table each step, O(|θ|) per step.
  dense,
};

/// Settings of Adam.
struct AdamOptions {
  /// γ. Unset: the trainer's TrainerOptions::lr, or 1e-3 when neither is set (set both
  /// to different values and the trainer refuses them).
  std::optional<double> lr;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
  AdamRows rows = AdamRows::deferred;
};

}  // namespace invlearn

#pragma once
/// @file options.hpp
/// Settings of a Trainer.

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>

#include "invlearn/core/error.hpp"
#include "invlearn/core/types.hpp"

namespace invlearn {

/// γ when neither TrainerOptions::lr nor the optimizer sets one: the authors' release for IG.
constexpr double kDefaultLearningRate = 1e-3;

/// Settings of a Trainer. The defaults are the paper's protocol with the authors'
/// learning rate for IG.
struct TrainerOptions {
  int epochs = 10;
  Index batch_size = 1024;
  /// γ, the optimizer's learning rate. One value reaches the optimizer: this one, or the
  /// optimizer's own (AdamOptions::lr, SGD(lr)), or kDefaultLearningRate when neither is set; both set to
  /// different values is an InvalidArgument.
  std::optional<double> lr;
  double alpha = -1.0;           ///< α, the unlabeled step; negative means 0.1·γ (the paper's ratio)
  double meta_fraction = 0.1;    ///< share of labeled training rows held out as training-test (IG)
  std::uint64_t seed = 42;
  int threads = 0;               ///< OpenMP threads; 0 keeps the current setting
  bool restore_best = true;      ///< end with θ of the epoch with the lowest validation BCE
  bool record_steps = true;      ///< keep a TraceRow per step
  std::string method = "";       ///< name used in messages and reports

  /// α for a run whose learning rate is `lr`.
  double effective_alpha(double lr) const { return alpha < 0 ? 0.1 * lr : alpha; }
  void validate() const {
    require(epochs >= 0, "TrainerOptions: epochs must be >= 0, got " + std::to_string(epochs));
    require(batch_size > 0, "TrainerOptions: batch_size must be positive, got " + std::to_string(batch_size));
    if (lr) require(std::isfinite(*lr) && *lr >= 0, "TrainerOptions: lr must be finite and >= 0");
    require(std::isfinite(alpha), "TrainerOptions: alpha must be finite");
    require(meta_fraction > 0 && meta_fraction < 1, "TrainerOptions: meta_fraction must be in (0, 1)");
  }
};

}  // namespace invlearn

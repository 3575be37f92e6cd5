#pragma once
/// @file options.hpp
/// Settings of a Trainer.

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>

#include "invlearn/core/error.hpp"
#include "invlearn/core/text.hpp"
#include "invlearn/core/types.hpp"

namespace invlearn {

/// γ when neither TrainerOptions::lr nor the optimizer sets one: the authors' release for IG.
constexpr double kDefaultLearningRate = 1e-3;

/// Settings of a Trainer. By default a fit trains until the validation BCE stops
/// improving (early stopping), within caps it should never reach; the paper's fixed
/// protocol is `epochs = 10, patience = 0` (ten epochs, the one with the lowest validation
/// BCE kept), with the authors' learning rate for IG.
struct TrainerOptions {
  /// The most epochs a fit runs (a cap: early stopping ends it sooner). With patience = 0,
  /// exactly this many.
  int epochs = 2000;
  /// The most optimizer steps a fit runs, checked at each epoch's end; 0: no cap in steps.
  Index max_steps = 200000;
  /// Early stopping: the fit stops after this many evaluations in a row that did not lower
  /// the best validation BCE by more than min_delta. 0: no early stopping; every epoch is
  /// evaluated and the fit runs all `epochs`.
  int patience = 10;
  /// How much an evaluation must lower the best validation BCE to count as an improvement
  /// for patience (θ is kept whenever the loss is lower at all).
  double min_delta = 1e-4;
  /// Evaluations take place at the end of an epoch once at least this many optimizer steps
  /// have run since the last one (and at the last epoch): every epoch when an epoch is
  /// longer, every few epochs when it is a batch or two. Ignored with patience = 0.
  Index eval_every = 50;
  Index batch_size = 1024;
  /// γ, the optimizer's learning rate. One value reaches the optimizer: this one, or the
  /// optimizer's own (AdamOptions::lr, SGD(lr)), or kDefaultLearningRate when neither is set;
  /// both set to different values is an InvalidArgument.
  std::optional<double> lr;
  double alpha = -1.0;           ///< α, the unlabeled step; negative means 0.1·γ (the paper's ratio)
  double meta_fraction = 0.1;    ///< share of labeled training rows held out as training-test (IG)
  std::uint64_t seed = 42;
  int threads = 0;               ///< OpenMP threads; 0 keeps the current setting
  bool restore_best = true;      ///< end with θ of the evaluation with the lowest validation BCE
  bool record_steps = true;      ///< keep a TraceRow per step
  std::string method = "";       ///< name used in messages and reports

  /// α for a run whose learning rate is `lr`.
  double effective_alpha(double lr) const { return alpha < 0 ? 0.1 * lr : alpha; }
  /// Throws OptionError naming the bad option.
  void validate() const {
    require_option(epochs >= 0, "TrainerOptions::epochs", "must be >= 0, got " + std::to_string(epochs));
    require_option(max_steps >= 0, "TrainerOptions::max_steps", "must be >= 0, got " + std::to_string(max_steps));
    require_option(patience >= 0, "TrainerOptions::patience", "must be >= 0, got " + std::to_string(patience));
    require_option(std::isfinite(min_delta) && min_delta >= 0, "TrainerOptions::min_delta",
                   "must be finite and >= 0, got " + format_number(min_delta));
    require_option(eval_every >= 1, "TrainerOptions::eval_every", "must be >= 1, got " + std::to_string(eval_every));
    require_option(batch_size > 0, "TrainerOptions::batch_size",
                   "must be positive, got " + std::to_string(batch_size));
    if (lr)
      require_option(std::isfinite(*lr) && *lr >= 0, "TrainerOptions::lr",
                     "must be finite and >= 0, got " + format_number(*lr));
    require_option(std::isfinite(alpha), "TrainerOptions::alpha", "must be finite");
    require_option(meta_fraction > 0 && meta_fraction < 1, "TrainerOptions::meta_fraction",
                   "must be in (0, 1), got " + format_number(meta_fraction));
  }
};

}  // namespace invlearn

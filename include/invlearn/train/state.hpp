#pragma once
/// @file state.hpp
/// Where a fit stands between epochs, and what fit() returns.

#include <cmath>
#include <limits>

#include "invlearn/core/random.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/model/parameters.hpp"

namespace invlearn {

/// What fit() returns.
struct FitResult {
  /// true: θ is that of the epoch with the lowest validation BCE. false: there were no
  /// validation rows, so nothing was selected and θ is the last epoch's.
  bool selected = true;
  int best_epoch = 0;  ///< 1-based epoch whose θ the model holds; 0 if no epoch ran
  double best_valid_loss = std::numeric_limits<double>::infinity();  ///< NaN without validation rows
  double seconds = 0.0;  ///< this call's wall-clock time (trace().epochs has each epoch's)
  Index evaluations = 0;     ///< evaluations on the validation rows, those before a resume included
  bool stopped_early = false;  ///< early stopping ended the fit (not a cap)
  Index steps = 0;           ///< optimizer steps, those before a resume included
  /// IG choices over all epochs in trace(), those before a resume included: direct, none, inverse
  Index choices[3] = {0, 0, 0};
  Index annotated = 0, annotated_correct = 0;
  double annotation_accuracy() const {
    return annotated > 0 ? static_cast<double>(annotated_correct) / static_cast<double>(annotated) : std::nan("");
  }
};

/// Where a fit stands between epochs: everything besides the model and the
/// optimizer that a resumed run needs to continue exactly.
template <class S>
struct TrainerState {
  int epochs_done = 0;
  Index global_step = 0;
  Rng shuffle_rng;
  Rng sampler_rng;
  int best_epoch = 0;
  double best_valid_loss = std::numeric_limits<double>::infinity();
  Parameters<S> best;  ///< θ at best_epoch (empty before the first epoch)

  /// Archive protocol (core/archive.hpp).
  template <class Archive>
  void serialize(Archive& ar) {
    ar(epochs_done, global_step, shuffle_rng, sampler_rng, best_epoch, best_valid_loss, best);
  }
};

}  // namespace invlearn

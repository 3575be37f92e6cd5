#pragma once
/// @file stopping.hpp
/// When a fit evaluates θ on the validation rows and when it stops: the cadence, the
/// patience and the caps of TrainerOptions, and the state a resumed run continues with.

#include <limits>

#include "invlearn/core/types.hpp"
#include "invlearn/train/options.hpp"

namespace invlearn {

/// The evaluations a fit has made, for early stopping (checkpoints keep it, so a resumed
/// run goes on counting where the stopped one was).
struct StoppingState {
  Index evaluations = 0;           ///< evaluations so far
  Index last_evaluation_step = 0;  ///< the optimizer step of the last evaluation
  Index since_improvement = 0;     ///< evaluations since the last improvement by more than min_delta
  /// The best validation BCE that reset the patience (may be above the best one, which
  /// keeps θ whenever lower: only improvements by more than min_delta count here).
  double reference = std::numeric_limits<double>::infinity();
  bool stopped = false;  ///< patience ran out

  /// Archive protocol (core/archive.hpp).
  template <class Archive>
  void serialize(Archive& ar) {
    ar(evaluations, last_evaluation_step, since_improvement, reference, stopped);
    ar.check(evaluations >= 0 && last_evaluation_step >= 0 && since_improvement >= 0 &&
                 since_improvement <= evaluations,
             "early-stopping counters out of range");
  }
};

/// TrainerOptions' rule for evaluating and stopping.
class StoppingRule {
 public:
  explicit StoppingRule(const TrainerOptions& options) : o_(options) {}

  /// Whether the fit may run another epoch after `epochs_done` epochs and `steps` steps.
  bool may_continue(int epochs_done, Index steps, const StoppingState& s) const {
    return epochs_done < o_.epochs && !(o_.max_steps > 0 && steps >= o_.max_steps) && !s.stopped;
  }

  /// Whether θ is evaluated at the end of `epoch`, `steps` steps in: every epoch without
  /// early stopping; otherwise once eval_every steps have run since the last evaluation,
  /// and at the last epoch a cap allows.
  bool evaluate_now(int epoch, Index steps, const StoppingState& s) const {
    if (o_.patience == 0) return true;
    const bool last = epoch >= o_.epochs || (o_.max_steps > 0 && steps >= o_.max_steps);
    return last || steps - s.last_evaluation_step >= o_.eval_every;
  }

  /// Records an evaluation with validation BCE `loss` at step `steps`; sets s.stopped when
  /// the patience has run out.
  void record(double loss, Index steps, StoppingState& s) const {
    ++s.evaluations;
    s.last_evaluation_step = steps;
    if (loss < s.reference - o_.min_delta) {
      s.reference = loss;
      s.since_improvement = 0;
    } else {
      ++s.since_improvement;
    }
    if (o_.patience > 0 && s.since_improvement >= o_.patience) s.stopped = true;
  }

  /// Evaluations left before the patience runs out (the progress line shows it).
  Index patience_left(const StoppingState& s) const {
    return o_.patience == 0 ? 0 : o_.patience - s.since_improvement;
  }

 private:
  TrainerOptions o_;
};

}  // namespace invlearn

#pragma once
/// @file block_search.hpp
/// IG by blocks: each block of steps between two evaluations is run once per direction of
/// the update policy, from the same state, and the run with the lowest validation BCE goes on.

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "invlearn/core/detect.hpp"
#include "invlearn/core/error.hpp"
#include "invlearn/data/interactions.hpp"
#include "invlearn/train/stopping.hpp"
#include "invlearn/train/trace.hpp"

namespace invlearn {

namespace detail {
template <class P> using block_directions_t = decltype(P::block_directions[0]);
}  // namespace detail

/// Optional, on an update policy: `static constexpr int block_directions[]`, the directions
/// its State<S>::set_direction() takes, in the order they are tried: the trainer then searches
/// the direction block by block (BlockSearch) instead of leaving it to the steps.
template <class P>
constexpr bool has_block_directions_v = is_detected_v<detail::block_directions_t, P>;

/// The block loop of a Trainer whose policy has block_directions. One block is the epochs up
/// to the next evaluation (TrainerOptions::eval_every, every epoch with patience 0). For each
/// direction: the trainer's state at the block's start is restored (θ, the optimizer's and
/// the policy's state, the losses', a stateful sampler's, the counters and random streams,
/// so every run sees the same batches and unlabeled pairs), the policy is set to the
/// direction, the block runs and θ is evaluated. The run with the lowest validation BCE is
/// restored and kept, with its trace; a tie keeps the earlier direction. A run whose loss or
/// gradient stops being finite loses; if every run does, the first one's error is thrown.
///
/// Cost: one block of training per direction (three for IG) and four copies of the state per
/// block (θ, the optimizer's moments, the best θ so far).
template <class TrainerT>
struct BlockSearch {
  /// Runs one block; false when an epoch callback stopped the fit.
  template <class Context, class Score, class Buffers>
  static bool run(TrainerT& t, Context& ctx, Score& score, const Interactions& valid, Buffers& buffers,
                  const StoppingRule& rule) {
    using Policy = typename TrainerT::policy_type;
    const auto start = t.snapshot();
    const std::size_t steps_before = t.trace_.steps.size();
    struct Run {
      double loss = std::numeric_limits<double>::infinity();
      std::vector<EpochReport> reports;
      std::vector<TraceRow> steps;
    };
    Run best;
    std::optional<typename TrainerT::Snapshot> end;
    std::string failure;
    bool first = true;
    for (const int direction : Policy::block_directions) {
      if (!first) t.restore(start);
      first = false;
      t.policy_state_.set_direction(direction);
      Run run;
      try {
        do {
          run.reports.push_back(t.train_epoch(ctx, score));
        } while (!rule.evaluate_now(t.state_.epochs_done, t.state_.global_step, t.stopping_));
        run.loss = t.measure(valid, buffers, t.state_.epochs_done);
      } catch (const NumericalError& e) {
        if (failure.empty()) failure = e.what();
        t.trace_.steps.resize(steps_before);
        continue;
      }
      run.steps.assign(t.trace_.steps.begin() + static_cast<std::ptrdiff_t>(steps_before), t.trace_.steps.end());
      t.trace_.steps.resize(steps_before);
      if (run.loss < best.loss) {
        best = std::move(run);
        end = t.snapshot();
      }
    }
    if (!end) {
      t.restore(start);
      throw NumericalError(failure);
    }
    t.restore(*end);
    t.trace_.steps.insert(t.trace_.steps.end(), best.steps.begin(), best.steps.end());
    EpochReport& last = best.reports.back();
    t.record_evaluation(best.loss, rule, last);
    // Every epoch of the block is in the trace before any callback sees one: θ is at the
    // block's end, so a checkpoint written from a callback holds the whole block.
    t.trace_.epochs.insert(t.trace_.epochs.end(), best.reports.begin(), best.reports.end());
    bool go_on = true;
    for (const EpochReport& report : best.reports)
      go_on = go_on && (!t.on_epoch_ || t.on_epoch_(report));
    return go_on;
  }
};

}  // namespace invlearn

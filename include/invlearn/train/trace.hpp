#pragma once
/// @file trace.hpp
/// Per-step and per-epoch records of training: what the paper's Figures 4-7 are drawn from.

#include <array>
#include <cmath>
#include <vector>

#include "invlearn/update/step_record.hpp"

namespace invlearn {

/// Which part of an epoch a step belongs to.
enum class Phase : int {
  train = 0,  ///< a step on the labeled training rows (for IG: the training-train pass)
  meta = 1,   ///< an IG meta step on a training-test batch
};

/// One step of the trace.
struct TraceRow {
  int epoch = 0;
  Index step = 0;  ///< global step counter
  Phase phase = Phase::train;
  StepRecord record;

  /// Archive protocol (core/archive.hpp). StepRecord's fields are listed
  /// here, one by one, because the archive has no encoding for C arrays.
  template <class Archive>
  void serialize(Archive& ar) {
    StepRecord& r = record;
    ar(epoch, step, phase, r.labeled_loss, r.unlabeled_loss, r.candidate_loss[0], r.candidate_loss[1],
       r.candidate_loss[2], r.choice, r.mean_positive_weight, r.annotated, r.annotated_correct);
    ar.check(epoch >= 1 && step >= 1, "trace step with a non-positive epoch or step number");
    ar.check(phase == Phase::train || phase == Phase::meta, "trace step with an unknown phase");
    ar.check((r.choice >= -1 && r.choice <= 2) && r.annotated >= 0 && r.annotated_correct >= 0 &&
                 r.annotated_correct <= r.annotated,
             "trace step with an invalid choice or annotation count");
  }
};

/// What happened in one epoch.
struct EpochReport {
  int epoch = 0;                 ///< 1-based
  Index steps = 0;
  double train_loss = 0.0;       ///< mean labeled loss over the epoch's steps
  double valid_loss = std::nan("");  ///< mean BCE on the validation rows after the epoch; NaN if not evaluated
  bool improved = false;         ///< validation loss was the lowest so far
  /// Whether θ was evaluated after this epoch (TrainerOptions::eval_every).
  bool evaluated() const { return !std::isnan(valid_loss); }
  double seconds = 0.0;
  Index choices[3] = {0, 0, 0};  ///< IG choices: direct, none, inverse
  Index annotated = 0, annotated_correct = 0;
  double mean_positive_weight = std::nan("");
  std::array<Index, kWeightBins> weight_histogram{};  ///< IDL w¹ of every unlabeled pair seen

  double annotation_accuracy() const {
    return annotated > 0 ? static_cast<double>(annotated_correct) / static_cast<double>(annotated) : std::nan("");
  }

  /// Archive protocol (core/archive.hpp): every field, seconds included,
  /// so a resumed run reports the wall-clock time its earlier epochs took.
  template <class Archive>
  void serialize(Archive& ar) {
    ar(epoch, steps, train_loss, valid_loss, improved, seconds);
    for (Index& c : choices) ar(c);
    ar(annotated, annotated_correct, mean_positive_weight);
    for (Index& b : weight_histogram) ar(b);
    bool counts_ok = epoch >= 1 && steps >= 0 && annotated >= 0 && annotated_correct >= 0 &&
                     annotated_correct <= annotated;
    for (Index c : choices) counts_ok = counts_ok && c >= 0;
    for (Index b : weight_histogram) counts_ok = counts_ok && b >= 0;
    ar.check(counts_ok, "epoch report with a non-positive epoch or a negative count");
  }
};

/// The per-step rows and per-epoch reports of one fit.
struct Trace {
  std::vector<TraceRow> steps;
  std::vector<EpochReport> epochs;

  /// Archive protocol (core/archive.hpp): a resumed run continues the
  /// trace of the run it resumes instead of starting an empty one.
  template <class Archive>
  void serialize(Archive& ar) {
    ar(epochs, steps);
  }
};

}  // namespace invlearn

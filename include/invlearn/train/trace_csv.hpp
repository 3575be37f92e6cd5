#pragma once
/// @file trace_csv.hpp
/// The trace as CSV files: the per-step rows (the paper's Figures 6 and 7) and the
/// per-epoch histograms of IDL positive weights (Figures 4 and 5).

#include <cstdio>
#include <fstream>
#include <string>

#include "invlearn/core/error.hpp"
#include "invlearn/train/trace.hpp"

namespace invlearn {

/// Writes the steps as CSV: epoch, step, phase, labeled_loss, unlabeled_loss,
/// loss_direct, loss_none, loss_inverse, choice, mean_positive_weight.
inline void write_steps_csv(const Trace& trace, const std::string& path) {
  std::ofstream out(path);
  if (!out) throw Error("cannot write trace: " + path);
  out << "epoch,step,phase,labeled_loss,unlabeled_loss,loss_direct,loss_none,loss_inverse,choice,"
         "mean_positive_weight\n";
  char line[512];
  for (const auto& r : trace.steps) {
    const auto& s = r.record;
    const char* choice = s.choice == -1 ? "direct" : s.choice == 0 ? "none" : s.choice == 1 ? "inverse" : "";
    std::snprintf(line, sizeof line, "%d,%lld,%s,%.9g,%.9g,%.9g,%.9g,%.9g,%s,%.6g\n", r.epoch,
                  static_cast<long long>(r.step), r.phase == Phase::meta ? "meta" : "train", s.labeled_loss,
                  s.unlabeled_loss, s.candidate_loss[0], s.candidate_loss[1], s.candidate_loss[2], choice,
                  s.mean_positive_weight);
    out << line;
  }
  if (!out) throw Error("error while writing trace: " + path);
}

/// Writes the per-epoch histograms of IDL positive weights as CSV: epoch, bin_low, bin_high, count.
inline void write_weights_csv(const Trace& trace, const std::string& path) {
  std::ofstream out(path);
  if (!out) throw Error("cannot write trace: " + path);
  out << "epoch,bin_low,bin_high,count\n";
  for (const auto& e : trace.epochs)
    for (int b = 0; b < kWeightBins; ++b)
      out << e.epoch << ',' << static_cast<double>(b) / kWeightBins << ','
          << static_cast<double>(b + 1) / kWeightBins << ',' << e.weight_histogram[b] << '\n';
  if (!out) throw Error("error while writing trace: " + path);
}

}  // namespace invlearn

#pragma once
/// @file truncated.hpp
/// T-CE, the truncated cross-entropy of DenoisingRec (Wang et al., 2021).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

#include "invlearn/core/error.hpp"
#include "invlearn/core/math.hpp"
#include "invlearn/core/types.hpp"

namespace invlearn {

/// Drops the positive samples with the largest loss (likely false positives):
/// samples are ordered by \f$\ell(x_k, y_k)\cdot y_k\f$ (so label-0 samples, the sampled
/// negatives, come first and are always kept), the first
/// \f$\lfloor(1-r_t)\,n\rfloor\f$ are kept and \f$L\f$ is their mean BCE. The drop rate
/// ramps linearly, \f$r_t = \min(t \cdot r/(G-1),\ r)\f$, with t the number of batches
/// seen so far (the schedule of the DenoisingRec code). The paper's settings:
/// r = 0.1 (GMF), 0.2 (NeuMF) (train/paper_settings.hpp), G = 30000.
class Truncated {
 public:
  static constexpr const char* name = "tce";

  Truncated() : Truncated(0.1) {}
  explicit Truncated(double max_drop, std::int64_t num_gradual = 30000)
      : max_drop_(max_drop), num_gradual_(num_gradual) {
    require(std::isfinite(max_drop) && max_drop >= 0.0 && max_drop < 1.0,
            "Truncated: max_drop must be in [0, 1)");
    require(num_gradual >= 2, "Truncated: num_gradual must be at least 2");
  }

  /// Drop rate for the next batch.
  double drop_rate() const {
    const double ramp = static_cast<double>(iteration_) * max_drop_ / static_cast<double>(num_gradual_ - 1);
    return std::min(ramp, max_drop_);
  }
  std::int64_t iteration() const { return iteration_; }
  void set_iteration(std::int64_t t) { iteration_ = t; }

  /// Archive protocol (core/archive.hpp): the schedule's batch counter.
  template <class Archive>
  void serialize(Archive& ar) {
    ar(iteration_);
  }

  /// Loss of the batch; advances the schedule by one batch.
  template <class S>
  double evaluate(const S* logits, const float* labels, Index n, S* dlogits) {
    select(logits, labels, n, drop_rate(), mask_);
    ++iteration_;
    return masked(logits, labels, n, mask_.data(), dlogits);
  }

  /// The loss evaluate() would return for this batch, at the current drop rate, without
  /// advancing the schedule (only scratch buffers change).
  template <class S>
  double value(const S* logits, const float* labels, Index n) const {
    select(logits, labels, n, drop_rate(), scratch_mask_);
    return masked(logits, labels, n, scratch_mask_.data(), static_cast<S*>(nullptr));
  }

  /// The mask of the last evaluate(): 1 for kept samples.
  const std::vector<unsigned char>& mask() const { return mask_; }

  /// Marks in `mask` the samples kept at drop rate `drop` (ties keep the earlier sample).
  template <class S>
  void select(const S* logits, const float* labels, Index n, double drop, std::vector<unsigned char>& mask) const {
    order_.resize(static_cast<std::size_t>(n));
    key_.resize(static_cast<std::size_t>(n));
    std::iota(order_.begin(), order_.end(), Index(0));
    for (Index k = 0; k < n; ++k)
      key_[k] = static_cast<double>(bce_with_logits(logits[k], static_cast<S>(labels[k]))) * labels[k];
    std::stable_sort(order_.begin(), order_.end(), [&](Index a, Index b) { return key_[a] < key_[b]; });
    const Index keep = static_cast<Index>((1.0 - drop) * static_cast<double>(n));
    mask.assign(static_cast<std::size_t>(n), 0);
    for (Index r = 0; r < keep; ++r) mask[order_[r]] = 1;
  }

  /// Mean BCE over the samples `mask` keeps, and its gradient (zero for dropped samples).
  template <class S>
  static double masked(const S* logits, const float* labels, Index n, const unsigned char* mask, S* dlogits) {
    Index kept = 0;
    for (Index k = 0; k < n; ++k) kept += mask[k] ? 1 : 0;
    double sum = 0.0;
    const S inv = kept > 0 ? S(1) / static_cast<S>(kept) : S(0);
    for_each_logistic_parts(logits, n, [&](Index k, const LogisticParts<S>& x) {
      if (!mask[k]) {
        if (dlogits) dlogits[k] = S(0);
        return;
      }
      const S y = static_cast<S>(labels[k]);
      sum += static_cast<double>(x.bce(y));
      if (dlogits) dlogits[k] = (x.sigmoid() - y) * inv;
    });
    return kept > 0 ? sum / static_cast<double>(kept) : 0.0;
  }

 private:
  double max_drop_;
  std::int64_t num_gradual_;
  std::int64_t iteration_ = 0;
  std::vector<unsigned char> mask_;
  // Scratch of select() and value(): reused buffers, not state.
  mutable std::vector<unsigned char> scratch_mask_;
  mutable std::vector<Index> order_;
  mutable std::vector<double> key_;
};

}  // namespace invlearn

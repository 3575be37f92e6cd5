#pragma once
/// @file paper_settings.hpp
/// The paper's per-backbone settings of the DenoisingRec baselines, as a trait of the
/// backbone type: T-CE's drop rate and R-CE's β (Lin et al., §4.1.3, following
/// DenoisingRec's defaults).

#include <cstdint>

#include "invlearn/loss/reweighted.hpp"
#include "invlearn/loss/truncated.hpp"
#include "invlearn/model/gmf.hpp"
#include "invlearn/model/neumf.hpp"

namespace invlearn {

/// GMF's settings, and those of any backbone without a specialisation.
template <class Model>
struct PaperSettings {
  static constexpr double tce_drop_rate = 0.1;
  static constexpr std::int64_t tce_num_gradual = 30000;
  static constexpr double rce_beta = 0.2;
};

/// NeuMF's: a deeper model drops more and down-weights harder samples more.
template <class S>
struct PaperSettings<NeuMF<S>> {
  static constexpr double tce_drop_rate = 0.2;
  static constexpr std::int64_t tce_num_gradual = 30000;
  static constexpr double rce_beta = 0.25;
};

/// T-CE with the paper's drop rate for `Model` by default.
template <class Model>
class TruncatedFor : public Truncated {
 public:
  TruncatedFor() : Truncated(PaperSettings<Model>::tce_drop_rate, PaperSettings<Model>::tce_num_gradual) {}
  /// Other settings than the paper's.
  TruncatedFor(const Truncated& settings) : Truncated(settings) {}  // NOLINT: implicit on purpose
};

/// R-CE with the paper's β for `Model` by default.
template <class Model>
class ReweightedFor : public Reweighted {
 public:
  ReweightedFor() : Reweighted(PaperSettings<Model>::rce_beta) {}
  /// Other settings than the paper's.
  ReweightedFor(const Reweighted& settings) : Reweighted(settings) {}  // NOLINT: implicit on purpose
};

}  // namespace invlearn

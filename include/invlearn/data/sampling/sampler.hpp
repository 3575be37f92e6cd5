#pragma once
/// @file sampler.hpp
/// The Sampler concept: what the Trainer asks of a sampler of unlabeled pairs.
/// check_sampler<S>() fails with one message per missing member; SamplerArchetype is the
/// written contract.
///
/// A sampler never sees a model. Where it needs scores it calls the Score it is given: any
/// callable `void(const BatchView& pairs, double* scores)` that writes pairs.size logits,
/// one per pair, in order. The Trainer's Score is the model's forward pass at the current
/// θ, in chunks (a sampler may pass any number of pairs); it writes nothing else and is
/// not called concurrently.

#include <string_view>
#include <type_traits>
#include <utility>

#include "invlearn/core/detect.hpp"
#include "invlearn/core/random.hpp"
#include "invlearn/core/rows.hpp"
#include "invlearn/data/interactions.hpp"
#include "invlearn/data/sampling/unlabeled_batch.hpp"

namespace invlearn {

/// There is no Score called ScoreArchetype: it is the shape of every Score.
struct ScoreArchetype {
  /// Requires: `scores` has room for pairs.size values. Ensures: scores[k] is the logit of
  /// (pairs.users[k], pairs.items[k]); pairs.labels is not read.
  void operator()(const BatchView& /*pairs*/, double* /*scores*/) const {}
};

/// There is no sampler called SamplerArchetype: it is shown here to document what the
/// Trainer asks of a sampler, and the tests check that it passes check_sampler(). The
/// Trainer holds its sampler by value (so it must be movable) and calls, in order:
/// prepare() once per fit(), then per epoch begin_epoch() and sample() for every step
/// that uses unlabeled pairs. Optional: `template <class Archive> void serialize(Archive&)`
/// for state a checkpoint must keep (see io/checkpoint.hpp); without it the sampler is
/// rebuilt by prepare() on resume.
class SamplerArchetype {
 public:
  /// The sampler's name in traces and checkpoints.
  static constexpr const char* name = "archetype";

  /// Requires: `train` is every labeled training row (valid ids); `pool` is null, empty,
  /// or a fixed set of unlabeled pairs whose labels are their truth (NaN if unknown);
  /// `truth` gives the truth of other pairs and may be empty. Ensures: the sampler keeps
  /// what it needs (it must not keep references to the arguments). Throws
  /// InvalidArgument (or OptionError) for data it cannot sample from.
  void prepare(const Interactions& /*train*/, const Interactions* /*pool*/, TruthFn /*truth*/) {}

  /// Called before each epoch; `epoch` counts from 0. The model is as the previous epoch
  /// left it; `score` may be called for any pairs (a sampler that keeps scores across
  /// epochs takes them here).
  template <class Score>
  void begin_epoch(int /*epoch*/, Score&& /*score*/) {}

  /// Requires: prepare() ran; `labeled` holds training-set ids. Ensures: `out` holds the
  /// unlabeled pairs for this labeled batch (labels 0, truth per pair), none of them a
  /// training pair. Every random choice comes from `rng`, so the same seed and calls give
  /// the same pairs. Buffers are reused: once grown, a call allocates nothing.
  template <class Score>
  void sample(const BatchView& /*labeled*/, Score&& /*score*/, Rng& /*rng*/, UnlabeledBatch& out) {
    out.clear();
  }
};

namespace detail {

template <class S>
using sampler_name_t = decltype(std::string_view(S::name));
template <class S>
using sampler_prepare_t = decltype(std::declval<S&>().prepare(
    std::declval<const Interactions&>(), std::declval<const Interactions*>(), std::declval<TruthFn>()));
template <class S>
using sampler_begin_epoch_t = decltype(std::declval<S&>().begin_epoch(0, std::declval<ScoreArchetype&>()));
template <class S>
using sampler_sample_t =
    decltype(std::declval<S&>().sample(std::declval<const BatchView&>(), std::declval<ScoreArchetype&>(),
                                       std::declval<Rng&>(), std::declval<UnlabeledBatch&>()));

}  // namespace detail

/// Checks that S models the Sampler concept (see SamplerArchetype); each missing piece fails
/// with its own message. Returns true so it can sit in a static_assert.
template <class S>
constexpr bool check_sampler() {
  static_assert(is_detected_v<detail::sampler_name_t, S>,
                "Sampler: missing `static constexpr const char* name` (see SamplerArchetype)");
  static_assert(is_detected_v<detail::sampler_prepare_t, S>,
                "Sampler: missing `void prepare(const Interactions& train, const Interactions* pool, TruthFn)`");
  static_assert(is_detected_v<detail::sampler_begin_epoch_t, S>,
                "Sampler: missing `template <class Score> void begin_epoch(int epoch, Score&& score)`");
  static_assert(is_detected_v<detail::sampler_sample_t, S>,
                "Sampler: missing `template <class Score> void sample(const BatchView& labeled, Score&& score, "
                "Rng&, UnlabeledBatch& out)`");
  static_assert(std::is_move_constructible<S>::value, "Sampler: must be movable (the Trainer holds it by value)");
  return true;
}

}  // namespace invlearn

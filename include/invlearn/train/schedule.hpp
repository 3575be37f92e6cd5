#pragma once
/// @file schedule.hpp
/// The Schedule concept: the structure of one epoch (which steps run on which batches),
/// its compile-time check, an archetype, every schedule, and each policy's default.

#include <type_traits>
#include <utility>

#include "invlearn/core/detect.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/train/schedule/per_train_batch.hpp"
#include "invlearn/train/schedule/plain.hpp"
#include "invlearn/train/schedule/test_pass.hpp"

namespace invlearn {

/// What the Trainer offers a schedule for one epoch. There is no such type in the
/// library: the trainer passes its own; this class only documents it.
struct EpochArchetype {
  /// Batches of training rows (training-train when the schedule holds rows out), in
  /// this epoch's shuffled order.
  Index train_batches() const;
  /// Batches of training-test rows (0 unless the schedule holds rows out).
  Index test_batches() const;
  /// The update policy's step on training batch b.
  void policy_step(Index b);
  /// A labels-only step (NoUpdate) on training batch b: Algorithm 1's lines 3-6.
  void labels_step(Index b);
  /// Draws a new order of the training-test rows.
  void shuffle_test();
  /// The update policy's (meta) step on training-test batch b, in the current order.
  void meta_step(Index b);
};

/// There is no ScheduleArchetype schedule in the library: this class only documents the
/// contract (docs/concepts.md, "Schedule"). Plain, TestPass and PerTrainBatch model it.
struct ScheduleArchetype {
  static constexpr const char* name = "archetype";
  /// Whether TrainerOptions::meta_fraction of the training rows are held out as
  /// training-test rows for meta steps.
  static constexpr bool holds_out = false;
  /// Runs one epoch through the Epoch's steps.
  template <class Epoch>
  static void run(Epoch& epoch);
  /// How many steps run() takes for the given numbers of batches (for progress bars).
  static Index steps(Index train_batches, Index test_batches);
};

namespace detail {
template <class T> using schedule_name_t = decltype(T::name);
template <class T> using schedule_holds_out_t = decltype(bool(T::holds_out));
template <class T> using schedule_run_t = decltype(T::run(std::declval<EpochArchetype&>()));
template <class T> using schedule_steps_t = decltype(Index(T::steps(Index(1), Index(1))));
}  // namespace detail

/// Checks that T models the Schedule concept; each missing piece fails with its own message.
template <class T>
constexpr bool check_schedule() {
  using namespace detail;
  static_assert(is_detected_v<schedule_name_t, T>, "Schedule: missing `static constexpr const char* name`");
  static_assert(is_detected_v<schedule_holds_out_t, T>,
                "Schedule: missing `static constexpr bool holds_out` (hold out training-test rows?)");
  static_assert(is_detected_v<schedule_run_t, T>, "Schedule: missing `template <class Epoch> static void run(Epoch&)`");
  static_assert(is_detected_v<schedule_steps_t, T>,
                "Schedule: missing `static Index steps(Index train_batches, Index test_batches)`");
  return true;
}

/// The schedule a policy trains with unless the method names another: TestPass for a
/// meta policy (IG), Plain otherwise.
template <class Policy>
using default_schedule_t = std::conditional_t<Policy::is_meta, TestPass, Plain>;

}  // namespace invlearn

#pragma once
/// @file epoch.hpp
/// The Epoch a Trainer's schedule runs (train/schedule.hpp, EpochArchetype): one step of
/// a policy on a batch, with its unlabeled pairs sampled and its rows brought up to date.

#include "invlearn/core/rows.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/data/sampling/unlabeled_batch.hpp"
#include "invlearn/train/trace.hpp"
#include "invlearn/update/no_update.hpp"
#include "invlearn/update/step_record.hpp"

namespace invlearn {

/// One epoch's steps for Trainer `TrainerT` (its friend), scoring candidates with `Score`.
template <class TrainerT, class Score>
class TrainerEpoch {
 public:
  using Context = typename TrainerT::Context;

  TrainerEpoch(TrainerT& trainer, Context& ctx, Score& score, EpochReport& report)
      : t_(trainer), ctx_(ctx), score_(score), report_(report) {}
  Index train_batches() const { return t_.batches_.train_batches(); }
  Index test_batches() const { return t_.batches_.test_batches(); }
  void policy_step(Index b) { step(t_.policy_state_, kUsesUnlabeled, t_.batches_.train(b), Phase::train); }
  void labels_step(Index b) {
    NoUpdate labels_only;
    step(labels_only, false, t_.batches_.train(b), Phase::train);
  }
  void shuffle_test() { t_.batches_.shuffle_test(t_.state_.shuffle_rng); }
  void meta_step(Index b) { step(t_.policy_state_, kUsesUnlabeled, t_.batches_.test(b), Phase::meta); }
  double loss_sum = 0.0;

 private:
  static constexpr bool kUsesUnlabeled = TrainerT::policy_type::uses_unlabeled;

  template <class Policy>
  void step(Policy& policy, bool uses_unlabeled, const Batch& labeled, Phase phase) {
    StepRecord rec;
    const UnlabeledBatch* unlabeled = nullptr;
    t_.bring_up_to_date(labeled.view());
    if (uses_unlabeled) {
      t_.sampler_.sample(labeled.view(), score_, t_.state_.sampler_rng, t_.unlabeled_);
      unlabeled = &t_.unlabeled_;
      t_.bring_up_to_date(t_.unlabeled_.batch.view());
    }
    policy.step(ctx_, labeled.view(), unlabeled, rec);
    ++t_.state_.global_step;
    ++report_.steps;
    loss_sum += rec.labeled_loss;
    if (rec.is_meta()) ++report_.choices[rec.choice + 1];
    report_.annotated += rec.annotated;
    report_.annotated_correct += rec.annotated_correct;
    TraceRow row{report_.epoch, t_.state_.global_step, phase, rec};
    if (t_.options_.record_steps) t_.trace_.steps.push_back(row);
    if (t_.on_step_) t_.on_step_(row);
  }
  TrainerT& t_;
  Context& ctx_;
  Score& score_;
  EpochReport& report_;
};

}  // namespace invlearn

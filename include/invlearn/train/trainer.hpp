#pragma once
/// @file trainer.hpp
/// The training loop: epochs shaped by a schedule, labeled batches, unlabeled batches
/// from a sampler, an update policy that decides what they do, and model selection on
/// validation BCE.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "invlearn/config.hpp"
#include "invlearn/core/archive.hpp"
#include "invlearn/core/error.hpp"
#include "invlearn/core/per_scalar_state.hpp"
#include "invlearn/core/random.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/data/interactions.hpp"
#include "invlearn/data/sampling.hpp"
#include "invlearn/loss/bce.hpp"
#include "invlearn/loss/loss.hpp"
#include "invlearn/model/backbone.hpp"
#include "invlearn/model/predict.hpp"
#include "invlearn/optim/adam.hpp"
#include "invlearn/optim/optimizer.hpp"
#include "invlearn/train/batches.hpp"
#include "invlearn/train/epoch.hpp"
#include "invlearn/train/block_search.hpp"
#include "invlearn/train/options.hpp"
#include "invlearn/train/schedule.hpp"
#include "invlearn/train/state.hpp"
#include "invlearn/train/stopping.hpp"
#include "invlearn/train/trace.hpp"
#include "invlearn/update/no_update.hpp"
#include "invlearn/update/step_context.hpp"
#include "invlearn/update/update_policy.hpp"

namespace invlearn {

/// Trains `Model` on labeled rows, with unlabeled pairs from `Sampler` handled by
/// `UpdatePolicy`, one epoch at a time as `Schedule` shapes it:
/// - Plain (the default for every policy but IG): every labeled batch of an epoch is one
///   step of the policy, with a fresh unlabeled batch;
/// - TestPass / PerTrainBatch (meta policies): the labeled rows are split
///   (1 - meta_fraction) / meta_fraction into training-train and training-test; each
///   epoch is a pass of labeled steps over training-train, then meta steps on
///   training-test batches as the schedule says.
/// After every epoch the validation BCE is measured; the lowest one's θ is kept and,
/// with restore_best, restored at the end. With no validation rows there is no model
/// selection: the last epoch's θ is kept and FitResult::selected says so.
///
/// The policies hold settings; the trainer holds their per-run state for the model's
/// Scalar (`Optimizer::State<S>`, and the update policy's State<S> when it has one).
template <class Model, class LabeledLoss, class UnlabeledLoss, class UpdatePolicy, class Optimizer = Adam,
          class Sampler = UniformSampler, class Schedule = default_schedule_t<UpdatePolicy>>
class Trainer {
 public:
  using Scalar = typename Model::Scalar;
  using OptimizerState = typename Optimizer::template State<Scalar>;
  using PolicyState = state_of_t<UpdatePolicy, Scalar>;
  using Context = StepContext<Model, LabeledLoss, UnlabeledLoss, OptimizerState>;
  using schedule = Schedule;
  using policy_type = UpdatePolicy;
  using optimizer_type = Optimizer;
  using EpochCallback = std::function<bool(const EpochReport&)>;
  using StepCallback = std::function<void(const TraceRow&)>;

 private:
  // Every concept is checked before any member is instantiated, so a missing piece
  // fails here with its own message rather than deep inside a step.
  static constexpr bool kConceptsHold = check_backbone<Model>() && check_loss<LabeledLoss, Scalar>() &&
                                        check_loss<UnlabeledLoss, Scalar>() && check_optimizer<Optimizer, Scalar>() &&
                                        check_update_policy<UpdatePolicy, Context>() && check_sampler<Sampler>() &&
                                        check_schedule<Schedule>();
  static_assert(kConceptsHold, "see the messages above");
  static_assert(!UpdatePolicy::is_meta || Schedule::holds_out,
                "Trainer: a meta policy (IG) needs a schedule that holds out training-test rows (TestPass, "
                "PerTrainBatch)");

 public:
  explicit Trainer(Model& model, const TrainerOptions& options = TrainerOptions(),
                   LabeledLoss labeled_loss = LabeledLoss(), UnlabeledLoss unlabeled_loss = UnlabeledLoss(),
                   UpdatePolicy policy = UpdatePolicy(), Optimizer optimizer = Optimizer(),
                   Sampler sampler = Sampler())
      : model_(model),
        options_((options.validate(), options)),
        labeled_loss_(std::move(labeled_loss)),
        unlabeled_loss_(std::move(unlabeled_loss)),
        policy_(std::move(policy)),
        optimizer_(resolve_lr(std::move(optimizer), options_)),
        sampler_(std::move(sampler)),
        optimizer_state_(optimizer_, model.parameters()),
        policy_state_(make_state<Scalar>(policy_, model.parameters())) {
    state_.shuffle_rng = Rng(options_.seed, Stream::shuffle);
    state_.sampler_rng = Rng(options_.seed, Stream::sampler);
  }

  /// Called after every epoch; returning false stops training after that epoch.
  void on_epoch(EpochCallback callback) { on_epoch_ = std::move(callback); }
  /// Called after every step.
  void on_step(StepCallback callback) { on_step_ = std::move(callback); }

  /// Trains for the remaining epochs (all of them unless state() was restored from a
  /// checkpoint). `truth` gives the true label of uniformly sampled pairs when known
  /// (synthetic data); `pool` replaces uniform sampling by a fixed set of unlabeled
  /// pairs. Throws InvalidArgument for bad data and NumericalError (naming the method,
  /// epoch and step) if a loss or gradient stops being finite; the model then holds
  /// the best parameters so far, or those before the failing step if no epoch ended.
  FitResult fit(const Interactions& train, const Interactions& valid, TruthFn truth = {},
                const Interactions* pool = nullptr) {
    const auto start = std::chrono::steady_clock::now();
    set_threads(options_.threads);
    train.validate("training rows");
    valid.validate("validation rows");
    require(train.size() > 0, "Trainer::fit: no labeled training rows");
    require(train.num_users <= model_.num_users() && train.num_items <= model_.num_items(),
            "Trainer::fit: the data has more users or items than the model (" + std::to_string(train.num_users) +
                " x " + std::to_string(train.num_items) + " vs " + std::to_string(model_.num_users()) + " x " +
                std::to_string(model_.num_items()) + ")");
    if (pool != nullptr) pool->validate("unlabeled pool", false);
    const bool selecting = valid.size() > 0;
    require_option(selecting || options_.patience == 0, "TrainerOptions::patience",
                   "early stopping needs validation rows; with none, set it to 0 and choose TrainerOptions::epochs");
    require(selecting || !kSearchesBlocks,
            std::string("Trainer::fit: ") + UpdatePolicy::name + " chooses its direction on the validation rows; there are none");
    require(std::isfinite(alpha()) || !UpdatePolicy::uses_unlabeled,
            "Trainer::fit: TrainerOptions::alpha must be set for an optimizer without a learning rate");

    batches_.split(train, Schedule::holds_out, options_.meta_fraction, options_.seed, options_.batch_size);
    if constexpr (kDefersRows) keys_ = table_keys_of(model_);
    sampler_.prepare(train, pool, std::move(truth));
    const Index capacity = options_.batch_size * 4;
    StepBuffers<Model> buffers(model_, capacity);
    Context ctx{model_, optimizer_state_, labeled_loss_, unlabeled_loss_, buffers, alpha(), nullptr};
    // Samplers score pairs through this (DNS's candidates, SRNS's memories and pools):
    // the rows it reads are brought up to date first, and large requests go through the
    // model in chunks of up to 2^14 rows, each one forward.
    typename Model::Workspace score_ws = model_.workspace(capacity);
    Vector<Scalar> score_logits(capacity);
    auto score = [&](const BatchView& pairs, double* out) {
      const Index chunk = std::max(capacity, std::min<Index>(pairs.size, Index(1) << 14));
      if (chunk > score_logits.size()) {
        score_ws = model_.workspace(chunk);
        score_logits.resize(chunk);
      }
      for (Index begin = 0; begin < pairs.size; begin += chunk) {
        const Index n = std::min(chunk, pairs.size - begin);
        const BatchView part = pairs.slice(begin, n);
        bring_up_to_date(part);
        model_.forward(part, score_ws, score_logits.head(n));
        for (Index k = 0; k < n; ++k) out[begin + k] = static_cast<double>(score_logits[k]);
      }
    };

    const StoppingRule rule(options_);
    while (rule.may_continue(state_.epochs_done, state_.global_step, stopping_)) {
      if constexpr (kSearchesBlocks) {
        if (!BlockSearch<Trainer>::run(*this, ctx, score, valid, buffers, rule)) break;
        continue;
      }
      EpochReport report = train_epoch(ctx, score);
      if (selecting && rule.evaluate_now(report.epoch, state_.global_step, stopping_))
        record_evaluation(measure(valid, buffers, report.epoch), rule, report);
      if (!finish_epoch(report)) break;
    }
    if (selecting && options_.restore_best && !state_.best.tables.empty()) model_.parameters() = state_.best;
    return result(selecting, start);
  }

  /// Evaluations made, patience used and whether the fit stopped early.
  const StoppingState& stopping() const { return stopping_; }
  /// Writable for load_checkpoint.
  StoppingState& stopping() { return stopping_; }
  /// Evaluations left before early stopping ends the fit.
  Index patience_left() const { return StoppingRule(options_).patience_left(stopping_); }

  /// Mean BCE of `data` at the current θ.
  double validation_loss(const Interactions& data) {
    bring_all_up_to_date();
    StepBuffers<Model> buffers(model_, options_.batch_size);
    return validation_loss(data, buffers);
  }

  /// Steps one epoch takes on `rows` labeled training rows (what a progress bar needs).
  Index steps_per_epoch(Index rows) const {
    const Index bs = options_.batch_size;
    const Index test = Schedule::holds_out ? TrainBatches::test_rows(rows, options_.meta_fraction) : 0;
    return Schedule::steps((rows - test + bs - 1) / bs, (test + bs - 1) / bs);
  }

  /// γ, the optimizer's learning rate (NaN for an optimizer without lr()).
  double lr() const {
    if constexpr (has_lr_v<Optimizer>) return *optimizer_.lr();
    else return std::nan("");
  }
  /// α, the unlabeled step size, of this trainer.
  double alpha() const { return options_.effective_alpha(lr()); }

  const Trace& trace() const { return trace_; }
  /// Writable for load_checkpoint, which restores the trace of the epochs already run.
  Trace& trace() { return trace_; }
  const TrainerOptions& options() const { return options_; }
  TrainerState<Scalar>& state() { return state_; }
  const TrainerState<Scalar>& state() const { return state_; }
  /// The optimizer's state (its moments: what a checkpoint saves).
  OptimizerState& optimizer() { return optimizer_state_; }
  /// The optimizer's settings.
  const Optimizer& optimizer_settings() const { return optimizer_; }
  Sampler& sampler() { return sampler_; }
  LabeledLoss& labeled_loss() { return labeled_loss_; }
  UnlabeledLoss& unlabeled_loss() { return unlabeled_loss_; }
  /// The update policy's state (the policy itself when it keeps none).
  PolicyState& policy() { return policy_state_; }
  Model& model() { return model_; }

 private:
  template <class T, class Score>
  friend class TrainerEpoch;
  static constexpr bool kDefersRows = defers_rows_v<OptimizerState, Scalar>;
  static constexpr bool kSearchesBlocks = has_block_directions_v<UpdatePolicy>;
  static constexpr bool kSamplerHasState = detail::has_serialize<Sampler, detail::ProbeArchive>::value;
  template <class T>
  friend struct BlockSearch;

  /// Brings the rows `batch` reads up to date, for an optimizer that defers rows.
  void bring_up_to_date(const BatchView& batch) {
    if constexpr (kDefersRows) optimizer_state_.bring_up_to_date(model_.parameters(), batch, keys_);
    else (void)batch;
  }
  /// Brings every row up to date, for an optimizer that defers rows.
  void bring_all_up_to_date() {
    if constexpr (kDefersRows) optimizer_state_.bring_all_up_to_date(model_.parameters());
  }

  static Optimizer resolve_lr(Optimizer optimizer, const TrainerOptions& options) {
    if constexpr (has_lr_v<Optimizer>) {
      const auto own = optimizer.lr();
      if (own && options.lr && *own != *options.lr)
        throw InvalidArgument("Trainer: the learning rate is given twice, TrainerOptions::lr = " +
                              std::to_string(*options.lr) + " and the optimizer's lr = " + std::to_string(*own) +
                              "; set one of them");
      if (!own) optimizer.set_lr(options.lr.value_or(kDefaultLearningRate));
    } else {
      require(!options.lr, std::string("Trainer: TrainerOptions::lr is set, but the optimizer ") + Optimizer::name +
                               " takes no learning rate from the trainer (set it on the optimizer)");
    }
    return optimizer;
  }

  std::string method_name() const {
    return options_.method.empty() ? std::string(UpdatePolicy::name) : options_.method;
  }

  template <class Score>
  void run_epoch(Context& ctx, Score& score, EpochReport& report) {
    WeightTally weights;
    ctx.weights = &weights;
    // Each epoch shuffles the same base order, so a run resumed at an epoch boundary
    // sees the batches an uninterrupted run would.
    batches_.shuffle_train(state_.shuffle_rng);
    TrainerEpoch<Trainer, Score> epoch(*this, ctx, score, report);
    Schedule::run(epoch);
    ctx.weights = nullptr;
    report.train_loss = report.steps > 0 ? epoch.loss_sum / static_cast<double>(report.steps) : std::nan("");
    report.weight_histogram = weights.histogram;
    if (weights.count > 0) report.mean_positive_weight = weights.sum / static_cast<double>(weights.count);
  }

  double validation_loss(const Interactions& data, StepBuffers<Model>& buffers) const {
    if (data.size() == 0) return std::nan("");
    const Index chunk = std::min<Index>(buffers.capacity(), options_.batch_size);
    double sum = 0.0;
    for_each_logit_chunk(model_, data.view(), chunk, buffers.ws, buffers.logits,
                         [&](const BatchView& part, const Scalar* logits) {
                           sum += labeled_bce_.value(logits, part.labels, part.size) * static_cast<double>(part.size);
                         });
    return sum / static_cast<double>(data.size());
  }

  /// One epoch: its steps, then every row brought up to date. On a NumericalError θ goes
  /// back to the best so far and the error names the method, epoch and step.
  template <class Score>
  EpochReport train_epoch(Context& ctx, Score& score) {
    const auto epoch_start = std::chrono::steady_clock::now();
    EpochReport report;
    report.epoch = state_.epochs_done + 1;
    sampler_.begin_epoch(report.epoch - 1, score);
    try {
      run_epoch(ctx, score, report);
    } catch (const NumericalError& e) {
      if (!state_.best.tables.empty()) model_.parameters() = state_.best;
      throw NumericalError(method_name() + ", epoch " + std::to_string(report.epoch) + ", step " +
                           std::to_string(state_.global_step + 1) + ": " + e.what());
    }
    bring_all_up_to_date();
    state_.epochs_done = report.epoch;
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start).count();
    return report;
  }

  /// The validation BCE at θ; a loss that is not finite is a NumericalError.
  double measure(const Interactions& valid, StepBuffers<Model>& buffers, int epoch) {
    const double loss = validation_loss(valid, buffers);
    if (!std::isfinite(loss)) {
      if (!state_.best.tables.empty()) model_.parameters() = state_.best;
      throw NumericalError(method_name() + ", epoch " + std::to_string(epoch) + ": validation loss is not finite");
    }
    return loss;
  }

  /// An evaluation's bookkeeping: the report's loss, the best θ so far (kept whenever the
  /// loss is lower), the patience.
  void record_evaluation(double loss, const StoppingRule& rule, EpochReport& report) {
    report.valid_loss = loss;
    if (loss < state_.best_valid_loss || state_.best.tables.empty()) {
      report.improved = true;
      state_.best_valid_loss = loss;
      state_.best_epoch = report.epoch;
      state_.best = model_.parameters();
    }
    rule.record(loss, state_.global_step, stopping_);
  }

  /// An epoch's report to the trace and the callback; false when the callback stops the fit.
  bool finish_epoch(const EpochReport& report) {
    trace_.epochs.push_back(report);
    return !(on_epoch_ && !on_epoch_(report));
  }

  /// What a block search restores: everything a run of steps changes.
  struct Snapshot {
    Parameters<Scalar> params;
    OptimizerState optimizer;
    PolicyState policy;
    LabeledLoss labeled;
    UnlabeledLoss unlabeled;
    std::optional<Sampler> sampler;  ///< only for a sampler with state
    TrainerState<Scalar> state;
    StoppingState stopping;
  };
  Snapshot snapshot() const {
    Snapshot s{model_.parameters(), optimizer_state_, policy_state_, labeled_loss_, unlabeled_loss_, std::nullopt,
               state_, stopping_};
    if constexpr (kSamplerHasState) s.sampler = sampler_;
    return s;
  }
  void restore(const Snapshot& s) {
    model_.parameters() = s.params;
    optimizer_state_ = s.optimizer;
    policy_state_ = s.policy;
    labeled_loss_ = s.labeled;
    unlabeled_loss_ = s.unlabeled;
    if constexpr (kSamplerHasState) sampler_ = *s.sampler;
    state_ = s.state;
    stopping_ = s.stopping;
  }

  FitResult result(bool selecting, std::chrono::steady_clock::time_point start) const {
    FitResult result;
    result.selected = selecting;
    result.best_epoch = selecting ? state_.best_epoch : state_.epochs_done;
    result.best_valid_loss = selecting ? state_.best_valid_loss : std::nan("");
    for (const auto& e : trace_.epochs) {
      for (int c = 0; c < 3; ++c) result.choices[c] += e.choices[c];
      result.annotated += e.annotated;
      result.annotated_correct += e.annotated_correct;
    }
    result.evaluations = stopping_.evaluations;
    result.stopped_early = stopping_.stopped;
    result.steps = state_.global_step;
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
  }

  Model& model_;
  TrainerOptions options_;
  LabeledLoss labeled_loss_;
  UnlabeledLoss unlabeled_loss_;
  UpdatePolicy policy_;
  Optimizer optimizer_;
  Sampler sampler_;
  OptimizerState optimizer_state_;
  PolicyState policy_state_;
  BCE labeled_bce_;  ///< model selection is on validation BCE, whatever the labeled loss
  TrainerState<Scalar> state_;
  StoppingState stopping_;
  Trace trace_;
  EpochCallback on_epoch_;
  StepCallback on_step_;
  TrainBatches batches_;
  UnlabeledBatch unlabeled_;
  std::vector<TableKey> keys_;  ///< which id indexes each table (for an optimizer that defers rows)
};

}  // namespace invlearn

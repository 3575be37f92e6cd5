#pragma once
/// @file trainer.hpp
/// The training loop: epochs of labeled batches, unlabeled batches from a sampler,
/// an update policy that decides what they do, and model selection on validation BCE.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "invlearn/config.hpp"
#include "invlearn/core/error.hpp"
#include "invlearn/core/random.hpp"
#include "invlearn/core/traits.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/data/interactions.hpp"
#include "invlearn/data/sampling.hpp"
#include "invlearn/loss/bce.hpp"
#include "invlearn/optim/adam.hpp"
#include "invlearn/train/trace.hpp"
#include "invlearn/update/context.hpp"
#include "invlearn/update/no_update.hpp"

namespace invlearn {

/// Settings of a Trainer. The defaults are the paper's protocol with the authors'
/// learning rate for IG.
struct TrainerOptions {
  int epochs = 10;
  Index batch_size = 1024;
  double lr = 1e-3;              ///< γ, the optimizer's learning rate
  double alpha = -1.0;           ///< α, the unlabeled step; negative means 0.1·γ (the paper's ratio)
  double meta_fraction = 0.1;    ///< share of labeled training rows held out as training-test (IG)
  std::uint64_t seed = 42;
  int threads = 0;               ///< OpenMP threads; 0 keeps the current setting
  bool restore_best = true;      ///< end with θ of the epoch with the lowest validation BCE
  bool record_steps = true;      ///< keep a TraceRow per step
  std::string method = "";       ///< name used in messages and reports

  double effective_alpha() const { return alpha < 0 ? 0.1 * lr : alpha; }
  void validate() const {
    require(epochs >= 0, "TrainerOptions: epochs must be >= 0, got " + std::to_string(epochs));
    require(batch_size > 0, "TrainerOptions: batch_size must be positive, got " + std::to_string(batch_size));
    require(std::isfinite(lr) && lr >= 0, "TrainerOptions: lr must be finite and >= 0");
    require(std::isfinite(alpha), "TrainerOptions: alpha must be finite");
    require(meta_fraction > 0 && meta_fraction < 1, "TrainerOptions: meta_fraction must be in (0, 1)");
  }
};

/// What fit() returns.
struct FitResult {
  int best_epoch = 0;  ///< 1-based; 0 if no epoch ran
  double best_valid_loss = std::numeric_limits<double>::infinity();
  double seconds = 0.0;  ///< this call's wall-clock time (trace().epochs has each epoch's)
  /// IG choices over all epochs in trace(), those before a resume included: direct, none, inverse
  Index choices[3] = {0, 0, 0};
  Index annotated = 0, annotated_correct = 0;
  double annotation_accuracy() const {
    return annotated > 0 ? static_cast<double>(annotated_correct) / static_cast<double>(annotated) : std::nan("");
  }
};

/// Where a fit stands between epochs: everything besides the model and the
/// optimizer that a resumed run needs to continue exactly.
template <class S>
struct TrainerState {
  int epochs_done = 0;
  Index global_step = 0;
  Rng shuffle_rng;
  Rng sampler_rng;
  int best_epoch = 0;
  double best_valid_loss = std::numeric_limits<double>::infinity();
  Parameters<S> best;  ///< θ at best_epoch (empty before the first epoch)

  /// Checkpoint archive protocol (io/checkpoint.hpp).
  template <class Archive>
  void serialize(Archive& ar) {
    ar(epochs_done, global_step, shuffle_rng, sampler_rng, best_epoch, best_valid_loss, best);
  }
};

/// Trains `Model` on labeled rows, with unlabeled pairs from `Sampler` handled by
/// `UpdatePolicy`:
/// - plain policies (NoUpdate, JointUpdate, DirectUpdate, InverseUpdate): every
///   labeled batch of an epoch is one step, with a fresh unlabeled batch;
/// - meta policies (InverseGradient): the labeled rows are split (1 - meta_fraction)
///   / meta_fraction into training-train and training-test; each epoch is a pass of
///   labeled steps over training-train, then meta steps on training-test batches
///   as the policy's schedule says.
/// After every epoch the validation BCE is measured; the lowest one's θ is kept and,
/// with restore_best, restored at the end.
template <class Model, class LabeledLoss, class UnlabeledLoss, class UpdatePolicy, class Optimizer = Adam,
          class Sampler = UniformSampler>
class Trainer {
  static_assert(check_backbone<Model>(), "see the messages above: Model is not a backbone");

 public:
  using Scalar = typename Model::Scalar;
  using Context = StepContext<Model, LabeledLoss, UnlabeledLoss, Optimizer>;
  using EpochCallback = std::function<bool(const EpochReport&)>;
  using StepCallback = std::function<void(const TraceRow&)>;

  explicit Trainer(Model& model, const TrainerOptions& options = TrainerOptions(),
                   LabeledLoss labeled_loss = LabeledLoss(), UnlabeledLoss unlabeled_loss = UnlabeledLoss(),
                   UpdatePolicy policy = UpdatePolicy(), Optimizer optimizer = Optimizer(),
                   Sampler sampler = Sampler())
      : model_(model),
        options_(options),
        labeled_loss_(std::move(labeled_loss)),
        unlabeled_loss_(std::move(unlabeled_loss)),
        policy_(std::move(policy)),
        optimizer_(std::move(optimizer)),
        sampler_(std::move(sampler)) {
    options_.validate();
    optimizer_.lr = options_.lr;
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

    split(train);
    sampler_.prepare(train, pool, std::move(truth));
    const Index capacity = options_.batch_size * 4;
    StepBuffers<Model> buffers(model_, capacity);
    Context ctx{model_, optimizer_, labeled_loss_, unlabeled_loss_, buffers, options_.effective_alpha()};
    // The samplers' Score: logits at the current θ, in one forward call per up to 2^14
    // rows (the workspace grows once to the largest batch asked for, up to that).
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
        model_.forward(pairs.slice(begin, n), score_ws, score_logits.head(n));
        for (Index k = 0; k < n; ++k) out[begin + k] = static_cast<double>(score_logits[k]);
      }
    };

    FitResult result;
    for (int epoch = state_.epochs_done + 1; epoch <= options_.epochs; ++epoch) {
      const auto epoch_start = std::chrono::steady_clock::now();
      EpochReport report;
      report.epoch = epoch;
      sampler_.begin_epoch(epoch - 1, score);
      try {
        run_epoch(ctx, score, report);
      } catch (const NumericalError& e) {
        if (!state_.best.tables.empty()) model_.parameters() = state_.best;
        throw NumericalError(method_name() + ", epoch " + std::to_string(epoch) + ", step " +
                             std::to_string(state_.global_step + 1) + ": " + e.what());
      }
      report.valid_loss = validation_loss(valid, buffers);
      if (!std::isfinite(report.valid_loss)) {
        if (!state_.best.tables.empty()) model_.parameters() = state_.best;
        throw NumericalError(method_name() + ", epoch " + std::to_string(epoch) + ": validation loss is not finite");
      }
      if (report.valid_loss < state_.best_valid_loss || state_.best.tables.empty()) {
        report.improved = true;
        state_.best_valid_loss = report.valid_loss;
        state_.best_epoch = epoch;
        state_.best = model_.parameters();
      }
      state_.epochs_done = epoch;
      report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start).count();
      trace_.epochs.push_back(report);
      if (on_epoch_ && !on_epoch_(report)) break;
    }
    if (options_.restore_best && !state_.best.tables.empty()) model_.parameters() = state_.best;
    result.best_epoch = state_.best_epoch;
    result.best_valid_loss = state_.best_valid_loss;
    for (const auto& e : trace_.epochs) {
      for (int c = 0; c < 3; ++c) result.choices[c] += e.choices[c];
      result.annotated += e.annotated;
      result.annotated_correct += e.annotated_correct;
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
  }

  /// Mean BCE of `data` at the current θ.
  double validation_loss(const Interactions& data) {
    StepBuffers<Model> buffers(model_, options_.batch_size);
    return validation_loss(data, buffers);
  }

  const Trace& trace() const { return trace_; }
  /// Writable for load_checkpoint, which restores the trace of the epochs already run.
  Trace& trace() { return trace_; }
  const TrainerOptions& options() const { return options_; }
  TrainerState<Scalar>& state() { return state_; }
  const TrainerState<Scalar>& state() const { return state_; }
  Optimizer& optimizer() { return optimizer_; }
  Sampler& sampler() { return sampler_; }
  LabeledLoss& labeled_loss() { return labeled_loss_; }
  UnlabeledLoss& unlabeled_loss() { return unlabeled_loss_; }
  UpdatePolicy& policy() { return policy_; }
  Model& model() { return model_; }

 private:
  std::string method_name() const {
    return options_.method.empty() ? std::string(UpdatePolicy::name) : options_.method;
  }

  /// Main rows (all labeled rows, or training-train) and training-test rows.
  void split(const Interactions& train) {
    auto& main = main_base_;
    auto& test = test_base_;
    main.clear();
    test.clear();
    main.reserve(static_cast<std::size_t>(train.size()));
    if constexpr (UpdatePolicy::is_meta) {
      std::vector<Index> order(static_cast<std::size_t>(train.size()));
      for (Index k = 0; k < train.size(); ++k) order[k] = k;
      Rng rng(options_.seed, Stream::split);
      rng.shuffle(order);
      Index n_test = static_cast<Index>(std::llround(options_.meta_fraction * static_cast<double>(train.size())));
      n_test = std::min(std::max<Index>(n_test, 1), train.size() - 1);
      require(train.size() >= 2, "Trainer::fit: a meta policy needs at least 2 labeled rows");
      for (Index k = 0; k < train.size(); ++k) (k < n_test ? test : main).push_back(order[k]);
    } else {
      for (Index k = 0; k < train.size(); ++k) main.push_back(k);
    }
    rows_ = &train;
  }

  void gather(const std::vector<Index>& order, Index begin, Index count, Batch& out) const {
    out.clear();
    for (Index k = begin; k < begin + count; ++k) {
      const Index r = order[static_cast<std::size_t>(k)];
      out.push_back(rows_->users[r], rows_->items[r], rows_->labels[r]);
    }
  }

  template <class Score>
  void run_epoch(Context& ctx, Score& score, EpochReport& report) {
    const Index bs = options_.batch_size;
    double loss_sum = 0.0;
    auto take_step = [&](auto& policy, const Batch& labeled, Phase phase, int epoch) {
      StepRecord rec;
      const UnlabeledBatch* unlabeled = nullptr;
      if constexpr (std::decay_t<decltype(policy)>::uses_unlabeled) {
        sampler_.sample(labeled.view(), score, state_.sampler_rng, unlabeled_);
        unlabeled = &unlabeled_;
      }
      policy.step(ctx, labeled.view(), unlabeled, rec);
      ++state_.global_step;
      ++report.steps;
      loss_sum += rec.labeled_loss;
      if (rec.is_meta()) ++report.choices[rec.choice + 1];
      report.annotated += rec.annotated;
      report.annotated_correct += rec.annotated_correct;
      if constexpr (detail::has_positive_weights<UnlabeledLoss>::value) {
        if (unlabeled != nullptr)
          for (float w : unlabeled_loss_.positive_weights()) {
            const int bin = std::min(kWeightBins - 1, std::max(0, static_cast<int>(w * kWeightBins)));
            ++report.weight_histogram[static_cast<std::size_t>(bin)];
            weight_sum_ += w;
            ++weight_count_;
          }
      }
      TraceRow row{epoch, state_.global_step, phase, rec};
      if (options_.record_steps) trace_.steps.push_back(row);
      if (on_step_) on_step_(row);
    };

    weight_sum_ = 0.0;
    weight_count_ = 0;
    // Each epoch shuffles the same base order, so a run resumed at an epoch boundary
    // sees the batches an uninterrupted run would.
    main_ = main_base_;
    state_.shuffle_rng.shuffle(main_);
    const Index n_main = static_cast<Index>(main_.size());
    const Index main_batches = (n_main + bs - 1) / bs;
    for (Index b = 0; b < main_batches; ++b) {
      gather(main_, b * bs, std::min(bs, n_main - b * bs), batch_);
      if constexpr (UpdatePolicy::is_meta) {
        NoUpdate labels_only;
        take_step(labels_only, batch_, Phase::train, report.epoch);
      } else {
        take_step(policy_, batch_, Phase::train, report.epoch);
      }
    }
    if constexpr (UpdatePolicy::is_meta) {
      test_ = test_base_;
    state_.shuffle_rng.shuffle(test_);
      const Index n_test = static_cast<Index>(test_.size());
      const Index test_batches = (n_test + bs - 1) / bs;
      const Index meta_steps = UpdatePolicy::schedule::per_train_batch ? main_batches : test_batches;
      for (Index t = 0; t < meta_steps; ++t) {
        const Index b = t % test_batches;
        gather(test_, b * bs, std::min(bs, n_test - b * bs), batch_);
        take_step(policy_, batch_, Phase::meta, report.epoch);
      }
    }
    report.train_loss = report.steps > 0 ? loss_sum / static_cast<double>(report.steps) : std::nan("");
    if (weight_count_ > 0) report.mean_positive_weight = weight_sum_ / static_cast<double>(weight_count_);
  }

  double validation_loss(const Interactions& data, StepBuffers<Model>& buffers) const {
    if (data.size() == 0) return 0.0;
    const BatchView all = data.view();
    const Index chunk = std::min<Index>(buffers.capacity(), options_.batch_size);
    double sum = 0.0;
    BCE bce;
    for (Index begin = 0; begin < data.size(); begin += chunk) {
      const BatchView part = all.slice(begin, std::min(chunk, data.size() - begin));
      auto logits = buffers.logits.head(part.size);
      model_.forward(part, buffers.ws, logits);
      sum += bce.evaluate(buffers.logits.data(), part.labels, part.size, static_cast<Scalar*>(nullptr)) *
             static_cast<double>(part.size);
    }
    return sum / static_cast<double>(data.size());
  }

  Model& model_;
  TrainerOptions options_;
  LabeledLoss labeled_loss_;
  UnlabeledLoss unlabeled_loss_;
  UpdatePolicy policy_;
  Optimizer optimizer_;
  Sampler sampler_;
  TrainerState<Scalar> state_;
  Trace trace_;
  EpochCallback on_epoch_;
  StepCallback on_step_;
  const Interactions* rows_ = nullptr;
  std::vector<Index> main_base_, test_base_;  ///< training(-train) and training-test rows
  std::vector<Index> main_, test_;            ///< this epoch's order of them
  Batch batch_;
  UnlabeledBatch unlabeled_;
  double weight_sum_ = 0.0;
  Index weight_count_ = 0;
};

}  // namespace invlearn

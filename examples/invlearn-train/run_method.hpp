#pragma once
// Running one method: build the backbone, compose the method's Trainer, fit with
// progress (and trace) hooks, evaluate on the test rows.

#include <algorithm>
#include <cmath>
#include <string>

#include <invlearn/ig.hpp>
#if defined(INVLEARN_TRAIN_DISTRIBUTED)
#include <invlearn/distributed/data_parallel.hpp>
#endif

#include "checkpoint.hpp"
#include "common/errors.hpp"
#include "data.hpp"
#include "options.hpp"
#include "paths.hpp"
#include "progress.hpp"
#include "results.hpp"

namespace train {

/// What every method of a run shares.
struct RunSettings {
  const Options& options;
  const LoadedData& data;
  Progress& progress;
  bool several = false;  ///< more than one method: per-method output file names
  std::string label_suffix;  ///< what names the run in a sweep (" f=0.05 seed 43"), after the method
#if defined(INVLEARN_TRAIN_DISTRIBUTED)
  const invlearn::Communicator* comm = nullptr;  ///< the ranks that train together (one without mpirun)
#endif
};

inline invlearn::TrainerOptions trainer_options(const Options& o, const std::string& method) {
  invlearn::TrainerOptions t;
  t.epochs = o.epochs;
  t.max_steps = o.max_steps;
  t.patience = o.patience;
  t.min_delta = o.min_delta;
  t.eval_every = o.eval_every;
  t.batch_size = o.batch;
  t.lr = o.lr;
  t.alpha = o.effective_alpha();
  t.seed = o.seed;
  t.threads = o.threads;
  t.method = method;
  t.record_steps = !o.trace.empty();  // per-step rows cost memory; keep them only to write them
  return t;
}

/// Fits `trainer` (which trains `model`) and evaluates the result.
template <class TrainerT, class Model>
MethodResult fit_and_evaluate(const std::string& method, Model& model, TrainerT& trainer, const RunSettings& s) {
  const Options& o = s.options;
  const invlearn::Dataset& d = s.data.dataset;
  const bool resumed = resume(trainer, o, d, method, s.several);
  if (resumed)
    s.progress.line("[" + method + "] resuming after epoch " + std::to_string(trainer.state().epochs_done));
  trainer.on_step([&s](const invlearn::TraceRow& row) { s.progress.step(row.epoch); });
  trainer.on_epoch([&](const invlearn::EpochReport& r) {
    SelectionStatus status;
    status.evaluations = trainer.stopping().evaluations;
    status.best_valid_loss = trainer.state().best_valid_loss;
    status.best_epoch = trainer.state().best_epoch;
    status.patience_left = trainer.patience_left();
    status.patience = o.patience;
    s.progress.epoch(r, status);
    save(trainer, o, d, method, s.several);  // between epochs: where a resumed run picks up
    return true;
  });
  // With nothing left to train (--load with --epochs 0, or a finished run resumed)
  // fit() only restores the selected parameters.
  const bool training = o.epochs > trainer.state().epochs_done && !trainer.stopping().stopped;
  if (training)
    s.progress.begin(method + s.label_suffix, trainer.state().epochs_done + 1, o.epochs, trainer.steps_per_epoch(d.train.size()),
                     o.patience);
  invlearn::FitResult fit;
  try {
    fit = trainer.fit(d.train, d.valid, s.data.truth(), s.data.pool());
  } catch (...) {
    s.progress.end();
    throw;
  }
  s.progress.end();
  // Once more at the end, now holding the parameters that are evaluated below.
  save(trainer, o, d, method, s.several);

  if (!o.trace.empty()) {
    const std::string path = output_path(o.trace, method, s.several);
    try {
      invlearn::write_steps_csv(trainer.trace(), path);
      invlearn::write_weights_csv(trainer.trace(), path + ".weights.csv");
    } catch (const invlearn::Error& e) {
      throw cli::OutputError(e.what());
    }
  }

  const invlearn::MetricReport m = invlearn::evaluate(model, d.test, 10);
  MethodResult r;
  r.method = method;
  r.auc = m.auc;
  r.gauc = m.gauc;
  r.gauc_weighted = m.gauc_weighted;
  r.ndcg = m.ndcg;
  r.mrr = m.mrr;
  r.best_epoch = fit.best_epoch;
  r.train_seconds = fit.seconds;
  for (int c = 0; c < 3; ++c) r.choices[c] = fit.choices[c];
  if ((method == "idl" || method == "ig") && s.data.truth_known(o)) r.annotation_accuracy = fit.annotation_accuracy();
  if (!o.topk.empty()) r.topk = evaluate_topk(model, d, o.topk);
  return r;
}

/// The paper's IG with the schedule and step rule named by --ig-schedule and --ig-step.
/// Each pair is its own Trainer type: four instantiations per backbone.
template <class Model, class Schedule>
MethodResult run_ig_with(Model& model, const invlearn::TrainerOptions& t, const RunSettings& s) {
  const std::string& step = s.options.ig_step;
  if (step == invlearn::SgdStep::name) {
    invlearn::methods::IGPaper<Model, invlearn::Adam, Schedule, invlearn::SgdStep> trainer(model, t);
    return fit_and_evaluate("ig", model, trainer, s);
  }
  if (step == invlearn::NormalizedStep::name) {
    invlearn::methods::IGPaper<Model, invlearn::Adam, Schedule, invlearn::NormalizedStep> trainer(model, t);
    return fit_and_evaluate("ig", model, trainer, s);
  }
  throw cli::UsageError("--ig-step: unknown value '" + step + "'");
}

template <class Model>
MethodResult run_ig(Model& model, const invlearn::TrainerOptions& t, const RunSettings& s) {
  if (s.options.ig_preset == "blocks") {
    invlearn::methods::IG<Model> trainer(model, t);
    return fit_and_evaluate("ig", model, trainer, s);
  }
  if (s.options.ig_preset != "paper") throw cli::UsageError("--ig-preset: unknown value '" + s.options.ig_preset + "'");
  const std::string& schedule = s.options.ig_schedule;
  if (schedule == invlearn::TestPass::name) return run_ig_with<Model, invlearn::TestPass>(model, t, s);
  if (schedule == invlearn::PerTrainBatch::name) return run_ig_with<Model, invlearn::PerTrainBatch>(model, t, s);
  throw cli::UsageError("--ig-schedule: unknown value '" + schedule + "'");
}

/// Trains and evaluates every method but IG on `model`.
template <class Model>
MethodResult run_other(const std::string& method, Model& model, const invlearn::TrainerOptions& t,
                       const RunSettings& s) {
  namespace m = invlearn::methods;
  if (method == "none") {
    m::None<Model> trainer(model, t);
    return fit_and_evaluate(method, model, trainer, s);
  }
  if (method == "ns") {
    m::NS<Model> trainer(model, t);
    return fit_and_evaluate(method, model, trainer, s);
  }
  if (method == "tce") {  // the paper's drop rate for the backbone comes with the alias
    m::TCE<Model> trainer(model, t);
    return fit_and_evaluate(method, model, trainer, s);
  }
  if (method == "rce") {  // and so does R-CE's beta
    m::RCE<Model> trainer(model, t);
    return fit_and_evaluate(method, model, trainer, s);
  }
  if (method == "idl") {
    m::IDL<Model> trainer(model, t);
    return fit_and_evaluate(method, model, trainer, s);
  }
  if (method == "dns") {
    m::DNS<Model> trainer(model, t);
    return fit_and_evaluate(method, model, trainer, s);
  }
  if (method == "srns") {
    m::SRNS<Model> trainer(model, t);
    return fit_and_evaluate(method, model, trainer, s);
  }
  throw cli::UsageError("--method: unknown method '" + method + "'");
}

/// The model a run trains: the backbone, or (built with MPI) a DataParallel over it.
#if defined(INVLEARN_TRAIN_DISTRIBUTED)
template <class Backbone>
using Trained = invlearn::DataParallel<Backbone>;
#else
template <class Backbone>
using Trained = Backbone;
#endif

// Each backbone's trainers (a dozen Trainer types each) are compiled in files of their own,
// methods_<backbone>_ig.cpp and methods_<backbone>_other.cpp, side by side with main.cpp:
// one file holding all of them took most of the program's build.
extern template MethodResult run_ig<Trained<invlearn::GMF<float>>>(Trained<invlearn::GMF<float>>&,
                                                                   const invlearn::TrainerOptions&, const RunSettings&);
extern template MethodResult run_ig<Trained<invlearn::NeuMF<float>>>(Trained<invlearn::NeuMF<float>>&,
                                                                     const invlearn::TrainerOptions&,
                                                                     const RunSettings&);
extern template MethodResult run_other<Trained<invlearn::GMF<float>>>(const std::string&,
                                                                      Trained<invlearn::GMF<float>>&,
                                                                      const invlearn::TrainerOptions&,
                                                                      const RunSettings&);
extern template MethodResult run_other<Trained<invlearn::NeuMF<float>>>(const std::string&,
                                                                        Trained<invlearn::NeuMF<float>>&,
                                                                        const invlearn::TrainerOptions&,
                                                                        const RunSettings&);

/// Trains and evaluates `method` with backbone `Model` (GMF<float> or NeuMF<float>); built
/// with MPI, data-parallel over the ranks of s.comm.
template <class Model>
MethodResult run_method(const std::string& method, const RunSettings& s) {
  Model local = initial_model<Model>(s.options, s.data.dataset);
  const invlearn::TrainerOptions t = trainer_options(s.options, method);
#if defined(INVLEARN_TRAIN_DISTRIBUTED)
  Trained<Model> model(local, *s.comm);
#else
  Trained<Model>& model = local;
#endif
  return method == "ig" ? run_ig(model, t, s) : run_other(method, model, t, s);
}

}  // namespace train

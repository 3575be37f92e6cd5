// The training-step environment shared by bench_steps.cpp and bench_profile.cpp: one
// (model, rows) built once, its steps taken as Trainer takes them.
//
// A step here is what Trainer::fit's step does, without the trainer: bring the labeled
// batch's rows up to date (Adam's deferred rows, the default optimizer), draw the unlabeled
// batch (UniformSampler), bring its rows up to date, then the update policy's step through
// a StepContext (JointUpdate for NS, InverseGradient<> for IG).

#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "invlearn/ig.hpp"

namespace bench {

using namespace invlearn;

constexpr Index kBatch = 1024;
constexpr Index kDim = 32;
constexpr double kLr = 1e-3;
constexpr double kAlpha = 0.1 * kLr;  // the paper's α = 0.1·γ (TrainerOptions' default)
constexpr std::int64_t kStartStep = 10000;  // Adam's step count when a benchmark starts

inline GMF<float> make_model(Index users, Index items, GMF<float>*) {
  GMFOptions o;
  o.dim = kDim;
  return GMF<float>(users, items, o, 42);
}
inline NeuMF<float> make_model(Index users, Index items, NeuMF<float>*) {
  NeuMFOptions o;  // the paper's sizes: d = 32, 3 MLP layers → 256→128→64→32
  o.dim = kDim;
  o.mlp_layers = 3;
  return NeuMF<float>(users, items, o, 42);
}

/// Labeled rows at uniformly random (user, item) over the whole catalogue, random 0/1 labels:
/// consecutive slices of 1024 are the labeled batches, so the rows a step touches are spread
/// like real training's. 2·rows of them (at least 2^20), so a benchmark cycles through
/// hundreds of distinct batches and never sees one twice inside a cache's lifetime.
inline Interactions random_rows(Index users, Index items) {
  Interactions t;
  t.num_users = users;
  t.num_items = items;
  const Index n = std::max<Index>(2 * std::max(users, items), Index(1) << 20);
  t.reserve(static_cast<std::size_t>(n));
  Rng rng(7, Stream::synthetic);
  for (Index k = 0; k < n; ++k) t.push_back(rng.index(users), rng.index(items), rng.uniform() < 0.5 ? 1.0f : 0.0f);
  return t;
}

struct EnvBase {
  virtual ~EnvBase() = default;
};

/// The model a StepEnvOf steps: here the backbone itself (a distributed benchmark holds a
/// DataParallel over its backbone instead, with the same members).
template <class Backbone>
struct PlainModel {
  using Model = Backbone;
  Backbone backbone;
  explicit PlainModel(Index n) : backbone(make_model(n, n, static_cast<Backbone*>(nullptr))) {}
  Model& model() { return backbone; }
};

template <class Holder>
struct StepEnvOf : EnvBase {
  using Model = typename Holder::Model;
  using S = typename Model::Scalar;
  Holder holder;
  Model& model;
  Adam::State<S> adam;
  std::vector<TableKey> keys;
  BCE bce, bce_u;
  InverseDual idl;
  StepBuffers<Model> buffers;
  StepContext<Model, BCE, BCE, Adam::State<S>> ns_ctx;
  StepContext<Model, BCE, InverseDual, Adam::State<S>> ig_ctx;
  JointUpdate joint;
  InverseGradient<>::State<S> ig;
  Interactions rows;
  UniformSampler sampler;
  UnlabeledBatch unlabeled;
  Rng rng{42, Stream::sampler};
  Index cursor = 0;

  explicit StepEnvOf(Index n)
      : holder(n),
        model(holder.model()),
        adam(Adam(kLr), model.parameters()),
        keys(table_keys_of(model)),
        buffers(model, 4 * kBatch),  // as Trainer::fit
        ns_ctx{model, adam, bce, bce_u, buffers, kAlpha},
        ig_ctx{model, adam, bce, idl, buffers, kAlpha},
        ig(InverseGradient<>{}, model.parameters()),
        rows(random_rows(n, n)) {
    sampler.prepare(rows, nullptr, TruthFn());
    // Adam's state as in the middle of a long run: every row current at step kStartStep
    // (zero moments, so θ is the model's initial one). The steps measured are then past
    // the first IdleSteps::kExactUntil steps of a run, where a row idle since one of them
    // is caught up step by step.
    Moments<S> start;
    start.initialize(model.parameters());
    start.t = kStartStep;
    adam.set_moments(start);
    // Warm-up (not measured): Adam state, buffer growth, OpenMP thread pool.
    for (int k = 0; k < 3; ++k) plain_step();
    for (int k = 0; k < 3; ++k) ig_step();
  }

  BatchView next_batch() {
    if (cursor + kBatch > rows.size()) cursor = 0;
    const BatchView b = rows.view().slice(cursor, kBatch);
    cursor += kBatch;
    return b;
  }

  /// What Trainer's step does before the policy's step: the rows each batch reads are
  /// brought up to date, the labeled batch's before sampling, the unlabeled batch's after.
  BatchView prepare_step() {
    const BatchView labeled = next_batch();
    adam.bring_up_to_date(model.parameters(), labeled, keys);
    sampler.sample(labeled, rng, unlabeled);
    adam.bring_up_to_date(model.parameters(), unlabeled.batch.view(), keys);
    return labeled;
  }

  StepRecord plain_step() {
    const BatchView labeled = prepare_step();
    StepRecord rec;
    joint.step(ns_ctx, labeled, &unlabeled, rec);
    return rec;
  }

  StepRecord ig_step() {
    const BatchView labeled = prepare_step();
    StepRecord rec;
    ig.step(ig_ctx, labeled, &unlabeled, rec);
    return rec;
  }
};

template <class Model>
using StepEnv = StepEnvOf<PlainModel<Model>>;

/// One environment alive at a time (a 10^6-row NeuMF with its Adam state is ~4 GB).
inline std::unique_ptr<EnvBase>& env_slot() {
  static std::unique_ptr<EnvBase> slot;
  return slot;
}
inline std::string& env_key() {
  static std::string key;
  return key;
}
inline void release_env() {
  env_slot().reset();
  env_key().clear();
}

template <class Model>
StepEnv<Model>& get_env(Index rows) {
  const std::string key = std::string(Model::kind) + "/" + std::to_string(rows);
  if (env_key() != key) {
    release_env();  // free the old one before building the next
    env_slot() = std::make_unique<StepEnv<Model>>(rows);
    env_key() = key;
  }
  return static_cast<StepEnv<Model>&>(*env_slot());
}

}  // namespace bench

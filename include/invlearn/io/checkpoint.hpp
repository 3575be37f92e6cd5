#pragma once
/// @file checkpoint.hpp
/// Saving and loading training checkpoints (and, through model_file.hpp, models).
///
/// Why a file format of our own: a checkpoint must let a stopped run continue with
/// bit-identical results, so it holds everything that moves during training (θ, the
/// optimizer's moments, T-CE's schedule counter, the step rule's moments, the RNG
/// states, SRNS's memories, the best θ so far, the trace), not only the model. And it
/// must fail loudly: a truncated or corrupted file, or one written for another model
/// or trainer, throws CheckpointError saying what is wrong; it never crashes and never
/// loads garbage. The layout is in container.hpp, the sections in sections.hpp, the
/// header in header.hpp; components expose their state through the archive protocol
/// of core/archive.hpp.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "invlearn/core/archive.hpp"
#include "invlearn/core/atomic_file.hpp"
#include "invlearn/core/error.hpp"
#include "invlearn/data/id_map.hpp"
#include "invlearn/data/interactions.hpp"
#include "invlearn/io/container.hpp"
#include "invlearn/io/header.hpp"
#include "invlearn/io/input_archive.hpp"
#include "invlearn/io/model_file.hpp"
#include "invlearn/io/output_archive.hpp"
#include "invlearn/io/sections.hpp"
#include "invlearn/model/gradient.hpp"
#include "invlearn/model/parameter_shape.hpp"
#include "invlearn/train/composition.hpp"
#include "invlearn/train/stopping.hpp"
#include "invlearn/train/trace.hpp"

namespace invlearn {
namespace detail {
namespace ckpt {

/// The options that fix the order of the data a run sees; a resumed run must share them.
struct RunOptions {
  std::int64_t batch_size = 0;
  std::uint64_t seed = 0;
  double meta_fraction = 0.0;
  double lr = 0.0;
  double alpha = 0.0;
  std::int64_t epochs = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(batch_size, seed, meta_fraction, lr, alpha, epochs);
  }
};

/// A trainer component and the section that holds its state.
template <class C>
struct Component {
  const char* tag;
  C& value;
};

/// The trainer's components, one section each (written only when the component has
/// state). The only list of them: writing, loading and committing all walk it.
template <class TrainerT>
auto trainer_components(TrainerT& t) {
  auto part = [](const char* tag, auto& c) { return Component<std::decay_t<decltype(c)>>{tag, c}; };
  return std::make_tuple(part("OPTM", t.optimizer()), part("LOSL", t.labeled_loss()),
                         part("LOSU", t.unlabeled_loss()), part("PLCY", t.policy()), part("SMPL", t.sampler()));
}

/// A loaded copy of a component (or nothing when it has no state). The copy is
/// committed only once every section has loaded, so a failed load leaves the trainer as it was.
template <class C>
struct Loaded {
  static constexpr bool stateful = has_serialize<C, InputArchive>::value;
  Component<C> part;
  std::optional<C> value;

  explicit Loaded(Component<C> p) : part(p) {}
  void load(const FileReader& file, const ParamShape& shape) {
    if constexpr (stateful) {
      value.emplace(part.value);
      InputArchive ar = file.archive(part.tag, &shape);
      ar(*value);
      ar.finish();
    } else {
      (void)shape;
      if (file.find(part.tag) != nullptr)
        file.fail("unexpected section " + section_name(part.tag) + ": this trainer's component has no state");
    }
  }
  void commit() {
    if constexpr (stateful) part.value = std::move(*value);
  }
};

/// Throws unless the file's composition is `mine`, naming each role that differs.
inline void check_composition(const CheckpointInfo& h, const Composition& mine, const FileReader& file) {
  if (h.composition == mine) return;
  auto name_in = [](const Composition& c, const std::string& role) {
    for (const auto& rn : c)
      if (rn.first == role) return rn.second;
    return std::string("(none)");
  };
  std::vector<std::string> roles;  // the file's roles, then this trainer's others
  for (const Composition* c : {&h.composition, &mine})
    for (const auto& rn : *c)
      if (std::find(roles.begin(), roles.end(), rn.first) == roles.end()) roles.push_back(rn.first);
  std::string diff;
  for (const auto& role : roles) {
    const std::string theirs = name_in(h.composition, role), ours = name_in(mine, role);
    if (theirs != ours)
      diff += (diff.empty() ? "" : "; ") + describe_role(role) + " is " + theirs + " in the file, " + ours +
              " in this trainer";
  }
  if (diff.empty()) diff = "the same components in another order";
  file.fail("written by a trainer of another composition: " + diff + " (file: " + composition_text(h.composition) +
            "; this trainer: " + composition_text(mine) + ")");
}

}  // namespace ckpt
}  // namespace detail

/// The bytes of a training checkpoint: the model file's sections plus the trainer's
/// options that fix the data order, its state (epochs done, step, RNG states, best θ),
/// the state of every component that has any (optimizer, losses, update policy,
/// sampler) and the trace of the epochs run so far. Call it between epochs, from
/// on_epoch: that is where a run resumes (after fit() returns with restore_best, the
/// model holds the best epoch's θ, not the last).
template <class TrainerT>
inline std::string encode_checkpoint(TrainerT& trainer, const IdMap& users, const IdMap& items,
                                     const std::string& method) {
  namespace ck = detail::ckpt;
  auto& model = trainer.model();
  CheckpointInfo h = ck::model_header(model, "checkpoint");
  h.method = method;
  h.composition = composition(trainer);
  h.epochs_done = trainer.state().epochs_done;
  h.global_step = static_cast<std::int64_t>(trainer.state().global_step);
  ck::FileWriter w;
  ck::write_model_sections(w, model, h, users, items);
  const auto& o = trainer.options();
  ck::RunOptions run{static_cast<std::int64_t>(o.batch_size), o.seed, o.meta_fraction, trainer.lr(), o.alpha, o.epochs};
  w.section("OPTS", [&](ck::OutputArchive& ar) { ar(run); });
  w.section("TRNR", [&](ck::OutputArchive& ar) { ar(trainer.state()); });
  w.section("STOP", [&](ck::OutputArchive& ar) { ar(trainer.stopping()); });
  std::apply(
      [&](auto... part) {
        auto write = [&](auto& p) {
          if constexpr (detail::has_serialize<std::decay_t<decltype(p.value)>, ck::OutputArchive>::value)
            w.section(p.tag, [&](ck::OutputArchive& ar) { ar(p.value); });
        };
        (write(part), ...);
      },
      ck::trainer_components(trainer));
  w.section("TRCE", [&](ck::OutputArchive& ar) { ar(trainer.trace()); });
  return w.finish();
}

/// Saves everything needed to resume `trainer` to `path` atomically (core/atomic_file.hpp).
template <class TrainerT>
inline void save_checkpoint(const std::string& path, TrainerT& trainer, const IdMap& users = IdMap(),
                            const IdMap& items = IdMap(), const std::string& method = "") {
  write_file_atomic<CheckpointError>(path, encode_checkpoint(trainer, users, items, method), "checkpoint");
}

/// Restores a checkpoint into `trainer` (and its model), which must be built with the
/// same model sizes, component types, batch size, seed and meta_fraction. Its fit()
/// then continues from the epoch after the one saved, and its trace() starts with the
/// saved epochs' reports and step rows (empty for a version 1 file). Nothing is changed
/// unless the whole file loads: every section is read into copies first.
template <class TrainerT>
inline void decode_checkpoint(const std::string& bytes, TrainerT& trainer, IdMap* users = nullptr,
                              IdMap* items = nullptr, std::string* method = nullptr,
                              const std::string& name = "<memory>") {
  namespace ck = detail::ckpt;
  using Model = std::decay_t<decltype(trainer.model())>;
  using S = typename Model::Scalar;
  const ck::FileReader file(bytes, ck::where(name));
  const CheckpointInfo h = ck::read_info(file);
  auto& model = trainer.model();
  if (h.content != "checkpoint")
    file.fail("is a " + h.content + " file, not a training checkpoint (no trainer state to resume from)");
  ck::check_kind<Model>(h, file);
  ck::check_sizes(h, model, file);
  ck::check_composition(h, composition(trainer), file);
  const auto& o = trainer.options();
  if (!o.method.empty() && !h.method.empty() && o.method != h.method)
    file.fail("method is " + h.method + ", expected " + o.method);

  ck::RunOptions run;
  file.read("OPTS", run);
  auto differs = [&](const char* what, const std::string& got, const std::string& want) {
    file.fail("trainer option " + std::string(what) + " was " + got + ", this trainer has " + want +
              ": the resumed run would not see the same data order");
  };
  if (run.batch_size != static_cast<std::int64_t>(o.batch_size))
    differs("batch_size", std::to_string(run.batch_size), std::to_string(o.batch_size));
  if (run.seed != o.seed) differs("seed", std::to_string(run.seed), std::to_string(o.seed));
  if (!(run.meta_fraction == o.meta_fraction))
    differs("meta_fraction", std::to_string(run.meta_fraction), std::to_string(o.meta_fraction));

  const ParamShape shape = ParamShape::of(model.parameters());
  Parameters<S> params;
  file.read("PARM", params, &shape);
  if (!shape.matches(params)) file.fail("section parameters: empty, expected " + shape.describe());
  IdMap u = ck::read_ids(file, "USER");
  IdMap i = ck::read_ids(file, "ITEM");

  auto state = trainer.state();
  file.read("TRNR", state, &shape);
  if (state.epochs_done < 0 || state.global_step < 0 || state.best_epoch < 0 || state.best_epoch > state.epochs_done)
    file.fail("section trainer state: inconsistent counters (epochs done " + std::to_string(state.epochs_done) +
              ", best epoch " + std::to_string(state.best_epoch) + ", step " + std::to_string(state.global_step) +
              ")");

  // Before version 4 every epoch was evaluated and there was no early stopping.
  auto stopping = trainer.stopping();
  if (ck::known_section("STOP", file.version())) {
    file.read("STOP", stopping);
  } else {
    stopping = StoppingState();
    stopping.evaluations = state.epochs_done;
    stopping.last_evaluation_step = state.global_step;
    stopping.since_improvement = state.epochs_done - state.best_epoch;
    stopping.reference = state.best_valid_loss;
  }

  auto loaded = std::apply(
      [](auto... part) { return std::make_tuple(ck::Loaded<std::decay_t<decltype(part.value)>>(part)...); },
      ck::trainer_components(trainer));
  std::apply([&](auto&... l) { (l.load(file, shape), ...); }, loaded);
  // Version 1 had no trace section: its epochs resume with an empty trace.
  Trace trace;
  if (ck::known_section("TRCE", file.version())) file.read("TRCE", trace);
  for (const auto& s : file.sections())
    if (!ck::known_section(s.tag, file.version())) file.fail("unknown section " + ck::section_name(s.tag));

  // Everything loaded: commit.
  model.parameters() = std::move(params);
  trainer.state() = std::move(state);
  trainer.stopping() = stopping;
  std::apply([](auto&... l) { (l.commit(), ...); }, loaded);
  trainer.trace() = std::move(trace);
  if (users != nullptr) *users = std::move(u);
  if (items != nullptr) *items = std::move(i);
  if (method != nullptr) *method = h.method;
}

/// Loads a checkpoint written by save_checkpoint into `trainer` (see decode_checkpoint).
template <class TrainerT>
inline void load_checkpoint(const std::string& path, TrainerT& trainer, IdMap* users = nullptr,
                            IdMap* items = nullptr, std::string* method = nullptr) {
  decode_checkpoint(detail::ckpt::read_file(path), trainer, users, items, method, path);
}

}  // namespace invlearn

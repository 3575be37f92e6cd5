#pragma once
// --save, --load and --resume on top of invlearn/io/checkpoint.hpp.
//
// --save PATH   a full training checkpoint after every epoch (θ of that epoch plus the
//               optimizer, RNG and component state) and once more at the end, when θ
//               is the selected (lowest validation BCE) parameters that were evaluated.
// --load PATH   every method starts from the parameters in PATH (a model file or a
//               checkpoint), with a fresh optimizer; --epochs 0 evaluates them as they are.
// --resume PATH continues each method from its checkpoint: the epochs already done are
//               skipped and the run goes on exactly as if it had not stopped.
// With several methods, --save and --resume use one file per method (paths.hpp).

#include <string>

#include <invlearn/data/dataset.hpp>
#include <invlearn/data/id_map.hpp>
#include <invlearn/data/interactions.hpp>
#include <invlearn/io/checkpoint.hpp>

#include "common/errors.hpp"
#include "common/paths.hpp"
#include "options.hpp"
#include "paths.hpp"

namespace train {

namespace detail {

/// Dense indices in a file only mean the same users and items if its id maps are the
/// data's; files saved without id maps are taken as they are.
inline void check_ids(const std::string& flag, const std::string& path, const invlearn::IdMap& users,
                      const invlearn::IdMap& items, const invlearn::Dataset& d) {
  if (users.size() > 0 && users.raws() != d.users.raws())
    throw cli::UsageError(flag + ": " + path + " was saved for other users than this data's (" +
                     std::to_string(users.size()) + " vs " + std::to_string(d.users.size()) +
                     " users, or a different order); give the data it was trained on");
  if (items.size() > 0 && items.raws() != d.items.raws())
    throw cli::UsageError(flag + ": " + path + " was saved for other items than this data's (" +
                     std::to_string(items.size()) + " vs " + std::to_string(d.items.size()) +
                     " items, or a different order); give the data it was trained on");
}

/// IG's preset, and the paper IG's schedule and step rule, as a checkpoint's composition
/// names them ("... policy=ig-blocks ..." or "... policy=ig/test-pass/sgd ..."); all
/// empty when the file is not IG's.
struct IgPolicy {
  std::string preset, schedule, step;
};
inline IgPolicy ig_policy(const invlearn::CheckpointInfo& info) {
  IgPolicy p;
  const std::string policy = info.component("policy");
  if (policy == invlearn::BlockInverseGradient::name) p.preset = "blocks";
  if (policy != invlearn::InverseGradient<>::name) return p;
  p.preset = "paper";
  p.schedule = info.component("schedule");
  p.step = info.component("step_rule");
  return p;
}

}  // namespace detail

/// An IG checkpoint resumes only into the same preset, schedule and step rule. The
/// library refuses another one too, but in terms of its types; this names the flag to give.
inline void check_ig_resume(const std::string& path, const Options& o) {
  const detail::IgPolicy p = detail::ig_policy(invlearn::read_checkpoint_info(path));
  if (!p.preset.empty() && p.preset != o.ig_preset)
    throw cli::UsageError("--resume: " + path + " was trained with --ig-preset " + p.preset + ", not " + o.ig_preset +
                          "; give --ig-preset " + p.preset + " to resume it");
  if (!p.schedule.empty() && p.schedule != o.ig_schedule)
    throw cli::UsageError("--resume: " + path + " was trained with --ig-schedule " + p.schedule + ", not " +
                     o.ig_schedule + "; give --ig-schedule " + p.schedule + " to resume it");
  if (!p.step.empty() && p.step != o.ig_step)
    throw cli::UsageError("--resume: " + path + " was trained with --ig-step " + p.step + ", not " + o.ig_step +
                     "; give --ig-step " + p.step + " to resume it");
}

/// The model a method starts from: fresh (seeded by --seed) or the parameters of --load.
template <class Model>
Model initial_model(const Options& o, const invlearn::Dataset& d) {
  if (o.load.empty()) {
    typename Model::Options m;
    m.dim = o.dim;
    return Model(d.num_users(), d.num_items(), m, o.seed);
  }
  const invlearn::CheckpointInfo info = invlearn::read_checkpoint_info(o.load);
  if (info.kind != Model::kind)
    throw cli::UsageError("--load: " + o.load + " holds a " + info.kind + " model; give --model " + info.kind);
  const invlearn::Index dim = info.model_options<typename Model::Options>().dim;
  if (dim != o.dim)
    throw cli::UsageError("--load: " + o.load + " holds a model of dim " + std::to_string(dim) + "; give --dim " +
                          std::to_string(dim));
  if (info.num_users != d.num_users() || info.num_items != d.num_items())
    throw cli::UsageError("--load: " + o.load + " holds a model for " + std::to_string(info.num_users) + " users x " +
                     std::to_string(info.num_items) + " items, the data has " + std::to_string(d.num_users()) +
                     " x " + std::to_string(d.num_items()));
  invlearn::IdMap users, items;
  Model model = invlearn::load_model<Model>(o.load, &users, &items);
  detail::check_ids("--load", o.load, users, items, d);
  return model;
}

/// Restores `trainer` from this method's --resume file. With several methods a
/// missing file means the interrupted run never reached this method: it starts from
/// scratch (returns false). A missing file for a single method is an error.
template <class TrainerT>
bool resume(TrainerT& trainer, const Options& o, const invlearn::Dataset& d, const std::string& method,
            bool several) {
  if (o.resume.empty()) return false;
  const std::string path = output_path(o.resume, method, several);
  if (several && !cli::readable(path)) return false;
  invlearn::IdMap users, items;
  invlearn::load_checkpoint(path, trainer, &users, &items);
  detail::check_ids("--resume", path, users, items, d);
  return true;
}

/// Saves `trainer`'s checkpoint to this method's --save file (nothing without --save).
/// A failure to write is an OutputError: the run cannot keep its promise to checkpoint.
template <class TrainerT>
void save(TrainerT& trainer, const Options& o, const invlearn::Dataset& d, const std::string& method,
          bool several) {
  if (o.save.empty()) return;
  try {
    invlearn::save_checkpoint(output_path(o.save, method, several), trainer, d.users, d.items, method);
  } catch (const invlearn::CheckpointError& e) {
    throw cli::OutputError(e.what());
  }
}

}  // namespace train

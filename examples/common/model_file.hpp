#pragma once
// Loading the model of a checkpoint or model file (io/model_file.hpp) without knowing its
// kind in advance: GMF or NeuMF, float or double, as the file's header says.

#include <string>
#include <type_traits>

#include <invlearn/data/id_map.hpp>
#include <invlearn/io/model_file.hpp>
#include <invlearn/model/gmf.hpp>
#include <invlearn/model/neumf.hpp>

#include "common/errors.hpp"
#include "common/paths.hpp"

namespace cli {

/// The raw ids of a file saved without id maps: the dense indices, written out.
inline invlearn::IdMap dense_ids(invlearn::Index n) {
  invlearn::IdMap map;
  for (invlearn::Index k = 0; k < n; ++k) map.get_or_add(std::to_string(k));
  return map;
}

/// Loads the model in `path` (a training checkpoint or a model file) and returns
/// `use(model, users, items)`, `users` and `items` being the file's id maps (the dense
/// indices when it has none). `flag` names the path in messages. A file that cannot be
/// read, or holds a model other than GMF or NeuMF, is a UsageError; a damaged one a
/// CheckpointError (both exit 2).
template <class Use>
int with_model_file(const std::string& flag, const std::string& path, Use&& use) {
  if (!readable(path)) throw UsageError(flag + ": cannot read " + path + " (missing or not readable)");
  const invlearn::CheckpointInfo info = invlearn::read_checkpoint_info(path);
  auto run = [&](auto* tag) {
    using Model = std::remove_pointer_t<decltype(tag)>;
    invlearn::IdMap users, items;
    const Model model = invlearn::load_model<Model>(path, &users, &items);
    if (users.size() == 0) users = dense_ids(model.num_users());
    if (items.size() == 0) items = dense_ids(model.num_items());
    if (users.size() != model.num_users() || items.size() != model.num_items())
      throw invlearn::CheckpointError(path + ": its id maps hold " + std::to_string(users.size()) + " users and " +
                                      std::to_string(items.size()) + " items, the model " +
                                      std::to_string(model.num_users()) + " and " + std::to_string(model.num_items()));
    return use(model, users, items);
  };
  const bool single = info.scalar == "float", twice = info.scalar == "double";
  if (info.kind == invlearn::GMF<float>::kind && single) return run(static_cast<invlearn::GMF<float>*>(nullptr));
  if (info.kind == invlearn::GMF<double>::kind && twice) return run(static_cast<invlearn::GMF<double>*>(nullptr));
  if (info.kind == invlearn::NeuMF<float>::kind && single) return run(static_cast<invlearn::NeuMF<float>*>(nullptr));
  if (info.kind == invlearn::NeuMF<double>::kind && twice) return run(static_cast<invlearn::NeuMF<double>*>(nullptr));
  throw UsageError(flag + ": " + path + " holds a model of kind '" + info.kind + "' (" + info.scalar +
                   "); this program reads gmf and neumf models, float or double");
}

}  // namespace cli

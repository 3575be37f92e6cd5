#pragma once
/// @file header.hpp
/// What a file says about itself: CheckpointInfo, read from the header section (and
/// the model options section) of any format version.
///
/// The header section holds, since format 3:
/// ```
/// content, kind, scalar, num_users, num_items, method, composition (role, name pairs),
/// epochs_done, global_step, library_version
/// ```
/// and the model's options are the section MOPT, written by the model's
/// `Options::serialize`. Formats 1 and 2 held instead, after num_items, three fixed
/// model fields (dim, mlp_layers, init_std; dim 0 for a model without them) and the
/// composition as one string ("labeled=bce unlabeled=idl policy=ig/test-pass/sgd
/// optimizer=adam sampler=uniform"). Such a header is read into the same
/// CheckpointInfo: the string into (role, name) pairs, the three fields into named
/// values that a model's options read by name (named_fields.hpp).

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "invlearn/core/types.hpp"
#include "invlearn/io/container.hpp"
#include "invlearn/io/input_archive.hpp"
#include "invlearn/io/named_fields.hpp"
#include "invlearn/io/output_archive.hpp"
#include "invlearn/io/sections.hpp"
#include "invlearn/train/composition.hpp"

namespace invlearn {
namespace detail {
namespace ckpt {

/// A model's options as a file holds them, not yet read into an Options type.
struct StoredOptions {
  std::uint32_t format_version = kCheckpointVersion;
  std::string where;                ///< the file, for messages
  bool present = false;             ///< the file holds options for its model
  std::string bytes;                ///< format 3+: the payload of section MOPT
  std::vector<NamedValue> by_name;  ///< formats 1-2: the header's model fields
};

/// Reads `stored` into options of type Options (its serialize() checks them).
template <class Options>
Options read_options(const StoredOptions& stored) {
  Options o;
  if (!stored.present)
    throw CheckpointError(stored.where + ": section " + section_name("MOPT") +
                          " is missing: the file holds no options for its model");
  if (stored.format_version >= 3) {
    const auto* p = reinterpret_cast<const unsigned char*>(stored.bytes.data());
    InputArchive ar(p, 0, stored.bytes.size(), stored.where, section_name("MOPT"));
    ar(o);
    ar.finish();
  } else {
    ByNameArchive ar(stored.by_name, stored.where + ": section " + section_name("HEAD"));
    o.serialize(ar);
  }
  return o;
}

/// The (role, name) pairs of a format 1-2 composition string. In those versions the
/// policy's entry was "policy[/schedule][/step rule]", and a policy with a schedule
/// always had a step rule: two parts are a policy and its step rule.
inline Composition parse_composition_string(const std::string& text) {
  Composition c;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find(' ', pos);
    if (end == std::string::npos) end = text.size();
    const std::string token = text.substr(pos, end - pos);
    pos = end + 1;
    if (token.empty()) continue;
    const std::size_t eq = token.find('=');
    const std::string role = eq == std::string::npos ? std::string() : token.substr(0, eq);
    const std::string name = eq == std::string::npos ? token : token.substr(eq + 1);
    if (role != "policy") {
      c.emplace_back(role, name);
      continue;
    }
    const std::size_t a = name.find('/');
    const std::size_t b = a == std::string::npos ? std::string::npos : name.find('/', a + 1);
    c.emplace_back("policy", name.substr(0, a));
    if (b != std::string::npos) {
      c.emplace_back("schedule", name.substr(a + 1, b - a - 1));
      c.emplace_back("step_rule", name.substr(b + 1));
    } else if (a != std::string::npos) {
      c.emplace_back("step_rule", name.substr(a + 1));
    }
  }
  return c;
}

}  // namespace ckpt
}  // namespace detail

/// What a file's header says: enough to rebuild the model and to check that a file
/// fits the trainer it is loaded into. read_checkpoint_info() returns it.
struct CheckpointInfo {
  std::uint32_t format_version = kCheckpointVersion;
  std::uint64_t file_size = 0;
  std::string content;          ///< "model" (save_model) or "checkpoint" (save_checkpoint)
  std::string kind;             ///< Model::kind of the saved model
  std::string scalar;           ///< "float" or "double"
  Index num_users = 0;
  Index num_items = 0;
  std::string method;           ///< the method name given to save_checkpoint ("" for models)
  Composition composition;      ///< the trainer's (role, name) pairs (empty for models)
  std::int64_t epochs_done = 0;
  std::int64_t global_step = 0;
  std::string library_version;  ///< INVLEARN_VERSION_STRING of the writer
  std::vector<std::string> sections;  ///< names of the sections, in file order
  detail::ckpt::StoredOptions stored_options;  ///< read with model_options()

  /// The name of the component in `role` ("labeled", "policy", "step_rule", ... see
  /// composition()), or "" when the file has none in that role.
  std::string component(const std::string& role) const {
    for (const auto& rn : composition)
      if (rn.first == role) return rn.second;
    return "";
  }
  /// Whether the file holds options for its model (rebuildable models' files do).
  bool has_model_options() const { return stored_options.present; }
  /// The model's options (`info.model_options<Model::Options>()`), checked by
  /// their serialize(); a CheckpointError if the file holds none or they do not read.
  template <class Options>
  Options model_options() const {
    return detail::ckpt::read_options<Options>(stored_options);
  }
};

namespace detail {
namespace ckpt {

/// Writes the header section's payload (format kCheckpointVersion).
inline void write_header(OutputArchive& ar, const CheckpointInfo& h) {
  ar(h.content, h.kind, h.scalar, h.num_users, h.num_items, h.method, h.composition, h.epochs_done,
     h.global_step, h.library_version);
}

/// Reads the header (of any version this library reads) and the model options of `file`.
inline CheckpointInfo read_info(const FileReader& file) {
  CheckpointInfo h;
  InputArchive ar = file.archive("HEAD");
  StoredOptions& o = h.stored_options;
  o.format_version = file.version();
  o.where = file.where();
  if (file.version() >= 3) {
    ar(h.content, h.kind, h.scalar, h.num_users, h.num_items, h.method, h.composition, h.epochs_done,
       h.global_step, h.library_version);
    o.present = file.find("MOPT") != nullptr;
    o.bytes = file.payload("MOPT");
  } else {
    Index dim = 0, mlp_layers = 0;
    double init_std = 0.0;
    std::string composition;
    ar(h.content, h.kind, h.scalar, h.num_users, h.num_items, dim, mlp_layers, init_std, h.method, composition,
       h.epochs_done, h.global_step, h.library_version);
    h.composition = parse_composition_string(composition);
    o.present = dim != 0;
    if (o.present) {
      o.by_name.push_back({"dim", true, dim, 0.0});
      o.by_name.push_back({"mlp_layers", true, mlp_layers, 0.0});
      o.by_name.push_back({"init_std", false, 0, init_std});
    }
  }
  ar.finish();
  h.format_version = file.version();
  h.file_size = file.size();
  for (const auto& s : file.sections()) h.sections.push_back(section_name(s.tag));
  return h;
}

}  // namespace ckpt
}  // namespace detail
}  // namespace invlearn

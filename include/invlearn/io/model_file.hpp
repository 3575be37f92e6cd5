#pragma once
/// @file model_file.hpp
/// Saving and loading a model on its own: header, model options, id maps and θ.
///
/// Any backbone with `static constexpr const char* kind` can be saved, and loaded
/// into a model of the same sizes (load_checkpoint does that for trainers). A model is
/// rebuildable from the file alone by load_model when it says how it was built:
/// ```
/// using Options = ...;                     // with serialize(Archive&) and
///                                          //   ParamShape shape(Index users, Index items) const
/// const Options& options() const;
/// Model(Index num_users, Index num_items, const Options&);
/// ```
/// io/ knows no model by name: everything it needs comes through these members.

#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "invlearn/core/archive.hpp"
#include "invlearn/core/atomic_file.hpp"
#include "invlearn/core/error.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/data/id_map.hpp"
#include "invlearn/data/interactions.hpp"
#include "invlearn/io/container.hpp"
#include "invlearn/io/header.hpp"
#include "invlearn/io/input_archive.hpp"
#include "invlearn/io/named_fields.hpp"
#include "invlearn/io/output_archive.hpp"
#include "invlearn/model/gradient.hpp"
#include "invlearn/model/parameter_shape.hpp"
#include "invlearn/version.hpp"

namespace invlearn {
namespace detail {
namespace ckpt {

template <class M, class = void>
struct has_kind : std::false_type {};
template <class M>
struct has_kind<M, std::void_t<decltype(M::kind)>> : std::true_type {};

/// M has `using Options = <a class>;`.
template <class M, class = void>
struct has_options_type : std::false_type {};
template <class M>
struct has_options_type<M, std::void_t<typename M::Options>> : std::is_class<typename M::Options> {};

/// M has `const Options& options() const`.
template <class M, class = void>
struct has_options_accessor : std::false_type {};
template <class M>
struct has_options_accessor<
    M, std::enable_if_t<std::is_same<decltype(std::declval<const M&>().options()), const typename M::Options&>::value>>
    : std::true_type {};

template <class M, class = void>
struct has_options_constructor : std::false_type {};
template <class M>
struct has_options_constructor<M, std::void_t<decltype(M(std::declval<Index>(), std::declval<Index>(),
                                                         std::declval<const typename M::Options&>()))>>
    : std::true_type {};

template <class O>
struct options_serialize : std::integral_constant<bool, has_serialize<O, OutputArchive>::value &&
                                                            has_serialize<O, InputArchive>::value> {};

template <class O, class = void>
struct options_shape : std::false_type {};
template <class O>
struct options_shape<O, std::void_t<decltype(std::declval<const O&>().shape(Index(1), Index(1)))>>
    : std::is_convertible<decltype(std::declval<const O&>().shape(Index(1), Index(1))), ParamShape> {};

template <class M, bool = has_options_type<M>::value>
struct options_traits {
  static constexpr bool serializable = false, shaped = false;
};
template <class M>
struct options_traits<M, true> {
  static constexpr bool serializable = options_serialize<typename M::Options>::value;
  static constexpr bool shaped = options_shape<typename M::Options>::value;
};

/// The model's files hold its options (section MOPT).
template <class M>
constexpr bool saves_options = has_options_accessor<M>::value && options_traits<M>::serializable;
/// The file's options say which parameter shape the model must have.
template <class M>
constexpr bool checks_options = saves_options<M> && options_traits<M>::shaped;
/// load_model can build the model from its file.
template <class M>
constexpr bool rebuildable = checks_options<M> && has_options_constructor<M>::value;

template <class S>
inline const char* scalar_name() {
  static_assert(std::is_same<S, float>::value || std::is_same<S, double>::value,
                "checkpoint: models must use float or double");
  return std::is_same<S, float>::value ? "float" : "double";
}

template <class Model>
inline CheckpointInfo model_header(const Model& model, const char* content) {
  static_assert(has_kind<Model>::value,
                "checkpoint: the model needs `static constexpr const char* kind` "
                "(a short name stored in its files)");
  CheckpointInfo h;
  h.content = content;
  h.kind = Model::kind;
  h.scalar = scalar_name<typename Model::Scalar>();
  h.num_users = model.num_users();
  h.num_items = model.num_items();
  h.library_version = INVLEARN_VERSION_STRING;
  return h;
}

/// Throws unless the header describes a model of type Model.
template <class Model>
inline void check_kind(const CheckpointInfo& h, const FileReader& file) {
  if (h.kind != Model::kind) file.fail("model kind is " + h.kind + ", expected " + Model::kind);
  const std::string scalar = scalar_name<typename Model::Scalar>();
  if (h.scalar != scalar) file.fail("scalar type is " + h.scalar + ", expected " + scalar);
}

/// Throws unless the file's model has the sizes and the parameter shape of `model`,
/// naming the options that differ.
template <class Model>
inline void check_sizes(const CheckpointInfo& h, const Model& model, const FileReader& file) {
  auto same = [&](const char* what, Index got, Index want) {
    if (got != want)
      file.fail(std::string(what) + " is " + std::to_string(got) + ", expected " + std::to_string(want) +
                " (the model it is loaded into)");
  };
  same("num_users", h.num_users, model.num_users());
  same("num_items", h.num_items, model.num_items());
  if constexpr (checks_options<Model>) {
    if (!h.has_model_options()) return;
    const auto stored = h.model_options<typename Model::Options>();
    const ParamShape want = ParamShape::of(model.parameters());
    if (stored.shape(h.num_users, h.num_items) != want) {
      const std::string diff = named_differences(stored, model.options());
      file.fail((diff.empty() ? "options imply parameters " + stored.shape(h.num_users, h.num_items).describe() +
                                    ", expected " + want.describe()
                              : diff) +
                " (the model it is loaded into)");
    }
  }
}

/// The user and item id maps, checked (a raw id may appear only once).
inline IdMap read_ids(const FileReader& file, const char* tag) {
  std::vector<std::string> raws;
  file.read(tag, raws);
  const std::size_t n = raws.size();
  IdMap map = IdMap::from_raws(std::move(raws));
  if (static_cast<std::size_t>(map.size()) != n) file.fail("section " + section_name(tag) + ": duplicate raw ids");
  return map;
}

/// The sections a model file and a checkpoint share: header, options, ids, θ.
template <class Model>
inline void write_model_sections(FileWriter& w, const Model& model, const CheckpointInfo& h, const IdMap& users,
                                 const IdMap& items) {
  w.section("HEAD", [&](OutputArchive& ar) { write_header(ar, h); });
  if constexpr (saves_options<Model>) {
    auto options = model.options();  // serialize() is not const: it also reads
    w.section("MOPT", [&](OutputArchive& ar) { ar(options); });
  }
  w.section("USER", [&](OutputArchive& ar) { ar(users.raws()); });
  w.section("ITEM", [&](OutputArchive& ar) { ar(items.raws()); });
  w.section("PARM", [&](OutputArchive& ar) { ar(model.parameters()); });
}

}  // namespace ckpt
}  // namespace detail

/// The bytes of a model file: header, options, id maps and θ (no training state).
template <class Model>
inline std::string encode_model(const Model& model, const IdMap& users = IdMap(), const IdMap& items = IdMap()) {
  detail::ckpt::FileWriter w;
  detail::ckpt::write_model_sections(w, model, detail::ckpt::model_header(model, "model"), users, items);
  return w.finish();
}

/// Saves `model` and the id maps to `path` atomically (core/atomic_file.hpp); a
/// failure is a CheckpointError and leaves the previous file as it was.
template <class Model>
inline void save_model(const std::string& path, const Model& model, const IdMap& users = IdMap(),
                       const IdMap& items = IdMap()) {
  write_file_atomic<CheckpointError>(path, encode_model(model, users, items), "checkpoint");
}

/// Rebuilds a model from the bytes of a model file or a training checkpoint. `name`
/// names the source in messages. Throws CheckpointError if the bytes are not a valid
/// file of a version this library reads, or hold another kind of model or scalar type.
template <class Model>
inline Model decode_model(const std::string& bytes, IdMap* users = nullptr, IdMap* items = nullptr,
                          const std::string& name = "<memory>") {
  namespace ck = detail::ckpt;
  static_assert(ck::has_options_type<Model>::value,
                "load_model: the model needs `using Options = ...;` to be rebuilt from a file; load other "
                "backbones with load_checkpoint into a model you construct");
  static_assert(ck::has_options_accessor<Model>::value, "load_model: the model needs `const Options& options() const`");
  static_assert(ck::options_traits<Model>::serializable,
                "load_model: Options needs `template <class Archive> void serialize(Archive&)` (core/archive.hpp)");
  static_assert(ck::options_traits<Model>::shaped,
                "load_model: Options needs `ParamShape shape(Index num_users, Index num_items) const` "
                "(model/parameter_shape.hpp)");
  static_assert(ck::has_options_constructor<Model>::value,
                "load_model: the model needs a constructor `Model(Index num_users, Index num_items, const Options&)`");
  const ck::FileReader file(bytes, ck::where(name));
  const CheckpointInfo h = ck::read_info(file);
  ck::check_kind<Model>(h, file);
  if (h.num_users < 1 || h.num_items < 1)
    file.fail("header: sizes " + std::to_string(h.num_users) + " x " + std::to_string(h.num_items) +
              " are not positive");
  // The shape the options imply is checked against the stored block before the model
  // is built, so a corrupted header cannot make the constructor allocate more than the file holds.
  const auto options = h.model_options<typename Model::Options>();
  const ParamShape shape = options.shape(h.num_users, h.num_items);
  Parameters<typename Model::Scalar> params;
  file.read("PARM", params, &shape);
  if (!shape.matches(params))
    file.fail("section parameters: shape " + ParamShape::of(params).describe() + " does not match the header's " +
              shape.describe());
  IdMap u = ck::read_ids(file, "USER");
  IdMap i = ck::read_ids(file, "ITEM");
  Model model = [&] {
    try {
      return Model(h.num_users, h.num_items, options);
    } catch (const InvalidArgument& e) {
      file.fail(std::string("header: ") + e.what());
    }
  }();
  if (!shape.matches(model.parameters()))
    file.fail("the model built from the header has shape " + ParamShape::of(model.parameters()).describe() +
              ", the file " + shape.describe());
  model.parameters() = std::move(params);
  if (users != nullptr) *users = std::move(u);
  if (items != nullptr) *items = std::move(i);
  return model;
}

/// Loads a model saved by save_model (or the model of a save_checkpoint file).
template <class Model>
inline Model load_model(const std::string& path, IdMap* users = nullptr, IdMap* items = nullptr) {
  return decode_model<Model>(detail::ckpt::read_file(path), users, items, path);
}

/// The header of a model file or checkpoint (the whole file is verified first).
inline CheckpointInfo decode_checkpoint_info(const std::string& bytes, const std::string& name = "<memory>") {
  const detail::ckpt::FileReader file(bytes, detail::ckpt::where(name));
  return detail::ckpt::read_info(file);
}

/// The header of the model file or checkpoint at `path`: kind, scalar, sizes, method,
/// composition, epochs done, model options (for tools that list or pick checkpoints).
inline CheckpointInfo read_checkpoint_info(const std::string& path) {
  return decode_checkpoint_info(detail::ckpt::read_file(path), path);
}

}  // namespace invlearn

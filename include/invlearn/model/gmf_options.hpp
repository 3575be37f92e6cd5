#pragma once
/// @file gmf_options.hpp
/// The options of GMF: its sizes, how it starts, and how both are saved.

#include <string>

#include "invlearn/core/archive.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/model/parameter_shape.hpp"

namespace invlearn {

/// Sizes and initialisation of GMF.
struct GMFOptions {
  Index dim = 32;              ///< embedding size d
  double init_std = 0.01;      ///< embeddings start N(0, init_std²)

  /// The largest dim a saved file may declare: far beyond any real model, small enough
  /// that the sizes it implies are exact in an Index.
  static constexpr Index kMaxDim = Index(1) << 40;

  /// Archive protocol (core/archive.hpp): dim and init_std, named as the header of
  /// format versions 1 and 2 named them, so older files map onto these options.
  /// init_std is not checked: it shaped the initial values only, and a loaded model
  /// takes its values from the file.
  template <class Archive>
  void serialize(Archive& ar) {
    ar(named("dim", dim), named("init_std", init_std));
    ar.check(dim >= 1 && dim <= kMaxDim, "GMFOptions::dim " + std::to_string(dim) + " is outside [1, 2^40]");
  }

  /// The parameters these options imply for `num_users` × `num_items`: tables
  /// {users × d, items × d} and the head [w (d), b]. Options that fail the check of
  /// serialize() imply ParamShape::none().
  ParamShape shape(Index num_users, Index num_items) const {
    if (dim < 1 || dim > kMaxDim) return ParamShape::none();
    ParamShape s;
    s.tables = {{num_users, dim}, {num_items, dim}};
    s.dense = dim + 1;
    return s;
  }
};

}  // namespace invlearn

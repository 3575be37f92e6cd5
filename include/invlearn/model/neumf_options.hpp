#pragma once
/// @file neumf_options.hpp
/// The options of NeuMF: its sizes, how it starts, and how both are saved.

#include <cmath>
#include <string>

#include "invlearn/core/archive.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/model/parameter_shape.hpp"

namespace invlearn {

/// Sizes and initialisation of NeuMF. With the defaults (the paper's): GMF part
/// d = 32; MLP embeddings d·2^(layers-1) = 128 per side, so the MLP is
/// 256 → 128 → 64 → 32 with ReLU; the head reads concat(GMF 32, MLP 32).
struct NeuMFOptions {
  Index dim = 32;          ///< GMF embedding size, and the MLP's last layer width
  int mlp_layers = 3;      ///< number of MLP layers
  double init_std = 0.01;  ///< embeddings start N(0, init_std²)

  /// The largest dim a saved file may declare (as GMFOptions::kMaxDim).
  static constexpr Index kMaxDim = Index(1) << 40;

  /// Archive protocol (core/archive.hpp): dim, mlp_layers and init_std, named as the
  /// header of format versions 1 and 2 named them, so older files map onto these
  /// options. init_std is not checked: a loaded model takes its values from the file.
  template <class Archive>
  void serialize(Archive& ar) {
    ar(named("dim", dim), named("mlp_layers", mlp_layers), named("init_std", init_std));
    ar.check(dim >= 1 && dim <= kMaxDim, "NeuMFOptions::dim " + std::to_string(dim) + " is outside [1, 2^40]");
    ar.check(mlp_layers >= 1 && mlp_layers <= 10,
             "NeuMFOptions::mlp_layers " + std::to_string(mlp_layers) + " is outside [1, 10]");
  }

  /// The parameters these options imply for `num_users` × `num_items` (the layout of
  /// NeuMF's constructor): tables {users × d, items × d, users × m, items × m} with
  /// m = d·2^(layers-1), and the dense block of the MLP layers and the head. Options
  /// that fail the checks of serialize() imply ParamShape::none().
  ParamShape shape(Index num_users, Index num_items) const {
    if (dim < 1 || dim > kMaxDim || mlp_layers < 1 || mlp_layers > 10) return ParamShape::none();
    const Index d = dim;
    const Index m = d << (mlp_layers - 1);
    ParamShape s;
    s.tables = {{num_users, d}, {num_items, d}, {num_users, m}, {num_items, m}};
    // Counted in double: the largest dims imply more weights than fit in an Index;
    // such a count matches no stored block.
    double dense = 0.0;
    double width = 2.0 * static_cast<double>(m);
    for (int l = 0; l < mlp_layers; ++l) {
      const double out = std::floor(width / 2.0);
      dense += width * out + out;
      width = out;
    }
    dense += static_cast<double>(d) + width + 1.0;
    s.dense = dense < 9.0e15 ? static_cast<Index>(dense) : Index(-1);
    return s;
  }
};

}  // namespace invlearn

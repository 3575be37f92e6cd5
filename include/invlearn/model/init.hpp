#pragma once
/// @file init.hpp
/// The initialisations of the NCF code the paper builds on (DESIGN §5): embeddings
/// N(0, σ²), MLP weights Xavier uniform, the head uniform(±√(3/fan_in)), biases 0.
/// Each draws from the Rng it is given, in storage order, so a model's initial θ is a
/// function of its seed alone.

#include <cmath>

#include "invlearn/core/random.hpp"
#include "invlearn/core/table.hpp"
#include "invlearn/core/types.hpp"

namespace invlearn {

/// Every entry of `table` drawn from N(0, sd²), in storage order.
template <class S>
inline void init_normal(Table<S>& table, double sd, Rng& rng) {
  for (Index k = 0; k < table.size(); ++k) table.data()[k] = static_cast<S>(rng.normal(0.0, sd));
}

/// `count` entries from `first` on drawn from uniform(-bound, bound).
template <class S>
inline void init_uniform(S* first, Index count, double bound, Rng& rng) {
  for (Index k = 0; k < count; ++k) first[k] = static_cast<S>(rng.uniform(-bound, bound));
}

/// Xavier (Glorot) uniform bound of a fan_in × fan_out layer: √(6/(fan_in + fan_out)).
inline double xavier_uniform_bound(Index fan_in, Index fan_out) {
  return std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
}

/// Bound of the prediction head: √(3/fan_in) (the NCF code's LeCun-style uniform).
inline double head_uniform_bound(Index fan_in) { return std::sqrt(3.0 / static_cast<double>(fan_in)); }

}  // namespace invlearn

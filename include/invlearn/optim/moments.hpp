#pragma once
/// @file moments.hpp
/// First and second moments of a gradient, kept per scalar of θ: the state Adam and
/// the normalized IG step share, and their one update.

#include <cstdint>
#include <type_traits>

#include "invlearn/model/parameters.hpp"

namespace invlearn {

/// m and v shaped like θ, and the number of updates t. Empty until initialize().
template <class S>
struct Moments {
  Parameters<S> m, v;
  std::int64_t t = 0;

  bool initialized() const { return !m.tables.empty() || m.dense.size() > 0; }
  /// Zero moments shaped like `params`, t = 0.
  void initialize(const Parameters<S>& params) {
    m = Parameters<S>::zeros_like(params);
    v = Parameters<S>::zeros_like(params);
    t = 0;
  }
  /// Archive protocol (core/archive.hpp): m, v and t; m and v must agree.
  template <class Archive>
  void serialize(Archive& ar) {
    ar(m, v, t);
    ar.check(m.tables.size() == v.tables.size() && m.dense.size() == v.dense.size(),
             "moments m and v differ in shape");
  }
};

/// \f$m \leftarrow \beta_1 m + (1-\beta_1) g,\quad v \leftarrow \beta_2 v + (1-\beta_2) g^2\f$ for one
/// row or block.
template <class S, class M, class V, class G>
inline void update_moments(M&& m, V&& v, const G& g, S beta1, S beta2) {
  m = beta1 * m + (S(1) - beta1) * g;
  v = beta2 * v + (S(1) - beta2) * g.cwiseProduct(g);
}

/// The other of float and double.
template <class S>
using other_scalar_t = std::conditional_t<std::is_same<S, float>::value, double, float>;

/// Reads or writes `mine`, the state of scalar S, beside an empty state of the other
/// scalar type: the layout of format-2 checkpoints, which kept a float and a double
/// state side by side, so files written before and after the per-scalar state read
/// alike. A loaded file whose other-scalar state is not empty was written for a model of
/// the other scalar type and is refused.
template <class S, template <class> class StateOf, class Archive>
inline void serialize_scalar_pair(Archive& ar, StateOf<S>& mine) {
  StateOf<other_scalar_t<S>> other;
  if constexpr (std::is_same<S, float>::value) ar(mine, other);
  else ar(other, mine);
  ar.check(!other.initialized(), "holds state for the other scalar type (float vs double)");
}

}  // namespace invlearn

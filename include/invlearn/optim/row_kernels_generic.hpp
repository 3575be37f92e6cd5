#pragma once
/// @file row_kernels_generic.hpp
/// The arithmetic of Adam on one embedding row (a step with a gradient, and a window of
/// idle steps from its coefficients): its constants, one coordinate, and the generic kernels.
///
/// Each kernel evaluates, coordinate by coordinate, the expression adam_coordinate() or
/// idle_coordinate() spells out (the same IEEE operations in the same order, no fused
/// multiply-add), with the square root the earlier Eigen expressions took (see
/// adam_row_generic), so every version gives the same bits. row_kernels.hpp chooses
/// between these and the AVX2 ones.

#include <cmath>
#include <cstdint>

#include "invlearn/core/types.hpp"

namespace invlearn {
namespace detail {

/// The constants of one Adam step (Adam::State::step), in S.
template <class S>
struct AdamRowConstants {
  S beta1, one_minus_beta1, beta2, one_minus_beta2;
  S step_size;  ///< γ / (1 − β1^t)
  S bc2_sqrt;   ///< √(1 − β2^t)
  S epsilon;
};

/// The coefficients of a window of idle steps (IdleSteps::window), in S.
template <class S>
struct IdleWindow {
  S w0, w1, u0, u1;  ///< the rule for s ≥ split: w0/(s + u0) + w1/(s + u1)
  S c0, c1, n0, n1;  ///< the rule below: c0/(n0·s + ε) + c1/(n1·s + ε)
  S split;
  S decay1, decay2;  ///< β1^k, β2^k
  S epsilon;
};

/// m ← β1 m + (1−β1) g, v ← β2 v + (1−β2) g², θ ← θ − step·m / (√v / √bc2 + ε), one coordinate.
template <class S>
inline void adam_coordinate(S& theta, S& m, S& v, S g, const AdamRowConstants<S>& k) {
  m = k.beta1 * m + k.one_minus_beta1 * g;
  v = k.beta2 * v + k.one_minus_beta2 * (g * g);
  theta = theta - k.step_size * m / (std::sqrt(v) / k.bc2_sqrt + k.epsilon);
}

/// θ ← θ − m·Σ, m ← β1^k m, v ← β2^k v for one coordinate (IdleSteps::apply).
template <class S>
inline void idle_coordinate(S& theta, S& m, S& v, const IdleWindow<S>& w) {
  const S s = std::sqrt(v);
  const S sum = s >= w.split ? w.w0 / (s + w.u0) + w.w1 / (s + w.u1)
                             : w.c0 / (w.n0 * s + w.epsilon) + w.c1 / (w.n1 * s + w.epsilon);
  theta = theta - m * sum;
  m = m * w.decay1;
  v = v * w.decay2;
}

/// The coordinates of a row at `theta` that an Eigen assignment to that row takes in
/// packets of W: [first, first + ⌊(d − first)/W⌋·W), `first` the offset of the first
/// packet-aligned address (Eigen's first_aligned); the others it takes one by one.
template <class S>
inline Index first_packet_coordinate(const S* theta, Index d, Index W) {
  const auto address = reinterpret_cast<std::uintptr_t>(theta);
  const auto bytes = static_cast<std::uintptr_t>(W) * sizeof(S);
  if (W <= 1 || address % sizeof(S) != 0) return W <= 1 ? 0 : d;
  const Index first = static_cast<Index>(((bytes - address % bytes) % bytes) / sizeof(S));
  return first < d ? first : d;
}

/// One Adam step on a row of d coordinates with gradient g: Eigen packets where an Eigen
/// expression on the row takes packets (first_packet_coordinate), scalars elsewhere. The
/// split matters for float: Eigen's packet square root (EIGEN_FAST_MATH, on by default)
/// is an approximation (rsqrt and one Newton step) where std::sqrt is exact, and the
/// update must give the bits Eigen's expression gave.
template <class S>
inline void adam_row_generic(S* theta, S* m, S* v, const S* g, Index d, const AdamRowConstants<S>& k) {
  using namespace Eigen::internal;
  using P = typename packet_traits<S>::type;
  constexpr Index W = packet_traits<S>::Vectorizable ? packet_traits<S>::size : 1;
  Index c = 0;
  if constexpr (W > 1) {
    const Index first = first_packet_coordinate(theta, d, W);
    const Index end = first + (d - first) / W * W;
    for (; c < first; ++c) adam_coordinate(theta[c], m[c], v[c], g[c], k);
    const P b1 = pset1<P>(k.beta1), ob1 = pset1<P>(k.one_minus_beta1), b2 = pset1<P>(k.beta2),
            ob2 = pset1<P>(k.one_minus_beta2), step = pset1<P>(k.step_size), bc2 = pset1<P>(k.bc2_sqrt),
            eps = pset1<P>(k.epsilon);
    for (; c < end; c += W) {
      const P gc = ploadu<P>(g + c);
      const P mc = padd(pmul(b1, ploadu<P>(m + c)), pmul(ob1, gc));
      const P vc = padd(pmul(b2, ploadu<P>(v + c)), pmul(ob2, pmul(gc, gc)));
      pstoreu(m + c, mc);
      pstoreu(v + c, vc);
      pstoreu(theta + c, psub(ploadu<P>(theta + c), pdiv(pmul(step, mc), padd(pdiv(psqrt(vc), bc2), eps))));
    }
  }
  for (; c < d; ++c) adam_coordinate(theta[c], m[c], v[c], g[c], k);
}

/// A window of idle steps on a row of d coordinates, one coordinate at a time with the
/// exact square root (as IdleSteps always took them).
template <class S>
inline void idle_row_generic(S* theta, S* m, S* v, Index d, const IdleWindow<S>& w) {
  for (Index c = 0; c < d; ++c) idle_coordinate(theta[c], m[c], v[c], w);
}

}  // namespace detail
}  // namespace invlearn

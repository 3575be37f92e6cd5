#pragma once
/// @file math.hpp
/// Numerically stable scalar functions. All stay finite for |x| up to 1e4 and beyond:
/// no exp() of a positive argument, no log() of a value that can round to zero.

#include <algorithm>
#include <cmath>
#include <limits>

#include "invlearn/core/types.hpp"

namespace invlearn {

/// \f$\sigma(x) = 1/(1+e^{-x})\f$, evaluated without overflow for either sign.
template <class S>
inline S sigmoid(S x) {
  if (x >= S(0)) {
    const S z = std::exp(-x);
    return S(1) / (S(1) + z);
  }
  const S z = std::exp(x);
  return z / (S(1) + z);
}

/// \f$\mathrm{softplus}(x) = \log(1+e^{x}) = \max(x,0) + \log(1+e^{-|x|})\f$.
template <class S>
inline S softplus(S x) {
  return std::max(x, S(0)) + std::log1p(std::exp(-std::abs(x)));
}

/// \f$\log\sigma(x) = -\mathrm{softplus}(-x)\f$.
template <class S>
inline S log_sigmoid(S x) {
  return -softplus(-x);
}

/// Binary cross-entropy of a logit against a label y in [0, 1]:
/// \f$\ell(x, y) = -y\log\sigma(x) - (1-y)\log(1-\sigma(x)) = \mathrm{softplus}(x) - y x\f$,
/// written as \f$\max(x,0) - xy + \log(1+e^{-|x|})\f$ so it never overflows.
template <class S>
inline S bce_with_logits(S x, S y) {
  return std::max(x, S(0)) - x * y + std::log1p(std::exp(-std::abs(x)));
}

/// \f$\partial \ell(x, y)/\partial x = \sigma(x) - y\f$.
template <class S>
inline S bce_with_logits_grad(S x, S y) {
  return sigmoid(x) - y;
}

/// The pieces of the functions above at one logit x that a loss needs several of:
/// z = e^{−|x|} and log(1 + z), one exp and one log1p. softplus(x), softplus(−x),
/// bce_with_logits(x, y) and sigmoid(x) all start from them, and the members below
/// compute each as those functions do, so from LogisticParts(x) the results are the same
/// bits. A loss needs up to three of them per logit; it takes z and log(1 + z) of a block of
/// logits at once (for_each_logistic_parts below), vectorized, rather than from libm one
/// logit at a time.
template <class S>
struct LogisticParts {
  S x, z, log1p_z;
  explicit LogisticParts(S logit) : x(logit), z(std::exp(-std::abs(logit))), log1p_z(std::log1p(z)) {}
  /// From x and its z and log(1 + z) computed elsewhere (logistic_parts()).
  LogisticParts(S logit, S z_of_logit, S log1p_of_z) : x(logit), z(z_of_logit), log1p_z(log1p_of_z) {}
  S softplus() const { return std::max(x, S(0)) + log1p_z; }            ///< softplus(x)
  S softplus_of_negative() const { return std::max(-x, S(0)) + log1p_z; }  ///< softplus(−x)
  S bce(S y) const { return std::max(x, S(0)) - x * y + log1p_z; }      ///< bce_with_logits(x, y)
  S sigmoid() const { return sigmoid_of(x, z); }  ///< sigmoid(x)
  /// sigmoid(x) from x and its z = e^{−|x|} (a z kept from an earlier pass): the same bits.
  static S sigmoid_of(S x, S z) { return x >= S(0) ? S(1) / (S(1) + z) : z / (S(1) + z); }
};

/// z = e^{−|x|} and log(1 + z) of n logits at once, with Eigen's vectorized exp and log1p
/// where LogisticParts(x) calls libm one logit at a time. Eigen's are within 3 ulp of the
/// exact values (tests/test_losses.cpp), not libm's bits (docs/performance.md, "Vectorized
/// exp and log1p in the losses").
/// Where e^{−|x|} is below the smallest normal number z is 0, as the saturated end of
/// sigmoid should be (Eigen's exp stops at a fixed tiny value there); a NaN stays NaN.
template <class S>
inline void logistic_parts(const S* x, Index n, S* z, S* log1p_z) {
  using A = Eigen::Array<S, Eigen::Dynamic, 1>;
  // −log of the smallest normal number, 2^(min_exponent − 1).
  constexpr S kUnderflow = static_cast<S>(1 - std::numeric_limits<S>::min_exponent) * S(0.6931471805599453094);
  const Eigen::Map<const A> xs(x, n);
  Eigen::Map<A> zs(z, n), ls(log1p_z, n);
  zs = (xs.abs() > kUnderflow).select(S(0), (-xs.abs()).exp());
  ls = zs.log1p();
}

/// Calls body(k, parts) for k = 0 … n−1 with the LogisticParts of logits[k], taken
/// kBlock logits at a time by logistic_parts(): how every loss reads its logits.
template <class S, class Body>
inline void for_each_logistic_parts(const S* logits, Index n, Body&& body) {
  constexpr Index kBlock = 256;  // two stack arrays of 1-2 KiB
  S z[kBlock], log1p_z[kBlock];
  for (Index begin = 0; begin < n; begin += kBlock) {
    const Index m = std::min(kBlock, n - begin);
    logistic_parts(logits + begin, m, z, log1p_z);
    for (Index j = 0; j < m; ++j) body(begin + j, LogisticParts<S>(logits[begin + j], z[j], log1p_z[j]));
  }
}

}  // namespace invlearn

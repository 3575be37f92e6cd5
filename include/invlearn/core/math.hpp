#pragma once
/// @file math.hpp
/// Numerically stable scalar functions. All stay finite for |x| up to 1e4 and beyond:
/// no exp() of a positive argument, no log() of a value that can round to zero.

#include <algorithm>
#include <cmath>

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
/// compute each as those functions do, so the results are the same bits; a loss taking
/// three of them per logit calls exp and log1p once instead of up to three times each
/// (libm calls, which errno keeps the compiler from merging).
template <class S>
struct LogisticParts {
  S x, z, log1p_z;
  explicit LogisticParts(S logit) : x(logit), z(std::exp(-std::abs(logit))), log1p_z(std::log1p(z)) {}
  S softplus() const { return std::max(x, S(0)) + log1p_z; }            ///< softplus(x)
  S softplus_of_negative() const { return std::max(-x, S(0)) + log1p_z; }  ///< softplus(−x)
  S bce(S y) const { return std::max(x, S(0)) - x * y + log1p_z; }      ///< bce_with_logits(x, y)
  S sigmoid() const { return sigmoid_of(x, z); }  ///< sigmoid(x)
  /// sigmoid(x) from x and its z = e^{−|x|} (a z kept from an earlier pass): the same bits.
  static S sigmoid_of(S x, S z) { return x >= S(0) ? S(1) / (S(1) + z) : z / (S(1) + z); }
};

}  // namespace invlearn

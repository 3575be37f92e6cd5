#pragma once
/// @file bce.hpp
/// Binary cross-entropy from logits, mean over the batch.

#include "invlearn/core/math.hpp"
#include "invlearn/core/types.hpp"

namespace invlearn {

/// \f$L = \frac{1}{n}\sum_k \ell(x_k, y_k)\f$ with \f$\ell(x,y) = \mathrm{softplus}(x) - xy\f$;
/// \f$\partial L/\partial x_k = (\sigma(x_k) - y_k)/n\f$. Each sample's loss is taken in S and
/// the sum is accumulated in double: in float a sum over a batch would lose the small
/// differences IG compares.
struct BCE {
  static constexpr const char* name = "bce";

  template <class S>
  double evaluate(const S* logits, const float* labels, Index n, S* dlogits) {
    return mean(logits, labels, n, dlogits);
  }
  template <class S>
  double value(const S* logits, const float* labels, Index n) const {
    return mean(logits, labels, n, static_cast<S*>(nullptr));
  }

  /// value(), leaving each logit's z = e^{−|x|} in `parts` (the optional Loss members of
  /// loss.hpp): IG keeps them for its candidates, and the chosen one's gradient then costs
  /// no exp.
  template <class S>
  double value_keeping_parts(const S* logits, const float* labels, Index n, S* parts) const {
    return mean(logits, labels, n, static_cast<S*>(nullptr), parts);
  }
  /// The dlogits evaluate() writes, from the parts value_keeping_parts() kept for the same logits.
  template <class S>
  void gradient_from_parts(const S* logits, const float* labels, const S* parts, Index n, S* dlogits) const {
    const S inv_n = S(1) / static_cast<S>(n);
    for (Index k = 0; k < n; ++k)
      dlogits[k] = (LogisticParts<S>::sigmoid_of(logits[k], parts[k]) - static_cast<S>(labels[k])) * inv_n;
  }

 private:
  /// The mean loss; the gradient into `dlogits` and each z = e^{−|x|} into `parts` when
  /// they are not null.
  template <class S>
  static double mean(const S* logits, const float* labels, Index n, S* dlogits, S* parts = nullptr) {
    if (n == 0) return 0.0;
    double sum = 0.0;
    const S inv_n = S(1) / static_cast<S>(n);
    for_each_logistic_parts(logits, n, [&](Index k, const LogisticParts<S>& x) {
      const S y = static_cast<S>(labels[k]);
      sum += static_cast<double>(x.bce(y));
      if (dlogits) dlogits[k] = (x.sigmoid() - y) * inv_n;
      if (parts) parts[k] = x.z;
    });
    return sum / static_cast<double>(n);
  }
};

}  // namespace invlearn

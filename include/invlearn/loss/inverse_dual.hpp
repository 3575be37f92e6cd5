#pragma once
/// @file inverse_dual.hpp
/// IDL, the Inverse Dual Loss (Lin et al., WSDM'24, Definition 1).

#include <vector>

#include "invlearn/core/math.hpp"
#include "invlearn/core/types.hpp"

namespace invlearn {

/// Labels an unlabeled pair by the model's own losses. With \f$P = \ell(x, 1)\f$ and
/// \f$N = \ell(x, 0)\f$ taken as constants (stop-gradient),
/// \f[ a = \frac{N}{P+\epsilon},\quad b = \frac{P}{N+\epsilon},\quad
///     w^1 = \frac{a}{a+b},\quad w^0 = \frac{b}{a+b},\quad
///     L = \frac{1}{n}\sum_k w^1_k P_k + w^0_k N_k \f]
/// (Eq. 4 with \f$z_w = a + b\f$; \f$w^1 = N^2/(N^2+P^2)\f$ up to ε). The label the
/// model finds more likely gets the larger weight. Since \f$\partial P/\partial x = \sigma(x)-1\f$
/// and \f$\partial N/\partial x = \sigma(x)\f$, \f$\partial L/\partial x_k = (\sigma(x_k) - w^1_k)/n\f$.
/// Labels are not read. Finite for any logit: P + N ≥ 2 log 2, so a + b > 0.
class InverseDual {
 public:
  static constexpr const char* name = "idl";

  InverseDual() : InverseDual(1e-9) {}
  explicit InverseDual(double epsilon) : epsilon_(epsilon) {}

  template <class S>
  double evaluate(const S* logits, const float* /*labels*/, Index n, S* dlogits) {
    positive_weight_.resize(static_cast<std::size_t>(n));
    if (n == 0) return 0.0;
    double weight_sum = 0.0;
    const double loss = mean(logits, n, dlogits, positive_weight_.data(), weight_sum);
    mean_positive_weight_ = weight_sum / static_cast<double>(n);
    return loss;
  }

  /// The loss evaluate() would return, without recording the weights.
  template <class S>
  double value(const S* logits, const float* /*labels*/, Index n) const {
    if (n == 0) return 0.0;
    double weight_sum = 0.0;
    return mean(logits, n, static_cast<S*>(nullptr), nullptr, weight_sum);
  }

  /// w¹ of each sample of the last evaluate() (> 0.5: the pair is labeled positive).
  const std::vector<float>& positive_weights() const { return positive_weight_; }
  /// Mean w¹ of the last evaluate().
  double mean_positive_weight() const { return mean_positive_weight_; }
  double epsilon() const { return epsilon_; }

 private:
  /// The mean loss of n samples; writes dL/dx and w¹ where the pointers are not null.
  template <class S>
  double mean(const S* logits, Index n, S* dlogits, float* weights, double& weight_sum) const {
    double sum = 0.0;
    const S inv_n = S(1) / static_cast<S>(n);
    for_each_logistic_parts(logits, n, [&](Index k, const LogisticParts<S>& x) {
      // Weights in double: in float, a = N/(P+ε) overflows for |x| beyond ~20.
      const double p = static_cast<double>(x.softplus_of_negative());
      const double q = static_cast<double>(x.softplus());
      const double a = q / (p + epsilon_);
      const double b = p / (q + epsilon_);
      const double w1 = a / (a + b);
      if (weights) weights[k] = static_cast<float>(w1);
      weight_sum += w1;
      sum += w1 * p + (1.0 - w1) * q;
      if (dlogits) dlogits[k] = (x.sigmoid() - static_cast<S>(w1)) * inv_n;
    });
    return sum / static_cast<double>(n);
  }

  double epsilon_;
  std::vector<float> positive_weight_;
  double mean_positive_weight_ = 0.0;
};

}  // namespace invlearn

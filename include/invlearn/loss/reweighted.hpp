#pragma once
/// @file reweighted.hpp
/// R-CE, the reweighted cross-entropy of DenoisingRec (Wang et al., 2021).

#include <cmath>

#include "invlearn/core/error.hpp"
#include "invlearn/core/math.hpp"
#include "invlearn/core/types.hpp"

namespace invlearn {

/// \f$L = \frac{1}{n}\sum_k w_k\,\ell(x_k, y_k)\f$ with the weight treated as a constant,
/// \f$w_k = \sigma(x_k)^\beta\f$ for \f$y_k = 1\f$ and \f$(1-\sigma(x_k))^\beta\f$ for \f$y_k = 0\f$:
/// a sample the model finds hard (a likely false positive, or a false negative
/// among sampled pairs) weighs less. \f$\partial L/\partial x_k = w_k(\sigma(x_k)-y_k)/n\f$.
/// The paper's settings: β = 0.2 (GMF), 0.25 (NeuMF) (train/paper_settings.hpp).
class Reweighted {
 public:
  static constexpr const char* name = "rce";

  Reweighted() : Reweighted(0.2) {}
  explicit Reweighted(double beta) : beta_(beta) {
    require(std::isfinite(beta) && beta >= 0.0, "Reweighted: beta must be finite and >= 0");
  }
  double beta() const { return beta_; }

  template <class S>
  double evaluate(const S* logits, const float* labels, Index n, S* dlogits) {
    return mean(logits, labels, n, dlogits);
  }
  template <class S>
  double value(const S* logits, const float* labels, Index n) const {
    return mean(logits, labels, n, static_cast<S*>(nullptr));
  }

 private:
  template <class S>
  double mean(const S* logits, const float* labels, Index n, S* dlogits) const {
    if (n == 0) return 0.0;
    double sum = 0.0;
    const S inv_n = S(1) / static_cast<S>(n);
    const S beta = static_cast<S>(beta_);
    for_each_logistic_parts(logits, n, [&](Index k, const LogisticParts<S>& x) {
      const S y = static_cast<S>(labels[k]);
      // σ(x)^β = exp(β log σ(x)) stays finite where σ(x) underflows to 0
      // (log σ(x) = −softplus(−x), log σ(−x) = −softplus(x)).
      const S w = std::exp(beta * (y * -x.softplus_of_negative() + (S(1) - y) * -x.softplus()));
      sum += static_cast<double>(w * x.bce(y));
      if (dlogits) dlogits[k] = w * (x.sigmoid() - y) * inv_n;
    });
    return sum / static_cast<double>(n);
  }

  double beta_;
};

}  // namespace invlearn

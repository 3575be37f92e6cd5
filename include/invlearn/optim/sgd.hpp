#pragma once
/// @file sgd.hpp
/// Plain stochastic gradient descent.

#include "invlearn/model/gradient.hpp"

namespace invlearn {

/// \f$\theta \leftarrow \theta - \gamma\,g\f$. Touches only the rows the gradient holds.
///
/// An optimizer: `step(params, grad)` takes one step; `lr` is public so a trainer can set it.
struct SGD {
  static constexpr const char* name = "sgd";
  double lr = 1e-3;

  SGD() = default;
  explicit SGD(double learning_rate) : lr(learning_rate) {}

  template <class S>
  void step(Parameters<S>& params, const Gradient<S>& grad) {
    apply(params, grad, static_cast<S>(-lr));
  }
};

}  // namespace invlearn

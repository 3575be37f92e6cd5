#pragma once
/// @file sgd.hpp
/// Plain stochastic gradient descent.

#include <cmath>
#include <optional>

#include "invlearn/core/error.hpp"
#include "invlearn/model/apply.hpp"

namespace invlearn {

/// \f$\theta \leftarrow \theta - \gamma\,g\f$. Touches only the rows the gradient holds.
/// SGD keeps no state between steps: its State<S> holds γ only.
class SGD {
 public:
  static constexpr const char* name = "sgd";
  static constexpr double kDefaultLr = 1e-3;

  SGD() = default;
  explicit SGD(double learning_rate) : lr_(learning_rate) { validate(); }

  /// γ as set (unset: the trainer's TrainerOptions::lr, or 1e-3).
  std::optional<double> lr() const { return lr_; }
  void set_lr(double lr) {
    lr_ = lr;
    validate();
  }

  template <class S>
  class State {
   public:
    State(const SGD& sgd, const Parameters<S>& /*params*/) : lr_(sgd.lr().value_or(kDefaultLr)) {}
    void step(Parameters<S>& params, const Gradient<S>& grad) { apply(params, grad, static_cast<S>(-lr_)); }
    double lr() const { return lr_; }

   private:
    double lr_;
  };

 private:
  void validate() const {
    if (lr_) require(std::isfinite(*lr_) && *lr_ >= 0, "SGD: lr must be finite and >= 0");
  }
  std::optional<double> lr_;
};

}  // namespace invlearn

#pragma once
/// @file sgd_step.hpp
/// d = g: the unlabeled move of Algorithm 1 as written.

#include "invlearn/model/gradient.hpp"
#include "invlearn/model/parameters.hpp"

namespace invlearn {

/// d = g: θ^d = θ - α∇L_u and θ^i = θ + α∇L_u, as Algorithm 1 is written.
/// With mean-reduced losses and α = 0.1γ this moves embeddings very little.
struct SgdStep {
  static constexpr const char* name = "sgd";
  template <class S>
  struct State {
    State(const SgdStep& /*settings*/, const Parameters<S>& /*params*/) {}
    void transform(const Parameters<S>& /*params*/, Gradient<S>& /*grad*/) {}
  };
};

}  // namespace invlearn

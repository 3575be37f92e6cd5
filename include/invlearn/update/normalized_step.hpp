#pragma once
/// @file normalized_step.hpp
/// d = m̂/(√v̂ + ε): an unlabeled move of about α per coordinate, from Adam moments of
/// the unlabeled gradient kept across steps.

#include <cmath>

#include "invlearn/model/gradient.hpp"
#include "invlearn/model/parameters.hpp"
#include "invlearn/optim/moments.hpp"

namespace invlearn {

/// d = m̂/(√v̂ + ε) from Adam moments of ∇L_u kept across steps (lazily, per touched
/// row), so each coordinate moves by about α whatever the gradient's scale. The
/// authors' release built a fresh Adam for every meta step, whose first step is
/// sign(g)·lr: a crude form of this rule without memory.
class NormalizedStep {
 public:
  static constexpr const char* name = "normalized";
  NormalizedStep() : NormalizedStep(0.9, 0.999, 1e-8) {}
  NormalizedStep(double beta1, double beta2, double epsilon)
      : beta1_(beta1), beta2_(beta2), epsilon_(epsilon) {}

  template <class S>
  class State {
   public:
    State(const NormalizedStep& rule, const Parameters<S>& /*params*/)
        : beta1_(rule.beta1_), beta2_(rule.beta2_), epsilon_(rule.epsilon_) {}

    void transform(const Parameters<S>& params, Gradient<S>& grad) {
      auto& st = moments_;
      if (!st.initialized()) st.initialize(params);
      ++st.t;
      const S b1 = static_cast<S>(beta1_), b2 = static_cast<S>(beta2_);
      const S bc1 = static_cast<S>(1.0 - std::pow(beta1_, static_cast<double>(st.t)));
      const S bc2 = static_cast<S>(1.0 - std::pow(beta2_, static_cast<double>(st.t)));
      const S eps = static_cast<S>(epsilon_);
      auto rule = [&](auto&& g, auto&& m, auto&& v) {
        update_moments(m, v, g, b1, b2);
        g.array() = (m.array() / bc1) / ((v.array() / bc2).sqrt() + eps);
      };
      for (std::size_t k = 0; k < grad.tables.size(); ++k) {
        auto& g = grad.tables[k];
        const auto& rows = g.rows();
        for (Index r = 0; r < g.count(); ++r) {
          const Index row = rows[static_cast<std::size_t>(r)];
          rule(g.value(r), st.m.tables[k].row(row), st.v.tables[k].row(row));
        }
      }
      rule(grad.dense, st.m.dense, st.v.dense);
    }

    const Moments<S>& moments() const { return moments_; }
    Moments<S>& moments() { return moments_; }

    /// Archive protocol (core/archive.hpp): the moments.
    template <class Archive>
    void serialize(Archive& ar) {
      serialize_scalar_pair<S, Moments>(ar, moments_);
    }

   private:
    double beta1_, beta2_, epsilon_;
    Moments<S> moments_;
  };

 private:
  double beta1_, beta2_, epsilon_;
};

}  // namespace invlearn

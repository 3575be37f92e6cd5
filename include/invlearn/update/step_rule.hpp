#pragma once
/// @file step_rule.hpp
/// The inner step rule of an unlabeled update: what direction d the candidates
/// θ ± α·d are built from, given the unlabeled gradient g.

#include <cmath>
#include <cstdint>

#include "invlearn/config.hpp"
#include "invlearn/model/gradient.hpp"

namespace invlearn {

/// d = g: θ^d = θ - α∇L_u and θ^i = θ + α∇L_u, as Algorithm 1 is written.
/// With mean-reduced losses and α = 0.1γ this moves embeddings very little.
struct SgdStep {
  static constexpr const char* name = "sgd";
  template <class S>
  void transform(const Parameters<S>& /*params*/, Gradient<S>& /*grad*/) {}
};

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
  void transform(const Parameters<S>& params, Gradient<S>& grad) {
    auto& st = state<S>();
    if (st.m.tables.empty() && st.m.dense.size() == 0) {
      st.m.tables.resize(params.tables.size());
      st.v.tables.resize(params.tables.size());
      for (std::size_t k = 0; k < params.tables.size(); ++k) {
        allocate_table(st.m.tables[k], params.tables[k].rows(), params.tables[k].cols(), true);
        allocate_table(st.v.tables[k], params.tables[k].rows(), params.tables[k].cols(), true);
      }
      st.m.dense.setZero(params.dense.size());
      st.v.dense.setZero(params.dense.size());
    }
    ++st.t;
    const S b1 = static_cast<S>(beta1_), b2 = static_cast<S>(beta2_);
    const S bc1 = static_cast<S>(1.0 - std::pow(beta1_, static_cast<double>(st.t)));
    const S bc2 = static_cast<S>(1.0 - std::pow(beta2_, static_cast<double>(st.t)));
    const S eps = static_cast<S>(epsilon_);
    auto rule = [&](auto&& g, auto&& m, auto&& v) {
      m = b1 * m + (S(1) - b1) * g;
      v = b2 * v + (S(1) - b2) * g.cwiseProduct(g);
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

  template <class S>
  struct State {
    Parameters<S> m, v;
    std::int64_t t = 0;
    /// Checkpoint archive protocol (core/archive.hpp); m and v must agree.
    template <class Archive>
    void serialize(Archive& ar) {
      ar(m, v, t);
      ar.check(m.tables.size() == v.tables.size() && m.dense.size() == v.dense.size(),
               "NormalizedStep moments m and v differ in shape");
    }
  };
  template <class S>
  State<S>& state() {
    if constexpr (std::is_same<S, float>::value) return float_state_;
    else return double_state_;
  }

  /// Checkpoint archive protocol (core/archive.hpp): the moments of both scalar types.
  template <class Archive>
  void serialize(Archive& ar) {
    ar(float_state_, double_state_);
  }

 private:
  double beta1_, beta2_, epsilon_;
  State<float> float_state_;
  State<double> double_state_;
};

}  // namespace invlearn

#pragma once
// Central-difference gradient checks for any backbone, in the spirit of mlpack's
// CheckGradient: every scalar of θ is perturbed and the objective re-evaluated.

#include <cmath>
#include <vector>

#include "invlearn/core/random.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/model/backbone.hpp"

namespace invlearn_test {

using invlearn::Index;

/// θ flattened: each table row-major, then the dense block.
template <class S>
std::vector<double> flatten(const invlearn::Parameters<S>& p) {
  std::vector<double> out;
  for (const auto& t : p.tables)
    for (Index k = 0; k < t.size(); ++k) out.push_back(static_cast<double>(t.data()[k]));
  for (Index k = 0; k < p.dense.size(); ++k) out.push_back(static_cast<double>(p.dense[k]));
  return out;
}

/// A sparse gradient densified into θ's flat layout (rows it does not hold are 0).
template <class S>
std::vector<double> densify(const invlearn::Gradient<S>& g, const invlearn::Parameters<S>& p) {
  std::vector<double> out;
  for (std::size_t t = 0; t < p.tables.size(); ++t) {
    const auto& table = p.tables[t];
    std::vector<double> block(static_cast<std::size_t>(table.size()), 0.0);
    const auto& rows = g.tables[t].rows();
    for (Index k = 0; k < g.tables[t].count(); ++k)
      for (Index j = 0; j < table.cols(); ++j)
        block[static_cast<std::size_t>(rows[k] * table.cols() + j)] += static_cast<double>(g.tables[t].value(k)[j]);
    out.insert(out.end(), block.begin(), block.end());
  }
  for (Index k = 0; k < g.dense.size(); ++k) out.push_back(static_cast<double>(g.dense[k]));
  return out;
}

/// Pointer to the i-th scalar of θ in the flat layout.
template <class S>
S* scalar_at(invlearn::Parameters<S>& p, std::size_t i) {
  for (auto& t : p.tables) {
    if (i < static_cast<std::size_t>(t.size())) return t.data() + i;
    i -= static_cast<std::size_t>(t.size());
  }
  return p.dense.data() + i;
}

/// Objective J(θ) = Σ_k c_k x_k(θ) over a batch.
template <class Model>
double weighted_logits(const Model& model, const invlearn::BatchView& batch, const std::vector<double>& c) {
  auto ws = model.workspace(batch.size);
  invlearn::Vector<typename Model::Scalar> logits(batch.size);
  model.forward(batch, ws, logits);
  double j = 0.0;
  for (Index k = 0; k < batch.size; ++k) j += c[static_cast<std::size_t>(k)] * static_cast<double>(logits[k]);
  return j;
}

/// Result of a gradient check: the largest relative error over θ,
/// |a - n| / max(|a| + |n|, floor), and whether rows outside the batch were exactly 0.
struct GradientCheck {
  double max_relative_error = 0.0;
  std::vector<double> analytic, numeric;
};

/// Checks every scalar of θ, or, with `sample` > 0, that many scalars drawn at random
/// (seeded) — for models too large to perturb one scalar at a time.
template <class Model>
GradientCheck check_gradient(Model& model, const invlearn::BatchView& batch, const std::vector<double>& c,
                             double h = 1e-6, double floor = 1e-7, std::size_t sample = 0) {
  using S = typename Model::Scalar;
  GradientCheck out;
  auto ws = model.workspace(batch.size);
  invlearn::Vector<S> logits(batch.size), dlogits(batch.size);
  model.forward(batch, ws, logits);
  for (Index k = 0; k < batch.size; ++k) dlogits[k] = static_cast<S>(c[static_cast<std::size_t>(k)]);
  auto grad = model.make_gradient(batch.size);
  model.backward(batch, ws, dlogits, grad);
  out.analytic = densify(grad, model.parameters());
  out.numeric.assign(out.analytic.size(), 0.0);
  std::vector<std::size_t> which;
  invlearn::Rng rng(12345);
  for (std::size_t i = 0; i < out.analytic.size(); ++i)
    if (sample == 0 || rng.uniform() * static_cast<double>(out.analytic.size()) < static_cast<double>(sample))
      which.push_back(i);
  for (std::size_t i : which) {
    S* x = scalar_at(model.parameters(), i);
    const S saved = *x;
    *x = saved + static_cast<S>(h);
    const double up = weighted_logits(model, batch, c);
    *x = saved - static_cast<S>(h);
    const double down = weighted_logits(model, batch, c);
    *x = saved;
    out.numeric[i] = (up - down) / (2.0 * h);
    const double a = out.analytic[i], n = out.numeric[i];
    const double rel = std::abs(a - n) / std::max(std::abs(a) + std::abs(n), floor);
    out.max_relative_error = std::max(out.max_relative_error, rel);
  }
  return out;
}

}  // namespace invlearn_test

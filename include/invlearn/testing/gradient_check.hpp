#pragma once
/// @file gradient_check.hpp
/// Central-difference checks of a backbone's gradients, shipped so that a backbone of
/// your own can be checked as GMF and NeuMF are (in the spirit of mlpack's CheckGradient
/// and dlib's test_layer): every scalar of θ (or a seeded sample of them) is perturbed by
/// ±h and the objective J(θ) = Σ_k c_k x_k(θ) re-evaluated. Use a double model: in float
/// the differences are noise.
///
/// ```cpp
/// MyModel<double> model(users, items, ...);
/// const auto r = invlearn::testing::check_gradient(model, batch.view());
/// assert(r.max_relative_error < 1e-6);
/// ```

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "invlearn/core/random.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/model/backbone.hpp"

namespace invlearn {
namespace testing {

/// θ flattened: each table row-major, then the dense block.
template <class S>
inline std::vector<double> flatten(const Parameters<S>& p) {
  std::vector<double> out;
  for (const auto& t : p.tables)
    for (Index k = 0; k < t.size(); ++k) out.push_back(static_cast<double>(t.data()[k]));
  for (Index k = 0; k < p.dense.size(); ++k) out.push_back(static_cast<double>(p.dense[k]));
  return out;
}

/// A sparse gradient densified into θ's flat layout (rows it does not hold are 0).
template <class S>
inline std::vector<double> densify(const Gradient<S>& g, const Parameters<S>& p) {
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
inline S* scalar_at(Parameters<S>& p, std::size_t i) {
  for (auto& t : p.tables) {
    if (i < static_cast<std::size_t>(t.size())) return t.data() + i;
    i -= static_cast<std::size_t>(t.size());
  }
  return p.dense.data() + i;
}

/// The objective J(θ) = Σ_k c_k x_k(θ) over a batch.
template <class Model>
inline double weighted_logits(const Model& model, const BatchView& batch, const std::vector<double>& c) {
  auto ws = model.workspace(batch.size);
  Vector<typename Model::Scalar> logits(batch.size);
  model.forward(batch, ws, logits);
  double j = 0.0;
  for (Index k = 0; k < batch.size; ++k) j += c[static_cast<std::size_t>(k)] * static_cast<double>(logits[k]);
  return j;
}

/// `n` weights c_k uniform in [-1, 1), seeded.
inline std::vector<double> random_weights(Index n, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<double> c(static_cast<std::size_t>(n));
  for (auto& v : c) v = rng.uniform(-1.0, 1.0);
  return c;
}

/// How a check is run.
struct GradientCheckOptions {
  double h = 1e-6;          ///< perturbation of each scalar
  double floor = 1e-7;      ///< relative errors are |a - n| / max(|a| + |n|, floor)
  std::size_t sample = 0;   ///< 0: every scalar of θ; else about this many, drawn at random
  std::uint64_t seed = 12345;  ///< seeds the sample
};

/// The largest relative error over the scalars checked, and both gradients in θ's flat layout.
struct GradientCheck {
  double max_relative_error = 0.0;
  std::vector<double> analytic, numeric;
};

/// The backward of `model` for J = Σ_k c_k x_k on `batch` against central differences.
template <class Model>
inline GradientCheck check_gradient(Model& model, const BatchView& batch, const std::vector<double>& c,
                                    const GradientCheckOptions& options = {}) {
  static_assert(check_backbone<Model>(), "see the messages above: Model is not a backbone");
  using S = typename Model::Scalar;
  GradientCheck out;
  auto ws = model.workspace(batch.size);
  Vector<S> logits(batch.size), dlogits(batch.size);
  model.forward(batch, ws, logits);
  for (Index k = 0; k < batch.size; ++k) dlogits[k] = static_cast<S>(c[static_cast<std::size_t>(k)]);
  auto grad = model.make_gradient(batch.size);
  model.backward(batch, ws, dlogits, grad);
  out.analytic = densify(grad, model.parameters());
  out.numeric.assign(out.analytic.size(), 0.0);
  std::vector<std::size_t> which;
  Rng rng(options.seed);
  const double total = static_cast<double>(out.analytic.size());
  for (std::size_t i = 0; i < out.analytic.size(); ++i)
    if (options.sample == 0 || rng.uniform() * total < static_cast<double>(options.sample)) which.push_back(i);
  for (std::size_t i : which) {
    S* x = scalar_at(model.parameters(), i);
    const S saved = *x;
    *x = saved + static_cast<S>(options.h);
    const double up = weighted_logits(model, batch, c);
    *x = saved - static_cast<S>(options.h);
    const double down = weighted_logits(model, batch, c);
    *x = saved;
    out.numeric[i] = (up - down) / (2.0 * options.h);
    const double a = out.analytic[i], n = out.numeric[i];
    const double rel = std::abs(a - n) / std::max(std::abs(a) + std::abs(n), options.floor);
    out.max_relative_error = std::max(out.max_relative_error, rel);
  }
  return out;
}

/// check_gradient() with seeded random weights c_k.
template <class Model>
inline GradientCheck check_gradient(Model& model, const BatchView& batch, const GradientCheckOptions& options = {}) {
  return check_gradient(model, batch, random_weights(batch.size, options.seed), options);
}

}  // namespace testing
}  // namespace invlearn

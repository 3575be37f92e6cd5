#pragma once
/// @file idle_steps.hpp
/// What k Adam steps with a zero gradient do to one row, in O(1) per row and O(d) per
/// row's coordinates instead of O(k·d): how a row that no batch touched is brought up to
/// date when it is next read or written, so that lazy bookkeeping gives dense Adam's
/// parameters.
///
/// Over the idle steps q = t+1 … t+k (j = q − t) a coordinate with moments m, v at step t
/// moves by
/// \f[ \Delta\theta = -\gamma\, m \sum_{j=1}^{k} \frac{a_j}{b_j\,s + \epsilon},\qquad
///     a_j = \frac{\beta_1^j}{1-\beta_1^{q}},\quad b_j = \frac{\beta_2^{j/2}}{\sqrt{1-\beta_2^{q}}},\quad s = \sqrt v \f]
/// (PyTorch's update with g = 0: m_q = β1^j m, √v_q = β2^{j/2} s), while m ← β1^k m and
/// v ← β2^k v. The sum has no closed form because of ε, and its terms depend on the
/// coordinate only through s, so:
/// - steps q ≤ kExactUntil (the first 256 of a run, where the bias corrections change fast)
///   are taken one by one, with the arithmetic of a dense step, bit for bit;
/// - later steps use F(x) = Σ a_j/(b_j + x), x = ε/s, a Stieltjes function of x: a
///   two-node Gauss quadrature of the measure Σ a_j u_j δ(u − 1/b_j) is exact to O(x⁴) for
///   small x, one of Σ a_j δ(b − b_j) to O(x⁻⁴) for large x; each coordinate takes the one
///   for its side of x·ū = 1. The four moments of each measure over any window are
///   differences of suffix sums H(t) − ρ^k H(t+k) tabulated once per (β1, β2) — the
///   per-step factors — so a window of any length costs the same.
/// Over every t ≥ 256, k ≥ 1 and x the relative error of the sum is below 4·10⁻⁸ (the
/// test measures it against the step-by-step sum): float rounding.

#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "invlearn/core/memory.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/optim/row_kernels.hpp"

namespace invlearn {

/// The per-step factors of Adam's idle steps for one (β1, β2), and the update of a row.
class IdleSteps {
 public:
  /// Steps q ≤ kExactUntil are taken one by one.
  static constexpr std::int64_t kExactUntil = 256;

  /// Shared tables for (β1, β2): built once per process, immutable.
  static std::shared_ptr<const IdleSteps> for_betas(double beta1, double beta2) {
    static std::mutex mutex;
    static std::map<std::pair<double, double>, std::shared_ptr<const IdleSteps>> cache;
    const std::lock_guard<std::mutex> lock(mutex);
    auto& slot = cache[{beta1, beta2}];
    if (!slot) slot = std::shared_ptr<const IdleSteps>(new IdleSteps(beta1, beta2));
    return slot;
  }

  double beta1() const { return beta1_; }
  double beta2() const { return beta2_; }

  /// Takes the k idle steps t+1 … t+k on one row of d coordinates: θ, m and v. The
  /// steps up to kExactUntil one by one; the rest as one window (window(), idle_row()).
  template <class S>
  void apply(std::int64_t t, std::int64_t k, double lr, double epsilon, S* theta, S* m, S* v, Index d,
             bool avx2 = detail::use_avx2_row_kernels()) const {
    t = apply_early(t, k, lr, epsilon, theta, m, v, d);
    if (k == 0) return;
    detail::idle_row(theta, m, v, d, window<S>(t, k, lr, epsilon), avx2);
  }

  /// The early part of apply(): the steps q ≤ kExactUntil of t+1 … t+k, as a dense step
  /// takes them (g = 0: m·β1 and v·β2 are exact). Returns the step reached and leaves in
  /// k the steps still to take.
  template <class S>
  std::int64_t apply_early(std::int64_t t, std::int64_t& k, double lr, double epsilon, S* theta, S* m, S* v,
                           Index d) const {
    if (t >= kExactUntil || k == 0) return t;
    using A = Eigen::Map<Eigen::Array<S, Eigen::Dynamic, 1>>;
    A th(theta, d), mm(m, d), vv(v, d);
    const S b1 = static_cast<S>(beta1_), b2 = static_cast<S>(beta2_), eps = static_cast<S>(epsilon);
    for (; k > 0 && t < kExactUntil; --k) {
      ++t;
      const S step_size = static_cast<S>(lr / early_bc1_[static_cast<std::size_t>(t)]);
      const S bc2_sqrt = static_cast<S>(early_bc2_sqrt_[static_cast<std::size_t>(t)]);
      mm = b1 * mm;
      vv = b2 * vv;
      th -= step_size * mm / (vv.sqrt() / bc2_sqrt + eps);
    }
    return t;
  }

  /// The coefficients in S of the window of idle steps t+1 … t+k, t ≥ kExactUntil, k ≥ 1:
  /// what detail::idle_row() applies to each coordinate. They depend on the window only,
  /// so the rows caught up over the same window share them.
  template <class S>
  detail::IdleWindow<S> window(std::int64_t t, std::int64_t k, double lr, double epsilon) const {
    const Quadrature q = quadrature(t, k);
    detail::IdleWindow<S> w;
    w.w0 = static_cast<S>(lr * q.u_weight[0]);
    w.w1 = static_cast<S>(lr * q.u_weight[1]);
    w.u0 = static_cast<S>(epsilon * q.u_node[0]);
    w.u1 = static_cast<S>(epsilon * q.u_node[1]);
    w.c0 = static_cast<S>(lr * q.b_weight[0]);
    w.c1 = static_cast<S>(lr * q.b_weight[1]);
    w.n0 = static_cast<S>(q.b_node[0]);
    w.n1 = static_cast<S>(q.b_node[1]);
    w.split = static_cast<S>(epsilon * q.u_mean);
    const bool tabulated = k < static_cast<std::int64_t>(kPowers);
    const PowerRow* power = tabulated ? &powers_[static_cast<std::size_t>(k)] : nullptr;
    w.decay1 = static_cast<S>(tabulated ? power->decay1 : decay1_of(k));
    w.decay2 = static_cast<S>(tabulated ? power->decay2 : decay2_of(k));
    w.epsilon = static_cast<S>(epsilon);
    return w;
  }

  /// Starts loading the table lines window(t, k) reads at the window's start and length
  /// (the line at its end is shared by every row caught up to the same step). A hint.
  void prefetch_window(std::int64_t t, std::int64_t k) const {
    if (t < kExactUntil) return;
    prefetch_line(&suffix(t));
    if (k < static_cast<std::int64_t>(kPowers)) {
      const char* power = reinterpret_cast<const char*>(&powers_[static_cast<std::size_t>(k)]);
      for (std::size_t b = 0; b < sizeof(PowerRow); b += 64) prefetch_line(power + b);
    }
  }

  /// Σ_{j=1..k} a_j/(b_j s + ε) by the step-by-step sum (for tests; O(k)).
  double reference_sum(std::int64_t t, std::int64_t k, double s, double epsilon) const {
    double sum = 0.0;
    for (std::int64_t j = 1; j <= k; ++j) {
      const double q = static_cast<double>(t + j);
      const double a = std::pow(beta1_, static_cast<double>(j)) / (1.0 - std::pow(beta1_, q));
      const double b = std::pow(beta2_, 0.5 * static_cast<double>(j)) / std::sqrt(1.0 - std::pow(beta2_, q));
      sum += a / (b * s + epsilon);
    }
    return sum;
  }

  /// The same sum by the quadrature apply() uses (t ≥ kExactUntil).
  double quadrature_sum(std::int64_t t, std::int64_t k, double s, double epsilon) const {
    const Quadrature q = quadrature(t, k);
    if (s >= epsilon * q.u_mean)
      return q.u_weight[0] / (s + epsilon * q.u_node[0]) + q.u_weight[1] / (s + epsilon * q.u_node[1]);
    return q.b_weight[0] / (q.b_node[0] * s + epsilon) + q.b_weight[1] / (q.b_node[1] * s + epsilon);
  }

 private:
  /// Two-node rules for the window (t, t+k] of both measures.
  struct Quadrature {
    double u_weight[2], u_node[2], u_mean;
    double b_weight[2], b_node[2];
  };

  // Eight measures: i < 4 the moment i of u = 1/b weighted a·u (weights a·u^(i+1)),
  // i ≥ 4 the moment i−4 of b weighted a. Each weight is ρ_i^j c_i(q).
  static constexpr int kMeasures = 8;

  // A window's coefficients read a suffix row at its start, one at its end (shared by the
  // rows caught up to the same step) and a power row at its length: the eight measures side
  // by side, so that a window late in a long run, whose start is rarely in cache, misses
  // at most three lines (one, and the power row's two) rather than sixteen.
  struct alignas(64) SuffixRow {
    double h[kMeasures];
  };
  struct alignas(64) PowerRow {
    double rho[kMeasures];
    double decay1, decay2;
  };

  IdleSteps(double beta1, double beta2) : beta1_(beta1), beta2_(beta2) {
    // The bias corrections of the early steps, computed as a dense step computes them.
    early_bc1_.resize(kExactUntil + 1);
    early_bc2_sqrt_.resize(kExactUntil + 1);
    for (std::int64_t q = 1; q <= kExactUntil; ++q) {
      early_bc1_[static_cast<std::size_t>(q)] = 1.0 - std::pow(beta1_, static_cast<double>(q));
      early_bc2_sqrt_[static_cast<std::size_t>(q)] = std::sqrt(1.0 - std::pow(beta2_, static_cast<double>(q)));
    }
    // Past `horizon`, 1 − β2^q and 1 − β1^q are 1 in double: c_i(q) = 1.
    horizon_ = kExactUntil;
    while (std::pow(beta2_, static_cast<double>(horizon_)) > 0x1.0p-60 && horizon_ < (std::int64_t(1) << 22))
      horizon_ *= 2;
    const std::size_t n = static_cast<std::size_t>(horizon_ - kExactUntil + 1);
    suffix_.assign(n, SuffixRow{});
    powers_.assign(kPowers, PowerRow{});
    for (int i = 0; i < kMeasures; ++i) {
      const double rho = rho_of(i);
      double next = rho / (1.0 - rho);  // H(horizon): every later c is 1
      suffix_[n - 1].h[i] = next;
      for (std::size_t r = n - 1; r-- > 0;) {
        const std::int64_t t = kExactUntil + static_cast<std::int64_t>(r);
        next = rho * (c_of(i, t + 1) + next);
        suffix_[r].h[i] = next;
      }
      double p = 1.0;
      for (std::size_t e = 0; e < kPowers; ++e, p *= rho) powers_[e].rho[i] = p;
    }
    for (std::size_t e = 0; e < kPowers; ++e) {
      powers_[e].decay1 = decay1_of(static_cast<std::int64_t>(e));
      powers_[e].decay2 = decay2_of(static_cast<std::int64_t>(e));
    }
  }

  double rho_of(int i) const {
    return i < 4 ? beta1_ * std::pow(beta2_, -0.5 * (i + 1)) : beta1_ * std::pow(beta2_, 0.5 * (i - 4));
  }
  double c_of(int i, std::int64_t q) const {
    const double bc1 = 1.0 - std::pow(beta1_, static_cast<double>(q));
    const double bc2 = 1.0 - std::pow(beta2_, static_cast<double>(q));
    return (i < 4 ? std::pow(bc2, 0.5 * (i + 1)) : std::pow(bc2, -0.5 * (i - 4))) / bc1;
  }
  /// β1^k and β2^k as window() has always computed them (the table holds the same values).
  double decay1_of(std::int64_t k) const { return std::pow(beta1_, static_cast<double>(k)); }
  double decay2_of(std::int64_t k) const { return std::exp(static_cast<double>(k) * std::log(beta2_)); }

  /// H_i(t) = Σ_{q > t} ρ_i^{q−t} c_i(q) for the eight i, t ≥ kExactUntil.
  const SuffixRow& suffix(std::int64_t t) const {
    if (t >= horizon_) return suffix_.back();
    return suffix_[static_cast<std::size_t>(t - kExactUntil)];
  }

  Quadrature quadrature(std::int64_t t, std::int64_t k) const {
    double mu[kMeasures];
    const SuffixRow& from = suffix(t);
    const SuffixRow& to = suffix(t + k);
    if (k < static_cast<std::int64_t>(kPowers)) {
      const PowerRow& power = powers_[static_cast<std::size_t>(k)];
      for (int i = 0; i < kMeasures; ++i) mu[i] = from.h[i] - power.rho[i] * to.h[i];
    } else {
      for (int i = 0; i < kMeasures; ++i) mu[i] = from.h[i];  // ρ_i^k taken as 0 (kPowers)
    }
    Quadrature q{};
    two_nodes(mu, q.u_weight, q.u_node);
    q.u_mean = mu[1] / mu[0];
    two_nodes(mu + 4, q.b_weight, q.b_node);
    return q;
  }

  /// The two-node Gauss rule of a positive measure from its moments m[0..3], written in
  /// central moments so that narrow measures (a short window late in a run) stay exact;
  /// a measure too narrow for two nodes gets one at its mean (weight split in halves).
  /// The weights always reproduce m[0] and m[1].
  static void two_nodes(const double* m, double* weight, double* node) {
    const double mean = m[1] / m[0];
    const double var = m[2] / m[0] - mean * mean;
    if (!(var > 1e-12 * mean * mean)) {
      weight[0] = weight[1] = 0.5 * m[0];
      node[0] = node[1] = mean;
      return;
    }
    const double k3 = m[3] / m[0] - 3.0 * mean * m[2] / m[0] + 2.0 * mean * mean * mean;
    const double skew = k3 / var;
    const double root = std::sqrt(skew * skew + 4.0 * var);
    const double y0 = 0.5 * (skew - root), y1 = 0.5 * (skew + root);
    weight[1] = m[0] * (-y0) / (y1 - y0);
    weight[0] = m[0] - weight[1];
    node[0] = mean + y0;
    node[1] = mean + y1;
  }

  static constexpr std::size_t kPowers = 8192;  // ρ < 0.91: ρ^8192 underflows to 0

  double beta1_, beta2_;
  std::vector<double> early_bc1_, early_bc2_sqrt_;  ///< 1 − β1^q and √(1 − β2^q), q ≤ kExactUntil
  std::int64_t horizon_ = 0;
  std::vector<SuffixRow> suffix_;  ///< H_i(t), t = kExactUntil … horizon_
  std::vector<PowerRow> powers_;   ///< ρ_i^k, β1^k, β2^k, k < kPowers
};

namespace detail {

/// Windows of idle steps already computed, by window (direct-mapped on its start): rows
/// last touched at the same step share one (IdleSteps::window), so a catch-up of a batch
/// computes a few quadratures rather than one per row.
template <class S>
struct IdleWindowCache {
  static constexpr int kSize = 64;
  std::int64_t from[kSize], to[kSize];
  IdleWindow<S> window[kSize];
  IdleWindowCache() {
    for (int i = 0; i < kSize; ++i) from[i] = to[i] = -1;
  }
};

}  // namespace detail

}  // namespace invlearn

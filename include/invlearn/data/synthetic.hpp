#pragma once
/// @file synthetic.hpp
/// Synthetic feedback with a planted ground truth: the library's built-in data set.
///
/// Real data sets cannot say whether an unlabeled pair is positive, so they cannot
/// measure how well a method annotates unlabeled pairs. Here every (user, item) pair has
/// a true label fixed by latent factors, observed rows reveal it for a popularity-skewed
/// sample of pairs, and `truth(u, i)` answers for any other pair. The threshold puts
/// about 45% of uniformly random pairs on the positive side, so negative sampling's
/// premise (a random unlabeled pair is a negative) is clearly false here, as it is for
/// explicit feedback.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "invlearn/core/error.hpp"
#include "invlearn/core/random.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/core/text.hpp"
#include "invlearn/data/dataset.hpp"
#include "invlearn/data/hide_labels.hpp"
#include "invlearn/data/id_map.hpp"
#include "invlearn/data/interactions.hpp"
#include "invlearn/data/make_dataset.hpp"
#include "invlearn/data/split.hpp"

namespace invlearn {

/// Sizes and knobs of the synthetic data set. The defaults give about 180k labeled rows
/// (3000 users × 60 of 1500 items, 4% dense like ML-1M): enough batches per epoch for
/// the defaults (lr 1e-3, batch 1024, 10 epochs) to learn (GMF on the labels alone
/// reaches a test AUC near 0.81), small enough for a comparison of all eight methods
/// on GMF in about a minute on two cores.
struct SyntheticOptions {
  Index users = 3000;
  Index items = 1500;
  Index factors = 8;              ///< rank of the planted preference structure
  double labeled_per_user = 60;   ///< mean observed rows per user (each user gets >= 2)
  double popularity_skew = 0.8;   ///< Zipf exponent of item exposure (0 = uniform)
  double noise = 0.0;             ///< probability that an observed label is flipped
  std::uint64_t seed = 42;

  /// Throws OptionError naming the bad option.
  void validate() const {
    require_option(users >= 2, "SyntheticOptions::users", "must be at least 2, got " + std::to_string(users));
    require_option(items >= 4, "SyntheticOptions::items", "must be at least 4, got " + std::to_string(items));
    require_option(factors >= 1, "SyntheticOptions::factors",
                   "must be at least 1, got " + std::to_string(factors));
    require_option(std::isfinite(labeled_per_user) && labeled_per_user >= 2.0 &&
                       labeled_per_user <= 0.5 * static_cast<double>(items),
                   "SyntheticOptions::labeled_per_user",
                   "must be in [2, SyntheticOptions::items / 2], got " + format_number(labeled_per_user));
    require_option(std::isfinite(popularity_skew) && popularity_skew >= 0.0, "SyntheticOptions::popularity_skew",
                   "must be >= 0, got " + format_number(popularity_skew));
    require_option(noise >= 0.0 && noise <= 0.5, "SyntheticOptions::noise",
                   "must be in [0, 0.5], got " + format_number(noise));
  }
};

/// A synthetic data set with known truth for every pair.
///
/// Model: \f$z_{ui} = s\,p_u^\top q_i/\sqrt{k} + b_u + b_i\f$ with \f$p_u, q_i \sim
/// N(0, I_k)\f$, \f$b_u \sim N(0, \sigma_u^2)\f$, \f$b_i \sim N(0, \sigma_i^2)\f$; the true
/// label is \f$[z_{ui} > \tau]\f$ with \f$\tau\f$ the 55th percentile of \f$z\f$ over
/// uniformly random pairs. Each user is shown a log-normally distributed number of
/// distinct items (mean labeled_per_user, at least 2), drawn with probability
/// \f$\propto (\mathrm{rank}+1)^{-\mathrm{skew}}\f$ of a random popularity ranking;
/// exposure does not depend on preference, so the observed labels are an unbiased but
/// popularity-skewed sample of the truth.
class SyntheticData {
 public:
  static constexpr double kInteractionScale = 2.0;  ///< s: spread of the factor term
  static constexpr double kUserBiasSd = 0.5;        ///< σ_u
  static constexpr double kItemBiasSd = 1.0;        ///< σ_i
  static constexpr double kPositiveShare = 0.45;    ///< target share of positive random pairs
  static constexpr double kActivitySd = 0.5;        ///< log-sd of rows per user

  explicit SyntheticData(const SyntheticOptions& options = {}) : options_(options) {
    options_.validate();
    const Index nu = options_.users, ni = options_.items, k = options_.factors;
    Rng rng(options_.seed, Stream::synthetic);
    user_factors_.resize(nu, k);
    item_factors_.resize(ni, k);
    for (Index u = 0; u < nu; ++u)
      for (Index f = 0; f < k; ++f) user_factors_(u, f) = rng.normal();
    for (Index i = 0; i < ni; ++i)
      for (Index f = 0; f < k; ++f) item_factors_(i, f) = rng.normal();
    user_bias_.resize(nu);
    item_bias_.resize(ni);
    for (Index u = 0; u < nu; ++u) user_bias_[u] = rng.normal(0.0, kUserBiasSd);
    for (Index i = 0; i < ni; ++i) item_bias_[i] = rng.normal(0.0, kItemBiasSd);
    factor_scale_ = kInteractionScale / std::sqrt(static_cast<double>(k));
    choose_threshold(rng);
    draw_observed(rng);
  }

  const SyntheticOptions& options() const { return options_; }
  Index num_users() const { return options_.users; }
  Index num_items() const { return options_.items; }

  /// The planted logit of (u, i); the true label is true_logit > threshold().
  double true_logit(Index u, Index i) const {
    check(u, i);
    return factor_scale_ * user_factors_.row(u).dot(item_factors_.row(i)) + user_bias_[u] +
           item_bias_[i];
  }
  /// The true label (1 or 0) of any pair, observed or not.
  float truth(Index u, Index i) const { return true_logit(u, i) > threshold_ ? 1.0f : 0.0f; }
  double threshold() const { return threshold_; }
  /// Share of positives among the pairs used to set the threshold (all pairs when
  /// users·items <= 4M, else 1M uniformly random pairs): about 0.45.
  double positive_rate() const { return positive_rate_; }

  /// All observed labeled rows, users in order, each user's items in draw order.
  /// Labels are the truth, flipped with probability `noise`.
  const Interactions& observed() const { return observed_; }

  /// A Dataset: the observed rows split train/valid/test by `opts` (seeded), the
  /// training labels thinned by opts.label_fraction. Unlabeled pool: empty for
  /// `uniform` (the default: sample over all items), the hidden training rows with
  /// their **true** labels for `hidden`. There are no unclear rows here, so `middle`
  /// throws OptionError.
  Dataset dataset(const SplitOptions& opts = {}) const {
    opts.validate();
    if (opts.unlabeled == SplitOptions::Unlabeled::middle)
      throw OptionError("SplitOptions::unlabeled",
                        "middle: synthetic data has no unclear rows; use uniform, or hidden with "
                        "SplitOptions::label_fraction below 1",
                        "synthetic");
    Dataset d;
    d.name = "synthetic";
    SplitParts parts = split_rows(observed_, opts.train, opts.valid, opts.seed);
    d.train = std::move(parts.train);
    d.valid = std::move(parts.valid);
    d.test = std::move(parts.test);
    detail::require_parts(d, opts, observed_.users.size());
    Interactions hidden;
    label_fraction(d.train, opts.label_fraction, opts.seed, &hidden);
    for (std::size_t r = 0; r < hidden.users.size(); ++r)
      hidden.labels[r] = truth(hidden.users[r], hidden.items[r]);
    detail::fill_pool(d, opts, Interactions(), std::move(hidden));
    std::vector<std::string> ids(static_cast<std::size_t>(std::max(num_users(), num_items())));
    for (std::size_t k = 0; k < ids.size(); ++k) ids[k] = std::to_string(k);
    d.users = IdMap::from_raws(std::vector<std::string>(
        ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(num_users())));
    d.items = IdMap::from_raws(std::vector<std::string>(
        ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(num_items())));
    detail::set_sizes(d, num_users(), num_items());
    return d;
  }

 private:
  void check(Index u, Index i) const {
    if (u < 0 || u >= num_users() || i < 0 || i >= num_items())
      throw InvalidArgument("synthetic: pair (" + std::to_string(u) + ", " + std::to_string(i) +
                            ") is outside [0, " + std::to_string(num_users()) + ") x [0, " +
                            std::to_string(num_items()) + ")");
  }

  /// τ = the (1 - kPositiveShare) quantile of the logits of uniformly random pairs
  /// (all pairs when that is cheap, else a 1M sample).
  void choose_threshold(Rng& rng) {
    const Index nu = num_users(), ni = num_items();
    std::vector<double> z;
    const double all = static_cast<double>(nu) * static_cast<double>(ni);
    if (all <= 4.0e6) {
      z.reserve(static_cast<std::size_t>(all));
      for (Index u = 0; u < nu; ++u)
        for (Index i = 0; i < ni; ++i) z.push_back(true_logit(u, i));
    } else {
      z.resize(std::size_t(1) << 20);
      for (double& v : z) v = true_logit(rng.index(nu), rng.index(ni));
    }
    const std::size_t q = static_cast<std::size_t>((1.0 - kPositiveShare) *
                                                   static_cast<double>(z.size()));
    std::nth_element(z.begin(), z.begin() + static_cast<std::ptrdiff_t>(q), z.end());
    threshold_ = z[q];
    std::size_t pos = 0;
    for (double v : z) pos += (v > threshold_);
    positive_rate_ = static_cast<double>(pos) / static_cast<double>(z.size());
  }

  /// Each user's distinct items, drawn by popularity (inverse CDF + rejection of
  /// repeats; a uniform fill after too many rejections keeps heavy users cheap).
  void draw_observed(Rng& rng) {
    const Index nu = num_users(), ni = num_items();
    std::vector<Index> rank(static_cast<std::size_t>(ni));
    for (Index i = 0; i < ni; ++i) rank[static_cast<std::size_t>(i)] = i;
    rng.shuffle(rank);  // rank[r] = the item with popularity rank r
    std::vector<double> cdf(static_cast<std::size_t>(ni));
    double total = 0.0;
    for (Index r = 0; r < ni; ++r) {
      total += std::pow(static_cast<double>(r + 1), -options_.popularity_skew);
      cdf[static_cast<std::size_t>(r)] = total;
    }
    for (double& c : cdf) c /= total;

    const double mean = options_.labeled_per_user;
    const Index cap = ni / 2;
    Rng noise_rng(options_.seed ^ 0x6E6F6973654E4F49ULL, Stream::synthetic);
    observed_ = Interactions();
    observed_.num_users = nu;
    observed_.num_items = ni;
    observed_.reserve(static_cast<std::size_t>(mean * static_cast<double>(nu) * 1.1));
    std::vector<char> seen(static_cast<std::size_t>(ni), 0);
    std::vector<Index> chosen;
    for (Index u = 0; u < nu; ++u) {
      const double draw = mean * std::exp(kActivitySd * rng.normal() -
                                          0.5 * kActivitySd * kActivitySd);
      const Index n = std::min(cap, std::max<Index>(2, static_cast<Index>(std::llround(draw))));
      chosen.clear();
      Index attempts = 0;
      while (static_cast<Index>(chosen.size()) < n && attempts < 20 * n) {
        ++attempts;
        const double x = rng.uniform();
        std::size_t r = static_cast<std::size_t>(
            std::upper_bound(cdf.begin(), cdf.end(), x) - cdf.begin());
        if (r >= cdf.size()) r = cdf.size() - 1;
        const Index item = rank[r];
        if (seen[static_cast<std::size_t>(item)]) continue;
        seen[static_cast<std::size_t>(item)] = 1;
        chosen.push_back(item);
      }
      while (static_cast<Index>(chosen.size()) < n) {  // rare: uniform fill
        const Index item = rng.index(ni);
        if (seen[static_cast<std::size_t>(item)]) continue;
        seen[static_cast<std::size_t>(item)] = 1;
        chosen.push_back(item);
      }
      for (Index item : chosen) {
        seen[static_cast<std::size_t>(item)] = 0;
        float y = truth(u, item);
        if (options_.noise > 0.0 && noise_rng.uniform() < options_.noise) y = 1.0f - y;
        observed_.push_back(u, item, y);
      }
    }
  }

  SyntheticOptions options_;
  RowMatrix<double> user_factors_, item_factors_;
  Vector<double> user_bias_, item_bias_;
  double factor_scale_ = 1.0;
  double threshold_ = 0.0;
  double positive_rate_ = 0.0;
  Interactions observed_;
};

}  // namespace invlearn

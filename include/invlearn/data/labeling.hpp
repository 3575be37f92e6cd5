#pragma once
/// @file labeling.hpp
/// Turning ratings or watch ratios into binary labels, with an explicit "unclear" band.
///
/// The rule is two thresholds: value > positive_above is positive, value <
/// negative_below is negative, anything else is unclear (neither label). The paper's
/// micro-video rule leaves watch ratios in [0.2, 0.8] unclear; those rows are kept apart,
/// because they are the natural pool of unlabeled feedback (SplitOptions::unlabeled middle).

#include <cmath>
#include <limits>
#include <string>

#include "invlearn/core/error.hpp"
#include "invlearn/core/text.hpp"
#include "invlearn/data/interactions.hpp"
#include "invlearn/data/read/fields.hpp"
#include "invlearn/data/read/raw_ratings.hpp"

namespace invlearn {

/// value > positive_above → label 1; value < negative_below → label 0; otherwise unclear.
///
/// When negative_below > positive_above, values strictly between the two would be both
/// positive and negative. Such a rule is still fine for data that never holds those
/// values (the default `ratings()` rule {2, 3} on integer star ratings labels 3-5
/// positive and 1-2 negative, every rating labeled, as the authors' release did), so the
/// check is on the data: apply_labels throws OptionError at the first value that falls in
/// the overlap, rather than silently preferring one label.
struct LabelRule {
  double positive_above = 2.0;  ///< strictly above → positive
  double negative_below = 3.0;  ///< strictly below → negative

  /// Star ratings as in the authors' ML-1M release: > 2 positive, <= 2 negative (on
  /// integer ratings; a half-star value between 2 and 3 is rejected as ambiguous).
  static LabelRule ratings() { return LabelRule{2.0, 3.0}; }
  /// Star ratings as the paper's text states: > 3 positive, < 2 negative, 2-3 unclear.
  static LabelRule ratings_paper_text() { return LabelRule{3.0, 2.0}; }
  /// Micro-video watch ratio (finish rate): > 0.8 positive, < 0.2 negative, between unclear.
  static LabelRule watch_ratio() { return LabelRule{0.8, 0.2}; }
  /// The preset that fits what was read: watch_ratio() when the value column is named
  /// watch_ratio (headerless watch-ratio files name it so), ratings() otherwise.
  static LabelRule for_data(const RawRatings& raw) {
    return detail::lower(raw.value_column) == "watch_ratio" ? watch_ratio() : ratings();
  }

  /// Throws OptionError unless both thresholds are finite numbers.
  void validate() const {
    require_option(std::isfinite(positive_above), "LabelRule::positive_above",
                   "must be a finite number, got " + format_number(positive_above));
    require_option(std::isfinite(negative_below), "LabelRule::negative_below",
                   "must be a finite number, got " + format_number(negative_below));
  }

  /// True when `value` is both above positive_above and below negative_below.
  bool ambiguous(double value) const { return value > positive_above && value < negative_below; }

  /// 1, 0, or NaN (unclear) for one value; throws OptionError if ambiguous.
  float label(double value) const {
    if (ambiguous(value)) throw ambiguity(value);
    if (value > positive_above) return 1.0f;
    if (value < negative_below) return 0.0f;
    return std::numeric_limits<float>::quiet_NaN();
  }

  /// The error for a value the rule makes both positive and negative; `context` says where.
  OptionError ambiguity(double value, const std::string& context = "") const {
    return OptionError("LabelRule::positive_above",
                       "value " + format_number(value) + " is both above it (" + format_number(positive_above) +
                           ") and below LabelRule::negative_below (" + format_number(negative_below) +
                           "), so the label rule is ambiguous; choose LabelRule::negative_below <= "
                           "LabelRule::positive_above, or thresholds no value falls between",
                       context);
  }
};

/// The labeled rows (labels 0 or 1) and the unclear rows (label NaN) of a data set,
/// both over the full id ranges of the raw data.
struct LabeledRows {
  Interactions labeled;
  Interactions unclear;
};

/// Labels every row of `raw` by `rule`. Row order is kept within each part.
/// Throws OptionError for a rule with non-finite thresholds, or at the first value
/// the rule would make both positive and negative (naming the value and its raw ids).
inline LabeledRows apply_labels(const RawRatings& raw, const LabelRule& rule) {
  rule.validate();
  LabeledRows out;
  const Index nu = raw.user_ids.size(), ni = raw.item_ids.size();
  out.labeled.num_users = out.unclear.num_users = nu;
  out.labeled.num_items = out.unclear.num_items = ni;
  out.labeled.reserve(raw.users.size());
  for (std::size_t r = 0; r < raw.users.size(); ++r) {
    const double v = raw.values[r];
    if (rule.ambiguous(v)) {
      const auto id = [](const IdMap& m, Index k) {
        return k >= 0 && k < m.size() ? in_quotes(m.raw(k)) : std::to_string(k);
      };
      throw rule.ambiguity(v, raw.source + ": user " + id(raw.user_ids, raw.users[r]) + ", item " +
                                  id(raw.item_ids, raw.items[r]));
    }
    const float y = rule.label(v);
    if (std::isnan(y))
      out.unclear.push_back(raw.users[r], raw.items[r], y);
    else
      out.labeled.push_back(raw.users[r], raw.items[r], y);
  }
  return out;
}

}  // namespace invlearn

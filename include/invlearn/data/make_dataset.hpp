#pragma once
/// @file make_dataset.hpp
/// Building a Dataset from ratings: label, split, hide labels, fill the unlabeled pool.

#include <cstddef>
#include <string>
#include <utility>

#include "invlearn/core/error.hpp"
#include "invlearn/core/random.hpp"
#include "invlearn/data/dataset.hpp"
#include "invlearn/data/hide_labels.hpp"
#include "invlearn/data/interactions.hpp"
#include "invlearn/data/labeling.hpp"
#include "invlearn/data/read/raw_ratings.hpp"
#include "invlearn/data/split.hpp"

namespace invlearn {
namespace detail {

inline void set_sizes(Dataset& d, Index num_users, Index num_items) {
  for (Interactions* part : {&d.train, &d.valid, &d.test, &d.unlabeled_pool}) {
    part->num_users = num_users;
    part->num_items = num_items;
  }
}

inline void require_parts(const Dataset& d, const SplitOptions& opts, std::size_t labeled) {
  const std::string n = std::to_string(labeled);
  if (d.train.empty())
    throw InvalidArgument(d.name + ": no labeled training rows (" + n + " labeled rows in all)");
  if (opts.valid > 0.0 && d.valid.empty())
    throw InvalidArgument(d.name + ": too few labeled rows (" + n + ") for a validation part");
  if (opts.train + opts.valid < 1.0 - 1e-12 && d.test.empty())
    throw InvalidArgument(d.name + ": too few labeled rows (" + n + ") for a test part");
}

/// Fills d.unlabeled_pool from the training part's unclear rows or hidden rows.
inline void fill_pool(Dataset& d, const SplitOptions& opts, Interactions&& unclear_train, Interactions&& hidden) {
  switch (opts.unlabeled) {
    case SplitOptions::Unlabeled::uniform:
      d.unlabeled_pool = Interactions();
      break;
    case SplitOptions::Unlabeled::middle:
      if (unclear_train.empty())
        throw OptionError("SplitOptions::unlabeled",
                          "middle: the label rule leaves no unclear rows in the training data (every value "
                          "is above LabelRule::positive_above or below LabelRule::negative_below)",
                          d.name);
      d.unlabeled_pool = std::move(unclear_train);
      break;
    case SplitOptions::Unlabeled::hidden:
      if (hidden.empty())
        throw OptionError("SplitOptions::unlabeled",
                          "hidden needs SplitOptions::label_fraction below 1 (no training labels were hidden)",
                          d.name);
      d.unlabeled_pool = std::move(hidden);
      break;
  }
}

}  // namespace detail

/// Labels `raw` by `rule`, splits the labeled rows train/valid/test (seeded), keeps
/// `opts.label_fraction` of the training labels, and fills the unlabeled pool as
/// `opts.unlabeled` asks. The unclear rows are split with the same fractions from the
/// same stream (after the labeled rows), and only their training share feeds `middle`,
/// so no pair of the validation or test period is ever trained on. Every part's
/// num_users/num_items are the full id-map sizes.
inline Dataset make_dataset(const RawRatings& raw, const LabelRule& rule, const SplitOptions& opts = {}) {
  opts.validate();
  LabeledRows rows = apply_labels(raw, rule);
  Dataset d;
  d.name = raw.source;
  Rng rng(opts.seed, Stream::split);
  SplitParts parts = split_rows(rows.labeled, opts.train, opts.valid, rng);
  d.train = std::move(parts.train);
  d.valid = std::move(parts.valid);
  d.test = std::move(parts.test);
  detail::require_parts(d, opts, rows.labeled.users.size());
  Interactions hidden;
  label_fraction(d.train, opts.label_fraction, opts.seed, &hidden);
  Interactions unclear_train;
  if (opts.unlabeled == SplitOptions::Unlabeled::middle)
    unclear_train = split_rows(rows.unclear, opts.train, opts.valid, rng).train;
  detail::fill_pool(d, opts, std::move(unclear_train), std::move(hidden));
  d.users = raw.user_ids;
  d.items = raw.item_ids;
  detail::set_sizes(d, d.users.size(), d.items.size());
  return d;
}

/// Builds a Dataset from pre-split files read with shared id maps (see
/// read_ratings_presplit). opts.train/valid are not used; label_fraction and
/// unlabeled are, and `middle` takes the unclear rows of the training file. Throws
/// InvalidArgument if the three parts' id maps disagree (files read with separate maps).
inline Dataset make_dataset_presplit(const RawRatings& train, const RawRatings& valid, const RawRatings& test,
                                     const LabelRule& rule, const SplitOptions& opts = {}) {
  opts.validate();
  const RawRatings* parts[] = {&train, &valid, &test};
  const RawRatings* users_from = &train;
  const RawRatings* items_from = &train;
  for (const RawRatings* p : parts) {
    if (p->user_ids.size() > users_from->user_ids.size()) users_from = p;
    if (p->item_ids.size() > items_from->item_ids.size()) items_from = p;
  }
  for (const RawRatings* p : parts) {
    for (Index k = 0; k < p->user_ids.size(); ++k)
      if (p->user_ids.raw(k) != users_from->user_ids.raw(k))
        throw InvalidArgument(p->source + ": user ids are not mapped like " + users_from->source +
                              "'s; read pre-split files with one IdMap pair (read_ratings_presplit)");
    for (Index k = 0; k < p->item_ids.size(); ++k)
      if (p->item_ids.raw(k) != items_from->item_ids.raw(k))
        throw InvalidArgument(p->source + ": item ids are not mapped like " + items_from->source +
                              "'s; read pre-split files with one IdMap pair (read_ratings_presplit)");
  }
  LabeledRows tr = apply_labels(train, rule);
  Dataset d;
  d.name = train.source;
  d.train = std::move(tr.labeled);
  d.valid = apply_labels(valid, rule).labeled;
  d.test = apply_labels(test, rule).labeled;
  SplitOptions need = opts;
  need.train = 0.6;  // presplit: every part must be non-empty
  need.valid = 0.2;
  detail::require_parts(d, need, d.train.users.size() + d.valid.users.size() + d.test.users.size());
  Interactions hidden;
  label_fraction(d.train, opts.label_fraction, opts.seed, &hidden);
  detail::fill_pool(d, opts, std::move(tr.unclear), std::move(hidden));
  d.users = users_from->user_ids;
  d.items = items_from->item_ids;
  detail::set_sizes(d, d.users.size(), d.items.size());
  return d;
}

}  // namespace invlearn

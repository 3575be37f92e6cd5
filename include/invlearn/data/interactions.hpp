#pragma once
/// @file interactions.hpp
/// Interactions: rows (user, item, label) over dense id ranges.

#include <string>

#include "invlearn/core/error.hpp"
#include "invlearn/core/rows.hpp"
#include "invlearn/core/types.hpp"

namespace invlearn {

/// Rows (user, item, label) over dense ids in [0, num_users) and [0, num_items).
/// Labels are 1 (positive) or 0 (negative) for labeled rows. For an unlabeled pool
/// whose truth is known (synthetic data, hidden labels), `labels` holds that truth
/// and training never reads it; where the truth is unknown the pool holds NaN.
struct Interactions : Rows {
  Index num_users = 0;
  Index num_items = 0;

  /// Number of rows whose label is 1.
  Index positives() const {
    Index n = 0;
    for (float y : labels) n += (y == 1.0f);
    return n;
  }

  /// Throws InvalidArgument naming `what` and the first bad row: arrays of unequal
  /// length, an id out of range (check_ids), or (when `require_labels`) a label other
  /// than 0 or 1.
  void validate(const std::string& what, bool require_labels = true) const {
    if (items.size() != users.size() || labels.size() != users.size())
      throw InvalidArgument(what + ": users, items and labels have different lengths (" +
                            std::to_string(users.size()) + ", " + std::to_string(items.size()) +
                            ", " + std::to_string(labels.size()) + ")");
    check_ids(view(), num_users, num_items, what.c_str());
    if (!require_labels) return;
    for (std::size_t r = 0; r < labels.size(); ++r)
      if (!(labels[r] == 0.0f || labels[r] == 1.0f))
        throw InvalidArgument(what + ": row " + std::to_string(r) + ": label " +
                              std::to_string(labels[r]) + " is not 0 or 1");
  }

  /// No rows, with the id ranges of `rows`.
  static Interactions empty_like(const Interactions& rows) {
    Interactions out;
    out.num_users = rows.num_users;
    out.num_items = rows.num_items;
    return out;
  }
};

}  // namespace invlearn

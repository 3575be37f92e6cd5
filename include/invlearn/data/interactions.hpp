#pragma once
/// @file interactions.hpp
/// Interactions (structure of arrays: user, item, label) and the raw-id mapping.

#include <cmath>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "invlearn/core/error.hpp"
#include "invlearn/core/types.hpp"

namespace invlearn {

/// Rows (user, item, label) over dense ids in [0, num_users) and [0, num_items).
/// Labels are 1 (positive) or 0 (negative) for labeled rows. For an unlabeled pool
/// whose truth is known (synthetic data, hidden labels), `labels` holds that truth
/// and training never reads it; where the truth is unknown the pool holds NaN.
struct Interactions {
  std::vector<Index> users;
  std::vector<Index> items;
  std::vector<float> labels;
  Index num_users = 0;
  Index num_items = 0;

  Index size() const { return static_cast<Index>(users.size()); }
  bool empty() const { return users.empty(); }

  void reserve(std::size_t n) {
    users.reserve(n);
    items.reserve(n);
    labels.reserve(n);
  }
  void push_back(Index user, Index item, float label) {
    users.push_back(user);
    items.push_back(item);
    labels.push_back(label);
  }
  /// A view of all rows.
  BatchView view() const {
    BatchView v;
    v.users = users.data();
    v.items = items.data();
    v.labels = labels.data();
    v.size = size();
    return v;
  }
  /// Number of rows whose label is 1.
  Index positives() const {
    Index n = 0;
    for (float y : labels) n += (y == 1.0f);
    return n;
  }

  /// Throws InvalidArgument naming `what` and the first bad row: arrays of unequal
  /// length, an id out of range, or (when `require_labels`) a label other than 0 or 1.
  void validate(const std::string& what, bool require_labels = true) const {
    if (items.size() != users.size() || labels.size() != users.size())
      throw InvalidArgument(what + ": users, items and labels have different lengths (" +
                            std::to_string(users.size()) + ", " + std::to_string(items.size()) +
                            ", " + std::to_string(labels.size()) + ")");
    for (std::size_t r = 0; r < users.size(); ++r) {
      if (users[r] < 0 || users[r] >= num_users)
        throw InvalidArgument(what + ": row " + std::to_string(r) + ": user id " +
                              std::to_string(users[r]) + " is outside [0, " +
                              std::to_string(num_users) + ")");
      if (items[r] < 0 || items[r] >= num_items)
        throw InvalidArgument(what + ": row " + std::to_string(r) + ": item id " +
                              std::to_string(items[r]) + " is outside [0, " +
                              std::to_string(num_items) + ")");
      if (require_labels && !(labels[r] == 0.0f || labels[r] == 1.0f))
        throw InvalidArgument(what + ": row " + std::to_string(r) + ": label " +
                              std::to_string(labels[r]) + " is not 0 or 1");
    }
  }
};

/// Maps raw ids (strings as they appear in a file) to dense indices 0, 1, 2, ...
/// in order of first appearance, and back.
class IdMap {
 public:
  /// The dense index of `raw`, adding it if new.
  Index get_or_add(const std::string& raw) {
    auto it = index_.find(raw);
    if (it != index_.end()) return it->second;
    const Index id = static_cast<Index>(raw_.size());
    index_.emplace(raw, id);
    raw_.push_back(raw);
    return id;
  }
  /// The dense index of `raw`, or -1 if it was never added.
  Index find(const std::string& raw) const {
    auto it = index_.find(raw);
    return it == index_.end() ? Index(-1) : it->second;
  }
  /// The raw id of dense index `id`.
  const std::string& raw(Index id) const { return raw_.at(static_cast<std::size_t>(id)); }
  Index size() const { return static_cast<Index>(raw_.size()); }
  const std::vector<std::string>& raws() const { return raw_; }
  /// Rebuilds a map from raw ids in dense order (used by checkpoints).
  static IdMap from_raws(std::vector<std::string> raws) {
    IdMap m;
    for (auto& r : raws) m.get_or_add(r);
    return m;
  }

 private:
  std::unordered_map<std::string, Index> index_;
  std::vector<std::string> raw_;
};

/// What the data layer hands to training: labeled splits, an optional pool of
/// unlabeled pairs (with their hidden truth when known), and the id mappings.
struct Dataset {
  std::string name;
  Interactions train;
  Interactions valid;
  Interactions test;
  /// Unlabeled pairs for `--unlabeled middle|hidden`; empty for uniform sampling.
  Interactions unlabeled_pool;
  IdMap users;
  IdMap items;
  Index num_users() const { return train.num_users; }
  Index num_items() const { return train.num_items; }
};

}  // namespace invlearn

#pragma once
/// @file rows.hpp
/// Rows (user, item, label) as one structure of arrays, the non-owning view of them that
/// every part passes around, and the three things done to rows: gather them in a given
/// order, keep those a predicate selects, and check their ids. Batch is this structure;
/// data/interactions.hpp adds the id ranges for Interactions.

#include <cstddef>
#include <string>
#include <vector>

#include "invlearn/core/error.hpp"
#include "invlearn/core/types.hpp"

namespace invlearn {

/// A non-owning view of `size` rows (user, item, label). `labels` may be null for
/// unlabeled batches whose losses do not read labels (IDL).
struct BatchView {
  const Index* users = nullptr;
  const Index* items = nullptr;
  const float* labels = nullptr;
  Index size = 0;

  /// Rows [begin, begin + count) of this view.
  BatchView slice(Index begin, Index count) const {
    BatchView v;
    v.users = users + begin;
    v.items = items + begin;
    v.labels = labels ? labels + begin : nullptr;
    v.size = count;
    return v;
  }
};

/// Rows (user, item, label) as three arrays of one length. The buffers are reused:
/// clear() keeps their capacity.
struct Rows {
  std::vector<Index> users;
  std::vector<Index> items;
  std::vector<float> labels;

  Index size() const { return static_cast<Index>(users.size()); }
  bool empty() const { return users.empty(); }
  void clear() {
    users.clear();
    items.clear();
    labels.clear();
  }
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
  /// Appends row `r` of `from`.
  void push_back_row(const Rows& from, std::size_t r) {
    push_back(from.users[r], from.items[r], from.labels[r]);
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
};

/// An owning batch, reused from step to step.
using Batch = Rows;

/// Replaces the rows of `out` by rows order[0], ..., order[count - 1] of `from`, in that order.
inline void gather(const Rows& from, const Index* order, Index count, Rows& out) {
  out.clear();
  out.reserve(static_cast<std::size_t>(count));
  for (Index k = 0; k < count; ++k) out.push_back_row(from, static_cast<std::size_t>(order[k]));
}

/// Keeps the rows r for which keep(r) is true, in their order, and moves the others, in
/// their order, to `*removed` when given (appended). `keep` sees each original row index once,
/// in increasing order.
template <class Keep>
inline void keep_if(Rows& rows, Keep&& keep, Rows* removed = nullptr) {
  const std::size_t n = rows.users.size();
  std::size_t w = 0;
  for (std::size_t r = 0; r < n; ++r) {
    if (keep(r)) {
      rows.users[w] = rows.users[r];
      rows.items[w] = rows.items[r];
      rows.labels[w] = rows.labels[r];
      ++w;
    } else if (removed != nullptr) {
      removed->push_back_row(rows, r);
    }
  }
  rows.users.resize(w);
  rows.items.resize(w);
  rows.labels.resize(w);
}

/// The one id check: throws InvalidArgument, naming `where` and the first bad row, unless
/// every user id of `rows` is in [0, num_users) and every item id in [0, num_items).
/// Models check each batch they score with it, Interactions::validate whole data sets,
/// samplers the labeled rows they are given. The message is built only on failure.
inline void check_ids(const BatchView& rows, Index num_users, Index num_items, const char* where) {
  if (rows.size < 0) throw InvalidArgument(std::string(where) + ": negative number of rows");
  if (rows.size > 0 && (rows.users == nullptr || rows.items == nullptr))
    throw InvalidArgument(std::string(where) + ": null user or item array");
  for (Index r = 0; r < rows.size; ++r) {
    if (rows.users[r] < 0 || rows.users[r] >= num_users)
      throw InvalidArgument(std::string(where) + ": row " + std::to_string(r) + ": user id " +
                            std::to_string(rows.users[r]) + " is outside [0, " +
                            std::to_string(num_users) + ")");
    if (rows.items[r] < 0 || rows.items[r] >= num_items)
      throw InvalidArgument(std::string(where) + ": row " + std::to_string(r) + ": item id " +
                            std::to_string(rows.items[r]) + " is outside [0, " +
                            std::to_string(num_items) + ")");
  }
}

}  // namespace invlearn

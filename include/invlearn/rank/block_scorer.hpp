#pragma once
/// @file block_scorer.hpp
/// BlockScorer: the scores of a block of users against a range of items, through the
/// backbone's score_block when it has one (model/backbone.hpp), through forward() on
/// every pair otherwise. One per thread: it owns the buffers.

#include <algorithm>
#include <vector>

#include "invlearn/core/types.hpp"
#include "invlearn/model/backbone.hpp"

namespace invlearn {

/// Scores users × an item range into a row-major buffer. `Model` needs Scalar,
/// Workspace, workspace(), num_users(), num_items() and forward(); score_block() is used
/// when present.
template <class Model>
class BlockScorer {
 public:
  using S = typename Model::Scalar;
  /// Pairs per forward() call on the path without score_block.
  static constexpr Index kPairChunk = 4096;

  /// Buffers for blocks of up to `max_users` × `max_items`.
  BlockScorer(const Model& model, Index max_users, Index max_items)
      : model_(model), ws_(model.workspace(workspace_rows(max_users, max_items))) {
    if constexpr (!has_score_block_v<Model>) {
      const Index n = workspace_rows(max_users, max_items);
      users_.resize(static_cast<std::size_t>(n));
      items_.resize(static_cast<std::size_t>(n));
    }
  }

  /// The scores of users[0..user_count) × items [first_item, first_item + item_count)
  /// into `out`, row-major (user r's at out[r·item_count ..]). Ids must be in range.
  void score(const Index* users, Index user_count, Index first_item, Index item_count, S* out) {
    if constexpr (has_score_block_v<Model>) {
      model_.score_block(users, user_count, first_item, item_count, ws_, out);
    } else {
      // Pairs in row-major order, kPairChunk at a time, each chunk's logits written in place.
      const Index total = user_count * item_count;
      for (Index p0 = 0; p0 < total; p0 += kPairChunk) {
        const Index n = std::min(kPairChunk, total - p0);
        for (Index p = 0; p < n; ++p) {
          users_[static_cast<std::size_t>(p)] = users[(p0 + p) / item_count];
          items_[static_cast<std::size_t>(p)] = first_item + (p0 + p) % item_count;
        }
        BatchView pairs;
        pairs.users = users_.data();
        pairs.items = items_.data();
        pairs.size = n;
        Eigen::Map<Vector<S>> logits(out + p0, n);
        model_.forward(pairs, ws_, logits);
      }
    }
  }

 private:
  static Index workspace_rows(Index max_users, Index max_items) {
    if constexpr (has_score_block_v<Model>) {
      (void)max_items;
      return std::max<Index>(max_users, 1);
    } else {
      return std::max<Index>(std::min(kPairChunk, max_users * max_items), 1);
    }
  }

  const Model& model_;
  typename Model::Workspace ws_;
  std::vector<Index> users_, items_;
};

}  // namespace invlearn

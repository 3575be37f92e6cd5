#pragma once
// A "model" whose logit of (u, i) is a given table's entry: any scores, ties included, for
// tests of ranking. It has only what ranking needs (no backward), and no score_block, so
// ranking takes the path through forward().

#include "invlearn/core/rows.hpp"
#include "invlearn/core/types.hpp"

namespace invlearn_test {

template <class S>
struct ScoreTable {
  using Scalar = S;
  struct Workspace {};
  invlearn::RowMatrix<S> scores;  // users × items

  invlearn::Index num_users() const { return scores.rows(); }
  invlearn::Index num_items() const { return scores.cols(); }
  Workspace workspace(invlearn::Index) const { return {}; }
  template <class Out>
  void forward(const invlearn::BatchView& b, Workspace&, Out&& logits) const {
    invlearn::check_ids(b, num_users(), num_items(), "ScoreTable");
    for (invlearn::Index k = 0; k < b.size; ++k) logits[k] = scores(b.users[k], b.items[k]);
  }
};

}  // namespace invlearn_test

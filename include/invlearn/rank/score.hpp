#pragma once
/// @file score.hpp
/// score(): one user's logits for a list of items, through the model's forward().

#include <algorithm>
#include <string>
#include <vector>

#include "invlearn/core/error.hpp"
#include "invlearn/core/types.hpp"

namespace invlearn {

/// The logits of (user, items[j]) for every j into out[j] (resized to items.size()),
/// through forward() `chunk` pairs at a time, so memory stays bounded. These are
/// exactly forward()'s logits; recommend() scores through a backbone's score_block when
/// it has one, whose sums may run in another order (the last bits may differ).
///
/// @throws InvalidArgument if chunk < 1, or (from forward) the user or an item is out of range.
template <class Model>
void score(const Model& model, Index user, const std::vector<Index>& items, std::vector<typename Model::Scalar>& out,
           Index chunk = 4096) {
  using S = typename Model::Scalar;
  if (chunk < 1) throw InvalidArgument("score: chunk must be at least 1 (got " + std::to_string(chunk) + ")");
  const Index n = static_cast<Index>(items.size());
  out.resize(items.size());
  if (n == 0) return;
  const Index rows = std::min(chunk, n);
  const std::vector<Index> users(static_cast<std::size_t>(rows), user);
  typename Model::Workspace ws = model.workspace(rows);
  for (Index begin = 0; begin < n; begin += chunk) {
    BatchView pairs;
    pairs.users = users.data();
    pairs.items = items.data() + begin;
    pairs.size = std::min(chunk, n - begin);
    Eigen::Map<Vector<S>> logits(out.data() + begin, pairs.size);
    model.forward(pairs, ws, logits);
  }
}

}  // namespace invlearn

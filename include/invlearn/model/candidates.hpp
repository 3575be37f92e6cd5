#pragma once
/// @file candidates.hpp
/// Logits of a batch at several displaced points θ + s_c·g, for any backbone: one fused
/// pass when the backbone has forward_candidates, one forward per candidate otherwise.

#include <vector>

#include "invlearn/core/types.hpp"
#include "invlearn/model/backbone.hpp"

namespace invlearn {

/// Writes the logits of `batch` at θ + steps[c]·grad for c < k into out[c·n + j]
/// (candidate-major). Without a fused pass each candidate runs in its own workspace of
/// `per_candidate` (grown to k on the first call; steps[c] = 0 is a plain forward), and
/// the function returns true: per_candidate[c] then holds candidate c's forward, so once
/// θ is moved to the chosen candidate, a backward through its workspace is a backward at
/// the new θ. A fused pass returns true when the backbone's candidates_keep_forward says
/// `shared` then serves the same purpose, false otherwise (it keeps no activations).
/// candidate_workspace() gives the workspace that holds candidate c's forward.
template <class Model>
inline bool candidate_logits(const Model& model, const BatchView& batch, const typename Model::Gradient& grad,
                             const typename Model::Scalar* steps, int k, typename Model::Workspace& shared,
                             std::vector<typename Model::Workspace>& per_candidate, typename Model::Scalar* out) {
  const Index n = batch.size;
  if constexpr (has_forward_candidates_v<Model>) {
    (void)per_candidate;
    model.forward_candidates(batch, grad, steps, k, shared, out);
    return candidates_keep_forward_v<Model>;
  } else {
    (void)shared;
    if (per_candidate.size() < static_cast<std::size_t>(k))
      per_candidate.resize(static_cast<std::size_t>(k), model.workspace(n));
    for (int c = 0; c < k; ++c) {
      Eigen::Map<Vector<typename Model::Scalar>> logits(out + c * n, n);
      auto& ws = per_candidate[static_cast<std::size_t>(c)];
      if (steps[c] == typename Model::Scalar(0))
        model.forward(batch, ws, logits);
      else
        model.forward_displaced(batch, grad, steps[c], ws, logits);
    }
    return true;
  }
}

/// The workspace holding candidate c's forward after candidate_logits() returned true.
template <class Model>
inline typename Model::Workspace& candidate_workspace(typename Model::Workspace& shared,
                                                      std::vector<typename Model::Workspace>& per_candidate, int c) {
  if constexpr (has_forward_candidates_v<Model>) {
    (void)per_candidate;
    (void)c;
    return shared;
  } else {
    (void)shared;
    return per_candidate[static_cast<std::size_t>(c)];
  }
}

}  // namespace invlearn

#pragma once
/// @file predict.hpp
/// Logits of many rows, a bounded chunk at a time: the one loop behind validation
/// losses, predictions and evaluation.

#include <algorithm>
#include <string>

#include "invlearn/core/error.hpp"
#include "invlearn/core/types.hpp"

namespace invlearn {

/// Calls `consume(part, logits)` for consecutive parts of `rows` of at most `chunk` rows,
/// `logits` holding the model's part.size logits at θ, computed in `ws` into `buffer`
/// (both grown to `chunk` when smaller). Memory stays bounded whatever the number of rows.
template <class Model, class Consume>
inline void for_each_logit_chunk(const Model& model, const BatchView& rows, Index chunk,
                                 typename Model::Workspace& ws, Vector<typename Model::Scalar>& buffer,
                                 Consume&& consume) {
  if (chunk < 1) throw InvalidArgument("predict: chunk must be at least 1 (got " + std::to_string(chunk) + ")");
  if (buffer.size() < std::min(chunk, rows.size)) buffer.resize(std::min(chunk, rows.size));
  for (Index begin = 0; begin < rows.size; begin += chunk) {
    const BatchView part = rows.slice(begin, std::min(chunk, rows.size - begin));
    auto logits = buffer.head(part.size);
    model.forward(part, ws, logits);
    consume(part, static_cast<const typename Model::Scalar*>(buffer.data()));
  }
}

}  // namespace invlearn

#pragma once
/// @file check_batch.hpp
/// The id check every backbone runs before it reads a table row.

#include <string>

#include "invlearn/core/error.hpp"
#include "invlearn/core/types.hpp"

namespace invlearn {

/// Throws InvalidArgument unless every id of `batch` is in range for a model with
/// `num_users` users and `num_items` items, and the batch fits.
inline void check_batch(const BatchView& batch, Index num_users, Index num_items, const char* where) {
  if (batch.size < 0) throw InvalidArgument(std::string(where) + ": negative batch size");
  if (batch.size > 0 && (batch.users == nullptr || batch.items == nullptr))
    throw InvalidArgument(std::string(where) + ": batch has null user or item array");
  for (Index i = 0; i < batch.size; ++i) {
    if (batch.users[i] < 0 || batch.users[i] >= num_users)
      throw InvalidArgument(std::string(where) + ": batch row " + std::to_string(i) + ": user id " +
                            std::to_string(batch.users[i]) + " is outside [0, " +
                            std::to_string(num_users) + ")");
    if (batch.items[i] < 0 || batch.items[i] >= num_items)
      throw InvalidArgument(std::string(where) + ": batch row " + std::to_string(i) + ": item id " +
                            std::to_string(batch.items[i]) + " is outside [0, " +
                            std::to_string(num_items) + ")");
  }
}

}  // namespace invlearn

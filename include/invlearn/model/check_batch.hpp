#pragma once
/// @file check_batch.hpp
/// The id check every backbone runs before it reads a table row.

#include "invlearn/core/rows.hpp"
#include "invlearn/core/types.hpp"

namespace invlearn {

/// Throws InvalidArgument unless every id of `batch` is in range for a model with
/// `num_users` users and `num_items` items (core/rows.hpp's check_ids, named for backbones).
inline void check_batch(const BatchView& batch, Index num_users, Index num_items, const char* where) {
  check_ids(batch, num_users, num_items, where);
}

}  // namespace invlearn

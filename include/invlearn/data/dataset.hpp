#pragma once
/// @file dataset.hpp
/// Dataset: what the data layer hands to training.

#include <string>

#include "invlearn/core/types.hpp"
#include "invlearn/data/id_map.hpp"
#include "invlearn/data/interactions.hpp"

namespace invlearn {

/// What the data layer hands to training: labeled splits, an optional pool of
/// unlabeled pairs (with their hidden truth when known), and the id mappings.
struct Dataset {
  std::string name;
  Interactions train;
  Interactions valid;
  Interactions test;
  /// Unlabeled pairs for SplitOptions::unlabeled middle or hidden; empty for uniform sampling.
  Interactions unlabeled_pool;
  IdMap users;
  IdMap items;
  Index num_users() const { return train.num_users; }
  Index num_items() const { return train.num_items; }
};

}  // namespace invlearn

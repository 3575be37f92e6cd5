#pragma once
/// @file id_map.hpp
/// IdMap: raw ids (strings as a file writes them) to dense indices and back.

#include <string>
#include <unordered_map>
#include <vector>

#include "invlearn/core/types.hpp"

namespace invlearn {

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

}  // namespace invlearn

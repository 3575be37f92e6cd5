#pragma once
/// @file parameter_shape.hpp
/// The shape of a model's parameters, without the values and without the scalar type.

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "invlearn/core/types.hpp"

namespace invlearn {

/// The shape of a Parameters object: each table's rows × cols and the dense block's
/// size. A model's Options compute the shape they imply (`Options::shape(users, items)`)
/// without allocating, so a loader can check stored parameters, moments and best-θ
/// copies against it before building anything: a corrupted size then fails as a
/// mismatch instead of an allocation of what the file does not hold.
struct ParamShape {
  std::vector<std::pair<Index, Index>> tables;  ///< rows, cols of each table
  Index dense = 0;                              ///< size of the dense block

  /// A shape no parameters have: what Options::shape() returns for options that fail
  /// their own validation, or whose sizes do not fit in an Index.
  static ParamShape none() {
    ParamShape s;
    s.dense = -1;
    return s;
  }

  /// The shape of `p` (a Parameters<S> of any scalar type).
  template <class P>
  static ParamShape of(const P& p) {
    ParamShape s;
    for (const auto& t : p.tables) s.tables.emplace_back(t.rows(), t.cols());
    s.dense = p.dense.size();
    return s;
  }

  /// Whether `p` has exactly this shape.
  template <class P>
  bool matches(const P& p) const {
    if (p.tables.size() != tables.size() || p.dense.size() != dense) return false;
    for (std::size_t k = 0; k < tables.size(); ++k)
      if (p.tables[k].rows() != tables[k].first || p.tables[k].cols() != tables[k].second) return false;
    return true;
  }

  bool operator==(const ParamShape& o) const { return tables == o.tables && dense == o.dense; }
  bool operator!=(const ParamShape& o) const { return !(*this == o); }

  /// "{5x3, 4x3; dense 4}", for messages.
  std::string describe() const {
    std::string s = "{";
    for (std::size_t k = 0; k < tables.size(); ++k)
      s += (k ? ", " : "") + std::to_string(tables[k].first) + "x" + std::to_string(tables[k].second);
    return s + "; dense " + std::to_string(dense) + "}";
  }
};

}  // namespace invlearn

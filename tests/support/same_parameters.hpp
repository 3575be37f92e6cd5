#pragma once
// Bit-for-bit equality of two parameter sets: every table and the dense block.

#include "invlearn/model/parameters.hpp"

namespace invlearn_test {

template <class S>
bool same_parameters(const invlearn::Parameters<S>& a, const invlearn::Parameters<S>& b) {
  if (a.tables.size() != b.tables.size()) return false;
  for (std::size_t t = 0; t < a.tables.size(); ++t)
    if (!(a.tables[t] == b.tables[t])) return false;
  return a.dense == b.dense;
}

}  // namespace invlearn_test

#pragma once
/// @file types.hpp
/// Index and Eigen aliases, and the batch views every part passes around.

// Results must not depend on the thread count, and Eigen's parallel GEMM chooses its
// blocking from it: invlearn parallelizes its products itself (model/dense.hpp). The
// CMake target defines this too, which also covers code that includes Eigen first.
#ifndef EIGEN_DONT_PARALLELIZE
#define EIGEN_DONT_PARALLELIZE
#endif
#include <Eigen/Core>
#include <cstddef>
#include <vector>

namespace invlearn {

/// Signed index used for ids, sizes and loops (same as Eigen::Index).
using Index = Eigen::Index;

template <class S>
using Vector = Eigen::Matrix<S, Eigen::Dynamic, 1>;
/// Row-major matrix: embedding tables and per-sample activations keep a sample's values together.
template <class S>
using RowMatrix = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class S>
using ColMatrix = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;

/// A non-owning view of `size` rows (user, item, label). `labels` may be null for
/// unlabeled batches whose losses do not read labels (IDL).
struct BatchView {
  const Index* users = nullptr;
  const Index* items = nullptr;
  const float* labels = nullptr;
  Index size = 0;

  /// Rows [begin, begin + count) of this view.
  BatchView slice(Index begin, Index count) const {
    BatchView v;
    v.users = users + begin;
    v.items = items + begin;
    v.labels = labels ? labels + begin : nullptr;
    v.size = count;
    return v;
  }
};

/// An owning batch whose buffers are reused from step to step (clear() keeps capacity).
struct Batch {
  std::vector<Index> users;
  std::vector<Index> items;
  std::vector<float> labels;

  void clear() {
    users.clear();
    items.clear();
    labels.clear();
  }
  void reserve(std::size_t n) {
    users.reserve(n);
    items.reserve(n);
    labels.reserve(n);
  }
  void push_back(Index user, Index item, float label) {
    users.push_back(user);
    items.push_back(item);
    labels.push_back(label);
  }
  Index size() const { return static_cast<Index>(users.size()); }
  BatchView view() const {
    BatchView v;
    v.users = users.data();
    v.items = items.data();
    v.labels = labels.data();
    v.size = size();
    return v;
  }
};

}  // namespace invlearn

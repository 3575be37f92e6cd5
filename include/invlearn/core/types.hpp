#pragma once
/// @file types.hpp
/// Index and Eigen aliases.

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

}  // namespace invlearn

// BatchView and Batch live in core/rows.hpp; included here for the headers that still
// expect them from types.hpp.
#include "invlearn/core/rows.hpp"

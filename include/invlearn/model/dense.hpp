#pragma once
/// @file dense.hpp
/// Matrix products for the dense layers, split into fixed chunks so that the
/// result does not depend on the number of threads.
///
/// Eigen's own parallel GEMM picks its blocking from the thread count, which can
/// change the order of a dot product's additions. Here each chunk is one
/// single-threaded Eigen product (Eigen runs serially inside an OpenMP region) and
/// the chunks are fixed by the shapes alone.

#include <algorithm>

#include "invlearn/config.hpp"
#include "invlearn/core/types.hpp"

namespace invlearn {
namespace detail {

/// Rows per chunk: large enough for Eigen's kernels, small enough to share a batch
/// of 1024 among threads. Products whose rows are independent (a layer's forward, the
/// delta passed down) are cut into chunks of this many rows by the model itself, inside
/// its own parallel loop; a weight gradient is cut by its own rows (MLPLayout::backward).
constexpr Index kGemmChunk = 64;

}  // namespace detail
}  // namespace invlearn

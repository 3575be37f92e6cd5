#pragma once
/// @file parallel.hpp
/// A loop that opens an OpenMP region only when it is given enough work.

#include "invlearn/config.hpp"
#include "invlearn/core/types.hpp"

namespace invlearn {
namespace detail {

/// A per-thread scope that does nothing (parallel_for's default).
struct NoScope {};

/// Calls body(k) for k in [0, n): in a `parallel for` when `parallel`, else as a plain loop.
///
/// `INVLEARN_OMP(parallel for if (cond))` with cond false still enters the OpenMP runtime
/// and builds a team of one (about 0.4 µs here, measured by profile/omp_region/1); a GMF
/// step at batch 1024 has a dozen such loops, all below kParallelGrain. The calls must be
/// independent (each writes its own outputs), so both ways give the same result.
/// Scope: an object each thread holds while it makes its calls (FlushSubnormals, for code
/// whose float mode is per thread).
template <class Scope = NoScope, class Body>
inline void parallel_for(Index n, bool parallel, Body&& body) {
#if defined(_OPENMP)
  if (parallel) {
    INVLEARN_OMP(parallel)
    {
      [[maybe_unused]] Scope scope;
      INVLEARN_OMP(for schedule(static))
      for (Index k = 0; k < n; ++k) body(k);
    }
    return;
  }
#else
  (void)parallel;
#endif
  [[maybe_unused]] Scope scope;
  for (Index k = 0; k < n; ++k) body(k);
}

}  // namespace detail
}  // namespace invlearn

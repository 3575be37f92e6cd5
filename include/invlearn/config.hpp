#pragma once
/// @file config.hpp
/// Build-time switches: the OpenMP pragma helper and thread control.

#if defined(_OPENMP)
#include <omp.h>
#endif

#define INVLEARN_PRAGMA_(x) _Pragma(#x)
#if defined(_OPENMP)
/// Expands to `#pragma omp <x>` when OpenMP is on, to nothing otherwise.
#define INVLEARN_OMP(x) INVLEARN_PRAGMA_(omp x)
#else
#define INVLEARN_OMP(x)
#endif

namespace invlearn {

/// Work (in scalars touched) below which a loop stays on one thread. Opening a parallel
/// region costs microseconds on an idle machine and far more on a busy one, where the
/// waiting thread competes for a core; the element-wise loops of a step at batch 1024
/// and d = 32 are a few microseconds of work, so only the dense layers' GEMMs and
/// loops over whole tables go parallel.
constexpr long long kParallelGrain = 1LL << 17;

/// Number of threads OpenMP regions will use (1 without OpenMP).
inline int max_threads() {
#if defined(_OPENMP)
  return omp_get_max_threads();
#else
  return 1;
#endif
}

/// Inside a parallel region: this thread's number in its team, and the team's size (0 and
/// 1 outside one, and without OpenMP).
inline int thread_in_team() {
#if defined(_OPENMP)
  return omp_get_thread_num();
#else
  return 0;
#endif
}
inline int team_size() {
#if defined(_OPENMP)
  return omp_get_num_threads();
#else
  return 1;
#endif
}

/// Sets the number of threads for invlearn's parallel regions and Eigen's GEMM.
/// `n <= 0` keeps the current setting. Results do not depend on it: every
/// parallel loop writes disjoint outputs and every reduction runs in a fixed order.
inline void set_threads(int n) {
#if defined(_OPENMP)
  if (n > 0) omp_set_num_threads(n);
#else
  (void)n;
#endif
}

}  // namespace invlearn

#pragma once
/// @file row_kernels.hpp
/// Adam's row kernels (row_kernels_generic.hpp), the widest version the CPU runs: the
/// AVX2 ones (row_kernels_avx2.hpp) where the CPU has AVX2, chosen at run time, so a
/// portable build still uses 256-bit registers; every version gives the same bits. A GMF
/// IG step at 10^4 rows spends much of its time in these square roots and divisions
/// (about 5000 rows a step: the catch-up of the rows read, and the step itself).

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "invlearn/optim/row_kernels_avx2.hpp"
#include "invlearn/optim/row_kernels_generic.hpp"

namespace invlearn {
namespace detail {

#if INVLEARN_HAVE_AVX2_KERNELS
/// True when the AVX2 kernels give the generic kernels' bits on rows of every alignment
/// and on zero, subnormal, tiny and huge values (the approximate square root's estimate
/// is the CPU's own, so this is checked on the CPU that runs them).
template <class S>
inline bool avx2_kernels_agree() {
  constexpr Index kLen = 64, kSpan = kLen + 8;
  S base[5][kSpan], expected[5][kSpan];
  std::uint64_t state = 0x9E3779B97F4A7C15ull;
  auto next = [&]() {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    const int e = static_cast<int>(state >> 59) - 20;  // magnitudes 2^-20 … 2^11, and specials
    const S x = std::ldexp(static_cast<S>((state >> 11) & 0xFFFFF) / S(1 << 20), e);
    switch ((state >> 33) % 16) {
      case 0: return S(0);
      case 1: return std::numeric_limits<S>::denorm_min() * S(3);
      case 2: return std::numeric_limits<S>::min() * S(0.75);
      case 3: return std::numeric_limits<S>::max() / S(4);
      default: return x;
    }
  };
  AdamRowConstants<S> k{S(0.9), S(0.1), S(0.999), S(0.001), S(0.01), S(0.3), S(1e-8)};
  IdleWindow<S> w{S(0.4), S(0.6), S(2e-8), S(5e-9), S(0.3), S(0.2), S(0.5), S(2), S(1e-3), S(0.8), S(0.99), S(1e-8)};
  for (Index offset = 0; offset < 8; ++offset) {
    for (int i = 0; i < 5; ++i)
      for (Index c = 0; c < kSpan; ++c) base[i][c] = next();
    for (int i = 1; i < 4; i += 2)
      for (Index c = 0; c < kSpan; ++c) base[i][c] = std::abs(base[i][c]);  // v ≥ 0 as Adam keeps it
    const Index d = kLen - offset;
    for (int kernel = 0; kernel < 2; ++kernel) {
      // Rows: θ, v, m, (unused), g; each kernel on a copy of the same rows.
      S got[5][kSpan];
      std::memcpy(expected, base, sizeof(base));
      std::memcpy(got, base, sizeof(base));
      if (kernel == 0) {
        adam_row_generic(expected[0] + offset, expected[2] + offset, expected[1] + offset, expected[4] + offset, d, k);
        adam_row_avx2(got[0] + offset, got[2] + offset, got[1] + offset, got[4] + offset, d, k);
      } else {
        idle_row_generic(expected[0] + offset, expected[2] + offset, expected[1] + offset, d, w);
        idle_row_avx2(got[0] + offset, got[2] + offset, got[1] + offset, d, w);
      }
      if (std::memcmp(expected, got, sizeof(got)) != 0) return false;
    }
  }
  return true;
}
#endif

/// True when the AVX2 kernels run on this CPU (checked once): the CPU has AVX2 and they
/// agree with the generic kernels bit for bit.
inline bool use_avx2_row_kernels() {
#if INVLEARN_HAVE_AVX2_KERNELS
  static const bool yes = __builtin_cpu_supports("avx2") && avx2_kernels_agree<float>() && avx2_kernels_agree<double>();
  return yes;
#else
  return false;
#endif
}

/// One Adam step on a row: the widest kernel this CPU runs.
template <class S>
inline void adam_row(S* theta, S* m, S* v, const S* g, Index d, const AdamRowConstants<S>& k, bool avx2) {
#if INVLEARN_HAVE_AVX2_KERNELS
  if (avx2) return adam_row_avx2(theta, m, v, g, d, k);
#endif
  (void)avx2;
  adam_row_generic(theta, m, v, g, d, k);
}

/// A window of idle steps on a row: the widest kernel this CPU runs.
template <class S>
inline void idle_row(S* theta, S* m, S* v, Index d, const IdleWindow<S>& w, bool avx2) {
#if INVLEARN_HAVE_AVX2_KERNELS
  if (avx2) return idle_row_avx2(theta, m, v, d, w);
#endif
  (void)avx2;
  idle_row_generic(theta, m, v, d, w);
}

}  // namespace detail
}  // namespace invlearn

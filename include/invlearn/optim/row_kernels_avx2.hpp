#pragma once
/// @file row_kernels_avx2.hpp
/// The AVX2 versions of the row kernels of row_kernels_generic.hpp (8 floats or 4 doubles
/// per instruction), for a build whose Eigen packets are SSE (a portable x86-64 build),
/// compiled for AVX2 whatever the build's flags and called only on a CPU that has it.
/// Built from separate multiplies and adds: the target is AVX2 without FMA, so the
/// compiler cannot fuse them, and each lane computes what the generic kernel computes,
/// bit for bit, including where that is Eigen's approximate float square root (which this
/// file repeats in 256-bit registers). Defines INVLEARN_HAVE_AVX2_KERNELS: 0 where they do
/// not exist (not GCC or Clang on x86, Eigen not on SSE packets, or
/// INVLEARN_NO_AVX2_KERNELS defined).

#include "invlearn/optim/row_kernels_generic.hpp"

#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__)) && \
    defined(EIGEN_VECTORIZE_SSE2) && !defined(EIGEN_VECTORIZE_AVX) && !defined(INVLEARN_NO_AVX2_KERNELS)
#define INVLEARN_HAVE_AVX2_KERNELS 1
#else
#define INVLEARN_HAVE_AVX2_KERNELS 0
#endif

#if INVLEARN_HAVE_AVX2_KERNELS

#include <immintrin.h>

#include <cfloat>

namespace invlearn {
namespace detail {

#define INVLEARN_AVX2_ __attribute__((target("avx2")))

/// Eigen's SSE packet square root of floats (psqrt<Packet4f> with EIGEN_FAST_MATH: rsqrt
/// and one Newton step, zero for zero and subnormal inputs), eight lanes at a time.
INVLEARN_AVX2_ inline __m256 eigen_sse_sqrt_avx2(__m256 x) {
#if EIGEN_FAST_MATH
  const __m256 minus_half_x = _mm256_mul_ps(x, _mm256_set1_ps(-0.5f));
  const __m256 below_min = _mm256_cmp_ps(x, _mm256_set1_ps(FLT_MIN), _CMP_LT_OS);
  const __m256 negative = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OS);
  const __m256 denormal = _mm256_andnot_ps(negative, below_min);
  __m256 r = _mm256_rsqrt_ps(x);
  r = _mm256_mul_ps(r, _mm256_add_ps(_mm256_mul_ps(minus_half_x, _mm256_mul_ps(r, r)), _mm256_set1_ps(1.5f)));
  return _mm256_andnot_ps(denormal, _mm256_mul_ps(x, r));
#else
  return _mm256_sqrt_ps(x);
#endif
}

/// The 256-bit operations the kernels use, for float (8 lanes) and double (4 lanes).
template <class S>
struct Avx2;

template <>
struct Avx2<float> {
  using V = __m256;
  static constexpr Index lanes = 8;
  INVLEARN_AVX2_ static V set1(float x) { return _mm256_set1_ps(x); }
  INVLEARN_AVX2_ static V load(const float* p) { return _mm256_loadu_ps(p); }
  INVLEARN_AVX2_ static void store(float* p, V x) { _mm256_storeu_ps(p, x); }
  INVLEARN_AVX2_ static V add(V a, V b) { return _mm256_add_ps(a, b); }
  INVLEARN_AVX2_ static V sub(V a, V b) { return _mm256_sub_ps(a, b); }
  INVLEARN_AVX2_ static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  INVLEARN_AVX2_ static V div(V a, V b) { return _mm256_div_ps(a, b); }
  INVLEARN_AVX2_ static V exact_sqrt(V x) { return _mm256_sqrt_ps(x); }
  /// The square root of Adam's step: Eigen's packet one, as the SSE build's expression took it.
  INVLEARN_AVX2_ static V adam_sqrt(V x) { return eigen_sse_sqrt_avx2(x); }
  INVLEARN_AVX2_ static V ge(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_GE_OQ); }  // false for NaN
  INVLEARN_AVX2_ static V select(V if_false, V if_true, V mask) { return _mm256_blendv_ps(if_false, if_true, mask); }
};

template <>
struct Avx2<double> {
  using V = __m256d;
  static constexpr Index lanes = 4;
  INVLEARN_AVX2_ static V set1(double x) { return _mm256_set1_pd(x); }
  INVLEARN_AVX2_ static V load(const double* p) { return _mm256_loadu_pd(p); }
  INVLEARN_AVX2_ static void store(double* p, V x) { _mm256_storeu_pd(p, x); }
  INVLEARN_AVX2_ static V add(V a, V b) { return _mm256_add_pd(a, b); }
  INVLEARN_AVX2_ static V sub(V a, V b) { return _mm256_sub_pd(a, b); }
  INVLEARN_AVX2_ static V mul(V a, V b) { return _mm256_mul_pd(a, b); }
  INVLEARN_AVX2_ static V div(V a, V b) { return _mm256_div_pd(a, b); }
  INVLEARN_AVX2_ static V exact_sqrt(V x) { return _mm256_sqrt_pd(x); }
  INVLEARN_AVX2_ static V adam_sqrt(V x) { return _mm256_sqrt_pd(x); }  // Eigen's double packet sqrt is exact
  INVLEARN_AVX2_ static V ge(V a, V b) { return _mm256_cmp_pd(a, b, _CMP_GE_OQ); }
  INVLEARN_AVX2_ static V select(V if_false, V if_true, V mask) { return _mm256_blendv_pd(if_false, if_true, mask); }
};

/// Adam's step on coordinates [c, end) of a row, a whole register at a time; returns
/// the first coordinate not taken (fewer than a register's lanes before `end`).
template <class S>
INVLEARN_AVX2_ inline Index adam_registers_avx2(S* theta, S* m, S* v, const S* g, Index c, Index end,
                                                const AdamRowConstants<S>& k) {
  using A = Avx2<S>;
  const auto b1 = A::set1(k.beta1), ob1 = A::set1(k.one_minus_beta1), b2 = A::set1(k.beta2),
             ob2 = A::set1(k.one_minus_beta2), step = A::set1(k.step_size), bc2 = A::set1(k.bc2_sqrt),
             eps = A::set1(k.epsilon);
  for (; c + A::lanes <= end; c += A::lanes) {
    const auto gc = A::load(g + c);
    const auto mc = A::add(A::mul(b1, A::load(m + c)), A::mul(ob1, gc));
    const auto vc = A::add(A::mul(b2, A::load(v + c)), A::mul(ob2, A::mul(gc, gc)));
    A::store(m + c, mc);
    A::store(v + c, vc);
    const auto den = A::add(A::div(A::adam_sqrt(vc), bc2), eps);
    A::store(theta + c, A::sub(A::load(theta + c), A::div(A::mul(step, mc), den)));
  }
  return c;
}

INVLEARN_AVX2_ inline void adam_row_avx2(float* theta, float* m, float* v, const float* g, Index d,
                                         const AdamRowConstants<float>& k) {
  // The coordinates the SSE build's Eigen expression took in packets of 4, as the generic kernel.
  const Index first = first_packet_coordinate(theta, d, 4);
  const Index end = first + (d - first) / 4 * 4;
  Index c = 0;
  for (; c < first; ++c) adam_coordinate(theta[c], m[c], v[c], g[c], k);
  c = adam_registers_avx2(theta, m, v, g, c, end, k);
  if (c < end) {  // one packet of 4 left: the generic kernel's packet code on it
    adam_row_generic(theta + c, m + c, v + c, g + c, 4, k);
    c += 4;
  }
  for (; c < d; ++c) adam_coordinate(theta[c], m[c], v[c], g[c], k);
}

INVLEARN_AVX2_ inline void adam_row_avx2(double* theta, double* m, double* v, const double* g, Index d,
                                         const AdamRowConstants<double>& k) {
  Index c = adam_registers_avx2(theta, m, v, g, 0, d, k);
  for (; c < d; ++c) adam_coordinate(theta[c], m[c], v[c], g[c], k);
}

/// A window of idle steps on a row (idle_coordinate), a register at a time; exact square roots.
template <class S>
INVLEARN_AVX2_ inline void idle_row_avx2(S* theta, S* m, S* v, Index d, const IdleWindow<S>& w) {
  using A = Avx2<S>;
  const auto w0 = A::set1(w.w0), w1 = A::set1(w.w1), u0 = A::set1(w.u0), u1 = A::set1(w.u1), c0 = A::set1(w.c0),
             c1 = A::set1(w.c1), n0 = A::set1(w.n0), n1 = A::set1(w.n1), split = A::set1(w.split),
             d1 = A::set1(w.decay1), d2 = A::set1(w.decay2), eps = A::set1(w.epsilon), one = A::set1(S(1));
  Index c = 0;
  for (; c + A::lanes <= d; c += A::lanes) {
    const auto mc = A::load(m + c), vc = A::load(v + c);
    const auto s = A::exact_sqrt(vc);
    const auto above = A::ge(s, split);
    // Both rules as a/(k·s + e): above the split k = 1 (and 1·s is s exactly).
    const auto a0 = A::select(c0, w0, above), a1 = A::select(c1, w1, above);
    const auto k0 = A::select(n0, one, above), k1 = A::select(n1, one, above);
    const auto e0 = A::select(eps, u0, above), e1 = A::select(eps, u1, above);
    const auto sum = A::add(A::div(a0, A::add(A::mul(k0, s), e0)), A::div(a1, A::add(A::mul(k1, s), e1)));
    A::store(theta + c, A::sub(A::load(theta + c), A::mul(mc, sum)));
    A::store(m + c, A::mul(mc, d1));
    A::store(v + c, A::mul(vc, d2));
  }
  for (; c < d; ++c) idle_coordinate(theta[c], m[c], v[c], w);
}

#undef INVLEARN_AVX2_

}  // namespace detail
}  // namespace invlearn

#endif  // INVLEARN_HAVE_AVX2_KERNELS

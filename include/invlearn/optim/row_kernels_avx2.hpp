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

INVLEARN_AVX2_ inline void adam_row_avx2(float* theta, float* m, float* v, const float* g, Index d,
                                         const AdamRowConstants<float>& k) {
  // The coordinates the SSE build's Eigen expression took in packets of 4, as the generic kernel.
  const Index first = first_packet_coordinate(theta, d, 4);
  const Index end = first + (d - first) / 4 * 4;
  Index c = 0;
  for (; c < first; ++c) adam_coordinate(theta[c], m[c], v[c], g[c], k);
  const __m256 b1 = _mm256_set1_ps(k.beta1), ob1 = _mm256_set1_ps(k.one_minus_beta1), b2 = _mm256_set1_ps(k.beta2),
               ob2 = _mm256_set1_ps(k.one_minus_beta2), step = _mm256_set1_ps(k.step_size),
               bc2 = _mm256_set1_ps(k.bc2_sqrt), eps = _mm256_set1_ps(k.epsilon);
  for (; c + 8 <= end; c += 8) {
    const __m256 gc = _mm256_loadu_ps(g + c);
    const __m256 mc = _mm256_add_ps(_mm256_mul_ps(b1, _mm256_loadu_ps(m + c)), _mm256_mul_ps(ob1, gc));
    const __m256 vc = _mm256_add_ps(_mm256_mul_ps(b2, _mm256_loadu_ps(v + c)), _mm256_mul_ps(ob2, _mm256_mul_ps(gc, gc)));
    _mm256_storeu_ps(m + c, mc);
    _mm256_storeu_ps(v + c, vc);
    const __m256 den = _mm256_add_ps(_mm256_div_ps(eigen_sse_sqrt_avx2(vc), bc2), eps);
    _mm256_storeu_ps(theta + c, _mm256_sub_ps(_mm256_loadu_ps(theta + c), _mm256_div_ps(_mm256_mul_ps(step, mc), den)));
  }
  if (c < end) {  // one packet of 4 left: the generic kernel's packet code on it
    adam_row_generic(theta + c, m + c, v + c, g + c, 4, k);
    c += 4;
  }
  for (; c < d; ++c) adam_coordinate(theta[c], m[c], v[c], g[c], k);
}

INVLEARN_AVX2_ inline void adam_row_avx2(double* theta, double* m, double* v, const double* g, Index d,
                                         const AdamRowConstants<double>& k) {
  const __m256d b1 = _mm256_set1_pd(k.beta1), ob1 = _mm256_set1_pd(k.one_minus_beta1), b2 = _mm256_set1_pd(k.beta2),
                ob2 = _mm256_set1_pd(k.one_minus_beta2), step = _mm256_set1_pd(k.step_size),
                bc2 = _mm256_set1_pd(k.bc2_sqrt), eps = _mm256_set1_pd(k.epsilon);
  Index c = 0;
  for (; c + 4 <= d; c += 4) {
    const __m256d gc = _mm256_loadu_pd(g + c);
    const __m256d mc = _mm256_add_pd(_mm256_mul_pd(b1, _mm256_loadu_pd(m + c)), _mm256_mul_pd(ob1, gc));
    const __m256d vc =
        _mm256_add_pd(_mm256_mul_pd(b2, _mm256_loadu_pd(v + c)), _mm256_mul_pd(ob2, _mm256_mul_pd(gc, gc)));
    _mm256_storeu_pd(m + c, mc);
    _mm256_storeu_pd(v + c, vc);
    const __m256d den = _mm256_add_pd(_mm256_div_pd(_mm256_sqrt_pd(vc), bc2), eps);
    _mm256_storeu_pd(theta + c, _mm256_sub_pd(_mm256_loadu_pd(theta + c), _mm256_div_pd(_mm256_mul_pd(step, mc), den)));
  }
  for (; c < d; ++c) adam_coordinate(theta[c], m[c], v[c], g[c], k);
}

INVLEARN_AVX2_ inline void idle_row_avx2(float* theta, float* m, float* v, Index d, const IdleWindow<float>& w) {
  const __m256 w0 = _mm256_set1_ps(w.w0), w1 = _mm256_set1_ps(w.w1), u0 = _mm256_set1_ps(w.u0),
               u1 = _mm256_set1_ps(w.u1), c0 = _mm256_set1_ps(w.c0), c1 = _mm256_set1_ps(w.c1),
               n0 = _mm256_set1_ps(w.n0), n1 = _mm256_set1_ps(w.n1), split = _mm256_set1_ps(w.split),
               d1 = _mm256_set1_ps(w.decay1), d2 = _mm256_set1_ps(w.decay2), eps = _mm256_set1_ps(w.epsilon),
               one = _mm256_set1_ps(1.0f);
  Index c = 0;
  for (; c + 8 <= d; c += 8) {
    const __m256 mc = _mm256_loadu_ps(m + c), vc = _mm256_loadu_ps(v + c);
    const __m256 s = _mm256_sqrt_ps(vc);
    const __m256 above = _mm256_cmp_ps(s, split, _CMP_GE_OQ);  // false for NaN
    const __m256 a0 = _mm256_blendv_ps(c0, w0, above), a1 = _mm256_blendv_ps(c1, w1, above);
    const __m256 k0 = _mm256_blendv_ps(n0, one, above), k1 = _mm256_blendv_ps(n1, one, above);
    const __m256 e0 = _mm256_blendv_ps(eps, u0, above), e1 = _mm256_blendv_ps(eps, u1, above);
    const __m256 sum = _mm256_add_ps(_mm256_div_ps(a0, _mm256_add_ps(_mm256_mul_ps(k0, s), e0)),
                                     _mm256_div_ps(a1, _mm256_add_ps(_mm256_mul_ps(k1, s), e1)));
    _mm256_storeu_ps(theta + c, _mm256_sub_ps(_mm256_loadu_ps(theta + c), _mm256_mul_ps(mc, sum)));
    _mm256_storeu_ps(m + c, _mm256_mul_ps(mc, d1));
    _mm256_storeu_ps(v + c, _mm256_mul_ps(vc, d2));
  }
  for (; c < d; ++c) idle_coordinate(theta[c], m[c], v[c], w);
}

INVLEARN_AVX2_ inline void idle_row_avx2(double* theta, double* m, double* v, Index d, const IdleWindow<double>& w) {
  const __m256d w0 = _mm256_set1_pd(w.w0), w1 = _mm256_set1_pd(w.w1), u0 = _mm256_set1_pd(w.u0),
                u1 = _mm256_set1_pd(w.u1), c0 = _mm256_set1_pd(w.c0), c1 = _mm256_set1_pd(w.c1),
                n0 = _mm256_set1_pd(w.n0), n1 = _mm256_set1_pd(w.n1), split = _mm256_set1_pd(w.split),
                d1 = _mm256_set1_pd(w.decay1), d2 = _mm256_set1_pd(w.decay2), eps = _mm256_set1_pd(w.epsilon),
                one = _mm256_set1_pd(1.0);
  Index c = 0;
  for (; c + 4 <= d; c += 4) {
    const __m256d mc = _mm256_loadu_pd(m + c), vc = _mm256_loadu_pd(v + c);
    const __m256d s = _mm256_sqrt_pd(vc);
    const __m256d above = _mm256_cmp_pd(s, split, _CMP_GE_OQ);
    const __m256d a0 = _mm256_blendv_pd(c0, w0, above), a1 = _mm256_blendv_pd(c1, w1, above);
    const __m256d k0 = _mm256_blendv_pd(n0, one, above), k1 = _mm256_blendv_pd(n1, one, above);
    const __m256d e0 = _mm256_blendv_pd(eps, u0, above), e1 = _mm256_blendv_pd(eps, u1, above);
    const __m256d sum = _mm256_add_pd(_mm256_div_pd(a0, _mm256_add_pd(_mm256_mul_pd(k0, s), e0)),
                                      _mm256_div_pd(a1, _mm256_add_pd(_mm256_mul_pd(k1, s), e1)));
    _mm256_storeu_pd(theta + c, _mm256_sub_pd(_mm256_loadu_pd(theta + c), _mm256_mul_pd(mc, sum)));
    _mm256_storeu_pd(m + c, _mm256_mul_pd(mc, d1));
    _mm256_storeu_pd(v + c, _mm256_mul_pd(vc, d2));
  }
  for (; c < d; ++c) idle_coordinate(theta[c], m[c], v[c], w);
}

#undef INVLEARN_AVX2_

}  // namespace detail
}  // namespace invlearn

#endif  // INVLEARN_HAVE_AVX2_KERNELS

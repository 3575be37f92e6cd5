#pragma once
/// @file row_ops.hpp
/// Arithmetic on raw embedding rows (contiguous, d coordinates, not overlapping): the GMF
/// interaction summed in the order Eigen sums it, and the displaced read θ_row + step·g_row.
///
/// Eigen's expressions on dynamic-size rows spend more on their set-up (sizes, alignment
/// peeling, a reduction's tail) than on 32 multiplies; a GMF step evaluates a few thousand
/// of them. These loops evaluate the same IEEE operations in the same order, so they give
/// the bits the Eigen expressions gave (tests/test_models.cpp compares them).

#include <cstring>

#include "invlearn/core/types.hpp"

namespace invlearn {
namespace detail {

/// Σ_c (a_c·b_c)·w_c with a_c = ra_c + sa·ga_c when DA (else ra_c), b_c likewise: the
/// GMF term of rows read at a displaced θ (DisplacedTable's row + step·g, computed in S
/// as a forward at the displaced point computes it), without writing the rows out.
/// Summed as Eigen sums `a.cwiseProduct(b).dot(w)` on dynamic-size vectors (Redux.h,
/// LinearVectorizedTraversal): packets of W from coordinate 0 (the expression has no
/// direct access, so Eigen starts at 0 whatever the addresses), two accumulators over even
/// and odd packets, their sum, one more packet if the count is odd, the packet's
/// horizontal sum (predux), then the remaining coordinates one by one. With fewer than W
/// coordinates (or no vectorisation) it is a plain left-to-right sum.
template <bool DA, bool DB, class S>
inline S displaced_interaction(const S* __restrict ra, const S* __restrict ga, S sa, const S* __restrict rb,
                               const S* __restrict gb, S sb, const S* __restrict w, Index d) {
  auto coeff = [&](Index c) {
    const S a = DA ? ra[c] + sa * ga[c] : ra[c];
    const S b = DB ? rb[c] + sb * gb[c] : rb[c];
    return a * b * w[c];
  };
  if (d <= 0) return S(0);
  using namespace Eigen::internal;
  using P = typename packet_traits<S>::type;
  constexpr Index W = packet_traits<S>::Vectorizable ? packet_traits<S>::size : 1;
  if constexpr (W > 1) {
    if (d >= W) {
      const P psa = pset1<P>(sa), psb = pset1<P>(sb);
      auto packet = [&](Index c) {
        P a = ploadu<P>(ra + c);
        P b = ploadu<P>(rb + c);
        if constexpr (DA) a = padd(a, pmul(psa, ploadu<P>(ga + c)));
        if constexpr (DB) b = padd(b, pmul(psb, ploadu<P>(gb + c)));
        return pmul(pmul(a, b), ploadu<P>(w + c));
      };
      const Index end = d / W * W;
      const Index end2 = d / (2 * W) * (2 * W);
      P r0 = packet(0);
      if (end > W) {
        P r1 = packet(W);
        for (Index c = 2 * W; c < end2; c += 2 * W) {
          r0 = padd(r0, packet(c));
          r1 = padd(r1, packet(c + W));
        }
        r0 = padd(r0, r1);
        if (end > end2) r0 = padd(r0, packet(end2));
      }
      S res = predux(r0);
      for (Index c = end; c < d; ++c) res = res + coeff(c);
      return res;
    }
  }
  S res = coeff(0);
  for (Index c = 1; c < d; ++c) res = res + coeff(c);
  return res;
}

/// Σ_c (a_c·b_c)·w_c in Eigen's order (displaced_interaction without displacement).
template <class S>
inline S interaction(const S* a, const S* b, const S* w, Index d) {
  return displaced_interaction<false, false>(a, a, S(0), b, b, S(0), w, d);
}

/// displaced_interaction with the displacement of each side chosen at run time: a side
/// is displaced when its gradient row is not null and its step is not 0.
template <class S>
inline S displaced_interaction(const S* ra, const S* ga, S sa, const S* rb, const S* gb, S sb, const S* w, Index d) {
  const bool da = ga != nullptr && sa != S(0), db = gb != nullptr && sb != S(0);
  if (da && db) return displaced_interaction<true, true>(ra, ga, sa, rb, gb, sb, w, d);
  if (da) return displaced_interaction<true, false>(ra, ga, sa, rb, rb, sb, w, d);
  if (db) return displaced_interaction<false, true>(ra, ra, sa, rb, gb, sb, w, d);
  return displaced_interaction<false, false>(ra, ra, sa, rb, rb, sb, w, d);
}

/// out = row + step·g, coordinate by coordinate (as `row + step * g` in Eigen).
template <class S>
inline void displaced_row(const S* __restrict row, const S* __restrict g, S step, S* __restrict out, Index d) {
  for (Index c = 0; c < d; ++c) out[c] = row[c] + step * g[c];
}

/// out = row.
template <class S>
inline void copy_row(const S* row, S* out, Index d) {
  std::memcpy(out, row, static_cast<std::size_t>(d) * sizeof(S));
}

/// row += step·g, coordinate by coordinate (as `row += step * g` in Eigen).
template <class S>
inline void add_scaled_row(S* __restrict row, const S* __restrict g, S step, Index d) {
  for (Index c = 0; c < d; ++c) row[c] = row[c] + step * g[c];
}

}  // namespace detail
}  // namespace invlearn

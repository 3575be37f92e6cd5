#pragma once
/// @file top_k.hpp
/// A partial selection of the k best items of many lists at once: a bounded heap per list,
/// fed a row of scores at a time, so no catalogue is ever sorted.
///
/// The order is total: higher score first, and of two equal scores the lower item id
/// first. The top k under it is one set whatever order candidates are offered in, which
/// is what makes recommend() give the same lists for any thread count.

#include <algorithm>
#include <cstddef>
#include <limits>
#include <type_traits>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "invlearn/core/types.hpp"

namespace invlearn {

/// An item and its score.
template <class S>
struct Candidate {
  S score;
  Index item;
};

/// True when `a` ranks before `b`: a higher score, or the same score and a lower item id.
template <class S>
inline bool ranks_before(const Candidate<S>& a, const Candidate<S>& b) {
  return a.score > b.score || (a.score == b.score && a.item < b.item);
}

/// ranks_before() as a function object, so that the heap algorithms inline it.
struct RanksBefore {
  template <class S>
  bool operator()(const Candidate<S>& a, const Candidate<S>& b) const {
    return ranks_before(a, b);
  }
};

/// The k best candidates of each of `lists()` lists. Each list is a heap whose top is
/// its worst candidate, so a candidate that does not beat it costs one comparison.
/// Scores that are NaN or −∞ never enter a list (excluded items are marked −∞).
template <class S>
class TopKLists {
 public:
  /// Scores tested together by offer() before any is looked at alone.
  static constexpr Index kRun = 16;

  /// `lists` empty lists that keep up to `k` candidates each (k ≥ 1).
  void reset(Index lists, Index k) {
    k_ = k;
    lengths_.assign(static_cast<std::size_t>(lists), 0);
    heap_.resize(static_cast<std::size_t>(lists * k));
  }

  Index lists() const { return static_cast<Index>(lengths_.size()); }
  Index length(Index r) const { return lengths_[static_cast<std::size_t>(r)]; }

  /// Offers items first_item, …, first_item + count − 1 with `scores` to list r. Every
  /// item offered to a list must have a higher id than those offered to it before, so
  /// a score equal to the worst kept one loses (ties go to the lower id) and one
  /// comparison decides most items.
  void offer(Index r, const S* scores, Index first_item, Index count) {
    Candidate<S>* heap = heap_.data() + r * k_;
    Index& n = lengths_[static_cast<std::size_t>(r)];
    Index j = 0;
    for (; n < k_ && j < count; ++j) {
      if (!(scores[j] > -std::numeric_limits<S>::infinity())) continue;
      heap[n++] = {scores[j], first_item + j};
      std::push_heap(heap, heap + n, RanksBefore());
    }
    if (n < k_) return;
    S worst = heap[0].score;
    auto consider = [&](Index at) {
      if (!(scores[at] > worst)) return;
      replace_worst(heap, {scores[at], first_item + at});
      worst = heap[0].score;
    };
    // Most runs of kRun scores hold none that beats the worst kept one: one vectorised
    // test per run, and a closer look only at the runs that have one.
    for (; j + kRun <= count; j += kRun) {
      if (!any_above(scores + j, worst)) continue;
      for (Index q = 0; q < kRun; ++q) consider(j + q);
    }
    for (; j < count; ++j) consider(j);
  }

  /// Offers one candidate to list r, in any order relative to the others.
  void push(Index r, const Candidate<S>& c) {
    if (!(c.score > -std::numeric_limits<S>::infinity())) return;
    Candidate<S>* heap = heap_.data() + r * k_;
    Index& n = lengths_[static_cast<std::size_t>(r)];
    if (n < k_) {
      heap[n++] = c;
      std::push_heap(heap, heap + n, RanksBefore());
    } else if (ranks_before(c, heap[0])) {
      replace_worst(heap, c);
    }
  }

  /// Writes list r in rank order (best first) to `items` and `scores` and returns its
  /// length. The list is left sorted, no longer a heap: reset() before offering again.
  Index take(Index r, Index* items, S* scores) {
    Candidate<S>* heap = heap_.data() + r * k_;
    const Index n = length(r);
    std::sort_heap(heap, heap + n, RanksBefore());
    for (Index j = 0; j < n; ++j) {
      items[j] = heap[j].item;
      scores[j] = heap[j].score;
    }
    return n;
  }

 private:
  /// Puts `c` in place of the worst of a full heap and sifts it down: one pass, where
  /// pop_heap and push_heap would make two.
  void replace_worst(Candidate<S>* heap, const Candidate<S>& c) const {
    Index at = 0;
    for (;;) {
      Index child = 2 * at + 1;
      if (child >= k_) break;
      if (child + 1 < k_ && ranks_before(heap[child], heap[child + 1])) ++child;  // the worse child
      if (!ranks_before(c, heap[child])) break;
      heap[at] = heap[child];
      at = child;
    }
    heap[at] = c;
  }

  /// Whether any of s[0..kRun) is above `w` (NaN is not). Compilers leave the plain loop
  /// scalar in offer()'s context, so floats take four SSE comparisons where SSE2 is there.
  static bool any_above(const S* s, S w) {
#if defined(__SSE2__)
    if constexpr (std::is_same<S, float>::value && kRun == 16) {
      const __m128 v = _mm_set1_ps(w);
      const __m128 a = _mm_or_ps(_mm_cmpgt_ps(_mm_loadu_ps(s), v), _mm_cmpgt_ps(_mm_loadu_ps(s + 4), v));
      const __m128 b = _mm_or_ps(_mm_cmpgt_ps(_mm_loadu_ps(s + 8), v), _mm_cmpgt_ps(_mm_loadu_ps(s + 12), v));
      return _mm_movemask_ps(_mm_or_ps(a, b)) != 0;
    }
#endif
    bool any = false;
    for (Index q = 0; q < kRun; ++q) any = any || s[q] > w;
    return any;
  }

  Index k_ = 1;
  std::vector<Index> lengths_;
  std::vector<Candidate<S>> heap_;
};

}  // namespace invlearn

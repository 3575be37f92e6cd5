#pragma once
/// @file memory.hpp
/// Memory hints for the large tables (embeddings and their optimizer moments).

#include <cstddef>
#include <cstdint>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace invlearn {

/// Asks the kernel to back `bytes` at `data` with huge pages (Linux, where transparent
/// huge pages are in "madvise" mode). A step reads a few thousand random rows of tables
/// that can be gigabytes; with 4 KiB pages nearly every row read is a TLB miss, which
/// makes a step slower as the catalogue grows although its work does not. Call it before
/// the memory is first written. A no-op elsewhere and for small blocks; failures are
/// ignored (it is a hint).
inline void advise_huge_pages(void* data, std::size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr std::uintptr_t kHuge = std::uintptr_t(1) << 21;  // 2 MiB
  if (data == nullptr || bytes < 4 * kHuge) return;
  const std::uintptr_t begin = (reinterpret_cast<std::uintptr_t>(data) + kHuge - 1) & ~(kHuge - 1);
  const std::uintptr_t end = (reinterpret_cast<std::uintptr_t>(data) + bytes) & ~(kHuge - 1);
  if (end > begin) (void)madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)data;
  (void)bytes;
#endif
}

/// How many rows ahead the loops over scattered table rows prefetch.
constexpr long kPrefetchAhead = 8;

/// Starts loading the cache line at `p` into the outer caches. A hint.
///
/// On x86-64 it is written as the instruction itself: GCC 12 at -O2 compiled
/// PairIndex::prefetch's `__builtin_prefetch` (an address hashed, under a condition) to
/// nothing, in the sampler's loop and in a function of its own; inline asm is kept.
inline void prefetch_line(const void* p) {
#if defined(__GNUC__) && defined(__x86_64__)
  asm volatile("prefetcht2 %0" : : "m"(*static_cast<const char*>(p)));
#elif defined(__GNUC__)
  __builtin_prefetch(p, 1, 1);
#else
  (void)p;
#endif
}

/// Starts loading row `row` of a row-major table into the cache (every cache line of it).
template <class Matrix>
inline void prefetch_row(const Matrix& table, long row) {
#if defined(__GNUC__)
  const char* p = reinterpret_cast<const char*>(table.data() + row * table.cols());
  const long bytes = static_cast<long>(table.cols() * sizeof(typename Matrix::Scalar));
  for (long b = 0; b < bytes; b += 64) __builtin_prefetch(p + b, 1, 1);
#else
  (void)table;
  (void)row;
#endif
}

}  // namespace invlearn

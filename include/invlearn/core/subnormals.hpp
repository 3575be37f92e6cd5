#pragma once
/// @file subnormals.hpp
/// A scope in which the calling thread's float arithmetic treats subnormal numbers as zero.

#if defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2)
#include <xmmintrin.h>
#define INVLEARN_HAVE_MXCSR 1
#else
#define INVLEARN_HAVE_MXCSR 0
#endif

namespace invlearn {
namespace detail {

/// For its lifetime, the calling thread flushes subnormal results to zero and reads
/// subnormal operands as zero (x86: MXCSR's FTZ and DAZ bits); the thread's previous mode
/// comes back when it ends. Elsewhere it does nothing.
///
/// Why: Adam's moments of a row idle for hundreds of steps decay below 2^-126 (m by
/// β1^k), and on the CPUs measured a multiply or division with a subnormal operand or
/// result takes a microcode path many times slower than a normal one. Late in a run at
/// 10^6 rows about 1.6 % of m's coordinates were subnormal, and the catch-up of deferred
/// rows took 9-33 % longer for it (docs/performance.md, "Subnormal moments"). A moment
/// that small moves θ by less than 10^-30: θ after 3000 such steps was the same bits.
///
/// The mode is per thread: an OpenMP region must open a scope in each of its threads, and
/// must not be opened inside one (a thread the runtime starts then would inherit the mode
/// and keep it outside the scope).
class FlushSubnormals {
 public:
  FlushSubnormals() {
#if INVLEARN_HAVE_MXCSR
    saved_ = _mm_getcsr();
    _mm_setcsr(saved_ | kFlushToZero | kDenormalsAreZero);
#endif
  }
  ~FlushSubnormals() {
#if INVLEARN_HAVE_MXCSR
    _mm_setcsr(saved_);
#endif
  }
  FlushSubnormals(const FlushSubnormals&) = delete;
  FlushSubnormals& operator=(const FlushSubnormals&) = delete;

 private:
#if INVLEARN_HAVE_MXCSR
  static constexpr unsigned kFlushToZero = 0x8000;      ///< MXCSR.FTZ: subnormal results become 0
  static constexpr unsigned kDenormalsAreZero = 0x0040;  ///< MXCSR.DAZ: subnormal operands read as 0
  unsigned saved_ = 0;
#endif
};

}  // namespace detail
}  // namespace invlearn

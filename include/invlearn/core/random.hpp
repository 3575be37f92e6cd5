#pragma once
/// @file random.hpp
/// Seeded random streams. The generator (xoshiro256**, seeded by SplitMix64) and
/// the distributions are written here rather than taken from <random>, whose
/// distributions differ between standard libraries: the same seed gives the same
/// numbers on every platform.

#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "invlearn/core/types.hpp"

namespace invlearn {

namespace detail {
__extension__ typedef unsigned __int128 uint128;
}  // namespace detail

/// Well-known stream ids, so each consumer of randomness draws from its own stream
/// and adding draws in one place never shifts the numbers seen by another.
enum class Stream : std::uint64_t {
  init = 1,
  split = 2,
  shuffle = 3,
  sampler = 4,
  synthetic = 5,
  label_fraction = 6,
};

/// SplitMix64 step: a good 64-bit mixer, used to seed and to derive streams.
inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/// xoshiro256** generator with portable distributions.
class Rng {
 public:
  /// A generator for `seed`; `stream` selects an independent sequence for the same seed.
  explicit Rng(std::uint64_t seed = 42, std::uint64_t stream = 0) { reseed(seed, stream); }
  Rng(std::uint64_t seed, Stream stream) : Rng(seed, static_cast<std::uint64_t>(stream)) {}

  void reseed(std::uint64_t seed, std::uint64_t stream = 0) {
    std::uint64_t sm = seed ^ (0xD1B54A32D192ED03ULL * (stream + 1));
    for (auto& word : s_) word = splitmix64(sm);
  }

  /// Next raw 64-bit value.
  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  /// Uniform integer in [0, n), n > 0, without modulo bias (Lemire's method).
  std::uint64_t below(std::uint64_t n) {
    std::uint64_t x = next();
    detail::uint128 m = static_cast<detail::uint128>(x) * n;
    std::uint64_t low = static_cast<std::uint64_t>(m);
    if (low < n) {
      const std::uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        x = next();
        m = static_cast<detail::uint128>(x) * n;
        low = static_cast<std::uint64_t>(m);
      }
    }
    return static_cast<std::uint64_t>(m >> 64);
  }

  /// Uniform Index in [0, n).
  Index index(Index n) { return static_cast<Index>(below(static_cast<std::uint64_t>(n))); }

  /// Uniform double in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  /// Uniform double in [a, b).
  double uniform(double a, double b) { return a + (b - a) * uniform(); }

  /// Standard normal draw (Box-Muller; the second value is kept for the next call).
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u1 = uniform();
    while (u1 <= 0.0) u1 = uniform();
    const double u2 = uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double angle = 6.283185307179586476925 * u2;
    spare_ = r * std::sin(angle);
    has_spare_ = true;
    return r * std::cos(angle);
  }

  /// Normal draw with mean `mean` and standard deviation `sd`.
  double normal(double mean, double sd) { return mean + sd * normal(); }

  /// Fisher-Yates shuffle of a vector.
  template <class T>
  void shuffle(std::vector<T>& v) {
    for (std::size_t i = v.size(); i > 1; --i) {
      const std::size_t j = static_cast<std::size_t>(below(i));
      std::swap(v[i - 1], v[j]);
    }
  }

  /// The full generator state (for checkpoints).
  struct State {
    std::uint64_t s[4];
    double spare;
    bool has_spare;
  };
  State state() const { return State{{s_[0], s_[1], s_[2], s_[3]}, spare_, has_spare_}; }
  void set_state(const State& st) {
    for (int i = 0; i < 4; ++i) s_[i] = st.s[i];
    spare_ = st.spare;
    has_spare_ = st.has_spare;
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4] = {0, 0, 0, 0};
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace invlearn

#pragma once
/// @file bytes.hpp
/// The byte level of the checkpoint format: little-endian integers and the checksum.

#include <cstddef>
#include <cstdint>
#include <string>

namespace invlearn {
namespace detail {
namespace ckpt {

#if (defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__) || defined(_WIN32)
constexpr bool kLittleEndian = true;  ///< bulk arrays are copied as they are in memory
#else
constexpr bool kLittleEndian = false; ///< bulk arrays are written byte by byte
#endif

/// FNV-1a 64: simple, no tables, and catches truncation and random bit flips (it is
/// not meant to resist deliberate forgery).
inline std::uint64_t fnv1a64(const unsigned char* p, std::size_t n, std::uint64_t h = 0xcbf29ce484222325ULL) {
  for (std::size_t k = 0; k < n; ++k) {
    h ^= p[k];
    h *= 0x100000001b3ULL;
  }
  return h;
}

inline void put_u32(std::string& out, std::uint32_t v) {
  for (int k = 0; k < 4; ++k) out.push_back(static_cast<char>((v >> (8 * k)) & 0xFFu));
}
inline void put_u64(std::string& out, std::uint64_t v) {
  for (int k = 0; k < 8; ++k) out.push_back(static_cast<char>((v >> (8 * k)) & 0xFFu));
}
inline std::uint32_t get_u32(const unsigned char* p) {
  std::uint32_t v = 0;
  for (int k = 3; k >= 0; --k) v = (v << 8) | p[k];
  return v;
}
inline std::uint64_t get_u64(const unsigned char* p) {
  std::uint64_t v = 0;
  for (int k = 7; k >= 0; --k) v = (v << 8) | p[k];
  return v;
}
/// Overwrites the 8 bytes at `at` (a length or checksum written as a placeholder).
inline void set_u64(std::string& out, std::size_t at, std::uint64_t v) {
  for (int k = 0; k < 8; ++k) out[at + static_cast<std::size_t>(k)] = static_cast<char>((v >> (8 * k)) & 0xFFu);
}

/// "0x" and 16 hex digits, for checksums in messages.
inline std::string hex(std::uint64_t v) {
  static const char digits[] = "0123456789abcdef";
  std::string s = "0x";
  for (int k = 15; k >= 0; --k) s.push_back(digits[(v >> (4 * k)) & 0xFu]);
  return s;
}

}  // namespace ckpt
}  // namespace detail
}  // namespace invlearn

#pragma once
/// @file output_archive.hpp
/// The archive that writes fields into a section payload (encoding.hpp says how).

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>

#include "invlearn/io/bytes.hpp"
#include "invlearn/io/encoding.hpp"

namespace invlearn {
namespace detail {
namespace ckpt {

/// Appends the encoding of each field to a string (the payload of one section).
class OutputArchive {
 public:
  static constexpr bool loading = false;
  explicit OutputArchive(std::string& out) : out_(out) {}

  /// Archive protocol (core/archive.hpp): writes `fields` in order.
  template <class... T>
  void operator()(T&&... fields) {
    (field(*this, fields), ...);
  }
  /// Checks guard loaded state only.
  void check(bool /*ok*/, const char* /*what*/) {}
  void check(bool /*ok*/, const std::string& /*what*/) {}

  // Primitives of the encoding table (encoding.hpp).
  void word(std::uint64_t w) { put_u64(out_, w); }
  void byte(unsigned char b) { out_.push_back(static_cast<char>(b)); }
  std::size_t count(std::size_t n, std::size_t /*min_bytes*/, const char* /*what*/) {
    put_u64(out_, n);
    return n;
  }
  template <class B>
  void bytes(const B* p, std::size_t n) {
    static_assert(sizeof(B) == 1, "bytes(): 1-byte elements");
    if (n > 0) out_.append(reinterpret_cast<const char*>(p), n);
  }
  template <class S>
  void scalars(const S* p, std::size_t n) {
    if constexpr (kLittleEndian) {
      if (n > 0) out_.append(reinterpret_cast<const char*>(p), n * sizeof(S));
    } else {
      using Bits = std::conditional_t<sizeof(S) == 4, std::uint32_t, std::uint64_t>;
      for (std::size_t k = 0; k < n; ++k) {
        Bits b;
        std::memcpy(&b, p + k, sizeof(S));
        for (std::size_t i = 0; i < sizeof(S); ++i) out_.push_back(static_cast<char>((b >> (8 * i)) & 0xFFu));
      }
    }
  }

 private:
  std::string& out_;
};

}  // namespace ckpt
}  // namespace detail
}  // namespace invlearn

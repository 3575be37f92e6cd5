#pragma once
/// @file input_archive.hpp
/// The archive that reads fields back from a section payload (encoding.hpp says how),
/// checking every length against the bytes that are there.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <utility>

#include "invlearn/core/error.hpp"
#include "invlearn/io/bytes.hpp"
#include "invlearn/io/encoding.hpp"
#include "invlearn/model/parameter_shape.hpp"

namespace invlearn {
namespace detail {
namespace ckpt {

/// Reads fields from bytes [begin, end) of a buffer. Every count and shape is checked
/// against the bytes left in the section before anything is allocated, so a corrupted
/// length cannot make it allocate more than the file holds or read past its end. Every
/// failure is a CheckpointError naming the file and the section.
class InputArchive {
 public:
  static constexpr bool loading = true;
  /// Reads bytes [begin, end) of `data`; `where` names the file and `section` the
  /// section in messages. With `shape`, every Parameters read must be empty or of that
  /// shape. `absent`: the section is missing from the file, so any read says so.
  InputArchive(const unsigned char* data, std::size_t begin, std::size_t end, std::string where,
               std::string section, const ParamShape* shape = nullptr, bool absent = false)
      : data_(data),
        pos_(begin),
        end_(end),
        where_(std::move(where)),
        section_(std::move(section)),
        shape_(shape),
        absent_(absent) {}

  /// Archive protocol (core/archive.hpp): reads `fields` in order, in place.
  template <class... T>
  void operator()(T&&... fields) {
    (field(*this, fields), ...);
  }
  /// Rejects a loaded state that is inconsistent.
  void check(bool ok, const char* what) {
    if (!ok) fail(what);
  }
  void check(bool ok, const std::string& what) {
    if (!ok) fail(what);
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw CheckpointError(where_ + ": section " + section_ + ": " + what);
  }
  std::size_t remaining() const { return end_ - pos_; }
  const ParamShape* shape() const { return shape_; }
  /// Throws unless the whole section was read.
  void finish() const {
    if (pos_ != end_)
      fail(std::to_string(end_ - pos_) + " unexpected bytes at its end (byte " + std::to_string(pos_) +
           "): it was written by a different component");
  }

  // Primitives of the encoding table (encoding.hpp).
  void word(std::uint64_t& w) {
    need(8);
    w = get_u64(data_ + pos_);
    pos_ += 8;
  }
  void byte(unsigned char& b) {
    need(1);
    b = data_[pos_++];
  }
  /// A u64 count of elements that each take at least `min_bytes` in the rest of the section.
  std::size_t count(std::size_t /*written*/, std::size_t min_bytes, const char* what) {
    std::uint64_t n = 0;
    word(n);
    if (n > remaining() / (min_bytes == 0 ? 1 : min_bytes))
      fail(std::string(what) + " count " + std::to_string(n) + " does not fit in the " +
           std::to_string(remaining()) + " bytes left (corrupted length)");
    return static_cast<std::size_t>(n);
  }
  template <class B>
  void bytes(B* p, std::size_t n) {
    static_assert(sizeof(B) == 1, "bytes(): 1-byte elements");
    if (n == 0) return;
    need(n);
    std::memcpy(p, data_ + pos_, n);
    pos_ += n;
  }
  template <class S>
  void scalars(S* p, std::size_t n) {
    if (n == 0) return;
    need(n * sizeof(S));  // n * sizeof(S) <= remaining() was checked by count() for arrays
    if constexpr (kLittleEndian) {
      std::memcpy(p, data_ + pos_, n * sizeof(S));
    } else {
      using Bits = std::conditional_t<sizeof(S) == 4, std::uint32_t, std::uint64_t>;
      for (std::size_t k = 0; k < n; ++k) {
        Bits b = 0;
        for (std::size_t i = sizeof(S); i-- > 0;) b = static_cast<Bits>((b << 8) | data_[pos_ + k * sizeof(S) + i]);
        std::memcpy(p + k, &b, sizeof(S));
      }
    }
    pos_ += n * sizeof(S);
  }

 private:
  void need(std::size_t n) const {
    if (n > end_ - pos_) {
      if (absent_) throw CheckpointError(where_ + ": section " + section_ + " is missing");
      throw CheckpointError(where_ + ": truncated at byte " + std::to_string(end_) + " (section " + section_ +
                            "): " + std::to_string(n) + " more bytes needed at byte " + std::to_string(pos_));
    }
  }

  const unsigned char* data_;
  std::size_t pos_, end_;
  std::string where_;
  std::string section_;
  const ParamShape* shape_;
  bool absent_;
};

}  // namespace ckpt
}  // namespace detail
}  // namespace invlearn

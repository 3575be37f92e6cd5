#pragma once
/// @file encoding.hpp
/// The one encoding table of the checkpoint format: for each field type, how it is
/// written and how it is read back, side by side.
///
/// Both binary archives (output_archive.hpp, input_archive.hpp) call field(ar, v) for
/// every field, and field() is the only place a type's encoding is spelled out. They
/// share a small set of primitives with the same names, which move bytes in the
/// archive's direction:
///   ar.word(std::uint64_t&)          8 bytes, little-endian
///   ar.byte(unsigned char&)          1 byte
///   ar.scalars(S*, n)                n floats or doubles (IEEE 754 bits, little-endian)
///   ar.bytes(char-like*, n)          n raw bytes
///   ar.count(n, min_bytes, what)     a u64 count; when reading, checked against the
///                                    bytes left (each element takes >= min_bytes), so a
///                                    corrupted length never allocates more than the
///                                    section holds, and returned
/// A reading archive also has fail(what) and shape() (the model's ParamShape, or null).
/// The checks that guard loaded values sit in this table, next to the reads they guard.
///
/// Encodings: bool 1 byte (0 or 1); other integers and enums 8 bytes (two's
/// complement, range-checked on reading); float 4 and double 8 bytes; string u64
/// length + bytes; pair its two members; vector u64 count + elements (bytes for
/// 1-byte integers); Eigen matrix or Table i64 rows, i64 cols, values in storage
/// order; Parameters u64 table count, tables, dense; Rng its 4 state words, spare
/// normal and flag; a class its serialize(); a stateless class nothing.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "invlearn/core/archive.hpp"
#include "invlearn/core/random.hpp"
#include "invlearn/core/table.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/model/gradient.hpp"
#include "invlearn/model/parameter_shape.hpp"

namespace invlearn {
namespace detail {
namespace ckpt {

template <class T>
struct is_vector : std::false_type {};
template <class T, class A>
struct is_vector<std::vector<T, A>> : std::true_type {};

template <class T>
struct is_pair : std::false_type {};
template <class A, class B>
struct is_pair<std::pair<A, B>> : std::true_type {};

template <class T>
struct is_eigen_matrix : std::false_type {};
template <class S, int R, int C, int O, int MR, int MC>
struct is_eigen_matrix<Eigen::Matrix<S, R, C, O, MR, MC>> : std::true_type {};
template <class S>
struct is_eigen_matrix<Table<S>> : std::true_type {};  // same bytes as a RowMatrix

template <class T>
struct is_parameters : std::false_type {};
template <class S>
struct is_parameters<Parameters<S>> : std::true_type {};

template <class T>
constexpr bool is_real = std::is_same<T, float>::value || std::is_same<T, double>::value;
template <class T>
constexpr bool is_byte_integer = std::is_integral<T>::value && sizeof(T) == 1 && !std::is_same<T, bool>::value;

/// The fewest bytes one encoded E takes: what a vector's count is checked against.
template <class E>
constexpr std::size_t min_bytes() {
  if constexpr (is_pair<E>::value) return min_bytes<typename E::first_type>() + min_bytes<typename E::second_type>();
  else if constexpr (is_real<E>) return sizeof(E);
  else if constexpr (is_byte_integer<E>) return 1;
  else if constexpr (std::is_arithmetic<E>::value || std::is_enum<E>::value || std::is_same<E, std::string>::value ||
                     is_vector<E>::value)
    return 8;
  else return 1;
}

/// Writes (Ar::loading false) or reads (true) one field `v` through archive `ar`.
template <class Ar, class T>
void field(Ar& ar, T& v) {
  using U = std::remove_cv_t<T>;
  constexpr bool load = Ar::loading;
  if constexpr (is_named<U>::value) {
    field(ar, v.value);
  } else if constexpr (std::is_same<U, bool>::value) {
    unsigned char b = 0;
    if constexpr (!load) b = v ? 1 : 0;
    ar.byte(b);
    if constexpr (load) {
      if (b > 1) ar.fail("bad boolean value " + std::to_string(b));
      v = b != 0;
    }
  } else if constexpr (std::is_enum<U>::value) {
    std::underlying_type_t<U> raw{};
    if constexpr (!load) raw = static_cast<std::underlying_type_t<U>>(v);
    field(ar, raw);
    if constexpr (load) v = static_cast<U>(raw);
  } else if constexpr (std::is_integral<U>::value) {
    std::uint64_t raw = 0;
    if constexpr (!load) {
      if constexpr (std::is_signed<U>::value) raw = static_cast<std::uint64_t>(static_cast<std::int64_t>(v));
      else raw = static_cast<std::uint64_t>(v);
    }
    ar.word(raw);
    if constexpr (load) {
      if constexpr (std::is_signed<U>::value) {
        const auto s = static_cast<std::int64_t>(raw);
        if (s < static_cast<std::int64_t>(std::numeric_limits<U>::min()) ||
            s > static_cast<std::int64_t>(std::numeric_limits<U>::max()))
          ar.fail("integer " + std::to_string(s) + " out of range");
        v = static_cast<U>(s);
      } else {
        if (raw > static_cast<std::uint64_t>(std::numeric_limits<U>::max()))
          ar.fail("integer " + std::to_string(raw) + " out of range");
        v = static_cast<U>(raw);
      }
    }
  } else if constexpr (is_real<U>) {
    ar.scalars(&v, 1);
  } else if constexpr (std::is_same<U, std::string>::value) {
    const std::size_t n = ar.count(v.size(), 1, "string length");
    if constexpr (load) v.resize(n);
    ar.bytes(v.data(), n);
  } else if constexpr (is_pair<U>::value) {
    field(ar, v.first);
    field(ar, v.second);
  } else if constexpr (is_vector<U>::value) {
    using E = typename U::value_type;
    static_assert(!std::is_same<E, bool>::value, "checkpoint archive: std::vector<bool> is not supported");
    const std::size_t n = ar.count(v.size(), min_bytes<E>(), "array");
    if constexpr (load) {
      v.clear();
      v.resize(n);
    }
    if constexpr (is_real<E>) ar.scalars(v.data(), n);
    else if constexpr (is_byte_integer<E>) ar.bytes(v.data(), n);
    else for (auto& e : v) field(ar, e);
  } else if constexpr (is_eigen_matrix<U>::value) {
    using S = typename U::Scalar;
    std::uint64_t rows = 0, cols = 0;
    if constexpr (!load) {
      rows = static_cast<std::uint64_t>(static_cast<std::int64_t>(v.rows()));
      cols = static_cast<std::uint64_t>(static_cast<std::int64_t>(v.cols()));
    }
    ar.word(rows);
    ar.word(cols);
    if constexpr (load) {
      const auto r = static_cast<std::int64_t>(rows), c = static_cast<std::int64_t>(cols);
      const std::string shape = std::to_string(r) + "x" + std::to_string(c);
      if (r < 0 || c < 0) ar.fail("negative matrix shape " + shape);
      if ((U::RowsAtCompileTime != Eigen::Dynamic && r != U::RowsAtCompileTime) ||
          (U::ColsAtCompileTime != Eigen::Dynamic && c != U::ColsAtCompileTime))
        ar.fail("matrix shape " + shape + " does not fit its type");
      const std::size_t room = ar.remaining() / sizeof(S);
      if (c > 0 && static_cast<std::uint64_t>(r) > room / static_cast<std::uint64_t>(c))
        ar.fail("matrix of " + shape + " values does not fit in the " + std::to_string(ar.remaining()) +
                " bytes left (corrupted length)");
      v.resize(static_cast<Index>(r), static_cast<Index>(c));
    }
    ar.scalars(v.data(), static_cast<std::size_t>(v.size()));
  } else if constexpr (is_parameters<U>::value) {
    const std::size_t n = ar.count(v.tables.size(), 16, "table");  // a table takes >= its two sizes
    if constexpr (load) {
      v.tables.clear();
      v.tables.resize(n);
    }
    for (auto& t : v.tables) field(ar, t);
    field(ar, v.dense);
    if constexpr (load) {
      // Moments and best-θ copies must have the model's shape (or be empty), else a
      // later step would index past their end.
      const bool empty = v.tables.empty() && v.dense.size() == 0;
      if (ar.shape() != nullptr && !empty && !ar.shape()->matches(v))
        ar.fail("parameters of shape " + ParamShape::of(v).describe() + " do not match the model's " +
                ar.shape()->describe());
    }
  } else if constexpr (std::is_same<U, Rng>::value) {
    Rng::State st{};
    if constexpr (!load) st = v.state();
    for (auto& w : st.s) ar.word(w);
    field(ar, st.spare);
    field(ar, st.has_spare);
    if constexpr (load) v.set_state(st);
  } else if constexpr (has_serialize<U, Ar>::value) {
    v.serialize(ar);
  } else if constexpr (is_stateless<U, Ar>::value) {
    // A stateless policy (SgdStep, ...): nothing to write or read.
  } else {
    static_assert(always_false<U>::value,
                  "checkpoint archive: unsupported field type; give it a "
                  "`template <class Archive> void serialize(Archive& ar)` member (core/archive.hpp)");
  }
}

}  // namespace ckpt
}  // namespace detail
}  // namespace invlearn

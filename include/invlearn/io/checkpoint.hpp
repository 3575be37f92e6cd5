#pragma once
/// @file checkpoint.hpp
/// Saving and loading models and training checkpoints.
///
/// Why a file format of our own: a checkpoint must let a stopped run continue with
/// bit-identical results, so it holds everything that moves during training (θ, the
/// optimizer's moments, T-CE's schedule counter, the step rule's moments, the RNG
/// states, SRNS's memories, the best θ so far), not only the model. And it must fail
/// loudly: a truncated or corrupted file, or one written for another model, throws
/// CheckpointError saying what is wrong; it never crashes and never loads garbage.
///
/// The layout (all integers little-endian; docs/reliability.md, "Checkpoint format"):
/// ```
/// magic "INVLCKPT" | u32 format version | u64 file length |
/// sections: 4-byte tag, u64 payload length, payload ... | u64 FNV-1a 64 of all before it
/// ```
/// Writes go to `path + ".tmp"`, are flushed and fsync'ed, then renamed over `path`:
/// a crash mid-write leaves the previous checkpoint intact.
///
/// Component state is reached through a small archive protocol: a component with
/// state has a member
/// ```
/// template <class Archive> void serialize(Archive& ar) { ar(field1, field2, ...); }
/// ```
/// used both to write and to read (`Archive::loading` tells which, `ar.check(ok, what)`
/// rejects a loaded state that is inconsistent). A component without `serialize`
/// has no state and writes no section.

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#include <fcntl.h>
#include <unistd.h>
#define INVLEARN_CHECKPOINT_POSIX_ 1
#endif

#include "invlearn/core/error.hpp"
#include "invlearn/core/random.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/data/id_map.hpp"
#include "invlearn/data/interactions.hpp"
#include "invlearn/model/gmf.hpp"
#include "invlearn/model/gradient.hpp"
#include "invlearn/model/neumf.hpp"
#include "invlearn/train/trace.hpp"
#include "invlearn/version.hpp"

namespace invlearn {

/// The format version this library writes. A reader accepts files of versions
/// kCheckpointMinVersion..kCheckpointVersion; any change of the layout or of a
/// section's contents bumps it (see docs/reliability.md). Version 2 added the trace
/// section (TRCE); version 1 files load with an empty trace for their epochs.
constexpr std::uint32_t kCheckpointVersion = 2;
/// The oldest format version this library reads.
constexpr std::uint32_t kCheckpointMinVersion = 1;

/// What a checkpoint's header says: enough to rebuild the model and to check that a
/// file fits the trainer it is loaded into. read_checkpoint_info() returns it.
struct CheckpointInfo {
  std::uint32_t format_version = kCheckpointVersion;
  std::uint64_t file_size = 0;
  std::string content;          ///< "model" (save_model) or "checkpoint" (save_checkpoint)
  std::string kind;             ///< Model::kind: "gmf", "neumf", ...
  std::string scalar;           ///< "float" or "double"
  Index num_users = 0;
  Index num_items = 0;
  Index dim = 0;                ///< embedding size (GMF, NeuMF); 0 for other backbones
  Index mlp_layers = 0;         ///< NeuMF's MLP depth; 0 for other backbones
  double init_std = 0.0;        ///< the model's init option (kept so options() round-trips)
  std::string method;           ///< the method name given to save_checkpoint ("" for models)
  std::string composition;      ///< the trainer's component names ("" for models)
  std::int64_t epochs_done = 0;
  std::int64_t global_step = 0;
  std::string library_version;  ///< INVLEARN_VERSION_STRING of the writer
  std::vector<std::string> sections;  ///< names of the sections, in file order

  /// Archive protocol: the header section (format_version, file_size and sections
  /// describe the file, they are not stored in the header).
  template <class Archive>
  void serialize(Archive& ar) {
    ar(content, kind, scalar, num_users, num_items, dim, mlp_layers, init_std, method, composition,
       epochs_done, global_step, library_version);
  }
};

namespace detail {
namespace ckpt {

constexpr char kMagic[8] = {'I', 'N', 'V', 'L', 'C', 'K', 'P', 'T'};
constexpr std::size_t kPreamble = 20;      ///< magic 8 + version 4 + file length 8
constexpr std::size_t kTrailer = 8;        ///< FNV-1a 64 checksum
constexpr std::size_t kSectionHeader = 12; ///< tag 4 + payload length 8

#if (defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__) || defined(_WIN32)
constexpr bool kLittleEndian = true;  ///< bulk arrays are copied as they are in memory
#else
constexpr bool kLittleEndian = false; ///< bulk arrays are written byte by byte
#endif

/// FNV-1a 64: simple, no tables, and catches truncation and random bit flips (it is
/// not meant to resist deliberate forgery).
inline std::uint64_t fnv1a64(const unsigned char* p, std::size_t n,
                             std::uint64_t h = 0xcbf29ce484222325ULL) {
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
inline void set_u64(std::string& out, std::size_t at, std::uint64_t v) {
  for (int k = 0; k < 8; ++k) out[at + static_cast<std::size_t>(k)] = static_cast<char>((v >> (8 * k)) & 0xFFu);
}

inline std::string hex(std::uint64_t v) {
  static const char digits[] = "0123456789abcdef";
  std::string s = "0x";
  for (int k = 15; k >= 0; --k) s.push_back(digits[(v >> (4 * k)) & 0xFu]);
  return s;
}

/// The human name of a section tag, for messages.
inline std::string section_name(const std::string& tag) {
  static const char* const names[][2] = {
      {"HEAD", "header"},         {"USER", "user ids"},        {"ITEM", "item ids"},
      {"PARM", "parameters"},     {"OPTS", "trainer options"}, {"TRNR", "trainer state"},
      {"OPTM", "optimizer"},      {"LOSL", "labeled loss"},    {"LOSU", "unlabeled loss"},
      {"PLCY", "update policy"},  {"SMPL", "sampler"},         {"TRCE", "trace"}};
  for (const auto& n : names)
    if (tag == n[0]) return n[1];
  std::string printable;
  for (char c : tag) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7F) {
      printable.push_back(c);
    } else {
      printable += "\\x";
      printable += hex(u).substr(16);
    }
  }
  return "'" + printable + "'";
}

template <class S>
inline const char* scalar_name() {
  static_assert(std::is_same<S, float>::value || std::is_same<S, double>::value,
                "checkpoint: models must use float or double");
  return std::is_same<S, float>::value ? "float" : "double";
}

template <class...>
struct always_false : std::false_type {};

template <class T>
struct is_vector : std::false_type {};
template <class T, class A>
struct is_vector<std::vector<T, A>> : std::true_type {};

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

template <class T, class Archive, class = void>
struct has_serialize : std::false_type {};
template <class T, class Archive>
struct has_serialize<T, Archive, std::void_t<decltype(std::declval<T&>().serialize(std::declval<Archive&>()))>>
    : std::true_type {};

template <class T, class = void>
struct has_name : std::false_type {};
template <class T>
struct has_name<T, std::void_t<decltype(T::name)>> : std::true_type {};
template <class T, class = void>
struct has_schedule : std::false_type {};
template <class T>
struct has_schedule<T, std::void_t<typename T::schedule>> : std::true_type {};
template <class T, class = void>
struct has_rule : std::false_type {};
template <class T>
struct has_rule<T, std::void_t<decltype(std::declval<T&>().rule)>> : std::true_type {};
template <class T, class = void>
struct has_kind : std::false_type {};
template <class T>
struct has_kind<T, std::void_t<decltype(T::kind)>> : std::true_type {};

/// The shape of a Parameters object (tables' rows × cols, dense size), independent of
/// the scalar type: loaded moments and best-θ copies must have the model's shape (or be
/// empty), else a later step would index past their end.
struct ParamShape {
  std::vector<std::pair<Index, Index>> tables;
  Index dense = 0;

  template <class S>
  static ParamShape of(const Parameters<S>& p) {
    ParamShape s;
    for (const auto& t : p.tables) s.tables.emplace_back(t.rows(), t.cols());
    s.dense = p.dense.size();
    return s;
  }
  template <class S>
  bool matches(const Parameters<S>& p) const {
    if (p.tables.size() != tables.size() || p.dense.size() != dense) return false;
    for (std::size_t k = 0; k < tables.size(); ++k)
      if (p.tables[k].rows() != tables[k].first || p.tables[k].cols() != tables[k].second) return false;
    return true;
  }
  std::string describe() const {
    std::string s = "{";
    for (std::size_t k = 0; k < tables.size(); ++k)
      s += (k ? ", " : "") + std::to_string(tables[k].first) + "x" + std::to_string(tables[k].second);
    return s + "; dense " + std::to_string(dense) + "}";
  }
};

/// Writes fields into a section payload. The encoding of each field type:
/// bool 1 byte; other integers and enums 8 bytes (two's complement); float 4 and
/// double 8 bytes (IEEE 754 bits); string u64 length + bytes; vector u64 count +
/// elements (bytes for 1-byte integers, 8 bytes for wider ones); Eigen matrix i64
/// rows, i64 cols, values in storage order; Parameters u64 table count, tables, dense;
/// Rng its 4 state words, spare normal and flag; classes through their serialize().
class OutputArchive {
 public:
  static constexpr bool loading = false;
  explicit OutputArchive(std::string& out) : out_(out) {}

  template <class... T>
  void operator()(T&&... fields) {
    (write(fields), ...);
  }
  /// Checks only guard loaded state.
  void check(bool /*ok*/, const char* /*what*/) {}

 private:
  template <class T>
  void write(T& v) {
    using U = std::remove_cv_t<T>;
    if constexpr (std::is_same<U, bool>::value) {
      out_.push_back(v ? '\1' : '\0');
    } else if constexpr (std::is_enum<U>::value) {
      auto raw = static_cast<std::underlying_type_t<U>>(v);
      write(raw);
    } else if constexpr (std::is_integral<U>::value) {
      if constexpr (std::is_signed<U>::value)
        put_u64(out_, static_cast<std::uint64_t>(static_cast<std::int64_t>(v)));
      else
        put_u64(out_, static_cast<std::uint64_t>(v));
    } else if constexpr (std::is_same<U, float>::value || std::is_same<U, double>::value) {
      scalars(&v, 1);
    } else if constexpr (std::is_same<U, std::string>::value) {
      put_u64(out_, v.size());
      out_.append(v);
    } else if constexpr (is_vector<U>::value) {
      using E = typename U::value_type;
      put_u64(out_, v.size());
      if constexpr (std::is_same<E, float>::value || std::is_same<E, double>::value) {
        scalars(v.data(), v.size());
      } else if constexpr (std::is_integral<E>::value && sizeof(E) == 1 && !std::is_same<E, bool>::value) {
        out_.append(reinterpret_cast<const char*>(v.data()), v.size());
      } else {
        static_assert(!std::is_same<E, bool>::value, "checkpoint archive: std::vector<bool> is not supported");
        for (auto& e : v) write(e);
      }
    } else if constexpr (is_eigen_matrix<U>::value) {
      put_u64(out_, static_cast<std::uint64_t>(static_cast<std::int64_t>(v.rows())));
      put_u64(out_, static_cast<std::uint64_t>(static_cast<std::int64_t>(v.cols())));
      scalars(v.data(), static_cast<std::size_t>(v.size()));
    } else if constexpr (is_parameters<U>::value) {
      put_u64(out_, v.tables.size());
      for (auto& t : v.tables) write(t);
      write(v.dense);
    } else if constexpr (std::is_same<U, Rng>::value) {
      const Rng::State st = v.state();
      for (std::uint64_t w : st.s) put_u64(out_, w);
      double spare = st.spare;
      bool has_spare = st.has_spare;
      write(spare);
      write(has_spare);
    } else if constexpr (has_serialize<U, OutputArchive>::value) {
      v.serialize(*this);
    } else if constexpr (std::is_class<U>::value && std::is_empty<U>::value) {
      // A stateless policy (SgdStep, ...): nothing to write.
    } else {
      static_assert(always_false<U>::value,
                    "checkpoint archive: unsupported field type; give it a "
                    "`template <class Archive> void serialize(Archive& ar)` member");
    }
  }

  template <class S>
  void scalars(const S* p, std::size_t n) {
    if constexpr (kLittleEndian) {
      out_.append(reinterpret_cast<const char*>(p), n * sizeof(S));
    } else {
      using Bits = std::conditional_t<sizeof(S) == 4, std::uint32_t, std::uint64_t>;
      for (std::size_t k = 0; k < n; ++k) {
        Bits b;
        std::memcpy(&b, p + k, sizeof(S));
        for (std::size_t i = 0; i < sizeof(S); ++i) out_.push_back(static_cast<char>((b >> (8 * i)) & 0xFFu));
      }
    }
  }

  std::string& out_;
};

/// Reads fields back from a section payload, in the encoding of OutputArchive. Every
/// count and shape is checked against the bytes left in the section before anything
/// is allocated, so a corrupted length cannot make it allocate more than the file
/// holds or read past its end.
class InputArchive {
 public:
  static constexpr bool loading = true;
  /// Reads bytes [begin, end) of `data`; `where` names the file and `section` the
  /// section in messages. With `shape`, every Parameters read must be empty or of that shape.
  InputArchive(const unsigned char* data, std::size_t begin, std::size_t end, std::string where,
               std::string section, const ParamShape* shape = nullptr, bool absent = false)
      : data_(data),
        pos_(begin),
        end_(end),
        where_(std::move(where)),
        section_(std::move(section)),
        shape_(shape),
        absent_(absent) {}

  template <class... T>
  void operator()(T&... fields) {
    (read(fields), ...);
  }
  /// Rejects a loaded state that is inconsistent.
  void check(bool ok, const char* what) {
    if (!ok) fail(what);
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw CheckpointError(where_ + ": section " + section_ + ": " + what);
  }
  std::size_t remaining() const { return end_ - pos_; }
  /// Throws unless the whole section was read.
  void finish() const {
    if (pos_ != end_)
      fail(std::to_string(end_ - pos_) + " unexpected bytes at its end (byte " + std::to_string(pos_) +
           "): it was written by a different component");
  }

  /// A u64 count of elements that each take at least `min_bytes` in the rest of the section.
  std::size_t count(std::size_t min_bytes, const char* what) {
    const std::uint64_t n = u64();
    if (n > remaining() / (min_bytes == 0 ? 1 : min_bytes))
      fail(std::string(what) + " count " + std::to_string(n) + " does not fit in the " +
           std::to_string(remaining()) + " bytes left (corrupted length)");
    return static_cast<std::size_t>(n);
  }

 private:
  void need(std::size_t n) {
    if (n > end_ - pos_) {
      if (absent_) throw CheckpointError(where_ + ": section " + section_ + " is missing");
      throw CheckpointError(where_ + ": truncated at byte " + std::to_string(end_) + " (section " + section_ +
                            "): " + std::to_string(n) + " more bytes needed at byte " + std::to_string(pos_));
    }
  }
  std::uint64_t u64() {
    need(8);
    const std::uint64_t v = get_u64(data_ + pos_);
    pos_ += 8;
    return v;
  }

  template <class T>
  void read(T& v) {
    using U = T;
    if constexpr (std::is_same<U, bool>::value) {
      need(1);
      const unsigned char b = data_[pos_++];
      if (b > 1) fail("bad boolean value " + std::to_string(b));
      v = b != 0;
    } else if constexpr (std::is_enum<U>::value) {
      std::underlying_type_t<U> raw{};
      read(raw);
      v = static_cast<U>(raw);
    } else if constexpr (std::is_integral<U>::value) {
      const std::uint64_t raw = u64();
      if constexpr (std::is_signed<U>::value) {
        const auto s = static_cast<std::int64_t>(raw);
        if (s < static_cast<std::int64_t>(std::numeric_limits<U>::min()) ||
            s > static_cast<std::int64_t>(std::numeric_limits<U>::max()))
          fail("integer " + std::to_string(s) + " out of range");
        v = static_cast<U>(s);
      } else {
        if (raw > static_cast<std::uint64_t>(std::numeric_limits<U>::max()))
          fail("integer " + std::to_string(raw) + " out of range");
        v = static_cast<U>(raw);
      }
    } else if constexpr (std::is_same<U, float>::value || std::is_same<U, double>::value) {
      scalars(&v, 1);
    } else if constexpr (std::is_same<U, std::string>::value) {
      const std::size_t n = count(1, "string length");
      v.assign(reinterpret_cast<const char*>(data_ + pos_), n);
      pos_ += n;
    } else if constexpr (is_vector<U>::value) {
      using E = typename U::value_type;
      if constexpr (std::is_same<E, float>::value || std::is_same<E, double>::value) {
        const std::size_t n = count(sizeof(E), "array");
        v.resize(n);
        scalars(v.data(), n);
      } else if constexpr (std::is_integral<E>::value && sizeof(E) == 1 && !std::is_same<E, bool>::value) {
        const std::size_t n = count(1, "array");
        v.resize(n);
        if (n > 0) std::memcpy(v.data(), data_ + pos_, n);
        pos_ += n;
      } else {
        static_assert(!std::is_same<E, bool>::value, "checkpoint archive: std::vector<bool> is not supported");
        constexpr std::size_t min_bytes =
            std::is_arithmetic<E>::value || std::is_enum<E>::value || std::is_same<E, std::string>::value ||
                    is_vector<E>::value
                ? 8
                : 1;
        const std::size_t n = count(min_bytes, "array");
        v.clear();
        v.resize(n);
        for (auto& e : v) read(e);
      }
    } else if constexpr (is_eigen_matrix<U>::value) {
      using S = typename U::Scalar;
      const auto rows = static_cast<std::int64_t>(u64());
      const auto cols = static_cast<std::int64_t>(u64());
      if (rows < 0 || cols < 0)
        fail("negative matrix shape " + std::to_string(rows) + "x" + std::to_string(cols));
      if ((U::RowsAtCompileTime != Eigen::Dynamic && rows != U::RowsAtCompileTime) ||
          (U::ColsAtCompileTime != Eigen::Dynamic && cols != U::ColsAtCompileTime))
        fail("matrix shape " + std::to_string(rows) + "x" + std::to_string(cols) + " does not fit its type");
      const std::size_t room = remaining() / sizeof(S);
      if (cols > 0 && static_cast<std::uint64_t>(rows) > room / static_cast<std::uint64_t>(cols))
        fail("matrix of " + std::to_string(rows) + "x" + std::to_string(cols) + " values does not fit in the " +
             std::to_string(remaining()) + " bytes left (corrupted length)");
      v.resize(static_cast<Index>(rows), static_cast<Index>(cols));
      scalars(v.data(), static_cast<std::size_t>(rows * cols));
    } else if constexpr (is_parameters<U>::value) {
      const std::size_t n = count(16, "table");
      v.tables.clear();
      v.tables.resize(n);
      for (auto& t : v.tables) read(t);
      read(v.dense);
      const bool empty = v.tables.empty() && v.dense.size() == 0;
      if (shape_ != nullptr && !empty && !shape_->matches(v))
        fail("parameters of shape " + ParamShape::of(v).describe() + " do not match the model's " +
             shape_->describe());
    } else if constexpr (std::is_same<U, Rng>::value) {
      Rng::State st{};
      for (auto& w : st.s) w = u64();
      read(st.spare);
      read(st.has_spare);
      v.set_state(st);
    } else if constexpr (has_serialize<U, InputArchive>::value) {
      v.serialize(*this);
    } else if constexpr (std::is_class<U>::value && std::is_empty<U>::value) {
      // A stateless policy: nothing to read.
    } else {
      static_assert(always_false<U>::value,
                    "checkpoint archive: unsupported field type; give it a "
                    "`template <class Archive> void serialize(Archive& ar)` member");
    }
  }

  template <class S>
  void scalars(S* p, std::size_t n) {
    if (n == 0) return;
    need(n * sizeof(S));  // n * sizeof(S) <= remaining() was checked by the caller for arrays
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

  const unsigned char* data_;
  std::size_t pos_, end_;
  std::string where_;
  std::string section_;
  const ParamShape* shape_;
  bool absent_;
};

/// Builds a file: preamble, sections, then the length and checksum.
class FileWriter {
 public:
  FileWriter() {
    out_.append(kMagic, sizeof(kMagic));
    put_u32(out_, kCheckpointVersion);
    put_u64(out_, 0);  // file length, set by finish()
  }
  /// Appends a section whose payload `fill(OutputArchive&)` writes.
  template <class Fill>
  void section(const char (&tag)[5], Fill&& fill) {
    out_.append(tag, 4);
    const std::size_t length_at = out_.size();
    put_u64(out_, 0);
    OutputArchive ar(out_);
    fill(ar);
    set_u64(out_, length_at, out_.size() - length_at - 8);
  }
  std::string finish() {
    set_u64(out_, 12, out_.size() + kTrailer);
    const std::uint64_t sum = fnv1a64(reinterpret_cast<const unsigned char*>(out_.data()), out_.size());
    put_u64(out_, sum);
    return std::move(out_);
  }

 private:
  std::string out_;
};

struct Section {
  std::string tag;
  std::size_t offset = 0;  ///< first byte of the payload
  std::size_t length = 0;
};

/// A parsed file: its checked preamble and checksum, and where each section lies.
class FileReader {
 public:
  /// Checks magic, version, length and checksum of `bytes`, and indexes the sections.
  /// `where` prefixes every message ("checkpoint '<path>'").
  FileReader(const std::string& bytes, std::string where) : bytes_(bytes), where_(std::move(where)) {
    const std::size_t n = bytes.size();
    const auto* p = data();
    if (n == 0) fail("is empty (0 bytes)");
    if (std::memcmp(p, kMagic, n < sizeof(kMagic) ? n : sizeof(kMagic)) != 0)
      fail("not an invlearn checkpoint (bad magic: the file must start with \"INVLCKPT\")");
    if (n < kPreamble) fail("truncated at byte " + std::to_string(n) + " (header)");
    version_ = get_u32(p + 8);
    if (version_ > kCheckpointVersion)
      fail("format version " + std::to_string(version_) + " is newer than this library's " +
           std::to_string(kCheckpointVersion) + " (written by a newer invlearn)");
    if (version_ < kCheckpointMinVersion)
      fail("format version " + std::to_string(version_) + " is older than the oldest this library reads (" +
           std::to_string(kCheckpointMinVersion) + ")");
    const std::uint64_t declared = get_u64(p + 12);
    if (declared != n) {
      if (declared > n)
        fail("truncated at byte " + std::to_string(n) + " (" + locate(n, declared) + "; the file should be " +
             std::to_string(declared) + " bytes)");
      fail("corrupted: " + std::to_string(n - declared) + " bytes after its declared end at byte " +
           std::to_string(declared));
    }
    if (n < kPreamble + kTrailer) fail("corrupted: declared length " + std::to_string(n) + " is too short");
    const std::uint64_t stored = get_u64(p + n - kTrailer);
    const std::uint64_t computed = fnv1a64(p, n - kTrailer);
    if (stored != computed)
      fail("checksum mismatch (stored " + hex(stored) + ", computed " + hex(computed) +
           "): the file is corrupted");
    // The checksum holds, so the section chain is what the writer wrote; still check it.
    std::size_t pos = kPreamble;
    const std::size_t end = n - kTrailer;
    while (pos < end) {
      if (end - pos < kSectionHeader) fail("corrupted: section header at byte " + std::to_string(pos) + " is cut");
      Section s;
      s.tag.assign(reinterpret_cast<const char*>(p + pos), 4);
      const std::uint64_t len = get_u64(p + pos + 4);
      pos += kSectionHeader;
      if (len > end - pos)
        fail("corrupted: section " + section_name(s.tag) + " at byte " + std::to_string(pos) + " declares " +
             std::to_string(len) + " bytes but " + std::to_string(end - pos) + " remain");
      s.offset = pos;
      s.length = static_cast<std::size_t>(len);
      for (const auto& other : sections_)
        if (other.tag == s.tag) fail("corrupted: section " + section_name(s.tag) + " appears twice");
      sections_.push_back(s);
      pos += s.length;
    }
    if (sections_.empty() || sections_.front().tag != "HEAD") fail("corrupted: the header section is not first");
  }

  [[noreturn]] void fail(const std::string& what) const { throw CheckpointError(where_ + ": " + what); }
  const std::string& where() const { return where_; }
  std::uint32_t version() const { return version_; }
  const std::vector<Section>& sections() const { return sections_; }
  const Section* find(const std::string& tag) const {
    for (const auto& s : sections_)
      if (s.tag == tag) return &s;
    return nullptr;
  }

  /// An archive over section `tag`; over no bytes (reads fail with "missing") when absent.
  InputArchive archive(const std::string& tag, const ParamShape* shape = nullptr) const {
    const Section* s = find(tag);
    if (s == nullptr) return InputArchive(data(), 0, 0, where_, section_name(tag), shape, true);
    return InputArchive(data(), s->offset, s->offset + s->length, where_, section_name(tag), shape);
  }
  /// Reads the whole of section `tag` into `value` (must be present and fully consumed).
  template <class T>
  void read(const std::string& tag, T& value, const ParamShape* shape = nullptr) const {
    if (find(tag) == nullptr) fail("section " + section_name(tag) + " is missing");
    InputArchive ar = archive(tag, shape);
    ar(value);
    ar.finish();
  }

  CheckpointInfo info() const {
    CheckpointInfo h;
    read("HEAD", h);
    h.format_version = version_;
    h.file_size = bytes_.size();
    for (const auto& s : sections_) h.sections.push_back(section_name(s.tag));
    return h;
  }

 private:
  const unsigned char* data() const { return reinterpret_cast<const unsigned char*>(bytes_.data()); }

  /// Which part of a file truncated at byte `n` (of `declared`) is cut.
  std::string locate(std::size_t n, std::uint64_t declared) const {
    const auto* p = data();
    const std::uint64_t trailer = declared - kTrailer;  // declared > n >= kPreamble
    std::size_t pos = kPreamble;
    while (pos < trailer && pos + kSectionHeader <= n) {
      const std::string tag(reinterpret_cast<const char*>(p + pos), 4);
      const std::uint64_t len = get_u64(p + pos + 4);
      if (len > n - pos - kSectionHeader) return "section " + section_name(tag);
      pos += kSectionHeader + static_cast<std::size_t>(len);
    }
    if (pos >= trailer) return "checksum";
    if (pos + 4 <= n)
      return "section " + section_name(std::string(reinterpret_cast<const char*>(p + pos), 4)) + " header";
    return "section header at byte " + std::to_string(pos);
  }

  const std::string& bytes_;
  std::string where_;
  std::uint32_t version_ = 0;
  std::vector<Section> sections_;
};

inline std::string where(const std::string& path) { return "checkpoint '" + path + "'"; }

/// What a model's header says about its sizes, and how to rebuild it. Specialised for
/// GMF and NeuMF; other backbones can be saved and loaded into an existing model
/// (load_checkpoint) but not rebuilt from the file (load_model).
template <class Model>
struct ModelSpec {
  static constexpr bool rebuildable = false;
  static void describe(const Model&, CheckpointInfo& h) {
    h.dim = 0;
    h.mlp_layers = 0;
    h.init_std = 0.0;
  }
};

template <class S>
struct ModelSpec<GMF<S>> {
  static constexpr bool rebuildable = true;
  static void describe(const GMF<S>& m, CheckpointInfo& h) {
    h.dim = m.dim();
    h.mlp_layers = 0;
    h.init_std = m.options().init_std;
  }
  /// The parameter shape the header implies (checked before anything is allocated).
  static ParamShape shape(const CheckpointInfo& h, const FileReader& file) {
    if (h.dim < 1 || h.dim > (Index(1) << 40))
      file.fail("header: dim " + std::to_string(h.dim) + " is out of range");
    ParamShape s;
    s.tables = {{h.num_users, h.dim}, {h.num_items, h.dim}};
    s.dense = h.dim + 1;
    return s;
  }
  static GMF<S> build(const CheckpointInfo& h) {
    GMFOptions o;
    o.dim = h.dim;
    o.init_std = h.init_std;
    return GMF<S>(h.num_users, h.num_items, o);
  }
};

template <class S>
struct ModelSpec<NeuMF<S>> {
  static constexpr bool rebuildable = true;
  static void describe(const NeuMF<S>& m, CheckpointInfo& h) {
    h.dim = m.dim();
    h.mlp_layers = m.options().mlp_layers;
    h.init_std = m.options().init_std;
  }
  static ParamShape shape(const CheckpointInfo& h, const FileReader& file) {
    if (h.dim < 1 || h.dim > (Index(1) << 40))
      file.fail("header: dim " + std::to_string(h.dim) + " is out of range");
    if (h.mlp_layers < 1 || h.mlp_layers > 10)
      file.fail("header: mlp_layers " + std::to_string(h.mlp_layers) + " is outside [1, 10]");
    const Index d = h.dim;
    const Index m = d << (h.mlp_layers - 1);
    ParamShape s;
    s.tables = {{h.num_users, d}, {h.num_items, d}, {h.num_users, m}, {h.num_items, m}};
    // The dense block of NeuMF's constructor, counted in double: a corrupted header may
    // imply more weights than fit in an Index; such a count matches no stored block.
    double dense = 0.0;
    double width = 2.0 * static_cast<double>(m);
    for (Index l = 0; l < h.mlp_layers; ++l) {
      const double out = std::floor(width / 2.0);
      dense += width * out + out;
      width = out;
    }
    dense += static_cast<double>(d) + width + 1.0;
    s.dense = dense < 9.0e15 ? static_cast<Index>(dense) : Index(-1);
    return s;
  }
  static NeuMF<S> build(const CheckpointInfo& h) {
    NeuMFOptions o;
    o.dim = h.dim;
    o.mlp_layers = static_cast<int>(h.mlp_layers);
    o.init_std = h.init_std;
    return NeuMF<S>(h.num_users, h.num_items, o);
  }
};

template <class Model>
inline CheckpointInfo model_header(const Model& model, const char* content) {
  static_assert(has_kind<Model>::value,
                "checkpoint: the model needs `static constexpr const char* kind` (e.g. \"gmf\")");
  CheckpointInfo h;
  h.content = content;
  h.kind = Model::kind;
  h.scalar = scalar_name<typename Model::Scalar>();
  h.num_users = model.num_users();
  h.num_items = model.num_items();
  ModelSpec<Model>::describe(model, h);
  h.library_version = INVLEARN_VERSION_STRING;
  return h;
}

/// Throws unless the header describes a model of type Model.
template <class Model>
inline void check_kind(const CheckpointInfo& h, const FileReader& file) {
  if (h.kind != Model::kind) file.fail("model kind is " + h.kind + ", expected " + Model::kind);
  const std::string scalar = scalar_name<typename Model::Scalar>();
  if (h.scalar != scalar) file.fail("scalar type is " + h.scalar + ", expected " + scalar);
}

/// Throws unless the header's sizes are those of `model`.
template <class Model>
inline void check_sizes(const CheckpointInfo& h, const Model& model, const FileReader& file) {
  CheckpointInfo mine = model_header(model, "");
  auto same = [&](const char* what, Index got, Index want) {
    if (got != want)
      file.fail(std::string(what) + " is " + std::to_string(got) + ", expected " + std::to_string(want) +
                " (the model it is loaded into)");
  };
  same("num_users", h.num_users, mine.num_users);
  same("num_items", h.num_items, mine.num_items);
  same("dim", h.dim, mine.dim);
  same("mlp_layers", h.mlp_layers, mine.mlp_layers);
}

/// The user and item id maps, checked (a raw id may appear only once).
inline IdMap read_ids(const FileReader& file, const char* tag) {
  std::vector<std::string> raws;
  file.read(tag, raws);
  const std::size_t n = raws.size();
  IdMap map = IdMap::from_raws(std::move(raws));
  if (static_cast<std::size_t>(map.size()) != n)
    file.fail("section " + section_name(tag) + ": duplicate raw ids");
  return map;
}

template <class Model>
inline void write_model_sections(FileWriter& w, const Model& model, const CheckpointInfo& h, const IdMap& users,
                                 const IdMap& items) {
  w.section("HEAD", [&](OutputArchive& ar) {
    CheckpointInfo copy = h;
    ar(copy);
  });
  w.section("USER", [&](OutputArchive& ar) { ar(users.raws()); });
  w.section("ITEM", [&](OutputArchive& ar) { ar(items.raws()); });
  w.section("PARM", [&](OutputArchive& ar) { ar(model.parameters()); });
}

/// The names of a trainer's components, stored in the header and compared on load:
/// a checkpoint resumes only in a trainer of the same composition.
template <class T>
inline std::string component_name() {
  if constexpr (has_name<T>::value)
    return T::name;
  else
    return "custom";
}
template <class Policy>
inline std::string policy_name() {
  std::string s = component_name<Policy>();
  if constexpr (has_schedule<Policy>::value) s += "/" + component_name<typename Policy::schedule>();
  if constexpr (has_rule<Policy>::value) s += "/" + component_name<std::decay_t<decltype(std::declval<Policy&>().rule)>>();
  return s;
}
template <class TrainerT>
inline std::string composition(TrainerT& t) {
  using LL = std::decay_t<decltype(t.labeled_loss())>;
  using UL = std::decay_t<decltype(t.unlabeled_loss())>;
  using UP = std::decay_t<decltype(t.policy())>;
  using OP = std::decay_t<decltype(t.optimizer())>;
  using SA = std::decay_t<decltype(t.sampler())>;
  return "labeled=" + component_name<LL>() + " unlabeled=" + component_name<UL>() + " policy=" +
         policy_name<UP>() + " optimizer=" + component_name<OP>() + " sampler=" + component_name<SA>();
}

/// The options that fix the order of the data a run sees; a resumed run must share them.
struct RunOptions {
  std::int64_t batch_size = 0;
  std::uint64_t seed = 0;
  double meta_fraction = 0.0;
  double lr = 0.0;
  double alpha = 0.0;
  std::int64_t epochs = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(batch_size, seed, meta_fraction, lr, alpha, epochs);
  }
};

/// Writes component `c` as section `tag` if it has state.
template <class C>
inline void write_component(FileWriter& w, const char (&tag)[5], C& c) {
  if constexpr (has_serialize<C, OutputArchive>::value) w.section(tag, [&](OutputArchive& ar) { ar(c); });
}

/// A loaded copy of component `c` (or nothing when it has no state). The copy is
/// committed only once every section has loaded, so a failed load leaves the trainer as it was.
template <class C>
struct Loaded {
  static constexpr bool stateful = has_serialize<C, InputArchive>::value;
  std::optional<C> value;

  void load(const FileReader& file, const char* tag, const C& current, const ParamShape& shape) {
    if constexpr (stateful) {
      value.emplace(current);
      InputArchive ar = file.archive(tag, &shape);
      ar(*value);
      ar.finish();
    } else {
      (void)current;
      (void)shape;
      if (file.find(tag) != nullptr)
        file.fail("unexpected section " + section_name(tag) + ": this trainer's component has no state");
    }
  }
  void commit(C& target) {
    if constexpr (stateful) target = std::move(*value);
    else (void)target;
  }
};

/// Reads a whole file; a directory or unreadable file is a CheckpointError.
inline std::string read_file(const std::string& path) {
  errno = 0;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr)
    throw CheckpointError(where(path) + ": cannot open: " + std::strerror(errno));
  std::string out;
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size < (std::uintmax_t(1) << 40)) out.reserve(static_cast<std::size_t>(size));
  char buffer[1 << 16];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof(buffer), f)) > 0) out.append(buffer, got);
  const bool failed = std::ferror(f) != 0;
  const int err = errno;
  std::fclose(f);
  if (failed) throw CheckpointError(where(path) + ": read error: " + std::strerror(err));
  return out;
}

}  // namespace ckpt
}  // namespace detail

/// Writes `bytes` to `path` atomically: to `path + ".tmp"` first, flushed (and fsync'ed
/// on POSIX), then renamed over `path`. On any failure throws CheckpointError naming
/// the path, removes the temporary file if it created it, and leaves `path` as it was.
inline void write_file_atomic(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp";
  std::FILE* f = nullptr;
  auto fail = [&](const std::string& what, int err) {
    if (f != nullptr) {
      std::fclose(f);
      std::remove(tmp.c_str());  // only a file this call created
    }
    throw CheckpointError("cannot write checkpoint '" + path + "': " + what +
                          (err != 0 ? std::string(": ") + std::strerror(err) : std::string()) +
                          "; the previous file, if any, is unchanged");
  };
  errno = 0;
  f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) fail("cannot create the temporary file '" + tmp + "'", errno);
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size())
    fail("writing '" + tmp + "' failed", errno);
  if (std::fflush(f) != 0) fail("flushing '" + tmp + "' failed", errno);
#if defined(INVLEARN_CHECKPOINT_POSIX_)
  if (::fsync(::fileno(f)) != 0) fail("fsync of '" + tmp + "' failed", errno);
#endif
  const int closed = std::fclose(f);
  const int close_errno = errno;
  f = nullptr;
  if (closed != 0) {
    std::remove(tmp.c_str());
    fail("closing '" + tmp + "' failed", close_errno);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);  // replaces `path` (atomically on POSIX)
  if (ec) {
    std::remove(tmp.c_str());
    fail("renaming '" + tmp + "' over it failed: " + ec.message(), 0);
  }
#if defined(INVLEARN_CHECKPOINT_POSIX_)
  // Make the rename itself durable; best effort (some file systems refuse).
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  const int fd = ::open(dir.c_str(), O_RDONLY);
  if (fd >= 0) {
    (void)::fsync(fd);
    ::close(fd);
  }
#endif
}

// ---------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------

/// The bytes of a model file: header, id maps and θ (no training state).
template <class Model>
inline std::string encode_model(const Model& model, const IdMap& users = IdMap(), const IdMap& items = IdMap()) {
  detail::ckpt::FileWriter w;
  detail::ckpt::write_model_sections(w, model, detail::ckpt::model_header(model, "model"), users, items);
  return w.finish();
}

/// Saves `model` and the id maps to `path` atomically (see write_file_atomic).
template <class Model>
inline void save_model(const std::string& path, const Model& model, const IdMap& users = IdMap(),
                       const IdMap& items = IdMap()) {
  write_file_atomic(path, encode_model(model, users, items));
}

/// Rebuilds a model from the bytes of a model file or a training checkpoint. `name`
/// names the source in messages. Throws CheckpointError if the bytes are not a valid
/// file of this version, or hold another kind of model or scalar type.
template <class Model>
inline Model decode_model(const std::string& bytes, IdMap* users = nullptr, IdMap* items = nullptr,
                          const std::string& name = "<memory>") {
  using Spec = detail::ckpt::ModelSpec<Model>;
  static_assert(Spec::rebuildable,
                "load_model rebuilds GMF and NeuMF only; load other backbones with load_checkpoint into a "
                "model you construct");
  const detail::ckpt::FileReader file(bytes, detail::ckpt::where(name));
  const CheckpointInfo h = file.info();
  detail::ckpt::check_kind<Model>(h, file);
  if (h.num_users < 1 || h.num_items < 1)
    file.fail("header: sizes " + std::to_string(h.num_users) + " x " + std::to_string(h.num_items) +
              " are not positive");
  // The shape the header implies is checked against the stored block before the model
  // is built, so a corrupted header cannot make the constructor allocate more than the file holds.
  const detail::ckpt::ParamShape shape = Spec::shape(h, file);
  Parameters<typename Model::Scalar> params;
  file.read("PARM", params, &shape);
  if (!shape.matches(params))
    file.fail("section parameters: shape " + detail::ckpt::ParamShape::of(params).describe() +
              " does not match the header's " + shape.describe());
  IdMap u = detail::ckpt::read_ids(file, "USER");
  IdMap i = detail::ckpt::read_ids(file, "ITEM");
  Model model = [&] {
    try {
      return Spec::build(h);
    } catch (const InvalidArgument& e) {
      file.fail(std::string("header: ") + e.what());
    }
  }();
  if (!shape.matches(model.parameters()))
    file.fail("the model built from the header has shape " +
              detail::ckpt::ParamShape::of(model.parameters()).describe() + ", the file " + shape.describe());
  model.parameters() = std::move(params);
  if (users != nullptr) *users = std::move(u);
  if (items != nullptr) *items = std::move(i);
  return model;
}

/// Loads a model saved by save_model (or the model of a save_checkpoint file).
template <class Model>
inline Model load_model(const std::string& path, IdMap* users = nullptr, IdMap* items = nullptr) {
  return decode_model<Model>(detail::ckpt::read_file(path), users, items, path);
}

// ---------------------------------------------------------------------------------
// Training checkpoints
// ---------------------------------------------------------------------------------

/// The bytes of a training checkpoint: the model file's sections plus the trainer's
/// options that fix the data order, its state (epochs done, step, RNG states, best θ),
/// the state of every component that has any (optimizer, losses, update policy,
/// sampler) and the trace of the epochs run so far. Call it between epochs, from
/// on_epoch: that is where a run resumes (after fit() returns with restore_best, the
/// model holds the best epoch's θ, not the last).
template <class TrainerT>
inline std::string encode_checkpoint(TrainerT& trainer, const IdMap& users, const IdMap& items,
                                     const std::string& method) {
  namespace ck = detail::ckpt;
  auto& model = trainer.model();
  CheckpointInfo h = ck::model_header(model, "checkpoint");
  h.method = method;
  h.composition = ck::composition(trainer);
  h.epochs_done = trainer.state().epochs_done;
  h.global_step = static_cast<std::int64_t>(trainer.state().global_step);
  ck::FileWriter w;
  ck::write_model_sections(w, model, h, users, items);
  const auto& o = trainer.options();
  ck::RunOptions run{static_cast<std::int64_t>(o.batch_size), o.seed, o.meta_fraction, o.lr, o.alpha, o.epochs};
  w.section("OPTS", [&](ck::OutputArchive& ar) { ar(run); });
  w.section("TRNR", [&](ck::OutputArchive& ar) { ar(trainer.state()); });
  ck::write_component(w, "OPTM", trainer.optimizer());
  ck::write_component(w, "LOSL", trainer.labeled_loss());
  ck::write_component(w, "LOSU", trainer.unlabeled_loss());
  ck::write_component(w, "PLCY", trainer.policy());
  ck::write_component(w, "SMPL", trainer.sampler());
  w.section("TRCE", [&](ck::OutputArchive& ar) { ar(trainer.trace()); });
  return w.finish();
}

/// Saves everything needed to resume `trainer` to `path` atomically.
template <class TrainerT>
inline void save_checkpoint(const std::string& path, TrainerT& trainer, const IdMap& users = IdMap(),
                            const IdMap& items = IdMap(), const std::string& method = "") {
  write_file_atomic(path, encode_checkpoint(trainer, users, items, method));
}

/// Restores a checkpoint into `trainer` (and its model), which must be built with the
/// same model sizes, component types, batch size, seed and meta_fraction. Its fit()
/// then continues from the epoch after the one saved, and its trace() starts with the
/// saved epochs' reports and step rows (empty for a version 1 file). Nothing is changed
/// unless the whole file loads: every section is read into copies first.
template <class TrainerT>
inline void decode_checkpoint(const std::string& bytes, TrainerT& trainer, IdMap* users = nullptr,
                              IdMap* items = nullptr, std::string* method = nullptr,
                              const std::string& name = "<memory>") {
  namespace ck = detail::ckpt;
  using Model = std::decay_t<decltype(trainer.model())>;
  using S = typename Model::Scalar;
  const ck::FileReader file(bytes, ck::where(name));
  const CheckpointInfo h = file.info();
  auto& model = trainer.model();
  if (h.content != "checkpoint")
    file.fail("is a " + h.content + " file, not a training checkpoint (no trainer state to resume from)");
  ck::check_kind<Model>(h, file);
  ck::check_sizes(h, model, file);
  const std::string mine = ck::composition(trainer);
  if (h.composition != mine)
    file.fail("written by a trainer of composition '" + h.composition + "', this trainer is '" + mine + "'");
  const auto& o = trainer.options();
  if (!o.method.empty() && !h.method.empty() && o.method != h.method)
    file.fail("method is " + h.method + ", expected " + o.method);

  ck::RunOptions run;
  file.read("OPTS", run);
  auto differs = [&](const char* what, const std::string& got, const std::string& want) {
    file.fail("trainer option " + std::string(what) + " was " + got + ", this trainer has " + want +
              ": the resumed run would not see the same data order");
  };
  if (run.batch_size != static_cast<std::int64_t>(o.batch_size))
    differs("batch_size", std::to_string(run.batch_size), std::to_string(o.batch_size));
  if (run.seed != o.seed) differs("seed", std::to_string(run.seed), std::to_string(o.seed));
  if (!(run.meta_fraction == o.meta_fraction))
    differs("meta_fraction", std::to_string(run.meta_fraction), std::to_string(o.meta_fraction));

  const ck::ParamShape shape = ck::ParamShape::of(model.parameters());
  Parameters<S> params;
  file.read("PARM", params, &shape);
  if (!shape.matches(params)) file.fail("section parameters: empty, expected " + shape.describe());
  IdMap u = ck::read_ids(file, "USER");
  IdMap i = ck::read_ids(file, "ITEM");

  auto state = trainer.state();
  file.read("TRNR", state, &shape);
  if (state.epochs_done < 0 || state.global_step < 0 || state.best_epoch < 0 ||
      state.best_epoch > state.epochs_done)
    file.fail("section trainer state: inconsistent counters (epochs done " + std::to_string(state.epochs_done) +
              ", best epoch " + std::to_string(state.best_epoch) + ", step " +
              std::to_string(state.global_step) + ")");

  ck::Loaded<std::decay_t<decltype(trainer.optimizer())>> optimizer;
  ck::Loaded<std::decay_t<decltype(trainer.labeled_loss())>> labeled;
  ck::Loaded<std::decay_t<decltype(trainer.unlabeled_loss())>> unlabeled;
  ck::Loaded<std::decay_t<decltype(trainer.policy())>> policy;
  ck::Loaded<std::decay_t<decltype(trainer.sampler())>> sampler;
  optimizer.load(file, "OPTM", trainer.optimizer(), shape);
  labeled.load(file, "LOSL", trainer.labeled_loss(), shape);
  unlabeled.load(file, "LOSU", trainer.unlabeled_loss(), shape);
  policy.load(file, "PLCY", trainer.policy(), shape);
  sampler.load(file, "SMPL", trainer.sampler(), shape);
  // Version 1 had no trace section: its epochs resume with an empty trace.
  const bool has_trace = file.version() >= 2;
  Trace trace;
  if (has_trace) file.read("TRCE", trace);
  static const char* const known[] = {"HEAD", "USER", "ITEM", "PARM", "OPTS", "TRNR",
                                      "OPTM", "LOSL", "LOSU", "PLCY", "SMPL", "TRCE"};
  for (const auto& s : file.sections()) {
    bool ok = false;
    for (const char* k : known) ok = ok || (s.tag == k && (has_trace || s.tag != "TRCE"));
    if (!ok) file.fail("unknown section " + ck::section_name(s.tag));
  }

  // Everything loaded: commit.
  model.parameters() = std::move(params);
  trainer.state() = std::move(state);
  optimizer.commit(trainer.optimizer());
  labeled.commit(trainer.labeled_loss());
  unlabeled.commit(trainer.unlabeled_loss());
  policy.commit(trainer.policy());
  sampler.commit(trainer.sampler());
  trainer.trace() = std::move(trace);
  if (users != nullptr) *users = std::move(u);
  if (items != nullptr) *items = std::move(i);
  if (method != nullptr) *method = h.method;
}

/// Loads a checkpoint written by save_checkpoint into `trainer` (see decode_checkpoint).
template <class TrainerT>
inline void load_checkpoint(const std::string& path, TrainerT& trainer, IdMap* users = nullptr,
                            IdMap* items = nullptr, std::string* method = nullptr) {
  decode_checkpoint(detail::ckpt::read_file(path), trainer, users, items, method, path);
}

/// The header of a model file or checkpoint (the whole file is verified first).
inline CheckpointInfo decode_checkpoint_info(const std::string& bytes, const std::string& name = "<memory>") {
  const detail::ckpt::FileReader file(bytes, detail::ckpt::where(name));
  return file.info();
}

/// The header of the model file or checkpoint at `path`: kind, scalar, sizes, method,
/// epochs done (for tools that list or pick checkpoints).
inline CheckpointInfo read_checkpoint_info(const std::string& path) {
  return decode_checkpoint_info(detail::ckpt::read_file(path), path);
}

}  // namespace invlearn

#undef INVLEARN_CHECKPOINT_POSIX_

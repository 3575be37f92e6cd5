#pragma once
/// @file container.hpp
/// The file container: preamble, a chain of tagged sections, a checksum; and reading
/// a whole file into memory.
///
/// The layout (all integers little-endian; docs/reliability.md, "Checkpoint format"):
/// ```
/// magic "INVLCKPT" | u32 format version | u64 file length |
/// sections: 4-byte tag, u64 payload length, payload ... | u64 FNV-1a 64 of all before it
/// ```

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "invlearn/core/error.hpp"
#include "invlearn/io/bytes.hpp"
#include "invlearn/io/input_archive.hpp"
#include "invlearn/io/output_archive.hpp"
#include "invlearn/io/sections.hpp"
#include "invlearn/model/parameter_shape.hpp"

namespace invlearn {
namespace detail {
namespace ckpt {

constexpr char kMagic[8] = {'I', 'N', 'V', 'L', 'C', 'K', 'P', 'T'};
constexpr std::size_t kPreamble = 20;       ///< magic 8 + version 4 + file length 8
constexpr std::size_t kTrailer = 8;         ///< FNV-1a 64 checksum
constexpr std::size_t kSectionHeader = 12;  ///< tag 4 + payload length 8

/// "checkpoint '<path>'": how messages name a file.
inline std::string where(const std::string& path) { return "checkpoint '" + path + "'"; }

/// Builds a file: preamble, sections, then the length and checksum.
class FileWriter {
 public:
  FileWriter() {
    out_.append(kMagic, sizeof(kMagic));
    put_u32(out_, kCheckpointVersion);
    put_u64(out_, 0);  // file length, set by finish()
  }
  /// Appends a section (a tag of sections.hpp's table) whose payload `fill(OutputArchive&)` writes.
  template <class Fill>
  void section(const char* tag, Fill&& fill) {
    const SectionKind* kind = find_section_kind(tag);
    if (kind == nullptr)
      throw CheckpointError(std::string("checkpoint writer: section tag ") + tag + " is not in io/sections.hpp");
    out_.append(kind->tag, 4);
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

/// Where one section's payload lies in the file.
struct Section {
  std::string tag;
  std::size_t offset = 0;  ///< first byte of the payload
  std::size_t length = 0;
};

/// A parsed file: its checked preamble and checksum, and where each section lies.
/// Holds a reference to the bytes, which must outlive it.
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
      fail("checksum mismatch (stored " + hex(stored) + ", computed " + hex(computed) + "): the file is corrupted");
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
  std::uint64_t size() const { return bytes_.size(); }
  const std::vector<Section>& sections() const { return sections_; }
  const Section* find(const std::string& tag) const {
    for (const auto& s : sections_)
      if (s.tag == tag) return &s;
    return nullptr;
  }
  /// The payload of section `tag` ("" when absent).
  std::string payload(const std::string& tag) const {
    const Section* s = find(tag);
    return s == nullptr ? std::string() : bytes_.substr(s->offset, s->length);
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

/// Reads a whole file; a directory or unreadable file is a CheckpointError.
inline std::string read_file(const std::string& path) {
  errno = 0;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) throw CheckpointError(where(path) + ": cannot open: " + std::strerror(errno));
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
}  // namespace invlearn

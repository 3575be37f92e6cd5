#pragma once
// Writing a whole file atomically: through a temporary file in the same directory and
// a rename, so a reader never sees half a file, even if the program dies while
// writing it.

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>

#include <unistd.h>

#include "common/errors.hpp"

namespace cli {

/// A file written in pieces to a temporary file next to `path` and renamed onto it by
/// commit(): until then `path` keeps its old content, and a failure (or no commit)
/// removes the temporary file. Every failure is an OutputError naming the path.
class AtomicOutput {
 public:
  explicit AtomicOutput(std::string path)
      : path_(std::move(path)), tmp_(path_ + ".tmp." + std::to_string(static_cast<long>(::getpid()))) {
    errno = 0;
    file_ = std::fopen(tmp_.c_str(), "wb");
    if (!file_) fail("cannot create " + tmp_);
  }
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;
  ~AtomicOutput() {
    if (file_) std::fclose(file_);
    if (!committed_) std::remove(tmp_.c_str());
  }

  void write(const std::string& text) {
    if (std::fwrite(text.data(), 1, text.size(), file_) != text.size()) fail("write failed");
  }

  /// Flushes the data to the disk and renames the file into place.
  void commit() {
    const bool flushed = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
    const bool closed = std::fclose(file_) == 0;
    file_ = nullptr;
    if (!flushed || !closed) fail("write failed");
    if (std::rename(tmp_.c_str(), path_.c_str()) != 0) fail("rename failed");
    committed_ = true;
  }

 private:
  [[noreturn]] void fail(const std::string& what) {
    const int err = errno;
    if (file_) std::fclose(file_);
    file_ = nullptr;
    std::remove(tmp_.c_str());
    throw OutputError("cannot write " + path_ + ": " + what + (err ? std::string(": ") + std::strerror(err) : ""));
  }

  std::string path_, tmp_;
  std::FILE* file_ = nullptr;
  bool committed_ = false;
};

/// Writes `content` to `path`, which then holds either its old content or all of the
/// new one. Throws OutputError naming the path.
inline void write_file_atomic(const std::string& path, const std::string& content) {
  AtomicOutput out(path);
  out.write(content);
  out.commit();
}

}  // namespace cli

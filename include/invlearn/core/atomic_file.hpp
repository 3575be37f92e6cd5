#pragma once
/// @file atomic_file.hpp
/// Writing a file so that a crash or a failure never leaves it half written.

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>

#if defined(__unix__) || defined(__APPLE__)
#include <fcntl.h>
#include <unistd.h>
#define INVLEARN_ATOMIC_FILE_POSIX_ 1
#endif

#include "invlearn/core/error.hpp"

namespace invlearn {

/// Writes `bytes` to `path` atomically: to `path + ".tmp"` first, flushed and fsync'ed
/// (on POSIX), then renamed over `path`, and the directory fsync'ed so that the rename
/// itself survives a crash. Readers of `path` see its old content or all of the new.
///
/// On any failure throws `ErrorT` (an invlearn Error by default; io/ passes
/// CheckpointError) reading "cannot write <what> '<path>': <step>: <reason>; the
/// previous file, if any, is unchanged", and removes the temporary file if this call
/// created it. Two writers of the same path at once share the temporary name: callers
/// serialize their writes (one checkpoint per run, one report per program).
template <class ErrorT = Error>
inline void write_file_atomic(const std::string& path, const std::string& bytes, const std::string& what = "file") {
  const std::string tmp = path + ".tmp";
  std::FILE* f = nullptr;
  auto fail = [&](const std::string& step, int err) {
    if (f != nullptr) {
      std::fclose(f);
      std::remove(tmp.c_str());  // only a file this call created
    }
    throw ErrorT("cannot write " + what + " '" + path + "': " + step +
                 (err != 0 ? std::string(": ") + std::strerror(err) : std::string()) +
                 "; the previous file, if any, is unchanged");
  };
  errno = 0;
  f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) fail("cannot create the temporary file '" + tmp + "'", errno);
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size())
    fail("writing '" + tmp + "' failed", errno);
  if (std::fflush(f) != 0) fail("flushing '" + tmp + "' failed", errno);
#if defined(INVLEARN_ATOMIC_FILE_POSIX_)
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
#if defined(INVLEARN_ATOMIC_FILE_POSIX_)
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

}  // namespace invlearn

#undef INVLEARN_ATOMIC_FILE_POSIX_

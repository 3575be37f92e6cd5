#pragma once
// Writing a whole file atomically: through a temporary file in the same directory and
// a rename, so a reader never sees half a file, even if the program dies while
// writing it.

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include <unistd.h>

#include "common/errors.hpp"

namespace cli {

/// Writes `content` to `path`, which then holds either its old content or all of the
/// new one. Throws OutputError naming the path.
inline void write_file_atomic(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp." + std::to_string(static_cast<long>(::getpid()));
  auto fail = [&](const std::string& what) {
    const int err = errno;
    std::remove(tmp.c_str());
    throw OutputError("cannot write " + path + ": " + what + (err ? std::string(": ") + std::strerror(err) : ""));
  };
  errno = 0;
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) fail("cannot create " + tmp);
  const bool wrote = std::fwrite(content.data(), 1, content.size(), f) == content.size();
  const bool flushed = std::fflush(f) == 0 && ::fsync(::fileno(f)) == 0;
  const bool closed = std::fclose(f) == 0;
  if (!wrote || !flushed || !closed) fail("write failed");
  if (std::rename(tmp.c_str(), path.c_str()) != 0) fail("rename failed");
}

}  // namespace cli

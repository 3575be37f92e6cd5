#pragma once
// Checks on the files a program will read or write, made before any work starts, so a
// typo in a directory name fails at once instead of after an hour of training.

#include <string>

#include <unistd.h>

#include "common/errors.hpp"

namespace cli {

/// Whether `path` can be opened for reading.
inline bool readable(const std::string& path) { return ::access(path.c_str(), R_OK) == 0; }

/// Throws UsageError naming `flag` unless `path` names a file whose directory exists
/// and is writable.
inline void check_output_path(const std::string& flag, const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  if (path.empty() || path.back() == '/') throw UsageError(flag + ": " + path + " names a directory, not a file");
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    throw UsageError(flag + ": cannot write to directory " + dir + " (missing or not writable)");
}

}  // namespace cli

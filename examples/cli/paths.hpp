#pragma once
// Output paths: one file per method when several methods run, and an early check
// that an output can be created, so a typo in a directory name fails at once
// instead of after an hour of training.

#include <string>

#include <unistd.h>

#include "args.hpp"

namespace cli {

/// `path` with `.method` inserted before the extension of its last component:
/// "out/trace.csv" → "out/trace.ig.csv", "trace" → "trace.ig", "run.d/trace" →
/// "run.d/trace.ig". A leading dot (".trace") is part of the name, not an extension.
inline std::string with_method(const std::string& path, const std::string& method) {
  const std::size_t slash = path.find_last_of('/');
  const std::size_t name_start = slash == std::string::npos ? 0 : slash + 1;
  const std::size_t dot = path.find_last_of('.');
  if (dot == std::string::npos || dot <= name_start) return path + "." + method;
  return path.substr(0, dot) + "." + method + path.substr(dot);
}

/// The path a per-method output goes to: `path` itself when one method runs,
/// with_method() otherwise.
inline std::string output_path(const std::string& path, const std::string& method, bool several) {
  return several ? with_method(path, method) : path;
}

/// Throws UsageError naming `flag` unless `path`'s directory exists and is writable.
inline void check_output_path(const std::string& flag, const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  if (path.empty() || path.back() == '/') throw UsageError(flag + ": " + path + " names a directory, not a file");
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    throw UsageError(flag + ": cannot write to directory " + dir + " (missing or not writable)");
}

}  // namespace cli

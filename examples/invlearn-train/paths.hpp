#pragma once
// Per-method output names: when several methods run, --trace, --save and --resume
// use one file per method, the method name before the extension.

#include <string>

namespace train {

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

}  // namespace train

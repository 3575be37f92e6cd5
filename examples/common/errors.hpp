#pragma once
// The errors the command-line programs report themselves, and the exit codes every
// program uses: 0 success, 2 bad usage or bad input, 1 any other failure.

#include <stdexcept>
#include <string>

namespace cli {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

/// Bad usage: unknown flag, missing or malformed value, value out of range, flags that
/// do not go together, an output directory that is missing. Exit code 2; the message
/// names the flag.
class UsageError : public std::runtime_error {
 public:
  explicit UsageError(const std::string& what) : std::runtime_error(what) {}
};

/// An output (JSON, trace, checkpoint, stdout) could not be written. Exit code 1.
class OutputError : public std::runtime_error {
 public:
  explicit OutputError(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace cli

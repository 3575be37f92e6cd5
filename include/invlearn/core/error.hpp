#pragma once
/// @file error.hpp
/// Exception types. Every error names what was wrong: the file and line, the field,
/// the argument, or the training step and method.

#include <stdexcept>
#include <string>

namespace invlearn {

/// Base of every exception invlearn throws.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

/// A caller passed something the API cannot take (ids out of range, zero sizes, ...).
class InvalidArgument : public Error {
 public:
  explicit InvalidArgument(const std::string& what) : Error(what) {}
};

/// An option holds a value the library cannot use (or one that does not fit the data).
/// option() names it as the library spells it, `Struct::field` (e.g.
/// "SplitOptions::label_fraction", "LabelRule::positive_above"), and the message names it
/// the same way, so a program can map the name to its own flag or setting.
class OptionError : public InvalidArgument {
 public:
  /// The message reads `[context: ]option: problem`.
  OptionError(const std::string& option, const std::string& problem, const std::string& context = "")
      : InvalidArgument((context.empty() ? std::string() : context + ": ") + option + ": " + problem),
        option_(option) {}
  const std::string& option() const noexcept { return option_; }

 private:
  std::string option_;
};

/// Malformed input data. The message reads `file:line: field: problem`.
class ParseError : public Error {
 public:
  ParseError(const std::string& file, long long line, const std::string& field,
             const std::string& problem)
      : Error(file + ":" + std::to_string(line) + ": " +
              (field.empty() ? std::string() : field + ": ") + problem),
        file_(file),
        line_(line),
        field_(field) {}
  const std::string& file() const noexcept { return file_; }
  long long line() const noexcept { return line_; }
  const std::string& field() const noexcept { return field_; }

 private:
  std::string file_;
  long long line_;
  std::string field_;
};

/// A loss or gradient became NaN or infinite. Training stops; the last good
/// parameters are kept by the trainer.
class NumericalError : public Error {
 public:
  explicit NumericalError(const std::string& what) : Error(what) {}
};

/// A checkpoint could not be written or read (truncated, corrupted, wrong version or model).
class CheckpointError : public Error {
 public:
  explicit CheckpointError(const std::string& what) : Error(what) {}
};

/// Throws InvalidArgument with `message` unless `condition` holds.
inline void require(bool condition, const std::string& message) {
  if (!condition) throw InvalidArgument(message);
}

/// Throws OptionError(option, problem) unless `condition` holds.
inline void require_option(bool condition, const char* option, const std::string& problem) {
  if (!condition) throw OptionError(option, problem);
}

}  // namespace invlearn

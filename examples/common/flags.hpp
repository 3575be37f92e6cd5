#pragma once
// Defining a program's flags on a CLI::App. Each value flag takes its text and
// converts it strictly (values.hpp); its --help line ends with "(default: X)", X read
// from the variable the flag sets, so the help cannot drift from the code.

#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/errors.hpp"
#include "common/values.hpp"

namespace cli {

/// Longest line of a flag's description in --help, after the column of flag names.
constexpr std::size_t kHelpLineWidth = 62;

/// `description` with "(default: X)" after it, on a line of its own if the last line
/// would grow too long; `description` alone if `default_text` is empty.
inline std::string with_default(std::string description, const std::string& default_text) {
  if (default_text.empty()) return description;
  const std::string suffix = "(default: " + default_text + ")";
  const std::size_t newline = description.rfind('\n');
  const std::size_t last_line = description.size() - (newline == std::string::npos ? 0 : newline + 1);
  description += (last_line + 1 + suffix.size() > kHelpLineWidth ? "\n" : " ") + suffix;
  return description;
}

/// A flag that takes one value, given as `--flag value`, `--flag=value` or a
/// `flag = value` line of the --config file. `set(flag, text)` stores the value and
/// throws UsageError for one it refuses; an empty value is refused before.
template <class Set>
CLI::Option* add_value_flag(CLI::App& app, const std::string& flag, const std::string& value_name,
                            const std::string& description, const std::string& default_text, Set set) {
  auto store = [flag, set](const std::string& text) {
    if (text.empty()) throw UsageError(flag + ": empty value");
    set(flag, text);
  };
  return app.add_option_function<std::string>(flag, store, with_default(description, default_text))
      ->type_name(value_name);
}

/// A flag whose value is stored as given, such as a path.
inline CLI::Option* add_text_flag(CLI::App& app, const std::string& flag, const std::string& value_name,
                                  std::string& target, const std::string& description,
                                  const std::string& default_text) {
  return add_value_flag(app, flag, value_name, description, default_text,
                        [&target](const std::string&, const std::string& text) { target = text; });
}

/// A flag that may be given several times, one value each (`--exclude a --exclude b`),
/// every value appended to `target` (in no particular order).
inline CLI::Option* add_list_flag(CLI::App& app, const std::string& flag, const std::string& value_name,
                                  std::vector<std::string>& target, const std::string& description) {
  return app.add_option(flag, target, description)->type_name(value_name)->expected(1)->take_all();
}

/// A flag whose value is one of `allowed`.
inline CLI::Option* add_choice_flag(CLI::App& app, const std::string& flag, const std::string& value_name,
                                    std::string& target, std::vector<std::string> allowed,
                                    const std::string& description) {
  const std::string default_text = target;
  return add_value_flag(app, flag, value_name, description, default_text,
                        [&target, allowed = std::move(allowed)](const std::string& f, const std::string& text) {
                          target = parse_choice(f, text, allowed);
                        });
}

/// A flag whose value is a decimal integer in [lo, hi].
template <class Int>
CLI::Option* add_integer_flag(CLI::App& app, const std::string& flag, Int& target, long long lo, long long hi,
                              const std::string& description) {
  return add_value_flag(app, flag, "N", description, std::to_string(target),
                        [&target, lo, hi](const std::string& f, const std::string& text) {
                          target = static_cast<Int>(parse_integer(f, text, lo, hi));
                        });
}

/// A flag whose value is a finite number for which `accept` holds; `requirement`
/// says which ("> 0", "in (0, 1]") in the message for one it refuses. `Number` may
/// be a std::optional<double>, whose default is then described by `default_text`.
template <class Number, class Accept>
CLI::Option* add_number_flag(CLI::App& app, const std::string& flag, Number& target, Accept accept,
                             const std::string& requirement, const std::string& description,
                             const std::string& default_text) {
  return add_value_flag(app, flag, "X", description, default_text,
                        [&target, accept, requirement](const std::string& f, const std::string& text) {
                          const double v = parse_double(f, text);
                          if (!accept(v)) throw UsageError(f + ": must be " + requirement + ", got " + text);
                          target = v;
                        });
}

/// Any finite number.
inline bool any_number(double) { return true; }

}  // namespace cli

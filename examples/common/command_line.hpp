#pragma once
// Reading a program's flags from argv and from a --config file with CLI11.
//
// CLI11 knows the flags, reads the config file and writes --help. Before it runs,
// check_command_line() applies the rules of argv that CLI11 does not have: a value
// flag followed by another flag is missing its value (CLI11 would take "--quiet" as
// the value of "--json"), "--flag=" is an empty value, a switch takes no "=value",
// no flag may be given twice (but one of add_list_flag's, flags.hpp), and an unknown
// flag gets a "did you mean". ConfigFile applies the same rules to the lines of a
// --config file. Every problem is a
// UsageError, so main() exits with code 2.

#include <algorithm>
#include <istream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/errors.hpp"
#include "common/values.hpp"

namespace cli {

/// The long names ("--epochs") of every flag of `app`.
inline std::vector<std::string> long_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* opt : app.get_options())
    for (const std::string& n : opt->get_lnames()) names.push_back("--" + n);
  return names;
}

/// Levenshtein distance, for "did you mean" hints on misspelled flags.
inline std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

/// " (did you mean --epochs?)" for the flag of `app` closest to `flag` (at most two
/// edits away), or "" when none is that close.
inline std::string did_you_mean(const std::string& flag, const CLI::App& app) {
  std::string best;
  std::size_t best_distance = 3;
  for (const std::string& name : long_names(app)) {
    const std::size_t d = edit_distance(flag, name);
    if (d < best_distance) {
      best_distance = d;
      best = name;
    }
  }
  return best.empty() ? std::string() : " (did you mean " + best + "?)";
}

/// A flag that may be given more than once, each time with one value (add_list_flag).
inline bool repeatable(const CLI::Option& opt) {
  return opt.get_multi_option_policy() == CLI::MultiOptionPolicy::TakeAll;
}

/// True when the flag was given, on the command line or in the --config file.
inline bool given(const CLI::App& app, const std::string& flag) { return app.count(flag) > 0; }

/// The argv rules CLI11 does not enforce (see the top of this file). `args` is argv
/// without the program name.
inline void check_command_line(const CLI::App& app, const std::vector<std::string>& args) {
  std::vector<const CLI::Option*> seen;
  for (std::size_t k = 0; k < args.size(); ++k) {
    const std::string& arg = args[k];
    if (arg.rfind("--", 0) != 0)
      throw UsageError("unexpected argument " + in_quotes(arg) + " (flags start with --; see --help)");
    const std::size_t eq = arg.find('=');
    const std::string flag = arg.substr(0, eq);
    const CLI::Option* opt = flag.size() > 2 ? app.get_option_no_throw(flag) : nullptr;
    if (opt == nullptr) throw UsageError("unknown flag " + in_quotes(flag) + did_you_mean(flag, app));
    if (!repeatable(*opt) && std::find(seen.begin(), seen.end(), opt) != seen.end())
      throw UsageError(flag + ": given more than once");
    seen.push_back(opt);
    if (opt->get_expected_min() == 0) {
      if (eq != std::string::npos) throw UsageError(flag + ": takes no value");
      continue;
    }
    if (eq != std::string::npos) {
      if (eq + 1 == arg.size()) throw UsageError(flag + ": empty value");
      continue;
    }
    // A following flag is not a value, but a negative number is: "--epochs -1" is
    // then reported as out of range rather than as missing.
    if (k + 1 >= args.size() || args[k + 1].rfind("--", 0) == 0) throw UsageError(flag + ": missing value");
    ++k;
  }
}

/// A --config file: "flag = value" lines (TOML or INI; '#' and ';' start comments;
/// a switch is "quiet = true" or just "quiet"). Keys are the flags without their
/// dashes. A flag given on the command line overrides the file. Unknown keys,
/// sections, a key given twice, --config and --help, and several values for a
/// one-value flag (an unquoted value with a comma or a space) are usage errors.
class ConfigFile : public CLI::ConfigTOML {
 public:
  explicit ConfigFile(const CLI::App& app) : app_(&app) {}

  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override {
    std::vector<CLI::ConfigItem> items = CLI::ConfigTOML::from_config(input);
    std::vector<const CLI::Option*> seen;
    for (const CLI::ConfigItem& item : items) {
      if (!item.parents.empty())
        throw UsageError(where() + "section [" + item.parents.front() + "]: the file holds flag = value lines only");
      const std::string flag = item.name.rfind("--", 0) == 0 ? item.name : "--" + item.name;
      const CLI::Option* opt = app_->get_option_no_throw(flag);
      if (opt == nullptr || opt->get_lnames().empty())
        throw UsageError(where() + "unknown flag " + in_quotes(item.name) + did_you_mean(flag, *app_));
      if (!opt->get_configurable()) throw UsageError(where() + item.name + ": cannot be set in the file");
      if (!repeatable(*opt) && std::find(seen.begin(), seen.end(), opt) != seen.end())
        throw UsageError(where() + item.name + ": given more than once");
      seen.push_back(opt);
      // Lists (--method none,ig) ask CLI11 to join what it split at the commas.
      if (item.inputs.size() > 1 && opt->get_multi_option_policy() != CLI::MultiOptionPolicy::Join &&
          !repeatable(*opt))
        throw UsageError(where() + item.name + ": expected one value, got " + std::to_string(item.inputs.size()) +
                         " (given twice? a value that holds a comma or a space goes in quotes)");
    }
    return items;
  }

 private:
  /// "--config FILE: ", the prefix of every message about the file.
  std::string where() const {
    const CLI::Option* config = app_->get_config_ptr();
    const std::string path = config != nullptr && !config->results().empty() ? config->results().back() : "";
    return "--config " + path + ": ";
  }

  const CLI::App* app_;
};

/// Adds --config FILE to `app`, read by ConfigFile.
inline CLI::Option* add_config_flag(CLI::App& app, const std::string& description) {
  app.config_formatter(std::make_shared<ConfigFile>(app));
  CLI::Option* opt = app.set_config("--config", "", description);
  return opt->type_name("FILE");
}

/// Parses `args` (argv without the program name) into the flags of `app`. Returns
/// false, without parsing, when --help or -h is anywhere in `args`: help wins over
/// every other problem. Throws UsageError for anything wrong.
inline bool parse_command_line(CLI::App& app, const std::vector<std::string>& args) {
  for (const std::string& a : args)
    if (a == "--help" || a == "-h") return false;
  check_command_line(app, args);
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 consumes from the back
  try {
    app.parse(reversed);
  } catch (const CLI::FileError& e) {
    throw UsageError("--config: " + std::string(e.what()));
  } catch (const CLI::ParseError& e) {
    throw UsageError(e.what());
  }
  return true;
}

/// Parses `args` into fresh Options: `make_app(app, o)` defines the flags on `app`, each
/// storing into `o`, then `check(app, o)` checks the flags that only go together. With
/// --help anywhere, returns Options whose `help` is set, without parsing. Throws
/// UsageError for anything wrong.
template <class Options, class MakeApp, class Check>
Options parse_options(const std::vector<std::string>& args, MakeApp make_app, Check check) {
  Options o;
  CLI::App app;
  make_app(app, o);
  if (!parse_command_line(app, args)) {
    Options help;
    help.help = true;
    return help;
  }
  check(app, o);
  return o;
}

}  // namespace cli

#pragma once
// Library messages name library options ("SplitOptions::label_fraction must be in
// (0, 1]"); a program's user knows its flags. Each program keeps a table, next to its
// flag definitions, of the library options its flags set, and its messages name the
// flags instead.

#include <cctype>
#include <string>
#include <vector>

namespace cli {

/// A library option (`Struct::field`) and the flag that sets it.
struct OptionFlag {
  std::string option;  ///< "SplitOptions::label_fraction"
  std::string flag;    ///< "--label-fraction"
};

/// `message` with every option of `table` replaced by its flag. Only whole names are
/// replaced: "SplitOptions::unlabeled" does not match inside
/// "SplitOptions::unlabeled_pool".
inline std::string with_flag_names(std::string message, const std::vector<OptionFlag>& table) {
  // A name goes on through letters, digits, '_' and "::" (a longer qualified name).
  auto name_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  auto continues_before = [&](std::size_t at) {
    return at > 0 && (name_char(message[at - 1]) || (at > 1 && message.compare(at - 2, 2, "::") == 0));
  };
  auto continues_after = [&](std::size_t end) {
    return end < message.size() && (name_char(message[end]) || message.compare(end, 2, "::") == 0);
  };
  for (const OptionFlag& entry : table) {
    for (std::size_t at = message.find(entry.option); at != std::string::npos;
         at = message.find(entry.option, at)) {
      const std::size_t end = at + entry.option.size();
      const bool whole = !continues_before(at) && !continues_after(end);
      if (!whole) {
        at = end;
        continue;
      }
      message.replace(at, entry.option.size(), entry.flag);
      at += entry.flag.size();
    }
  }
  return message;
}

}  // namespace cli

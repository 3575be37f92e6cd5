#pragma once
// The flags of invlearn-recommend, their checks and the --help text. Every problem is a
// UsageError that names the flag (exit code 2).

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/command_line.hpp"
#include "common/errors.hpp"
#include "common/flags.hpp"
#include "options.hpp"

namespace recommend {

inline void make_app(CLI::App& app, Options& o) {
  using namespace cli;
  app.name("invlearn-recommend");
  app.description(
      "Recommends the top k items of the whole catalogue to users of a model trained by\n"
      "invlearn-train (--save) or saved with invlearn::save_model, GMF or NeuMF. Items are\n"
      "ranked by the model's score, ties to the item that comes first in the model's item\n"
      "ids (invlearn-train's: the order in which items first appear in its data files); the\n"
      "items of --exclude files are never recommended to their users.\n");
  app.footer(
      "Output (tsv): one line per recommendation, user<TAB>rank<TAB>item<TAB>score, rank 1..k,\n"
      "raw ids as in the training data, the score being the model's logit. A user has fewer\n"
      "than k lines only when fewer items are left once its excluded items are taken out.\n"
      "json: {\"k\": k, \"recommendations\": [{\"user\": u, \"items\": [...], \"scores\": [...]}, ...]}.\n"
      "\n"
      "Exit status: 0 success; 2 bad usage or bad input (an unknown user id, k < 1, a missing\n"
      "or damaged file, a model other than GMF or NeuMF); 1 any other failure.");
  app.get_formatter()->column_width(30);
  add_text_flag(app, "--load", "PATH", o.load, "the model: a --save checkpoint of invlearn-train or a model file", "")
      ->required();
  add_text_flag(app, "--users", "all|FILE", o.users,
                "all the model's users (in the order of its training data),\n"
                "or a file of raw user ids, one per line",
                o.users);
  add_integer_flag(app, "--k", o.k, 1, 1LL << 31, "items per user, >= 1");
  add_list_flag(app, "--exclude", "PATH", o.exclude,
                "a ratings file (any format --data of invlearn-train reads) whose\n"
                "pairs are never recommended, e.g. the training data; may be given\n"
                "several times. Rows whose user or item the model does not know are\n"
                "ignored (and counted on stderr)");
  add_choice_flag(app, "--exclude-format", "F", o.exclude_format, {"auto", "movielens", "tsv", "csv", "watch-ratio"},
                  "format of the --exclude files");
  add_choice_flag(app, "--format", "F", o.format, {"tsv", "json"}, "tsv|json");
  add_text_flag(app, "--out", "PATH", o.out, "write to PATH (atomically) instead of stdout", "stdout");
  add_integer_flag(app, "--threads", o.threads, 0, 4096, "OpenMP threads, 0 = OpenMP's default");
  app.set_help_flag("-h,--help", "show this text and exit");
}

inline std::string help_text() {
  Options o;
  CLI::App app;
  make_app(app, o);
  return app.help();
}

/// Refuses flags that would have no effect.
inline void check_combinations(const CLI::App& app, Options&) {
  if (!cli::given(app, "--exclude") && cli::given(app, "--exclude-format"))
    throw cli::UsageError("--exclude-format: applies to --exclude files, and none is given");
}

/// Parses argv without the program name; with --help, returns at once with help set.
inline Options parse_args(const std::vector<std::string>& args) {
  return cli::parse_options<Options>(args, make_app, check_combinations);
}

}  // namespace recommend

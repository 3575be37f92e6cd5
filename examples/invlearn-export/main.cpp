// invlearn-export: a saved GMF's user and item vectors (score = u·v + bias, for any
// inner-product index such as faiss or hnswlib), or a NeuMF's embeddings and weights,
// as .tsv and .npy files. See docs/serving.md or `invlearn-export --help`.
//
// Exit status: 0 success; 2 bad usage or bad input; 1 any other failure.

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <sys/stat.h>

#include <CLI/CLI.hpp>

#include "common/command_line.hpp"
#include "common/errors.hpp"
#include "common/flags.hpp"
#include "common/main.hpp"
#include "common/model_file.hpp"
#include "export.hpp"

namespace {

struct Options {
  std::string load, out;
  bool help = false;
};

void make_app(CLI::App& app, Options& o) {
  app.name("invlearn-export");
  app.description(
      "Writes the vectors of a model trained by invlearn-train (--save) or saved with\n"
      "invlearn::save_model into a directory, as .tsv (raw id, then the values) and .npy.\n"
      "GMF: user_vectors (e_u * w) and item_vectors (e_i), so that score = u . v + bias\n"
      "(scoring.json: {\"kind\": \"inner_product\", \"bias\": b}): any inner-product index\n"
      "(faiss, hnswlib) serves it. NeuMF: its embeddings and MLP weights, \"kind\": \"neumf\".\n");
  app.footer("Exit status: 0 success; 2 bad usage or bad input (a missing or damaged file, a model\n"
             "other than GMF or NeuMF, an output directory that cannot be made); 1 any other failure.");
  app.get_formatter()->column_width(24);
  cli::add_text_flag(app, "--load", "PATH", o.load, "the model: a --save checkpoint or a model file", "")->required();
  cli::add_text_flag(app, "--out", "DIR", o.out, "the directory to write (made if missing; its parent must exist)", "")
      ->required();
  app.set_help_flag("-h,--help", "show this text and exit");
}

/// Makes `dir` unless it is a directory already.
void make_directory(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) throw cli::UsageError("--out: " + dir + " exists and is not a directory");
    return;
  }
  if (::mkdir(dir.c_str(), 0777) != 0)
    throw cli::UsageError("--out: cannot make directory " + dir + ": " + std::strerror(errno));
}

int run(const std::vector<std::string>& args) {
  Options o;
  CLI::App app;
  make_app(app, o);
  if (!cli::parse_command_line(app, args)) {
    std::fputs(app.help().c_str(), stdout);
    if (std::fflush(stdout) != 0) throw cli::OutputError("cannot write the help text to stdout");
    return cli::kExitOk;
  }
  return cli::with_model_file("--load", o.load, [&](const auto& model, const invlearn::IdMap& users,
                                                    const invlearn::IdMap& items) {
    make_directory(o.out);
    exporter::Files files(o.out);
    exporter::export_model(model, users, items, files);
    std::printf("%s: wrote %zu files to %s\n", std::decay_t<decltype(model)>::kind, files.written().size(),
                o.out.c_str());
    if (std::fflush(stdout) != 0) throw cli::OutputError("cannot write to stdout");
    return cli::kExitOk;
  });
}

}  // namespace

int main(int argc, char** argv) { return cli::run_program("invlearn-export", argc, argv, {}, run); }

// invlearn-train: trains GMF or NeuMF with the methods of Lin et al., WSDM'24 on a
// ratings file or the built-in synthetic data, and prints a table like the paper's
// Table 1. See docs/cli.md or `invlearn-train --help`.
//
// Exit status: 0 success; 2 bad usage or bad input; 1 any other failure.

#include <cstdio>
#include <string>
#include <vector>

#include <invlearn/ig.hpp>

#include "common/atomic_file.hpp"
#include "common/errors.hpp"
#include "common/main.hpp"
#include "data.hpp"
#include "flags.hpp"
#include "parse.hpp"
#include "preflight.hpp"
#include "progress.hpp"
#include "report.hpp"
#include "results.hpp"
#include "run_method.hpp"

namespace {

template <class Model>
train::MethodResult run_one(const std::string& method, const train::RunSettings& settings) {
  train::MethodResult r;
  try {
    r = train::run_method<Model>(method, settings);
  } catch (const invlearn::NumericalError& e) {
    // A diverging method should not cost the results of the others: report it and go on.
    r.method = method;
    r.error = e.what();
    settings.progress.line("[" + method + "] failed: " + e.what());
  }
  // Recorded for a failed run too: they are part of what was run.
  if (method == "ig") {
    r.ig_schedule = settings.options.ig_schedule;
    r.ig_step = settings.options.ig_step;
  }
  return r;
}

void flush_stdout(const char* what) {
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) throw cli::OutputError(std::string("cannot write ") + what + " to stdout");
}

int run(const std::vector<std::string>& args) {
  const train::Options o = train::parse_args(args);
  if (o.help) {
    std::fputs(train::help_text().c_str(), stdout);
    flush_stdout("the help text");
    return cli::kExitOk;
  }
  train::check_before_work(o);
  invlearn::set_threads(o.threads);

  const train::LoadedData data = train::load_data(o);
  const train::DatasetSummary summary = train::summarize(data, o);
  std::printf("%s\n", train::format_dataset_line(summary).c_str());
  std::fflush(stdout);

  train::Progress progress(train::Progress::detect(o.quiet));
  const train::RunSettings settings{o, data, progress, o.methods.size() > 1};
  std::vector<train::MethodResult> results;
  for (const std::string& method : o.methods) {
    results.push_back(o.model == "neumf" ? run_one<invlearn::NeuMF<float>>(method, settings)
                                         : run_one<invlearn::GMF<float>>(method, settings));
    // Rewritten after every method, so an interrupted run keeps what finished.
    if (!o.json.empty()) cli::write_file_atomic(o.json, train::report_json(summary, o.model, results));
  }

  std::printf("%s\n", train::format_table_header(o.topk).c_str());
  bool all_ok = true;
  for (const auto& r : results) {
    std::printf("%s\n", train::format_table_row(r).c_str());
    all_ok = all_ok && r.ok();
  }
  flush_stdout("the results");
  return all_ok ? cli::kExitOk : cli::kExitFailure;
}

}  // namespace

int main(int argc, char** argv) { return cli::run_program("invlearn-train", argc, argv, train::option_flags(), run); }

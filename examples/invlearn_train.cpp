// invlearn-train: trains GMF or NeuMF with the methods of Lin et al., WSDM'24 on a
// ratings file or the built-in synthetic data, and prints a table like the paper's
// Table 1. See docs/cli.md or `invlearn-train --help`.
//
// Exit status: 0 success; 2 bad usage or bad input; 1 any other failure.

#include <algorithm>
#include <csignal>
#include <cstring>
#include <cstdio>
#include <exception>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include <invlearn/ig.hpp>

#include "cli/args.hpp"
#include "cli/checkpoint.hpp"
#include "cli/data.hpp"
#include "cli/json.hpp"
#include "cli/paths.hpp"
#include "cli/progress.hpp"
#include "cli/results.hpp"
#include "cli/run_method.hpp"

namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

/// Output and checkpoint paths, and whether an IG checkpoint fits --ig-schedule and
/// --ig-step, are checked before any work, so a mistake fails at once.
void check_paths(const cli::Options& o) {
  const bool several = o.methods.size() > 1;
  if (!o.json.empty()) cli::check_output_path("--json", o.json);
  for (const std::string& m : o.methods) {
    if (!o.trace.empty()) cli::check_output_path("--trace", cli::output_path(o.trace, m, several));
    if (!o.save.empty()) cli::check_output_path("--save", cli::output_path(o.save, m, several));
  }
  // A resumed multi-method run starts the methods it has no file for from scratch
  // (the interrupted run never reached them), but at least one file must be there:
  // otherwise the path is wrong and nothing would be resumed.
  if (!o.load.empty() && !cli::readable(o.load)) throw cli::UsageError("--load: cannot read " + o.load);
  if (!o.resume.empty() && !several && !cli::readable(o.resume))
    throw cli::UsageError("--resume: cannot read " + o.resume);
  if (!o.resume.empty() && several) {
    bool any = false;
    for (const std::string& m : o.methods) any = any || cli::readable(cli::output_path(o.resume, m, several));
    if (!any)
      throw cli::UsageError("--resume: no checkpoint found for any method (looked for " +
                            cli::output_path(o.resume, o.methods.front(), several) + " and the like)");
  }
  if (!o.resume.empty() && std::find(o.methods.begin(), o.methods.end(), "ig") != o.methods.end()) {
    const std::string ig = cli::output_path(o.resume, "ig", several);
    if (cli::readable(ig)) cli::check_ig_resume(ig, o);
  }
}

template <class Model>
cli::MethodResult run_one(const std::string& method, const cli::RunSettings& settings) {
  cli::MethodResult r;
  try {
    r = cli::run_method<Model>(method, settings);
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

int run(int argc, char** argv) {
  const cli::Options o = cli::parse_args(argc, argv);
  if (o.help) {
    std::fputs(cli::help_text().c_str(), stdout);
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) throw cli::OutputError("cannot write the help text to stdout");
    return 0;
  }
  check_paths(o);
  invlearn::set_threads(o.threads);

  const cli::LoadedData data = cli::load_data(o);
  const cli::DatasetSummary summary = cli::summarize(data, o);
  std::printf("%s\n", cli::format_dataset_line(summary).c_str());
  std::fflush(stdout);

  cli::Progress progress(cli::Progress::detect(o.quiet));
  const cli::RunSettings settings{o, data, progress, o.methods.size() > 1};
  std::vector<cli::MethodResult> results;
  for (const std::string& method : o.methods) {
    results.push_back(o.model == "neumf" ? run_one<invlearn::NeuMF<float>>(method, settings)
                                         : run_one<invlearn::GMF<float>>(method, settings));
    // Rewritten after every method, so an interrupted run keeps what finished.
    if (!o.json.empty()) cli::write_file_atomic(o.json, cli::to_json(summary, o.model, results));
  }

  std::printf("%s\n", cli::format_table_header().c_str());
  bool all_ok = true;
  for (const auto& r : results) {
    std::printf("%s\n", cli::format_table_row(r).c_str());
    all_ok = all_ok && r.ok();
  }
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) throw cli::OutputError("cannot write the results to stdout");
  return all_ok ? 0 : kExitFailure;
}

int report(const char* kind, const char* what, int code) {
  std::fprintf(stderr, "invlearn-train: %s%s\n", kind, what);
  return code;
}

/// A library message with the library's option names replaced by the flags that set them.
std::string with_flags(std::string what) {
  static const std::pair<const char*, const char*> names[] = {
      {"LabelRule::positive_above", "--positive-above"}, {"LabelRule::negative_below", "--negative-below"},
      {"SplitOptions::label_fraction", "--label-fraction"}, {"SplitOptions::unlabeled", "--unlabeled"},
      {"Format::watch_ratio", "--format watch-ratio"}, {"Format::csv", "--format csv"}, {"Format", "--format"}};
  for (const auto& [name, flag] : names)
    for (std::size_t at = what.find(name); at != std::string::npos; at = what.find(name, at + std::strlen(flag)))
      what.replace(at, std::strlen(name), flag);
  return what;
}

}  // namespace

int main(int argc, char** argv) {
  // A closed pipe on stdout must end in an error message and exit code, not SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  try {
    return run(argc, argv);
  } catch (const cli::UsageError& e) {
    std::fprintf(stderr, "invlearn-train: error: %s\n(see invlearn-train --help)\n", e.what());
    return kExitUsage;
  } catch (const invlearn::ParseError& e) {
    return report("error: ", with_flags(e.what()).c_str(), kExitUsage);
  } catch (const invlearn::InvalidArgument& e) {
    return report("error: ", with_flags(e.what()).c_str(), kExitUsage);
  } catch (const invlearn::CheckpointError& e) {
    return report("checkpoint error: ", e.what(), kExitUsage);
  } catch (const invlearn::NumericalError& e) {
    return report("training failed: ", e.what(), kExitFailure);
  } catch (const cli::OutputError& e) {
    return report("error: ", e.what(), kExitFailure);
  } catch (const std::bad_alloc&) {
    return report("error: ", "out of memory", kExitFailure);
  } catch (const std::exception& e) {
    return report("error: ", e.what(), kExitFailure);
  } catch (...) {
    return report("error: ", "unknown failure", kExitFailure);
  }
}

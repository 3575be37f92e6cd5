// invlearn-train: trains GMF or NeuMF with the methods of Lin et al., WSDM'24 on a
// ratings file or the built-in synthetic data, and prints a table like the paper's
// Table 1. See docs/cli.md or `invlearn-train --help`.
//
// Exit status: 0 success; 2 bad usage or bad input; 1 any other failure.
//
// Built with MPI, `mpirun -np N invlearn-train ...` trains data-parallel over N ranks
// (docs/distributed.md): rank 0 prints and writes the outputs; an error on any rank ends
// every rank with that rank's exit status.

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <invlearn/ig.hpp>
#if defined(INVLEARN_TRAIN_DISTRIBUTED)
#include <optional>

#include <invlearn/distributed/communicator.hpp>
#endif

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
#include "sweep.hpp"

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
    r.ig_preset = settings.options.ig_preset;
    if (r.ig_preset == "paper") {
      r.ig_schedule = settings.options.ig_schedule;
      r.ig_step = settings.options.ig_step;
    }
  }
  return r;
}

void flush_stdout(const char* what) {
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) throw cli::OutputError(std::string("cannot write ") + what + " to stdout");
}

#if defined(INVLEARN_TRAIN_DISTRIBUTED)
using Ranks = invlearn::Communicator;
#else
struct Ranks {
  bool is_root() const { return true; }
};
#endif

/// Every method of --method on one data set, in order; `after_each` runs when a method
/// is done (to write what finished).
template <class AfterEach>
std::vector<train::MethodResult> run_methods(const train::RunSettings& settings, AfterEach after_each) {
  std::vector<train::MethodResult> results;
  for (const std::string& method : settings.options.methods) {
    results.push_back(settings.options.model == "neumf" ? run_one<invlearn::NeuMF<float>>(method, settings)
                                                        : run_one<invlearn::GMF<float>>(method, settings));
    settings.progress.run_done();
    after_each(results);
  }
  return results;
}

bool print_table(const std::vector<train::MethodResult>& results, const std::vector<int>& topk) {
  std::printf("%s\n", train::format_table_header(topk).c_str());
  bool all_ok = true;
  for (const auto& r : results) {
    std::printf("%s\n", train::format_table_row(r).c_str());
    all_ok = all_ok && r.ok();
  }
  return all_ok;
}

/// --label-fraction with several values and/or --seeds above 1: every (fraction, seed)
/// is a run of its own data set; the JSON is rewritten after every method, the table of
/// means and standard deviations printed at the end.
int run_sweep(const train::Options& given, train::Progress& progress, const Ranks& ranks) {
  std::vector<std::uint64_t> seeds;
  for (int k = 0; k < given.seeds; ++k) seeds.push_back(given.seed + static_cast<std::uint64_t>(k));
  progress.begin_sweep(static_cast<long long>(given.label_fractions.size() * seeds.size() * given.methods.size()));
  std::vector<train::SweepRun> runs;
  bool all_ok = true;
  for (const double fraction : given.label_fractions)
    for (const std::uint64_t seed : seeds) {
      train::Options o = given;
      o.label_fraction = fraction;
      o.seed = seed;
      const train::LoadedData data = train::load_data(o);
      train::SweepRun run;
      run.label_fraction = fraction;
      run.seed = seed;
      run.dataset = train::summarize(data, o);
      std::printf("%s; seed %llu\n", train::format_dataset_line(run.dataset).c_str(),
                  static_cast<unsigned long long>(seed));
      std::fflush(stdout);
      char label[64];
      std::snprintf(label, sizeof label, " f=%g seed %llu", fraction, static_cast<unsigned long long>(seed));
      train::RunSettings settings{o, data, progress, true, label};
#if defined(INVLEARN_TRAIN_DISTRIBUTED)
      settings.comm = &ranks;
#else
      (void)ranks;
#endif
      runs.push_back(run);
      runs.back().results = run_methods(settings, [&](const std::vector<train::MethodResult>& done) {
        runs.back().results = done;
        if (!o.json.empty())
          cli::write_file_atomic(o.json, train::sweep_json(o.model, given.label_fractions, seeds, o.methods, runs));
      });
      for (const auto& r : runs.back().results) all_ok = all_ok && r.ok();
    }
  std::printf("%s\n", train::format_sweep_header().c_str());
  for (const train::SweepCell& c : train::summarize_sweep(runs, given.label_fractions, given.methods))
    std::printf("%s\n", train::format_sweep_row(c).c_str());
  flush_stdout("the results");
  return all_ok ? cli::kExitOk : cli::kExitFailure;
}

int run(const std::vector<std::string>& args, const Ranks& ranks) {
  train::Options o = train::parse_args(args);
  if (o.help) {
    std::fputs(train::help_text().c_str(), stdout);
    flush_stdout("the help text");
    return cli::kExitOk;
  }
  train::check_before_work(o);
  if (!ranks.is_root()) {  // rank 0 prints and writes; the others only read (--load, --resume)
    o.json.clear();
    o.trace.clear();
    o.save.clear();
    o.quiet = true;
  }
  invlearn::set_threads(o.threads);
  train::Progress progress(train::Progress::detect(o.quiet));
  if (o.sweep()) return run_sweep(o, progress, ranks);

  const train::LoadedData data = train::load_data(o);
  const train::DatasetSummary summary = train::summarize(data, o);
  std::printf("%s\n", train::format_dataset_line(summary).c_str());
  std::fflush(stdout);

  train::RunSettings settings{o, data, progress, o.methods.size() > 1, ""};
#if defined(INVLEARN_TRAIN_DISTRIBUTED)
  settings.comm = &ranks;
#endif
  const std::vector<train::MethodResult> results =
      run_methods(settings, [&](const std::vector<train::MethodResult>& done) {
        // Rewritten after every method, so an interrupted run keeps what finished.
        if (!o.json.empty()) cli::write_file_atomic(o.json, train::report_json(summary, o.model, done));
      });
  const bool all_ok = print_table(results, o.topk);
  flush_stdout("the results");
  return all_ok ? cli::kExitOk : cli::kExitFailure;
}

}  // namespace

int main(int argc, char** argv) {
#if defined(INVLEARN_TRAIN_DISTRIBUTED)
  std::optional<invlearn::MpiSession> mpi;
  if (invlearn::started_by_mpi_launcher()) mpi.emplace(argc, argv);
  const Ranks ranks = mpi ? Ranks() : Ranks(Ranks::solo());
  if (!ranks.is_root() && std::freopen("/dev/null", "w", stdout) == nullptr) return cli::kExitFailure;
#else
  const Ranks ranks{};
#endif
  const int code = cli::run_program("invlearn-train", argc, argv, train::option_flags(),
                                    [&](const std::vector<std::string>& args) { return run(args, ranks); });
#if defined(INVLEARN_TRAIN_DISTRIBUTED)
  // The other ranks may be waiting in a collective for this one: end them all.
  if (code != cli::kExitOk && ranks.size() > 1) ranks.abort(code);
#endif
  return code;
}

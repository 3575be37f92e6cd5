#pragma once
// What is checked before any work: that every output can be written, that the
// checkpoints to load or resume from are there, and that an IG checkpoint fits
// --ig-schedule and --ig-step. A mistake then fails at once, not after training.

#include <string>

#include "checkpoint.hpp"
#include "common/errors.hpp"
#include "common/paths.hpp"
#include "options.hpp"
#include "paths.hpp"

namespace train {

inline void check_before_work(const Options& o) {
  const bool several = o.methods.size() > 1;
  if (!o.json.empty()) cli::check_output_path("--json", o.json);
  for (const std::string& m : o.methods) {
    if (!o.trace.empty()) cli::check_output_path("--trace", output_path(o.trace, m, several));
    if (!o.save.empty()) cli::check_output_path("--save", output_path(o.save, m, several));
  }
  if (!o.load.empty() && !cli::readable(o.load)) throw cli::UsageError("--load: cannot read " + o.load);
  if (!o.resume.empty() && !several && !cli::readable(o.resume))
    throw cli::UsageError("--resume: cannot read " + o.resume);
  // A resumed multi-method run starts the methods it has no file for from scratch
  // (the interrupted run never reached them), but at least one file must be there:
  // otherwise the path is wrong and nothing would be resumed.
  if (!o.resume.empty() && several) {
    bool any = false;
    for (const std::string& m : o.methods) any = any || cli::readable(output_path(o.resume, m, several));
    if (!any)
      throw cli::UsageError("--resume: no checkpoint found for any method (looked for " +
                            output_path(o.resume, o.methods.front(), several) + " and the like)");
  }
  if (!o.resume.empty() && o.runs("ig")) {
    const std::string ig = output_path(o.resume, "ig", several);
    if (cli::readable(ig)) check_ig_resume(ig, o);
  }
}

}  // namespace train

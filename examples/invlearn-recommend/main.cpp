// invlearn-recommend: the top k items for users of a saved GMF or NeuMF model, over the
// whole catalogue, never an item of their --exclude files. See docs/serving.md or
// `invlearn-recommend --help`.
//
// Exit status: 0 success; 2 bad usage or bad input; 1 any other failure.

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include <invlearn/config.hpp>
#include <invlearn/rank/recommend.hpp>

#include "common/errors.hpp"
#include "common/main.hpp"
#include "common/model_file.hpp"
#include "common/paths.hpp"
#include "inputs.hpp"
#include "output.hpp"
#include "parse.hpp"

namespace {

/// Users ranked per recommend() call: the lists held at once.
constexpr std::size_t kUserBatch = 4096;

int run(const std::vector<std::string>& args) {
  const recommend::Options o = recommend::parse_args(args);
  if (o.help) {
    std::fputs(recommend::help_text().c_str(), stdout);
    if (std::fflush(stdout) != 0) throw cli::OutputError("cannot write the help text to stdout");
    return cli::kExitOk;
  }
  if (!o.out.empty()) cli::check_output_path("--out", o.out);
  invlearn::set_threads(o.threads);
  return cli::with_model_file("--load", o.load, [&](const auto& model, const invlearn::IdMap& users,
                                                    const invlearn::IdMap& items) {
    const std::vector<invlearn::Index> who = recommend::read_users(o.users, users);
    const invlearn::PairIndex exclude = recommend::read_exclusions(o.exclude, o.exclude_format, users, items);
    recommend::Writer writer(o.format, o.out, o.k);
    invlearn::Recommendations<typename std::decay_t<decltype(model)>::Scalar> lists;
    for (std::size_t b = 0; b < who.size(); b += kUserBatch) {
      const std::vector<invlearn::Index> batch(who.begin() + static_cast<std::ptrdiff_t>(b),
                                               who.begin() + static_cast<std::ptrdiff_t>(std::min(who.size(), b + kUserBatch)));
      invlearn::recommend(model, batch, static_cast<invlearn::Index>(o.k), exclude, lists);
      writer.add(lists, users, items);
    }
    writer.finish();
    return cli::kExitOk;
  });
}

}  // namespace

int main(int argc, char** argv) { return cli::run_program("invlearn-recommend", argc, argv, {}, run); }

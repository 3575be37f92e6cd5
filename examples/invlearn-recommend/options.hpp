#pragma once
// What the command line of invlearn-recommend sets, with its defaults.

#include <string>
#include <vector>

namespace recommend {

struct Options {
  std::string load;                  ///< the checkpoint or model file
  std::string users = "all";         ///< "all", or a file of raw user ids, one per line
  long long k = 20;                  ///< items per user
  std::vector<std::string> exclude;  ///< ratings files whose (user, item) pairs are never recommended
  std::string exclude_format = "auto";
  std::string format = "tsv";        ///< tsv or json
  std::string out;                   ///< empty: stdout
  int threads = 0;
  bool help = false;
};

}  // namespace recommend

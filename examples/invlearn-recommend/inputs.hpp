#pragma once
// The inputs of invlearn-recommend besides the model: the users to recommend to (--users)
// and the pairs never to recommend (--exclude), both in raw ids mapped through the
// model's id maps.

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <invlearn/core/text.hpp>
#include <invlearn/data/id_map.hpp>
#include <invlearn/data/interactions.hpp>
#include <invlearn/data/pair_index.hpp>
#include <invlearn/data/read.hpp>

#include "common/errors.hpp"
#include "common/paths.hpp"

namespace recommend {

/// `text` without the spaces, tabs and carriage returns around it.
inline std::string trimmed(const std::string& text) {
  const std::size_t b = text.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return text.substr(b, text.find_last_not_of(" \t\r") - b + 1);
}

/// The users of `spec`: "all" (every user of the model, in dense order) or a file of raw
/// ids, one per line (blank lines skipped), in the file's order. An id the model does not
/// know is a UsageError naming the file, the line and the id.
inline std::vector<invlearn::Index> read_users(const std::string& spec, const invlearn::IdMap& users) {
  std::vector<invlearn::Index> out;
  if (spec == "all") {
    for (invlearn::Index u = 0; u < users.size(); ++u) out.push_back(u);
    return out;
  }
  std::ifstream in(spec, std::ios::binary);
  if (!in) throw cli::UsageError("--users: cannot read " + spec + " (missing or not readable; or give all)");
  std::string line;
  for (long long number = 1; std::getline(in, line); ++number) {
    const std::string raw = trimmed(line);
    if (raw.empty()) continue;
    const invlearn::Index u = users.find(raw);
    if (u < 0)
      throw cli::UsageError("--users: " + spec + ":" + std::to_string(number) + ": unknown user id " +
                            invlearn::shown(raw) + " (the model has " + std::to_string(users.size()) + " users)");
    out.push_back(u);
  }
  if (in.bad()) throw cli::UsageError("--users: cannot read " + spec);
  return out;
}

/// The (user, item) pairs of the ratings files `paths`, in the model's dense ids. Rows
/// whose user or item the model does not know are dropped, and each file that had any
/// says how many on stderr. A malformed file is an invlearn::ParseError (exit 2).
inline invlearn::PairIndex read_exclusions(const std::vector<std::string>& paths, const std::string& format,
                                           const invlearn::IdMap& users, const invlearn::IdMap& items) {
  invlearn::Interactions pairs;
  pairs.num_users = users.size();
  pairs.num_items = items.size();
  for (const std::string& path : paths) {
    if (!cli::readable(path)) throw cli::UsageError("--exclude: cannot read " + path + " (missing or not readable)");
    const invlearn::RawRatings raw = invlearn::read_ratings(path, invlearn::parse_format(format));
    long long unknown = 0;
    for (invlearn::Index r = 0; r < raw.size(); ++r) {
      const invlearn::Index u = users.find(raw.user_ids.raw(raw.users[static_cast<std::size_t>(r)]));
      const invlearn::Index i = items.find(raw.item_ids.raw(raw.items[static_cast<std::size_t>(r)]));
      if (u < 0 || i < 0) {
        ++unknown;
        continue;
      }
      pairs.push_back(u, i, 0.0f);
    }
    if (unknown > 0)
      std::fprintf(stderr, "invlearn-recommend: --exclude %s: %lld rows name a user or item the model does not know; ignored\n",
                   path.c_str(), unknown);
  }
  return invlearn::PairIndex(pairs);
}

}  // namespace recommend

#pragma once
// Writing the lists of invlearn-recommend, a batch of users at a time, as tsv lines or
// one JSON document, to stdout or atomically to --out.

#include <cstdio>
#include <memory>
#include <string>

#include <invlearn/data/id_map.hpp>
#include <invlearn/rank/recommendations.hpp>

#include "common/atomic_file.hpp"
#include "common/errors.hpp"
#include "common/json.hpp"

namespace recommend {

/// The shortest text that reads back as the same float or double.
template <class S>
std::string score_text(S v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.*g", std::is_same<S, float>::value ? 9 : 17, static_cast<double>(v));
  return buf;
}

class Writer {
 public:
  /// Writes to `path` (atomically, on finish()) or, when it is empty, to stdout.
  Writer(const std::string& format, const std::string& path, long long k) : json_(format == "json") {
    if (!path.empty()) file_ = std::make_unique<cli::AtomicOutput>(path);
    if (json_) put("{\n  \"k\": " + std::to_string(k) + ",\n  \"recommendations\": [");
  }

  /// Appends the lists of `lists`, in their order, with raw ids.
  template <class S>
  void add(const invlearn::Recommendations<S>& lists, const invlearn::IdMap& users, const invlearn::IdMap& items) {
    std::string text;
    for (invlearn::Index r = 0; r < lists.size(); ++r) {
      const std::string& user = users.raw(lists.users[static_cast<std::size_t>(r)]);
      if (json_) {
        cli::Json entry;
        entry["user"] = user;
        entry["items"] = cli::Json::array();
        entry["scores"] = cli::Json::array();
        for (invlearn::Index j = 0; j < lists.length(r); ++j) {
          entry["items"].push_back(items.raw(lists.items_of(r)[j]));
          entry["scores"].push_back(static_cast<double>(lists.scores_of(r)[j]));
        }
        text += std::string(first_ ? "\n    " : ",\n    ") + entry.dump(-1, ' ', false, cli::Json::error_handler_t::replace);
        first_ = false;
        continue;
      }
      for (invlearn::Index j = 0; j < lists.length(r); ++j)
        text += user + '\t' + std::to_string(j + 1) + '\t' + items.raw(lists.items_of(r)[j]) + '\t' +
                score_text(lists.scores_of(r)[j]) + '\n';
    }
    put(text);
  }

  /// Ends the document and, with a path, puts the file in place.
  void finish() {
    if (json_) put(first_ ? "]\n}\n" : "\n  ]\n}\n");
    if (file_) {
      file_->commit();
    } else if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
      throw cli::OutputError("cannot write the recommendations to stdout");
    }
  }

 private:
  void put(const std::string& text) {
    if (file_) {
      file_->write(text);
    } else if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size()) {
      throw cli::OutputError("cannot write the recommendations to stdout");
    }
  }

  bool json_;
  bool first_ = true;
  std::unique_ptr<cli::AtomicOutput> file_;
};

}  // namespace recommend

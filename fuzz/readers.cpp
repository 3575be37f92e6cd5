// libFuzzer target for the ratings readers: any input, in every format, must either
// parse into consistent rows or throw an invlearn::Error (ParseError). Any other
// exception, a crash, a sanitizer report or a row that breaks the invariants below is
// a bug.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "invlearn/core/error.hpp"
#include "invlearn/data/read.hpp"

namespace {

// Invariants of a successful parse; abort() so the fuzzer reports the input.
void check(const invlearn::RawRatings& r) {
  const std::size_t n = r.users.size();
  if (r.items.size() != n || r.values.size() != n || n == 0) std::abort();
  if (r.format == invlearn::Format::automatic) std::abort();
  for (std::size_t k = 0; k < n; ++k) {
    if (r.users[k] < 0 || r.users[k] >= r.user_ids.size()) std::abort();
    if (r.items[k] < 0 || r.items[k] >= r.item_ids.size()) std::abort();
    if (!std::isfinite(r.values[k]) || r.values[k] < 0.0) std::abort();
  }
  for (const auto& id : r.user_ids.raws())
    if (id.empty() || id.size() > invlearn::kMaxIdLength) std::abort();
  for (const auto& id : r.item_ids.raws())
    if (id.empty() || id.size() > invlearn::kMaxIdLength) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (invlearn::Format f : {invlearn::Format::automatic, invlearn::Format::movielens,
                             invlearn::Format::tsv, invlearn::Format::csv,
                             invlearn::Format::watch_ratio}) {
    try {
      check(invlearn::read_ratings_from_string(text, f, "fuzz"));
    } catch (const invlearn::Error&) {
      // Rejected input: the expected outcome for most mutations.
    }
  }
  return 0;
}

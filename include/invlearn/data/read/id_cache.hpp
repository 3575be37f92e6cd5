#pragma once
/// @file id_cache.hpp
/// Dense indices of raw ids, with a direct cache for the small decimal ids most files use.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "invlearn/core/types.hpp"
#include "invlearn/data/id_map.hpp"

namespace invlearn {
namespace detail {

/// Looks raw ids up in an IdMap (adding new ones). Ids written as canonical decimal
/// numbers (no sign, no leading zero) below a limit are served from a plain array indexed
/// by their value, which only caches what the IdMap returned: "014" and "14" are still
/// different ids, because "014" is not canonical and takes the IdMap path.
class IdCache {
 public:
  /// Numeric ids below this are served from the cache, at most 16 MiB of it.
  static constexpr std::uint32_t kLimit = 1u << 22;

  /// Lowers the cache's bound to 4 × the expected rows (at least 65536), so a small file
  /// with one huge id does not allocate the whole cache.
  void expect_rows(std::size_t rows) {
    limit_ = static_cast<std::uint32_t>(std::min<std::size_t>(kLimit, std::max<std::size_t>(1u << 16, 4 * rows)));
  }

  /// The dense index of `raw` in `map`.
  Index map(std::string_view raw, IdMap& map) {
    std::uint32_t v = 0;
    bool canonical = !raw.empty() && raw.size() <= 7 && !(raw.size() > 1 && raw[0] == '0');
    for (std::size_t k = 0; canonical && k < raw.size(); ++k) {
      const unsigned d = static_cast<unsigned char>(raw[k]) - static_cast<unsigned>('0');
      if (d > 9) canonical = false;
      v = v * 10 + d;
    }
    if (!canonical || v >= limit_) return map.get_or_add(std::string(raw));
    if (v >= cache_.size()) cache_.resize(std::max<std::size_t>(v + 1, 2 * cache_.size()), -1);
    std::int32_t& slot = cache_[v];
    if (slot < 0) {
      const Index id = map.get_or_add(std::string(raw));
      if (id > static_cast<Index>(INT32_MAX)) return id;
      slot = static_cast<std::int32_t>(id);
    }
    return slot;
  }

 private:
  std::vector<std::int32_t> cache_;
  std::uint32_t limit_ = 1u << 16;
};

}  // namespace detail
}  // namespace invlearn

#pragma once
/// @file replicated.hpp
/// Whether θ is the same on every rank: a checksum of its bytes, compared across ranks.

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "invlearn/distributed/communicator.hpp"
#include "invlearn/model/parameters.hpp"

namespace invlearn {

namespace detail {
inline std::uint64_t fnv1a(std::uint64_t h, const void* data, std::size_t bytes) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t k = 0; k < bytes; ++k) h = (h ^ p[k]) * 1099511628211ULL;
  return h;
}
}  // namespace detail

/// FNV-1a over the bytes of every table and the dense block: equal θ, equal checksum.
template <class S>
inline std::uint64_t parameters_checksum(const Parameters<S>& params) {
  std::uint64_t h = 1469598103934665603ULL;
  for (const auto& t : params.tables) h = detail::fnv1a(h, t.data(), static_cast<std::size_t>(t.size()) * sizeof(S));
  return detail::fnv1a(h, params.dense.data(), static_cast<std::size_t>(params.dense.size()) * sizeof(S));
}

/// Every rank's checksum of θ, in rank order.
template <class S>
inline std::vector<std::uint64_t> gather_checksums(const Communicator& comm, const Parameters<S>& params) {
  const std::uint64_t mine = parameters_checksum(params);
  std::vector<std::uint64_t> all(static_cast<std::size_t>(comm.size()));
  comm.allgather(&mine, 1, all.data());
  return all;
}

/// Throws DistributedError (on every rank) unless θ is the same on every rank.
template <class S>
inline void check_replicated(const Communicator& comm, const Parameters<S>& params, const char* where) {
  const auto all = gather_checksums(comm, params);
  for (std::size_t r = 1; r < all.size(); ++r)
    if (all[r] != all[0])
      throw DistributedError(std::string(where) + ": θ differs between rank 0 and rank " + std::to_string(r));
}

}  // namespace invlearn

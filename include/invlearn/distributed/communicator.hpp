#pragma once
/// @file communicator.hpp
/// MPI for invlearn: the process-wide MPI lifetime (MpiSession) and a communicator with the
/// collectives data-parallel training needs (Communicator). Over the MPI C API; only code
/// that includes invlearn/distributed/ needs MPI (CMake target invlearn::distributed).

#include <mpi.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "invlearn/core/error.hpp"

namespace invlearn {

/// An MPI call failed (the message names the call and MPI's error string).
class DistributedError : public Error {
 public:
  explicit DistributedError(const std::string& what) : Error(what) {}
};

namespace detail {

inline void check_mpi(int code, const char* call) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw DistributedError(std::string(call) + " failed: " + std::string(text, static_cast<std::size_t>(length)));
}

/// The MPI datatype of T: float, double and the integer types.
template <class T>
inline MPI_Datatype mpi_type() {
  if constexpr (std::is_same<T, float>::value) return MPI_FLOAT;
  else if constexpr (std::is_same<T, double>::value) return MPI_DOUBLE;
  else if constexpr (std::is_same<T, char>::value) return MPI_CHAR;
  else {
    static_assert(std::is_integral<T>::value && (sizeof(T) == 4 || sizeof(T) == 8),
                  "mpi_type: float, double, char or a 32- or 64-bit integer");
    if constexpr (sizeof(T) == 4) return std::is_signed<T>::value ? MPI_INT32_T : MPI_UINT32_T;
    else return std::is_signed<T>::value ? MPI_INT64_T : MPI_UINT64_T;
  }
}

/// `n` as an MPI count (an int), or DistributedError when it does not fit.
inline int mpi_count(std::int64_t n, const char* what) {
  if (n < 0 || n > std::numeric_limits<int>::max())
    throw DistributedError(std::string(what) + ": " + std::to_string(n) + " elements do not fit an MPI count");
  return static_cast<int>(n);
}

}  // namespace detail

/// True when this process was started by an MPI launcher (mpirun, mpiexec, srun): the
/// environment variables OpenMPI, MPICH/Hydra or PMIx give every rank.
inline bool started_by_mpi_launcher() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
    if (std::getenv(name) != nullptr) return true;
  return false;
}

/// MPI_Init on construction (unless MPI is already initialised), MPI_Finalize on
/// destruction (only if this object initialised it). One per process, in main().
class MpiSession {
 public:
  MpiSession(int& argc, char**& argv) {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (!initialized) {
      detail::check_mpi(MPI_Init(&argc, &argv), "MPI_Init");
      owns_ = true;
    }
  }
  ~MpiSession() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (owns_ && !finalized) MPI_Finalize();
  }
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

 private:
  bool owns_ = false;
};

/// A duplicate of an MPI communicator (MPI_COMM_WORLD by default), freed on destruction,
/// whose calls return errors instead of aborting: a failed call throws DistributedError.
/// Every collective must be called by every rank in the same order. Counts the bytes this
/// rank hands to collectives (bytes_sent(): the payload, not the wire traffic).
/// Communicator::solo() is one rank without MPI (no MPI_Init needed): its collectives copy.
class Communicator {
 public:
  struct Solo {};
  /// One rank, MPI never called: for a program built with MPI but not started by mpirun.
  static Solo solo() { return Solo{}; }
  explicit Communicator(Solo) {}

  explicit Communicator(MPI_Comm comm = MPI_COMM_WORLD) {
    detail::check_mpi(MPI_Comm_dup(comm, &comm_), "MPI_Comm_dup");
    detail::check_mpi(MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
    detail::check_mpi(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
    detail::check_mpi(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
  }
  ~Communicator() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (comm_ != MPI_COMM_NULL && !finalized) MPI_Comm_free(&comm_);
  }
  Communicator(const Communicator&) = delete;
  Communicator& operator=(const Communicator&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool is_root() const { return rank_ == 0; }
  /// One rank without MPI (made by solo()).
  bool is_solo() const { return comm_ == MPI_COMM_NULL; }
  /// The MPI communicator (MPI_COMM_NULL for solo()).
  MPI_Comm handle() const { return comm_; }
  /// Bytes this rank has passed to collectives so far.
  std::uint64_t bytes_sent() const { return bytes_sent_; }

  /// data[k] ← Σ over ranks of data[k], in place, the same result on every rank.
  template <class T>
  void allreduce_sum(T* data, std::int64_t n) const {
    if (n == 0 || is_solo()) return;
    count(n * static_cast<std::int64_t>(sizeof(T)));
    detail::check_mpi(MPI_Allreduce(MPI_IN_PLACE, data, detail::mpi_count(n, "allreduce_sum"), detail::mpi_type<T>(),
                                    MPI_SUM, comm_),
                      "MPI_Allreduce");
  }
  /// out[r·n + k] ← rank r's send[k] (out holds size()·n values).
  template <class T>
  void allgather(const T* send, std::int64_t n, T* out) const {
    if (is_solo()) {
      std::copy(send, send + n, out);
      return;
    }
    count(n * static_cast<std::int64_t>(sizeof(T)));
    const int c = detail::mpi_count(n, "allgather");
    detail::check_mpi(MPI_Allgather(send, c, detail::mpi_type<T>(), out, c, detail::mpi_type<T>(), comm_),
                      "MPI_Allgather");
  }
  /// Rank r's `counts[r]` values, concatenated in rank order into `out` (Σ counts values).
  template <class T>
  void allgatherv(const T* send, const std::vector<std::int64_t>& counts, T* out) const {
    if (is_solo()) {
      std::copy(send, send + counts[0], out);
      return;
    }
    recv_counts_.resize(static_cast<std::size_t>(size_));
    displs_.resize(static_cast<std::size_t>(size_));
    std::int64_t offset = 0;
    for (int r = 0; r < size_; ++r) {
      recv_counts_[static_cast<std::size_t>(r)] = detail::mpi_count(counts[static_cast<std::size_t>(r)], "allgatherv");
      displs_[static_cast<std::size_t>(r)] = detail::mpi_count(offset, "allgatherv");
      offset += counts[static_cast<std::size_t>(r)];
    }
    const std::int64_t mine = counts[static_cast<std::size_t>(rank_)];
    count(mine * static_cast<std::int64_t>(sizeof(T)));
    detail::check_mpi(MPI_Allgatherv(send, static_cast<int>(mine), detail::mpi_type<T>(), out, recv_counts_.data(),
                                     displs_.data(), detail::mpi_type<T>(), comm_),
                      "MPI_Allgatherv");
  }
  /// data ← root's data on every rank.
  template <class T>
  void broadcast(T* data, std::int64_t n, int root = 0) const {
    if (is_solo()) return;
    if (rank_ == root) count(n * static_cast<std::int64_t>(sizeof(T)));
    detail::check_mpi(MPI_Bcast(data, detail::mpi_count(n, "broadcast"), detail::mpi_type<T>(), root, comm_),
                      "MPI_Bcast");
  }
  void barrier() const {
    if (!is_solo()) detail::check_mpi(MPI_Barrier(comm_), "MPI_Barrier");
  }
  /// Ends every rank of the communicator (MPI_Abort) with exit code `code`.
  [[noreturn]] void abort(int code) const {
    if (is_solo()) std::exit(code);
    MPI_Abort(comm_, code);
    std::terminate();  // MPI_Abort does not return; this keeps the promise if it did
  }

 private:
  void count(std::int64_t bytes) const { bytes_sent_ += static_cast<std::uint64_t>(bytes); }

  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0;
  int size_ = 1;
  mutable std::uint64_t bytes_sent_ = 0;
  mutable std::vector<int> recv_counts_, displs_;
};

}  // namespace invlearn

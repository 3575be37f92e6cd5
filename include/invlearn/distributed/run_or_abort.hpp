#pragma once
/// @file run_or_abort.hpp
/// An error on one rank ends every rank: the other ranks would otherwise wait forever in
/// their next collective.

#include <cstdio>
#include <exception>
#include <utility>

#include "invlearn/distributed/communicator.hpp"

namespace invlearn {

/// Returns `body()` (an int exit code). If it throws, prints `rank r: <message>` to stderr
/// and ends every rank of `comm` with MPI_Abort and `error_code` (mpirun then exits non-zero).
/// An error every rank throws alike still ends the run through the first rank to get here.
template <class Body>
inline int run_or_abort(const Communicator& comm, Body&& body, int error_code = 1) {
  try {
    return std::forward<Body>(body)();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rank %d: %s\n", comm.rank(), e.what());
  } catch (...) {
    std::fprintf(stderr, "rank %d: unknown error\n", comm.rank());
  }
  std::fflush(stderr);
  comm.abort(error_code);
}

}  // namespace invlearn

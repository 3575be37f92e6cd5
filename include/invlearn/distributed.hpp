#pragma once
/// @file distributed.hpp
/// Data-parallel training over MPI (needs the CMake target invlearn::distributed).

#include "invlearn/distributed/combine_gradient.hpp"
#include "invlearn/distributed/communicator.hpp"
#include "invlearn/distributed/data_parallel.hpp"
#include "invlearn/distributed/replicated.hpp"
#include "invlearn/distributed/run_or_abort.hpp"
#include "invlearn/distributed/shard.hpp"

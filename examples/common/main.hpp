#pragma once
// How every program ends: each error becomes one line on stderr that starts with the
// program's name, and an exit code (errors.hpp). The program never ends on a signal:
// SIGPIPE is ignored, so a closed stdout becomes an error and exit code 1.

#include <csignal>
#include <cstdio>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include <invlearn/core/error.hpp>

#include "common/errors.hpp"
#include "common/option_names.hpp"

namespace cli {

/// Runs `run(args)`, args being argv without the program name, and returns the exit
/// code for main(). Library messages that name an option of `option_flags` name its
/// flag instead.
template <class Run>
int run_program(const char* program, int argc, char** argv, const std::vector<OptionFlag>& option_flags, Run run) {
  std::signal(SIGPIPE, SIG_IGN);
  auto report = [program](const char* kind, const std::string& what, int code) {
    std::fprintf(stderr, "%s: %s%s\n", program, kind, what.c_str());
    return code;
  };
  try {
    return run(std::vector<std::string>(argv + (argc > 0 ? 1 : 0), argv + argc));
  } catch (const UsageError& e) {
    std::fprintf(stderr, "%s: error: %s\n(see %s --help)\n", program, e.what(), program);
    return kExitUsage;
  } catch (const invlearn::ParseError& e) {
    return report("error: ", with_flag_names(e.what(), option_flags), kExitUsage);
  } catch (const invlearn::InvalidArgument& e) {
    // The data layer's OptionError is an InvalidArgument whose message names the
    // option as Struct::field; every such name in option_flags becomes its flag.
    return report("error: ", with_flag_names(e.what(), option_flags), kExitUsage);
  } catch (const invlearn::CheckpointError& e) {
    return report("checkpoint error: ", e.what(), kExitUsage);
  } catch (const invlearn::NumericalError& e) {
    return report("training failed: ", e.what(), kExitFailure);
  } catch (const OutputError& e) {
    return report("error: ", e.what(), kExitFailure);
  } catch (const std::bad_alloc&) {
    return report("error: ", "out of memory", kExitFailure);
  } catch (const std::exception& e) {
    return report("error: ", e.what(), kExitFailure);
  } catch (...) {
    return report("error: ", "unknown failure", kExitFailure);
  }
}

}  // namespace cli

# Included by the package test scripts (cmake -P). Set PACKAGE_TEST to the test's name
# first: it prefixes every message.
#   run_step(<what> <command>...)  runs the command; a non-zero exit fails the test
#   fail(<what>)                   fails the test

function(run_step what)
  message(STATUS "[${PACKAGE_TEST}] ${what}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "[${PACKAGE_TEST}] FAILED (${rc}): ${what}")
  endif()
endfunction()

function(fail what)
  message(FATAL_ERROR "[${PACKAGE_TEST}] FAILED: ${what}")
endfunction()

# Runs `dist_check throw` on two ranks, where the last rank throws mid-training: the run must
# end within the timeout with a non-zero exit and the rank's message.
execute_process(
  COMMAND "${MPIEXEC}" -np 2 --oversubscribe "${PROGRAM}" throw
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 40)
message(STATUS "exit: ${rc}")
if(rc MATCHES "timeout" OR rc MATCHES "Process terminated")
  message(FATAL_ERROR "the run did not end: ${rc}\n${err}")
endif()
if(rc EQUAL 0)
  message(FATAL_ERROR "the run succeeded although a rank threw\n${out}\n${err}")
endif()
if(NOT err MATCHES "rank 1: a failure on the last rank only")
  message(FATAL_ERROR "the rank's message is missing:\n${err}")
endif()

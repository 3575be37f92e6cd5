# cmake -P script behind the ctest test `package_find_package`:
#   1. configure a fresh build of the invlearn source (tests/examples/benches OFF),
#   2. install it into PREFIX,
#   3. configure + build the consumer with find_package(invlearn) from PREFIX,
#   4. run the consumer.
# Any failing step fails the test.
#
# Inputs (-D...): INVLEARN_SOURCE_DIR CONSUMER_SOURCE_DIR WORK_DIR PREFIX
#                 GENERATOR CXX_COMPILER BUILD_TYPE USE_OPENMP

foreach(var INVLEARN_SOURCE_DIR CONSUMER_SOURCE_DIR WORK_DIR PREFIX)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "run_find_package.cmake: -D${var}=... is required")
  endif()
endforeach()
if(NOT BUILD_TYPE)
  set(BUILD_TYPE Release)
endif()
if(NOT DEFINED USE_OPENMP)
  set(USE_OPENMP ON)
endif()

set(_gen_args "")
if(GENERATOR)
  set(_gen_args -G "${GENERATOR}")
endif()
set(_cxx_args "")
if(CXX_COMPILER)
  set(_cxx_args "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
endif()

set(PACKAGE_TEST package_find_package)
include("${CMAKE_CURRENT_LIST_DIR}/steps.cmake")

set(_lib_build "${WORK_DIR}/invlearn-build")
set(_consumer_build "${WORK_DIR}/consumer-build")
file(REMOVE_RECURSE "${_lib_build}" "${_consumer_build}" "${PREFIX}")
file(MAKE_DIRECTORY "${WORK_DIR}")

# 1. Fresh configure of invlearn itself.
run_step("configure invlearn"
  "${CMAKE_COMMAND}" -S "${INVLEARN_SOURCE_DIR}" -B "${_lib_build}" ${_gen_args} ${_cxx_args}
    "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}"
    "-DCMAKE_INSTALL_PREFIX=${PREFIX}"
    -DINVLEARN_BUILD_TESTS=OFF
    -DINVLEARN_BUILD_EXAMPLES=OFF
    -DINVLEARN_BUILD_BENCHMARKS=OFF
    -DINVLEARN_BUILD_FUZZERS=OFF
    -DINVLEARN_SANITIZE=OFF
    -DINVLEARN_INSTALL=ON
    "-DINVLEARN_USE_OPENMP=${USE_OPENMP}")
run_step("build invlearn"
  "${CMAKE_COMMAND}" --build "${_lib_build}" --config "${BUILD_TYPE}")

# 2. Install (cmake --install needs CMake >= 3.15).
if(CMAKE_VERSION VERSION_LESS 3.15)
  run_step("install invlearn"
    "${CMAKE_COMMAND}" --build "${_lib_build}" --target install --config "${BUILD_TYPE}")
else()
  run_step("install invlearn"
    "${CMAKE_COMMAND}" --install "${_lib_build}" --prefix "${PREFIX}" --config "${BUILD_TYPE}")
endif()

file(GLOB_RECURSE _cfg "${PREFIX}/*/invlearnConfig.cmake")
if(NOT _cfg)
  message(FATAL_ERROR "[package_find_package] no invlearnConfig.cmake under ${PREFIX}")
endif()
if(NOT EXISTS "${PREFIX}/include/invlearn/version.hpp")
  message(FATAL_ERROR "[package_find_package] headers not installed under ${PREFIX}/include")
endif()

# 3. Consumer against the installed package only (no source tree on the path).
run_step("configure consumer"
  "${CMAKE_COMMAND}" -S "${CONSUMER_SOURCE_DIR}" -B "${_consumer_build}" ${_gen_args} ${_cxx_args}
    "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}"
    "-DCMAKE_PREFIX_PATH=${PREFIX}"
    -DINVLEARN_CONSUMER_MODE=find_package)
run_step("build consumer"
  "${CMAKE_COMMAND}" --build "${_consumer_build}" --config "${BUILD_TYPE}")

# 4. Run it (single- or multi-config layout).
set(_exe "")
foreach(cand "${_consumer_build}/consumer" "${_consumer_build}/${BUILD_TYPE}/consumer"
             "${_consumer_build}/consumer.exe" "${_consumer_build}/${BUILD_TYPE}/consumer.exe")
  if(EXISTS "${cand}")
    set(_exe "${cand}")
    break()
  endif()
endforeach()
if(NOT _exe)
  message(FATAL_ERROR "[package_find_package] consumer executable not found in ${_consumer_build}")
endif()
run_step("run consumer" "${_exe}")

message(STATUS "[package_find_package] OK")

# cmake -P script behind the ctest test `package_pkg_config`:
#   1. configure a fresh build of the invlearn source (tests/examples/benches OFF) and
#      install it into WORK_DIR/prefix,
#   2. ask pkg-config about the installed invlearn.pc: it exists, has the project's
#      version, and its Cflags name the installed headers, Eigen's headers (through
#      `Requires: eigen3`) and EIGEN_DONT_PARALLELIZE,
#   3. compile the consumer's main.cpp with those Cflags alone, and run it.
# Any failing step fails the test.
#
# Inputs (-D...): INVLEARN_SOURCE_DIR CONSUMER_MAIN WORK_DIR PKG_CONFIG VERSION
#                 GENERATOR CXX_COMPILER

foreach(var INVLEARN_SOURCE_DIR CONSUMER_MAIN WORK_DIR PKG_CONFIG VERSION CXX_COMPILER)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "run_pkg_config.cmake: -D${var}=... is required")
  endif()
endforeach()

set(_gen_args "")
if(GENERATOR)
  set(_gen_args -G "${GENERATOR}")
endif()

set(PACKAGE_TEST package_pkg_config)
include("${CMAKE_CURRENT_LIST_DIR}/steps.cmake")

set(_lib_build "${WORK_DIR}/invlearn-build")
set(_prefix "${WORK_DIR}/prefix")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

# 1. Configure and install (header-only: nothing to build).
run_step("configure invlearn"
  "${CMAKE_COMMAND}" -S "${INVLEARN_SOURCE_DIR}" -B "${_lib_build}" ${_gen_args}
    "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
    "-DCMAKE_INSTALL_PREFIX=${WORK_DIR}/configured-prefix"
    -DINVLEARN_BUILD_TESTS=OFF -DINVLEARN_BUILD_EXAMPLES=OFF -DINVLEARN_BUILD_BENCHMARKS=OFF
    -DINVLEARN_BUILD_FUZZERS=OFF -DINVLEARN_SANITIZE=OFF -DINVLEARN_INSTALL=ON)
# Installed under another prefix than the configured one: the .pc file must not care.
run_step("install invlearn" "${CMAKE_COMMAND}" --install "${_lib_build}" --prefix "${_prefix}")

file(GLOB_RECURSE _pc "${_prefix}/*/invlearn.pc")
if(NOT _pc)
  fail("no invlearn.pc under ${_prefix}")
endif()
list(GET _pc 0 _pc)
get_filename_component(_pc_dir "${_pc}" DIRECTORY)
set(ENV{PKG_CONFIG_PATH} "${_pc_dir}")

# 2. What pkg-config says.
function(pkg_config out)
  execute_process(COMMAND "${PKG_CONFIG}" --print-errors ${ARGN} invlearn
    RESULT_VARIABLE rc OUTPUT_VARIABLE text ERROR_VARIABLE err OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0)
    fail("pkg-config ${ARGN} invlearn: ${err}")
  endif()
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

pkg_config(_version --modversion)
if(NOT _version STREQUAL VERSION)
  fail("pkg-config --modversion says '${_version}', the project is ${VERSION}")
endif()
pkg_config(_cflags --cflags)
message(STATUS "[package_pkg_config] Cflags: ${_cflags}")
separate_arguments(_flags UNIX_COMMAND "${_cflags}")
set(_own OFF)
set(_eigen OFF)
set(_define OFF)
foreach(flag IN LISTS _flags)
  if(flag MATCHES "^-I(.+)$")
    if(EXISTS "${CMAKE_MATCH_1}/invlearn/version.hpp")
      get_filename_component(_found "${CMAKE_MATCH_1}" REALPATH)
      get_filename_component(_wanted "${_prefix}/include" REALPATH)
      if(_found STREQUAL _wanted)
        set(_own ON)
      endif()
    endif()
    if(EXISTS "${CMAKE_MATCH_1}/Eigen/Core")
      set(_eigen ON)
    endif()
  elseif(flag STREQUAL "-DEIGEN_DONT_PARALLELIZE")
    set(_define ON)
  endif()
endforeach()
if(NOT _own)
  fail("Cflags '${_cflags}' name no -I of the installed headers (${_prefix}/include)")
endif()
if(NOT _eigen)
  fail("Cflags '${_cflags}' name no -I of Eigen's headers (Requires: eigen3)")
endif()
if(NOT _define)
  fail("Cflags '${_cflags}' lack -DEIGEN_DONT_PARALLELIZE")
endif()

# 3. A consumer built with the Cflags alone.
set(_exe "${WORK_DIR}/consumer")
run_step("compile the consumer with pkg-config's Cflags"
  "${CXX_COMPILER}" -std=c++17 -O1 ${_flags} "${CONSUMER_MAIN}" -o "${_exe}")
run_step("run consumer" "${_exe}")

message(STATUS "[package_pkg_config] OK")

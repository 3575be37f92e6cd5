#!/usr/bin/env bash
# The invlearn test suite (also what CI runs through .ci/run).
#
#   bash scripts/test.sh           # deps, release build + ctest, ASan/UBSan build + ctest, fuzzing
#   bash scripts/test.sh --quick   # deps, release build + ctest only (for development)
#
# Stages and build trees (all under build/, never written into the source tree):
#   release  build/release  Release; tests, examples, benchmarks (benchmarks only compiled)
#   asan     build/asan     -O1 -g1, INVLEARN_SANITIZE=ON, tests and the programs' tests, INVLEARN_QUICK=1
#                           (-g1: line tables, enough for the sanitizers' file:line reports, and
#                           about 30 % less compile time than -g)
#   fuzz     build/fuzz     clang + libFuzzer, only if fuzz/*.cpp exist; each fuzzer runs
#                           ${INVLEARN_FUZZ_SECONDS:-30} s over a copy of fuzz/corpus/<name>/
# Environment: INVLEARN_JOBS (default 2), INVLEARN_FUZZ_SECONDS (default 30).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

QUICK=0
for arg in "$@"; do
  case "$arg" in
    --quick) QUICK=1 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "test.sh: unknown argument '$arg' (known: --quick)" >&2; exit 2 ;;
  esac
done

JOBS="${INVLEARN_JOBS:-2}"
FUZZ_SECONDS="${INVLEARN_FUZZ_SECONDS:-30}"
export CTEST_OUTPUT_ON_FAILURE=1

shopt -s nullglob
FUZZ_SOURCES=(fuzz/*.cpp)
shopt -u nullglob

T0=$SECONDS
CURRENT_STAGE="startup"
STAGE_T0=$SECONDS
SUMMARY=()        # "stage: result (Ns)"
TOTAL_PASSED=0
TOTAL_FAILED=0

stage_begin() {
  CURRENT_STAGE="$1"
  STAGE_T0=$SECONDS
  echo
  echo "==================== [$CURRENT_STAGE] $2 ===================="
}

stage_end() {
  local secs=$((SECONDS - STAGE_T0))
  echo "-------------------- [$CURRENT_STAGE] done in ${secs}s --------------------"
  SUMMARY+=("$CURRENT_STAGE: $1 (${secs}s)")
}

print_summary() {
  echo
  echo "==================== test.sh summary ===================="
  local s
  for s in "${SUMMARY[@]+"${SUMMARY[@]}"}"; do echo "  $s"; done
  echo "  total time: $((SECONDS - T0))s"
}

on_exit() {
  local rc=$?
  if [ "$rc" -ne 0 ]; then
    SUMMARY+=("$CURRENT_STAGE: FAILED (exit $rc after $((SECONDS - STAGE_T0))s)")
    print_summary
    echo "test.sh: FAILED in stage '$CURRENT_STAGE'"
    echo "summary: $TOTAL_PASSED passed, $((TOTAL_FAILED > 0 ? TOTAL_FAILED : 1)) failed"
  fi
}
trap on_exit EXIT

# run_ctest <build dir> <log> [extra ctest args...]: runs ctest, adds to the totals, fails on failure.
run_ctest() {
  local dir="$1" log="$2"
  shift 2
  local rc=0
  (cd "$dir" && ctest --output-on-failure -j"$JOBS" "$@") 2>&1 | tee "$log" || rc=$?
  local line total failed
  line="$(grep -E 'tests? passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1 || true)"
  if [ -z "$line" ]; then
    echo "test.sh: ctest in $dir ran no test (or crashed)" >&2
    TOTAL_FAILED=$((TOTAL_FAILED + 1))
    return 1
  fi
  failed="$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")"
  total="$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/' <<<"$line")"
  TOTAL_PASSED=$((TOTAL_PASSED + total - failed))
  TOTAL_FAILED=$((TOTAL_FAILED + failed))
  LAST_CTEST="$((total - failed))/$total tests passed"
  if [ "$total" -eq 0 ]; then
    echo "test.sh: ctest in $dir ran no test" >&2
    return 1
  fi
  [ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
}

# ---------------------------------------------------------------------------
stage_begin deps "install missing packages"
if [ "$QUICK" -eq 0 ] && [ "${#FUZZ_SOURCES[@]}" -gt 0 ]; then
  bash scripts/install-deps.sh --fuzz
else
  bash scripts/install-deps.sh
fi
stage_end "ok"

# ---------------------------------------------------------------------------
stage_begin release "Release build, tests + examples + benchmarks"
cmake -S . -B build/release \
  -DCMAKE_BUILD_TYPE=Release \
  -DINVLEARN_BUILD_TESTS=ON \
  -DINVLEARN_BUILD_EXAMPLES=ON \
  -DINVLEARN_BUILD_BENCHMARKS=ON \
  -DINVLEARN_CHECK_HEADERS=ON \
  -DINVLEARN_SANITIZE=OFF \
  -DINVLEARN_BUILD_FUZZERS=OFF
cmake --build build/release -j"$JOBS"
run_ctest build/release build/release/ctest.log
stage_end "$LAST_CTEST"

if [ "$QUICK" -eq 1 ]; then
  SUMMARY+=("asan: skipped (--quick)" "fuzz: skipped (--quick)")
else
  # -------------------------------------------------------------------------
  stage_begin asan "ASan + UBSan build (-O1 -g1), tests with INVLEARN_QUICK=1"
  cmake -S . -B build/asan \
    -DCMAKE_BUILD_TYPE=Debug \
    "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1" \
    -DINVLEARN_SANITIZE=ON \
    -DINVLEARN_BUILD_TESTS=ON \
    -DINVLEARN_CHECK_HEADERS=OFF \
    -DINVLEARN_BUILD_EXAMPLES=ON \
    -DINVLEARN_BUILD_BENCHMARKS=OFF \
    -DINVLEARN_BUILD_FUZZERS=OFF
  cmake --build build/asan -j"$JOBS"
  # The build/package checks gain nothing from sanitizers and ran in the release stage.
  ASAN_OPTIONS=detect_leaks=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  INVLEARN_QUICK=1 \
    run_ctest build/asan build/asan/ctest.log -LE build
  stage_end "$LAST_CTEST"

  # -------------------------------------------------------------------------
  if [ "${#FUZZ_SOURCES[@]}" -eq 0 ]; then
    SUMMARY+=("fuzz: skipped (no fuzz/*.cpp)")
  else
    stage_begin fuzz "libFuzzer, ${#FUZZ_SOURCES[@]} target(s) x ${FUZZ_SECONDS}s"
    CXX_CLANG="$(command -v clang++ || true)"
    if [ -z "$CXX_CLANG" ]; then
      echo "test.sh: clang++ not found (scripts/install-deps.sh --fuzz should have installed it)" >&2
      exit 1
    fi
    cmake -S . -B build/fuzz \
      -DCMAKE_CXX_COMPILER="$CXX_CLANG" \
      -DCMAKE_BUILD_TYPE=Debug \
      "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1" \
      -DINVLEARN_BUILD_FUZZERS=ON \
      -DINVLEARN_USE_OPENMP=OFF \
      -DINVLEARN_BUILD_TESTS=OFF \
      -DINVLEARN_BUILD_EXAMPLES=OFF \
      -DINVLEARN_BUILD_BENCHMARKS=OFF \
      -DINVLEARN_SANITIZE=OFF
    cmake --build build/fuzz -j"$JOBS"
    fuzz_ok=0
    fuzz_bad=0
    for src in "${FUZZ_SOURCES[@]}"; do
      name="$(basename "$src" .cpp)"
      exe="build/fuzz/fuzz/fuzz_$name"
      corpus="build/fuzz/corpus/$name"
      artifacts="build/fuzz/artifacts/$name"
      log="build/fuzz/logs/$name.log"
      rm -rf "$corpus"
      mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
      if [ -d "fuzz/corpus/$name" ]; then
        cp -R "fuzz/corpus/$name/." "$corpus/"
      fi
      dict=()
      if [ -f "fuzz/$name.dict" ]; then dict=("-dict=fuzz/$name.dict"); fi
      echo "fuzz_$name: ${FUZZ_SECONDS}s, corpus $corpus ($(find "$corpus" -type f | wc -l) seeds), log $log"
      rc=0
      ASAN_OPTIONS=detect_leaks=1 \
      UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "$exe" -max_total_time="$FUZZ_SECONDS" -timeout=25 -print_final_stats=1 \
          -artifact_prefix="$artifacts/" "${dict[@]+"${dict[@]}"}" "$corpus" >"$log" 2>&1 || rc=$?
      if [ "$rc" -eq 0 ]; then
        fuzz_ok=$((fuzz_ok + 1))
        grep -E '^(#[0-9]+[[:space:]]+DONE|Done [0-9]+ runs)' "$log" | tail -n 2 | sed 's/^/  /' || true
      else
        fuzz_bad=$((fuzz_bad + 1))
        echo "fuzz_$name FAILED (exit $rc); last lines of $log:" >&2
        tail -n 60 "$log" >&2
        echo "reproducer(s) in $artifacts/" >&2
      fi
    done
    TOTAL_PASSED=$((TOTAL_PASSED + fuzz_ok))
    TOTAL_FAILED=$((TOTAL_FAILED + fuzz_bad))
    if [ "$fuzz_bad" -ne 0 ]; then
      exit 1
    fi
    stage_end "$fuzz_ok/${#FUZZ_SOURCES[@]} fuzzers clean"
  fi
fi

trap - EXIT
print_summary
if [ "$QUICK" -eq 1 ]; then
  echo "test.sh: OK (quick: release only)"
else
  echo "test.sh: OK (release, asan, fuzz)"
fi
echo "summary: $TOTAL_PASSED passed, $TOTAL_FAILED failed"

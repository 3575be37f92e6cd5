#!/usr/bin/env bash
# The main job: build the trainer and compare the methods on the built-in synthetic data.
#
#   bash scripts/run.sh [extra invlearn-train arguments...]
#
# Runs: build/release/examples/invlearn-train --method all "$@"
# (configures build/release exactly like scripts/test.sh, but builds only invlearn-train).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
JOBS="${INVLEARN_JOBS:-2}"
BUILD=build/release
LOG="$BUILD/run-build.log"

bash scripts/install-deps.sh

mkdir -p "$BUILD"
echo "run.sh: configuring $BUILD (log: $LOG)"
if ! cmake -S . -B "$BUILD" \
    -DCMAKE_BUILD_TYPE=Release \
    -DINVLEARN_BUILD_TESTS=ON \
    -DINVLEARN_BUILD_EXAMPLES=ON \
    -DINVLEARN_BUILD_BENCHMARKS=ON \
    -DINVLEARN_SANITIZE=OFF \
    -DINVLEARN_BUILD_FUZZERS=OFF >"$LOG" 2>&1; then
  tail -n 40 "$LOG" >&2
  echo "run.sh: ERROR: CMake configure failed (full log: $LOG)" >&2
  exit 1
fi

# The top-level CMakeLists writes this file only when the examples define invlearn-train.
LOCATION_FILE="$BUILD/invlearn-train.location"
if [ ! -f "$LOCATION_FILE" ]; then
  echo "run.sh: ERROR: there is no 'invlearn-train' target yet (examples/CMakeLists.txt" \
       "missing or does not define it); nothing to run." >&2
  exit 1
fi
EXE="$(head -n 1 "$LOCATION_FILE")"

echo "run.sh: building invlearn-train"
if ! cmake --build "$BUILD" --target invlearn-train -j"$JOBS" >>"$LOG" 2>&1; then
  tail -n 60 "$LOG" >&2
  echo "run.sh: ERROR: building invlearn-train failed (full log: $LOG)" >&2
  exit 1
fi
if [ ! -x "$EXE" ]; then
  echo "run.sh: ERROR: built, but $EXE is not an executable" >&2
  exit 1
fi

# Waiting OpenMP threads sleep instead of spinning: on a machine where other work holds a
# core, spinning threads make a step many times slower (docs/performance.md). Results do
# not depend on it. An OMP_WAIT_POLICY already set is kept.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-passive}"
echo "run.sh: $EXE --method all $*"
exec "$EXE" --method all "$@"

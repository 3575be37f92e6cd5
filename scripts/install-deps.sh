#!/usr/bin/env bash
# Installs the Debian packages invlearn needs to build, test and plot.
# Idempotent: asks apt only for what is missing (and runs `apt-get update` only then).
#
#   bash scripts/install-deps.sh          # g++ cmake make libeigen3-dev catch2 libbenchmark-dev gnuplot-nox
#                                         # libcli11-dev nlohmann-json3-dev (the programs in examples/)
#                                         # openmpi-bin libopenmpi-dev (invlearn::distributed, its tests)
#   bash scripts/install-deps.sh --fuzz   # ... plus clang libclang-rt-14-dev (libFuzzer + sanitizer runtimes)
set -euo pipefail

packages=(g++ cmake make libeigen3-dev catch2 libbenchmark-dev gnuplot-nox libcli11-dev nlohmann-json3-dev
          openmpi-bin libopenmpi-dev)
for arg in "$@"; do
  case "$arg" in
    --fuzz) packages+=(clang libclang-rt-14-dev) ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "install-deps.sh: unknown argument '$arg' (known: --fuzz)" >&2; exit 2 ;;
  esac
done

is_installed() {
  dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed$'
}

missing=()
for p in "${packages[@]}"; do
  is_installed "$p" || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all present (${packages[*]})"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps: ERROR: missing packages (${missing[*]}) and apt-get is not available;" \
       "install them by hand" >&2
  exit 1
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "install-deps: ERROR: missing packages (${missing[*]}); not root and sudo not found" >&2
    exit 1
  fi
fi

echo "install-deps: installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! "${SUDO[@]}" apt-get update; then
  echo "install-deps: ERROR: 'apt-get update' failed; cannot install: ${missing[*]}" >&2
  exit 1
fi
if ! "${SUDO[@]}" apt-get install -y --no-install-recommends "${missing[@]}"; then
  echo "install-deps: ERROR: 'apt-get install' failed for: ${missing[*]}" >&2
  exit 1
fi

still=()
for p in "${missing[@]}"; do
  is_installed "$p" || still+=("$p")
done
if [ "${#still[@]}" -ne 0 ]; then
  echo "install-deps: ERROR: still not installed after apt-get: ${still[*]}" >&2
  exit 1
fi
echo "install-deps: installed: ${missing[*]}"

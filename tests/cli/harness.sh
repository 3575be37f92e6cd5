# What the black-box test scripts share (sourced, not run): the pass and fail counters,
# running a program with its exit code checked, and looking for text in its outputs.
#
#   run_program NAME EXPECTED_CODE PROGRAM ARGS...  stdout/stderr to NAME.out/NAME.err; the
#                                                   exit code must be EXPECTED_CODE, never a signal
#   expect_in NAME FILE TEXT                        FILE (of case NAME) contains TEXT literally
#   enter_scratch PREFIX                            cd into a new temporary directory ($WORK),
#                                                   removed when the script exits

FAILED=0
PASSED=0
fail() {
  echo "FAIL: $*" >&2
  FAILED=$((FAILED + 1))
}
pass() { PASSED=$((PASSED + 1)); }

run_program() {
  local name="$1" expected="$2" exe="$3"
  shift 3
  "$exe" "$@" >"$name.out" 2>"$name.err"
  local code=$?
  if [ "$code" -ge 128 ]; then
    fail "$name: killed by a signal (exit $code): $*"
    return 1
  fi
  if [ "$code" -ne "$expected" ]; then
    fail "$name: exit $code, expected $expected: $*"
    sed 's/^/    /' "$name.err" | head -n 5 >&2
    return 1
  fi
  pass
  return 0
}

expect_in() {
  if grep -qF -- "$3" "$2"; then pass; else
    fail "$1: $2 does not contain '$3'"
    sed 's/^/    /' "$2" | head -n 5 >&2
  fi
}

enter_scratch() {
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")"
  trap 'rm -rf "$WORK"' EXIT
  cd "$WORK" || exit 1
}

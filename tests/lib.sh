# shellcheck shell=bash
# Helpers for twctl test suites (host and guest).  A suite prints one line
# per test case:
#     PASS: name
#     FAIL: name (reason)
#     SKIP: name (reason)
# and exits non-zero if anything failed (suite_end does that).  tests/run-all
# counts those lines; a suite that exits non-zero without a FAIL line, or
# exits 0 without any PASS/FAIL/SKIP line, counts as one failure.  Names have
# no spaces.  Setup steps (building, booting, loading a module) are not test
# cases: log them with note, and fail the suite with fail when they fail.
#
#   pass NAME                 record a pass
#   fail NAME [REASON...]     record a failure
#   skip NAME REASON...       record a skip (counted apart; never a pass)
#   note TEXT...              a plain log line (not counted)
#   check NAME CMD [ARGS...]  run CMD; pass if it exits 0, else fail.  CMD's
#                             output is shown (indented) only when it fails.
#   suite_end                 exit 1 if anything failed, else 0

TWCTL_PASSED=${TWCTL_PASSED:-0}
TWCTL_FAILED=${TWCTL_FAILED:-0}
TWCTL_SKIPPED=${TWCTL_SKIPPED:-0}

pass() {
	echo "PASS: $1"
	TWCTL_PASSED=$((TWCTL_PASSED + 1))
}

fail() {
	local name=$1
	shift
	if [ $# -gt 0 ]; then
		echo "FAIL: $name ($*)"
	else
		echo "FAIL: $name"
	fi
	TWCTL_FAILED=$((TWCTL_FAILED + 1))
}

skip() {
	local name=$1
	shift
	echo "SKIP: $name (${*:-no reason given})"
	TWCTL_SKIPPED=$((TWCTL_SKIPPED + 1))
}

note() {
	echo "  $*"
}

check() {
	local name=$1 out rc
	shift
	out=$(mktemp)
	"$@" >"$out" 2>&1
	rc=$?
	if [ "$rc" = 0 ]; then
		pass "$name"
	else
		# keep the output from being counted as results
		sed -e 's/^/  | /' "$out" | tail -n 40
		fail "$name" "exit $rc: $*"
	fi
	rm -f "$out"
	return "$rc"
}

suite_end() {
	[ "$TWCTL_FAILED" = 0 ] && exit 0
	exit 1
}

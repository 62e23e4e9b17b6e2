# shellcheck shell=bash
# Shared by suites that run tests/vm/run with --out OUT and tee the guest's
# output to OUT/guest.out (sourced after tests/lib.sh).
#   vm_verdict PREFIX OUT HARNESS_RC
# counts the guest's PASS/FAIL lines, then records
#   PREFIX/vm          the guest ran the command to the end (no timeout, and
#                      a non-zero exit is explained by a FAIL line)
#   PREFIX/kernel-log  no kernel splat and no twctl kmemleak report
vm_verdict() {
	local p=$1 out=$2 hrc=$3 nfail res cmd_rc splat leak timeout
	TWCTL_PASSED=$((TWCTL_PASSED + $(grep -c '^PASS:' "$out/guest.out")))
	nfail=$(grep -c '^FAIL:' "$out/guest.out")
	TWCTL_FAILED=$((TWCTL_FAILED + nfail))
	res="$out/.twctl-vm-result"
	if [ ! -f "$res" ]; then
		fail "$p/vm" "tests/vm/run exited $hrc without a verdict"
		fail "$p/kernel-log" "not checked"
		return
	fi
	cmd_rc=$(sed -n 's/^cmd_rc=//p' "$res")
	splat=$(sed -n 's/^splat=//p' "$res")
	leak=$(sed -n 's/^leak=//p' "$res")
	timeout=$(sed -n 's/^timeout=//p' "$res")
	if [ "$timeout" = 1 ]; then
		fail "$p/vm" "timed out"
	elif [ "$cmd_rc" = 125 ]; then
		fail "$p/vm" "the guest could not run the command"
	elif [ "$cmd_rc" != 0 ] && [ "$nfail" = 0 ]; then
		fail "$p/vm" "the guest command exited $cmd_rc without a FAIL line"
	else
		pass "$p/vm"
	fi
	if [ "$splat" = 0 ] && [ "$leak" = 0 ]; then
		pass "$p/kernel-log"
	else
		fail "$p/kernel-log" "splat=$splat leak=$leak, see $(sed -n 's/^log=//p' "$res")"
	fi
}

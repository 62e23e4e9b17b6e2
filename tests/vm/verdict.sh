# shellcheck shell=bash
# Shared by suites that run tests/vm/run with --out OUT and tee the guest's
# output to OUT/guest.out (sourced after tests/lib.sh).
#   vm_verdict PREFIX OUT HARNESS_RC
# counts the guest's PASS/FAIL/SKIP lines, then records
#   PREFIX/vm          a FAIL only: the guest did not run the command to the
#                      end (timeout, no exit status), or the command exited
#                      non-zero without a FAIL line, or printed no result at
#                      all.  Booting is setup, not a test: no PASS for it.
#   PREFIX/kernel-log  no kernel splat and no twctl kmemleak report (the FAIL
#                      names the splat)
vm_verdict() {
	local p=$1 out=$2 hrc=$3 npass nfail nskip res cmd_rc splat leak timeout first
	npass=$(tr -d '\r' <"$out/guest.out" | grep -c '^PASS:')
	nfail=$(tr -d '\r' <"$out/guest.out" | grep -c '^FAIL:')
	nskip=$(tr -d '\r' <"$out/guest.out" | grep -c '^SKIP:')
	TWCTL_PASSED=$((TWCTL_PASSED + npass))
	TWCTL_FAILED=$((TWCTL_FAILED + nfail))
	TWCTL_SKIPPED=$((${TWCTL_SKIPPED:-0} + nskip))
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
	first=$(sed -n 's/^splat_first=//p' "$res")
	if [ "$timeout" = 1 ]; then
		fail "$p/vm" "timed out"
	elif [ "$cmd_rc" = 125 ]; then
		fail "$p/vm" "the guest could not run the command"
	elif [ "$cmd_rc" != 0 ] && [ "$nfail" = 0 ]; then
		fail "$p/vm" "the guest command exited $cmd_rc without a FAIL line"
	elif [ $((npass + nfail + nskip)) = 0 ]; then
		fail "$p/vm" "the guest command printed no PASS, FAIL or SKIP line"
	else
		note "$p: the guest ran the command to the end (exit $cmd_rc, $(sed -n 's/^seconds=//p' "$res")s)"
	fi
	if [ "$splat" = 0 ] && [ "$leak" = 0 ]; then
		pass "$p/kernel-log"
	elif [ "$splat" != 0 ]; then
		local also=
		[ "$leak" = 0 ] || also="; and a twctl kmemleak report"
		fail "$p/kernel-log" "kernel splat: ${first:-see the log}; log: $(sed -n 's/^log=//p' "$res")$also"
	else
		fail "$p/kernel-log" "kmemleak reports leaks from twctl, see $(sed -n 's/^log=//p' "$res" | sed 's/\.log$/.kmemleak/')"
	fi
}

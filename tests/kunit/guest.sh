#!/bin/bash
# Runs inside the KUnit guest (tests/kunit/run boots it): loads twctl.ko and
# then twctl_kunit.ko (KUnit runs the suites while the latter loads), copies
# /sys/kernel/debug/kunit/<suite>/results to $TWCTL_OUT/<suite>.ktap and
# unloads both modules (so kmemleak can see what unloading leaves behind).
# Module dir: $TWCTL_KUNIT_KODIR.  Loading is setup (a FAIL if it fails, no
# PASS); that twctl unloads after the tests ran is a test.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
kodir=${TWCTL_KUNIT_KODIR:?}
out=${TWCTL_OUT:?}

if ! insmod "$kodir/twctl.ko"; then
	fail kunit-insmod-twctl "insmod $kodir/twctl.ko failed"
	suite_end
fi
note "kunit: twctl.ko loaded"
if insmod "$kodir/twctl_kunit.ko"; then
	note "kunit: twctl_kunit.ko loaded (its suites ran)"
else
	fail kunit-insmod-twctl_kunit "insmod $kodir/twctl_kunit.ko failed"
fi
n=0
for d in /sys/kernel/debug/kunit/*/; do
	[ -f "$d/results" ] || continue
	if cp "$d/results" "$out/$(basename "$d").ktap"; then
		n=$((n + 1))
	else
		fail "kunit-results-$(basename "$d")" "cannot copy $d/results to $out"
	fi
done
echo "kunit: copied $n results file(s) to $out"
dmesg >"$out/dmesg.txt"
if grep -q '^twctl_kunit ' /proc/modules; then
	rmmod twctl_kunit || fail kunit-rmmod-twctl_kunit "rmmod twctl_kunit failed"
fi
if rmmod twctl; then pass kunit-rmmod-twctl; else fail kunit-rmmod-twctl; fi
suite_end

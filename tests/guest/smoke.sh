#!/bin/bash
# Guest smoke test: the module is loaded (tests/guest/run-all loads it),
# "twctl version" reports both versions, /sys/kernel/debug/twctl is there and
# read-only, rmmod works, and the module loads again afterwards.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
cli=${TWCTL_CLI:-tools/twctl}
ver=$(sed -n 's/^#define TWCTL_VERSION "\(.*\)"/\1/p' module/version.h)

# loading is run-all's setup: no PASS for it, a FAIL if it did not happen
grep -q '^twctl ' /proc/modules || fail smoke-module-loaded "twctl not in /proc/modules"
modver=$(cat /sys/module/twctl/version 2>/dev/null)
if [ "$modver" = "$ver" ]; then pass smoke-module-version; else fail smoke-module-version "/sys/module/twctl/version='$modver', expected $ver"; fi

if [ -x "$cli" ]; then
	out=$("$cli" version 2>&1)
	rc=$?
	echo "$out" | sed 's/^/  twctl version: /'
	# the CLI's version and a line about the module that carries its version
	if [ "$rc" = 0 ] && echo "$out" | grep -q "$ver" &&
		echo "$out" | grep -i 'module' | grep -q "${modver:-$ver}"; then
		pass smoke-version
	else
		fail smoke-version "exit $rc; want the CLI version $ver and a module line with ${modver:-$ver}"
	fi
else
	fail smoke-version "$cli not built"
fi

d=/sys/kernel/debug/twctl
if [ -d "$d" ] && [ -n "$(ls -A "$d")" ]; then
	# no write bit on any file, and even root cannot write one
	writable=$(find "$d" -mindepth 1 -type f -perm /222 -printf '%p ')
	f=$(find "$d" -mindepth 1 -type f | head -n 1)
	if [ -n "$writable" ]; then
		fail smoke-debugfs-readonly "writable: $writable"
	elif [ -n "$f" ] && (echo 1 >"$f") 2>/dev/null; then
		fail smoke-debugfs-readonly "root could write $f"
	else
		pass smoke-debugfs-readonly
	fi
	if [ -n "$f" ] && cat "$f" >/dev/null 2>&1; then pass smoke-debugfs-readable; else fail smoke-debugfs-readable "cannot read ${f:-any file in $d}"; fi
else
	fail smoke-debugfs-readonly "$d missing or empty"
	fail smoke-debugfs-readable "$d missing or empty"
fi

if rmmod twctl && ! grep -q '^twctl ' /proc/modules && [ ! -e "$d" ]; then
	pass smoke-rmmod
else
	fail smoke-rmmod "rmmod failed, or the module or $d is still there"
fi
if insmod "${TWCTL_KO:?}" && grep -q '^twctl ' /proc/modules; then pass smoke-reload; else fail smoke-reload "insmod $TWCTL_KO failed"; fi
suite_end

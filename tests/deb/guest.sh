#!/bin/bash
# Guest side of the deb suite (tests/deb/run boots a stock kernel with it):
# installs the packages with dpkg -i as an admin would, checks that DKMS built
# and installed twctl.ko for the running kernel, that it loads and that the
# packaged CLI lists what ss lists, then removes and purges both packages and
# checks that nothing of them is left.  Everything written here lands in the
# guest's tmpfs overlay; the host is untouched.
#   TWCTL_DEB_CLI, TWCTL_DEB_DKMS  the two .deb files
#   TWCTL_DEB_HEADERS              the headers tree of this kernel (the cache's
#                                  copy of linux-headers-<kver>)
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export DEBIAN_FRONTEND=noninteractive PYTHONUNBUFFERED=1
kver=$(uname -r)
ver=$(sed -n 's/^#define TWCTL_VERSION "\(.*\)"/\1/p' module/version.h)
cli_deb=${TWCTL_DEB_CLI:?} dkms_deb=${TWCTL_DEB_DKMS:?} headers=${TWCTL_DEB_HEADERS:?}
# logs in the out dir, so that they outlive a guest that times out
work=${TWCTL_OUT:-/tmp}/deb-guest
rm -rf "$work"
mkdir -p "$work"

if [ "${TWCTL_GUEST:-}" != 1 ]; then
	fail deb-guest "not in a test guest: this installs packages (run tests/deb/run)"
	suite_end
fi
if dpkg -s twctl >/dev/null 2>&1 || dpkg -s twctl-dkms >/dev/null 2>&1 || [ -e /sys/module/twctl ]; then
	fail deb-clean-start "twctl or twctl-dkms is already installed or loaded in this root"
	suite_end
fi

# What an admin's machine has after "apt-get install linux-headers-<kver>":
# /usr/src/linux-headers-<kver> (and the -common and kbuild trees next to it),
# which /lib/modules/<kver>/build points at.  Here they are links to the
# cache's unpacked copies.
for d in "$(dirname "$headers")"/linux-*; do
	[ -e "/usr/src/${d##*/}" ] || ln -s "$d" "/usr/src/${d##*/}"
done
if [ ! -e "/lib/modules/$kver/build/include" ]; then
	fail deb-headers "/lib/modules/$kver/build does not lead to the headers ($(readlink "/lib/modules/$kver/build"))"
	suite_end
fi
# udev makes /dev/fd on a real machine; the guest's bare devtmpfs lacks it,
# and dkms's "<(cmd)" needs it.
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
# man-db's dpkg trigger would re-index every manual page of the host root,
# minutes under TCG; it has nothing to do with what is tested here.
rm -f /var/lib/man-db/auto-update

# The places DKMS, depmod and the maintainer scripts write to, besides the
# files the packages own (each of those is checked on its own after the
# purge, see "owned").  Listing all of /usr and /etc over 9p took minutes
# each way under TCG, so only these directories are listed.  DKMS's own
# signing key (/var/lib/dkms/mok.key, mok.pub, made on first use) stays after
# a purge on purpose: it is the key enrolled in the firmware, so it is left out.
snapshot() {
	find /usr/src /var/lib/dkms "/lib/modules/$kver" /etc/systemd /etc/modprobe.d \
		/etc/modules-load.d /etc/dkms /lib/systemd/system /usr/lib/systemd/system \
		/usr/share/bash-completion/completions /usr/share/man/man8 \
		/var/lib/systemd/deb-systemd-helper-enabled \
		-xdev 2>/dev/null | grep -Ev '^/var/lib/dkms/mok\.(key|pub)$' | sort
	ls -d /usr/share/doc/twctl* /var/lib/dpkg/info/twctl* 2>/dev/null
}
t0=$(date +%s)
snapshot >"$work/before"
note "listed $(wc -l <"$work/before") paths before installing ($(( $(date +%s) - t0 ))s)"

# --- install ------------------------------------------------------------------
note "dpkg -i $(basename "$dkms_deb") $(basename "$cli_deb") (DKMS builds the module; slow under TCG)"
t0=$(date +%s)
# shown as it happens: the DKMS build takes minutes under TCG
if dpkg -i "$dkms_deb" "$cli_deb" 2>&1 | tee "$work/install.log" | sed -u 's/^/  | /'; [ "${PIPESTATUS[0]}" = 0 ]; then
	pass deb-install
else
	fail deb-install "dpkg -i exited non-zero"
fi
note "dpkg -i took $(( $(date +%s) - t0 ))s"
for p in twctl twctl-dkms; do
	st=$(dpkg-query -W -f '${Status} ${Version}' "$p" 2>/dev/null)
	[ "$st" = "install ok installed $ver" ] || fail "deb-installed-$p" "dpkg says '$st'"
done
dpkg -L twctl twctl-dkms >"$work/owned" 2>/dev/null

st=$(dkms status -m twctl -v "$ver" -k "$kver" 2>&1)
ko=$(modinfo -n twctl 2>/dev/null)
case $st in
*": installed"*)
	case $ko in
	"/lib/modules/$kver/updates/dkms/twctl.ko"*) pass deb-dkms-installed ;;
	*) fail deb-dkms-installed "dkms says '$st' but modinfo finds twctl at '${ko:-nowhere}'" ;;
	esac
	;;
*)
	ls /var/lib/dkms/twctl/"$ver"/build/make.log >/dev/null 2>&1 &&
		tail -n 20 /var/lib/dkms/twctl/"$ver"/build/make.log | sed 's/^/  | /'
	fail deb-dkms-installed "dkms status: '$st'"
	;;
esac
# Debian's DKMS signs what it builds with /var/lib/dkms/mok.key; that is
# what Secure Boot needs (see Documentation/admin-guide.md).
signer=$(modinfo -F signer twctl 2>/dev/null)
if [ -n "$signer" ]; then
	note "module signer: $signer"
	pass deb-module-signed
else
	fail deb-module-signed "modinfo -F signer twctl is empty"
fi

if modprobe twctl && [ "$(cat /sys/module/twctl/version 2>/dev/null)" = "$ver" ]; then
	pass deb-modprobe
else
	fail deb-modprobe "modprobe twctl failed or /sys/module/twctl/version is not $ver"
fi

cli=/usr/sbin/twctl
if [ -x "$cli" ] && "$cli" version 2>&1 | grep -q "$ver"; then pass deb-cli-version; else fail deb-cli-version "$cli version does not report $ver"; fi
if grep -q '^twctl ' /proc/modules; then
	TWCTL_CLI=$cli python3 tests/deb/list_matches_ss.py deb-list-matches-ss
else
	fail deb-list-matches-ss "the module is not loaded"
fi
man_page=$(man -w twctl 2>/dev/null)
comp=/usr/share/bash-completion/completions/twctl
if [ "$man_page" = /usr/share/man/man8/twctl.8.gz ] && [ -f "$comp" ] && bash -n "$comp"; then
	pass deb-man-completion
else
	fail deb-man-completion "man -w twctl: '$man_page'; completion $comp missing or not bash"
fi

# --- remove and purge ---------------------------------------------------------
grep -q '^twctl ' /proc/modules && { rmmod twctl || fail deb-rmmod "rmmod twctl failed"; }
if dpkg -r twctl twctl-dkms >"$work/remove.log" 2>&1; then
	pass deb-remove
else
	sed 's/^/  | /' "$work/remove.log" | tail -n 30
	fail deb-remove "dpkg -r exited non-zero"
fi
left=$(dkms status -m twctl 2>&1)
mods=$(find "/lib/modules/$kver" -name 'twctl.ko*' 2>/dev/null)
if [ -z "$left" ] && [ -z "$mods" ] && ! modprobe -n twctl 2>/dev/null; then
	pass deb-remove-module
else
	fail deb-remove-module "after dpkg -r: dkms status '$left', module files '$mods', or modprobe still finds twctl"
fi
if dpkg -P twctl twctl-dkms >"$work/purge.log" 2>&1 && ! dpkg -s twctl >/dev/null 2>&1 &&
	! dpkg -s twctl-dkms >/dev/null 2>&1; then
	pass deb-purge
else
	sed 's/^/  | /' "$work/purge.log" | tail -n 30
	fail deb-purge "dpkg -P failed or a package is still known to dpkg"
fi

note "listing the files after purging"
snapshot >"$work/after"
# every path a package owned (directories shared with others excepted) is gone
owned_left=$(while read -r f; do [ -e "$f" ] && [ ! -d "$f" ] && echo "$f"; done <"$work/owned")
owned_left="$owned_left$(ls -d /usr/src/twctl-* /var/lib/dkms/twctl 2>/dev/null)"
changed=$(diff "$work/before" "$work/after")
if [ -z "$owned_left" ] && [ -z "$changed" ]; then
	pass deb-nothing-left
else
	echo "$changed" | head -n 20 | sed 's/^/  | /'
	fail deb-nothing-left "left behind: ${owned_left:-no file a package owned}; listing before/after differs in $(echo "$changed" | grep -c '^[<>]') paths"
fi
suite_end

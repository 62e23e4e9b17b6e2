# shellcheck shell=bash
# Shared helpers for twctl's scripts (sourced, not executed).

TWCTL_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TWCTL_CACHE=${TWCTL_CACHE:-$HOME/.cache/twctl}
export TWCTL_CACHE

# Stock kernels used for guests, by short name.  The exact package names are
# resolved by scripts/deps and recorded in $TWCTL_CACHE/kernels/<short>.kver.
twctl_die() { echo "twctl: $*" >&2; exit 1; }
twctl_log() { echo "twctl: $*" >&2; }

# kver of a cached stock guest kernel ("6.1" or "6.12"), from the record
# written by scripts/deps.
twctl_kver() {
	local f="$TWCTL_CACHE/kernels/$1.kver"
	[ -s "$f" ] || return 1
	cat "$f"
}

# The PATH to build against KDIR with. A cached line whose kernel was built
# with a compiler the host lacks (5.10: bullseye's gcc-10) has it unpacked in
# its root's usr/bin (scripts/deps, line_compiler); the headers name it as
# "gcc-10", so that directory goes first. Any other KDIR: PATH as it is.
twctl_kdir_path() {
	local root
	case $1 in
	"$TWCTL_CACHE"/kernels/*/root/usr/src/*) root=${1%%/usr/src/*} ;;
	*) root= ;;
	esac
	if [ -n "$root" ] && [ -d "$root/usr/bin" ]; then
		echo "$root/usr/bin:$PATH"
	else
		echo "$PATH"
	fi
}

# Version of the installed linux-source-6.1 package (e.g. 6.1.192-2).
twctl_linux_source_pkgver() {
	dpkg-query -W -f '${Version}' linux-source-6.1 2>/dev/null
}

# Where that source is (to be) extracted: $TWCTL_CACHE/linux-source-<upstream>.
twctl_linux_source_dir() {
	local v
	v=$(twctl_linux_source_pkgver) || return 1
	[ -n "$v" ] || return 1
	echo "$TWCTL_CACHE/linux-source-${v%%-*}"
}

# Extract /usr/src/linux-source-6.1.tar.xz into the cache if not there yet.
twctl_ensure_linux_source() {
	local dir tmp
	dir=$(twctl_linux_source_dir) || twctl_die "linux-source-6.1 is not installed (run: make deps)"
	if [ -f "$dir/.twctl-extracted" ]; then
		echo "$dir"
		return 0
	fi
	[ -f /usr/src/linux-source-6.1.tar.xz ] || twctl_die "/usr/src/linux-source-6.1.tar.xz missing (run: make deps)"
	mkdir -p "$TWCTL_CACHE"
	rm -rf "$dir" "$dir.tmp"
	tmp="$dir.tmp"
	mkdir -p "$tmp"
	twctl_log "extracting linux-source-6.1 into $dir"
	tar -xf /usr/src/linux-source-6.1.tar.xz -C "$tmp" --strip-components=1
	touch "$tmp/.twctl-extracted"
	mv "$tmp" "$dir"
	echo "$dir"
}

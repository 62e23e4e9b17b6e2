#!/bin/bash
# "make demo", guest side (booted by tests/vm/demo): load twctl.ko, make real
# TIME_WAIT entries over loopback, then show what twctl says next to ss.
# A twctl subcommand that fails (or does not exist yet) is reported and the
# demo goes on.  Exit status: non-zero only if the module does not load or
# no TIME_WAIT entry could be made.
set -u
cd "$(dirname "$0")/../.." || exit 1
cli=${TWCTL_CLI:-$PWD/tools/twctl}
ko=${TWCTL_KO:?TWCTL_KO must name the twctl.ko to load}

step() { printf '\n### %s\n' "$*"; }
# show and run a command (optionally: | head -n N), report failures
show() {
	local n=
	if [ "$1" = --head ]; then n=$2; shift 2; fi
	echo "\$ $*${n:+ | head -n $n}"
	if [ -n "$n" ]; then
		"$@" 2>&1 | head -n "$n"
		rc=${PIPESTATUS[0]}
		[ "$rc" != 141 ] || rc=0	# SIGPIPE: head had enough
	else
		"$@" 2>&1
		rc=$?
	fi
	[ "$rc" = 0 ] || echo "!!! '$*' failed (exit $rc) — not implemented yet, or a bug"
	return 0
}

step "guest kernel"
uname -a

step "load the module"
modprobe -a tcp_diag inet_diag || echo "!!! modprobe tcp_diag inet_diag failed (ss needs them)"
echo "\$ insmod $ko"
insmod "$ko" || { echo "!!! insmod failed"; dmesg | tail -n 20; exit 1; }
grep '^twctl ' /proc/modules
dmesg | grep -E 'twctl[: ]' | tail -n 5

step "make TIME_WAIT entries: loopback clients that close first"
python3 - <<'PY' || { echo "!!! the traffic generator failed"; exit 1; }
import socket, threading

def server(family, addr, port, n):
    srv = socket.socket(family, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, port))
    srv.listen(128)
    def serve():
        for _ in range(n):
            c, _ = srv.accept()
            c.recv(16)
            c.sendall(b"ok")
            c.recv(16)          # wait for the client's FIN: the client closes first
            c.close()
        srv.close()
    t = threading.Thread(target=serve)
    t.start()
    return t

plan = [(socket.AF_INET, "127.0.0.1", 8080, 50),
        (socket.AF_INET, "127.0.0.1", 8081, 20),
        (socket.AF_INET6, "::1", 8443, 10)]
for family, addr, port, n in plan:
    t = server(family, addr, port, n)
    for _ in range(n):
        s = socket.socket(family, socket.SOCK_STREAM)
        s.connect((addr, port))
        s.sendall(b"hi")
        s.recv(16)
        s.close()           # active close: this side goes to TIME_WAIT
    t.join()
    print("%3d connections to %s port %d, closed by the client" % (n, addr, port))
PY
ntw=$(ss -Htan state time-wait | wc -l)
echo "ss counts $ntw TIME_WAIT entries"
[ "$ntw" -gt 0 ] || { echo "!!! no TIME_WAIT entries"; exit 1; }

step "twctl"
if [ -x "$cli" ]; then
	show "$cli" version
	show --head 25 "$cli" list
	show "$cli" summary --by dest
else
	echo "!!! $cli is not built (make cli)"
fi

step "ss for comparison"
show --head 12 ss -tan state time-wait
step "debugfs"
show --head 10 cat /sys/kernel/debug/twctl/stats
exit 0

#!/bin/bash
# "make demo", guest side (booted by tests/vm/demo): the port-exhaustion
# story from symptom to fix, with real TIME_WAIT entries over loopback.
#
#   1. a client opens and closes connections to two destinations; the
#      ephemeral range is shrunk to 200 ports so that one of them fills it
#   2. a new connect() to it fails: "Cannot assign requested address"
#   3. twctl summary --by dest shows which destination holds the range,
#      twctl stats says what it means and what to do
#   4. we wait until the entries are eligible (age >= 3.5 x RTO, timestamps),
#      look at what a kill would remove (--dry-run), kill, and see the
#      `twctl watch` event and the reconnect that now works
#
# A twctl step that fails is reported and the demo goes on. Exit status:
# non-zero only if the module does not load or no TIME_WAIT entry could be
# made. Under TCG it takes about a minute.
set -u
cd "$(dirname "$0")/../.." || exit 1
cli=${TWCTL_CLI:-$PWD/tools/twctl}
ko=${TWCTL_KO:?TWCTL_KO must name the twctl.ko to load}
RANGE_LO=40000
RANGE_HI=40199
A_ADDR=127.0.0.1 A_PORT=8080 A_CONNS=200	# fills the range
B_ADDR=127.0.0.2 B_PORT=5432 B_CONNS=40

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
	[ "$rc" = 0 ] || echo "!!! '$*' failed (exit $rc)"
	return 0
}
twctl() {
	if [ "$1" = --head ]; then
		show --head "$2" "$cli" "${@:3}"
	else
		show "$cli" "$@"
	fi
}

# One connect() to ADDR PORT; prints what the application would see.
reconnect() {
	echo "\$ connect to $1:$2"
	python3 - "$1" "$2" <<'PY'
import socket, sys
s = socket.socket()
try:
    s.connect((sys.argv[1], int(sys.argv[2])))
    print("connected from local port %d" % s.getsockname()[1])
except OSError as e:
    print("connect() failed: [Errno %d] %s" % (e.errno, e.strerror))
s.close()
PY
}

step "guest kernel"
uname -r

step "load the module"
modprobe -a tcp_diag inet_diag || echo "!!! modprobe tcp_diag inet_diag failed (ss needs them)"
echo "\$ insmod $ko"
insmod "$ko" || { echo "!!! insmod failed"; dmesg | tail -n 20; exit 1; }
grep '^twctl ' /proc/modules

step "a small ephemeral range, no tcp_tw_reuse: exhaustion within reach"
show sysctl -w net.ipv4.ip_local_port_range="$RANGE_LO $RANGE_HI" net.ipv4.tcp_tw_reuse=0

step "traffic: short connections to two destinations, closed by the client"
python3 - "$A_ADDR" "$A_PORT" "$A_CONNS" "$B_ADDR" "$B_PORT" "$B_CONNS" <<'PY' || { echo "!!! the traffic generator failed"; exit 1; }
import socket, sys, threading

def serve(srv, n):
    for _ in range(n):
        c, _ = srv.accept()
        c.recv(16)
        c.sendall(b"ok")
        c.recv(16)          # the client's FIN: the client closes first
        c.close()

a = sys.argv[1:]
for addr, port, n in ((a[0], int(a[1]), int(a[2])), (a[3], int(a[4]), int(a[5]))):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, port))
    srv.listen(256)
    t = threading.Thread(target=serve, args=(srv, n))
    t.start()
    done = 0
    for _ in range(n):
        s = socket.socket()
        try:
            s.connect((addr, port))
        except OSError as e:
            print("  connect %d to %s:%d failed: %s" % (done + 1, addr, port, e.strerror))
            break
        s.sendall(b"hi")
        s.recv(16)
        s.close()           # active close: this side keeps the TIME_WAIT entry
        done += 1
    t.join(timeout=5)
    srv.close()
    print("%4d connections to %s:%d, closed by the client" % (done, addr, port))
PY
ntw=$(ss -Htan state time-wait | wc -l)
echo "ss counts $ntw TIME_WAIT entries"
[ "$ntw" -gt 0 ] || { echo "!!! no TIME_WAIT entries"; exit 1; }
[ -x "$cli" ] || { echo "!!! $cli is not built (make cli)"; exit 1; }

step "the symptom: one more connection to $A_ADDR:$A_PORT"
python3 -c "
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('$A_ADDR', $A_PORT)); s.listen(8)
import time; time.sleep(600)" &
listener=$!
sleep 1
reconnect "$A_ADDR" "$A_PORT"

step "which destination holds the ports"
twctl summary --by dest

step "the doctor (rates over the last 60 s: the traffic above)"
twctl stats --window 60

step "wait until the entries towards $A_ADDR:$A_PORT are eligible (age >= 3.5 x RTO, peer timestamps)"
for i in $(seq 1 30); do
	all=$("$cli" -j list --raddr "$A_ADDR" --rport "$A_PORT" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
	elig=$("$cli" -j list --raddr "$A_ADDR" --rport "$A_PORT" --eligible | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
	echo "  after ${i}s: $elig of $all eligible"
	[ "$elig" -gt 0 ] && [ "$elig" = "$all" ] && break
	sleep 1
done
twctl --head 6 list -e --raddr "$A_ADDR" --rport "$A_PORT" --eligible

step "watch for kills (in the background)"
"$cli" watch > /tmp/twctl-demo-watch.out 2>&1 &
watcher=$!
sleep 1

step "what a kill would remove"
twctl --head 6 kill --raddr "$A_ADDR" --rport "$A_PORT" --eligible --dry-run

step "the kill"
twctl kill --raddr "$A_ADDR" --rport "$A_PORT" --eligible

step "the reconnect now works"
reconnect "$A_ADDR" "$A_PORT"

step "the watch event"
sleep 1
kill "$watcher" 2>/dev/null
wait "$watcher" 2>/dev/null
echo "\$ twctl watch"
cat /tmp/twctl-demo-watch.out
kill "$listener" 2>/dev/null

step "after: summary and the doctor again"
twctl summary --by dest
twctl stats --window 60
exit 0

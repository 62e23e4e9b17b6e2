#!/usr/bin/env python3
"""twctl against ss and ss -K, in one guest, on the same real TIME_WAIT entries.

Runs as root inside a test VM (tests/vm/run). Builds N TIME_WAIT entries over
loopback, then times each tool over the same table: the median wall time of
several runs and the peak RSS of the tool process (busybox time). Kills are
timed once per tool on a freshly rebuilt table of the same size. Figures go to
stdout and to $TWCTL_OUT/bench-<kernel>.txt; this is a benchmark, not a test:
it asserts nothing about speed, only that both tools saw the same entries.
"""
import json
import os
import socket
import statistics
import subprocess
import sys
import time


TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TWCTL = os.path.join(TOP, "tools", "twctl")
ENTRIES = int(os.environ.get("TWCTL_BENCH_ENTRIES", "20000"))
RUNS = int(os.environ.get("TWCTL_BENCH_RUNS", "5"))
SERVER_PORTS = (9101, 9102, 9103, 9104)


def sh(cmd):
    subprocess.run(cmd, shell=True, check=True)


def load_module():
    if os.path.exists("/sys/module/twctl"):
        return
    kver = os.uname().release
    for ko in (os.environ.get("TWCTL_KO", ""),
               os.path.join(TOP, "build", "dkms", kver, "twctl.ko"),
               os.path.join(TOP, "build", kver, "module", "twctl.ko")):
        if ko and os.path.exists(ko):
            sh("insmod " + ko)
            return
    sys.exit("bench: no twctl.ko built for " + kver)


def make_entries(n):
    """n TIME_WAIT entries on the client side, spread over SERVER_PORTS."""
    listeners = []
    for port in SERVER_PORTS:
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        s.listen(4096)
        listeners.append(s)
    made = 0
    while made < n:
        batch = min(512, n - made)
        clients = []
        for i in range(batch):
            port = SERVER_PORTS[(made + i) % len(SERVER_PORTS)]
            c = socket.create_connection(("127.0.0.1", port))
            clients.append(c)
        accepted = []
        for i in range(batch):
            conn, _ = listeners[(made + i) % len(listeners)].accept()
            accepted.append(conn)
        for c in clients:       # the client closes first: it gets TIME_WAIT
            c.close()
        time.sleep(0.05)
        for a in accepted:
            a.close()
        made += batch
    for s in listeners:
        s.close()


def run(cmd):
    """Wall time (s) and peak RSS (KiB) of one run of a shell command.

    The peak RSS comes from busybox's time applet: a process forked from
    this Python interpreter would carry the interpreter's own high-water
    mark through exec, while busybox is small and static.
    """
    if "|" not in cmd:
        cmd = "exec " + cmd
    start = time.monotonic()
    p = subprocess.run(["busybox", "time", "-v", "sh", "-c", cmd],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.monotonic() - start
    if p.returncode != 0:
        raise SystemExit("bench: command failed: %s\n%s" % (cmd, p.stderr))
    for line in p.stderr.splitlines():
        if "Maximum resident set size" in line:
            return elapsed, int(line.split(":")[1])
    raise SystemExit("bench: no RSS figure from busybox time for: " + cmd)


def measure(cmd, runs=RUNS):
    times, rss = [], []
    for _ in range(runs):
        t, r = run(cmd)
        times.append(t)
        rss.append(r)
    return statistics.median(times), max(rss)


def count(cmd):
    out = subprocess.run(cmd, shell=True, check=True, capture_output=True, text=True).stdout
    return out


def tw_count():
    return int(count("ss -Htan state time-wait | wc -l").strip())


def main():
    import resource
    resource.setrlimit(resource.RLIMIT_NOFILE, (8192, 8192))
    load_module()
    sh("sysctl -qw net.ipv4.ip_local_port_range='1024 65535'")
    sh("sysctl -qw net.ipv4.tcp_max_tw_buckets=1000000")
    kver = os.uname().release
    lines = ["twctl benchmark, kernel %s, %d TIME_WAIT entries, median of %d runs"
             % (kver, ENTRIES, RUNS),
             "%-34s %10s %10s   %s" % ("what", "time_ms", "rss_kib", "command")]
    results = {}

    make_entries(ENTRIES)
    n_ss = tw_count()
    n_twctl = len(json.loads(count(TWCTL + " -j list")))
    lines.append("entries seen: ss %d, twctl %d" % (n_ss, n_twctl))

    cases = [
        ("list: ss", "ss -tan state time-wait"),
        ("list: ss -e (with cookies)", "ss -tane state time-wait"),
        ("list: twctl", TWCTL + " list"),
        ("list: twctl -j", TWCTL + " -j list"),
        ("filter rport: ss", "ss -tan state time-wait dport = :9101"),
        ("filter rport: twctl", TWCTL + " list --rport 9101"),
        ("per-destination counts: ss|awk|sort|uniq",
         "ss -Htan state time-wait | awk '{print $4}' | sort | uniq -c | sort -rn"),
        ("per-destination counts: twctl summary", TWCTL + " summary --by dest"),
    ]
    for name, cmd in cases:
        t, r = measure(cmd)
        results[name] = (t, r)
        lines.append("%-34s %10.1f %10d   %s" % (name, t * 1000, r, cmd))

    # Kills: each tool kills the entries towards one server port (a quarter of
    # the table), on a table rebuilt to the same size before each run.
    for name, cmd in (("kill rport: ss -K", "ss -K -tan state time-wait dport = :9101"),
                      ("kill rport: twctl kill", TWCTL + " kill --rport 9101")):
        # Same table for both tools: all fresh, a quarter towards :9101.
        subprocess.run([TWCTL, "kill", "--all"], check=True, stdout=subprocess.DEVNULL)
        make_entries(ENTRIES)
        before = int(count("ss -Htan state time-wait dport = :9101 | wc -l").strip())
        t, r = run(cmd)
        after = int(count("ss -Htan state time-wait dport = :9101 | wc -l").strip())
        results[name] = (t, r)
        lines.append("%-34s %10.1f %10d   %s   (killed %d)" % (name, t * 1000, r, cmd, before - after))

    def ratio(a, b):
        ta, ra = results[a]
        tb, rb = results[b]
        return "%-44s time x%.2f  rss x%.2f" % (a + " / " + b, ta / tb, ra / rb)

    lines.append("ratios (twctl / ss; below 1 means twctl is faster or smaller):")
    lines.append("  " + ratio("list: twctl", "list: ss"))
    lines.append("  " + ratio("list: twctl -j", "list: ss -e (with cookies)"))
    lines.append("  " + ratio("filter rport: twctl", "filter rport: ss"))
    lines.append("  " + ratio("per-destination counts: twctl summary",
                              "per-destination counts: ss|awk|sort|uniq"))
    lines.append("  " + ratio("kill rport: twctl kill", "kill rport: ss -K"))

    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    out = os.environ.get("TWCTL_OUT")
    if out:
        with open(os.path.join(out, "bench-%s.txt" % kver), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()

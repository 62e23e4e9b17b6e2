#!/usr/bin/env python3
"""twctl against its anchors (ss, ss -K, awk|sort|uniq), in one guest.

Runs as root inside a test VM (tests/vm/run, see tests/bench/run). The
TIME_WAIT table is made by build/loadgen/twload. An entry lives 60 s, so
each block of measurements starts from a fresh table (the old one killed)
and runs its commands interleaved (twctl, anchor, anchor, twctl, ...) until
it has TWCTL_BENCH_RUNS of each or the table starts to expire; the row
says how many runs it got (N) and how big the table was.

One CSV row per measurement goes to $TWCTL_OUT/<kver>-<label>.csv:
kernel, cpus, table size, metric, twctl median, anchor median, ratio
(twctl / anchor), min and max of each, N, unit, the exact commands, the
guest's and the host's load average. tests/bench/report turns the CSVs
into Documentation/benchmarks.md.

This is a benchmark, not a test: it asserts nothing about speed. With
--smoke (1,000 entries, one run each) it also checks that every
measurement produced its row and that twctl and ss counted the same
entries, and prints PASS/FAIL lines.
"""
import argparse
import csv
import json
import os
import re
import statistics
import subprocess
import sys
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# the tree whose twctl and twctl.ko are measured (a throwaway clone for the
# "before" figures); the generator and this script always come from TOP
TREE = os.environ.get("TWCTL_BENCH_TREE") or TOP
TWCTL = os.path.join(TREE, "tools", "twctl")
TWLOAD = os.path.join(TOP, "build", "loadgen", "twload")
TW_LIFETIME = 60.0
# a block stops starting runs this long after its table began to fill, so
# that no entry of it has expired yet (--stretch sets a longer lifetime)
WINDOW = TW_LIFETIME - 4.0
STRETCH_KO = os.environ.get("TWCTL_STRETCH_KO", "")
ENTRY_LINE = re.compile(rb"\d+\.\d+\.\d+\.\d+|\[[0-9a-f:]+\]")

FIELDS = ["kernel", "cpus", "table_size", "metric", "twctl_median", "anchor_median",
          "ratio", "twctl_min", "twctl_max", "anchor_min", "anchor_max", "n", "unit",
          "twctl_cmd", "anchor_cmd", "loadavg_guest", "loadavg_host", "note"]


def sh(cmd, check=True):
    return subprocess.run(cmd, shell=True, check=check, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True).stdout


def log(msg):
    print("bench: " + msg, flush=True)


def tw_count():
    """The death row's count (cheap): TIME_WAIT entries in this netns."""
    with open("/proc/net/sockstat") as f:
        for line in f:
            if line.startswith("TCP:"):
                w = line.split()
                return int(w[w.index("tw") + 1])
    return -1


def module_loaded():
    return os.path.exists("/sys/module/twctl")


def ko_path():
    kver = os.uname().release
    for ko in (os.environ.get("TWCTL_KO", ""),
               os.path.join(TREE, "build", kver, "module", "twctl.ko")):
        if ko and os.path.exists(ko):
            return ko
    sys.exit("bench: no twctl.ko built for " + kver)


def load_module():
    if not module_loaded():
        subprocess.run(["insmod", ko_path()], check=True)


def unload_module():
    if module_loaded():
        subprocess.run(["rmmod", "twctl"], check=True)


def kill_all():
    """Empty the table, so the next block starts from exactly its own."""
    if module_loaded():
        subprocess.run([TWCTL, "kill", "--all"], stdout=subprocess.DEVNULL, check=False)
    if tw_count() > 0:
        subprocess.run("ss -K -tan state time-wait >/dev/null", shell=True, check=False)
    deadline = time.monotonic() + WINDOW + 9
    while tw_count() > 0 and time.monotonic() < deadline:
        time.sleep(1)


def twload(args):
    out = subprocess.run([TWLOAD, "-q"] + args, check=True, stdout=subprocess.PIPE,
                         text=True).stdout
    return dict(kv.split("=") for kv in out.split())


def fill(n, procs=2):
    """A fresh table of n entries; returns its start time and the generator's line."""
    kill_all()
    start = time.monotonic()
    res = twload(["-n", str(n), "-p", str(procs)])
    return start, res


def timed(cmd):
    """Wall time of cmd with stdout on a pipe read to the end, the time to
    its first entry line, and how many entry lines it printed. The output is
    counted as it comes, never kept (a million-entry JSON listing is ~400 MB)."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, shell=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    fd = p.stdout.fileno()
    first = None
    lines = 0
    # the line being read: whether it has an entry yet, and its last bytes
    # (an address may straddle two reads); never the whole line, which for
    # compact JSON is the whole output
    hit, keep = False, b""
    while True:
        b = os.read(fd, 1 << 16)
        if not b:
            break
        if first is None and ENTRY_LINE.search(keep + b):
            first = time.monotonic() - t0
        parts = b.split(b"\n")
        for i, part in enumerate(parts):
            seg = keep + part if i == 0 else part
            hit = (hit and i == 0) or bool(ENTRY_LINE.search(seg))
            if i < len(parts) - 1:
                lines += hit
                hit, keep = False, b""
            else:
                keep = seg[-64:]
    lines += hit
    err = p.stderr.read()
    rc = p.wait()
    total = time.monotonic() - t0
    if rc != 0:
        raise RuntimeError("command failed (%d): %s: %s" % (rc, cmd, err.decode()[-300:]))
    return total, first, lines


def interleaved(cmds, start, runs):
    """Run every command once per round, the order rotating per round, until
    `runs` rounds or until the block's table would start to expire. Returns
    {cmd: [(total, first, entry lines), ...]}."""
    res = {c: [] for c in cmds}
    last = 0.0
    for r in range(runs):
        # a round must end inside the window, not just start in it: a round
        # that ran past it once listed 5,681 of 22,000 entries
        if r > 0 and time.monotonic() - start + last > WINDOW:
            break
        t_round = time.monotonic()
        order = cmds[r % len(cmds):] + cmds[:r % len(cmds)]
        if r % 2:
            order.reverse()
        for c in order:
            total, first, out = timed(c)
            res[c].append((total, first, out))
        last = time.monotonic() - t_round
    return res


class Bench:
    def __init__(self, args):
        self.args = args
        self.kver = os.uname().release
        self.cpus = os.cpu_count()
        self.rows = []
        self.checks = []      # (name, ok, reason) for --smoke
        self.host_load = os.environ.get("TWCTL_BENCH_HOST_LOADAVG", "")

    def loadavg(self):
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])

    def row(self, metric, size, tw, an, unit, twcmd, ancmd, note=""):
        """tw, an: lists of samples (an may be empty: no anchor)."""
        def med(v):
            return statistics.median(v) if v else ""
        tm, am = med(tw), med(an)
        ratio = tm / am if tw and an and am else ""
        r = {"kernel": self.kver, "cpus": self.cpus, "table_size": size, "metric": metric,
             "twctl_median": tm, "anchor_median": am, "ratio": ratio,
             "twctl_min": min(tw) if tw else "", "twctl_max": max(tw) if tw else "",
             "anchor_min": min(an) if an else "", "anchor_max": max(an) if an else "",
             "n": len(tw), "unit": unit, "twctl_cmd": twcmd, "anchor_cmd": ancmd,
             "loadavg_guest": self.loadavg(), "loadavg_host": self.host_load, "note": note}
        for k in ("twctl_median", "anchor_median", "ratio", "twctl_min", "twctl_max",
                  "anchor_min", "anchor_max"):
            if isinstance(r[k], float):
                r[k] = "%.6g" % r[k]
        self.rows.append(r)
        log("%-28s size %-7s twctl %-10s anchor %-10s ratio %-8s N=%d %s" % (
            metric, size, r["twctl_median"], r["anchor_median"], r["ratio"], len(tw), note))

    def check(self, name, ok, reason=""):
        self.checks.append((name, ok, reason))

    # -- the biggest table ------------------------------------------------
    def max_table(self):
        """Two generators flat out for 75 s: the table peaks once the first
        entries expire (what a guest makes in 60 s)."""
        secs = self.args.max_seconds
        p = subprocess.Popen([TWLOAD, "-q", "-p", str(self.args.procs), "-d", str(secs)],
                             stdout=subprocess.PIPE, text=True)
        peak, samples = 0, []
        while p.poll() is None:
            n = tw_count()
            samples.append(n)
            peak = max(peak, n)
            time.sleep(2)
        out = dict(kv.split("=") for kv in p.stdout.read().split())
        self.row("max_table_entries", peak, [peak], [], "entries",
                 "%s -p %d -d %d" % (TWLOAD, self.args.procs, secs), "",
                 "made %s in %s s (%s/s) with %s processes; tcp_max_tw_buckets %s" % (
                     out["created"], out["seconds"], out["rate"], out["procs"],
                     sh("sysctl -n net.ipv4.tcp_max_tw_buckets").strip()))
        return int(float(out["rate"]))

    # -- listings --------------------------------------------------------
    def compare(self, pairs, size, runs, count_check=False):
        """pairs: [(metric, twctl cmd, anchor cmd)], on the current table."""
        start = self.block_start
        cmds = []
        for _, a, b in pairs:
            cmds += [a, b]
        res = interleaved(cmds, start, runs)
        for metric, a, b in pairs:
            self.row(metric, size, [t for t, _, _ in res[a]], [t for t, _, _ in res[b]],
                     "s", a, b)
        return res

    def block(self, n):
        self.block_start, gen = fill(n)
        self.size = tw_count()
        log("table of %d entries (made %s in %s s, %s/s)" % (
            self.size, gen["created"], gen["seconds"], gen["rate"]))
        return self.size

    def listings(self, n, runs, fill=True):
        size = self.block(n) if fill else self.size
        tw_table = TWCTL + " list"
        ss_table = "ss -tan state time-wait"
        tw_json = TWCTL + " -j list"
        ss_e = "ss -tane state time-wait"
        res = self.compare([("list_table", tw_table, ss_table),
                            ("list_json", tw_json, ss_e)], size, runs)
        # time to the first entry, as a fraction of the whole listing
        for cmd, ancmd, metric in ((tw_table, ss_table, "first_entry_fraction"),):
            tw = [f / t for t, f, _ in res[cmd] if f is not None]
            an = [f / t for t, f, _ in res[ancmd] if f is not None]
            self.row(metric, size, tw, an, "fraction", cmd, ancmd,
                     "time from exec to the first entry line on the pipe / whole run")
        # entries seen: twctl's table lines vs ss's
        tw_lines = [c for _, _, c in res[tw_table]]
        ss_lines = [c for _, _, c in res[ss_table]]
        self.row("entries_seen", size, tw_lines, ss_lines, "entries", tw_table, ss_table,
                 "output lines with an address")
        if self.args.smoke and self.args.stretch:
            # ss's view: every entry of the table outlives the stock 60 s
            timers = re.findall(r"timer:\(timewait,([^,]+),", sh("ss -Htano state time-wait"))
            long_ = [t for t in timers if t.endswith("min") and int(t[:-3]) >= 2]
            self.check("bench-stretch-entries-outlive-60s", timers and len(long_) == len(timers),
                       "%d of %d entries with 2 min or more left (e.g. %s)" % (
                           len(long_), len(timers), timers[:3]))
        if self.args.smoke:
            js = json.loads(subprocess.run([TWCTL, "-j", "list"], check=True,
                                           stdout=subprocess.PIPE).stdout)
            n_ss = int(sh("ss -Htan state time-wait | wc -l"))
            self.check("bench-counts-agree", len(js) == n_ss and n_ss == n,
                       "twctl -j list %d, ss %d, made %d" % (len(js), n_ss, n))

    def filters(self, n, runs, fill=True):
        size = self.block(n) if fill else self.size
        # the generator's first process uses 127.1.0.0/16 sources: half the table
        self.compare([
            ("list_filter_laddr", TWCTL + " list --laddr 127.1.0.0/16",
             "ss -tan state time-wait src 127.1.0.0/16"),
            ("list_filter_lport_range", TWCTL + " list --lport 1024-20000",
             "ss -tan state time-wait '( sport >= :1024 and sport <= :20000 )'"),
            ("list_json_filter_laddr", TWCTL + " -j list --laddr 127.1.0.0/16",
             "ss -tane state time-wait src 127.1.0.0/16"),
        ], size, runs)

    def summary(self, n, runs, fill=True):
        size = self.block(n) if fill else self.size
        tw = TWCTL + " summary --by dest"
        an = "ss -Htan state time-wait | awk '{print $5}' | sort | uniq -c | sort -rn"
        self.compare([("summary_by_dest", tw, an)], size, runs)
        # peak RSS of the tool (busybox time is small and static, so the figure
        # is the tool's own; ss's is for scale, its pipeline's other stages aside)
        rss = {}
        for cmd in (tw, "ss -Htan state time-wait"):
            p = subprocess.run(["busybox", "time", "-v", "sh", "-c", "exec " + cmd],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
            rss[cmd] = int(m.group(1)) if m else None
        if rss[tw] and rss["ss -Htan state time-wait"]:
            self.row("summary_peak_rss_kib", size, [rss[tw]],
                     [rss["ss -Htan state time-wait"]], "KiB", tw, "ss -Htan state time-wait",
                     "busybox time -v; one run")

    def kills(self, n, runs):
        """Same table shape and selection (127.1.0.0/16 sources, half the table)
        for both; the table is rebuilt before every kill."""
        tw = TWCTL + " kill --laddr 127.1.0.0/16"
        an = "ss -K -tan state time-wait src 127.1.0.0/16"
        sel = "ss -Htan state time-wait src 127.1.0.0/16 | wc -l"
        per = {tw: [], an: []}
        killed = {tw: [], an: []}
        sizes = []
        for r in range(runs):
            order = [tw, an] if r % 2 == 0 else [an, tw]
            for cmd in order:
                sizes.append(self.block(n))
                before = int(sh(sel))
                total, _, _ = timed(cmd + " >/dev/null")
                after = int(sh(sel))
                k = before - after
                killed[cmd].append(k)
                per[cmd].append(total / k if k else float("inf"))
        size = statistics.median(sizes)
        self.row("kill_per_entry", size, per[tw], per[an], "s/entry", tw, an,
                 "killed per run: twctl %s, ss -K %s" % (killed[tw], killed[an]))
        if self.args.smoke:
            self.check("bench-kill-same-selection",
                       killed[tw] == killed[an] and all(killed[tw]),
                       "twctl killed %s, ss -K %s" % (killed[tw], killed[an]))

    # -- the close path ----------------------------------------------------
    def close_path(self, rounds, secs):
        """Connect/close loop rate, module out and in alternately."""
        cmd = "%s -q -p 1 -d %s" % (TWLOAD, secs)
        rate = {False: [], True: []}
        for r in range(rounds):
            for loaded in ((False, True) if r % 2 == 0 else (True, False)):
                load_module() if loaded else unload_module()
                kill_all()
                rate[loaded].append(float(twload(["-p", "1", "-d", str(secs)])["rate"]))
        load_module()
        self.row("close_loop_rate", "fresh", rate[True], rate[False], "conn/s",
                 cmd + " (twctl.ko loaded)", cmd + " (not loaded)",
                 "ratio = rate with the module / without; 1 process; %d rounds alternating" % rounds)

    # -- namespaces --------------------------------------------------------
    def netns(self, count, per_ns, rounds):
        kill_all()
        # namespaces are slow to make under TCG: as many as the budget allows
        t0 = time.monotonic()
        names = []
        for i in range(count):
            if time.monotonic() - t0 > self.args.netns_budget:
                break
            subprocess.run(["ip", "netns", "add", "twload-%d" % i], check=True)
            names.append("twload-%d" % i)
        made_in = time.monotonic() - t0
        log("%d namespaces made in %.0f s; filling each with %d entries" % (
            len(names), made_in, per_ns))
        count = len(names)
        res = twload(["--netns-list", ",".join(names), "-n", str(count * per_ns), "-p", "2"])
        made = int(res["created"])
        # latency of netns add / del with the module loaded and not, alternating
        lat = {(op, ld): [] for op in ("add", "del") for ld in (False, True)}
        k = 0
        for r in range(rounds):
            for loaded in ((True, False) if r % 2 == 0 else (False, True)):
                load_module() if loaded else unload_module()
                names = ["bench-%d" % (k + i) for i in range(self.args.netns_ops)]
                k += len(names)
                for nm in names:
                    t, _, _ = timed("ip netns add " + nm)
                    lat[("add", loaded)].append(t)
                for nm in names:
                    t, _, _ = timed("ip netns del " + nm)
                    lat[("del", loaded)].append(t)
        load_module()
        for op in ("add", "del"):
            self.row("netns_%s_latency" % op, "%d netns x %d" % (count, per_ns),
                     lat[(op, True)], lat[(op, False)], "s",
                     "ip netns %s (twctl.ko loaded)" % op, "ip netns %s (not loaded)" % op,
                     "%d namespaces holding %d entries; making the namespaces took %.0f s" % (
                         count, made, made_in))
        # the collector over all of them: the module was just reloaded, so
        # its store is empty; entries made now give it records to hold
        twload(["--netns-list", ",".join("twload-%d" % i for i in range(count)),
                "-n", str(count * per_ns), "-p", "2"])
        stats0 = self.debugfs_stats()
        time.sleep(self.args.collector_wait)
        stats1 = self.debugfs_stats()
        delta = {k: stats1[k] - stats0.get(k, 0) for k in stats1}
        # a pass's work: the records it looked up in their bucket
        # (capture_gc_checked), per pass (capture_gc_runs)
        note = "debugfs stats deltas over %d s: %s; %d records held" % (
            self.args.collector_wait,
            " ".join("%s=%d" % kv for kv in sorted(delta.items()) if kv[1]),
            stats1.get("capture_records", -1))
        if delta.get("capture_gc_runs") and "capture_gc_checked" in delta:
            per = [delta["capture_gc_checked"] / delta["capture_gc_runs"]]
            self.row("collector_cost_per_pass", "%d netns" % count, per, [], "lookups",
                     "debugfs stats capture_gc_checked / capture_gc_runs", "", note)
        else:
            self.row("collector_cost_per_pass", "%d netns" % count, [], [], "",
                     "cat /sys/kernel/debug/twctl/stats", "",
                     "no pass/time counters in debugfs stats; " + note)
        # a debugfs walk over every namespace
        if os.path.exists("/sys/kernel/debug/twctl/entries"):
            ts = [timed("cat /sys/kernel/debug/twctl/entries")[0] for _ in range(3)]
            self.row("debugfs_entries_read", "%d netns x %d" % (count, per_ns), ts, [], "s",
                     "cat /sys/kernel/debug/twctl/entries", "")
        for i in range(count):
            subprocess.run(["ip", "netns", "del", "twload-%d" % i], check=False)

    def debugfs_stats(self):
        out = {}
        try:
            with open("/sys/kernel/debug/twctl/stats") as f:
                for line in f:
                    w = line.split()
                    if len(w) == 2 and w[1].lstrip("-").isdigit():
                        out[w[0]] = int(w[1])
        except OSError:
            pass
        return out

    # -- memory ------------------------------------------------------------
    def memory(self, n, fill=True):
        size = self.block(n) if fill else self.size
        d = "/sys/kernel/slab/twctl_capture"
        note = ""
        if os.path.exists(d):
            def rd(f):
                try:
                    with open(os.path.join(d, f)) as fh:
                        return fh.read().split()[0]
                except OSError:
                    return ""
            obj, slab = rd("object_size"), rd("slab_size")
            target = os.path.basename(os.path.realpath(d))
            note = "object_size %s slab_size %s objects %s (cache %s)" % (
                obj, slab, rd("objects"), target)
            if slab:
                self.row("capture_bytes_per_entry", size, [int(slab)], [], "bytes",
                         "cat %s/slab_size" % d, "", note)
        else:
            self.row("capture_bytes_per_entry", size, [], [], "bytes", "ls " + d, "",
                     "no twctl_capture slab cache")
        st = self.debugfs_stats()
        self.row("capture_records", size, [st.get("capture_recorded", 0) -
                                           st.get("capture_freed", 0)], [], "records",
                 "/sys/kernel/debug/twctl/stats recorded - freed", "")

    def warm_up(self):
        """The binaries come over 9p: one untimed run of each, before any
        block, so that no block's window pays for reading them."""
        for cmd in (TWCTL + " list", TWCTL + " -j list", TWCTL + " summary --by dest",
                    "ss -tane state time-wait | awk '{print $5}' | sort | uniq -c | sort -rn",
                    "busybox true", "ip netns list"):
            timed(cmd)

    def write(self, label=None):
        out = self.args.out or os.environ.get("TWCTL_OUT") or "."
        path = os.path.join(out, "%s-%s.csv" % (self.kver, label or self.args.label))
        with open(path, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=FIELDS)
            w.writeheader()
            for r in self.rows:
                w.writerow(r)
        log("wrote " + path)
        return path

    def run_stretched(self):
        """--stretch: tw_stretch.ko gives every new entry a.stretch seconds,
        so that blocks of 100,000 and 1,000,000 entries can be made and
        measured; one fill per size serves listings, filters, summary and
        memory; kills (a fresh table per run) only up to --big-kill-max.
        One CSV per size, labelled <label><size>."""
        global WINDOW
        a = self.args
        if not STRETCH_KO or not os.path.exists(STRETCH_KO):
            sys.exit("bench: --stretch needs TWCTL_STRETCH_KO (tests/bench/run builds it)")
        kill_all()
        subprocess.run(["insmod", STRETCH_KO, "seconds=%d" % a.stretch], check=True)
        WINDOW = a.stretch - 10.0
        paths = []
        try:
            for n in a.sizes:
                self.rows = []
                steps = [("listings", lambda: self.listings(n, a.runs)),
                         ("filters", lambda: self.filters(n, a.runs, fill=False)),
                         ("summary", lambda: self.summary(n, a.runs, fill=False)),
                         ("memory", lambda: self.memory(n, fill=False))]
                if n <= a.big_kill_max:
                    steps.append(("kills", lambda: self.kills(n, a.kill_runs)))
                for name, fn in steps:
                    try:
                        fn()
                    except (RuntimeError, subprocess.CalledProcessError, OSError,
                            ValueError) as e:
                        log("%s at %d failed: %s" % (name, n, e))
                        self.check("bench-step-%s-%d" % (name, n), False, str(e)[:200])
                tag = "%dm" % (n // 1000000) if n % 1000000 == 0 else "%dk" % (n // 1000)
                paths.append(self.write(a.label + tag))
        finally:
            kill_all()
            subprocess.run(["rmmod", "tw_stretch"], check=False)
        return paths[-1] if paths else ""

    def run(self):
        a = self.args
        os.makedirs(a.out or os.environ.get("TWCTL_OUT") or ".", exist_ok=True)
        import resource
        resource.setrlimit(resource.RLIMIT_NOFILE, (65536, 65536))
        log("default tcp_max_tw_buckets %s" % sh("sysctl -n net.ipv4.tcp_max_tw_buckets").strip())
        sh("sysctl -qw net.ipv4.ip_local_port_range='1024 65535'")
        sh("sysctl -qw net.ipv4.tcp_max_tw_buckets=4000000")
        load_module()
        if a.stretch:
            self.warm_up()
            return self.run_stretched()
        n = a.entries
        if a.max_seconds:
            rate = self.max_table()
            if not n:
                # a table the generator fills in a third of the lifetime, so a
                # block has the rest of it for its runs
                n = max(1000, min(200000, int(rate * a.fill_seconds) // 1000 * 1000))
        n = n or 1000
        self.warm_up()
        log("blocks at %d entries, up to %d runs each" % (n, a.runs))
        steps = [("listings", lambda: self.listings(n, a.runs)),
                 ("filters", lambda: self.filters(n, a.runs)),
                 ("summary", lambda: self.summary(n, a.runs)),
                 ("kills", lambda: self.kills(n, a.kill_runs)),
                 ("memory", lambda: self.memory(n)),
                 ("close_path", lambda: self.close_path(a.close_rounds, a.close_seconds)),
                 ("netns", lambda: self.netns(a.netns, a.netns_entries, a.netns_rounds))]
        for name, fn in steps:
            try:
                fn()
            except (RuntimeError, subprocess.CalledProcessError, OSError, ValueError) as e:
                log("%s failed: %s" % (name, e))
                self.check("bench-step-" + name, False, str(e)[:200])
        path = self.write()
        return path


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--smoke", action="store_true",
                    help="1,000 entries, one run of everything, PASS/FAIL checks")
    ap.add_argument("--entries", type=int,
                    default=int(os.environ.get("TWCTL_BENCH_ENTRIES", "0")),
                    help="table size per block (default: what fills in --fill-seconds)")
    ap.add_argument("--runs", type=int, default=int(os.environ.get("TWCTL_BENCH_RUNS", "5")))
    ap.add_argument("--kill-runs", type=int, default=2)
    ap.add_argument("--procs", type=int, default=2)
    ap.add_argument("--max-seconds", type=int, default=75,
                    help="generate flat out this long to find the biggest table (0: skip)")
    ap.add_argument("--fill-seconds", type=float, default=15)
    ap.add_argument("--close-rounds", type=int, default=4)
    ap.add_argument("--close-seconds", type=float, default=4)
    ap.add_argument("--netns", type=int, default=256)
    ap.add_argument("--netns-entries", type=int, default=20)
    ap.add_argument("--netns-rounds", type=int, default=4)
    ap.add_argument("--netns-budget", type=float, default=120,
                    help="seconds for making the namespaces (fewer if it runs out)")
    ap.add_argument("--netns-ops", type=int, default=5,
                    help="namespaces added and deleted per round")
    ap.add_argument("--collector-wait", type=int, default=10)
    ap.add_argument("--label", default=os.environ.get("TWCTL_BENCH_LABEL", "main"))
    ap.add_argument("--stretch", type=int, default=0,
                    help="load tw_stretch.ko ($TWCTL_STRETCH_KO): entries live this many "
                         "seconds; measure at --sizes instead of the stock blocks")
    ap.add_argument("--sizes", default="100000,1000000",
                    help="table sizes of the --stretch blocks, comma-separated")
    ap.add_argument("--big-kill-max", type=int, default=200000,
                    help="--stretch: kill measurements only at sizes up to this")
    ap.add_argument("--out", default="")
    # TWCTL_BENCH_ARGS (passed into the guest like every TWCTL_ variable)
    # adds options, e.g. "--max-seconds 60 --netns-budget 60"
    a = ap.parse_args(sys.argv[1:] + os.environ.get("TWCTL_BENCH_ARGS", "").split())
    a.sizes = [int(x) for x in a.sizes.split(",") if x]
    if a.smoke:
        a.entries, a.runs, a.kill_runs, a.max_seconds = 1000, 1, 1, 0
        a.sizes = [1000]
        a.close_rounds, a.close_seconds = 1, 1
        a.netns, a.netns_entries, a.netns_rounds, a.collector_wait = 4, 10, 1, 2
        a.netns_ops = 2
    b = Bench(a)
    path = b.run()
    if a.smoke:
        with open(path) as f:
            rows = list(csv.DictReader(f))
        want = ["list_table", "list_json", "first_entry_fraction", "entries_seen",
                "list_filter_laddr", "list_filter_lport_range", "list_json_filter_laddr",
                "summary_by_dest", "kill_per_entry", "capture_bytes_per_entry",
                "close_loop_rate", "netns_add_latency", "netns_del_latency",
                "collector_cost_per_pass"]
        if a.stretch:
            want = want[:want.index("capture_bytes_per_entry") + 1]
        for m in want:
            r = [x for x in rows if x["metric"] == m]
            ok = len(r) == 1 and all(x in r[0] for x in FIELDS) and r[0]["kernel"] and \
                r[0]["twctl_cmd"]
            reason = "no row" if not r else "malformed row %s" % r[0]
            if ok and m not in ("collector_cost_per_pass",):
                try:
                    float(r[0]["twctl_median"])
                    int(r[0]["n"]) >= 1 or 1 / 0
                    if r[0]["anchor_cmd"]:
                        float(r[0]["anchor_median"])
                        float(r[0]["ratio"])
                except (ValueError, ZeroDivisionError):
                    ok, reason = False, "non-numeric figures in %s" % r[0]
            b.check("bench-row-" + m, ok, reason)
        seen = [x for x in rows if x["metric"] == "entries_seen"]
        if seen:
            b.check("bench-entries-seen-agree",
                    seen[0]["twctl_median"] == seen[0]["anchor_median"],
                    "twctl list %s lines, ss %s" % (seen[0]["twctl_median"],
                                                    seen[0]["anchor_median"]))
    failed = 0
    for name, ok, reason in b.checks:
        if ok:
            print("PASS: " + name)
        else:
            print("FAIL: %s (%s)" % (name, reason))
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

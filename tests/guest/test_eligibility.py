#!/usr/bin/env python3
"""Guest suite: RTO capture and recycle/reuse eligibility (issue 4).

Runs as root inside a test guest (tests/vm/run --kernel 6.1|6.12|kunit).
Two network namespaces joined by three veth pairs, one per RTT class; netem
on the server side of each pair delays server-to-client packets by 0, 100
or 400 ms, so the round trip of a connection over pair i is DELAYS[i]. The
client closes first, so every TIME_WAIT entry lives in the client netns.

Prints PASS:/FAIL: lines, INFO: lines with the measured figures, and ends
with "N passed, N failed, N skipped"; exits 1 if anything failed.

Module: $TWCTL_KO, else build/dkms/<kver>/twctl.ko (make dkms-check), else
build/<kver>/module/twctl.ko (make module); none of them is a failure.
CLI: $TWCTL_CLI, else tools/twctl. The suite reloads the module (to make
entries before it is loaded, and with capture_max=5) and leaves it loaded
with default parameters.
"""
import errno
import json
import os
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import twtest  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KVER = os.uname().release
CLI = os.environ.get('TWCTL_CLI') or os.path.join(REPO, 'tools', 'twctl')
DEBUGFS = '/sys/kernel/debug/twctl'

TAG = f'{os.getpid() % 100000}'
NS_C = f'twelc{TAG}'        # client: holds the TIME_WAIT entries
NS_S = f'twels{TAG}'        # server: netem on its veth ends

DELAYS = (0, 100, 400)      # ms, server -> client, one veth pair each

# One server port per purpose, so that every check can pick its own entries.
PORT_RTT = 7000
PORT_NOTS = 7001
PORT_PRE = 7002
PORT_BOUND = 7010
PORT_FILTER = 7020
PORT_REUSE = 7030
PORT_GC = 7040
PORTS = (PORT_RTT, PORT_NOTS, PORT_PRE, PORT_BOUND, PORT_FILTER, PORT_REUSE,
         PORT_GC)



def slack_ms(d):
    """What the guest may add to a round trip of d ms on top of netem: TCG
    emulation, the server thread's reaction before its FIN, and stalls of an
    emulator sharing a loaded host (seen: +54 ms on a 400 ms SYN-ACK while a
    kernel built next to it). 50 ms, plus a quarter of d for long paths."""
    return 50 + d // 4

RTO_MIN_MS = 200            # TCP_RTO_MIN

# 6.14+ (Debian's 7.x): the kernel stamps every entry with its entry time
# (tw_entry_stamp) and judges reuse by the time since it against the per-netns
# net.ipv4.tcp_tw_reuse_delay, which came in the same series. twctl then
# reports every entry's age from that stamp (age_source "entry_stamp"), also
# for entries from before it was loaded; a capture gives the RTO only.
STAMPED = os.path.exists('/proc/sys/net/ipv4/tcp_tw_reuse_delay')
AGE_EXACT = 'entry_stamp' if STAMPED else 'captured'
REUSE_DELAY_MS = 1000       # tcp_tw_reuse_delay in a new netns (and before 6.14)
# Two clocks read in whole ms (the stamp and twctl's now; our monotonic
# brackets are exact): the reported age may be off by 1 ms each way.
STAMP_TOLERANCE_MS = 2
JIFFY_MS = 4                # HZ=250 in Debian's and the KUnit kernels; a bound


def recycle_after(rto):
    return (rto << 2) - (rto >> 1)


Fail = twtest.Fail
expect = twtest.expect

# --------------------------------------------------------------------------
# Reporting: twtest's (setup steps print no PASS line)

R = twtest.Reporter('')


def info(msg):
    print(f'INFO: {msg}', flush=True)


# --------------------------------------------------------------------------
# Processes, namespaces, sysctls

def run(cmd, check=True, timeout=60):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise Fail(f'{" ".join(cmd)}: exit {r.returncode}: {r.stderr.strip()[:300]}')
    return r


# The shared helper: enter netns NAME for the block (sockets stay there).
netns = twtest.in_netns


def sysctl(ns, name, value=None):
    if value is None:
        return run(['ip', 'netns', 'exec', ns, 'sysctl', '-n', name]).stdout.strip()
    run(['ip', 'netns', 'exec', ns, 'sysctl', '-qw', f'{name}={value}'])
    return str(value)


def v4(i, host):
    return f'198.18.{i}.{host}'


def v6(i, host):
    return f'fd00:{i}::{host}'


def setup_net():
    for m in ('veth', 'sch_netem'):
        run(['modprobe', m], check=False)   # built in on the KUnit kernel
    for ns in (NS_C, NS_S):
        run(['ip', 'netns', 'del', ns], check=False)
        run(['ip', 'netns', 'add', ns])
        run(['ip', '-n', ns, 'link', 'set', 'lo', 'up'])
        # No per-destination metrics cache: each connection's RTO comes
        # from its own samples only (tcp_init_metrics could seed srtt and
        # rttvar from an earlier connection to the same peer).
        sysctl(ns, 'net.ipv4.tcp_no_metrics_save', 1)
        sysctl(ns, 'net.ipv4.tcp_timestamps', 1)
        sysctl(ns, 'net.ipv4.tcp_tw_reuse', 0)
    sysctl(NS_C, 'net.ipv4.ip_local_port_range', '20000 60999')
    for i, d in enumerate(DELAYS):
        c, s = f'c{i}', f's{i}'
        run(['ip', 'link', 'add', c, 'netns', NS_C, 'type', 'veth', 'peer', 'name', s, 'netns', NS_S])
        for ns, dev, host in ((NS_C, c, 1), (NS_S, s, 2)):
            run(['ip', '-n', ns, 'addr', 'add', f'{v4(i, host)}/24', 'dev', dev])
            run(['ip', '-n', ns, 'addr', 'add', f'{v6(i, host)}/64', 'dev', dev, 'nodad'])
            run(['ip', '-n', ns, 'link', 'set', dev, 'up'])
        # Permanent neighbours: otherwise the first SYN of a class waits for
        # an ARP/ND reply that netem delays too, and its RTT sample (the
        # first, which sets rttvar to twice itself) comes out as 2 x RTT.
        macs = {dev: json.loads(run(['ip', '-n', ns, '-j', 'link', 'show', 'dev', dev]).stdout)[0]['address']
                for ns, dev in ((NS_C, c), (NS_S, s))}
        for ns, dev, peer, host in ((NS_C, c, s, 2), (NS_S, s, c, 1)):
            for addr in (v4(i, host), v6(i, host)):
                run(['ip', '-n', ns, 'neigh', 'replace', addr, 'lladdr', macs[peer],
                     'dev', dev, 'nud', 'permanent'])
        if d:
            run(['ip', 'netns', 'exec', NS_S, 'tc', 'qdisc', 'add', 'dev', s, 'root', 'netem', 'delay', f'{d}ms'])


def teardown_net():
    for ns in (NS_C, NS_S):
        run(['ip', 'netns', 'del', ns], check=False)


# --------------------------------------------------------------------------
# Module

# build/dkms/<kver>/twctl.ko or build/<kver>/module/twctl.ko (or $TWCTL_KO)
module_path = twtest.module_path


def loaded():
    return os.path.exists('/sys/module/twctl')


def unload():
    for _ in range(50):
        if not loaded():
            return
        r = run(['rmmod', 'twctl'], check=False)
        if r.returncode == 0:
            return
        time.sleep(0.1)
    raise Fail(f'rmmod twctl: {r.stderr.strip()}')


KPROBES_LIST = '/sys/kernel/debug/kprobes/list'


def probe_mode():
    """How the kernel runs twctl's kprobe: 'FTRACE', 'OPTIMIZED', '' (int3)
    or None (no probe listed)."""
    with open(KPROBES_LIST) as f:
        for line in f:
            if ' tcp_time_wait+0x' in line:
                for mode in ('FTRACE', 'OPTIMIZED'):
                    if f'[{mode}]' in line:
                        return mode
                return ''
    return None


def load(*params):
    """insmod, then wait until the probe is ready. An int3 kprobe runs as an
    NMI on x86, where the module records nothing (it counts a drop); Debian
    kernels put the probe on ftrace at once, kernels without ftrace
    optimise it into a jump only after the kprobe optimizer has run
    (synchronize_rcu_tasks(), seconds in a slow guest)."""
    unload()
    ko = module_path()
    run(['insmod', ko, *params])
    expect(loaded(), f'insmod {ko} left no /sys/module/twctl')
    if not os.path.exists(KPROBES_LIST):
        return
    deadline = time.monotonic() + 60
    while True:
        mode = probe_mode()
        if mode:
            return
        if time.monotonic() > deadline:
            raise Fail(f'kprobe on tcp_time_wait not on ftrace nor optimised after 60 s (mode {mode!r})')
        time.sleep(0.05)


def param(name):
    with open(f'/sys/module/twctl/parameters/{name}') as f:
        return f.read().strip()


def stats():
    out = {}
    with open(f'{DEBUGFS}/stats') as f:
        for line in f:
            p = line.split()
            if len(p) == 2 and p[1].lstrip('-').isdigit():
                out[p[0]] = int(p[1])
    return out


def debugfs_captured_live():
    """Entries of every netns with a capture record: no '~' on the RTO
    (an age from the kernel's entry stamp has no '~' either)."""
    n = 0
    with open(f'{DEBUGFS}/entries') as f:
        for line in f:
            if line.startswith('#'):
                continue
            p = line.split()
            if len(p) >= 9 and not p[8].endswith('~'):
                n += 1
    return n


# --------------------------------------------------------------------------
# The CLI

def twctl(*args, ns=NS_C):
    cmd = [CLI, '-j'] + (['-N', ns] if ns else []) + list(args)
    r = run(cmd, check=False)
    if r.returncode != 0:
        raise Fail(f'{" ".join(cmd)}: exit {r.returncode}: {r.stderr.strip()[:300]}')
    try:
        return json.loads(r.stdout)
    except ValueError as e:
        raise Fail(f'{" ".join(cmd)}: not JSON ({e}): {r.stdout[:200]!r}')


def entries(*filters):
    return {e['cookie']: e for e in twctl('list', *filters)}


def entry(cookie):
    got = twctl('list', '--cookie', str(cookie))
    expect(len(got) <= 1, f'--cookie {cookie} gave {len(got)} entries')
    if got:
        expect(got[0]['cookie'] == cookie, f'--cookie {cookie} gave cookie {got[0]["cookie"]}')
    return got[0] if got else None


# --------------------------------------------------------------------------
# Traffic

class Server:
    """Listens in NS_S; closes each connection once the client has closed."""

    def __init__(self, family, addr, port):
        with netns(NS_S):
            self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((addr, port))
        self.sock.listen(256)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    @staticmethod
    def _serve(c):
        try:
            c.settimeout(30)
            while c.recv(4096):
                pass
        except OSError:
            pass
        finally:
            c.close()


SERVERS = {}


def server_for(family, i, port):
    addr = v4(i, 2) if family == socket.AF_INET else v6(i, 2)
    key = (family, addr, port)
    if key not in SERVERS:
        SERVERS[key] = Server(family, addr, port)
    return addr


def connect_close(i, port, family=socket.AF_INET):
    """One connection over pair i, closed by the client first: a TIME_WAIT
    entry in NS_C. Returns (lport, remote address)."""
    raddr = server_for(family, i, port)
    with netns(NS_C):
        s = socket.socket(family, socket.SOCK_STREAM)
    try:
        s.settimeout(20)
        s.connect((raddr, port))
        lport = s.getsockname()[1]
    finally:
        s.close()
    return lport, raddr


class NoEntry(Fail):
    """The entry did not show in twctl within the time; .seen_by_ss says
    whether the kernel (ss, the ground truth) had it."""

    def __init__(self, msg, seen_by_ss):
        super().__init__(msg)
        self.seen_by_ss = seen_by_ss


def ss_tuple(lport, rport, ns=NS_C):
    """What ss says of the connection lport -> rport in @ns, any state, and
    the TcpExt counters that tell why a close made no TIME_WAIT entry."""
    r = run(['ip', 'netns', 'exec', ns, 'ss', '-Htanoe', 'sport', '=', f':{lport}',
             'dport', '=', f':{rport}'], check=False)
    n = run(['ip', 'netns', 'exec', ns, 'nstat', '-asz', 'TcpExtTW', 'TcpExtTCPTimeWaitOverflow',
             'TcpExtTCPAbortOnClose', 'TcpExtTCPAbortOnMemory', 'TcpExtTCPAbortOnTimeout'],
            check=False)
    counters = ' '.join(' '.join(line.split()[:2]) for line in n.stdout.splitlines()
                        if line.startswith('TcpExt'))
    return r.stdout.strip(), counters


def wait_entry(lport, rport, state='TIME_WAIT', timeout=20):
    """The entry of the connection from lport to rport, once in @state."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        for e in twctl('list', '--lport', str(lport), '--rport', str(rport)):
            last = e
            if state is None or e['state'] == state:
                return e
        time.sleep(0.02)
    seen, counters = ss_tuple(lport, rport)
    tw = 'timer:(timewait' in seen     # a timewait socket, TIME-WAIT or FIN-WAIT-2
    raise NoEntry(f'no {state} entry for lport {lport} rport {rport} within {timeout}s (last: {last}); '
                  f'ss: {seen or "nothing"!r}; {counters}', tw or last is not None)


def make_entries(n, i, port, family=socket.AF_INET):
    """n TIME_WAIT entries to @port over pair i. A close that left the
    kernel itself without an entry (ss shows none either: the peer's FIN
    never came, say) is not what these checks test: it is replaced, twice
    at most, and said in an INFO line. An entry that ss shows and twctl does
    not is a failure."""
    conns = [connect_close(i, port, family) for _ in range(n)]
    made, spare = [], 2
    while conns:
        lp, _ = conns.pop(0)
        try:
            made.append(wait_entry(lp, port))
        except NoEntry as ex:
            if ex.seen_by_ss or not spare:
                raise
            info(f'the kernel made no entry for a close (replaced): {ex}')
            spare -= 1
            conns.append(connect_close(i, port, family))
    return made


# --------------------------------------------------------------------------
# Checks

def rto_bounds(d):
    """Where the captured RTO must fall for a path of RTT d ms.

    Linux sets RTO = srtt + rttvar (__tcp_set_rto), rounded up to a jiffy.
    tcp_rtt_estimator starts rttvar at max(2 x first sample, tcp_rto_min)
    and never lets it fall below tcp_rto_min (200 ms). Our connections give
    two samples, the SYN-ACK (s1, the first) and the ACK of our FIN (s2);
    after both, srtt = s1 + (s2 - s1) / 8 and rttvar is at most
    max(2 s1, s1 / 2 + s2, 200 ms). With every sample between d and d + S
    (netem adds exactly d; S = slack_ms(d) is what the guest adds), srtt is
    in [d, d + S] and
        d + 200  <=  rto  <=  max(3 (d + S), d + S + 200) + 1 jiffy
    i.e. RTT + 200 ms on short paths and up to 3 x RTT on long ones (the
    first sample dominates: 300 ms for 100 ms, 1200 ms for 400 ms).
    """
    s = slack_ms(d)
    lo = d + RTO_MIN_MS
    hi = max(3 * (d + s), d + s + RTO_MIN_MS) + JIFFY_MS
    return lo, hi


def check_captured(e, d):
    expect(e['age_source'] == AGE_EXACT, f'age_source {e["age_source"]}')
    expect(e['rto_source'] == 'captured', f'rto_source {e["rto_source"]}')
    rto, srtt = e['rto_ms'], e['srtt_us']
    lo, hi = rto_bounds(d)
    expect(lo <= rto <= hi, f'rto_ms {rto} outside [{lo}, {hi}] for rtt {d} ms (srtt_us {srtt})')
    # netem delays by at least d; srtt_us is srtt >> 3, truncated
    hi_srtt = (d + slack_ms(d)) * 1000
    expect(d * 1000 - 1 <= srtt <= hi_srtt,
           f'srtt_us {srtt} not within [{d * 1000}, {hi_srtt}] for rtt {d} ms')
    # The same computation, exactly: rttvar >= 200 ms, rounded up to jiffies.
    expect(rto * 1000 >= srtt + RTO_MIN_MS * 1000,
           f'rto_ms {rto} < srtt {srtt} us + 200 ms')
    expect(e['recycle_after_ms'] == recycle_after(rto),
           f'recycle_after_ms {e["recycle_after_ms"]} != (rto<<2)-(rto>>1) = {recycle_after(rto)}')
    # The captured age starts at entry to tcp_time_wait(); the timer's at its
    # last arming (60 s for TIME_WAIT): they agree unless the entry spent
    # time in FIN_WAIT2 first (at most the server's reaction to our FIN).
    timer_age = 60000 - e['remaining_ms']
    expect(-2 * JIFFY_MS <= e['age_ms'] - timer_age <= 1000,
           f'captured age {e["age_ms"]} ms vs timer age {timer_age} ms')


def debugfs_entries():
    """/sys/kernel/debug/twctl/entries, every netns, one dict per entry.
    Reading it starts no process, so it can be polled every few ms."""
    out = {}
    with open(f'{DEBUGFS}/entries') as f:
        for line in f:
            p = line.split()
            if line.startswith('#') or len(p) < 11:
                continue
            out[int(p[5])] = {
                'netns': int(p[0]), 'state': p[1], 'local': p[2], 'remote': p[3],
                'remaining_ms': int(p[4]), 'cookie': int(p[5]), 'age_ms': int(p[7].rstrip('~')),
                'age_captured': not p[7].endswith('~'), 'rto_ms': int(p[8].rstrip('~')),
                'rto_captured': not p[8].endswith('~'), 'recycle': p[9], 'reuse': p[10]}
    return out


def netns_inode(name):
    return os.stat(f'/run/netns/{name}').st_ino


def debugfs_wait(lport, rport, timeout=20):
    """The debugfs view of our TIME_WAIT entry from lport to rport (NS_C)."""
    ino = netns_inode(NS_C)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for e in debugfs_entries().values():
            if (e['netns'] == ino and e['state'] == 'TIME_WAIT' and
                    e['local'].endswith(f':{lport}') and e['remote'].endswith(f':{rport}')):
                return e
        time.sleep(0.005)
    raise Fail(f'no TIME_WAIT entry {lport}->{rport} in debugfs within {timeout}s')


def observe_flip(early):
    """Polls one entry through its recycle_after_ms, with twctl list --cookie
    and, close to the flip, with debugfs too (@early is the debugfs view
    that found it). Every observation is judged by its own reported age:
    younger than recycle_after_ms must be "too-young", older must be
    "eligible"; both kinds must be seen."""
    cookie = early['cookie']
    first = entry(cookie)
    expect(first is not None, f'entry {cookie} vanished')
    after = first['recycle_after_ms']
    expect(early['rto_ms'] == first['rto_ms'] and early['rto_captured'],
           f'debugfs rto {early["rto_ms"]} captured={early["rto_captured"]}, twctl rto {first["rto_ms"]}')
    deadline = time.monotonic() + after / 1000 + 30
    young, old = [], []     # ages, from either source

    def judge(age, eligible, reason, src):
        if age < after:
            expect(not eligible and reason == 'too-young',
                   f'{src}: age {age} < {after} but recycle {eligible}/{reason}')
            young.append(age)
        else:
            expect(eligible and reason == 'eligible',
                   f'{src}: age {age} >= {after} but recycle {eligible}/{reason}')
            old.append(age)

    judge(early['age_ms'], early['recycle'] == 'eligible', early['recycle'], 'debugfs')
    cli_old = 0
    while time.monotonic() < deadline and cli_old < 3:
        e = entry(cookie)
        expect(e is not None, f'entry {cookie} vanished while polled')
        expect(e['recycle_after_ms'] == after and e['rto_ms'] == first['rto_ms'],
               f'rto/recycle_after changed: {first["rto_ms"]}/{after} -> {e["rto_ms"]}/{e["recycle_after_ms"]}')
        judge(e['age_ms'], e['recycle_eligible'], e['recycle_reason'], 'twctl list')
        if e['age_ms'] >= after:
            cli_old += 1
        elif after - e['age_ms'] < 500:
            # Close to the flip: watch it through debugfs, every 5 ms.
            until = time.monotonic() + 1.5
            while time.monotonic() < until:
                got = debugfs_entries().get(cookie)
                expect(got is not None, f'entry {cookie} not in debugfs')
                expect(got['age_captured'], f'debugfs shows entry {cookie} as not captured')
                judge(got['age_ms'], got['recycle'] == 'eligible', got['recycle'], 'debugfs')
                if got['age_ms'] >= after:
                    break
                time.sleep(0.005)
        else:
            time.sleep(0.05)
    return first, young, old


def test_rtt_class(i, d, family=socket.AF_INET, label=None):
    label = label or f'rtt={d}ms'
    for attempt in range(3):
        lport, raddr = connect_close(i, PORT_RTT, family)
        early = debugfs_wait(lport, PORT_RTT)
        first, young, old = observe_flip(early)
        check_captured(first, d)
        if young and old:
            break
        if not old:
            raise Fail(f'{label}: never became eligible (ages seen {young[:3]}..{young[-3:]})')
        # The guest was too slow to see it young: try again.
        info(f'{label}: first look at age {old[0]} >= {first["recycle_after_ms"]}, retrying')
    else:
        raise Fail(f'{label}: could not observe the entry before recycle_after_ms in 3 tries')
    info(f'{label} family={"inet6" if family == socket.AF_INET6 else "inet"} '
         f'srtt_us={first["srtt_us"]} rto_ms={first["rto_ms"]} '
         f'recycle_after_ms={first["recycle_after_ms"]} '
         f'last_too_young_age_ms={max(young)} flipped_at_age_ms={min(old)} '
         f'observations={len(young) + len(old)}')


def make_pre_entries(n):
    """n entries made before the module is loaded: (lport, t0, t1), the
    entry entered TIME_WAIT between t0 and t1 (time.monotonic(), the
    kernel's tcp_clock_ms() clock): t0 before connect(), t1 once ss shows
    it in TIME_WAIT."""
    out = []
    for _ in range(n):
        t0 = time.monotonic()
        lport, _ = connect_close(0, PORT_PRE)
        deadline = t0 + 20
        while not any(k.lport == lport and k.rport == PORT_PRE for k in twtest.ss_keys(NS_C)):
            expect(time.monotonic() < deadline, f'lport {lport}: no TIME_WAIT entry in ss within 20 s')
            time.sleep(0.005)
        out.append((lport, t0, time.monotonic()))
    return out


def test_pre_module_entries(pre):
    ta = time.monotonic()
    got = entries('--rport', str(PORT_PRE))
    tb = time.monotonic()
    byport = {e['lport']: e for e in got.values()}
    for lp, t0, t1 in pre:
        e = byport.get(lp)
        expect(e is not None, f'entry from lport {lp}, made before the module, not listed')
        if STAMPED:
            # The kernel's stamp covers entries from before the module: the
            # age is the time since entry, bracketed by our own clock.
            lo = int((ta - t1) * 1000) - STAMP_TOLERANCE_MS
            hi = int((tb - t0) * 1000) + STAMP_TOLERANCE_MS
            expect(e['age_source'] == 'entry_stamp', f'lport {lp}: age_source {e["age_source"]}')
            expect(lo <= e['age_ms'] <= hi,
                   f'lport {lp}: entry-stamp age {e["age_ms"]} ms outside [{lo}, {hi}] (time since creation)')
            info(f'pre-module entry lport {lp}: age_source entry_stamp, age {e["age_ms"]} ms, '
                 f'created {int((ta - t1) * 1000)}..{int((tb - t0) * 1000)} ms before the listing')
        else:
            expect(e['age_source'] == 'timer', f'lport {lp}: age_source {e["age_source"]}')
        expect(e['rto_source'] == 'assumed', f'lport {lp}: rto_source {e["rto_source"]}')
        expect(e['rto_ms'] == RTO_MIN_MS and e['srtt_us'] == 0,
               f'lport {lp}: rto_ms {e["rto_ms"]} srtt_us {e["srtt_us"]}')
        expect(e['recycle_after_ms'] == 700, f'lport {lp}: recycle_after_ms {e["recycle_after_ms"]}')
        expect(STAMPED or abs(e['age_ms'] + e['remaining_ms'] - 60000) <= 2 * JIFFY_MS,
               f'lport {lp}: timer age {e["age_ms"]} + remaining {e["remaining_ms"]} != 60 s')


def test_no_timestamps():
    sysctl(NS_S, 'net.ipv4.tcp_timestamps', 0)
    try:
        made = make_entries(1, 0, PORT_NOTS) + make_entries(1, 1, PORT_NOTS)
    finally:
        sysctl(NS_S, 'net.ipv4.tcp_timestamps', 1)
    sysctl(NS_C, 'net.ipv4.tcp_tw_reuse', 1)
    try:
        deadline = time.monotonic() + 30
        pending = {e['cookie']: e for e in made}
        while pending and time.monotonic() < deadline:
            for c in list(pending):
                e = entry(c)
                expect(e is not None, f'entry {c} vanished')
                expect(e['age_source'] == AGE_EXACT, f'{c}: age_source {e["age_source"]}')
                expect(not e['timestamps'], f'{c}: timestamps reported although the peer had them off')
                expect(not e['recycle_eligible'] and e['recycle_reason'] == 'no-timestamps',
                       f'{c}: age {e["age_ms"]}: recycle {e["recycle_eligible"]}/{e["recycle_reason"]}')
                expect(not e['reuse_eligible'] and e['reuse_reason'] == 'no-timestamps',
                       f'{c}: reuse {e["reuse_eligible"]}/{e["reuse_reason"]}')
                # Judged past the point a timestamped entry would flip.
                if e['age_ms'] >= e['recycle_after_ms'] + 200:
                    del pending[c]
            time.sleep(0.05)
        expect(not pending, f'{len(pending)} entries never reached recycle_after_ms + 200 ms')
        elig = entries('--eligible', '--rport', str(PORT_NOTS))
        expect(not elig, f'--eligible lists {len(elig)} entries without timestamps')
    finally:
        sysctl(NS_C, 'net.ipv4.tcp_tw_reuse', 0)


def test_store_bound():
    load('capture_max=5')
    expect(param('capture_max') == '5', f'capture_max reads {param("capture_max")}')
    made = make_entries(20, 0, PORT_BOUND)
    st = stats()
    got = entries('--rport', str(PORT_BOUND))
    ours = [got[e['cookie']] for e in made if e['cookie'] in got]
    expect(len(ours) == 20, f'only {len(ours)} of 20 entries listed')
    # A record gives the RTO (and, before 6.14, the age): its RTO says.
    cap = [e for e in ours if e['rto_source'] == 'captured']
    expect(1 <= len(cap) <= 5, f'{len(cap)} captured entries with capture_max=5')
    for e in ours:
        expect(STAMPED or (e['age_source'] == 'captured') == (e in cap),
               f'age_source {e["age_source"]} with rto_source {e["rto_source"]}')
        if e not in cap:
            expect(e['rto_source'] == 'assumed', f'dropped entry with rto_source {e["rto_source"]}')
    expect(st['capture_records'] <= 5, f'capture_records {st["capture_records"]} > 5')
    expect(st['capture_drops'] >= 15, f'capture_drops {st["capture_drops"]} < 15')
    info(f'capture_max=5: {len(cap)} of 20 captured, capture_drops={st["capture_drops"]}, '
         f'capture_records={st["capture_records"]}')


def wait_store_consistent(what, timeout):
    """capture_records == entries (any netns) with a captured age."""
    deadline = time.monotonic() + timeout
    while True:
        st = stats()
        live = debugfs_captured_live()
        if st['capture_records'] == live:
            return st
        if time.monotonic() > deadline:
            raise Fail(f'{what}: capture_records {st["capture_records"]} != {live} captured live entries '
                       f'after {timeout}s (gc runs {st.get("capture_gc_runs")})')
        time.sleep(0.1)


def test_gc(behind_back=True):
    # Reloaded with a 1 s collector so that the test waits seconds, not tens.
    load('capture_gc_ms=1000')
    # default: the buckets of the host-wide established hash, which every
    # netns without a table of its own shares; a fresh netns's
    # tcp_max_tw_buckets is half of that (tcp_sk_init)
    r = run(['unshare', '-n', 'cat', '/proc/sys/net/ipv4/tcp_max_tw_buckets'])
    buckets = 2 * int(r.stdout)
    expect(int(param('capture_max')) == buckets,
           f'default capture_max {param("capture_max")} != established-hash buckets {buckets}')
    made = make_entries(6, 0, PORT_GC)
    for e in made:
        expect(e['rto_source'] == 'captured', f'entry {e["cookie"]} not captured')
    st0 = wait_store_consistent('before kills', 10)
    expect(st0['capture_records'] >= 6, f'capture_records {st0["capture_records"]} < 6')

    # twctl kill forgets the records of what it kills, at once.
    for e in made[:3]:
        r = twctl('kill', '--cookie', str(e['cookie']))
        expect(r.get('killed') == 1, f'kill --cookie {e["cookie"]}: {r}')
    st1 = stats()
    expect(st1['capture_records'] <= st0['capture_records'] - 3,
           f'capture_records {st0["capture_records"]} -> {st1["capture_records"]} after 3 kills')
    expect(st1['capture_freed'] >= st0['capture_freed'] + 3,
           f'capture_freed {st0["capture_freed"]} -> {st1["capture_freed"]}')

    if not behind_back:
        return
    # Entries killed behind the module's back (ss -K) are collected.
    runs0 = stats()['capture_gc_runs']
    for e in made[3:]:
        run(['ip', 'netns', 'exec', NS_C, 'ss', '-K', '-tn', 'state', 'time-wait',
             'sport', '=', f':{e["lport"]}', 'dport', '=', f':{PORT_GC}'])
    left = entries('--rport', str(PORT_GC))
    expect(not left, f'{len(left)} entries survived ss -K')
    # The collector looks at a record only once it is older than an entry
    # normally lives (60 s plus a 5 s margin), then within its interval (1 s).
    st2 = wait_store_consistent('after ss -K', 90)
    expect(st2['capture_gc_runs'] > runs0, 'no collection ran')
    expect(st2['capture_freed'] >= st0['capture_freed'] + 6,
           f'capture_freed {st0["capture_freed"]} -> {st2["capture_freed"]}')
    info(f'gc: capture_records {st0["capture_records"]} -> {st1["capture_records"]} (3 twctl kills) '
         f'-> {st2["capture_records"]} (3 ss -K, collected), capture_freed +{st2["capture_freed"] - st0["capture_freed"]}')


def bracket(name, before, sel, after, pred):
    """@sel came from a filtered list taken between @before and @after.
    Each predicate only ever turns true as an entry ages, so: an entry that
    satisfied it before (and still exists) must be selected; a selected
    entry must satisfy it in its own reported fields, and afterwards."""
    for c, e in sel.items():
        expect(pred(e), f'{name}: selected entry {c} does not match by its own fields: {e}')
        if c in after:
            expect(pred(after[c]), f'{name}: selected entry {c} no longer matches')
    for c, e in before.items():
        if c in after and pred(e):
            expect(c in sel, f'{name}: entry {c} matched before but is not selected: {e}')
    notsel = [c for c in after if c not in sel and c in before]
    expect(sel, f'{name}: selected nothing (test needs both kinds)')
    expect(notsel, f'{name}: selected everything (test needs both kinds)')


def test_filters():
    make_entries(3, 0, PORT_FILTER)     # young, too recent for reuse
    # and one that no filter of these may select at any age, so that each
    # bracket has an entry it must leave out even on a slow guest
    sysctl(NS_S, 'net.ipv4.tcp_timestamps', 0)
    try:
        make_entries(1, 0, PORT_FILTER)
    finally:
        sysctl(NS_S, 'net.ipv4.tcp_timestamps', 1)
    sysctl(NS_C, 'net.ipv4.tcp_tw_reuse', 1)
    try:
        before = entries()
        # --older-than: in the widest gap between the ages, so that neither
        # cluster crosses it while the next list is taken (a fixed 5 s
        # selected everything on a loaded guest)
        ages = sorted(e['age_ms'] for e in before.values())
        gap, i = max((ages[j + 1] - ages[j], j) for j in range(len(ages) - 1))
        expect(gap >= 1000, f'no gap of 1 s between the entries\' ages {ages}')
        older_ms = ages[i] + gap // 2
        older = entries('--older-than', f'{older_ms}ms')
        elig = entries('--eligible')
        reus = entries('--reusable')
        summ = twctl('summary', '--by', 'rport')
        after = entries()
    finally:
        sysctl(NS_C, 'net.ipv4.tcp_tw_reuse', 0)
    bracket('--eligible', before, elig, after, lambda e: e['recycle_eligible'])
    bracket('--reusable', before, reus, after, lambda e: e['reuse_eligible'])
    bracket(f'--older-than {older_ms}ms', before, older, after, lambda e: e['age_ms'] >= older_ms)
    # summary: per remote port, count and eligible between the two lists.
    groups = {g['rport']: g for g in summ}
    for port in set(e['rport'] for e in before.values()) | set(groups):
        b = [c for c, e in before.items() if e['rport'] == port]
        g = groups.get(port, {'count': 0, 'eligible': 0})
        lo_n = sum(1 for c in b if c in after)
        lo_e = sum(1 for c in b if c in after and before[c]['recycle_eligible'])
        hi_e = sum(1 for c in b if c not in after or after[c]['recycle_eligible'])
        expect(lo_n <= g['count'] <= len(b), f'summary rport {port}: count {g["count"]} not in [{lo_n}, {len(b)}]')
        expect(lo_e <= g['eligible'] <= hi_e,
               f'summary rport {port}: eligible {g["eligible"]} not in [{lo_e}, {hi_e}]')
    info(f'filters: {len(before)} entries, {len(elig)} --eligible, {len(reus)} --reusable, '
         f'{len(older)} --older-than {older_ms}ms, {len(groups)} summary groups')


def auto_connect(i, port, lport):
    """connect() with the port chosen by the kernel from [lport, lport]:
    what tcp_twsk_unique() decides for the entry on that port. Returns the
    port used, or None on EADDRNOTAVAIL."""
    old = sysctl(NS_C, 'net.ipv4.ip_local_port_range')
    sysctl(NS_C, 'net.ipv4.ip_local_port_range', f'{lport} {lport}')
    try:
        with netns(NS_C):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.settimeout(20)
            s.connect((v4(i, 2), port))
            return s.getsockname()[1]
        except OSError as ex:
            if ex.errno == errno.EADDRNOTAVAIL:
                return None
            raise
        finally:
            s.close()
    finally:
        sysctl(NS_C, 'net.ipv4.ip_local_port_range', ' '.join(old.split()))


def test_reuse_one_second():
    """tcp_tw_reuse=1: "too-recent" while ts_recent is from the current
    second, "eligible" from the next one on (ktime_get_seconds(), which is
    CLOCK_MONOTONIC, like time.monotonic())."""
    sysctl(NS_C, 'net.ipv4.tcp_tw_reuse', 1)
    try:
        for _ in range(3):
            # Close just after a second starts, so the first look comes
            # while ts_recent is still from that second.
            while not 0.02 < time.monotonic() % 1 < 0.15:
                time.sleep(0.01)
            lport, _ = connect_close(0, PORT_REUSE)
            try:
                e = wait_entry(lport, PORT_REUSE)
            except Fail as err:
                # Only the kernel leaving no entry is worth another try;
                # an entry ss sees and twctl does not is a failure.
                seen = [k for k in twtest.ss_keys(NS_C)
                        if k.lport == lport and k.rport == PORT_REUSE]
                expect(not seen, f'{err}; ss sees {seen}')
                info(f'reuse: no entry for lport {lport} in twctl nor ss; trying again')
                continue
            c = e['cookie']
            recent, ok = [], []
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and len(ok) < 2:
                e = entry(c)
                expect(e is not None, f'entry {c} vanished')
                expect(e['timestamps'], f'entry {c} without timestamps')
                if e['ts_recent_age_ms'] < 1000:
                    expect(not e['reuse_eligible'] and e['reuse_reason'] == 'too-recent',
                           f'ts_recent_age {e["ts_recent_age_ms"]}: reuse {e["reuse_eligible"]}/{e["reuse_reason"]}')
                    recent.append(e['ts_recent_age_ms'])
                else:
                    expect(e['reuse_eligible'] and e['reuse_reason'] == 'eligible',
                           f'ts_recent_age {e["ts_recent_age_ms"]}: reuse {e["reuse_eligible"]}/{e["reuse_reason"]}')
                    ok.append(e['ts_recent_age_ms'])
                time.sleep(0.05)
            expect(ok, f'entry {c} never became reusable')
            if recent:
                info(f'reuse: entry {c} too-recent at ts_recent_age {recent[0]} ms, eligible at {ok[0]} ms')
                return
        raise Fail('could not observe an entry while too recent in 3 tries')
    finally:
        sysctl(NS_C, 'net.ipv4.tcp_tw_reuse', 0)


def test_reuse_agrees_with_kernel():
    """For each verdict, an automatic-port connect() to the same peer from
    exactly the entry's port succeeds (reused) or fails (EADDRNOTAVAIL)."""
    cases = [(0, 'disabled', False), (2, 'not-loopback', False), (1, 'eligible', True)]
    for value, reason, reused in cases:
        lport, _ = connect_close(0, PORT_REUSE)
        e = wait_entry(lport, PORT_REUSE)
        sysctl(NS_C, 'net.ipv4.tcp_tw_reuse', value)
        try:
            if reused:      # past the 1-second rule (6.14+: the reuse delay since entry)
                deadline = time.monotonic() + 5
                while (e['age_ms'] <= REUSE_DELAY_MS if STAMPED else
                       e['ts_recent_age_ms'] < 1000) and time.monotonic() < deadline:
                    time.sleep(0.1)
                    e = entry(e['cookie'])
            e = entry(e['cookie'])
            expect(e['reuse_reason'] == reason and e['reuse_eligible'] == reused,
                   f'tcp_tw_reuse={value}: reuse {e["reuse_eligible"]}/{e["reuse_reason"]}, want {reason}')
            got = auto_connect(0, PORT_REUSE, lport)
            if reused:
                expect(got == lport, f'tcp_tw_reuse={value}: connect from port {lport} failed although "{reason}"')
                expect(entry(e['cookie']) is None, f'entry {e["cookie"]} still there after its port was reused')
            else:
                expect(got is None, f'tcp_tw_reuse={value}: connect reused port {lport} although "{reason}"')
        finally:
            sysctl(NS_C, 'net.ipv4.tcp_tw_reuse', 0)


def test_reuse_delay_since_entry():
    """6.14+: with tcp_tw_reuse=1 and tcp_tw_reuse_delay=5000 ms, an entry
    is "too-recent" while its age (since tw_entry_stamp) is <= 5000 ms and
    "eligible" once it is more (time_after32: strictly after), whatever the
    peer's timestamp age; twctl info shows the delay. Every observation of
    one entry is judged by its own age, polled closely around the delay. On
    a second entry the kernel agrees: an automatic-port connect() from its
    port fails at an age past 1.1 s (past the old rule's second) that is
    shown to be below the delay, and reuses the port once the entry is
    eligible."""
    delay = 5000
    sysctl(NS_C, 'net.ipv4.tcp_tw_reuse', 1)
    sysctl(NS_C, 'net.ipv4.tcp_tw_reuse_delay', delay)
    try:
        got = twctl('info').get('tw_reuse_delay_ms')
        expect(got == delay, f'twctl info: tw_reuse_delay_ms {got}, sysctl {delay}')

        lport, _ = connect_close(0, PORT_REUSE)
        c = wait_entry(lport, PORT_REUSE)['cookie']
        recent, ok = [], []
        deadline = time.monotonic() + delay / 1000 + 20
        while time.monotonic() < deadline and len(ok) < 3:
            e = entry(c)
            expect(e is not None, f'entry {c} vanished')
            expect(e['age_source'] == 'entry_stamp', f'entry {c}: age_source {e["age_source"]}')
            if e['age_ms'] <= delay:
                expect(not e['reuse_eligible'] and e['reuse_reason'] == 'too-recent',
                       f'age {e["age_ms"]} <= {delay}: reuse {e["reuse_eligible"]}/{e["reuse_reason"]}')
                recent.append(e['age_ms'])
            else:
                expect(e['reuse_eligible'] and e['reuse_reason'] == 'eligible',
                       f'age {e["age_ms"]} > {delay}: reuse {e["reuse_eligible"]}/{e["reuse_reason"]}')
                ok.append(e['age_ms'])
            time.sleep(0.01 if delay - 300 < e['age_ms'] < delay + 300 else 0.2)
        expect(recent and ok, f'saw too-recent at {recent[-3:]} and eligible at {ok[:3]}: need both')
        info(f'reuse delay {delay} ms: too-recent up to age {max(recent)} ms, eligible from {min(ok)} ms '
             f'({len(recent) + len(ok)} observations)')

        # The kernel's verdict: the port range is narrowed to the entry's
        # port beforehand, so that the connect() itself is one system call
        # and its time is known: the entry's age at it is at most the age
        # last read plus the time since that read began.
        old_range = sysctl(NS_C, 'net.ipv4.ip_local_port_range')
        try:
            for _ in range(3):
                sysctl(NS_C, 'net.ipv4.ip_local_port_range', ' '.join(old_range.split()))
                lport, _ = connect_close(0, PORT_REUSE)
                c = wait_entry(lport, PORT_REUSE)['cookie']
                sysctl(NS_C, 'net.ipv4.ip_local_port_range', f'{lport} {lport}')
                while True:
                    t_read = time.monotonic()
                    e = entry(c)
                    expect(e is not None, f'entry {c} vanished')
                    if e['age_ms'] >= 1100:
                        break
                    time.sleep(0.05)
                with netns(NS_C):
                    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                try:
                    s.settimeout(20)
                    s.connect((v4(0, 2), PORT_REUSE))
                    refused = False
                except OSError as ex:
                    expect(ex.errno == errno.EADDRNOTAVAIL, f'connect(): {ex}')
                    refused = True
                finally:
                    s.close()
                age_max = e['age_ms'] + int((time.monotonic() - t_read) * 1000) + 1
                if age_max > delay:
                    info(f'connect() came at an entry age up to {age_max} ms, past the delay: again')
                    continue
                # The old rule (a second past the peer's timestamp) would allow it.
                expect(e['ts_recent_age_ms'] >= 1000,
                       f'ts_recent_age {e["ts_recent_age_ms"]} at entry age {e["age_ms"]}')
                expect(refused, f'connect() reused port {lport} at entry age <= {age_max} ms <= {delay}')
                after = entry(c)
                expect(after is not None, f'entry {c} gone after the refused connect()')
                while after['age_ms'] <= delay:
                    time.sleep(0.1)
                    after = entry(c)
                expect(after['reuse_eligible'], f'entry {c} at age {after["age_ms"]}: {after["reuse_reason"]}')
                got = auto_connect(0, PORT_REUSE, lport)
                expect(got == lport, f'connect() from port {lport} failed at entry age >= {after["age_ms"]} > {delay}')
                expect(entry(c) is None, f'entry {c} still there after its port was reused')
                info(f'connect() from port {lport} refused at entry age {e["age_ms"]}..{age_max} ms '
                     f'(ts_recent_age {e["ts_recent_age_ms"]} ms), reused the port at age >= {after["age_ms"]} ms')
                break
            else:
                raise Fail('connect() never came before the delay in 3 tries')
        finally:
            sysctl(NS_C, 'net.ipv4.ip_local_port_range', ' '.join(old_range.split()))
    finally:
        sysctl(NS_C, 'net.ipv4.tcp_tw_reuse_delay', REUSE_DELAY_MS)
        sysctl(NS_C, 'net.ipv4.tcp_tw_reuse', 0)


def test_reuse_sysctl_all():
    """Every TIME_WAIT entry of the client netns (all on veth addresses)
    says "disabled" with tcp_tw_reuse=0 and "not-loopback" with 2."""
    for value, reason in ((0, 'disabled'), (2, 'not-loopback')):
        sysctl(NS_C, 'net.ipv4.tcp_tw_reuse', value)
        try:
            got = entries('--state', 'time-wait')
            expect(got, 'no entries')
            bad = [e for e in got.values() if e['reuse_eligible'] or e['reuse_reason'] != reason]
            expect(not bad, f'tcp_tw_reuse={value}: {len(bad)} entries not "{reason}": {bad[:1]}')
            expect(not entries('--reusable'), f'tcp_tw_reuse={value}: --reusable selects entries')
        finally:
            sysctl(NS_C, 'net.ipv4.tcp_tw_reuse', 0)


def main():
    if os.geteuid() != 0 or os.environ.get('TWCTL_GUEST') != '1':
        R.fail('guest', 'run as root inside a test guest (tests/vm/run)')
        return R.finish()
    if not os.access(CLI, os.X_OK):
        R.fail('cli', f'{CLI} missing (make -C tools)')
        return R.finish()

    try:
        ko = module_path()
    except Fail as e:
        R.fail('module', e)
        return R.finish()
    info(f'kernel {KVER}, module {ko}')
    try:
        unload()
        setup_net()
    except Exception as e:
        R.fail('setup', e)
        teardown_net()
        return R.finish()

    try:
        # Entries made while the module is not loaded have no record.
        pre = make_pre_entries(2)
        if not R.setup('load', load)[0]:
            return R.finish()
        if os.path.exists(KPROBES_LIST):
            info(f'kprobe on tcp_time_wait: {probe_mode() or "int3"}')
        st = stats()
        R.check('capture-active', lambda: expect(st.get('capture_active') == 1, f'stats: {st}'))
        R.check('pre-module-entries-entry-stamp' if STAMPED else 'pre-module-entries-timer-assumed',
                test_pre_module_entries, pre)
        for i, d in enumerate(DELAYS):
            R.check(f'rtt-{d}ms-captured-and-flip', test_rtt_class, i, d)
        R.check('rtt-100ms-ipv6-captured-and-flip', test_rtt_class, 1, 100,
                socket.AF_INET6, 'rtt=100ms(v6)')
        R.check('no-timestamps-never-eligible', test_no_timestamps)
        if STAMPED:
            R.skip('reuse-one-second-rule', '6.14+ judges the reuse delay since entry: reuse-delay-since-entry')
            R.check('reuse-delay-since-entry', test_reuse_delay_since_entry)
        else:
            R.check('reuse-one-second-rule', test_reuse_one_second)
        R.check('reuse-sysctl-0-disabled-2-not-loopback', test_reuse_sysctl_all)
        R.check('reuse-verdict-matches-kernel-connect', test_reuse_agrees_with_kernel)
        R.check('filters-eligible-reusable-older-than-summary', test_filters)
        R.check('store-bound-capture-max-5', test_store_bound)
        if twtest.ss_kills_timewait():
            R.check('gc-frees-records-of-vanished-entries', test_gc)
        else:
            R.check('gc-frees-records-of-killed-entries', test_gc, False)
            R.skip('gc-frees-records-of-vanished-entries',
                   f'kernel {KVER}: ss -K cannot kill a TIME_WAIT entry before 6.0, so nothing can '
                   'remove one behind the module\'s back short of its 60 s expiry')
    finally:
        teardown_net()
        try:
            load()
        except Exception as e:
            R.fail('reload-defaults', e)
    return R.finish()


if __name__ == '__main__':
    sys.exit(main())

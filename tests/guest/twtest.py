"""Shared helpers for twctl's in-guest suites (tests/guest/test_*.py).

Loads twctl.ko, runs `twctl ... -j` and `ss`, parses both into comparable
entry sets, and makes TIME_WAIT / FIN_WAIT2 traffic (IPv4, IPv6, v4-mapped,
a second netns over veth, thousands of entries) to compare them on.
"""
import contextlib
import ctypes
import errno
import faulthandler
import json
import os
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import time
import traceback
from collections import namedtuple

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TWCTL = os.environ.get('TWCTL_CLI') or os.path.join(REPO, 'tools', 'twctl')
KVER = os.uname().release

# Port plan shared by the suites (the ephemeral range is set above them all).
PORT_RANGE = (20000, 60999)
NOBODY = 65534

# One TIME_WAIT entry as both ss and twctl can describe it.
Key = namedtuple('Key', 'family laddr lport raddr rport state cookie')
STATES = {'TIME-WAIT': 'TIME_WAIT', 'FIN-WAIT-2': 'FIN_WAIT2'}
# ss's state column, and the names of its state filters
SS_STATES = {'ESTAB', 'SYN-SENT', 'SYN-RECV', 'FIN-WAIT-1', 'FIN-WAIT-2', 'TIME-WAIT', 'UNCONN',
             'CLOSE-WAIT', 'LAST-ACK', 'LISTEN', 'CLOSING'}
SS_STATE_ARGS = {'established': 'ESTAB', 'syn-sent': 'SYN-SENT', 'syn-recv': 'SYN-RECV',
                 'fin-wait-1': 'FIN-WAIT-1', 'fin-wait-2': 'FIN-WAIT-2', 'time-wait': 'TIME-WAIT',
                 'close-wait': 'CLOSE-WAIT', 'last-ack': 'LAST-ACK', 'listening': 'LISTEN',
                 'closing': 'CLOSING'}


class Fail(Exception):
    """A check failed; the message is the reason."""


# --------------------------------------------------------------------------
# Reporting


class Reporter:
    """PASS:/FAIL:/SKIP: lines, as tests/lib.sh prints them. A skip is never
    a pass; a setup step (setup()) prints no PASS line, only a FAIL when it
    fails."""

    def __init__(self, prefix):
        self.prefix = prefix
        self.passed = 0
        self.failed = 0
        self.skipped = 0

    def _name(self, name):
        return f'{self.prefix}-{name}' if self.prefix else name

    @staticmethod
    def _reason(reason):
        reason = ' '.join(str(reason).split())
        if len(reason) > 1500:
            reason = reason[:1500] + '...'
        return reason

    def ok(self, name):
        self.passed += 1
        print(f'PASS: {self._name(name)}', flush=True)

    def fail(self, name, reason):
        self.failed += 1
        print(f'FAIL: {self._name(name)} ({self._reason(reason)})', flush=True)

    def skip(self, name, reason):
        self.skipped += 1
        print(f'SKIP: {self._name(name)} ({self._reason(reason)})', flush=True)

    def info(self, msg):
        print(f'  # {msg}', flush=True)

    def _run(self, name, fn, args, kw):
        """(True, result) or (False, None) after printing the FAIL line."""
        t0 = time.monotonic()
        try:
            res = fn(*args, **kw)
        except Fail as e:
            self.fail(name, e)
            return False, None
        except Exception as e:  # a broken check is a failed check
            tb = traceback.extract_tb(e.__traceback__)[-1]
            self.fail(name, f'{type(e).__name__}: {e} (at {os.path.basename(tb.filename)}:{tb.lineno})')
            return False, None
        if os.environ.get('TWCTL_TEST_TIMING'):
            self.info(f'{name}: {time.monotonic() - t0:.2f}s')
        return True, res

    def check(self, name, fn, *args, **kw):
        """Run fn; a Fail or any exception is a FAIL. Returns fn's result or None."""
        ok, res = self._run(name, fn, args, kw)
        if ok:
            self.ok(name)
        return res

    def setup(self, name, fn, *args, **kw):
        """A setup step, not a test case: no PASS line when it works, a FAIL
        when it does not. Returns (worked, fn's result)."""
        ok, res = self._run(f'setup-{name}', fn, args, kw)
        if ok:
            self.info(f'setup {name}: done')
        return ok, res

    def guard(self, name, fn, *args, **kw):
        """Run fn, which reports its own checks; an exception in it is a FAIL."""
        try:
            return fn(*args, **kw)
        except Exception as e:
            tb = traceback.extract_tb(e.__traceback__)[-1]
            self.fail(name, f'{type(e).__name__}: {e} (at {os.path.basename(tb.filename)}:{tb.lineno})')
            return None

    def finish(self):
        print(f'{self.passed} passed, {self.failed} failed, {self.skipped} skipped', flush=True)
        return 1 if self.failed else 0


def expect(cond, msg):
    if not cond:
        raise Fail(msg)


def fmt_key(k):
    a = f'[{k.laddr}]' if ':' in k.laddr else k.laddr
    b = f'[{k.raddr}]' if ':' in k.raddr else k.raddr
    return f'{k.state} {a}:{k.lport}->{b}:{k.rport} sk:{k.cookie:x}'


def diff_sets(got, want, what='twctl', ref='expected', show=4):
    """'' if equal, else a short description of the difference."""
    got, want = set(got), set(want)
    if got == want:
        return ''
    extra = sorted(got - want)
    missing = sorted(want - got)
    parts = [f'{what} has {len(got)}, {ref} {len(want)}']
    if extra:
        parts.append(f'{len(extra)} only in {what}: ' +
                     ', '.join(fmt_key(k) if isinstance(k, Key) else str(k) for k in extra[:show]))
    if missing:
        parts.append(f'{len(missing)} only in {ref}: ' +
                     ', '.join(fmt_key(k) if isinstance(k, Key) else str(k) for k in missing[:show]))
    return '; '.join(parts)


def expect_same(got, want, what='twctl', ref='expected'):
    d = diff_sets(got, want, what, ref)
    if d:
        raise Fail(d)


# --------------------------------------------------------------------------
# Processes, module, sysctls


def run(cmd, check=False, timeout=120, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    if check and r.returncode != 0:
        raise Fail(f'{" ".join(cmd)}: exit {r.returncode}: {r.stderr.strip()[:300]}')
    return r


def module_path():
    cands = []
    if os.environ.get('TWCTL_KO'):
        cands.append(os.environ['TWCTL_KO'])
    cands.append(os.path.join(REPO, 'build', 'dkms', KVER, 'twctl.ko'))
    cands.append(os.path.join(REPO, 'build', KVER, 'module', 'twctl.ko'))
    for c in cands:
        if os.path.isfile(c):
            return c
    raise Fail('no twctl.ko: tried ' + ', '.join(cands))


def load_module():
    """Load twctl.ko unless it is loaded; returns a short description."""
    if os.path.exists('/sys/module/twctl'):
        return 'already loaded'
    ko = module_path()
    r = run(['insmod', ko])
    if r.returncode != 0:
        raise Fail(f'insmod {ko}: {r.stderr.strip()}')
    expect(os.path.exists('/sys/module/twctl'), f'insmod {ko} succeeded but /sys/module/twctl is missing')
    return f'loaded {ko}'


def sysctl_path(name):
    return '/proc/sys/' + name.replace('.', '/')


def sysctl(name, value=None, netns=None):
    """Read (value None) or write a sysctl, in netns if given."""
    if netns is None:
        if value is None:
            with open(sysctl_path(name)) as f:
                return f.read().strip()
        with open(sysctl_path(name), 'w') as f:
            f.write(str(value))
        return str(value)
    if value is None:
        return run(['ip', 'netns', 'exec', netns, 'sysctl', '-n', name], check=True).stdout.strip()
    run(['ip', 'netns', 'exec', netns, 'sysctl', '-qw', f'{name}={value}'], check=True)
    return str(value)


def port_range(netns=None):
    lo, hi = sysctl('net.ipv4.ip_local_port_range', netns=netns).split()
    return int(lo), int(hi)


STACK_SYSCTLS = ('net.ipv4.ip_local_port_range', 'net.ipv4.tcp_tw_reuse', 'net.ipv4.tcp_timestamps')


def prepare_stack(netns=None):
    """Settings every suite relies on: a wide ephemeral range above the
    suites' fixed ports, and no tcp_tw_reuse (an automatic-port connect()
    must never take over an entry: entries only go away by expiry or kill).
    Returns the previous values, for restore_stack()."""
    saved = {name: sysctl(name, netns=netns) for name in STACK_SYSCTLS}
    sysctl('net.ipv4.ip_local_port_range', f'{PORT_RANGE[0]} {PORT_RANGE[1]}', netns)
    sysctl('net.ipv4.tcp_tw_reuse', 0, netns)
    sysctl('net.ipv4.tcp_timestamps', 1, netns)
    return saved


def restore_stack(saved, netns=None):
    for name, value in (saved or {}).items():
        sysctl(name, ' '.join(value.split()), netns)


def debugfs_stats():
    """The module's counters from debugfs (dumps, summaries, kill_ops ...)."""
    out = {}
    with open('/sys/kernel/debug/twctl/stats') as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2 and parts[1].lstrip('-').isdigit():
                out[parts[0]] = int(parts[1])
    return out


def kernel_version():
    """(major, minor) of the running kernel."""
    m = re.match(r'(\d+)\.(\d+)', KVER)
    return int(m.group(1)), int(m.group(2))


def ss_kills_timewait():
    """Whether SOCK_DESTROY (ss -K) can kill a timewait entry on this kernel:
    tcp_abort() handles them since 6.0 (commit af9784d007d8); before, it
    answers EOPNOTSUPP, which ss skips silently. test_kernel_510.py checks
    this answer on every kernel."""
    return kernel_version() >= (6, 0)


def clear_timewait():
    """Removes this netns's timewait entries (leftovers of earlier suites):
    ss -K where the kernel can, `twctl kill --all` (module loaded) where it
    cannot."""
    if ss_kills_timewait():
        run(['ss', '-K', 'state', 'time-wait', 'state', 'fin-wait-2'])
    else:
        run([TWCTL, 'kill', '--all'])


NO_EVENTS_LOG = 'twctl: no kill events: this kernel cannot restrict a multicast group to CAP_NET_ADMIN'


def events_skip_reason():
    """Why the module offers no kill events group on this kernel (a SKIP's
    reason), or None where it must offer one. A kernel without
    GENL_MCAST_CAP_NET_ADMIN (6.7; backported to late 6.1 stable kernels,
    not to 5.10) cannot keep an unprivileged subscriber out of a generic
    netlink group, so the module offers none and says so at load (compat.h,
    twctl_events_possible). From 6.7 on, or without that log line, a missing
    group is a failure of the test that needs it, never a skip."""
    if kernel_version() >= (6, 7):
        return None
    g = Genl('twctl')
    try:
        if 'events' in g.groups:
            return None
    finally:
        g.close()
    if NO_EVENTS_LOG not in run(['dmesg']).stdout:
        return None
    return (f'kernel {KVER} lacks GENL_MCAST_CAP_NET_ADMIN, so the module offers no events group '
            '(kernel log: "no kill events"); kills are logged to the kernel log only')


def check_events(rep, name, fn, *args, **kw):
    """rep.check() of a test that needs the events group, or its SKIP where
    this kernel cannot have one (events_skip_reason())."""
    why = events_skip_reason()
    if why:
        rep.skip(name, why)
        return None
    return rep.check(name, fn, *args, **kw)


# --------------------------------------------------------------------------
# Network namespaces

_libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET = 0x40000000


@contextlib.contextmanager
def in_netns(name):
    """Run the calling thread inside netns NAME (None: stay). Sockets made
    inside keep their netns after the block."""
    if name is None:
        yield
        return
    orig = os.open('/proc/thread-self/ns/net', os.O_RDONLY)
    fd = os.open(f'/run/netns/{name}', os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            e = ctypes.get_errno()
            raise OSError(e, f'setns {name}: {os.strerror(e)}')
        yield
    finally:
        if _libc.setns(orig, CLONE_NEWNET) != 0:
            e = ctypes.get_errno()
            raise OSError(e, f'setns back: {os.strerror(e)}')
        os.close(fd)
        os.close(orig)


def netns_add(name):
    if os.path.exists(f'/run/netns/{name}'):
        run(['ip', 'netns', 'del', name])
    run(['ip', 'netns', 'add', name], check=True)
    run(['ip', '-n', name, 'link', 'set', 'lo', 'up'], check=True)
    prepare_stack(name)


def netns_inode(name=None):
    path = f'/run/netns/{name}' if name else '/proc/self/ns/net'
    return os.stat(path).st_ino


def veth_pair(ns, host_if='twv0', ns_if='twv1', v4=('198.18.0.1', '198.18.0.2'),
              v6=('fd00::1', 'fd00::2')):
    """veth between this netns (host_if, v4[0], v6[0]) and ns (ns_if, v4[1], v6[1])."""
    run(['ip', 'link', 'del', host_if])
    run(['ip', 'link', 'add', host_if, 'type', 'veth', 'peer', 'name', ns_if, 'netns', ns], check=True)
    run(['ip', 'addr', 'add', f'{v4[0]}/24', 'dev', host_if], check=True)
    run(['ip', '-6', 'addr', 'add', f'{v6[0]}/64', 'dev', host_if, 'nodad'], check=True)
    run(['ip', 'link', 'set', host_if, 'up'], check=True)
    run(['ip', '-n', ns, 'addr', 'add', f'{v4[1]}/24', 'dev', ns_if], check=True)
    run(['ip', '-n', ns, '-6', 'addr', 'add', f'{v6[1]}/64', 'dev', ns_if, 'nodad'], check=True)
    run(['ip', '-n', ns, 'link', 'set', ns_if, 'up'], check=True)


# --------------------------------------------------------------------------
# Addresses


def norm_addr(a):
    """Canonical text form, as inet_ntop (and so ss and twctl) print it."""
    if ':' in a:
        return socket.inet_ntop(socket.AF_INET6, socket.inet_pton(socket.AF_INET6, a))
    return socket.inet_ntop(socket.AF_INET, socket.inet_pton(socket.AF_INET, a))


def _bits(a):
    if ':' in a:
        return int.from_bytes(socket.inet_pton(socket.AF_INET6, a), 'big'), 128
    return int.from_bytes(socket.inet_pton(socket.AF_INET, a), 'big'), 32


def addr_in(addr, prefix):
    """inet_diag semantics: an IPv4 prefix matches IPv4 addresses and
    IPv4-mapped IPv6 ones; an IPv6 prefix matches IPv6 addresses only."""
    net, _, plen = prefix.partition('/')
    nbits, nlen = _bits(net)
    plen = int(plen) if plen else nlen
    abits, alen = _bits(addr)
    if nlen == 32 and alen == 128:
        if abits >> 32 != 0xffff:
            return False
        abits, alen = abits & 0xffffffff, 32
    if nlen != alen:
        return False
    shift = nlen - plen
    return abits >> shift == nbits >> shift


# --------------------------------------------------------------------------
# ss


def _split_addr_port(s):
    host, _, port = s.rpartition(':')
    port = 0 if port == '*' else int(port)
    if host == '*':     # IPv6 wildcard of a dual-stack socket
        return 'inet6', '*', port
    if host.startswith('['):
        host = host[1:host.index(']')]
        fam = 'inet6'
    else:
        host = host.split('%', 1)[0]
        fam = 'inet'
    return fam, norm_addr(host), port


_TIMER_RE = re.compile(r'timer:\((\w+),([^,)]*)')


# ss (print_ms_timer) prints a timer of T ms as [Mmin][S(sec|.MMMms)|MMMms]:
# "1min", "1min5sec", "59sec" (milliseconds dropped above 9 s, seconds above
# 9 min), "5.123ms" (5123 ms), "123ms", "" for 0.
_SS_TIMER_RE = re.compile(r'(?:(\d+)min)?(?:(\d+)sec|(\d+)\.(\d{3})ms|(\d+)ms)?')


def _ms(s):
    """ss's timer text in ms; ss truncates: the true value is in
    [_ms(s), _ms(s) + ss_timer_truncation(_ms(s))]."""
    m = _SS_TIMER_RE.fullmatch(s.strip())
    if not m:
        raise Fail(f'cannot parse the ss timer {s!r}')
    mins, secs, dsecs, dms, ms = m.groups()
    total = int(mins or 0) * 60000
    if secs:
        total += int(secs) * 1000
    elif dsecs:
        total += int(dsecs) * 1000 + int(dms)
    elif ms:
        total += int(ms)
    return total


def ss_timer_truncation(ms):
    """How much ss may have dropped from a timer it printed as ms."""
    if ms >= 600000:
        return 59999
    if ms >= 10000:
        return 999
    return 0


SsEntry = namedtuple('SsEntry', 'key ino timer remaining_ms')


def ss_dump(netns=None, exec_netns=None, states=('time-wait', 'fin-wait-2'), extra=()):
    """Every TCP socket ss reports in the given states, as SsEntry."""
    cmd = ['ss', '-H', '-tane']
    if netns:
        cmd += ['-N', netns]
    for s in states:
        cmd += ['state', s]
    cmd += list(extra)
    if exec_netns:
        cmd = ['ip', 'netns', 'exec', exec_netns] + cmd
    r = run(cmd)
    if r.returncode != 0:
        raise Fail(f'{" ".join(cmd)}: exit {r.returncode}: {r.stderr.strip()}')
    recs = []
    for line in r.stdout.splitlines():
        tok = line.split()
        if not tok:
            continue
        if tok[0] in SS_STATES or (tok[0].isdigit() and len(tok) >= 4 and tok[1].isdigit()):
            recs.append(tok)
        elif recs:  # continuation of a wrapped line
            recs[-1].extend(tok)
    out = []
    for tok in recs:
        if tok[0] in SS_STATES:
            state, tok = STATES.get(tok[0], tok[0]), tok[1:]
        elif len(states) == 1:
            state = SS_STATE_ARGS[states[0]]
            state = STATES.get(state, state)
        else:
            raise Fail(f'ss printed no state column: {" ".join(tok)}')
        fam, la, lp = _split_addr_port(tok[2])
        fam2, ra, rp = _split_addr_port(tok[3])
        rest = ' '.join(tok[4:])
        m = re.search(r'\bsk:([0-9a-f]+)', rest)
        if not m:
            raise Fail(f'ss printed no cookie (sk:) for {" ".join(tok)}')
        ino = re.search(r'\bino:(\d+)', rest)
        tm = _TIMER_RE.search(rest)
        out.append(SsEntry(Key(fam, la, lp, ra, rp, state, int(m.group(1), 16)),
                           int(ino.group(1)) if ino else None,
                           tm.group(1) if tm else None,
                           _ms(tm.group(2)) if tm else None))
    return out


def ss_socket(sock, state, netns=None):
    """The ss line of a full socket (matched by its inode), or None."""
    ino = os.fstat(sock.fileno()).st_ino
    for e in ss_dump(netns, states=(state,)):
        if e.ino == ino:
            return e
    return None


def ss_tw(netns=None, exec_netns=None):
    """The timewait entries ss sees (both substates): {Key: remaining_ms}.
    Full sockets in FIN-WAIT-2 (ino != 0, no timewait timer) are left out."""
    return {e.key: e.remaining_ms for e in ss_dump(netns, exec_netns)
            if e.timer == 'timewait' and e.ino == 0}


def ss_keys(netns=None, exec_netns=None):
    return set(ss_tw(netns, exec_netns))


# --------------------------------------------------------------------------
# twctl


class Result:
    def __init__(self, cmd, r):
        self.cmd = cmd
        self.rc = r.returncode
        self.out = r.stdout
        self.err = r.stderr
        self.data = None
        self.json_error = None
        if self.out.strip():
            try:
                self.data = json.loads(self.out)
            except ValueError as e:
                self.json_error = str(e)

    def describe(self):
        return (f'`{" ".join(self.cmd[1:])}`: exit {self.rc}, '
                f'stderr {self.err.strip()[:300]!r}, stdout {self.out.strip()[:200]!r}')


def user_prefix(user):
    if user is None:
        return []
    if user == 'nobody':
        return ['setpriv', f'--reuid={NOBODY}', f'--regid={NOBODY}', '--clear-groups']
    if user == 'no-net-admin':
        return ['capsh', '--drop=cap_net_admin', '--']
    raise ValueError(user)


def twctl_run(*args, netns=None, exec_netns=None, json_out=True, user=None, binary=None,
              timeout=120):
    cmd = [binary or TWCTL]
    if netns:
        cmd += ['-N', netns]
    cmd += [str(a) for a in args]
    if json_out:
        cmd.append('-j')
    full = cmd
    if user == 'no-net-admin':
        # capsh runs "-- ARGS" through bash -c
        full = user_prefix(user) + ['-c', ' '.join(_shq(c) for c in cmd)]
    elif user:
        full = user_prefix(user) + cmd
    if exec_netns:
        full = ['ip', 'netns', 'exec', exec_netns] + full
    p = subprocess.Popen(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        raise Fail(f'`{" ".join(cmd)}` did not finish in {timeout}s')
    res = Result(cmd, subprocess.CompletedProcess(full, p.returncode, out, err))
    res.pid = p.pid
    return res


def _shq(s):
    return "'" + s.replace("'", "'\\''") + "'"


def twctl_json(*args, **kw):
    r = twctl_run(*args, **kw)
    if r.rc != 0:
        raise Fail(r.describe())
    if r.data is None:
        raise Fail(f'{r.describe()}: no JSON ({r.json_error})')
    return r.data


def entry_key(e):
    try:
        return Key(e['family'], norm_addr(e['local']), int(e['lport']), norm_addr(e['remote']),
                   int(e['rport']), e['state'], int(e['cookie']))
    except (KeyError, TypeError, ValueError) as x:
        raise Fail(f'twctl entry lacks or garbles {x}: {json.dumps(e)[:300]}')


def twctl_list(*args, **kw):
    """`twctl list -j ARGS` as {Key: entry dict}; duplicates are a failure."""
    data = twctl_json('list', *args, **kw)
    expect(isinstance(data, list), f'twctl list -j printed {type(data).__name__}, not an array')
    out = {}
    for e in data:
        k = entry_key(e)
        expect(k not in out, f'twctl list reported {fmt_key(k)} twice')
        out[k] = e
    return out


def twctl_kill(*args, **kw):
    return twctl_json('kill', *args, **kw)


def stable(snapshot, tries=6, what='entries'):
    """Call snapshot() -> (before, x, after) until before == after (nothing
    expired or changed while x was taken); returns (before, x)."""
    last = None
    for i in range(tries):
        before, x, after = snapshot()
        if before == after:
            return before, x
        last = diff_sets(after, before, 'ss after', 'ss before')
        time.sleep(0.3 + 0.3 * i)
    raise Fail(f'{what} kept changing between two ss snapshots ({last})')


def ss_sandwich(fn, netns=None, exec_netns=None, tries=6):
    """ss, fn(), ss until both ss views agree; returns (ss set, fn result)."""
    return stable(lambda: (ss_keys(netns, exec_netns), fn(), ss_keys(netns, exec_netns)), tries)


def batch(rep, calls, netns=None, exec_netns=None, tries=4):
    """Run many checks against one ss view. calls: [(name, take, verify)].
    Every take() (the twctl commands) runs between two ss snapshots; if the
    snapshots differ (an entry expired), the whole batch is taken again.
    Then verify(ss_set, taken) raises Fail or returns; one line per name.
    Entries only ever disappear here, so two equal snapshots mean every
    take() saw exactly that set."""
    last = None
    for i in range(tries):
        before = ss_tw(netns, exec_netns)
        taken = []
        for name, take, verify in calls:
            try:
                taken.append((None, take()))
            except Exception as e:  # reported per check below
                taken.append((e, None))
        after = ss_tw(netns, exec_netns)
        if set(before) == set(after):
            break
        last = diff_sets(set(after), set(before), 'ss after', 'ss before')
        time.sleep(0.5 + i)
    else:
        for name, _, _ in calls:
            rep.fail(name, f'entries kept changing while the checks ran ({last})')
        return None
    for (name, _, verify), (err, data) in zip(calls, taken):
        if err is not None:
            rep.check(name, _raise, err)
        else:
            rep.check(name, verify, before, data)
    return before


def _raise(e):
    raise e


# --------------------------------------------------------------------------
# Traffic


def _family(addr):
    return socket.AF_INET6 if ':' in addr else socket.AF_INET


def _tuple(sock_name, peer_name):
    return (norm_addr(sock_name[0]), sock_name[1], norm_addr(peer_name[0]), peer_name[1])


class Server:
    """A listener; keep it open while its FIN_WAIT2 entries must live."""

    def __init__(self, addr, port, netns=None, dual=False, backlog=4096):
        self.addr, self.port, self.netns = addr, port, netns
        fam = _family(addr)
        with in_netns(netns):
            s = socket.socket(fam, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if fam == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0 if dual else 1)
        s.bind((addr, port))
        s.listen(backlog)
        s.settimeout(10)
        self.sock = s

    def accept(self):
        a, _ = self.sock.accept()
        a.settimeout(10)
        return a

    def close(self):
        self.sock.close()


class Traffic:
    """Makes timewait entries. Every method returns the 4-tuples
    (family, laddr, lport, raddr, rport) of the entries it made, seen from
    the side that holds them (the active closer)."""

    def __init__(self):
        self.servers = {}
        self.keep = []          # sockets that must stay open
        self.next_port = 10000  # explicit client ports: 10000..19999

    def server(self, addr, port, netns=None, dual=False):
        key = (addr, port, netns)
        if key not in self.servers:
            self.servers[key] = Server(addr, port, netns, dual)
        return self.servers[key]

    def client_ports(self, n):
        ports = list(range(self.next_port, self.next_port + n))
        self.next_port += n
        expect(self.next_port < PORT_RANGE[0], 'ran out of explicit client ports')
        return ports

    def _connect(self, srv, dest, src, netns):
        with in_netns(netns):
            c = socket.socket(_family(dest), socket.SOCK_STREAM)
        c.settimeout(10)
        if src is not None:
            c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            c.bind(src)
        c.connect((dest, srv.port))
        return c

    def tw(self, srv, n, dest=None, netns=None, src_addr=None, src_ports=None,
           closer='client', fin_wait2=False, batch=200):
        """n connections to srv (connecting to dest, default srv.addr) from
        netns; closer 'client' or 'server' closes first and keeps the entry.
        fin_wait2: the client closes and the server never does (the server's
        socket is kept open), leaving orphaned FIN_WAIT2 entries."""
        dest = dest or srv.addr
        fam = 'inet6' if ':' in dest else 'inet'
        made = []
        i = 0
        while i < n:
            k = min(batch, n - i)
            clients = []
            for j in range(k):
                src = None
                if src_ports is not None:
                    src = (src_addr or ('::' if fam == 'inet6' else '0.0.0.0'), src_ports[i + j])
                elif src_addr is not None:
                    src = (src_addr, 0)
                clients.append(self._connect(srv, dest, src, netns))
            accepted = {}
            for _ in clients:
                a = srv.accept()
                accepted[a.getpeername()[:2]] = a
            pairs = []
            for c in clients:
                a = accepted.pop(c.getsockname()[:2], None)
                expect(a is not None, f'accepted no connection for client {c.getsockname()}')
                pairs.append((c, a))
            for c, a in pairs:
                if closer == 'client':
                    made.append((fam,) + _tuple(c.getsockname(), c.getpeername()))
                    c.close()
                    if fin_wait2:
                        self.keep.append(a)
                    else:
                        # the client's FIN must be in before the server's goes
                        expect(a.recv(1) == b'', 'server read data instead of EOF')
                        a.close()
                else:
                    made.append((fam,) + _tuple(a.getsockname(), a.getpeername()))
                    a.close()
                    expect(c.recv(1) == b'', 'client read data instead of EOF')
                    c.close()
            i += k
        return made

    def full_fin_wait2(self, srv, dest=None, netns=None):
        """A real socket in FIN-WAIT-2: the client half-closes (SHUT_WR) and
        keeps its socket; the server reads the EOF and keeps its side open.
        Returns (client socket, server socket, 4-tuple of the client)."""
        dest = dest or srv.addr
        c = self._connect(srv, dest, None, netns)
        a = srv.accept()
        c.shutdown(socket.SHUT_WR)
        expect(a.recv(1) == b'', 'server read data instead of EOF')
        self.keep += [c, a]
        fam = 'inet6' if ':' in dest else 'inet'
        return c, a, (fam,) + _tuple(c.getsockname(), c.getpeername())

    def established(self, srv, dest=None, netns=None):
        dest = dest or srv.addr
        c = self._connect(srv, dest, None, netns)
        a = srv.accept()
        self.keep += [c, a]
        return c, a

    def close(self):
        for s in self.keep:
            s.close()
        self.keep = []
        for s in self.servers.values():
            s.close()
        self.servers = {}


def tuples_of(keys):
    return {(k.family, k.laddr, k.lport, k.raddr, k.rport) for k in keys}


def wait_for(cond, timeout=10.0, step=0.05):
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() > deadline:
            return v
        time.sleep(step)


def wait_settled(made, netns=None, timeout=10.0):
    """Wait until ss shows every made tuple as a timewait entry (TIME_WAIT
    unless the tuple was made as FIN_WAIT2). made: {tuple: state}."""
    def done():
        have = {(k.family, k.laddr, k.lport, k.raddr, k.rport): k.state for k in ss_keys(netns)}
        return all(have.get(t) == st for t, st in made.items())
    if not wait_for(done, timeout):
        have = {(k.family, k.laddr, k.lport, k.raddr, k.rport): k.state for k in ss_keys(netns)}
        bad = [f'{t} {have.get(t)} (want {st})' for t, st in made.items() if have.get(t) != st]
        raise Fail(f'{len(bad)} generated entries not in the expected state: {bad[:3]}')


# --------------------------------------------------------------------------
# Raw generic netlink: what the kernel sends, not what the CLI prints

UAPI_HEADER = os.path.join(REPO, 'include', 'uapi', 'linux', 'twctl.h')


def uapi_consts(path=UAPI_HEADER):
    """Every enum constant and #define of the uapi header, by name, as the C
    compiler numbers them (so the tests follow the header, never a copy)."""
    with open(path) as f:
        text = re.sub(r'/\*.*?\*/', ' ', f.read(), flags=re.S)
    out = {}
    for m in re.finditer(r'^#define[ \t]+(\w+)[ \t]+(.+?)[ \t]*$', text, re.M):
        v = m.group(2)
        if v.startswith('"'):
            out[m.group(1)] = v.strip('"')
        elif re.fullmatch(r'0x[0-9a-fA-F]+|\d+', v):
            out[m.group(1)] = int(v, 0)
    for body in re.findall(r'enum\s+\w+\s*{(.*?)}', text, re.S):
        nxt = 0
        for item in body.split(','):
            item = item.strip()
            if not item:
                continue
            name, _, val = item.partition('=')
            name, val = name.strip(), val.strip()
            if val:
                nxt = int(val, 0) if re.fullmatch(r'0x[0-9a-fA-F]+|\d+', val) else out[val]
            out[name] = nxt
            nxt += 1
    return out


NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_ADD_MEMBERSHIP = 1
NETLINK_DROP_MEMBERSHIP = 2
NETLINK_EXT_ACK = 11
NLM_F_REQUEST, NLM_F_MULTI, NLM_F_ACK, NLM_F_DUMP = 0x1, 0x2, 0x4, 0x300
NLM_F_DUMP_INTR = 0x10
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLA_F_NESTED = 0x8000
NLA_TYPE_MASK = 0x3fff
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME, CTRL_ATTR_MCAST_GROUPS = 1, 2, 7
CTRL_ATTR_MCAST_GRP_NAME, CTRL_ATTR_MCAST_GRP_ID = 1, 2


def nla(atype, payload):
    hdr = (4 + len(payload)).to_bytes(2, 'little') + atype.to_bytes(2, 'little')
    return hdr + payload + b'\0' * (-len(payload) % 4)


def nla_u8(t, v):
    return nla(t, v.to_bytes(1, 'little'))


def nla_u16(t, v):
    return nla(t, v.to_bytes(2, 'little'))


def nla_u32(t, v):
    return nla(t, v.to_bytes(4, 'little'))


def nla_u64(t, v):
    return nla(t, v.to_bytes(8, 'little'))


def nla_nest(t, *attrs):
    return nla(t | NLA_F_NESTED, b''.join(attrs))


def nla_parse(data):
    """[(type, payload)] of a run of attributes (type without flag bits)."""
    out, off = [], 0
    while off + 4 <= len(data):
        ln = int.from_bytes(data[off:off + 2], 'little')
        t = int.from_bytes(data[off + 2:off + 4], 'little') & NLA_TYPE_MASK
        if ln < 4 or off + ln > len(data):
            raise Fail(f'malformed attribute at offset {off}: length {ln} of {len(data)}')
        out.append((t, data[off + 4:off + ln]))
        off += (ln + 3) & ~3
    return out


def nla_dict(data):
    """{type: payload}; a duplicated attribute is a failure."""
    d = {}
    for t, v in nla_parse(data):
        if t in d:
            raise Fail(f'attribute {t} twice in one nest')
        d[t] = v
    return d


def le(b):
    return int.from_bytes(b, 'little')


class NlError(Exception):
    def __init__(self, err, msg=''):
        super().__init__(f'{errno_name(err)}{": " + msg if msg else ""}')
        self.errno = err
        self.msg = msg


class Genl:
    """One NETLINK_GENERIC socket talking to one family. Made in the
    netns (and with the credentials) of the calling thread at creation."""

    def __init__(self, family=None, rcvbuf=None):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.bind((0, 0))
        self.sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.seq = int(time.monotonic() * 1000) & 0xffffff
        self.portid = self.sock.getsockname()[0]
        self.family = None
        self.groups = {}
        # one receive buffer for the socket's life: receiving allocates
        # nothing in this process (the memcg checks count its pages)
        self.buf = bytearray(1 << 17)
        if family:
            self.resolve(family)

    def close(self):
        self.sock.close()

    def fileno(self):
        return self.sock.fileno()

    def resolve(self, name):
        msgs = self.request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, nla(CTRL_ATTR_FAMILY_NAME, name.encode() + b'\0'),
                            version=1)
        expect(len(msgs) == 1, f'CTRL_CMD_GETFAMILY {name}: {len(msgs)} replies')
        a = nla_dict(msgs[0][1])
        self.family = le(a[CTRL_ATTR_FAMILY_ID])
        self.groups = {}
        for _, g in nla_parse(a.get(CTRL_ATTR_MCAST_GROUPS, b'')):
            gd = nla_dict(g)
            self.groups[gd[CTRL_ATTR_MCAST_GRP_NAME].rstrip(b'\0').decode()] = le(gd[CTRL_ATTR_MCAST_GRP_ID])
        return self.family

    def send(self, family, cmd, payload=b'', flags=NLM_F_REQUEST | NLM_F_ACK, version=1):
        self.seq += 1
        body = bytes([cmd, version, 0, 0]) + payload
        hdr = (16 + len(body)).to_bytes(4, 'little') + family.to_bytes(2, 'little') + \
            flags.to_bytes(2, 'little') + self.seq.to_bytes(4, 'little') + (0).to_bytes(4, 'little')
        self.sock.send(hdr + body)
        return self.seq

    def recv_msgs(self, seq, timeout=30):
        """Messages answering seq until DONE or an ACK/error: returns
        ([(nlmsg_flags, attributes bytes, genl cmd)], errno, extack msg)."""
        out = []
        self.sock.settimeout(timeout)
        while True:
            n = self.sock.recv_into(self.buf)
            data = memoryview(self.buf)[:n]
            off = 0
            while off + 16 <= len(data):
                ln = le(data[off:off + 4])
                typ = le(data[off + 4:off + 6])
                flags = le(data[off + 6:off + 8])
                mseq = le(data[off + 8:off + 12])
                if ln < 16 or off + ln > len(data):
                    raise Fail(f'malformed netlink message: length {ln}')
                body = bytes(data[off + 16:off + ln])
                off += (ln + 3) & ~3
                if mseq != seq:
                    continue
                if typ == NLMSG_ERROR:
                    err = -int.from_bytes(body[:4], 'little', signed=True)
                    msg = ''
                    # extack: after the echoed header (whole request on errors
                    # unless capped) come NLMSGERR_ATTR_* attributes
                    if flags & 0x200:       # NLM_F_ACK_TLVS
                        skip = 4 + (16 if flags & 0x100 else le(body[4:8]))   # NLM_F_CAPPED
                        for t, v in nla_parse(body[(skip + 3) & ~3:]):
                            if t == 1:
                                msg = v.rstrip(b'\0').decode(errors='replace')
                    return out, err, msg
                if typ == NLMSG_DONE:
                    err = -int.from_bytes(body[:4], 'little', signed=True) if len(body) >= 4 else 0
                    return out, err, ''
                out.append((flags, body[4:], body[0] if body else None))

    def request(self, family, cmd, payload=b'', version=1):
        seq = self.send(family, cmd, payload, version=version)
        msgs, err, msg = self.recv_msgs(seq)
        if err:
            raise NlError(err, msg)
        return [(f, a) for f, a, _ in msgs]

    def do(self, cmd, payload=b''):
        """A do-command; NlError on an error. Returns the reply's attributes."""
        seq = self.send(self.family, cmd, payload)
        msgs, err, msg = self.recv_msgs(seq)
        if err:
            raise NlError(err, msg)
        return nla_dict(msgs[0][1]) if msgs else {}

    def dump(self, cmd, payload=b''):
        """A dump; NlError on an error. Returns ([attributes bytes], interrupted)."""
        seq = self.send(self.family, cmd, payload, flags=NLM_F_REQUEST | NLM_F_DUMP)
        msgs, err, msg = self.recv_msgs(seq)
        if err:
            raise NlError(err, msg)
        return [a for _, a, _ in msgs], any(f & NLM_F_DUMP_INTR for f, _, _ in msgs)

    def join(self, group):
        """setsockopt(NETLINK_ADD_MEMBERSHIP) for the family's group by name."""
        self.sock.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, self.groups[group])


class Twctl(Genl):
    """The twctl family, with its uapi constants (U) and decoders."""
    U = None

    def __init__(self, **kw):
        if Twctl.U is None:
            Twctl.U = uapi_consts()
        super().__init__(Twctl.U['TWCTL_GENL_NAME'], **kw)

    # struct twctl_entry_info and the extras' structs, field by field in
    # the uapi's order (host byte order; addresses as 16 raw bytes)
    INFO = struct.Struct('=BBBBHH16s16sQIIII')
    INFO_FIELDS = ('family', 'state', 'flags', 'age_source', 'lport', 'rport', 'laddr', 'raddr',
                   'cookie', 'remaining_ms', 'age_ms', 'netns_ino', 'bound_if')
    JUDGEMENT = struct.Struct('=IIIBBBB')
    JUDGEMENT_FIELDS = ('rto_ms', 'srtt_us', 'recycle_after_ms', 'rto_source', 'recycle_reason',
                        'reuse_reason', 'reserved')
    SECRETS = struct.Struct('=IIIIII')
    SECRETS_FIELDS = ('snd_nxt', 'rcv_nxt', 'ts_recent', 'ts_recent_age_ms', 'mark', 'reserved')
    # the old per-entry attribute each field stands for, and its width
    OLD = {'family': 1, 'state': 1, 'lport': 2, 'rport': 2, 'cookie': 8, 'remaining_ms': 4,
           'age_ms': 4, 'age_source': 1, 'bound_if': 4, 'rto_ms': 4, 'srtt_us': 4,
           'recycle_after_ms': 4, 'rto_source': 1, 'recycle_reason': 1, 'reuse_reason': 1,
           'snd_nxt': 4, 'rcv_nxt': 4, 'ts_recent': 4, 'ts_recent_age_ms': 4, 'mark': 4}

    def entry_dump(self, filt=b'', limit=None, ext=None, all_netns=False):
        """A raw entry dump: ([{attribute type: payload}], interrupted).
        ext: TWCTL_A_ENTRY_EXT bits (None: leave the attribute out)."""
        U = self.U
        payload = filt + (nla_u32(U['TWCTL_A_LIMIT'], limit) if limit else b'') + \
            (nla_u32(U['TWCTL_A_ENTRY_EXT'], ext) if ext is not None else b'') + \
            (nla(U['TWCTL_A_ALL_NETNS'], b'') if all_netns else b'')
        msgs, intr = self.dump(U['TWCTL_CMD_GET_ENTRIES'], payload)
        return [nla_dict(m) for m in msgs], intr

    def decode_entry(self, top):
        """One entry message's attributes as {TWCTL_ENTRY_A_* name: payload
        bytes encoded as that attribute was}: the struct fields under the
        names of the attributes they replace, so checks written against
        those names keep their meaning."""
        U = self.U
        info = top.get(U['TWCTL_A_ENTRY_INFO'])
        expect(info is not None, f'entry message without TWCTL_A_ENTRY_INFO: {sorted(top)}')
        expect(len(info) == self.INFO.size, f'TWCTL_A_ENTRY_INFO of {len(info)} bytes, not {self.INFO.size}')
        f = dict(zip(self.INFO_FIELDS, self.INFO.unpack(info)))
        for attr, st, names in (('TWCTL_A_ENTRY_JUDGEMENT', self.JUDGEMENT, self.JUDGEMENT_FIELDS),
                                ('TWCTL_A_ENTRY_SECRETS', self.SECRETS, self.SECRETS_FIELDS)):
            if U[attr] in top:
                v = top[U[attr]]
                expect(len(v) == st.size, f'{attr} of {len(v)} bytes, not {st.size}')
                d = dict(zip(names, st.unpack(v)))
                expect(d.pop('reserved') == 0, f'{attr} reserved field not zero')
                f.update(d)
        alen = 4 if f['family'] == socket.AF_INET else 16
        for a in ('laddr', 'raddr'):
            expect(f['family'] == socket.AF_INET6 or not any(f[a][4:]),
                   f'IPv4 {a} with non-zero bytes after the first 4: {f[a].hex()}')
        out = {}
        for name, v in f.items():
            if name in ('laddr', 'raddr'):
                out[f'TWCTL_ENTRY_A_{name.upper()}'] = v[:alen]
            elif name in self.OLD:
                out[f'TWCTL_ENTRY_A_{name.upper()}'] = v.to_bytes(self.OLD[name], 'little')
        flags = f['flags']
        out['TWCTL_ENTRY_A_TIMESTAMPS'] = bytes([bool(flags & U['TWCTL_ENTRY_F_TIMESTAMPS'])])
        out['TWCTL_ENTRY_A_RECYCLE_ELIGIBLE'] = bytes([bool(flags & U['TWCTL_ENTRY_F_RECYCLE_ELIGIBLE'])])
        out['TWCTL_ENTRY_A_REUSE_ELIGIBLE'] = bytes([bool(flags & U['TWCTL_ENTRY_F_REUSE_ELIGIBLE'])])
        out['TWCTL_ENTRY_A_NETNS'] = f['netns_ino'].to_bytes(4, 'little')
        return out

    def entries(self, filt=b'', limit=None, ext=None, all_netns=False):
        """Entries of a dump as [{TWCTL_ENTRY_A_* name: payload}] (see
        decode_entry); every extra is asked for unless ext says otherwise
        (the kernel leaves out what the caller may not see)."""
        if ext is None:
            ext = self.U['TWCTL_ENTRY_EXT_ALL']
        msgs, intr = self.entry_dump(filt, limit, ext, all_netns)
        expect(not intr, 'entry dump interrupted (NLM_F_DUMP_INTR)')
        return [self.decode_entry(m) for m in msgs]

    def filter(self, **f):
        """A TWCTL_A_FILTER nest: rport=(lo, hi), lport=(lo, hi), cookie=N."""
        U, parts = self.U, []
        for key in ('lport', 'rport'):
            if key in f:
                lo, hi = f[key] if isinstance(f[key], tuple) else (f[key], f[key])
                parts.append(nla_u16(U[f'TWCTL_FILTER_A_{key.upper()}_MIN'], lo))
                parts.append(nla_u16(U[f'TWCTL_FILTER_A_{key.upper()}_MAX'], hi))
        if 'cookie' in f:
            parts.append(nla_u64(U['TWCTL_FILTER_A_COOKIE'], f['cookie']))
        return nla_nest(U['TWCTL_A_FILTER'], *parts)

    def kill(self, filt=b'', dry_run=False, limit=None):
        """(matched, killed) of a KILL; NlError on an error."""
        U = self.U
        payload = filt + (nla(U['TWCTL_A_DRY_RUN'], b'') if dry_run else b'') + \
            (nla_u32(U['TWCTL_A_LIMIT'], limit) if limit else b'')
        a = self.do(U['TWCTL_CMD_KILL'], payload)
        return le(a.get(U['TWCTL_A_MATCHED'], b'')), le(a.get(U['TWCTL_A_KILLED'], b''))

    def summary(self, by, filt=b'', all_netns=False):
        """The groups of a summary dump: [{TWCTL_GROUP_A_* name: payload}]."""
        U = self.U
        names = {v: k for k, v in U.items() if k.startswith('TWCTL_GROUP_A_') and isinstance(v, int)}
        payload = nla_u8(U['TWCTL_A_GROUP_BY'], U[f'TWCTL_GROUP_BY_{by.upper()}']) + filt + \
            (nla(U['TWCTL_A_ALL_NETNS'], b'') if all_netns else b'')
        msgs, intr = self.dump(U['TWCTL_CMD_GET_SUMMARY'], payload)
        expect(not intr, 'summary dump interrupted (NLM_F_DUMP_INTR)')
        out = []
        for m in msgs:
            top = nla_dict(m)
            expect(U['TWCTL_A_GROUP'] in top, f'summary message without TWCTL_A_GROUP: {sorted(top)}')
            out.append({names.get(t, t): v for t, v in nla_dict(top[U['TWCTL_A_GROUP']]).items()})
        return out

    def summary_send(self, by, filt=b''):
        """Starts a summary dump without reading it; returns its seq."""
        U = self.U
        return self.send(self.family, U['TWCTL_CMD_GET_SUMMARY'],
                         nla_u8(U['TWCTL_A_GROUP_BY'], U[f'TWCTL_GROUP_BY_{by.upper()}']) + filt,
                         flags=NLM_F_REQUEST | NLM_F_DUMP)


def raw_key(e):
    """The Key of an entry as Twctl.entries() decodes it."""
    fam = le(e['TWCTL_ENTRY_A_FAMILY'])
    name = 'inet' if fam == socket.AF_INET else 'inet6'
    state = {5: 'FIN_WAIT2', 6: 'TIME_WAIT'}.get(le(e['TWCTL_ENTRY_A_STATE']), le(e['TWCTL_ENTRY_A_STATE']))
    return Key(name, socket.inet_ntop(fam, e['TWCTL_ENTRY_A_LADDR']), le(e['TWCTL_ENTRY_A_LPORT']),
               socket.inet_ntop(fam, e['TWCTL_ENTRY_A_RADDR']), le(e['TWCTL_ENTRY_A_RPORT']), state,
               le(e['TWCTL_ENTRY_A_COOKIE']))


def ss_all_netns():
    """{(netns inode, Key)} of the timewait entries ss sees in this netns
    and in every named one (ip netns exec NAME ss ...)."""
    out = {(netns_inode(), k) for k in ss_keys()}
    names = sorted(os.listdir('/run/netns')) if os.path.isdir('/run/netns') else []
    for name in names:
        out |= {(netns_inode(name), k) for k in ss_keys(exec_netns=name)}
    return out


# --------------------------------------------------------------------------
# Running a function as another user / in other namespaces

CLONE_NEWUSER = 0x10000000
PR_SET_DUMPABLE = 4


def _libc_call(fn, *args):
    if fn(*args) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


def enter_netns(name):
    """Move the calling process (thread) into /run/netns/NAME for good."""
    fd = os.open(f'/run/netns/{name}', os.O_RDONLY)
    try:
        _libc_call(_libc.setns, fd, CLONE_NEWNET)
    finally:
        os.close(fd)


def drop_to(uid=NOBODY, gid=NOBODY, groups=()):
    """Become uid/gid with these supplementary groups, no capabilities."""
    os.setgroups(list(groups))
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    # setuid cleared "dumpable": /proc/self would belong to root, and the
    # user namespace maps of this process could not be written
    _libc_call(_libc.prctl, PR_SET_DUMPABLE, 1, 0, 0, 0)


def new_userns(netns=True):
    """unshare a user (and net) namespace and map the caller to root in it."""
    uid, gid = os.getuid(), os.getgid()
    _libc_call(_libc.unshare, CLONE_NEWUSER | (CLONE_NEWNET if netns else 0))
    with open('/proc/self/setgroups', 'w') as f:
        f.write('deny')
    with open('/proc/self/uid_map', 'w') as f:
        f.write(f'0 {uid} 1')
    with open('/proc/self/gid_map', 'w') as f:
        f.write(f'0 {gid} 1')


def in_child(fn, *args, timeout=120, **kw):
    """Run fn(*args, **kw) in a forked child (which may drop privileges or
    change namespaces for good) and return its result (pickled back). A
    Fail or exception in the child is raised here as Fail."""
    import pickle
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            try:
                res = ('ok', fn(*args, **kw))
            except Exception as e:
                tb = traceback.extract_tb(e.__traceback__)[-1]
                res = ('err', f'{type(e).__name__}: {e} (at {os.path.basename(tb.filename)}:{tb.lineno}, '
                              f'in a child as uid {os.getuid()})')
            data = pickle.dumps(res)
            with os.fdopen(w, 'wb') as f:
                f.write(data)
        finally:
            os._exit(0)
    os.close(w)
    chunks = []
    deadline = time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([r], [], [], left)[0]:
                os.kill(pid, signal.SIGKILL)
                raise Fail(f'child running {fn.__name__} did not finish in {timeout}s')
            b = os.read(r, 1 << 16)
            if not b:
                break
            chunks.append(b)
    finally:
        os.close(r)
        _, status = os.waitpid(pid, 0)
    if not chunks:
        raise Fail(f'child running {fn.__name__} died without a result (wait status {status:#x})')
    kind, res = pickle.loads(b''.join(chunks))
    if kind == 'err':
        raise Fail(res)
    return res


# --------------------------------------------------------------------------
# Kernel pointers

# A kernel address as hex (direct map, vmalloc, modules, text: 0xffff8... to
# 0xffffffff...), what %p prints for a hashed pointer on 64-bit (8 zero
# digits, then 8) or before the hash key is ready, and %pK/%px-style
# leftovers.
_PTR_RES = [re.compile(r'(?i)(?<![0-9a-z])(?:0x)?ffff[89a-f][0-9a-f]{11}(?![0-9a-z])'),
            re.compile(r'(?i)(?<![0-9a-z])(?:0x)?0{8}[0-9a-f]{8}(?![0-9a-z])'),
            re.compile(r'\(_{4}ptrval_{4}\)|\(null\)')]
KERNEL_PTR_MIN = 0xffff800000000000


def kernel_pointers(text):
    """Substrings of text that look like kernel pointers, in hex or decimal."""
    hits = []
    for r in _PTR_RES:
        hits += r.findall(text)
    for m in re.finditer(r'(?<![0-9A-Za-z.])\d{19,20}(?![0-9A-Za-z])', text):
        if KERNEL_PTR_MIN <= int(m.group(0)) < 1 << 64:
            hits.append(m.group(0))
    return hits


def errno_name(e):
    return errno.errorcode.get(e, str(e)) if e else 'success'


def main_guard(fn, rep):
    """Run a suite's main(rep); an unexpected crash still ends in a FAIL line
    and the totals."""
    # a timeout's SIGTERM shows where the suite was stuck
    faulthandler.register(signal.SIGTERM, file=sys.stdout, all_threads=True, chain=True)
    try:
        fn(rep)
    except BaseException as e:  # incl. KeyboardInterrupt from a timeout
        tb = traceback.extract_tb(e.__traceback__)[-1]
        rep.fail('suite-crashed', f'{type(e).__name__}: {e} (at {os.path.basename(tb.filename)}:{tb.lineno})')
    sys.exit(rep.finish())

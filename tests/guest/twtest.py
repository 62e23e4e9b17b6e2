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
import signal
import socket
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
    def __init__(self, prefix):
        self.prefix = prefix
        self.passed = 0
        self.failed = 0

    def _name(self, name):
        return f'{self.prefix}-{name}' if self.prefix else name

    def ok(self, name):
        self.passed += 1
        print(f'PASS: {self._name(name)}', flush=True)

    def fail(self, name, reason):
        self.failed += 1
        reason = ' '.join(str(reason).split())
        if len(reason) > 1500:
            reason = reason[:1500] + '...'
        print(f'FAIL: {self._name(name)}: {reason}', flush=True)

    def info(self, msg):
        print(f'  # {msg}', flush=True)

    def check(self, name, fn, *args, **kw):
        """Run fn; a Fail or any exception is a FAIL. Returns fn's result or None."""
        t0 = time.monotonic()
        try:
            res = fn(*args, **kw)
        except Fail as e:
            self.fail(name, e)
            return None
        except Exception as e:  # a broken check is a failed check
            tb = traceback.extract_tb(e.__traceback__)[-1]
            self.fail(name, f'{type(e).__name__}: {e} (at {os.path.basename(tb.filename)}:{tb.lineno})')
            return None
        if os.environ.get('TWCTL_TEST_TIMING'):
            self.info(f'{name}: {time.monotonic() - t0:.2f}s')
        self.ok(name)
        return res

    def guard(self, name, fn, *args, **kw):
        """Run fn, which reports its own checks; an exception in it is a FAIL."""
        try:
            return fn(*args, **kw)
        except Exception as e:
            tb = traceback.extract_tb(e.__traceback__)[-1]
            self.fail(name, f'{type(e).__name__}: {e} (at {os.path.basename(tb.filename)}:{tb.lineno})')
            return None

    def finish(self):
        print(f'{self.passed} passed, {self.failed} failed', flush=True)
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


def _ms(s):
    total = 0
    for n, unit in re.findall(r'(\d+)(min|sec|ms)', s):
        total += int(n) * {'min': 60000, 'sec': 1000, 'ms': 1}[unit]
    return total


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

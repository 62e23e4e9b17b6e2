#!/usr/bin/env python3
"""Stress run inside the KUnit/debug guest (tests/stress/run boots it).

For --seconds, at the same time:
  - build/stress/churn clients open loopback connections (IPv4, IPv6,
    IPv4-mapped) and connections over a veth with netem into a second netns,
    so TIME_WAIT entries keep appearing; kills and expiry remove them;
  - long-lived connections through the same listener ports carry a
    checksummed stream that must arrive byte-exact, still ESTABLISHED;
  - workers loop `twctl list`, `summary` (every --by), `kill` with random
    filters, limits and --dry-run (in both netns), and `twctl watch -j`;
  - the module is removed and reinserted in a loop while all that runs;
  - network namespaces holding entries are created and destroyed;
  - net.ipv4.tcp_max_tw_buckets drops to 50 now and then (overflow).
Then: churn stopped, `twctl list` equals `ss` (cookies) in both netns, the
module's debugfs counters add up with what the CLI reported, watch saw every
kill made while it was subscribed, every CLI run exited 0 (or 1 with a
"not loaded"-type error while a reload was under way), every kind of
operation ran at least a few times, and the module is unloaded at the end so
that the harness's kmemleak scan sees what it left.  Kernel splats and leaks
are judged by tests/vm/run.

Kill accounting.  The module's counters (debugfs stats) restart at every
load, so they are read just before each unload and summed per lifetime.
Kills hold a shared lock over their whole run; the reloader reads the
counters under the exclusive lock, marks the phase "closing", releases it,
and unloads, so kills do run while the module goes away.  A kill that
started in the closing phase ran after that lifetime's read (or failed
because the family was gone): its counts are added on top.  Before loading
the module again the reloader takes the exclusive lock once more, so a
closing-phase kill can never land in the next lifetime.  Hence, exactly:
  sum(CLI killed) == sum(stats "killed" per lifetime) + sum(closing-phase
  kills' killed), and the same for kill_ops and kill_matched.
"""
import argparse
import ctypes
import errno
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import traceback

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TWCTL = os.path.join(REPO, 'tools', 'twctl')
CHURN = os.path.join(REPO, 'build', 'stress', 'churn')
OUT = os.environ.get('TWCTL_OUT', '/tmp')

PORTS = (7001, 7002, 7003)      # IPv4 and IPv6-only listeners
DUAL = 7004                     # dual-stack listener: IPv4-mapped entries
ALL_PORTS = PORTS + (DUAL,)
BURST_PORT = 8000
PEER = 'stpeer'                 # second netns, over veth with netem
VETH = ('stv0', 'stv1')
V4 = ('198.18.77.1', '198.18.77.2')
V6 = ('fd00:77::1', 'fd00:77::2')
MARKER = ['--lport', '1', '--rport', '1']   # a kill that matches nothing
BY = ('lport', 'rport', 'raddr', 'dest')

# exit 1 is expected from the CLI only while the module comes and goes, and
# then only with one of these errors ("Protocol not supported": a dump that
# starts while rmmod is under way, when netlink's try_module_get() on the
# family's module fails in __netlink_dump_start())
RELOAD_ERR = re.compile(r'module is not loaded|No such file or directory|'
                        r'Device or resource busy|Resource temporarily unavailable|'
                        r'Protocol not supported|'
                        r'no .events. multicast group')

libc = ctypes.CDLL(None, use_errno=True)
SYS_finit_module = 313
SYS_delete_module = 176


def log(msg):
    print(f'stress: {msg}', flush=True)


# --------------------------------------------------------------------------
# shared state


class RWLock:
    """Writer-preferring: a waiting reloader is not starved by kills."""

    def __init__(self):
        self.c = threading.Condition()
        self.readers = 0
        self.writer = False
        self.wwait = 0

    def acquire_read(self):
        with self.c:
            while self.writer or self.wwait:
                self.c.wait()
            self.readers += 1

    def release_read(self):
        with self.c:
            self.readers -= 1
            if not self.readers:
                self.c.notify_all()

    def acquire_write(self):
        with self.c:
            self.wwait += 1
            while self.writer or self.readers:
                self.c.wait()
            self.wwait -= 1
            self.writer = True

    def release_write(self):
        with self.c:
            self.writer = False
            self.c.notify_all()


class State:
    def __init__(self):
        self.rw = RWLock()
        self.mu = threading.Lock()
        self.gen = 0                # module lifetime
        self.phase = 'absent'       # open, closing, absent
        self.attempt = 0            # unload attempt id
        self.aborted = set()        # unload attempts that gave up
        self.window = None          # watch window id while one is open
        self.windows_aborted = set()
        self.wait_window = False
        self.watch_busy = False     # a watch window is being set up or open
        self.window_kills = {}      # window id -> kills of the root netns in it
        self.lifetimes = []         # stats read at the close of each lifetime
        self.ops = []               # every CLI run
        self.problems = []          # (check name, text)
        self.pool = {}              # netns -> recent entries
        self.stopping = threading.Event()
        self.n = {}                 # counters for the figures line

    def snap(self):
        with self.mu:
            return (self.gen, self.phase, self.attempt)

    def problem(self, check, text):
        with self.mu:
            self.problems.append((check, text))
        log(f'PROBLEM [{check}] {text}')

    def count(self, key, k=1):
        with self.mu:
            self.n[key] = self.n.get(key, 0) + k


S = State()


def netns_ino(name=None):
    return os.stat(f'/run/netns/{name}' if name else '/proc/self/ns/net').st_ino


def run(cmd, check=True, timeout=120, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    if check and r.returncode != 0:
        raise RuntimeError(f'{" ".join(cmd)}: exit {r.returncode}: {r.stderr.strip()[:300]}')
    return r


def sysctl_rw(path, value=None):
    p = '/proc/sys/' + path.replace('.', '/')
    if value is None:
        with open(p) as f:
            return f.read().strip()
    with open(p, 'w') as f:
        f.write(str(value))


def tcpext(name):
    with open('/proc/net/netstat') as f:
        lines = f.read().splitlines()
    for i in range(0, len(lines) - 1, 2):
        keys, vals = lines[i].split(), lines[i + 1].split()
        if keys[0] == 'TcpExt:':
            return int(vals[keys.index(name)])
    raise RuntimeError('no TcpExt in /proc/net/netstat')


def read_stats():
    out = {}
    with open('/sys/kernel/debug/twctl/stats') as f:
        for line in f:
            k, v = line.split()
            out[k] = int(v)
    return out


# --------------------------------------------------------------------------
# the module


def insmod(ko):
    fd = os.open(ko, os.O_RDONLY)
    try:
        if libc.syscall(SYS_finit_module, fd, b'', 0) != 0:
            e = ctypes.get_errno()
            raise OSError(e, f'finit_module {ko}: {os.strerror(e)}')
    finally:
        os.close(fd)


def delete_module():
    """0, or the errno."""
    if libc.syscall(SYS_delete_module, b'twctl', os.O_NONBLOCK) == 0:
        return 0
    return ctypes.get_errno()


def load_first(ko):
    insmod(ko)
    with S.mu:
        S.gen = 1
        S.phase = 'open'


def unload(final=False, give_up_s=60):
    """Read the counters, unload (retrying while a dump holds the module).
    Returns True if the module is gone."""
    if not final and (S.window is not None or S.watch_busy):
        # every other reload (and every one until a window has completed)
        # lets an open watch window finish first, so that some windows
        # complete and some see the module go
        S.wait_window = not S.wait_window or not S.n.get('watch_windows')
        if S.wait_window:
            end = time.monotonic() + 30
            while (S.window is not None or S.watch_busy) and time.monotonic() < end:
                time.sleep(0.1)
    S.rw.acquire_write()
    try:
        stats = read_stats()
        with S.mu:
            S.phase = 'closing'
            S.attempt += 1
            att = S.attempt
            gen = S.gen
            if S.window is not None:
                S.windows_aborted.add(S.window)
                S.window = None
    finally:
        S.rw.release_write()
    if not final:
        # let the kills queued behind the read start: they run as the
        # module goes away
        time.sleep(random.uniform(0, 0.3))
    t0 = time.monotonic()
    while True:
        e = delete_module()
        if e == 0:
            S.count('t_rmmod', round(time.monotonic() - t0, 2))
            break
        if e in (errno.EBUSY, errno.EAGAIN):
            S.count('rmmod_busy')
            if time.monotonic() - t0 > give_up_s:
                S.rw.acquire_write()
                with S.mu:
                    S.phase = 'open'
                    S.aborted.add(att)
                S.rw.release_write()
                if final:
                    S.problem('final-unload', f'rmmod still busy after {give_up_s}s')
                S.count('rmmod_gave_up')
                return False
            time.sleep(0.05)
            continue
        S.problem('reload', f'delete_module: {os.strerror(e)}')
        S.rw.acquire_write()
        with S.mu:
            S.phase = 'open'
            S.aborted.add(att)
        S.rw.release_write()
        return False
    # waits for the kills of the closing phase
    S.rw.acquire_write()
    with S.mu:
        S.phase = 'absent'
        S.lifetimes.append({'gen': gen, 'stats': stats})
    S.rw.release_write()
    return True


def load_again(ko):
    for _ in range(5):
        try:
            timed('t_insmod', insmod, ko)
            break
        except OSError as e:
            S.problem('reload', str(e))
            time.sleep(1)
    else:
        return False
    S.rw.acquire_write()
    with S.mu:
        S.gen += 1
        S.phase = 'open'
    S.rw.release_write()
    S.count('reloads')
    return True


# --------------------------------------------------------------------------
# the CLI


def twctl(kind, args, netns=None, timeout=300, allow_race=False):
    """Runs twctl; records the run; returns (record, stdout)."""
    cmd = [TWCTL] + (['-N', netns] if netns else []) + args
    before = S.snap()
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        S.problem('cli-exit', f'`{" ".join(cmd[1:])}` did not finish in {timeout}s')
    after = S.snap()
    rec = {'kind': kind, 'args': args, 'netns': netns, 'rc': p.returncode, 'pid': p.pid,
           'err': err.strip()[-300:], 'before': before, 'after': after,
           't0': t0, 'dur': time.monotonic() - t0}
    with S.mu:
        S.ops.append(rec)
    rc = p.returncode
    loaded_throughout = before[1] == 'open' and after == before
    if rc == 0:
        pass
    elif rc == 1 and (allow_race or (not loaded_throughout and RELOAD_ERR.search(err))):
        rec['expected_fail'] = True
    else:
        why = 'killed by signal %d' % -rc if rc < 0 else f'exit {rc}'
        if rc == 1 and loaded_throughout:
            why += ' while the module stayed loaded'
        S.problem('cli-exit', f'`twctl {" ".join(args)}`{" in " + netns if netns else ""}: '
                  f'{why}: {err.strip()[:300]}')
        rec['bad'] = True
    return rec, out


def parse_json(rec, out, what):
    try:
        return json.loads(out)
    except ValueError as e:
        S.problem('cli-output', f'{what}: not JSON ({e}): {out[:200]!r}')
        rec['bad'] = True
        return None


ADDRS = {4: (['127.0.0.1', '127.0.0.0/8', '127.0.1.0/24', V4[0], V4[1] + '/24', '198.18.0.0/15'],
             ['127.0.1.0/24', '127.0.0.0/16', '127.0.0.1', V4[0], V4[0] + '/24', V4[1]]),
         6: (['::1', '::1/128', V6[0] + '/64', V6[1], '::/0', '::ffff:127.0.0.1'],
             ['::1', V6[0], V6[1] + '/64', '::/0', '::ffff:127.0.0.0/104', 'fd00::/8'])}


def random_filter(netns, rng):
    """A random filter (a list of arguments) that the CLI must accept: no
    family clash, no empty time window."""
    args = []
    pool = S.pool.get(netns) or []
    fam = rng.choice([4, 6])
    kinds = rng.sample(['lport', 'rport', 'laddr', 'raddr', 'family', 'state', 'eligible',
                        'reusable', 'expiring', 'after', 'older', 'cookie'], rng.randint(1, 3))
    for k in kinds:
        if k == 'lport':
            p = rng.choice(ALL_PORTS)
            args += ['--lport', rng.choice([str(p), f'{p}-{DUAL}', '32768-60999'])]
        elif k == 'rport':
            p = rng.choice(ALL_PORTS)
            args += ['--rport', rng.choice([str(p), f'{PORTS[0]}-{p}', '1024-65535'])]
        elif k == 'laddr':
            args += ['--laddr', rng.choice(ADDRS[fam][0])]
        elif k == 'raddr':
            args += ['--raddr', rng.choice(ADDRS[fam][1])]
        elif k == 'family':
            args.append(f'-{fam}')
        elif k == 'state':
            args += ['--state', rng.choice(['time-wait', 'fin-wait2'])]
            if rng.random() < 0.3:
                args += ['--state', 'time-wait']
        elif k == 'eligible':
            args.append('--eligible')
        elif k == 'reusable':
            args.append('--reusable')
        elif k == 'expiring':
            args += ['--expiring-within', rng.choice(['30s', '55s', '1m'])]
        elif k == 'after':
            args += ['--expiring-after', rng.choice(['1s', '20s', '500ms'])]
        elif k == 'older':
            args += ['--older-than', rng.choice(['1s', '5s', '100ms'])]
        elif k == 'cookie' and pool:
            e = rng.choice(pool)
            args += ['--cookie', rng.choice([f'sk:{e["cookie"]:x}', str(e['cookie']),
                                             f'0x{e["cookie"]:x}'])]
    if not args:
        args += ['--lport', str(rng.choice(ALL_PORTS))]
    return args


def kill_op(args, netns=None, kind='kill', entry=None):
    """A real kill (holds the shared lock) or a dry run; checks the reply.
    With `entry` (a --cookie kill of that listed entry) that killed it, ss
    must no longer show that cookie."""
    dry = '--dry-run' in args
    if not dry:
        S.rw.acquire_read()
    try:
        with S.mu:
            phase = (S.gen, S.phase, S.attempt)
            window = S.window
        rec, out = twctl(kind, ['-j', 'kill'] + args, netns)
        rec['phase'] = phase
        rec['window'] = window
        rec['dry'] = dry
        rec['ino'] = netns_ino(netns) if netns is None or os.path.exists(f'/run/netns/{netns}') else 0
    finally:
        if not dry:
            S.rw.release_read()
    limit = int(args[args.index('--limit') + 1]) if '--limit' in args else None
    if rec['rc'] == 0:
        j = parse_json(rec, out, 'kill -j')
        if j is None:
            return rec
        rec['matched'], rec['killed'] = j.get('matched'), j.get('killed')
        if not isinstance(rec['matched'], int) or not isinstance(rec['killed'], int):
            S.problem('kill-counts', f'kill reply without counts: {out[:200]!r}')
            rec['bad'] = True
            return rec
        if rec['killed'] > rec['matched']:
            S.problem('kill-counts', f'killed {rec["killed"]} > matched {rec["matched"]}: {args}')
        if limit is not None and rec['matched'] > limit:
            S.problem('kill-counts', f'matched {rec["matched"]} > limit {limit}: {args}')
        if dry:
            ents = j.get('entries')
            if j.get('dry_run') is not True or rec['killed'] != 0 or not isinstance(ents, list) \
                    or len(ents) != rec['matched']:
                S.problem('kill-counts', f'dry run reply inconsistent: {out[:200]!r}')
        rec['ok'] = True
        if entry and not dry and rec['killed'] == 1:
            verify_gone(entry, netns)
        if window is not None and not dry and netns is None:
            with S.mu:
                S.window_kills[window] = S.window_kills.get(window, 0) + 1
    return rec


# --------------------------------------------------------------------------
# workers


def worker(name, fn):
    def body():
        rng = random.Random(f'{name}-{os.getpid()}-{time.time()}')
        try:
            fn(rng)
        except Exception:
            S.problem('worker', f'{name} crashed: {traceback.format_exc()[-800:]}')
    t = threading.Thread(target=body, name=name, daemon=True)
    t.start()
    return t


def nap(rng, lo, hi):
    S.stopping.wait(rng.uniform(lo, hi))


def list_worker(rng):
    while not S.stopping.is_set():
        netns = None if rng.random() < 0.75 else PEER
        args = ['-j', 'list']
        if rng.random() < 0.4:
            args += random_filter(netns, rng)
        if rng.random() < 0.3:
            args += ['--limit', str(rng.randint(1, 200))]
        if rng.random() < 0.3:
            args += ['--sort', rng.choice(['remaining', 'age', 'lport', 'rport', 'local',
                                           'remote', 'cookie', 'state'])]
            if rng.random() < 0.5:
                args.append('--reverse')
        if rng.random() < 0.15:
            args[0] = '-s'
        rec, out = twctl('list', args, netns)
        if rec['rc'] == 0:
            if args[0] == '-j':
                j = parse_json(rec, out, 'list -j')
                if isinstance(j, list):
                    if '--limit' in args and len(j) > int(args[args.index('--limit') + 1]):
                        S.problem('list', f'{len(j)} entries despite {args}')
                    ents = [e for e in j if isinstance(e, dict) and 'cookie' in e]
                    if len(ents) != len(j):
                        S.problem('list', 'entries without a cookie')
                    if ents:
                        with S.mu:
                            S.pool[netns] = ents[-300:]
                    S.count('listed_entries', len(j))
                elif j is not None:
                    S.problem('list', f'list -j gave {type(j).__name__}, not a list')
        nap(rng, 0.05, 0.5)


def summary_worker(rng):
    i = 0
    while not S.stopping.is_set():
        by = BY[i % len(BY)]
        netns = None if rng.random() < 0.75 else PEER
        args = ['-j', 'summary', '--by', by]
        if rng.random() < 0.4:
            args += ['--top', str(rng.randint(1, 20))]
        if rng.random() < 0.4:
            args += random_filter(netns, rng)
        rec, out = twctl('summary', args, netns)
        rec['by'] = by
        if rec['rc'] == 0:
            # the next --by only after this one worked: every one runs
            i += 1
            j = parse_json(rec, out, 'summary -j')
            if j is not None:
                groups = j if isinstance(j, list) else j.get('groups') if isinstance(j, dict) else None
                if not isinstance(groups, list):
                    S.problem('summary', f'unexpected summary JSON: {out[:200]!r}')
                elif '--top' in args and len(groups) > int(args[args.index('--top') + 1]):
                    S.problem('summary', f'{len(groups)} groups despite {args}')
        nap(rng, 0.05, 0.5)


def verify_gone(e, netns):
    """ss, the ground truth: the killed entry is gone (its 4-tuple may be
    back with a new connection, but never its cookie)."""
    r = run(['ss', '-H', '-tane'] + (['-N', netns] if netns else []) +
            ['state', 'time-wait', 'state', 'fin-wait-2',
             'sport', '=', f':{e["lport"]}', 'and', 'dport', '=', f':{e["rport"]}'], check=False)
    if r.returncode != 0:
        S.problem('kill-effect', f'ss failed: {r.stderr.strip()[:200]}')
    elif re.search(rf'\bsk:{e["cookie"]:x}\b', r.stdout):
        S.problem('kill-effect', f'killed entry sk:{e["cookie"]:x} ({e.get("local")}:{e["lport"]} '
                  f'-> {e.get("remote")}:{e["rport"]}) is still in ss')
    else:
        S.count('kills_verified_by_ss')


def kill_worker(first):
    """Kills with random filters; `first` lists (netns, kind) to run before
    anything random, so that a short, slow run still covers them."""
    def body(rng):
        todo = list(first)
        while not S.stopping.is_set():
            netns, kind = todo[0] if todo else (rng.choice([None, None, PEER]), 'random')
            pool = S.pool.get(netns)
            if kind == 'cookie' and not pool:
                kind = 'random'         # no entry seen yet: try it again later
            elif todo:
                todo.pop(0)
            e = None
            if kind == 'cookie' or (kind == 'random' and pool and rng.random() < 0.3):
                e = rng.choice(pool)
                args = ['--cookie', rng.choice([f'sk:{e["cookie"]:x}', str(e['cookie'])])]
            elif kind == 'all' or (kind == 'random' and rng.random() < 0.05):
                args = ['--all', '--limit', str(rng.randint(1, 30))]
            else:
                args = random_filter(netns, rng)
                if rng.random() < 0.4:
                    args += ['--limit', str(rng.randint(1, 100))]
            if kind == 'dry' or (kind == 'random' and rng.random() < 0.3):
                args.append('--dry-run')
            kill_op(args, netns, entry=e)
            nap(rng, 0.05, 0.5)
    return body


def reload_worker(ko, period):
    def body(rng):
        while not S.stopping.is_set():
            nap(rng, period * 0.6, period * 1.4)
            if S.stopping.is_set():
                break
            if unload(give_up_s=30):
                S.stopping.wait(rng.uniform(0, 0.5))
                if not load_again(ko):
                    S.problem('reload', 'cannot load the module again; giving up')
                    return
    return body


def overflow_worker(rng):
    while not S.stopping.is_set():
        nap(rng, 5, 9)
        if S.stopping.is_set():
            break
        old = sysctl_rw('net.ipv4.tcp_max_tw_buckets')
        sysctl_rw('net.ipv4.tcp_max_tw_buckets', 50)
        S.count('overflow_windows')
        S.stopping.wait(2)
        sysctl_rw('net.ipv4.tcp_max_tw_buckets', old)


def timed(key, fn, *args, **kw):
    t0 = time.monotonic()
    try:
        return fn(*args, **kw)
    finally:
        S.count(key, round(time.monotonic() - t0, 2))


def netns_worker(rng):
    k = 0
    while not S.stopping.is_set():
        name = f'stns{k}'
        k += 1
        timed('t_netns_add', run, ['ip', 'netns', 'add', name])
        S.count('netns_created')
        try:
            run(['ip', '-n', name, 'link', 'set', 'lo', 'up'])
            r = timed('t_burst', run, ['ip', 'netns', 'exec', name, CHURN, 'burst',
                                       str(rng.randint(20, 60)), str(BURST_PORT)], check=False)
            if r.returncode != 0:
                S.problem('netns', f'burst in {name}: exit {r.returncode}: {r.stdout}{r.stderr}')
            else:
                m = re.search(r'burst (\d+)', r.stdout)
                S.count('connections', int(m.group(1)) if m else 0)
            rec, out = twctl('list', ['-j', 'list'], name)
            if rec['rc'] == 0:
                j = parse_json(rec, out, 'list -j')
                if isinstance(j, list):
                    S.pool[name] = j[-50:]
                    S.count('netns_entries_seen', len(j))
            if rng.random() < 0.5:
                twctl('summary', ['-j', 'summary', '--by', rng.choice(BY)], name)
            kill_op(random_filter(name, rng) + ['--limit', str(rng.randint(1, 20))], name)
            # a dump racing the namespace's removal: 0 or 1, never worse
            racer = None
            if rng.random() < 0.5:
                racer = threading.Thread(target=twctl, args=('list-race', ['-j', 'list'], name),
                                         kwargs={'allow_race': True})
                racer.start()
                time.sleep(rng.uniform(0, 0.3))
        finally:
            timed('t_netns_del', run, ['ip', 'netns', 'del', name], check=False)
            S.count('netns_destroyed')
            S.pool.pop(name, None)
        if racer:
            racer.join()
        nap(rng, 0.5, 2)


def watch_worker(rng):
    wid = 0
    while not S.stopping.is_set():
        if S.snap()[1] != 'open':
            nap(rng, 0.2, 0.4)
            continue
        wid += 1
        S.watch_busy = True
        try:
            watch_once(rng, wid)
        finally:
            S.watch_busy = False
        nap(rng, 0.5, 2)


def watch_once(rng, wid):
    gen = S.snap()[0]
    t_start = time.monotonic()
    p = subprocess.Popen([TWCTL, '-j', 'watch'], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    events = []
    cv = threading.Condition()

    def reader():
        for line in p.stdout:
            try:
                ev = json.loads(line)
            except ValueError:
                S.problem('watch', f'not JSON: {line[:200]!r}')
                continue
            with cv:
                events.append(ev)
                cv.notify_all()
    rt = threading.Thread(target=reader, daemon=True)
    rt.start()

    def wait_event(pid, timeout):
        end = time.monotonic() + timeout
        with cv:
            while True:
                for i, ev in enumerate(events):
                    if ev.get('pid') == pid:
                        return i
                left = end - time.monotonic()
                if left <= 0 or p.poll() is not None and not rt.is_alive():
                    return None
                cv.wait(min(left, 0.5))

    def finish():
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            S.problem('watch', 'twctl watch ignored SIGTERM for 30s')
        rt.join(10)
        err = p.stderr.read()
        rec = {'kind': 'watch', 'rc': p.returncode, 'err': err[-300:]}
        with S.mu:
            S.ops.append(rec)
        if 'lost' in err:
            S.problem('watch', f'events lost: {err.strip()[:200]}')
        return p.returncode, err

    start_idx = None
    for _ in range(10):
        rec = kill_op(MARKER, kind='kill-marker')
        if rec.get('ok'):
            start_idx = wait_event(rec['pid'], 5)
            if start_idx is not None:
                break
        if p.poll() is not None or S.stopping.is_set() or S.snap()[0] != gen:
            break
    if start_idx is None:
        rc, err = finish()
        S.count('watch_unsubscribed')
        # only a reload may keep watch from subscribing
        if S.snap()[0] == gen and rc == 0 and not S.stopping.is_set():
            S.problem('watch', 'watch saw none of 10 marker kills')
        elif rc not in (0, 1) or (rc == 1 and not RELOAD_ERR.search(err)):
            S.problem('cli-exit', f'twctl watch: exit {rc}: {err.strip()[:200]}')
        return
    S.rw.acquire_write()
    with S.mu:
        opened = S.gen == gen and S.phase == 'open'
        if opened:
            S.window = wid
    S.rw.release_write()
    S.stopping.wait(rng.uniform(1.5, 4))
    # and until a kill of this netns ran in it (they are slow under TCG)
    end = time.monotonic() + 30
    while opened and not S.stopping.is_set() and time.monotonic() < end and \
            S.window == wid and not S.window_kills.get(wid):
        time.sleep(0.2)
    S.rw.acquire_write()
    with S.mu:
        complete = opened and S.window == wid
        if S.window == wid:
            S.window = None
    S.rw.release_write()
    rec = kill_op(MARKER, kind='kill-marker')
    end_idx = wait_event(rec['pid'], 20) if rec.get('ok') else None
    rc, err = finish()
    if rc != 0 and not (rc == 1 and RELOAD_ERR.search(err) and S.snap()[0] != gen):
        S.problem('cli-exit', f'twctl watch: exit {rc}: {err.strip()[:200]}')
    if complete and end_idx is None:
        # the module stayed loaded (the window was not aborted) and yet the
        # end marker never came
        S.problem('watch', f'window {wid}: the end marker kill was not seen')
        return
    evs = events[start_idx + 1:end_idx] if end_idx is not None else events[start_idx + 1:]
    with S.mu:
        kills = [o for o in S.ops if o['kind'].startswith('kill') and o.get('ok')
                 and not o.get('dry') and o['t0'] >= t_start]
    root = netns_ino()
    by_pid = {k['pid']: k for k in kills}
    # every event is a kill we made, with the same counts
    for ev in evs:
        k = by_pid.get(ev.get('pid'))
        if k is None:
            S.problem('watch', f'window {wid}: event of no kill of ours: {ev}')
        elif (ev.get('matched'), ev.get('killed')) != (k['matched'], k['killed']) or \
                ev.get('netns') != k['ino']:
            S.problem('watch', f'window {wid}: event {ev} disagrees with the kill '
                      f'(matched {k["matched"]} killed {k["killed"]} netns {k["ino"]})')
    if not complete:
        S.count('watch_windows_aborted')
        return
    # every kill made in this netns while the window was open has its event
    seen = {ev.get('pid') for ev in evs}
    in_window = [k for k in kills if k['window'] == wid and k['ino'] == root]
    missing = [k for k in in_window if k['pid'] not in seen]
    if missing:
        S.problem('watch', f'window {wid}: {len(missing)} of {len(in_window)} kills have no '
                  f'event, e.g. {missing[0]["args"]}')
    S.count('watch_windows')
    S.count('watch_events_checked', len(in_window))
    S.count('watch_events', len(evs))


# --------------------------------------------------------------------------
# setup, final checks


def spawn(cmd, netns=None, nice=0):
    full = (['ip', 'netns', 'exec', netns] if netns else []) + \
        (['nice', '-n', str(nice)] if nice else []) + cmd
    return subprocess.Popen(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_line(p, want, timeout=180):
    """The first line of p's stdout (it must be `want`)."""
    res = []
    t = threading.Thread(target=lambda: res.append(p.stdout.readline()), daemon=True)
    t.start()
    t.join(timeout)
    line = res[0].strip() if res else ''
    if line != want:
        raise RuntimeError(f'{p.args}: expected "{want}", got "{line}" '
                           f'(exit {p.poll()})')


def setup_peer():
    run(['ip', 'netns', 'add', PEER])
    run(['ip', '-n', PEER, 'link', 'set', 'lo', 'up'])
    run(['ip', 'link', 'add', VETH[0], 'type', 'veth', 'peer', 'name', VETH[1], 'netns', PEER])
    run(['ip', 'addr', 'add', f'{V4[0]}/24', 'dev', VETH[0]])
    run(['ip', '-6', 'addr', 'add', f'{V6[0]}/64', 'dev', VETH[0], 'nodad'])
    run(['ip', 'link', 'set', VETH[0], 'up'])
    run(['ip', '-n', PEER, 'addr', 'add', f'{V4[1]}/24', 'dev', VETH[1]])
    run(['ip', '-n', PEER, '-6', 'addr', 'add', f'{V6[1]}/64', 'dev', VETH[1], 'nodad'])
    run(['ip', '-n', PEER, 'link', 'set', VETH[1], 'up'])
    run(['tc', 'qdisc', 'add', 'dev', VETH[0], 'root', 'netem', 'delay', '2ms', '1ms',
         'loss', '0.3%'])
    run(['tc', '-n', PEER, 'qdisc', 'add', 'dev', VETH[1], 'root', 'netem', 'delay', '2ms',
         '1ms', 'loss', '0.3%'])


def ss_cookies(netns=None):
    cmd = ['ss', '-H', '-tane'] + (['-N', netns] if netns else []) + ['state', 'time-wait']
    r = run(cmd)
    return {int(m, 16) for m in re.findall(r'\bsk:([0-9a-f]+)', r.stdout)}


def compare_with_ss(netns):
    """twctl list --state time-wait against ss, churn stopped: entries may
    only expire in between, so ss before >= twctl >= ss after."""
    last = ''
    for attempt in range(4):
        before = ss_cookies(netns)
        rec, out = twctl('list', ['-j', 'list', '--state', 'time-wait'], netns)
        after = ss_cookies(netns)
        if rec['rc'] != 0:
            last = f'twctl list exited {rec["rc"]}: {rec["err"]}'
            continue
        j = parse_json(rec, out, 'list -j')
        if not isinstance(j, list):
            last = 'no JSON list'
            continue
        tw = {e['cookie'] for e in j}
        extra = tw - before
        missing = after - tw
        if not extra and not missing and len(tw) == len(j):
            return len(tw), None
        last = (f'{len(extra)} twctl entries not in ss (e.g. {sorted(extra)[:3]}), '
                f'{len(missing)} ss entries not in twctl (e.g. {sorted(missing)[:3]}), '
                f'{len(j) - len(tw)} duplicates')
        time.sleep(2)
    return None, last


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--seconds', type=int, default=60)
    ap.add_argument('--ko', default=os.environ.get('TWCTL_STRESS_KO'))
    a = ap.parse_args()
    if not a.ko or not os.path.isfile(a.ko):
        print(f'FAIL: stress/setup (no twctl.ko: {a.ko})')
        return 1
    for f in (TWCTL, CHURN):
        if not os.access(f, os.X_OK):
            print(f'FAIL: stress/setup ({f} missing)')
            return 1
    f = max(1.0, a.seconds / 60.0)
    results = []

    def verdict(name, ok, why=''):
        results.append((name, ok, why))

    procs = {}
    saved_max_tw = sysctl_rw('net.ipv4.tcp_max_tw_buckets')
    t_begin = time.monotonic()
    try:
        for m in ('veth', 'sch_netem'):
            subprocess.run(['modprobe', m], capture_output=True)
        load_first(a.ko)
        setup_peer()
        procs['srv'] = spawn([CHURN, 'server', ','.join(map(str, PORTS)),
                              ','.join(map(str, PORTS)), str(DUAL)])
        procs['srv-peer'] = spawn([CHURN, 'server', ','.join(map(str, PORTS)),
                                   ','.join(map(str, PORTS)), str(DUAL)], netns=PEER)
        wait_line(procs['srv'], 'server ready')
        wait_line(procs['srv-peer'], 'server ready')
        streams = {'st-lo4': ('127.0.0.1', PORTS[0]), 'st-lo6': ('::1', PORTS[1]),
                   'st-mapped': ('127.0.0.1', DUAL), 'st-veth4': (V4[1], PORTS[2]),
                   'st-veth6': (V6[1], DUAL)}
        for i, (name, (dst, port)) in enumerate(sorted(streams.items())):
            procs[name] = spawn([CHURN, 'stream', dst, str(port), str(0x5eed0000 + i), '20000'])
        for name in streams:
            wait_line(procs[name], 'stream connected')
        ports = ','.join(map(str, ALL_PORTS))
        procs['churn-lo'] = spawn([CHURN, 'client', os.environ.get('TWCTL_STRESS_RATE', '25'),
                                   '127.0.0.1', '::1', ports, '127.0.1.1', '200'], nice=5)
        procs['churn-veth'] = spawn([CHURN, 'client',
                                     os.environ.get('TWCTL_STRESS_VETH_RATE', '10'),
                                     V4[1], V6[1], ports, V4[0], '1'], nice=5)
        ovf0 = tcpext('TCPTimeWaitOverflow')
        log(f'setup done in {time.monotonic() - t_begin:.0f}s; running {a.seconds}s')

        t_run = time.monotonic()
        threads = [worker('list', list_worker), worker('list2', list_worker),
                   worker('summary', summary_worker),
                   worker('kill1', kill_worker([(None, 'dry'), (None, 'cookie'),
                                                (PEER, 'random')])),
                   worker('kill2', kill_worker([(PEER, 'dry'), (PEER, 'cookie'),
                                                (None, 'all')])),
                   worker('watch', watch_worker),
                   worker('reload', reload_worker(a.ko, float(os.environ.get(
                       'TWCTL_STRESS_RELOAD_PERIOD', '6')))),
                   worker('netns', netns_worker), worker('overflow', overflow_worker)]
        next_report = 10
        while time.monotonic() - t_run < a.seconds:
            time.sleep(1)
            el = time.monotonic() - t_run
            if el >= next_report:
                next_report += 10
                with S.mu:
                    kinds = {}
                    for o in S.ops:
                        kinds[o['kind']] = kinds.get(o['kind'], 0) + 1
                    n = dict(S.n)
                log(f't={el:.0f}s gen={S.gen} ops={kinds} {n}')
        S.stopping.set()
        for t in threads:
            t.join(300)
            if t.is_alive():
                S.problem('worker', f'{t.name} did not stop within 300s')
        elapsed = time.monotonic() - t_run
        sysctl_rw('net.ipv4.tcp_max_tw_buckets', saved_max_tw)
        if S.snap()[1] != 'open':
            S.problem('reload', f'module not loaded after the workers stopped ({S.snap()})')
            load_again(a.ko)

        # churn and streams stop
        conns = 0
        for name in ('churn-lo', 'churn-veth'):
            p = procs.pop(name)
            p.send_signal(signal.SIGTERM)
            out, err = p.communicate(timeout=60)
            m = re.search(r'connections (\d+) failed (\d+)', out)
            if p.returncode != 0 or not m:
                verdict('churn', False, f'{name}: exit {p.returncode}: {out}{err}')
            else:
                conns += int(m.group(1))
                S.count('connect_failures', int(m.group(2)))
        S.count('connections', conns)
        stream_fail = []
        for name in sorted(streams):
            p = procs.pop(name)
            p.send_signal(signal.SIGTERM)
            out, err = p.communicate(timeout=120)
            if p.returncode != 0 or 'stream ok' not in out:
                stream_fail.append(f'{name}: exit {p.returncode}: {out.strip()} {err.strip()}')
            else:
                S.count('stream_bytes', int(re.search(r'bytes=(\d+)', out).group(1)))
        verdict('streams-intact', not stream_fail, '; '.join(stream_fail))

        # list == ss with the churn stopped
        time.sleep(2)
        for ns in (None, PEER):
            n, why = compare_with_ss(ns)
            verdict(f'list-equals-ss-{"peer" if ns else "root"}', n is not None and n > 0,
                    why or f'{n} entries')
            S.count('ss_compared', n or 0)
        overflow = tcpext('TCPTimeWaitOverflow') - ovf0

        for name in ('srv', 'srv-peer'):
            p = procs.pop(name)
            p.send_signal(signal.SIGTERM)
            out, err = p.communicate(timeout=60)
            m = re.search(r'errors (\d+)', out)
            if p.returncode != 0 or not m:
                verdict('servers', False, f'{name}: exit {p.returncode}: {out}{err}')
            m2 = re.search(r'stream_bad (\d+)', out)
            if m2 and int(m2.group(1)):
                stream_fail.append(f'{name}: {out.strip()}')

        # final unload: the counters of the last lifetime, then kmemleak
        # (the harness scans after this command exits)
        gone = unload(final=True, give_up_s=120)
        verdict('final-unload', gone, 'rmmod kept failing')
    except Exception:
        verdict('run', False, traceback.format_exc()[-1500:].replace('\n', ' | '))
        S.stopping.set()
        elapsed = time.monotonic() - t_begin
        overflow = 0
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.kill()
        try:
            sysctl_rw('net.ipv4.tcp_max_tw_buckets', saved_max_tw)
        except OSError:
            pass
        subprocess.run(['ip', 'netns', 'del', PEER], capture_output=True)
        if os.path.exists('/sys/module/twctl'):
            delete_module()

    # ---- verdicts
    ops = S.ops
    probs = S.problems

    def probs_of(check):
        return [t for c, t in probs if c == check]

    for check in ('cli-exit', 'cli-output', 'kill-counts', 'kill-effect', 'list', 'summary', 'watch', 'reload',
                  'netns', 'worker', 'final-unload'):
        p = probs_of(check)
        verdict(f'no-{check}-problem', not p, f'{len(p)}: ' + ' || '.join(p[:3]))

    kills = [o for o in ops if o['kind'].startswith('kill') and o.get('ok') and not o.get('dry')]
    closing = [k for k in kills if k['phase'][1] == 'closing' and k['phase'][2] not in S.aborted]
    life = [lt['stats'] for lt in S.lifetimes]
    for cli_key, st_key in (('killed', 'killed'), ('matched', 'kill_matched'), (None, 'kill_ops')):
        cli = sum(k[cli_key] for k in kills) if cli_key else len(kills)
        kern = sum(s.get(st_key, 0) for s in life)
        extra = sum(k[cli_key] for k in closing) if cli_key else len(closing)
        verdict(f'counters-{st_key}', cli == kern + extra,
                f'CLI {cli} != debugfs {kern} (over {len(life)} lifetimes) + {extra} '
                f'from {len(closing)} kills during unload')
    killed = sum(k['killed'] for k in kills)
    S.count('killed', killed)
    n_closing_all = sum(1 for o in ops if o['kind'].startswith('kill') and not o.get('dry')
                        and o.get('phase', (0, ''))[1] == 'closing')

    def n_ops(pred):
        return sum(1 for o in ops if pred(o))
    n = S.n
    minima = [
        ('connections', n.get('connections', 0), int(200 * f)),
        ('entries-killed', killed, int(10 * f)),
        ('kills', len(kills), int(5 * f)),
        ('kills-that-killed', sum(1 for k in kills if k['killed']), int(2 * f)),
        ('kills-by-cookie', sum(1 for k in kills if '--cookie' in k['args']), 1),
        ('kills-checked-with-ss', n.get('kills_verified_by_ss', 0), 1),
        ('kills-in-peer-netns', sum(1 for k in kills if k['netns'] == PEER), 1),
        ('kills-in-churned-netns', sum(1 for k in kills if (k['netns'] or '').startswith('stns')), 1),
        ('dry-run-kills', n_ops(lambda o: o.get('dry') and o.get('ok')), int(f)),
        ('lists', n_ops(lambda o: o['kind'] == 'list' and o['rc'] == 0), int(5 * f)),
        ('watch-windows', n.get('watch_windows', 0), 1),
        ('watch-events-checked', n.get('watch_events_checked', 0), 1),
        ('reloads', n.get('reloads', 0), int(f)),
        ('netns-created', n.get('netns_created', 0), int(f)),
        ('netns-entries-seen', n.get('netns_entries_seen', 0), 1),
        ('overflow-windows', n.get('overflow_windows', 0), 1),
        ('overflows', overflow, 1),
    ]
    for by in BY:
        minima.append((f'summaries-by-{by}',
                       n_ops(lambda o, by=by: o['kind'] == 'summary' and o.get('by') == by
                             and o['rc'] == 0), max(1, int(f))))
    for name, got, want in minima:
        verdict(f'ran-{name}', got >= want, f'{got} < {want}')
    verdict('netns-all-destroyed', n.get('netns_created', 0) == n.get('netns_destroyed', 0),
            f'{n.get("netns_created", 0)} created, {n.get("netns_destroyed", 0)} destroyed')

    for name, ok, why in results:
        print(f'PASS: stress/{name}' if ok else f'FAIL: stress/{name} ({why})', flush=True)
    ops_by = {}
    for o in ops:
        ops_by[o['kind']] = ops_by.get(o['kind'], 0) + 1
    fig = (f'connections {n.get("connections", 0)}, entries killed {killed}, '
           f'netns created {n.get("netns_created", 0)} destroyed {n.get("netns_destroyed", 0)}, '
           f'module reloads {n.get("reloads", 0)} (rmmod busy {n.get("rmmod_busy", 0)}, '
           f'kills started during unload {n_closing_all}, {len(closing)} of them succeeded), '
           f'list {ops_by.get("list", 0)} summary {ops_by.get("summary", 0)} '
           f'kill {ops_by.get("kill", 0) + ops_by.get("kill-marker", 0)} '
           f'(dry-run {n_ops(lambda o: o.get("dry"))}) watch {ops_by.get("watch", 0)} '
           f'(events checked {n.get("watch_events_checked", 0)}), '
           f'overflows {overflow}, stream bytes {n.get("stream_bytes", 0)}, '
           f'rmmod {n.get("t_rmmod", 0):.0f}s and insmod {n.get("t_insmod", 0):.0f}s in all, '
           f'elapsed {elapsed:.0f}s')
    log('figures: ' + fig)
    try:
        with open(os.path.join(OUT, 'stress.json'), 'w') as fh:
            json.dump({'figures': fig, 'counts': n, 'lifetimes': S.lifetimes,
                       'problems': probs, 'ops': ops[-2000:]}, fh, default=str, indent=1)
    except OSError as e:
        log(f'cannot write stress.json: {e}')
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/env python3
"""Netlink fuzz suite, guest side (run by tests/fuzz/netlink/run through
tests/vm/run, as root, with twctl.ko at $TWCTL_KO).

  guest.py --count N --seed S [--fuzzer PATH]

Half of N is sent as root, half as uid 65534 without capabilities:

  (the sequential runs start with nlfuzz's sweep: every attribute type with
  a few lengths, in each request, on a socket with extended ACKs)
  root          nlfuzz as root in its own netns "twfuzz", which holds entries
                of its own (nlfuzz --replenish) and lets KILL kill freely;
                a kill-events listener checks one event per real kill
  unprivileged  nlfuzz as uid 65534 in the initial netns, next to the
                sentinel entries: every KILL must be refused with EPERM
  abandoned-dumps  dumps started and then closed unread or half read
                (both users); afterwards the module's refcount is 0 again
  concurrent    3 root workers in twfuzz and 3 unprivileged workers in the
                initial netns at the same time, plus abandoned dumps
  ss-equality   the sentinels (TIME_WAIT entries made in the initial netns
                before and during the fuzzing) are all still there, and
                `twctl list -j` equals `ss -tane state time-wait` exactly
  dmesg         no twctl line but its load line and the kill audit lines
  rmmod         the module unloads after it all

Prints PASS:/FAIL: lines and FIGURES: lines (nlfuzz's counters per phase and
summed). The kernel log (splats) and kmemleak are judged by tests/vm/run.
"""
import argparse
import os
import re
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'guest'))
import twtest as tw  # noqa: E402

NETNS = 'twfuzz'
NOBODY = 65534
SENTINEL_PORTS = (7101, 7102)
rep = tw.Reporter('')
figures = {}


def add_figures(phase, line):
    vals = {}
    for tok in line.split()[1:]:
        k, _, v = tok.partition('=')
        if v.isdigit():
            vals[k] = int(v)
    for k in ('seed', 'uid', 'workers'):
        vals.pop(k, None)
    figures.setdefault(phase, {})
    for k, v in vals.items():
        figures[phase][k] = figures[phase].get(k, 0) + v


def nlfuzz(args, phase, user, netns=None, timeout=900):
    """Start nlfuzz; returns a Popen whose output finish() collects."""
    cmd = [FUZZER] + [str(a) for a in args]
    if user != 'root':
        cmd += ['--uid', str(NOBODY)]
    if netns:
        cmd = ['ip', 'netns', 'exec', netns] + cmd
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         errors='backslashreplace')
    p.twctl_cmd = cmd
    p.twctl_phase = phase
    p.twctl_timeout = timeout
    return p


def finish(p):
    """(ok, reason) after nlfuzz ended; failure lines are echoed."""
    try:
        out, _ = p.communicate(timeout=p.twctl_timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, _ = p.communicate()
        return False, f'nlfuzz did not finish in {p.twctl_timeout}s: {" ".join(p.twctl_cmd)}'
    fails = []
    fig_seen = False
    for line in out.splitlines():
        if line.startswith('NLFUZZ-FIGURES'):
            fig_seen = True
            add_figures(p.twctl_phase, line)
            print(f'  # {p.twctl_phase}: {line}', flush=True)
        elif line.startswith('NLFUZZ-FAIL'):
            fails.append(line)
            print(f'  ! {line}', flush=True)
        elif line.startswith('nlfuzz:'):
            print(f'  # {line}', flush=True)
    if p.returncode != 0 or fails:
        first = fails[0][len('NLFUZZ-FAIL: '):] if fails else out.strip()[-300:]
        return False, f'nlfuzz exit {p.returncode}, {len(fails)} failure lines; first: {first}'
    if not fig_seen:
        return False, 'nlfuzz printed no figures'
    return True, ''


def phase(name, procs):
    t0 = time.monotonic()
    results = [finish(p) for p in procs]
    print(f'  # {name}: {time.monotonic() - t0:.1f}s', flush=True)
    bad = [r for ok, r in results if not ok]
    if bad:
        rep.fail(name, '; '.join(bad))
    else:
        rep.ok(name)


# ---------------------------------------------------------------------------
# sentinels: TIME_WAIT entries in the initial netns nothing may kill


class Sentinels:
    def __init__(self):
        self.traffic = tw.Traffic()
        self.v4 = self.traffic.server('127.0.0.1', SENTINEL_PORTS[0])
        self.v6 = self.traffic.server('::1', SENTINEL_PORTS[1])
        self.made = {}          # Key -> monotonic time it must live until
        self.stop = threading.Event()
        self.error = None
        self.thread = None

    def make(self, n4=40, n6=12):
        tuples = set()
        for t in self.traffic.tw(self.v4, n4) + self.traffic.tw(self.v6, n6):
            tuples.add(t)
        want = {t: 'TIME_WAIT' for t in tuples}
        tw.wait_settled(want)
        now = time.monotonic()
        for e in tw.ss_dump(states=('time-wait',)):
            t = (e.key.family, e.key.laddr, e.key.lport, e.key.raddr, e.key.rport)
            if t in tuples and e.remaining_ms is not None:
                # alive until its timer fires; 3 s of slack for the guest
                self.made[e.key] = now + (e.remaining_ms - 3000) / 1000.0
        return len(tuples)

    def _loop(self, every):
        while not self.stop.wait(every):
            try:
                self.make(16, 4)
            except Exception as e:  # reported by check()
                self.error = e
                return

    def start(self, every=8.0):
        self.thread = threading.Thread(target=self._loop, args=(every,), daemon=True)
        self.thread.start()

    def halt(self):
        self.stop.set()
        if self.thread:
            self.thread.join(60)

    def check(self):
        """Every sentinel whose timer cannot have fired is still in ss."""
        if self.error:
            raise tw.Fail(f'making sentinels failed: {self.error}')
        now = time.monotonic()
        due = {k for k, until in self.made.items() if until > now}
        tw.expect(len(due) >= 10, f'only {len(due)} sentinels should still live; the check proves little')
        have = tw.ss_keys()
        gone = due - have
        tw.expect(not gone, f'{len(gone)} of {len(due)} sentinels vanished before their timer: '
                  + ', '.join(tw.fmt_key(k) for k in sorted(gone)[:4]))
        return len(due)


def ss_equality():
    def take():
        return set(tw.twctl_list())
    ss_set, got = tw.ss_sandwich(take)
    tw.expect_same(got, ss_set, 'twctl list', 'ss')
    tw.expect(len(ss_set) > 0, 'no entries at all: the comparison proves nothing')
    return len(ss_set)


def module_refcnt():
    with open('/sys/module/twctl/refcnt') as f:
        return int(f.read())


def genl_family_id(sock):
    """The twctl family's id, from CTRL_CMD_GETFAMILY on a NETLINK_GENERIC socket."""
    name = b'twctl\0'
    attr = struct.pack('=HH', 4 + len(name), 2) + name + b'\0' * (-len(name) % 4)
    body = struct.pack('BBH', 3, 1, 0) + attr
    sock.send(struct.pack('=IHHII', 16 + len(body), 0x10, 1, 1, 0) + body)
    r = sock.recv(65536)
    off = 20
    while off + 4 <= len(r):
        ln, typ = struct.unpack_from('=HH', r, off)
        if typ == 1 and ln >= 6:
            return struct.unpack_from('=H', r, off + 4)[0]
        off += (ln + 3) & ~3
    raise tw.Fail('the twctl generic netlink family is not registered')


def refcnt_held_by_open_dump():
    """The refcount check can fail: a dump left unread on an open socket
    holds a reference on the module (the netlink callback's), and closing
    the socket drops it."""
    tw.expect(module_refcnt() == 0, f'refcnt {module_refcnt()} before the control')
    with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16) as c:
        fam = genl_family_id(c)
    # a socket that never read: its dump parts are one page, not 32 KiB
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
    try:
        s.bind((0, 0))
        body = struct.pack('BBH', 2, 1, 0)      # GET_ENTRIES, version 1
        s.send(struct.pack('=IHHII', 16 + len(body), fam, 0x301, 2, 0) + body)
        # the first part is queued unread; more than one part's worth of
        # entries (the sentinels) keeps the dump running
        tw.expect(tw.wait_for(lambda: module_refcnt() >= 1, timeout=5),
                  'an unread dump holds no module reference: the refcount check proves nothing')
    finally:
        s.close()
    refcnt_returns_to_zero()


def refcnt_returns_to_zero():
    # a closed socket's dump is ended from a work item after an RCU grace period
    ok = tw.wait_for(lambda: module_refcnt() == 0, timeout=30)
    tw.expect(ok, f'/sys/module/twctl/refcnt is {module_refcnt()} 30 s after every socket closed')


def dmesg_clean():
    r = tw.run(['dmesg'])
    bad = []
    for line in r.stdout.splitlines():
        msg = re.sub(r'^\[[^]]*\]\s*', '', line)
        # the module's own lines; stack traces are the splat scan's
        if not (re.match(r'twctl[: ]', msg) or '[twctl' in msg):
            continue
        if re.match(r'twctl [^ ]+ loaded$', msg):
            continue
        if re.match(r'twctl: pid \d+ \(.*\) uid \d+ netns \d+ killed \d+ of \d+ matching entries', msg):
            continue
        if msg.startswith('twctl: no RTO capture'):
            continue
        if re.match(r'twctl: (loading out-of-tree module taints kernel|module verification failed)', msg):
            continue
        bad.append(msg)
    tw.expect(not bad, f'{len(bad)} unexpected twctl kernel messages, first: {bad[:3]}')


def rmmod():
    r = None
    for _ in range(20):
        r = tw.run(['rmmod', 'twctl'])
        if r.returncode == 0:
            break
        time.sleep(0.5)
    if r.returncode != 0:
        raise tw.Fail(f'rmmod twctl: {r.stderr.strip()} (refcnt {module_refcnt()})')
    tw.expect(not os.path.exists('/sys/module/twctl'), 'twctl still loaded after rmmod')


def print_figures():
    total = {}
    for ph, vals in figures.items():
        for k, v in vals.items():
            total[k] = total.get(k, 0) + v
        print(f'FIGURES: {ph} ' + ' '.join(f'{k}={v}' for k, v in sorted(vals.items())), flush=True)
    print('FIGURES: total ' + ' '.join(f'{k}={v}' for k, v in sorted(total.items())), flush=True)


def main():
    global FUZZER
    ap = argparse.ArgumentParser()
    ap.add_argument('--count', type=int, default=20000)
    ap.add_argument('--seed', type=int, required=True)
    ap.add_argument('--fuzzer', default=os.path.join(tw.REPO, 'build', 'fuzz', 'nlfuzz'))
    a = ap.parse_args()
    FUZZER = a.fuzzer

    ok, _ = rep.setup('module', tw.load_module)
    if not ok:
        return 1
    ok, _ = rep.setup('stack', tw.prepare_stack)
    ok2, _ = rep.setup('netns', tw.netns_add, NETNS)
    if not (ok and ok2):
        return 1
    sent = Sentinels()
    ok, _ = rep.setup('sentinels', sent.make)
    if not ok:
        return 1
    sent.start()

    half = a.count // 2
    # per user: 70 % one socket, 25 % concurrent workers, 5 % abandoned dumps
    seq, conc = half * 70 // 100, half * 25 // 100
    aband = half - seq - conc
    s = a.seed
    print(f'  # nlfuzz seed {s}: {a.count} messages, per user {seq} sequential, '
          f'{conc} concurrent, {aband} abandoned dumps', flush=True)
    t0 = time.monotonic()

    phase('root', [nlfuzz(['--count', seq, '--seed', s, '--replenish', 120, '--events'],
                          'root', 'root', NETNS)])
    phase('unprivileged', [nlfuzz(['--count', seq, '--seed', s + 1], 'unprivileged', 'nobody')])
    phase('abandoned-dumps-run',
          [nlfuzz(['--mode', 'abandon', '--count', aband, '--seed', s + 2, '--replenish', 120],
                  'abandoned', 'root', NETNS),
           nlfuzz(['--mode', 'abandon', '--count', aband, '--seed', s + 3], 'abandoned', 'nobody')])
    rep.check('abandoned-dumps-released', refcnt_returns_to_zero)
    rep.check('refcnt-held-by-open-dump', refcnt_held_by_open_dump)
    phase('concurrent',
          [nlfuzz(['--count', conc, '--seed', s + 4, '--workers', 3, '--replenish', 120, '--events',
                   '--no-sweep'], 'concurrent', 'root', NETNS),
           nlfuzz(['--count', conc, '--seed', s + 5, '--workers', 3, '--no-sweep'], 'concurrent', 'nobody'),
           nlfuzz(['--mode', 'abandon', '--count', 50, '--seed', s + 6, '--workers', 2],
                  'concurrent', 'nobody')])
    print(f'  # fuzzing took {time.monotonic() - t0:.1f}s', flush=True)

    sent.halt()
    n = rep.check('sentinels-alive', sent.check)
    if n:
        rep.info(f'{n} sentinel entries checked')
    n = rep.check('ss-equality', ss_equality)
    if n:
        rep.info(f'twctl list and ss agree on {n} entries')
    rep.check('dmesg', dmesg_clean)
    rep.check('refcnt-zero', refcnt_returns_to_zero)
    sent.traffic.close()
    tw.run(['ip', 'netns', 'del', NETNS])
    rep.check('rmmod', rmmod)
    print_figures()
    return rep.finish()


if __name__ == '__main__':
    sys.exit(main())

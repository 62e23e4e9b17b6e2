#!/usr/bin/env python3
"""Selective kill: `twctl kill` removes exactly the entries its filter (or
--limit, --cookie, --all) selects, as ss sees them, in this netns only;
--dry-run shows exactly what the real run then kills; a blocked connect()
(EADDRNOTAVAIL) succeeds after killing its entry; established connections,
listeners, real FIN-WAIT-2 sockets and other netns are never touched; no
kill without CAP_NET_ADMIN; each kill is announced (watch, kernel log).
"""
import hashlib
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from twtest import (Fail, Reporter, Traffic, check_events, clear_timewait, debugfs_stats, entry_key,  # noqa: E402
                    errno_name, expect, expect_same, fmt_key, load_module, main_guard, netns_add,
                    netns_inode, prepare_stack, restore_stack, run, ss_socket, ss_tw, sysctl, tuples_of,
                    twctl_json, twctl_run, veth_pair, wait_settled, TWCTL, addr_in)

NS = 'twkillB'
V4 = ('198.19.0.1', '198.19.0.2')
V6 = ('fd00:1::1', 'fd00:1::2')
LONG_MS = 10000     # entries with less left may expire during a check
COMM = os.path.basename(TWCTL)[:15]     # the killer's comm in events and the log


def tup(k):
    return (k.family, k.laddr, k.lport, k.raddr, k.rport)


class Suite:
    def __init__(self, rep):
        self.rep = rep
        self.t = Traffic()
        self.bystanders_at = 0.0
        self.nobody_bin = None

    # -- traffic -----------------------------------------------------------
    def bystanders(self, force=False):
        """Entries no targeted kill selects (ports 7501-7504), refreshed so
        that some always have more than LONG_MS left."""
        if not force and time.monotonic() - self.bystanders_at < 35:
            return
        t = self.t
        made = {}
        for x in t.tw(t.server('127.0.0.1', 7501), 3):
            made[x] = 'TIME_WAIT'
        for x in t.tw(t.server('::1', 7502), 2):
            made[x] = 'TIME_WAIT'
        for x in t.tw(t.server('::', 7503, dual=True), 2, dest='::ffff:127.0.0.1'):
            made[x] = 'TIME_WAIT'
        for x in t.tw(t.server('127.0.0.1', 7504), 1, fin_wait2=True):
            made[x] = 'FIN_WAIT2'
        wait_settled(made)
        self.bystanders_at = time.monotonic()

    def make(self, srv, n, **kw):
        """n fresh entries (waits until ss shows them settled)."""
        made = self.t.tw(srv, n, **kw)
        wait_settled({x: 'FIN_WAIT2' if kw.get('fin_wait2') else 'TIME_WAIT' for x in made}, kw.get('netns'))
        return set(made)

    # -- the core comparison ----------------------------------------------
    def kill_check(self, args, pred, n_made=None, limit=None, netns=None, want_json=True):
        """Kill with ARGS; ss after must be ss before minus exactly the
        matching entries (minus entries that were about to expire anyway).
        Returns (the entries gone, the twctl result)."""
        self.bystanders()
        before = ss_tw(netns)
        want = {k for k in before if pred(k)}
        expect(want, f'no entry matches `{" ".join(args)}`: nothing to kill')
        if n_made is not None:
            expect(len(want) == n_made, f'ss shows {len(want)} matching entries, the test made {n_made}')
        short = [fmt_key(k) for k in want if (before[k] or 0) <= LONG_MS]
        expect(not short, f'test timing: matching entries about to expire: {short[:3]}')
        long_before = {k for k, rem in before.items() if (rem or 0) > LONG_MS}
        expect(long_before - want, 'no long-lived bystander entries to prove nothing else is touched')
        r = twctl_run('kill', *args, netns=netns)
        after = ss_tw(netns)
        expect(r.rc == 0, r.describe())
        n = len(want) if limit is None else min(limit, len(want))
        if want_json:
            expect(r.data == {'matched': n, 'killed': n, 'dry_run': False},
                   f'kill -j printed {r.out.strip()!r}, expected {{"matched":{n},"killed":{n},"dry_run":false}}')
        new = set(after) - set(before)
        expect(not new, 'entries appeared: ' + ', '.join(fmt_key(k) for k in list(new)[:3]))
        gone = set(before) - set(after)
        gone_long = gone & long_before
        if limit is None:
            expect_same(gone_long, want, 'gone', 'matching')
        else:
            expect(gone_long <= want and len(gone_long) == n,
                   f'--limit {limit}: {len(gone_long)} gone, {len(gone_long - want)} of them not matching')
        return gone_long, r

    def unchanged(self, before, after, what='ss'):
        """after == before, except entries that had <= LONG_MS left may be gone."""
        new = set(after) - set(before)
        lost = {k for k in set(before) - set(after) if (before[k] or 0) > LONG_MS}
        expect(not new and not lost, f'{what} changed: {len(lost)} entries gone ' +
               f'({", ".join(fmt_key(k) for k in list(lost)[:3])}), {len(new)} new')


# --------------------------------------------------------------------------


def check_audit_log(s):
    """The first real kill of the suite: its audit line is in dmesg. The
    module logs with pr_info_ratelimited (10 per 5 s), so if another suite
    killed just before, one more kill after the window must be logged."""
    lines = []
    for attempt, port in enumerate((7291, 7292)):
        if attempt:
            s.rep.info('no audit line on the first try; again after the 5 s rate-limit window')
            time.sleep(5.5)
        made = s.make(s.t.server('127.0.0.1', port), 3)
        gone, r = s.kill_check(['--rport', str(port)], lambda k, p=port: k.rport == p, 3)
        expect(tuples_of(gone) == made, 'the killed entries are not the ones made')
        pat = re.compile(rf'twctl: pid {r.pid} \({re.escape(COMM)}\) uid 0 netns {netns_inode()} '
                         rf'killed 3 of 3 matching entries.*rport={port}')
        lines = [ln for ln in run(['dmesg']).stdout.splitlines() if 'twctl: pid' in ln]
        if any(pat.search(ln) for ln in lines):
            return
    raise Fail(f'no audit line for pid {r.pid} killing 3 of 3; last twctl lines: {lines[-3:]}')


def check_lport(s):
    srv = s.t.server('127.0.0.1', 7201)
    server_side = s.make(srv, 4, closer='server')      # lport 7201
    s.make(srv, 3)                                      # rport 7201: must stay
    gone, _ = s.kill_check(['--lport', '7201'], lambda k: k.lport == 7201, 4)
    expect(tuples_of(gone) == server_side, 'killed other entries than the server-side ones')


def check_lport_client(s):
    port = s.t.client_ports(1)[0]
    made = set()
    for sp in (7202, 7203, 7204):
        made |= s.make(s.t.server('127.0.0.1', sp), 1, src_addr='127.0.0.1', src_ports=[port])
    s.make(s.t.server('127.0.0.1', 7202), 2)            # same server, other ports
    gone, _ = s.kill_check(['--lport', str(port)], lambda k: k.lport == port, 3)
    expect(tuples_of(gone) == made, 'killed other entries than the explicit-port ones')


def check_rport_range(s):
    for sp, n in ((7211, 2), (7212, 3), (7213, 2), (7214, 2)):
        s.make(s.t.server('127.0.0.1', sp), n)
    s.kill_check(['--rport', '7212-7213'], lambda k: 7212 <= k.rport <= 7213, 5)


def check_raddr_veth(s):
    s.make(s.t.server(V4[1], 7221, netns=NS), 3)
    s.make(s.t.server(V6[1], 7221, netns=NS), 2)
    s.make(s.t.server('127.0.0.1', 7221), 2)
    s.kill_check(['--raddr', '198.19.0.0/24'], lambda k: addr_in(k.raddr, '198.19.0.0/24'), 3)


def check_raddr_v6(s):
    s.make(s.t.server(V6[1], 7223, netns=NS), 2)
    s.kill_check(['--raddr', 'fd00:1::/64'], lambda k: addr_in(k.raddr, 'fd00:1::/64'), 4)


def check_raddr_mapped(s):
    s.make(s.t.server('127.0.0.1', 7222), 2)
    s.make(s.t.server('::', 7224, dual=True), 3, dest='::ffff:127.0.0.1')
    s.make(s.t.server('::1', 7222), 2)
    gone, _ = s.kill_check(['--raddr', '127.0.0.0/8', '--rport', '7221-7224'],
                           lambda k: addr_in(k.raddr, '127.0.0.0/8') and 7221 <= k.rport <= 7224, 7)
    expect(sum(1 for k in gone if k.family == 'inet6') == 3, 'the 3 v4-mapped entries were not all killed')


def check_cookie(s):
    made = s.make(s.t.server('::1', 7231), 4)
    before = ss_tw()
    victim = sorted(k for k in before if tup(k) in made)[1]
    gone, _ = s.kill_check(['--cookie', str(victim.cookie)], lambda k: k.cookie == victim.cookie, 1)
    expect(gone == {victim}, f'gone: {[fmt_key(k) for k in gone]}')


def check_limit(s):
    s.make(s.t.server('127.0.0.1', 7241), 8)
    s.kill_check(['--rport', '7241', '--limit', '3'], lambda k: k.rport == 7241, 8, limit=3)
    # the survivors are the rest: a second kill takes exactly the other 5
    s.kill_check(['--rport', '7241'], lambda k: k.rport == 7241, 5)


def check_dry_run(s, port, limit=None):
    s.make(s.t.server('127.0.0.1', port), 6)
    s.make(s.t.server('::1', port), 2)
    s.bystanders()
    extra = ['--limit', str(limit)] if limit else []
    before = ss_tw()
    dr = twctl_json('kill', '--dry-run', '--rport', str(port), *extra)
    mid = ss_tw()
    want = {k for k in before if k.rport == port}
    expect(len(want) == 8, f'ss shows {len(want)} entries on {port}, made 8')
    expect(isinstance(dr, dict) and isinstance(dr.get('entries'), list), f'dry-run -j printed {str(dr)[:200]}')
    listed = {entry_key(e) for e in dr['entries']}
    n = limit or 8
    expect(dr.get('matched') == n and dr.get('killed') == 0 and dr.get('dry_run') is True
           and len(dr['entries']) == n,
           f'dry-run: matched {dr.get("matched")}, killed {dr.get("killed")}, dry_run {dr.get("dry_run")}, '
           f'{len(dr["entries"])} entries; want {n}, 0, true, {n}')
    expect(listed <= want, 'dry-run lists entries that do not match')
    if not limit:
        expect_same(listed, want, 'dry-run', 'ss')
    s.unchanged(before, mid, 'ss across the dry run')
    r = twctl_run('kill', '--rport', str(port), *extra)
    after = ss_tw()
    expect(r.data == {'matched': n, 'killed': n, 'dry_run': False}, f'real kill printed {r.out.strip()!r}')
    gone = {k for k in set(mid) - set(after) if (mid[k] or 0) > LONG_MS}
    expect_same(gone, listed, 'killed by the real run', 'listed by the dry run')


def check_no_filter(s):
    s.bystanders()
    st0 = debugfs_stats()
    before = ss_tw()
    r = twctl_run('kill', json_out=False)
    after = ss_tw()
    st1 = debugfs_stats()
    lines = r.err.strip().splitlines()
    expect(r.rc == 2 and len(lines) == 1 and not r.out, r.describe())
    expect(before, 'no entries to protect')
    s.unchanged(before, after)
    expect(st1['kill_ops'] == st0['kill_ops'], f'the kernel got {st1["kill_ops"] - st0["kill_ops"]} kill requests')


def check_unprivileged(s, how):
    port = {'nobody': 7311, 'no-net-admin': 7312}[how]
    s.make(s.t.server('127.0.0.1', port), 3)
    st0 = debugfs_stats()
    before = ss_tw()
    r = twctl_run('kill', '--rport', str(port), json_out=False, user=how,
                  binary=s.nobody_bin if how == 'nobody' else None)
    after = ss_tw()
    st1 = debugfs_stats()
    expect(r.rc == 1 and 'CAP_NET_ADMIN' in r.err, r.describe())
    s.unchanged(before, after)
    expect(all(k in after for k in before if k.rport == port), 'the targeted entries are gone')
    expect(st1['killed'] == st0['killed'] and st1['kill_ops'] == st0['kill_ops'],
           f'module counters moved: {st0["kill_ops"]}->{st1["kill_ops"]} ops, {st0["killed"]}->{st1["killed"]} killed')


def check_reconnect(s):
    """Returns (errno before, errno after) for the report."""
    rep = s.rep
    saved = (sysctl('net.ipv4.tcp_timestamps'), sysctl('net.ipv4.tcp_tw_reuse'))
    res = {}
    try:
        sysctl('net.ipv4.tcp_tw_reuse', 0)
        sysctl('net.ipv4.tcp_timestamps', 0)
        srv = s.t.server('127.0.0.1', 7261)
        port = s.t.client_ports(1)[0]
        made = s.make(srv, 1, src_addr='127.0.0.1', src_ports=[port])
        entry = [k for k in ss_tw() if tup(k) in made]
        expect(len(entry) == 1 and entry[0].state == 'TIME_WAIT', f'no TIME_WAIT entry for port {port}')
        entry = entry[0]
        lst = twctl_json('list', '--cookie', str(entry.cookie))
        expect(len(lst) == 1 and lst[0].get('timestamps') is False,
               f'entry should be without timestamps: {str(lst)[:200]}')

        def attempt():
            c = socket.socket()
            c.settimeout(10)
            c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            c.bind(('127.0.0.1', port))
            try:
                c.connect(('127.0.0.1', 7261))
            except OSError as e:
                c.close()
                return e.errno
            s.t.keep.append(c)
            s.t.keep.append(srv.accept())
            return 0

        res['before'] = attempt()
        rep.info(f'connect 127.0.0.1:{port} -> 127.0.0.1:7261 with its TIME_WAIT entry: '
                 f'errno {res["before"]} ({errno_name(res["before"])})')
        rep.check(f'reconnect-blocked-before-kill-errno-{errno_name(res["before"])}',
                  lambda: expect(res['before'] == 99, f'errno {res["before"]}, want 99 (EADDRNOTAVAIL)'))
        r = twctl_run('kill', '--cookie', str(entry.cookie))
        rep.check('reconnect-kill-cookie',
                  lambda: expect(r.data == {'matched': 1, 'killed': 1, 'dry_run': False}, r.describe()))
        res['after'] = attempt()
        rep.info(f'same connect after `twctl kill --cookie {entry.cookie}`: errno {res["after"]} '
                 f'({errno_name(res["after"])})')
        rep.check(f'reconnect-succeeds-after-kill-errno-{res["after"]}',
                  lambda: expect(res['after'] == 0, f'errno {res["after"]} ({errno_name(res["after"])})'))
    finally:
        sysctl('net.ipv4.tcp_timestamps', saved[0])
        sysctl('net.ipv4.tcp_tw_reuse', saved[1])
    return res


class LineReader:
    def __init__(self, fd):
        self.fd, self.buf = fd, b''

    def line(self, timeout):
        deadline = time.monotonic() + timeout
        while b'\n' not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                return None
            chunk = os.read(self.fd, 65536)
            if not chunk:   # EOF: a last unterminated line, if any
                ln, self.buf = self.buf, b''
                return ln.decode() if ln else None
            self.buf += chunk
        ln, self.buf = self.buf.split(b'\n', 1)
        return ln.decode()


def check_watch(s):
    import json
    w = subprocess.Popen([TWCTL, 'watch', '-j'], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    rd = LineReader(w.stdout.fileno())
    try:
        # until watch has joined the group: probe kills that match nothing
        ev = None
        for _ in range(40):
            r = twctl_run('kill', '--lport', '1', '--rport', '1')
            expect(r.rc == 0, r.describe())
            ev = rd.line(0.5)
            if ev is not None:
                break
            if w.poll() is not None:
                err = LineReader(w.stderr.fileno()).line(1)
                raise Fail(f'watch exited {w.returncode}: {err}')
        expect(ev is not None, 'watch printed nothing for 40 probe kills')
        expect(json.loads(ev).get('matched') == 0, f'first event is not the probe: {ev}')
        # three real kills with known counts
        kills = []
        for port, n in ((7321, 2), (7322, 3), (7323, 1)):
            s.make(s.t.server('127.0.0.1', port), n)
            r = twctl_run('kill', '--rport', str(port))
            expect(r.data == {'matched': n, 'killed': n, 'dry_run': False}, r.describe())
            kills.append((r.pid, n))
        twctl_json('kill', '--dry-run', '--rport', '7501')  # no event for a dry run
        r = twctl_run('kill', '--lport', '1', '--rport', '2')  # closing probe
        kills.append((r.pid, 0))
        events = []
        for _ in kills:
            ln = rd.line(5)
            expect(ln is not None, f'only {len(events)} events for {len(kills)} kills')
            events.append(json.loads(ln))
        ino = netns_inode()
        for (pid, n), ev in zip(kills, events):
            expect(ev.get('pid') == pid and ev.get('matched') == n and ev.get('killed') == n
                   and ev.get('uid') == 0 and ev.get('netns') == ino and ev.get('comm') == COMM,
                   f'event {ev} for the kill by pid {pid} of {n} (netns {ino})')
        ln = rd.line(0.3)
        expect(ln is None, f'an extra event: {ln}')
    finally:
        w.send_signal(signal.SIGTERM)
        try:
            w.wait(5)
        except subprocess.TimeoutExpired:
            w.kill()
    expect(w.returncode == 0, f'watch exited {w.returncode} on SIGTERM')


def check_streaming(s):
    """3 connections through port 7271 stream 1 MB each way while entries of
    that port (lport 7271 server-side, rport 7271 client-side) are killed."""
    rep = s.rep
    srv = s.t.server('127.0.0.1', 7271)
    conns = [s.t.established(srv) for _ in range(3)]
    size, chunk = 1 << 20, 16384
    results, errors = {}, []

    gate = threading.Event()    # opened after two kill rounds: they hit mid-stream

    def sender(sock, data):
        try:
            for off in range(0, size, chunk):
                if off == size // 2 and not gate.wait(120):
                    raise Fail('the kill rounds never opened the gate')
                sock.sendall(data[off:off + chunk])
                time.sleep(0.02)
        except Exception as e:
            errors.append(f'send: {e}')

    def receiver(sock, key):
        h, n = hashlib.sha256(), 0
        try:
            while n < size:
                b = sock.recv(65536)
                if not b:
                    break
                h.update(b)
                n += len(b)
        except Exception as e:
            errors.append(f'recv: {e}')
        results[key] = (n, h.hexdigest())

    threads, want = [], {}
    for i, (c, a) in enumerate(conns):
        for d, (src, dst) in enumerate(((c, a), (a, c))):
            data = os.urandom(size)
            want[(i, d)] = (size, hashlib.sha256(data).hexdigest())
            for sock in (c, a):
                sock.settimeout(60)
            threads.append(threading.Thread(target=sender, args=(src, data)))
            threads.append(threading.Thread(target=receiver, args=(dst, (i, d))))
    for th in threads:
        th.start()
    rounds, during, problems = 0, 0, []
    while any(th.is_alive() for th in threads) or rounds < 3:
        # fresh entries on the port, both sides, then kill them
        server_side = set(s.t.tw(srv, 2, closer='server'))
        client_side = set(s.t.tw(srv, 3))
        wait_settled({x: 'TIME_WAIT' for x in server_side | client_side})
        r1 = twctl_run('kill', '--lport', '7271')
        r2 = twctl_run('kill', '--rport', '7271')
        if r1.data != {'matched': 2, 'killed': 2, 'dry_run': False}:
            problems.append(f'round {rounds} --lport: {r1.out.strip()} {r1.err.strip()}')
        if r2.data != {'matched': 3, 'killed': 3, 'dry_run': False}:
            problems.append(f'round {rounds} --rport: {r2.out.strip()} {r2.err.strip()}')
        streaming = any(th.is_alive() for th in threads)
        left = tuples_of(ss_tw()) & (server_side | client_side)
        if left:
            problems.append(f'round {rounds}: {len(left)} entries survived')
        rounds += 1
        during += streaming
        if rounds == 2:
            gate.set()
        if rounds > 60:
            break
    gate.set()
    for th in threads:
        th.join(60)
    rep.info(f'{rounds} kill rounds on port 7271, {during} of them ended while data was still flowing')

    def data_exact():
        expect(not errors, f'socket errors: {errors[:3]}')
        expect(results == want, f'received (bytes, sha256) {results} != sent {want}')
        expect(not any(th.is_alive() for th in threads), 'streaming did not finish')

    def established():
        bad = []
        for c, a in conns:
            for sock in (c, a):
                if ss_socket(sock, 'established') is None:
                    bad.append(str(sock.getsockname()))
        expect(not bad, f'not ESTABLISHED any more: {bad}')

    def listener():
        e = ss_socket(srv.sock, 'listening')
        expect(e is not None and e.key.lport == 7271, 'the listener on 7271 is gone')
        c, a = s.t.established(srv)
        c.sendall(b'hello')
        expect(a.recv(5) == b'hello', 'a new connection to the listener does not work')

    rep.check('streaming-kills-exact', lambda: expect(not problems and during >= 2, '; '.join(problems[:3]) or
                                                      f'only {during} kill rounds while streaming'))
    rep.check('streaming-data-byte-exact', data_exact)
    rep.check('streaming-still-established', established)
    rep.check('listener-stays', listener)
    for c, a in conns:
        c.close()
        a.close()


def check_full_fin_wait2(s):
    srv = s.t.server('127.0.0.1', 7301)
    c, a, ct = s.t.full_fin_wait2(srv)
    orphans = s.make(srv, 2, fin_wait2=True)
    e0 = ss_socket(c, 'fin-wait-2')
    expect(e0 is not None, 'the half-closed socket is not in FIN-WAIT-2')
    gone, _ = s.kill_check(['--state', 'fin-wait2', '--rport', '7301'],
                           lambda k: k.state == 'FIN_WAIT2' and k.rport == 7301, 2)
    expect(tuples_of(gone) == orphans, 'killed other than the 2 orphaned FIN_WAIT2 entries')
    # its exact tuple selects nothing: it is not a timewait entry
    r = twctl_run('kill', '--lport', str(ct[2]), '--rport', '7301', '--laddr', ct[1], '--raddr', ct[3])
    expect(r.data == {'matched': 0, 'killed': 0, 'dry_run': False}, r.describe())
    e1 = ss_socket(c, 'fin-wait-2')
    expect(e1 is not None and e1.key.lport == ct[2], 'the FIN-WAIT-2 socket is gone')
    a.sendall(b'still-open')
    expect(c.recv(10) == b'still-open', 'the FIN-WAIT-2 socket no longer receives')
    return c, a


def check_other_netns(s):
    # entries with rport 7281 in both namespaces
    here = s.make(s.t.server(V4[1], 7281, netns=NS), 3)
    there = s.make(s.t.server(V4[0], 7281), 4, netns=NS)
    ns_before = ss_tw(NS)
    s.kill_check(['--rport', '7281'], lambda k: k.rport == 7281, 3)
    ns_after = ss_tw(NS)
    s.unchanged(ns_before, ns_after, f'ss in {NS}')
    expect(there <= tuples_of(ns_after), f'entries of {NS} gone')
    # and the other way round
    here2 = s.make(s.t.server(V4[1], 7282, netns=NS), 2)
    s.make(s.t.server(V4[0], 7283), 2, netns=NS)       # bystanders over there
    root_before = ss_tw()
    gone, _ = s.kill_check(['--rport', '7281'], lambda k: k.rport == 7281, 4, netns=NS)
    expect(tuples_of(gone) == there, f'not the entries of {NS}')
    s.unchanged(root_before, ss_tw(), 'ss in the initial netns')
    expect(here2 <= tuples_of(ss_tw()), 'initial netns entries gone')
    del here


def check_all(s, fw2):
    """--all empties this netns only; sockets that are not timewait stay."""
    s.bystanders(force=True)
    srv = s.t.server('127.0.0.1', 7331)
    est_c, est_a = s.t.established(srv)
    s.make(s.t.server(V4[0], 7332), 3, netns=NS)
    s.make(s.t.server('127.0.0.1', 7331), 3, closer='server')
    before = ss_tw()
    ns_before = ss_tw(NS)
    expect(len(before) >= 10 and ns_before, f'{len(before)} entries here, {len(ns_before)} in {NS}')
    r = twctl_run('kill', '--all')
    after = ss_tw()
    ns_after = ss_tw(NS)
    expect(r.rc == 0 and r.data, r.describe())
    long_n = sum(1 for v in before.values() if (v or 0) > LONG_MS)
    short_n = len(before) - long_n
    m, k = r.data.get('matched'), r.data.get('killed')
    expect(long_n <= k <= m <= len(before) and m - k <= short_n and r.data.get('dry_run') is False,
           f'kill --all printed {r.out.strip()}; {len(before)} entries before ({short_n} about to expire)')
    expect(not after, f'{len(after)} entries left: {[fmt_key(x) for x in list(after)[:3]]}')
    s.unchanged(ns_before, ns_after, f'ss in {NS}')
    # what is not a timewait entry is still there and works
    expect(ss_socket(srv.sock, 'listening') is not None, 'listener gone')
    expect(ss_socket(est_c, 'established') is not None and ss_socket(est_a, 'established') is not None,
           'established connection gone')
    est_c.sendall(b'ping')
    expect(est_a.recv(4) == b'ping', 'established connection broken')
    if fw2:
        c, a = fw2
        expect(ss_socket(c, 'fin-wait-2') is not None, 'FIN-WAIT-2 socket gone')
        a.sendall(b'x')
        expect(c.recv(1) == b'x', 'FIN-WAIT-2 socket broken')
    # and the other netns on its own
    mine = s.make(s.t.server('127.0.0.1', 7333), 2)
    r = twctl_run('kill', '--all', netns=NS)
    expect(r.rc == 0 and r.data and r.data.get('killed', 0) >= 1, r.describe())
    expect(not ss_tw(NS), f'entries left in {NS}')
    expect(mine <= tuples_of(ss_tw()), 'kill --all in the other netns took entries from here')


def suite(rep, saved):
    s = Suite(rep)
    ok, how = rep.setup('load-module', load_module)
    rep.info(how or 'module not loaded')
    if not ok or not os.path.exists('/sys/module/twctl') or not os.access(TWCTL, os.X_OK):
        rep.fail('setup', f'module loaded: {os.path.exists("/sys/module/twctl")}; {TWCTL} executable: '
                          f'{os.access(TWCTL, os.X_OK)}')
        return

    tmpd = tempfile.mkdtemp(prefix='twctl-nobody-')
    os.chmod(tmpd, 0o755)
    s.nobody_bin = os.path.join(tmpd, 'twctl')
    shutil.copy(TWCTL, s.nobody_bin)
    os.chmod(s.nobody_bin, 0o755)

    def setup():
        saved.update(prepare_stack())
        clear_timewait()
        netns_add(NS)
        veth_pair(NS, 'twkv0', 'twkv1', V4, V6)
        s.bystanders(force=True)
        return True
    if not rep.setup('netns-veth-bystanders', setup)[0]:
        return

    rep.check('audit-line-in-dmesg', check_audit_log, s)
    rep.check('lport-server-side', check_lport, s)
    rep.check('lport-explicit-client-port', check_lport_client, s)
    rep.check('rport-range', check_rport_range, s)
    rep.check('raddr-v4-prefix-veth', check_raddr_veth, s)
    rep.check('raddr-v6-prefix-veth', check_raddr_v6, s)
    rep.check('raddr-v4-prefix-incl-mapped', check_raddr_mapped, s)
    rep.check('cookie-exactly-one', check_cookie, s)
    rep.check('limit-exactly-n', check_limit, s)
    rep.check('dry-run-lists-what-real-run-kills', check_dry_run, s, 7251)
    rep.check('dry-run-limit-same-entries', check_dry_run, s, 7252, 3)
    rep.check('no-filter-refused-exit2', check_no_filter, s)
    rep.check('unprivileged-setpriv-nobody-refused', check_unprivileged, s, 'nobody')
    rep.check('unprivileged-capsh-drop-net-admin-refused', check_unprivileged, s, 'no-net-admin')
    rep.guard('reconnect', check_reconnect, s)
    check_events(rep, 'watch-one-event-per-kill', check_watch, s)
    rep.guard('streaming', check_streaming, s)
    fw2 = rep.check('full-fin-wait2-socket-stays', check_full_fin_wait2, s)
    rep.check('other-netns-untouched', check_other_netns, s)
    rep.check('all-this-netns-only', check_all, s, fw2)
    s.t.close()
    shutil.rmtree(tmpd, ignore_errors=True)



def main(rep):
    saved = {}
    try:
        suite(rep, saved)
    finally:
        restore_stack(saved)
        run(['ip', 'netns', 'del', NS])
        run(['ip', 'link', 'del', 'twkv0'])


if __name__ == '__main__':
    main_guard(main, Reporter('kill'))

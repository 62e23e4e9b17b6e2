#!/usr/bin/env python3
"""What twctl adds on 5.10: `ss -K` cannot kill a TIME_WAIT entry there,
`twctl kill --cookie` can.

tcp_abort(), which SOCK_DESTROY (ss -K) calls, learned timewait sockets only
in 6.0 (commit af9784d007d8); before, it answers EOPNOTSUPP and ss skips that
error silently. So on a kernel older than 6.0 this suite shows, on one
TIME_WAIT entry that makes connect() fail with EADDRNOTAVAIL:
  - ss -K with a filter naming exactly that entry exits 0 and the entry is
    still in `ss -tan state time-wait` (same cookie), connect() still fails;
  - ss -K does kill an established socket with the same kind of filter (so
    it is not ss -K that is broken, only its reach);
  - `twctl kill --cookie` removes the entry and the same connect() succeeds.
On 6.0 and later it asserts the opposite for ss -K (the entry is gone and
the connect() succeeds), then the twctl part on a fresh entry.

The entry blocks connect() for certain: the ephemeral range is the single
port PORT, tcp_tw_reuse is 0 and the entry was made without timestamps, so
the kernel may neither pick another port nor reuse the entry.
"""
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from twtest import (Fail, Reporter, errno_name, expect, fmt_key, kernel_version,  # noqa: E402
                    load_module, main_guard, run, ss_dump, ss_kills_timewait, ss_tw, sysctl,
                    twctl_run, wait_for, TWCTL)

PORT = 40601                # the whole ephemeral range
SERVER = ('127.0.0.1', 7610)
CONTROL = ('127.0.0.1', 7611)
CONTROL_CLIENT = ('127.0.0.1', 7612)
SAVED = ('net.ipv4.ip_local_port_range', 'net.ipv4.tcp_tw_reuse', 'net.ipv4.tcp_timestamps')
SS_FILTER = ['src', f'127.0.0.1:{PORT}', 'dst', f'{SERVER[0]}:{SERVER[1]}']


class Suite:
    def __init__(self, rep):
        self.rep = rep
        self.keep = []
        self.srv = None

    def the_entry(self):
        """The timewait entry PORT -> SERVER as ss sees it, or None."""
        want = ('inet', '127.0.0.1', PORT, SERVER[0], SERVER[1])
        for k in ss_tw():
            if (k.family, k.laddr, k.lport, k.raddr, k.rport) == want:
                return k
        return None

    def close_first(self, c):
        """Closes client socket c before its peer: c's side keeps the entry."""
        a, _ = self.srv.accept()
        c.close()
        a.settimeout(10)
        expect(a.recv(1) == b'', 'server read data instead of EOF')
        a.close()
        k = wait_for(self.the_entry, 10)
        expect(k is not None and k.state == 'TIME_WAIT',
               f'no TIME_WAIT entry 127.0.0.1:{PORT} -> {SERVER[0]}:{SERVER[1]} in ss: {k}')
        return k

    def attempt(self):
        """connect() to SERVER with an automatic port: 0 or the errno. A
        connection made is closed client first, leaving a fresh entry,
        which is returned too."""
        c = socket.socket()
        c.settimeout(10)
        try:
            c.connect(SERVER)
        except OSError as e:
            c.close()
            return e.errno, None
        expect(c.getsockname()[1] == PORT, f'connect() used port {c.getsockname()[1]}, not {PORT}')
        return 0, self.close_first(c)

    def blocked(self, name, why):
        err, fresh = self.attempt()
        self.rep.info(f'connect() to {SERVER[0]}:{SERVER[1]} {why}: errno {err} ({errno_name(err)})')
        self.rep.check(name, lambda: expect(err == 99, f'errno {err} ({errno_name(err)}), want 99 '
                                                       f'(EADDRNOTAVAIL)'))
        return err, fresh

    def ss_kill(self, filt):
        r = run(['ss', '-K', '-H', '-tn'] + filt)
        self.rep.info(f'`ss -K -H -tn {" ".join(filt)}`: exit {r.returncode}, '
                      f'stdout {r.stdout.strip()!r}, stderr {r.stderr.strip()!r}')
        return r


def control_established(s):
    """ss -K works on this kernel: it kills an established socket."""
    ctl = socket.socket()
    ctl.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ctl.bind(CONTROL)
    ctl.listen(4)
    ctl.settimeout(10)
    s.keep.append(ctl)
    c = socket.socket()
    c.settimeout(10)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    c.bind(CONTROL_CLIENT)
    c.connect(CONTROL)
    a, _ = ctl.accept()
    s.keep += [c, a]
    filt = ['state', 'established', 'src', f'{CONTROL_CLIENT[0]}:{CONTROL_CLIENT[1]}',
            'dst', f'{CONTROL[0]}:{CONTROL[1]}']
    ino = os.fstat(c.fileno()).st_ino
    expect(any(e.ino == ino for e in ss_dump(states=('established',))), 'the control socket is not in ss')
    r = s.ss_kill(filt)
    expect(r.returncode == 0, f'ss -K exit {r.returncode}: {r.stderr.strip()}')
    try:
        got = c.recv(1)
        raise Fail(f'the killed socket still reads ({got!r})')
    except OSError as e:
        expect(e.errno == 103, f'recv on the killed socket: errno {e.errno} ({errno_name(e.errno)}), '
                               'want 103 (ECONNABORTED)')
    expect(not any(e.ino == ino for e in ss_dump(states=('established',))),
           'the control socket is still established in ss')


def ss_k_leaves_entry(s, entry):
    r = s.ss_kill(['state', 'time-wait'] + SS_FILTER)
    expect(r.returncode == 0, f'ss -K exit {r.returncode}: {r.stderr.strip()}')
    after = s.the_entry()
    expect(after is not None, 'the entry is gone')
    expect(after.cookie == entry.cookie,
           f'a different entry now: sk:{after.cookie:x}, was sk:{entry.cookie:x}')
    s.rep.info(f'after ss -K: {fmt_key(after)} is still in `ss -tan state time-wait`, '
               f'{ss_tw()[after] / 1000:.1f}s left')


def ss_k_kills_entry(s, entry):
    r = s.ss_kill(['state', 'time-wait'] + SS_FILTER)
    expect(r.returncode == 0, f'ss -K exit {r.returncode}: {r.stderr.strip()}')
    after = s.the_entry()
    expect(after is None, f'the entry survived: {fmt_key(after) if after else None}')


def twctl_kills(s, entry):
    r = twctl_run('kill', '--cookie', str(entry.cookie))
    s.rep.info(f'`twctl kill --cookie {entry.cookie} -j`: exit {r.rc}, {r.out.strip()!r}')
    expect(r.data == {'matched': 1, 'killed': 1, 'dry_run': False}, r.describe())
    expect(s.the_entry() is None, 'the entry is still in ss')


def suite(rep, saved):
    s = Suite(rep)
    ok, how = rep.setup('load-module', load_module)
    rep.info(how or 'module not loaded')
    if not ok or not os.access(TWCTL, os.X_OK):
        rep.fail('setup', f'module loaded: {ok}; {TWCTL} executable: {os.access(TWCTL, os.X_OK)}')
        return
    kills = ss_kills_timewait()
    rep.info(f'kernel {".".join(map(str, kernel_version()))}: ss -K '
             f'{"can" if kills else "cannot"} kill a TIME_WAIT entry (tcp_abort() handles them since 6.0)')

    # first, so that the entry is as young as can be when it matters
    rep.check('ss-K-kills-established-control', control_established, s)

    def setup():
        saved.update({n: sysctl(n) for n in SAVED})
        sysctl('net.ipv4.ip_local_port_range', f'{PORT} {PORT}')
        sysctl('net.ipv4.tcp_tw_reuse', 0)
        sysctl('net.ipv4.tcp_timestamps', 0)
        # a leftover entry on the one port would block the first connect()
        twctl_run('kill', '--lport', str(PORT))
        s.srv = socket.socket()
        s.srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.srv.bind(SERVER)
        s.srv.listen(16)
        s.srv.settimeout(10)
        s.keep.append(s.srv)
        c = socket.create_connection(SERVER, timeout=10)
        expect(c.getsockname()[1] == PORT, f'connect() used port {c.getsockname()[1]}, not {PORT}')
        return s.close_first(c)
    ok, entry = rep.setup('timewait-entry', setup)
    if not ok:
        return
    rep.info(f'entry: {fmt_key(entry)}, made without timestamps, ephemeral range {PORT}-{PORT}')
    lst = twctl_run('list', '--cookie', str(entry.cookie))
    rep.check('twctl-lists-the-entry',
              lambda: expect(isinstance(lst.data, list) and len(lst.data) == 1
                             and lst.data[0].get('timestamps') is False, lst.describe()))
    s.blocked('connect-blocked-by-the-entry', 'with the entry in place')

    if kills:
        rep.check('ss-K-kills-timewait-on-6.0+', ss_k_kills_entry, s, entry)
        err, fresh = s.attempt()
        rep.info(f'connect() after ss -K: errno {err} ({errno_name(err)})')
        rep.check('connect-succeeds-after-ss-K',
                  lambda: expect(err == 0, f'errno {err} ({errno_name(err)})'))
        if fresh is None:
            return
        # the connection just made left the same 4-tuple in TIME_WAIT again
        entry = fresh
        rep.info(f'fresh entry for the twctl part: {fmt_key(entry)}')
        s.blocked('connect-blocked-by-the-fresh-entry', 'with the fresh entry in place')
    else:
        rep.check('ss-K-leaves-timewait-before-6.0', ss_k_leaves_entry, s, entry)
        s.blocked('connect-still-blocked-after-ss-K', 'after ss -K')

    rep.check('twctl-kill-cookie-removes-it', twctl_kills, s, entry)
    err, _ = s.attempt()
    rep.info(f'connect() after `twctl kill --cookie {entry.cookie}`: errno {err} ({errno_name(err)})')
    rep.check('connect-succeeds-after-twctl-kill',
              lambda: expect(err == 0, f'errno {err} ({errno_name(err)})'))


def main(rep):
    saved = {}
    try:
        suite(rep, saved)
    finally:
        for n, v in saved.items():
            sysctl(n, ' '.join(v.split()))
        # the entry the last connect() left, so no later suite meets it
        twctl_run('kill', '--lport', str(PORT))


if __name__ == '__main__':
    main_guard(main, Reporter(''))

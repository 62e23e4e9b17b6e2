#!/usr/bin/env python3
"""Privileges: what an unprivileged user, and root inside a user namespace,
can see and do through twctl, checked at the netlink level (a raw generic
netlink client: what the kernel sends, not what the CLI prints) and through
the CLI, with ss as the ground truth.

An unprivileged user (uid 65534) lists only its own netns, sees no sequence
numbers, timestamps or marks, cannot kill and cannot subscribe to the kill
events; root in a user namespace of its own kills only in its own netns and
cannot act on the initial one; debugfs is root-only and read-only; no output
holds a kernel pointer; a summary an unprivileged user never reads pins no
memory, and what a summary allocates is charged to the caller's memcg.
"""
import ctypes
import errno
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from twtest import (Fail, NlError, Reporter, Traffic, Twctl, Genl, check_events, debugfs_stats,  # noqa: E402
                    drop_to, enter_netns, errno_name, events_skip_reason, expect, expect_same, fmt_key, in_child,
                    in_netns, kernel_pointers, le, load_module, nla_parse, main_guard, netns_add, new_userns,
                    prepare_stack, restore_stack, run, ss_tw, stable, sysctl, tuples_of, twctl_list, twctl_run,
                    kernel_version, wait_settled, KERNEL_PTR_MIN, KVER, NOBODY, TWCTL, _libc, CLONE_NEWNET)

NS_B = 'twprivB'        # another netns with entries of its own
NS_MEM = 'twprivM'      # the summary memory checks
MARK = 0x7a11           # SO_MARK of the entries made here (root sees it)
MARK_USERNS = 0x5e11    # ... and of those made by root in a user namespace
LONG_MS = 10000         # entries with less left may expire during a check
SO_MARK = getattr(socket, 'SO_MARK', 36)
DEBUGFS = '/sys/kernel/debug/twctl'

# What only a caller with CAP_NET_ADMIN over the netns may get (issue 8).
SEQ_ATTRS = ('TWCTL_ENTRY_A_SND_NXT', 'TWCTL_ENTRY_A_RCV_NXT', 'TWCTL_ENTRY_A_TS_RECENT',
             'TWCTL_ENTRY_A_TS_RECENT_AGE_MS')
PRIV_ATTRS = SEQ_ATTRS + ('TWCTL_ENTRY_A_MARK',)
PRIV_KEYS = ('snd_nxt', 'rcv_nxt', 'ts_recent', 'ts_recent_age_ms', 'mark')

# Summary memory: MEM_N entries with distinct local ports (one group each by
# lport) in NS_MEM; MEM_K summary dumps opened and never read. Just above a
# power of two, so that a table doubled at half load is 4 x MEM_N slots;
# small enough to be made well within the 60 s an entry lives on a loaded
# TCG guest.
MEM_N = 2100
MEM_K = 48


def short(e):
    """An entry nest reduced to what the checks compare (picklable)."""
    return {'cookie': le(e['TWCTL_ENTRY_A_COOKIE']),
            'priv': sorted(a for a in PRIV_ATTRS if a in e),
            'mark': le(e['TWCTL_ENTRY_A_MARK']) if 'TWCTL_ENTRY_A_MARK' in e else None,
            'timestamps': le(e.get('TWCTL_ENTRY_A_TIMESTAMPS', b'\0'))}


def cookies(x):
    return {e['cookie'] if isinstance(e, dict) else e.cookie for e in x}


def nl_dump(netns=None, user=True):
    """The entries the kernel sends to uid 65534 (user=True) or root, in
    netns (None: this one), over a raw netlink socket made by that user."""
    def fn():
        if netns:
            enter_netns(netns)
        if user:
            drop_to()
        tw = Twctl()
        return [short(e) for e in tw.entries()]
    return in_child(fn)


def wait_ss(made, netns=None):
    wait_settled({x: 'TIME_WAIT' for x in made}, netns)


def marked_tw(t, srv, n, mark, netns=None):
    """n client-closed connections to srv from sockets with SO_MARK=mark:
    n TIME_WAIT entries whose tw_mark is mark. Returns their 5-tuples."""
    made = set()
    fam = socket.AF_INET6 if ':' in srv.addr else socket.AF_INET
    for _ in range(n):
        with in_netns(netns):
            c = socket.socket(fam, socket.SOCK_STREAM)
        c.setsockopt(socket.SOL_SOCKET, SO_MARK, mark)
        c.settimeout(10)
        c.connect((srv.addr, srv.port))
        a = srv.accept()
        made.add(('inet6' if fam == socket.AF_INET6 else 'inet',) + _tup(c))
        c.close()
        expect(a.recv(1) == b'', 'server read data instead of EOF')
        a.close()
    wait_ss(made, netns)
    return made


def _tup(c):
    from twtest import _tuple
    return _tuple(c.getsockname(), c.getpeername())


def unchanged(before, after, what):
    """after == before, except entries that had <= LONG_MS left may be gone."""
    new = set(after) - set(before)
    lost = {k for k in set(before) - set(after) if (before[k] or 0) > LONG_MS}
    expect(not new and not lost, f'{what} changed: {len(lost)} entries gone '
           f'({", ".join(fmt_key(k) for k in list(lost)[:3])}), {len(new)} new')


def by_tuple(ss):
    return {(k.family, k.laddr, k.lport, k.raddr, k.rport): k for k in ss}


# --------------------------------------------------------------------------
# Listing


class Suite:
    def __init__(self, rep):
        self.rep = rep
        self.t = Traffic()
        self.nobody_bin = None
        self.userns_res = None
        self.mem_tight = None

    def make(self, addr, port, n, netns=None, mark=MARK):
        return marked_tw(self.t, self.t.server(addr, port, netns=netns), n, mark, netns)


def check_lists_own_netns(s):
    here = s.make('127.0.0.1', 7401, 4)
    there = s.make('127.0.0.1', 7402, 3, netns=NS_B)
    ss_b_tuples = by_tuple(ss_tw(NS_B))
    expect(there <= set(ss_b_tuples), f'entries made in {NS_B} missing from ss')

    def snap():
        before = (set(ss_tw()), set(ss_tw(NS_B)))
        got = (nl_dump(), nl_dump(NS_B),
               twctl_list(binary=s.nobody_bin, user='nobody', exec_netns=NS_B))
        after = (set(ss_tw()), set(ss_tw(NS_B)))
        return before, got, after
    (ss_here, ss_b), (nl_here, nl_b, cli_b) = stable(snap)
    expect(here <= tuples_of(ss_here) and there <= tuples_of(ss_b), 'made entries not in ss')
    expect(cookies(ss_here).isdisjoint(cookies(ss_b)), 'ss shows the same cookie in two netns')
    expect_same(cookies(nl_here), cookies(ss_here), 'uid 65534 netlink dump (initial netns)', 'ss')
    expect_same(cookies(nl_b), cookies(ss_b), f'uid 65534 netlink dump ({NS_B})', f'ss in {NS_B}')
    expect_same(set(cli_b), ss_b, f'`twctl list` as uid 65534 in {NS_B}', f'ss in {NS_B}')
    leaked = cookies(nl_here) & cookies(ss_b)
    expect(not leaked, f'{len(leaked)} entries of {NS_B} in the initial netns dump')


def check_seq_hidden_netlink(s):
    made = s.make('127.0.0.1', 7403, 3)
    want = {by_tuple(ss_tw())[x].cookie for x in made}
    root = {e['cookie']: e for e in nl_dump(user=False)}
    nob = {e['cookie']: e for e in nl_dump()}
    expect(want <= set(root) and want <= set(nob), 'the marked entries are not in both dumps')
    shown = {c: e['priv'] for c, e in nob.items() if e['priv']}
    expect(not shown, f'uid {NOBODY} got {len(shown)} entries with privileged attributes, e.g. '
           f'{next(iter(shown.values()), None)}')
    for c in want:
        e = root[c]
        expect(e['timestamps'] == 1, f'entry {c:#x} made with timestamps has TIMESTAMPS {e["timestamps"]}')
        expect(e['priv'] == sorted(PRIV_ATTRS), f'root got only {e["priv"]} for entry {c:#x}')
        expect(e['mark'] == MARK, f'root sees mark {e["mark"]} for entry {c:#x}, made with {MARK:#x}')


def check_seq_hidden_cli(s):
    made = s.make('::1', 7404, 2)

    def snap():
        before = set(ss_tw())
        got = (twctl_list(), twctl_list(binary=s.nobody_bin, user='nobody'),
               twctl_list(user='no-net-admin'))
        return before, got, set(ss_tw())
    ss, (root, nob, nocap) = stable(snap)
    ours = {k for k in ss if tuples_of([k]) <= made}
    expect(len(ours) == 2, f'{len(ours)} of the 2 entries made in ss')
    for who, lst in (('root', root), (f'uid {NOBODY}', nob), ('root without CAP_NET_ADMIN', nocap)):
        expect_same(set(lst), ss, f'twctl list as {who}', 'ss')
    for who, lst in ((f'uid {NOBODY}', nob), ('root without CAP_NET_ADMIN', nocap)):
        bad = {k: sorted(set(PRIV_KEYS) & set(e)) for k, e in lst.items() if set(PRIV_KEYS) & set(e)}
        expect(not bad, f'{who} sees {next(iter(bad.values()), None)} on {len(bad)} entries')
    for k in ours:
        missing = [x for x in PRIV_KEYS if x not in root[k]]
        expect(not missing, f'root does not see {missing} of {fmt_key(k)}')
        expect(root[k]['mark'] == MARK, f'root sees mark {root[k]["mark"]}, made with {MARK}')


# --------------------------------------------------------------------------
# Kill and events


def check_kill_eperm(s):
    made = s.make('127.0.0.1', 7421, 3)
    st0 = debugfs_stats()
    before = ss_tw()

    def fn():
        drop_to()
        tw = Twctl()
        out = {}
        for name, kw in (('filter', {'filt': tw.filter(rport=7421)}),
                         ('filter-dry-run', {'filt': tw.filter(rport=7421), 'dry_run': True}),
                         ('no-filter', {}),
                         ('filter-limit', {'filt': tw.filter(rport=7421), 'limit': 1})):
            try:
                out[name] = ('answered', tw.kill(**kw))
            except NlError as e:
                out[name] = ('error', e.errno)
        return out
    res = in_child(fn)
    after = ss_tw()
    st1 = debugfs_stats()
    bad = {k: v for k, v in res.items() if v != ('error', errno.EPERM)}
    expect(not bad, f'KILL as uid {NOBODY}: {bad} (want EPERM)')
    expect(made <= tuples_of(after), 'the targeted entries are gone')
    unchanged(before, after, 'ss')
    expect(st1['kill_ops'] == st0['kill_ops'] and st1['killed'] == st0['killed'],
           f'module counters moved: kill_ops {st0["kill_ops"]}->{st1["kill_ops"]}, '
           f'killed {st0["killed"]}->{st1["killed"]}')


def check_events_eperm(s):
    root = Twctl()
    try:
        expect('events' in root.groups, f'no events group: {root.groups}')
        gid = root.groups['events']
        root.join('events')     # control: root may
    finally:
        root.close()

    def fn():
        drop_to()
        tw = Twctl()
        out = {}
        try:
            tw.join('events')
            out['setsockopt'] = 0
        except OSError as e:
            out['setsockopt'] = e.errno
        if gid < 32:
            try:
                tw.sock.bind((tw.portid, 1 << (gid - 1)))
                out['bind'] = 0
            except OSError as e:
                out['bind'] = e.errno
        # control: the same user may join a group that asks nothing
        ctrl = Genl('nlctrl')
        try:
            ctrl.join('notify')
            out['nlctrl-notify'] = 0
        except OSError as e:
            out['nlctrl-notify'] = e.errno
        return out
    res = in_child(fn)
    expect(res['nlctrl-notify'] == 0, f'uid {NOBODY} cannot join nlctrl/notify either '
           f'({errno_name(res["nlctrl-notify"])}): the check would prove nothing')
    bad = {k: errno_name(v) for k, v in res.items() if k != 'nlctrl-notify' and v != errno.EPERM}
    expect(not bad, f'joining twctl/events (id {gid}) as uid {NOBODY}: {bad} (want EPERM)')
    s.rep.info(f'events group {gid}: uid {NOBODY} refused with EPERM by {sorted(k for k in res if k != "nlctrl-notify")}')


# --------------------------------------------------------------------------
# Root in a user namespace


def userns_child(port):
    """As uid 65534: keep a netlink socket of the initial netns, become root
    in a new user+net namespace, make entries there, then try everything."""
    out = {}
    init_fd = os.open('/proc/self/ns/net', os.O_RDONLY)     # a handle on the initial netns
    b_fd = os.open(f'/run/netns/{NS_B}', os.O_RDONLY)
    drop_to()
    init_sock = Twctl()         # made by uid 65534 in the initial netns
    new_userns(netns=True)
    out['uid'] = os.getuid()
    r = run(['ip', 'link', 'set', 'lo', 'up'])
    expect(r.returncode == 0, f'ip link set lo up in the new netns: {r.stderr.strip()}')
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(('127.0.0.1', port))
    srv.listen(16)
    srv.settimeout(10)
    for _ in range(3):
        c = socket.socket()
        c.setsockopt(socket.SOL_SOCKET, SO_MARK, MARK_USERNS)
        c.settimeout(10)
        c.connect(('127.0.0.1', port))
        a, _ = srv.accept()
        c.close()
        a.recv(1)
        a.close()
    deadline = time.monotonic() + 10
    while len(ss_tw()) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    out['own_ss_before'] = cookies(ss_tw())
    tw = Twctl()
    out['own_dump'] = [short(e) for e in tw.entries()]
    # the initial netns, from inside
    for name, kw in (('init-kill-filter', {'filt': init_sock.filter(rport=port)}),
                     ('init-kill-all', {})):
        try:
            out[name] = ('answered', init_sock.kill(**kw))
        except NlError as e:
            out[name] = ('error', e.errno)
    out['init_dump'] = [short(e) for e in init_sock.entries()]
    for name, fd in (('setns-init', init_fd), ('setns-B', b_fd)):
        out[name] = 0 if _libc.setns(fd, CLONE_NEWNET) == 0 else ctypes.get_errno()
    # everything in its own netns
    try:
        out['own_kill'] = ('answered', tw.kill())
    except NlError as e:
        out['own_kill'] = ('error', e.errno)
    out['own_ss_after'] = cookies(ss_tw())
    return out


def check_userns(s):
    port = 7431
    here = s.make('127.0.0.1', port, 3)
    there = s.make('127.0.0.1', port, 3, netns=NS_B)
    before, before_b = ss_tw(), ss_tw(NS_B)
    res = in_child(userns_child, port)
    after, after_b = ss_tw(), ss_tw(NS_B)
    s.rep.info(f'in the user namespace: uid {res["uid"]}, {len(res["own_ss_before"])} own entries, '
               f'kill of its netns {res["own_kill"]}, on the initial netns {res["init-kill-filter"]}')
    # its own netns: it sees its entries with what CAP_NET_ADMIN over that netns gets
    expect(res['uid'] == 0, f'uid {res["uid"]} in the new user namespace')
    expect(len(res['own_ss_before']) == 3, f'ss in the new netns shows {len(res["own_ss_before"])} entries, made 3')
    expect_same(cookies(res['own_dump']), res['own_ss_before'], 'its own dump', 'ss in its netns')
    for e in res['own_dump']:
        expect(e['priv'] == sorted(PRIV_ATTRS) and e['mark'] == MARK_USERNS,
               f'root of the netns gets {e["priv"]} mark {e["mark"]} for its own entry')
    expect(res['own_kill'] == ('answered', (3, 3)), f'kill of its own 3 entries: {res["own_kill"]}')
    expect(not res['own_ss_after'], f'{len(res["own_ss_after"])} entries left in its netns')
    # the initial netns and the other one
    for name in ('init-kill-filter', 'init-kill-all'):
        expect(res[name] == ('error', errno.EPERM), f'{name} from the user namespace: {res[name]} (want EPERM)')
    for name in ('setns-init', 'setns-B'):
        expect(res[name] == errno.EPERM, f'{name} from the user namespace: {errno_name(res[name])} (want EPERM)')
    s.userns_res = (res, cookies(before) | cookies(after))
    expect(here <= tuples_of(after), 'entries of the initial netns gone')
    expect(there <= tuples_of(after_b), f'entries of {NS_B} gone')
    unchanged(before, after, 'ss in the initial netns')
    unchanged(before_b, after_b, f'ss in {NS_B}')


def check_userns_init_socket(s):
    """The dump it made over the socket of the initial netns (made before
    it entered its user namespace) in check_userns."""
    expect(s.userns_res, 'check_userns did not run to the end')
    res, init_cookies = s.userns_res
    expect(cookies(res['init_dump']) and cookies(res['init_dump']) <= init_cookies,
           'its dump over the initial-netns socket is not the initial netns')
    shown = [e for e in res['init_dump'] if e['priv']]
    expect(not shown, f'it gets {shown[0]["priv"] if shown else ""} of {len(shown)} initial-netns entries')


def check_userns_no_seq_in_init(s):
    """Root of a user namespace is still nobody over the initial netns."""
    made = s.make('127.0.0.1', 7432, 2)
    want = {by_tuple(ss_tw())[x].cookie for x in made}

    def fn():
        drop_to()
        new_userns(netns=False)
        return os.getuid(), [short(e) for e in Twctl().entries()]
    uid, got = in_child(fn)
    expect(uid == 0, f'uid {uid} in the user namespace')
    expect(want <= cookies(got), 'the entries made are not in its dump')
    shown = [e for e in got if e['priv']]
    expect(not shown, f'{len(shown)} entries with {shown[0]["priv"] if shown else ""}')


# --------------------------------------------------------------------------
# debugfs


def check_debugfs(s):
    files = sorted(os.listdir(DEBUGFS))
    expect({'entries', 'ports', 'stats'} <= set(files), f'{DEBUGFS} has {files}')
    paths = [os.path.join(DEBUGFS, f) for f in files]
    for p in paths:
        st = os.stat(p)
        expect(stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o400 and st.st_uid == 0,
               f'{p}: mode {stat.filemode(st.st_mode)} ({stat.S_IMODE(st.st_mode):o}), uid {st.st_uid}')
    with open(os.path.join(DEBUGFS, 'stats')) as f:
        expect(f.read().strip(), 'root reads nothing from stats')
    # root cannot write: either open or write fails
    wrote = []
    errs = set()
    for p in paths:
        for flags in (os.O_WRONLY, os.O_RDWR, os.O_WRONLY | os.O_TRUNC, os.O_WRONLY | os.O_APPEND):
            try:
                fd = os.open(p, flags)
            except OSError as e:
                errs.add(errno_name(e.errno))
                continue
            try:
                os.write(fd, b'0\n')
                wrote.append(p)
            except OSError as e:
                errs.add(errno_name(e.errno))
            finally:
                os.close(fd)
    expect(not wrote, f'root wrote to {wrote}')
    # other users: through debugfs (its root is 0700) and through a bind
    # mount of the twctl directory alone, where only the files' mode protects
    mnt = tempfile.mkdtemp(prefix='twctl-dbg-', dir='/run')
    os.chmod(mnt, 0o755)
    r = run(['mount', '--bind', DEBUGFS, mnt])
    expect(r.returncode == 0, f'mount --bind {DEBUGFS}: {r.stderr.strip()}')
    try:
        dmode = stat.S_IMODE(os.stat(mnt).st_mode)
        targets = paths + [os.path.join(mnt, f) for f in files]

        def try_open():
            out = {}
            for p in targets:
                try:
                    with open(p, 'rb') as f:
                        out[p] = f'read {len(f.read(64))} bytes'
                except OSError as e:
                    out[p] = errno_name(e.errno)
            return out

        def as_nobody():
            drop_to()
            return try_open()

        def as_userns_root():
            drop_to()
            new_userns(netns=False)
            return try_open()
        for who, fn in ((f'uid {NOBODY}', as_nobody), ('root of a user namespace', as_userns_root)):
            res = in_child(fn)
            bad = {p: v for p, v in res.items() if v != 'EACCES'}
            expect(not bad, f'{who}: {bad} (want EACCES)')
    finally:
        run(['umount', mnt])
        os.rmdir(mnt)
    s.rep.info(f'debugfs: {files} 0400 root; root writes fail with {sorted(errs)}; '
               f'directory mode {dmode:o}, files refused to others through a bind mount too')


# --------------------------------------------------------------------------
# Kernel pointers


def scan_raw_netlink(payloads):
    """8-byte little-endian words at any 4-byte offset of every attribute
    (addresses left out) that fall in the kernel's address range."""
    hits = []
    for name, v in payloads:
        if name in ('TWCTL_ENTRY_A_LADDR', 'TWCTL_ENTRY_A_RADDR'):
            continue
        for off in range(0, len(v) - 7, 4):
            w = int.from_bytes(v[off:off + 8], 'little')
            if w >= KERNEL_PTR_MIN:
                hits.append(f'{name}+{off}={w:#x}')
    return hits


def watchers_output(port):
    """Starts `twctl watch` in each format, kills the entries of port once
    they all listen, returns {name: output}."""
    import select as sel
    procs = {}
    for fmt in ((), ('-j',), ('-s',)):
        procs['watch ' + ' '.join(fmt)] = subprocess.Popen([TWCTL, 'watch', *fmt], stdout=subprocess.PIPE,
                                                           stderr=subprocess.STDOUT)
    bufs = {k: b'' for k in procs}
    try:
        deadline = time.monotonic() + 30
        while not all(bufs.values()):
            expect(time.monotonic() < deadline, f'watchers silent after 30 s of probe kills: '
                   f'{[k for k, v in bufs.items() if not v]}')
            twctl_run('kill', '--lport', '1', '--rport', '1', json_out=False)
            r, _, _ = sel.select([p.stdout for p in procs.values()], [], [], 0.5)
            for k, p in procs.items():
                if p.stdout in r:
                    bufs[k] += os.read(p.stdout.fileno(), 65536)
        r = twctl_run('kill', '--rport', str(port), json_out=False)
        expect(r.rc == 0, r.describe())
        time.sleep(1)
        for k, p in procs.items():
            while sel.select([p.stdout], [], [], 0.2)[0]:
                b = os.read(p.stdout.fileno(), 65536)
                if not b:
                    break
                bufs[k] += b
    finally:
        for p in procs.values():
            p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
    return {k: v.decode(errors='replace') for k, v in bufs.items()}


def check_no_pointers(s, watch):
    s.make('127.0.0.1', 7441, 3)
    s.make('::1', 7442, 2)
    s.make('127.0.0.1', 7443, 2)
    outs = {}
    cmds = [('list',), ('list', '-j'), ('list', '-s'), ('summary',), ('summary', '-j'), ('summary', '-s'),
            ('info',), ('info', '-j'), ('info', '-s'), ('version',), ('version', '-j'),
            ('kill', '--dry-run', '--rport', '7441-7442'), ('kill', '--dry-run', '--rport', '7441-7442', '-j')]
    for by in ('lport', 'rport', 'raddr', 'dest'):
        cmds.append(('summary', '--by', by, '-j'))
    for c in cmds:
        r = twctl_run(*c, json_out=False)
        expect(r.rc == 0, r.describe())
        outs['twctl ' + ' '.join(c)] = r.out + r.err
    for c in (('list', '-j'), ('summary', '-j'), ('info', '-j')):
        r = twctl_run(*c, json_out=False, user='nobody', binary=s.nobody_bin)
        expect(r.rc == 0, r.describe())
        outs[f'uid {NOBODY}: twctl ' + ' '.join(c)] = r.out + r.err
    if watch:
        outs.update(watchers_output(7443))
    for f in sorted(os.listdir(DEBUGFS)):
        with open(os.path.join(DEBUGFS, f)) as fh:
            outs[f'debugfs {f}'] = fh.read()
    outs['dmesg (twctl lines)'] = '\n'.join(ln for ln in run(['dmesg']).stdout.splitlines() if 'twctl' in ln)
    shown = [('twctl list -j', '7441'), ('twctl list', ':7441'), ('debugfs entries', ':7441'),
             ('twctl summary --by rport -j', '7441')]
    if watch:
        shown.append(('watch -j', 'matched'))
    for what, needle in shown:
        expect(needle in outs[what], f'{what} does not show the entries made: {outs[what][:200]!r}')
    hits = {k: kernel_pointers(v)[:3] for k, v in outs.items() if kernel_pointers(v)}
    # raw netlink: every attribute of an entry and a summary dump
    tw = Twctl()
    raw = []
    for e in tw.entries():
        raw += list(e.items())
    hits_raw = scan_raw_netlink(raw)
    expect(not hits and not hits_raw, f'kernel pointers: {hits} {hits_raw[:3]}')
    s.rep.info(f'no kernel pointer in {len(outs)} outputs ({sum(len(v) for v in outs.values())} bytes) '
               f'and {len(raw)} raw attributes')


# --------------------------------------------------------------------------
# Summary memory


def meminfo():
    out = {}
    with open('/proc/meminfo') as f:
        for line in f:
            k, v = line.split(':')
            out[k] = int(v.split()[0]) * 1024
    return out


def kernel_held():
    """Kernel memory a module's kmalloc/kvmalloc can hold: unreclaimable
    slab (which counts large kmallocs too) and vmalloc."""
    m = meminfo()
    return m['SUnreclaim'] + m['VmallocUsed']


def old_table_bytes(n):
    """What the summary of 24e126d held per dump for n groups: an
    open-addressing table doubled at half load, 44-byte slots."""
    size = 64
    while (n + 1) * 2 > size:
        size *= 2
    return size * 44


def tw_count(pid):
    with open(f'/proc/{pid}/net/sockstat') as f:
        for line in f:
            if line.startswith('TCP:'):
                p = line.split()
                return int(p[p.index('tw') + 1])
    raise Fail('no tw count in sockstat')


class Child:
    """A forked helper driven step by step over two pipes."""

    def __init__(self, fn, *args):
        import pickle
        self.pickle = pickle
        r1, w1 = os.pipe()      # parent -> child
        r2, w2 = os.pipe()      # child -> parent
        self.pid = os.fork()
        if self.pid == 0:
            os.close(w1)
            os.close(r2)
            self.rd, self.wr = os.fdopen(r1, 'rb'), os.fdopen(w2, 'wb')
            try:
                try:
                    fn(self, *args)
                except Exception as e:
                    self.send(('error', f'{type(e).__name__}: {e}'))
            finally:
                os._exit(0)
        os.close(r1)
        os.close(w2)
        self.rd, self.wr = os.fdopen(r2, 'rb'), os.fdopen(w1, 'wb')

    def send(self, obj):
        data = self.pickle.dumps(obj)
        self.wr.write(len(data).to_bytes(4, 'little') + data)
        self.wr.flush()

    def recv(self, timeout=120):
        import select as sel
        if not sel.select([self.rd], [], [], timeout)[0]:
            raise Fail(f'helper process silent for {timeout}s')
        n = self.rd.read(4)
        if len(n) < 4:
            raise Fail('helper process died')
        obj = self.pickle.loads(self.rd.read(int.from_bytes(n, 'little')))
        if isinstance(obj, tuple) and obj and obj[0] == 'error':
            raise Fail(f'helper process: {obj[1]}')
        return obj

    def finish(self):
        try:
            self.wr.close()
        except OSError:
            pass
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            pid, _ = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return
            time.sleep(0.05)
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)


def read_summary(tw, seq):
    """Reads one summary dump to its end: (groups, truncated flag seen, errno)."""
    msgs, err, _ = tw.recv_msgs(seq, timeout=120)
    trunc = tw.U.get('TWCTL_A_TRUNCATED')
    seen = any(trunc is not None and any(t == trunc for t, _ in nla_parse(a)) for _, a, _ in msgs)
    return len(msgs), seen, err


def unread_dumps_child(ch, k, cgroup=None):
    if cgroup:
        with open(os.path.join(cgroup, 'cgroup.procs'), 'w') as f:
            f.write(str(os.getpid()))
    enter_netns(NS_MEM)
    drop_to()
    socks = [Twctl() for _ in range(k)]
    ch.send('ready')
    ch.recv()
    seqs = [tw.summary_send('lport') for tw in socks]
    ch.send('sent')
    ch.recv()
    ch.send([read_summary(tw, seq) for tw, seq in zip(socks, seqs)])


def check_unread_summaries_pin_nothing(s):
    """MEM_K summaries by lport of MEM_N groups, opened by uid 65534 and not
    read: the kernel memory held meanwhile must not grow by the tables."""
    expect(tw_count_ns() >= MEM_N * 0.95, f'only {tw_count_ns()} entries in {NS_MEM}, made {MEM_N}')
    held_table = old_table_bytes(MEM_N) * MEM_K
    ch = Child(unread_dumps_child, MEM_K)
    try:
        expect(ch.recv() == 'ready', 'helper not ready')
        tw0 = tw_count(ch.pid)
        k0 = kernel_held()
        ch.send('go')
        expect(ch.recv() == 'sent', 'helper did not send')
        time.sleep(0.5)
        k1 = kernel_held()
        tw1 = tw_count(ch.pid)
        ch.send('read')
        res = ch.recv()
    finally:
        ch.finish()
    grown = k1 - k0
    s.rep.info(f'{MEM_K} unread summaries of {tw0} entries by uid {NOBODY}: kernel memory (SUnreclaim+'
               f'VmallocUsed) {grown / 1e6:+.2f} MB; held tables would be {held_table / 1e6:.1f} MB; '
               f'entries {tw0} -> {tw1}; read afterwards: {sorted(set(res))[:4]}')
    expect(tw1 >= tw0 * 0.98, f'entries expired during the measurement ({tw0} -> {tw1})')
    expect(all(err == 0 and n > 0 for n, _, err in res), f'the dumps did not all work: {res[:4]}')
    expect(grown < held_table / 4, f'kernel memory grew by {grown / 1e6:.1f} MB while {MEM_K} summaries '
           f'(of {MEM_N} groups each) were left unread')


def tw_count_ns():
    r = run(['ip', 'netns', 'exec', NS_MEM, 'cat', '/proc/net/sockstat'], check=True)
    for line in r.stdout.splitlines():
        if line.startswith('TCP:'):
            p = line.split()
            return int(p[p.index('tw') + 1])
    return 0


CGROOT = '/sys/fs/cgroup'


def cgroup2():
    """The cgroup v2 root with the memory controller for children."""
    if not os.path.exists(os.path.join(CGROOT, 'cgroup.controllers')):
        r = run(['mount', '-t', 'cgroup2', 'none', CGROOT])
        expect(r.returncode == 0, f'mount cgroup2: {r.stderr.strip()}')
    with open(os.path.join(CGROOT, 'cgroup.controllers')) as f:
        expect('memory' in f.read().split(), 'no memory controller')
    with open(os.path.join(CGROOT, 'cgroup.subtree_control'), 'w') as f:
        f.write('+memory')


def cg_read(cg, name):
    with open(os.path.join(cg, name)) as f:
        return int(f.read().split()[0])


def charged_child(ch, cgroup):
    with open(os.path.join(cgroup, 'cgroup.procs'), 'w') as f:
        f.write(str(os.getpid()))
    enter_netns(NS_MEM)
    drop_to()
    tw = Twctl()
    info = Twctl()
    # the same steps once before the measurement: the pages this process
    # touches copy-on-write on first use are charged here, not below
    read_summary(tw, tw.summary_send('rport'))
    info.recv_msgs(info.send(info.family, info.U['TWCTL_CMD_GET_INFO']))
    ch.send('ready')
    ch.recv()
    info.recv_msgs(info.send(info.family, info.U['TWCTL_CMD_GET_INFO']))
    ch.send('sent')             # a request and its answer: nothing to speak of
    ch.recv()
    seq = tw.summary_send('lport')
    ch.send('sent')             # the summary's first part is made in this send
    ch.recv()
    ch.send(read_summary(tw, seq))
    # the parent leaves this cgroup almost no room: the same summary again,
    # reading only its first message (no allocation here meanwhile)
    ch.recv()
    seq = tw.summary_send('lport')
    tw.sock.settimeout(60)
    n = tw.sock.recv_into(tw.buf)
    typ = int.from_bytes(tw.buf[4:6], 'little')
    err = -int.from_bytes(tw.buf[16:20], 'little', signed=True) if typ in (2, 3) and n >= 20 else 0
    ch.send((typ, err))
    ch.recv()                   # room again: read the rest if there is any
    if typ not in (2, 3):
        read_summary(tw, seq)
    ch.send('done')


def memcg_summary_run(s):
    """A summary by uid 65534 in a memory cgroup, measured (memory.peak
    before and after an info request and the summary, where the kernel has
    memory.peak), then the same summary with 64 kB left below memory.max.
    The results are for check_summary_charged() and check_summary_enomem()."""
    cgroup2()
    cg = os.path.join(CGROOT, f'twctl-priv-{os.getpid()}')
    os.mkdir(cg)
    has_peak = os.path.exists(os.path.join(cg, 'memory.peak'))

    def peak():
        return cg_read(cg, 'memory.peak') if has_peak else None
    try:
        # memory.peak of a cgroup v2 came in 5.19; from then on it must be there
        expect(has_peak or kernel_version() < (5, 19), f'no memory.peak in a cgroup on kernel {KVER}')
        ch = Child(charged_child, cg)
        try:
            expect(ch.recv() == 'ready', 'helper not ready')
            p0 = peak()
            ch.send('go')
            expect(ch.recv() == 'sent', 'helper did not send')
            p1 = peak()
            ch.send('go')
            expect(ch.recv() == 'sent', 'helper did not send')
            p2 = peak()
            ch.send('read')
            n, trunc, err = ch.recv()
            # now with 64 kB left below memory.max
            cur = cg_read(cg, 'memory.current')
            with open(os.path.join(cg, 'memory.max'), 'w') as f:
                f.write(str(cur + 65536))
            ch.send('go')
            first = ch.recv()
            with open(os.path.join(cg, 'memory.max'), 'w') as f:
                f.write('max')
            ev = {}
            with open(os.path.join(cg, 'memory.events')) as f:
                for line in f:
                    k, v = line.split()
                    ev[k] = int(v)
            ch.send('go')
            expect(ch.recv() == 'done', 'helper did not finish')
        finally:
            ch.finish()
    finally:
        for _ in range(50):
            try:
                os.rmdir(cg)
                break
            except OSError:
                time.sleep(0.1)
    s.mem_tight = (first, ev, cur)
    s.mem_summary = (n, trunc, err, (p0, p1, p2) if has_peak else None)


MEMCG_NO_PEAK = (f'kernel {KVER} has no memory.peak (cgroup v2, 5.19): the group table lives only within '
                 'one dump call, so memory.current read before and after cannot see it; the charge is '
                 'still checked by the ENOMEM check below')


def check_summary_charged(s):
    """The group table of a summary by uid 65534 in a memory cgroup is
    charged to that cgroup: its memory.peak rises by the table while the
    summary is made (nothing else that process does comes close)."""
    n, trunc, err, peaks = s.mem_summary
    p0, p1, p2 = peaks
    table = old_table_bytes(n)
    s.rep.info(f'memcg peak: +{(p1 - p0) / 1e3:.0f} kB for an info request, +{(p2 - p1) / 1e3:.0f} kB for a '
               f'summary of {n} groups (truncated: {trunc}, errno {err}); a 24e126d table of that many: '
               f'{table / 1e3:.0f} kB')
    expect(err == 0 and n >= MEM_N * 0.9, f'summary: {n} groups, errno {err}')
    # A memcg charges in per-cpu batches of 64 pages (256 KiB on x86), so
    # the info request alone may move the peak by one batch: the summary
    # must move it by at least one batch more than that.
    expect(p2 - p1 >= 64 * 1024 and p2 - p1 >= (p1 - p0) + 256 * 1024,
           f'memory.peak of the caller\'s cgroup rose by {p2 - p1} bytes for the summary ({n} groups), '
           f'{p1 - p0} for an info request: the group table is not charged to the caller')


def check_summary_enomem(s):
    """The same summary with 64 kB left in the caller's cgroup fails with
    ENOMEM (and kills nobody): the table is charged and may fail."""
    expect(s.mem_tight, 'the memcg check did not get that far')
    (typ, err), ev, cur = s.mem_tight
    s.rep.info(f'summary with 64 kB left in its cgroup ({cur} bytes used): first message type {typ}, '
               f'errno {errno_name(err)}; memory.events {ev}')
    expect(typ in (2, 3) and err == errno.ENOMEM,
           f'a summary of {MEM_N} groups with 64 kB left in the caller\'s cgroup got message type {typ}, '
           f'errno {errno_name(err)} (want an error or done message with ENOMEM)')
    expect(ev.get('oom_kill', 0) == 0, f'memcg OOM kills: {ev}')


def mem_setup(s):
    netns_add(NS_MEM)
    sysctl('net.ipv4.tcp_max_tw_buckets', 65536, NS_MEM)
    t0 = time.monotonic()
    made = s.t.tw(s.t.server('127.0.0.1', 7451, netns=NS_MEM), MEM_N, netns=NS_MEM, batch=500)
    s.rep.info(f'{len(made)} entries in {NS_MEM} in {time.monotonic() - t0:.1f}s')
    n = tw_count_ns()
    # a few may already have expired on a slow guest; the checks count what is there
    expect(n >= MEM_N * 0.95, f'{n} entries in {NS_MEM}, made {MEM_N}')
    return made


# --------------------------------------------------------------------------


def suite(rep, saved):
    s = Suite(rep)
    ok, res = rep.setup('load-module', load_module)
    if not ok or not os.access(TWCTL, os.X_OK):
        rep.fail('setup', f'module loaded: {os.path.exists("/sys/module/twctl")}; {TWCTL} executable: '
                          f'{os.access(TWCTL, os.X_OK)}')
        return
    rep.info(res)
    tmpd = tempfile.mkdtemp(prefix='twctl-nobody-')
    os.chmod(tmpd, 0o755)
    s.nobody_bin = os.path.join(tmpd, 'twctl')
    shutil.copy(TWCTL, s.nobody_bin)
    os.chmod(s.nobody_bin, 0o755)

    def setup():
        saved.update(prepare_stack())
        netns_add(NS_B)
    if not rep.setup('netns', setup)[0]:
        return
    rep.check('unprivileged-lists-only-own-netns', check_lists_own_netns, s)
    rep.check('unprivileged-netlink-no-seq-ts-mark', check_seq_hidden_netlink, s)
    rep.check('unprivileged-cli-no-seq-ts-mark', check_seq_hidden_cli, s)
    rep.check('unprivileged-kill-eperm-nothing-killed', check_kill_eperm, s)
    check_events(rep, 'unprivileged-events-subscribe-eperm', check_events_eperm, s)
    rep.check('userns-root-no-seq-ts-mark-in-initial-netns', check_userns_no_seq_in_init, s)
    rep.check('userns-root-kills-only-its-own-netns', check_userns, s)
    rep.check('userns-root-initial-netns-socket-no-seq-ts-mark', check_userns_init_socket, s)
    rep.check('debugfs-root-only-read-only-0400', check_debugfs, s)
    # without the events group there is no `twctl watch` output to scan
    no_events = events_skip_reason()
    if no_events:
        rep.skip('no-kernel-pointer-in-watch-output', no_events)
    rep.check('no-kernel-pointer-in-any-output', check_no_pointers, s, not no_events)
    if rep.setup('summary-entries', mem_setup, s)[0]:
        rep.check('unprivileged-unread-summaries-pin-no-memory', check_unread_summaries_pin_nothing, s)
        if rep.setup('memcg-summary', memcg_summary_run, s)[0]:
            if s.mem_summary[3] is None:
                rep.skip('unprivileged-summary-charged-to-its-memcg', MEMCG_NO_PEAK)
            else:
                rep.check('unprivileged-summary-charged-to-its-memcg', check_summary_charged, s)
            rep.check('unprivileged-summary-over-its-memcg-fails-enomem', check_summary_enomem, s)
    s.t.close()
    shutil.rmtree(tmpd, ignore_errors=True)


def main(rep):
    saved = {}
    try:
        suite(rep, saved)
    finally:
        restore_stack(saved)
        for ns in (NS_B, NS_MEM):
            run(['ip', 'netns', 'del', ns])


if __name__ == '__main__':
    main_guard(main, Reporter('privilege'))

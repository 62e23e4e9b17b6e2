#!/usr/bin/env python3
"""What the CLI prints, against the real module: listings stream, the
conventions of ip and ss (-p, -H, -n, --count, options before or after the
command), and --all-netns names from /run/netns.

Streaming is asserted structurally, not by timing: the reader takes the
first entry and then stops reading; once twctl blocks writing to the full
pipe, its netlink socket must still have the dump running (the Dump column
of /proc/net/netlink, matched by the socket's inode). A tool that printed
only after the dump ended would have no dump running then.
"""
import json
import os
import select
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import twtest as T  # noqa: E402

NS = 'twcli'
NS2 = 'twcli2'
# -j output with every extra is about 470 bytes an entry: 600 entries are
# far more than a pipe (64 KiB) and twctl's stdout buffer (64 KiB) hold
# (which fill after about 280), and about three 32 KiB netlink reads.
MANY = 600


def netlink_socket_dump_running(pid, netns):
    """The Dump column of twctl's generic netlink socket, found by inode."""
    inodes = set()
    for fd in os.listdir(f'/proc/{pid}/fd'):
        try:
            link = os.readlink(f'/proc/{pid}/fd/{fd}')
        except OSError:
            continue
        if link.startswith('socket:['):
            inodes.add(link[len('socket:['):-1])
    table = T.run(['ip', 'netns', 'exec', netns, 'cat', '/proc/net/netlink'], check=True).stdout
    head, *rows = table.splitlines()
    cols = head.split()
    for row in rows:
        f = dict(zip(cols, row.split()))
        if f.get('Inode') in inodes and f.get('Eth') == '16':
            return f.get('Dump') == '1', f
    raise T.Fail(f'no generic netlink socket of pid {pid} in {netns} ({sorted(inodes)})')


def blocked_writing_stdout(pid):
    """Whether the task sleeps in write(1, ...). wchan names pipe_write
    where the kernel can tell; x86 before 5.16 reads 0 there with the ORC
    unwinder (get_wchan() walked frame pointers), so the sleeping state and
    the syscall it is in (write is 1 on x86-64, its fd the first argument)
    answer instead."""
    if open(f'/proc/{pid}/wchan').read() == 'pipe_write':
        return True
    try:
        state = open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()[0]
        call = open(f'/proc/{pid}/syscall').read().split()
    except (OSError, IndexError):
        return False
    return state == 'S' and call[:2] == ['1', '0x1']


def check_streaming(rep):
    def stream():
        p = subprocess.Popen([T.TWCTL, '-N', NS, '-j', 'list'], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        try:
            got = b''
            deadline = time.monotonic() + 60
            while b'}' not in got:
                T.expect(time.monotonic() < deadline, 'no first entry within 60 s')
                r, _, _ = select.select([p.stdout], [], [], 1.0)
                if r:
                    chunk = os.read(p.stdout.fileno(), 512)
                    if not chunk:
                        p.wait(timeout=30)
                        raise T.Fail(f'stdout closed before the first entry: exit {p.returncode}, '
                                     f'stderr {p.stderr.read()!r}')
                    got += chunk
            T.expect(got.startswith(b'[{"family":'), f'first bytes {got[:60]!r}')
            # Now twctl fills the pipe and blocks in write().
            T.expect(T.wait_for(lambda: blocked_writing_stdout(p.pid), timeout=30),
                     f'twctl never blocked writing (wchan {open(f"/proc/{p.pid}/wchan").read()!r}, '
                     f'syscall {open(f"/proc/{p.pid}/syscall").read().strip()!r})')
            running, row = netlink_socket_dump_running(p.pid, NS)
            T.expect(p.poll() is None, 'twctl exited while the pipe was full')
            T.expect(running, f'the dump had ended before the first entry was read: {row}')
            rest, err = p.communicate(timeout=120)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        data = json.loads(got + rest)
        T.expect(p.returncode == 0 and not err, f'exit {p.returncode}, stderr {err!r}')
        T.expect(len(data) >= MANY * 0.9, f'{len(data)} entries, made {MANY}')
    rep.check('cli-first-entry-while-dump-runs', stream)


def check_conventions(rep):
    def same(a, b):
        ra = T.twctl_run(*a, netns=NS, json_out=False)
        rb = T.twctl_run(*b, netns=NS, json_out=False)
        T.expect(ra.rc == 0 and rb.rc == 0, f'{ra.describe()} / {rb.describe()}')
        return ra, rb

    def before_after():
        for a, b in ((['-j', 'list'], ['list', '-j']), (['-s', 'summary'], ['summary', '-s']),
                     (['-j', '-p', 'summary'], ['summary', '--pretty', '--json'])):
            ra, rb = same(a, b)
            if 'list' in a:
                continue    # compared by key below
            if '-j' in a:
                # ages move between two runs: the groups and counts must not
                def groups(out):
                    return [(g.get('remote'), g.get('rport'), g['count']) for g in json.loads(out)]
                T.expect(groups(ra.out) == groups(rb.out), f'{a} and {b} differ')
            else:
                # ages move between two runs: the keys and counts must not
                def keys(out):
                    return [line.split('\t')[:4] for line in out.splitlines()]
                T.expect(keys(ra.out) == keys(rb.out),
                         f'{a}: {ra.out[:200]!r} vs {b}: {rb.out[:200]!r}')
        # list's entries may expire in between: compare the keys both hold
        ra, rb = same(['-j', 'list'], ['list', '-j'])
        ka = {T.entry_key(e) for e in json.loads(ra.out)}
        kb = {T.entry_key(e) for e in json.loads(rb.out)}
        T.expect(len(ka & kb) >= 0.9 * max(len(ka), len(kb)), f'{len(ka)} vs {len(kb)} entries')
    rep.check('cli-options-before-or-after', before_after)

    def count():
        def once():
            r = T.twctl_run('list', '--count', netns=NS, json_out=False)
            T.expect(r.rc == 0 and r.out.strip().isdigit(), r.describe())
            return int(r.out)
        ss, got = T.ss_sandwich(once, netns=NS)
        T.expect(got == len(ss), f'--count {got}, ss {len(ss)}')
    rep.check('cli-count-equals-ss', count)

    def no_header():
        r = T.twctl_run('list', '-H', '-n', netns=NS, json_out=False)
        T.expect(r.rc == 0 and r.out and not r.out.startswith('State'), r.describe())
        T.expect(all(line.split()[0] in ('TIME-WAIT', 'FIN-WAIT-2')
                     for line in r.out.splitlines()), f'{r.out[:300]!r}')
        h = T.twctl_run('list', netns=NS, json_out=False)
        T.expect(h.out.startswith('State ') and abs(len(h.out.splitlines()) - 1 -
                                                 len(r.out.splitlines())) <= 50,
                 f'{len(h.out.splitlines())} lines with, {len(r.out.splitlines())} without')
    rep.check('cli-no-header', no_header)

    def pretty():
        # version's document does not change between two runs
        c = T.twctl_run('version')
        p = T.twctl_run('version', '-p')
        T.expect(c.rc == 0 and p.rc == 0, f'{c.describe()} / {p.describe()}')
        T.expect(p.out.startswith('{\n    "cli": "') and p.data == c.data,
                 f'{p.out[:80]!r} vs {c.out[:80]!r}')
        # a summary's ages do: compare its shape
        c = T.twctl_run('summary', netns=NS)
        p = T.twctl_run('summary', '-p', netns=NS)
        T.expect(c.rc == 0 and p.rc == 0, f'{c.describe()} / {p.describe()}')
        T.expect(p.out.startswith('[\n    {\n        "'), f'{p.out[:80]!r}')
        T.expect([sorted(g) for g in p.data] == [sorted(g) for g in c.data],
                 'pretty and compact summaries have different keys')
    rep.check('cli-pretty-json', pretty)

    def bad():
        for args in (['list', '--count=1'], ['list', '--all-net'], ['summary', '--by', 'ns'],
                     ['list', '-e', 'extra']):
            r = T.twctl_run(*args, json_out=False)
            T.expect(r.rc == 2 and not r.out and r.err.startswith('twctl: '), r.describe())
    rep.check('cli-bad-arguments-exit-2', bad)


def check_all_netns(rep):
    def names():
        data = T.twctl_json('list', '--all-netns')
        by_ns = {}
        for e in data:
            by_ns.setdefault(e.get('netns'), set()).add(T.entry_key(e))
        for ns in (NS, NS2):
            want = T.ss_keys(ns)
            got = by_ns.get(ns, set())
            T.expect(want and len(got & want) >= 0.9 * len(want),
                     f'{ns}: twctl {len(got)}, ss {len(want)}; netns seen {sorted(map(str, by_ns))[:8]}')
        T.expect(all(k is not None for k in by_ns), 'an entry without netns')
        # every name is a /run/netns name or net:[INODE] of an unnamed netns
        named = set(os.listdir('/run/netns'))
        for k in by_ns:
            T.expect(k in named or (k.startswith('net:[') and k.endswith(']') and
                                    k[5:-1].isdigit()), f'netns {k!r}')
    rep.check('cli-all-netns-names-from-run-netns', names)

    def summary():
        data = T.twctl_json('summary', '--all-netns', '--by', 'netns')
        counts = {g['netns']: g['count'] for g in data}
        for ns in (NS, NS2):
            want = len(T.ss_keys(ns))
            T.expect(abs(counts.get(ns, 0) - want) <= max(2, want // 10),
                     f'{ns}: summary {counts.get(ns)}, ss {want}')
    rep.check('cli-summary-by-netns', summary)

    def unprivileged():
        r = T.twctl_run('list', '--all-netns', user='nobody', json_out=False)
        T.expect(r.rc == 1 and not r.out and r.err.startswith('twctl: ') and
                 len(r.err.splitlines()) == 1, r.describe())
    rep.check('cli-all-netns-needs-net-admin', unprivileged)


def main(rep):
    ok, _ = rep.setup('module', T.load_module)
    if not ok:
        return
    for ns in (NS, NS2):
        ok, _ = rep.setup(f'netns-{ns}', T.netns_add, ns)
        if not ok:
            return
    traffic = T.Traffic()
    try:
        def make():
            traffic.tw(traffic.server('127.0.0.1', 7101, NS), MANY, netns=NS)
            traffic.tw(traffic.server('127.0.0.1', 7102, NS2), 30, netns=NS2)
        ok, _ = rep.setup('traffic', make)
        if not ok:
            return
        probe = T.twctl_run('list', '--count', netns=NS, json_out=False, timeout=60)
        rep.info(f'probe: {probe.describe()}')
        check_streaming(rep)
        check_conventions(rep)
        check_all_netns(rep)
    finally:
        traffic.close()
        for ns in (NS, NS2):
            T.run(['ip', 'netns', 'del', ns])


if __name__ == '__main__':
    T.main_guard(main, T.Reporter(''))

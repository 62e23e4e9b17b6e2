#!/usr/bin/env python3
"""`twctl stats`, the TIME_WAIT doctor, against the kernel's own figures.

In a fresh netns: without the module it still reports sysctls and TcpExt
counters and says what to load; with it, the counts equal ss's, the
TcpExt values equal /proc/net/netstat, the sysctls equal /proc/sys, the
rate comes from the entries' ages; advice appears once one destination
holds most of a shrunken ephemeral range (and connect() to it then fails
with EADDRNOTAVAIL when it is full); the Prometheus file passes a strict
exposition-format check (and `promtool check metrics` where installed) and
is replaced atomically.
"""
import errno
import glob
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import twtest as T  # noqa: E402

NS = 'twstats'
SMALL_RANGE = (40000, 40099)    # 100 ports: fillable in a TCG guest


def netstat_tcpext(netns):
    out = T.run(['ip', 'netns', 'exec', netns, 'cat', '/proc/net/netstat'], check=True).stdout
    lines = out.splitlines()
    for names, values in zip(lines[::2], lines[1::2]):
        if names.startswith('TcpExt:') and values.startswith('TcpExt:'):
            return dict(zip(names.split()[1:], (int(v) for v in values.split()[1:])))
    raise T.Fail('no TcpExt lines in /proc/net/netstat')


def stats(*args, netns=NS, **kw):
    return T.twctl_json('stats', *args, netns=netns, **kw)


def ss_by_dest(netns=NS):
    counts = {}
    for k in T.ss_keys(netns):
        counts[(k.raddr, k.rport)] = counts.get((k.raddr, k.rport), 0) + 1
    return counts


# --------------------------------------------------------------------------
# A strict reading of the text exposition format (0.0.4), as the textfile
# collector parses it: HELP then TYPE before a family's samples, families
# contiguous and never repeated, valid names and label syntax, unique
# series, values that parse, counters named *_total, a final newline.

NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(rf'^({NAME})(\{{(?:{LABEL}(?:,{LABEL})*)?\}})? (\S+)$')


def prom_parse(text):
    """{(name, labels): value}; raises Fail on the first violation."""
    T.expect(text.endswith('\n'), 'does not end in a newline')
    series, seen, fam, typ = {}, set(), None, None
    for n, line in enumerate(text.split('\n')[:-1], 1):
        where = f'line {n} {line!r}'
        if line.startswith('# HELP '):
            parts = line.split(' ', 3)
            T.expect(len(parts) == 4 and re.fullmatch(NAME, parts[2]), f'bad HELP at {where}')
            T.expect(parts[2] not in seen, f'family {parts[2]} repeated at {where}')
            fam, typ = parts[2], None
            seen.add(fam)
            continue
        if line.startswith('# TYPE '):
            parts = line.split(' ')
            T.expect(len(parts) == 4 and parts[2] == fam and typ is None,
                     f'TYPE not right after its HELP at {where}')
            T.expect(parts[3] in ('gauge', 'counter'), f'unexpected type at {where}')
            typ = parts[3]
            T.expect(typ != 'counter' or fam.endswith('_total'), f'counter without _total at {where}')
            continue
        T.expect(not line.startswith('#') and line, f'stray line at {where}')
        m = SAMPLE.match(line)
        T.expect(m, f'not a sample at {where}')
        T.expect(typ is not None and m.group(1) == fam, f'sample outside its family at {where}')
        T.expect(fam.startswith('twctl_'), f'name without twctl_ prefix at {where}')
        T.expect(not fam.endswith(('_ms', '_milliseconds')), f'not a base unit at {where}')
        key = (fam, m.group(2) or '')
        T.expect(key not in series, f'duplicate series at {where}')
        try:
            series[key] = float(m.group(3))
        except ValueError:
            raise T.Fail(f'value does not parse at {where}')
    return series


def promtool_check(path):
    """'' when promtool accepts the file or is not installed, else its complaint."""
    tool = shutil.which('promtool')
    if not tool:
        return None
    with open(path) as f:
        r = subprocess.run([tool, 'check', 'metrics'], stdin=f, capture_output=True, text=True)
    return '' if r.returncode == 0 else (r.stdout + r.stderr).strip()


def labels(addr, port):
    fam = 'inet6' if ':' in addr else 'inet'
    return f'{{family="{fam}",raddr="{addr}",rport="{port}"}}'


# --------------------------------------------------------------------------


def check_without_module(rep):
    def body():
        r = T.run(['rmmod', 'twctl'])
        T.expect(r.returncode == 0, f'rmmod twctl: {r.stderr.strip()}')
        try:
            res = T.twctl_run('stats', netns=NS, json_out=False)
            T.expect(res.rc == 0, res.describe())
            T.expect('module not loaded: per-destination figures need it: modprobe twctl' in res.out,
                     f'no hint to load the module in {res.out!r}')
            T.expect('tcp_max_tw_buckets' in res.out, f'no sysctls in {res.out!r}')
            data = stats()
            T.expect(data['module'] is False, f'module {data["module"]!r}')
            T.expect(data['sysctl']['ip_local_port_range_lo'] == T.port_range(NS)[0],
                     f'sysctl part without the module: {data["sysctl"]}')
            T.expect(data['tcpext']['TW'] is not None, 'no TcpExt counters without the module')
            T.expect('destinations' not in data, 'destinations without the module')
        finally:
            T.load_module()
    rep.check('stats-without-module', body)


def check_counts(rep, made_at):
    def body():
        want = ss_by_dest()
        data = stats('--window', '60', '--top', '1000')
        # the netns is quiet: what ss sees is all there is
        T.expect(data['tw_count'] == len(T.ss_keys(NS)),
                 f'tw_count {data["tw_count"]}, ss {len(T.ss_keys(NS))}')
        got = {(d['raddr'], d['rport']): d['count'] for d in data['destinations']}
        T.expect(got == want, f'per destination: twctl {got}, ss {want}')
        lo, hi = T.port_range(NS)
        for d in data['destinations']:
            eph = sum(1 for k in T.ss_keys(NS) if (k.raddr, k.rport) == (d['raddr'], d['rport'])
                      and lo <= k.lport <= hi)
            T.expect(d['ephemeral'] == eph, f'{d}: ephemeral, ss says {eph}')
            T.expect(d['ephemeral_range'] == hi - lo + 1, f'{d}: range {hi - lo + 1}')
            # everything was made less than 60 s ago: all young, rate = n/60
            T.expect(time.monotonic() - made_at < 55, 'traffic took too long for this check')
            T.expect(d['young'] == eph, f'{d}: young, want {eph}')
            T.expect(abs(d['rate_per_s'] - eph / 60) < 0.001, f'{d}: rate, want {eph / 60:.3f}')
            T.expect(abs(d['steady_state_ports'] - eph) < 0.01, f'{d}: steady state, want {eph}')
    rep.check('stats-counts-equal-ss', body)

    def window():
        # a 1 s window long after the traffic: nothing is that young
        time.sleep(max(0, made_at + 2 - time.monotonic()))
        data = stats('--window', '1')
        T.expect(all(d['young'] == 0 for d in data['destinations']),
                 f'entries younger than 1 s: {data["destinations"]}')
    rep.check('stats-rate-window', window)


def check_kernel_figures(rep):
    def body():
        before = netstat_tcpext(NS)
        data = stats()
        after = netstat_tcpext(NS)
        for name in ('TW', 'TWKilled', 'TWRecycled', 'TCPTimeWaitOverflow'):
            T.expect(before.get(name) == after.get(name), f'{name} moved during the check')
            T.expect(data['tcpext'][name] == before.get(name),
                     f'{name}: twctl {data["tcpext"][name]}, /proc/net/netstat {before.get(name)}')
        # TcpExt TW (LINUX_MIB_TIMEWAITED) counts an entry when its timer is
        # armed from 6.1 on (__inet_twsk_schedule), but only when its timer
        # fires, 60 s later, in 5.10 (tw_timer_handler, tw_kill): there the
        # entries just made are not counted yet, and 0 is the right figure.
        if T.kernel_version() >= (6, 1):
            T.expect(data['tcpext']['TW'] > 0, 'TW counter is 0 after making entries')
        for name, key in (('net.ipv4.tcp_max_tw_buckets', 'tcp_max_tw_buckets'),
                          ('net.ipv4.tcp_tw_reuse', 'tcp_tw_reuse'),
                          ('net.ipv4.tcp_timestamps', 'tcp_timestamps'),
                          ('net.ipv4.tcp_fin_timeout', 'tcp_fin_timeout')):
            T.expect(data['sysctl'][key] == int(T.sysctl(name, netns=NS)),
                     f'{key}: twctl {data["sysctl"][key]}, sysctl {T.sysctl(name, netns=NS)}')
        delay = T.run(['ip', 'netns', 'exec', NS, 'sysctl', '-n', 'net.ipv4.tcp_tw_reuse_delay'])
        want = int(delay.stdout) if delay.returncode == 0 else None
        T.expect(data['sysctl']['tcp_tw_reuse_delay_ms'] == want,
                 f'tcp_tw_reuse_delay: twctl {data["sysctl"]["tcp_tw_reuse_delay_ms"]}, kernel {want}')
        lo, hi = T.port_range(NS)
        T.expect((data['sysctl']['ip_local_port_range_lo'], data['sysctl']['ip_local_port_range_hi'])
                 == (lo, hi), f'port range {data["sysctl"]}')
    rep.check('stats-kernel-figures', body)


def check_exhaustion(rep, traffic):
    dest = ('127.0.0.3', 7003)

    def quiet():
        data = stats()
        T.expect(not any('127.0.0.3:7003' in a for a in data['advice']),
                 f'advice before any pressure: {data["advice"]}')
    rep.check('stats-no-advice-without-pressure', quiet)

    def body():
        T.sysctl('net.ipv4.ip_local_port_range', f'{SMALL_RANGE[0]} {SMALL_RANGE[1]}', NS)
        srv = traffic.server(dest[0], dest[1], NS)
        traffic.tw(srv, 90, netns=NS)
        data = stats()
        lines = [a for a in data['advice'] if a.startswith('127.0.0.3:7003: ')]
        T.expect(len(lines) == 1, f'one advice line for 127.0.0.3:7003 wanted: {data["advice"]}')
        T.expect('holds 90 of 100 ephemeral ports' in lines[0], lines[0])
        for word in ('EADDRNOTAVAIL', 'IP_BIND_ADDRESS_NO_PORT', 'IP_LOCAL_PORT_RANGE', 'pooling'):
            T.expect(word in lines[0], f'no {word} in {lines[0]!r}')
        T.expect(any('ip_local_port_range gives only 100 ports' in a for a in data['advice']),
                 f'no narrow-range advice: {data["advice"]}')
        T.expect(any('tcp_tw_reuse is 0' in a for a in data['advice']),
                 f'no tcp_tw_reuse advice: {data["advice"]}')
        text = T.twctl_run('stats', netns=NS, json_out=False)
        T.expect(text.rc == 0 and '127.0.0.3:7003: TIME_WAIT holds 90 of 100' in text.out,
                 text.describe())
        # the advice was right: the last ten ports go, then connect() fails
        traffic.tw(srv, 10, netns=NS)
        with T.in_netns(NS):
            c = socket.socket()
        try:
            c.settimeout(10)
            try:
                c.connect(dest)
                raise T.Fail('connect() succeeded with the range full of TIME_WAIT')
            except OSError as e:
                T.expect(e.errno == errno.EADDRNOTAVAIL, f'connect(): {e}')
        finally:
            c.close()
    rep.check('stats-advice-near-exhaustion', body)


def check_prometheus(rep, traffic):
    tmp = tempfile.mkdtemp(prefix='twctl-prom-')
    path = os.path.join(tmp, 'twctl.prom')

    def body():
        # two more destinations, so that --top 2 has to cut (earlier
        # entries may have expired by now)
        for addr, port, n in (('127.0.0.4', 7004, 5), ('127.0.0.5', 7005, 3)):
            traffic.tw(traffic.server(addr, port, NS), n, netns=NS)
        with open(path, 'w') as f:
            f.write('stale\n')
        old_ino = os.stat(path).st_ino
        r = T.twctl_run('stats', '--prometheus', '-o', path, '--top', '2', netns=NS, json_out=False)
        T.expect(r.rc == 0 and not r.out, r.describe())
        T.expect(os.stat(path).st_ino != old_ino, 'the file was rewritten in place, not replaced')
        T.expect(oct(os.stat(path).st_mode & 0o777) == oct(0o644),
                 f'mode {oct(os.stat(path).st_mode & 0o777)}')
        T.expect(not glob.glob(path + '.tmp.*'), f'temporaries left: {glob.glob(path + ".tmp.*")}')
        with open(path) as f:
            text = f.read()
        series = prom_parse(text)
        complaint = promtool_check(path)
        T.expect(not complaint, f'promtool check metrics: {complaint}')
        want = ss_by_dest()
        top = sorted(want.items(), key=lambda kv: -kv[1])
        dests = [k for k in series if k[0] == 'twctl_destination_entries']
        T.expect(len(dests) == 2, f'--top 2 gave {len(dests)} destination series')
        for (addr, port), n in top[:1]:
            got = series.get(('twctl_destination_entries', labels(addr, port)))
            T.expect(got == n, f'{addr}:{port}: {got}, ss {n}')
        tcpext = netstat_tcpext(NS)
        T.expect(series.get(('twctl_tcpext_tw_total', '')) == tcpext['TW'],
                 f'twctl_tcpext_tw_total {series.get(("twctl_tcpext_tw_total", ""))}, TW {tcpext["TW"]}')
        T.expect(series.get(('twctl_ephemeral_ports', '')) == SMALL_RANGE[1] - SMALL_RANGE[0] + 1,
                 'twctl_ephemeral_ports')
        T.expect(series.get(('twctl_module_loaded', '')) == 1, 'twctl_module_loaded')
        rep.info('promtool: ' + ('checked' if complaint is not None else 'not installed; strict parser only'))
    rep.check('stats-prometheus-format', body)

    def atomic():
        # a reader racing twenty rewrites never sees a partial file
        stop = threading.Event()
        bad, reads = [], [0]

        def reader():
            while not stop.is_set():
                try:
                    with open(path) as f:
                        text = f.read()
                    prom_parse(text)
                    reads[0] += 1
                except T.Fail as e:
                    bad.append(str(e))
                    return
        t = threading.Thread(target=reader)
        t.start()
        try:
            for _ in range(20):
                r = T.twctl_run('stats', '--prometheus', '-o', path, netns=NS, json_out=False)
                T.expect(r.rc == 0, r.describe())
        finally:
            stop.set()
            t.join()
        T.expect(not bad, f'a reader saw a broken file: {bad[:1]}')
        T.expect(reads[0] > 0, 'the reader read nothing')
        T.expect(not glob.glob(path + '.tmp.*'), 'temporaries left')
    rep.check('stats-prometheus-atomic', atomic)

    def unwritable():
        r = T.twctl_run('stats', '--prometheus', '-o', os.path.join(tmp, 'no', 'x.prom'),
                        netns=NS, json_out=False)
        T.expect(r.rc == 1 and r.err.startswith('twctl: cannot create') and not r.out, r.describe())
    rep.check('stats-prometheus-unwritable', unwritable)
    shutil.rmtree(tmp, ignore_errors=True)


def main(rep):
    ok, _ = rep.setup('module', T.load_module)
    if not ok:
        return
    ok, _ = rep.setup('netns', T.netns_add, NS)
    if not ok:
        return
    traffic = T.Traffic()
    try:
        check_without_module(rep)

        def make():
            for addr, port, n in (('127.0.0.1', 7001, 40), ('127.0.0.2', 7002, 15)):
                traffic.tw(traffic.server(addr, port, NS), n, netns=NS)
        t0 = time.monotonic()
        ok, _ = rep.setup('traffic', make)
        if not ok:
            return
        check_counts(rep, t0)
        check_kernel_figures(rep)
        check_exhaustion(rep, traffic)
        check_prometheus(rep, traffic)
    finally:
        traffic.close()
        T.run(['ip', 'netns', 'del', NS])


if __name__ == '__main__':
    T.main_guard(main, T.Reporter(''))

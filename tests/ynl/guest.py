#!/usr/bin/env python3
"""In a test guest: drive twctl.ko with the kernel's own YNL client
(tools/net/ynl/pyynl/cli.py of a newer kernel's source, TWCTL_YNL_DIR),
given only Documentation/netlink/specs/twctl.yaml (validated against the
kernel's schema on every run). The dump of get-entries equals ss's
timewait entries (tuples, states, cookies); get-info reports the module's
version; get-summary by destination counts what ss counts; a kill with a
cookie filter kills exactly that entry (ss confirms) and is announced on the
events group to a YNL subscriber.
"""
import ipaddress
import json
import os
import subprocess
import sys
from collections import Counter

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'guest'))
from twtest import (REPO, Fail, Key, Reporter, Traffic, expect, expect_same,  # noqa: E402
                    load_module, main_guard, prepare_stack, restore_stack, ss_keys, ss_sandwich,
                    wait_settled)

SPEC = os.path.join(REPO, 'Documentation', 'netlink', 'specs', 'twctl.yaml')
FAMILIES = {2: 'inet', 10: 'inet6'}
STATES = {'time-wait': 'TIME_WAIT', 'fin-wait2': 'FIN_WAIT2'}


def ynl_dir():
    d = os.environ.get('TWCTL_YNL_DIR', '')
    expect(os.path.isfile(os.path.join(d, 'tools', 'net', 'ynl', 'pyynl', 'cli.py')),
           f'TWCTL_YNL_DIR={d!r} holds no tools/net/ynl/pyynl/cli.py (scripts/ynl-client makes it)')
    return d


def ynl_cmd(*args):
    d = ynl_dir()
    return [sys.executable, os.path.join(d, 'tools', 'net', 'ynl', 'pyynl', 'cli.py'),
            '--spec', SPEC,
            '--schema', os.path.join(d, 'Documentation', 'netlink', 'genetlink-legacy.yaml'),
            '--output-json'] + list(args)


def ynl(*args, timeout=120):
    """cli.py ARGS; its JSON output."""
    cmd = ynl_cmd(*args)
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        raise Fail(f'ynl {" ".join(args)}: exit {r.returncode}: {" ".join(r.stderr.split())[-500:]}')
    try:
        return json.loads(r.stdout)
    except ValueError as e:
        raise Fail(f'ynl {" ".join(args)}: output is not JSON ({e}): {r.stdout[:300]!r}')


def addr(family, hexbytes):
    raw = bytes.fromhex(hexbytes)
    expect(len(raw) == 16, f'address of {len(raw)} bytes, want 16')
    if family == 'inet':
        expect(raw[4:] == bytes(12), f'AF_INET address with bytes after the first 4: {hexbytes}')
        return str(ipaddress.IPv4Address(raw[:4]))
    return str(ipaddress.IPv6Address(raw))


def entry_key(msg):
    """A get-entries message as a Key (twtest's, as ss_keys gives them)."""
    expect('entry-info' in msg, f'a get-entries message without entry-info: {json.dumps(msg)[:300]}')
    e = msg['entry-info']
    fam = FAMILIES.get(e['family'])
    expect(fam is not None, f'family {e["family"]} is neither AF_INET nor AF_INET6')
    expect(e['state'] in STATES, f'state {e["state"]!r} is not one of the spec\'s')
    return Key(fam, addr(fam, e['laddr']), e['lport'], addr(fam, e['raddr']), e['rport'],
               STATES[e['state']], e['cookie'])


def dump_entries():
    data = ynl('--dump', 'get-entries')
    expect(isinstance(data, list), f'the dump printed {type(data).__name__}, not a list')
    keys = [entry_key(m) for m in data]
    dups = [k for k, n in Counter(keys).items() if n > 1]
    expect(not dups, f'the dump has {len(dups)} entries twice: {dups[:2]}')
    return set(keys)


def make(t, port4, port6, n4, n6):
    made = {}
    for x in t.tw(t.server('127.0.0.1', port4), n4):
        made[x] = 'TIME_WAIT'
    for x in t.tw(t.server('::1', port6), n6):
        made[x] = 'TIME_WAIT'
    wait_settled(made)
    return made


def check_info():
    info = ynl('--do', 'get-info')
    with open('/sys/module/twctl/version') as f:
        want = f.read().strip()
    expect(info.get('version') == want, f'get-info version {info.get("version")!r}, module {want!r}')
    for k in ('tw-count', 'port-range-lo', 'port-range-hi', 'tw-reuse'):
        expect(k in info, f'get-info lacks {k}: {info}')


def check_dump(made):
    ss_set, dumped = ss_sandwich(dump_entries)
    mine = {k for k in ss_set if (k.family, k.laddr, k.lport, k.raddr, k.rport) in made}
    expect(len(mine) == len(made), f'ss shows {len(mine)} of the {len(made)} entries made')
    expect_same(dumped, ss_set, 'ynl --dump get-entries', 'ss')


def check_summary():
    def take():
        return ynl('--dump', 'get-summary', '--json', json.dumps({'group-by': 'dest'}))
    ss_set, groups = ss_sandwich(take)
    want = Counter((k.raddr, k.rport) for k in ss_set)
    got = Counter()
    for msg in groups:
        g = msg.get('group', {})
        fam = FAMILIES.get(g.get('family'))
        expect(fam and 'raddr' in g and 'rport' in g and 'count' in g, f'a dest group lacks its key: {msg}')
        raw = bytes.fromhex(g['raddr'])
        a = str(ipaddress.ip_address(raw))
        got[(a, g['rport'])] += g['count']
    expect(got == want, f'get-summary by dest {dict(got)}, ss {dict(want)}')


def subscriber():
    """A YnlFamily (the client's library, as cli.py uses it) subscribed to
    the events group: joined before the kill, so no event can be missed."""
    d = ynl_dir()
    sys.path.insert(0, os.path.join(d, 'tools', 'net', 'ynl', 'pyynl'))
    from lib import YnlFamily  # pylint: disable=import-outside-toplevel
    fam = YnlFamily(SPEC, schema=os.path.join(d, 'Documentation', 'netlink', 'genetlink-legacy.yaml'))
    fam.ntf_subscribe('events')
    return fam


def check_kill(t):
    made = make(t, 7403, 7404, 4, 3)
    events = subscriber()
    before = ss_keys()
    mine = sorted(k for k in before if (k.family, k.laddr, k.lport, k.raddr, k.rport) in made)
    expect(len(mine) == len(made), f'ss shows {len(mine)} of the {len(made)} entries made')
    victim = mine[2]
    reply = ynl('--do', 'kill', '--json', json.dumps({'filter': {'cookie': victim.cookie}}))
    expect(reply.get('matched') == 1 and reply.get('killed') == 1,
           f'kill by cookie {victim.cookie:#x} replied {reply}, want matched 1, killed 1')
    after = ss_keys()
    expect(victim not in after, f'ss still shows the killed entry {victim}')
    gone = [k for k in mine if k != victim and k not in after]
    expect(not gone, f'the kill by cookie also removed {gone[:3]}')
    kills = [m for m in events.poll_ntf(duration=10) if m.get('name') == 'kill-event']
    expect(len(kills) == 1, f'the events group delivered {len(kills)} kill events, want 1')
    msg = kills[0]['msg']
    expect(msg.get('matched') == 1 and msg.get('killed') == 1 and
           msg.get('filter', {}).get('cookie') == victim.cookie,
           f'the kill event says {msg}, want matched 1, killed 1, filter cookie {victim.cookie}')


def main(rep):
    ok, _ = rep.setup('load-module', load_module)
    if not ok:
        return
    saved = prepare_stack()
    t = Traffic()
    try:
        rep.check('ynl-get-info', check_info)
        ok, made = rep.setup('traffic', make, t, 7401, 7402, 12, 8)
        if ok:
            rep.check('ynl-dump-equals-ss', check_dump, made)
            rep.check('ynl-summary-equals-ss', check_summary)
        rep.check('ynl-kill-by-cookie', check_kill, t)
    finally:
        t.close()
        restore_stack(saved)


if __name__ == '__main__':
    main_guard(main, Reporter(''))

#!/usr/bin/env python3
"""In a test guest with twctl.ko loaded: make TIME_WAIT entries (IPv4 and
IPv6 over loopback) and check that `twctl list` (the binary named by
TWCTL_CLI, e.g. the packaged /usr/sbin/twctl) reports exactly the timewait
entries ss reports, tuples and cookies. One PASS/FAIL line, named by argv[1].
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'guest'))
from twtest import (Reporter, Traffic, expect, expect_same, main_guard,  # noqa: E402
                    prepare_stack, restore_stack, ss_sandwich, twctl_list, wait_settled)

N4, N6 = 12, 8


def check(t):
    made = {}
    for x in t.tw(t.server('127.0.0.1', 7301), N4):
        made[x] = 'TIME_WAIT'
    for x in t.tw(t.server('::1', 7302), N6):
        made[x] = 'TIME_WAIT'
    wait_settled(made)
    ss_set, listed = ss_sandwich(lambda: set(twctl_list()))
    expect(len(ss_set) >= N4 + N6, f'ss shows {len(ss_set)} entries, {N4 + N6} were made')
    expect_same(listed, ss_set, 'twctl list', 'ss')


def main(rep):
    name = sys.argv[1] if len(sys.argv) > 1 else 'list-matches-ss'
    saved = prepare_stack()
    t = Traffic()
    try:
        rep.check(name, check, t)
    finally:
        t.close()
        restore_stack(saved)


if __name__ == '__main__':
    if not os.environ.get('TWCTL_CLI'):
        print('FAIL: list-matches-ss (TWCTL_CLI must name the twctl binary to test)')
        sys.exit(1)
    main_guard(main, Reporter(''))

// SPDX-License-Identifier: GPL-2.0
/*
 * Try-compile probe (compat/probes.mk) that must always compile: if it does
 * not, the probe command itself is broken for this kernel, and every other
 * probe's "no" would be a lie.
 */
#include <net/inet_timewait_sock.h>

u8 twctl_probe(const struct inet_timewait_sock *tw);
u8 twctl_probe(const struct inet_timewait_sock *tw)
{
	return READ_ONCE(tw->tw_substate);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Try-compile probe (compat/probes.mk): does the kernel stamp each timewait
 * entry with its entry time in ms (tw_entry_stamp, 6.14) on the clock that
 * tcp_twsk_unique() compares it with (tcp_clock_ms())?
 */
#include <net/inet_timewait_sock.h>
#include <net/tcp.h>

u32 twctl_probe(const struct inet_timewait_sock *tw);
u32 twctl_probe(const struct inet_timewait_sock *tw)
{
	return (u32)tcp_clock_ms() - READ_ONCE(tw->tw_entry_stamp);
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where kernel differences live. Every .c file gets this
 * header through -include; none of them tests a kernel version itself. The
 * TWCTL_HAVE_* flags come from the header probes in compat/probes.mk.
 */
#ifndef _TWCTL_COMPAT_H
#define _TWCTL_COMPAT_H

#include <linux/kconfig.h>

/*
 * The death row counts a netns's timewait entries: before 5.16 in tw_count
 * (atomic_t: the entries, each until it is unhashed), since in tw_refcount
 * (refcount_t: one plus the entries, each until it is freed, which may lag
 * its unhashing while a reader holds a reference). twctl_death_row_full()
 * is inet_twsk_alloc()'s own refusal test as each kernel writes it;
 * twctl_tw_count() the entries of @net, without walking them.
 */
#ifdef TWCTL_HAVE_TW_REFCOUNT
#define twctl_death_row_full(dr) ({					\
	const struct inet_timewait_death_row *__dr = (dr);		\
	refcount_read(&__dr->tw_refcount) - 1 >=			\
		READ_ONCE(__dr->sysctl_max_tw_buckets);			\
})
#define twctl_tw_count(net) \
	((u32)(refcount_read(&(net)->ipv4.tcp_death_row.tw_refcount) - 1))
#else
#define twctl_death_row_full(dr) ({					\
	const struct inet_timewait_death_row *__dr = (dr);		\
	atomic_read(&__dr->tw_count) >=					\
		READ_ONCE(__dr->sysctl_max_tw_buckets);			\
})
#define twctl_tw_count(net) \
	((u32)atomic_read(&(net)->ipv4.tcp_death_row.tw_count))
#endif

/*
 * net->net_cookie is a u64 set when the netns is made since 5.12; before,
 * an atomic64_t that __net_gen_cookie() (not exported) fills on first use,
 * so it reads 0 for a netns nobody asked about. twctl orders the netns that
 * have a TCP table of their own by it; 5.10 has none (every netns uses the
 * host-wide table: tcp_child_ehash_entries came in 6.1), so there it is
 * never relied on.
 */
#ifdef TWCTL_HAVE_NET_COOKIE_U64
#define twctl_net_cookie(net) ((net)->net_cookie)
#else
#define twctl_net_cookie(net) ((u64)atomic64_read(&(net)->net_cookie))
#endif

/* 6.2 moved the parsed attributes of a dump into a struct genl_info. */
#ifdef TWCTL_HAVE_GENL_INFO_DUMP
#define twctl_dump_attrs(cb) (genl_info_dump(cb)->attrs)
#else
#define twctl_dump_attrs(cb) (genl_dumpit_info(cb)->attrs)
#endif

/*
 * 6.6 packed ip_local_port_range into one u32 read locklessly and stopped
 * exporting inet_get_local_port_range().
 */
#ifdef TWCTL_HAVE_PACKED_PORT_RANGE
#define twctl_local_port_range(net, lo, hi) do {			\
	u32 __range = READ_ONCE((net)->ipv4.ip_local_ports.range);	\
	*(lo) = __range & 0xffff;					\
	*(hi) = __range >> 16;						\
} while (0)
#else
#define twctl_local_port_range(net, lo, hi) \
	inet_get_local_port_range(net, lo, hi)
#endif

/* 6.14 added tcp_tw_reuse_delay (ms); before it the delay is one second. */
#ifdef TWCTL_HAVE_TW_REUSE_DELAY
#define twctl_tw_reuse_delay_ms(net) \
	((u32)READ_ONCE((net)->ipv4.sysctl_tcp_tw_reuse_delay))
#else
#define twctl_tw_reuse_delay_ms(net) 1000U
#endif

/*
 * 6.14 stamps every timewait entry with the time it entered TIME_WAIT
 * (tw_entry_stamp, tcp_clock_ms() units, refreshed when a FIN turns a
 * FIN_WAIT2 entry into TIME_WAIT), and tcp_twsk_unique() judges reuse by the
 * time since that stamp. twctl_tw_entry_stamp() stores the stamp and is
 * true there; before 6.14 it is false, and twctl_clock_ms() is never used.
 */
#ifdef TWCTL_HAVE_TW_ENTRY_STAMP
#define twctl_tw_entry_stamp(tw, stamp) \
	({ *(stamp) = READ_ONCE((tw)->tw_entry_stamp); true; })
#define twctl_clock_ms() ((u32)tcp_clock_ms())
#else
#define twctl_tw_entry_stamp(tw, stamp) ({ *(stamp) = 0; false; })
#define twctl_clock_ms() 0U
#endif

/*
 * GENL_MCAST_CAP_NET_ADMIN (6.7, backported to 6.1 stable late) makes
 * generic netlink refuse a subscription to a group from a task without
 * CAP_NET_ADMIN over the netns. 6.1 kernels from before the backport offer
 * no way to refuse it: generic netlink has no per-family bind hook there
 * (the genl_bind() that checks the flag came with it) and no filtered
 * broadcast (netlink_broadcast_filtered() was removed in 5.x and came back
 * in 6.9). On them the module offers no events group at all rather than one
 * that any user could read: kills are still logged (dmesg).
 */
#ifdef TWCTL_HAVE_GENL_MCAST_CAP
#define TWCTL_MCGRP_ADMIN_FLAGS GENL_MCAST_CAP_NET_ADMIN
#define twctl_events_possible true
#else
#define TWCTL_MCGRP_ADMIN_FLAGS 0
#define twctl_events_possible false
#endif

/*
 * Internals are exported to twctl_kunit.ko only on kernels built with KUnit,
 * in a namespace of their own; production builds export nothing.
 */
#ifdef TWCTL_HAVE_NS_UNQUOTED
#define TWCTL_TESTS_NS TWCTL_INTERNAL
#else
/* 6.13: a namespace is a string literal, no longer stringified for us. */
#define TWCTL_TESTS_NS "TWCTL_INTERNAL"
#endif
#if IS_ENABLED(CONFIG_KUNIT)
#define EXPORT_SYMBOL_FOR_TWCTL_TESTS(sym) \
	EXPORT_SYMBOL_NS_GPL(sym, TWCTL_TESTS_NS)
#else
#define EXPORT_SYMBOL_FOR_TWCTL_TESTS(sym)
#endif

#endif /* _TWCTL_COMPAT_H */

/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * twctl: inspect, judge and selectively kill TCP TIME_WAIT entries.
 *
 * This header is the single source of truth shared by the kernel module
 * (module/) and the command-line tool (tools/). Nothing else defines the
 * wire format; if it is not written here, it is not part of the interface.
 *
 * Transport
 * ---------
 * Generic netlink family TWCTL_GENL_NAME, version TWCTL_GENL_VERSION. The
 * family is per network namespace: every request acts on the caller's own
 * netns and sees nothing of other namespaces. All integers are host byte
 * order; addresses are raw network-order bytes (4 for AF_INET, 16 for
 * AF_INET6). Policies are strict: unknown attributes, wrong lengths and
 * out-of-range values are rejected with an extended ACK message saying which
 * attribute is wrong and why.
 *
 * Commands
 * --------
 * TWCTL_CMD_GET_INFO (do, any user)
 *	Request: nothing.
 *	Reply: TWCTL_A_VERSION, TWCTL_A_TW_COUNT, TWCTL_A_PORT_RANGE_LO,
 *	TWCTL_A_PORT_RANGE_HI, TWCTL_A_TW_REUSE, TWCTL_A_TW_REUSE_DELAY_MS,
 *	TWCTL_A_CAPTURE_ACTIVE.
 *
 * TWCTL_CMD_GET_ENTRIES (dump, any user)
 *	Request: optional TWCTL_A_FILTER, optional TWCTL_A_LIMIT (stop after
 *	that many matching entries, in the same order a KILL would visit them),
 *	optional TWCTL_A_ENTRY_EXT (extras wanted, see below), optional
 *	TWCTL_A_ALL_NETNS (see "Every namespace").
 *	Reply: one message per entry. Its first attribute is always
 *	TWCTL_A_ENTRY_INFO, a struct twctl_entry_info (below), which is all a
 *	listing needs: the whole message is 88 bytes (nlmsghdr 16, genlmsghdr
 *	4, attribute header 4, struct 64), as small as ss's inet_diag message.
 *	After it, in this order, come only the extras the request asked for in
 *	TWCTL_A_ENTRY_EXT, modelled on inet_diag's idiag_ext:
 *	  TWCTL_ENTRY_EXT_JUDGEMENT -> TWCTL_A_ENTRY_JUDGEMENT,
 *		struct twctl_entry_judgement (RTO, SRTT, recycle threshold,
 *		reasons of both verdicts);
 *	  TWCTL_ENTRY_EXT_SECRETS -> TWCTL_A_ENTRY_SECRETS,
 *		struct twctl_entry_secrets (sequence numbers, the peer's last
 *		timestamp and its age, mark). Sent only to callers with
 *		CAP_NET_ADMIN over the entry's netns's user namespace; for
 *		everyone else the bit is accepted and the attribute silently
 *		left out (as inet_diag leaves out the mark), so a tool may
 *		always ask. Everyone gets what inet_diag gives everyone
 *		(tuple, state, time left, cookie) plus the module's judgement.
 *	Unknown TWCTL_A_ENTRY_EXT bits are rejected. The dump resumes each
 *	message after the last entry it sent; if that entry vanished in
 *	between, the position is approximate and the dump is flagged
 *	NLM_F_DUMP_INTR (on a later message): retry it. Several entries
 *	share one netlink read: each dump buffer is filled with as many
 *	messages as fit.
 *
 * TWCTL_CMD_GET_SUMMARY (dump, any user)
 *	Request: TWCTL_A_GROUP_BY (required), optional TWCTL_A_FILTER,
 *	optional TWCTL_A_LIMIT (keep only the N largest groups), optional
 *	TWCTL_A_ALL_NETNS (see "Every namespace"; the ephemeral counts of
 *	DEST groups then use the caller's netns's port range).
 *	Reply: one message per group, each holding one TWCTL_A_GROUP nest,
 *	largest count first, equal counts in key order. Aggregation happens
 *	in the kernel, in a table charged to the caller's memory cgroup and
 *	limited to TWCTL_SUMMARY_GROUPS_MAX groups: entries of further groups
 *	are not counted, and then every message carries TWCTL_A_TRUNCATED.
 *	A summary that does not fit the caller's cgroup fails with ENOMEM.
 *	The kernel keeps no table between two reads of the dump: each read
 *	aggregates again and sends the groups that follow the last one sent;
 *	if counts changed in between so that a group moved across the last
 *	one sent, groups may repeat or be missing and the dump is flagged
 *	NLM_F_DUMP_INTR (on a later message).
 *
 * TWCTL_CMD_KILL (do, CAP_NET_ADMIN over the netns's user namespace)
 *	Request: optional TWCTL_A_FILTER (an empty or absent filter selects
 *	every entry: the tool refuses that unless asked explicitly),
 *	optional TWCTL_A_DRY_RUN, optional TWCTL_A_LIMIT (kill at most N).
 *	Reply: TWCTL_A_MATCHED, TWCTL_A_KILLED, TWCTL_A_DRY_RUN if set.
 *	With a limit, the walk stops at the limit, so MATCHED counts the
 *	entries selected before it stopped (at most the limit), not every
 *	entry the filter would select. KILLED is an upper bound on the
 *	entries this request removed: an entry whose timer had already fired
 *	is matched but not counted, yet one whose timer fires during the few
 *	instructions of its own kill is counted (the kernel does not tell the
 *	module which of the two ended it). Each real (not dry-run) kill is
 *	announced on the events group.
 *
 * TWCTL_CMD_KILL_EVENT (multicast on TWCTL_MCGRP_EVENTS, CAP_NET_ADMIN)
 *	TWCTL_A_EVENT_PID, TWCTL_A_EVENT_UID, TWCTL_A_EVENT_COMM,
 *	TWCTL_A_EVENT_NETNS, TWCTL_A_MATCHED, TWCTL_A_KILLED, TWCTL_A_LIMIT
 *	(if one was given) and the TWCTL_A_FILTER nest that was applied,
 *	encoded by the module (each criterion once; defaults left out), not
 *	the request's bytes. Subscribers are in the netns of the kill, so the
 *	ids are given as that netns sees them: the uid in the netns's user
 *	namespace (65534 if unmapped there), the pid in the innermost of the
 *	killer's pid namespaces that belongs to the netns's user namespace or
 *	an ancestor of it (a container's own pid namespace for a kill from
 *	inside it; the initial one for the initial netns and for a host admin
 *	acting on a container's netns). Subscribing needs CAP_NET_ADMIN over
 *	the netns's user namespace; on kernels without
 *	GENL_MCAST_CAP_NET_ADMIN (6.1 before its stable backport) the group
 *	does not exist, as nothing could restrict it. An event that could not
 *	be sent is counted as events_dropped in debugfs "stats".
 *
 * Every namespace
 * ---------------
 * TWCTL_A_ALL_NETNS (flag) in a GET_ENTRIES or GET_SUMMARY request widens
 * it from the caller's netns to every netns of the host, in one walk of
 * each distinct established-hash table (the shared one, plus each table of
 * a netns created with net.ipv4.tcp_child_ehash_entries). It needs
 * CAP_NET_ADMIN in the initial user namespace; anyone else gets EPERM with
 * an extended ACK message. The netns of each entry is the netns_ino field
 * of struct twctl_entry_info (the inode number of /proc/PID/ns/net, as
 * "ls -iL" or "stat -L" shows it; present in every entry, all-netns or
 * not), and a summary can group by it (TWCTL_GROUP_BY_NETNS). Secrets go
 * to these callers for every entry (they hold CAP_NET_ADMIN over all).
 * Entries come table by table, a table's entries in bucket order. A table
 * whose netns went away between two reads of the dump is skipped from
 * then on; the dump is then flagged NLM_F_DUMP_INTR as for a lost anchor.
 *
 * struct twctl_entry_info, and the extras' structs
 * -------------------------------------------------
 * Attribute payloads are plain C structs of explicit-width fields with no
 * implicit padding (every field at an offset that is a multiple of its
 * size, every struct a multiple of 8 bytes; "reserved" fields are sent as
 * zero and must be ignored). Integers are host byte order, ports included
 * (unlike inet_diag's network-order ports); addresses are raw network-order
 * bytes, 16 of them: an AF_INET address fills the first 4 and the other 12
 * are zero (as inet_diag's idiag_src), an AF_INET6 address (IPv4-mapped
 * ones included) fills all 16. A netlink attribute payload is only 4-byte
 * aligned: copy a struct out (memcpy) before reading its __u64 fields. A
 * later version may append fields at the end of a struct (its attribute
 * length grows, still a multiple of 8): read min(attribute length,
 * sizeof) bytes and zero the rest; a payload shorter than the struct of
 * this header's first version (64, 16 and 24 bytes) is malformed.
 * Each field's name is the old per-entry attribute's name (TWCTL_ENTRY_A_*,
 * which the module no longer sends) in lower case, with the same meaning.
 *
 * Filters
 * -------
 * Every attribute of a TWCTL_A_FILTER nest narrows the selection; all of
 * them must match (logical AND). Port ranges are inclusive. An IPv4
 * address filter also matches IPv4-mapped IPv6 entries (::ffff:a.b.c.d),
 * as inet_diag does. A family that contradicts an address filter (AF_INET6
 * with a 4-byte address, AF_INET with a 16-byte one) is rejected; to select
 * IPv4-mapped entries only, give the mapped IPv6 prefix ::ffff:a.b.c.d/N+96.
 * Time filters compare against the values reported in the entry
 * fields of the same names.
 */

#ifndef _UAPI_LINUX_TWCTL_H
#define _UAPI_LINUX_TWCTL_H

#include <linux/types.h>

#define TWCTL_GENL_NAME		"twctl"
#define TWCTL_GENL_VERSION	1
#define TWCTL_MCGRP_EVENTS	"events"

/* Largest TWCTL_A_LIMIT accepted; also the default --top of a summary. */
#define TWCTL_LIMIT_MAX		0x7fffffff

/*
 * Most groups one summary aggregates (see TWCTL_CMD_GET_SUMMARY). 65536 is
 * every possible port, so LPORT and RPORT summaries are never truncated,
 * and a table of that many groups (at most 2 x 65536 slots of 44 bytes,
 * under 6 MiB, charged to the caller) is still small; RADDR and DEST
 * summaries beyond it are truncated and say so. Nobody reads more groups.
 */
#define TWCTL_SUMMARY_GROUPS_MAX	65536

enum twctl_cmd {
	TWCTL_CMD_UNSPEC,
	TWCTL_CMD_GET_INFO,
	TWCTL_CMD_GET_ENTRIES,
	TWCTL_CMD_GET_SUMMARY,
	TWCTL_CMD_KILL,
	TWCTL_CMD_KILL_EVENT,

	__TWCTL_CMD_MAX
};

#define TWCTL_CMD_MAX (__TWCTL_CMD_MAX - 1)

/* Top-level attributes. */
enum twctl_attr {
	TWCTL_A_UNSPEC,
	TWCTL_A_PAD,
	TWCTL_A_VERSION,		/* string: module version */
	TWCTL_A_TW_COUNT,		/* u32: entries in this netns (both substates) */
	TWCTL_A_PORT_RANGE_LO,		/* u16: net.ipv4.ip_local_port_range low */
	TWCTL_A_PORT_RANGE_HI,		/* u16: ... and high, inclusive */
	TWCTL_A_TW_REUSE,		/* u8: net.ipv4.tcp_tw_reuse (0, 1, 2) */
	TWCTL_A_TW_REUSE_DELAY_MS,	/* u32: tcp_tw_reuse_delay, or 1000 */
	TWCTL_A_CAPTURE_ACTIVE,		/* u8: 1 when RTO/age capture is live */
	TWCTL_A_FILTER,			/* nest: enum twctl_filter_attr */
	TWCTL_A_LIMIT,			/* u32: 1..TWCTL_LIMIT_MAX */
	TWCTL_A_ENTRY,			/* nest: enum twctl_entry_attr */
	TWCTL_A_GROUP_BY,		/* u8: enum twctl_group_by */
	TWCTL_A_GROUP,			/* nest: enum twctl_group_attr */
	TWCTL_A_DRY_RUN,		/* flag */
	TWCTL_A_MATCHED,		/* u32 */
	TWCTL_A_KILLED,			/* u32 */
	TWCTL_A_EVENT_PID,		/* u32: tgid of the killer (see above) */
	TWCTL_A_EVENT_UID,		/* u32: its uid, in the netns's user ns */
	TWCTL_A_EVENT_COMM,		/* string: its comm */
	TWCTL_A_EVENT_NETNS,		/* u32: inode number of the netns */
	TWCTL_A_TRUNCATED,		/* flag: in each GET_SUMMARY message
					 * when groups beyond
					 * TWCTL_SUMMARY_GROUPS_MAX were left out
					 */
	TWCTL_A_ENTRY_INFO,		/* struct twctl_entry_info */
	TWCTL_A_ENTRY_EXT,		/* u32: mask of TWCTL_ENTRY_EXT_* */
	TWCTL_A_ENTRY_JUDGEMENT,	/* struct twctl_entry_judgement */
	TWCTL_A_ENTRY_SECRETS,		/* struct twctl_entry_secrets */
	TWCTL_A_ALL_NETNS,		/* flag: every netns (CAP_NET_ADMIN in
					 * the initial user namespace)
					 */

	__TWCTL_A_MAX
};

#define TWCTL_A_MAX (__TWCTL_A_MAX - 1)

/* Attributes of a TWCTL_A_FILTER nest. */
enum twctl_filter_attr {
	TWCTL_FILTER_A_UNSPEC,
	TWCTL_FILTER_A_PAD,
	TWCTL_FILTER_A_FAMILY,		/* u8: AF_INET or AF_INET6 */
	TWCTL_FILTER_A_LPORT_MIN,	/* u16 */
	TWCTL_FILTER_A_LPORT_MAX,	/* u16; MIN alone means exactly MIN */
	TWCTL_FILTER_A_RPORT_MIN,	/* u16 */
	TWCTL_FILTER_A_RPORT_MAX,	/* u16 */
	TWCTL_FILTER_A_LADDR,		/* binary, 4 or 16 bytes */
	TWCTL_FILTER_A_LADDR_PREFIX,	/* u8: bits, default full length */
	TWCTL_FILTER_A_RADDR,		/* binary, 4 or 16 bytes */
	TWCTL_FILTER_A_RADDR_PREFIX,	/* u8 */
	TWCTL_FILTER_A_STATES,		/* u32: mask of 1 << TWCTL_STATE_* */
	TWCTL_FILTER_A_REMAINING_MAX_MS, /* u32: time left <= this */
	TWCTL_FILTER_A_REMAINING_MIN_MS, /* u32: time left >= this */
	TWCTL_FILTER_A_COOKIE,		/* u64: exactly this socket cookie */
	TWCTL_FILTER_A_RECYCLE_ELIGIBLE, /* flag: recycle-eligible only */
	TWCTL_FILTER_A_REUSE_ELIGIBLE,	/* flag: reuse-eligible only */
	TWCTL_FILTER_A_AGE_MIN_MS,	/* u32: age >= this */

	__TWCTL_FILTER_A_MAX
};

#define TWCTL_FILTER_A_MAX (__TWCTL_FILTER_A_MAX - 1)

/*
 * Substates of a timewait entry, numbered as the kernel's TCP states (and
 * as inet_diag and ss number them). TWCTL_STATE_FIN_WAIT2 is an orphaned
 * FIN_WAIT2 socket that the kernel turned into a timewait entry.
 */
enum twctl_state {
	TWCTL_STATE_FIN_WAIT2 = 5,
	TWCTL_STATE_TIME_WAIT = 6,
};

#define TWCTL_STATES_ALL ((1U << TWCTL_STATE_FIN_WAIT2) | \
			  (1U << TWCTL_STATE_TIME_WAIT))

/* Bits of twctl_entry_info.flags. */
#define TWCTL_ENTRY_F_TIMESTAMPS	0x01	/* the peer used TCP timestamps */
#define TWCTL_ENTRY_F_RECYCLE_ELIGIBLE	0x02	/* see enum twctl_recycle_reason */
#define TWCTL_ENTRY_F_REUSE_ELIGIBLE	0x04	/* see enum twctl_reuse_reason */

/* One timewait entry: TWCTL_A_ENTRY_INFO, 64 bytes. */
struct twctl_entry_info {
	__u8	family;		/*  0: AF_INET or AF_INET6 */
	__u8	state;		/*  1: enum twctl_state */
	__u8	flags;		/*  2: TWCTL_ENTRY_F_* */
	__u8	age_source;	/*  3: enum twctl_age_source */
	__u16	lport;		/*  4: host byte order */
	__u16	rport;		/*  6: host byte order */
	__u8	laddr[16];	/*  8: network order, AF_INET: first 4 */
	__u8	raddr[16];	/* 24: as laddr */
	__u64	cookie;		/* 40: socket cookie, as ss -e prints it
				 *     (sk:%llx)
				 */
	__u32	remaining_ms;	/* 48: until the timer fires */
	__u32	age_ms;		/* 52: since the entry was created */
	__u32	netns_ino;	/* 56: inode number of the entry's netns */
	__u32	bound_if;	/* 60: ifindex it is bound to, 0 if none */
};

/* Bits of TWCTL_A_ENTRY_EXT: the extras a GET_ENTRIES request wants. */
#define TWCTL_ENTRY_EXT_JUDGEMENT	0x01	/* TWCTL_A_ENTRY_JUDGEMENT */
#define TWCTL_ENTRY_EXT_SECRETS		0x02	/* TWCTL_A_ENTRY_SECRETS */
#define TWCTL_ENTRY_EXT_ALL		0x03

/* Why the verdicts of an entry are what they are: 16 bytes. */
struct twctl_entry_judgement {
	__u32	rto_ms;		/*  0: RTO when TIME_WAIT was entered */
	__u32	srtt_us;	/*  4: smoothed RTT, 0 if unknown */
	__u32	recycle_after_ms; /* 8: the old 3.5 x RTO */
	__u8	rto_source;	/* 12: enum twctl_rto_source */
	__u8	recycle_reason;	/* 13: enum twctl_recycle_reason */
	__u8	reuse_reason;	/* 14: enum twctl_reuse_reason */
	__u8	reserved;	/* 15: zero */
};

/* What inet_diag gives nobody: CAP_NET_ADMIN callers only, 24 bytes. */
struct twctl_entry_secrets {
	__u32	snd_nxt;	/*  0 */
	__u32	rcv_nxt;	/*  4 */
	__u32	ts_recent;	/*  8: last timestamp seen from the peer */
	__u32	ts_recent_age_ms; /* 12: since ts_recent was stored */
	__u32	mark;		/* 16: the entry's fwmark */
	__u32	reserved;	/* 20: zero */
};

/*
 * Attributes of the TWCTL_A_ENTRY nest of the first version of this
 * header. The module no longer sends them (it sends the structs above,
 * whose fields carry the same names and meanings); the enum stays until
 * no user of this header refers to it.
 */
enum twctl_entry_attr {
	TWCTL_ENTRY_A_UNSPEC,
	TWCTL_ENTRY_A_PAD,
	TWCTL_ENTRY_A_FAMILY,		/* u8 */
	TWCTL_ENTRY_A_LADDR,		/* binary, 4 or 16 bytes */
	TWCTL_ENTRY_A_LPORT,		/* u16 */
	TWCTL_ENTRY_A_RADDR,		/* binary */
	TWCTL_ENTRY_A_RPORT,		/* u16 */
	TWCTL_ENTRY_A_STATE,		/* u8: enum twctl_state */
	TWCTL_ENTRY_A_REMAINING_MS,	/* u32: until the timer fires */
	TWCTL_ENTRY_A_COOKIE,		/* u64: as ss -e prints it (sk:%llx) */
	TWCTL_ENTRY_A_TIMESTAMPS,	/* u8: 1 if the peer used TCP timestamps */
	TWCTL_ENTRY_A_TS_RECENT,	/* u32: last timestamp seen from the peer;
					 * this and the next three:
					 * CAP_NET_ADMIN callers only
					 */
	TWCTL_ENTRY_A_TS_RECENT_AGE_MS,	/* u32: since ts_recent was stored */
	TWCTL_ENTRY_A_SND_NXT,		/* u32 */
	TWCTL_ENTRY_A_RCV_NXT,		/* u32 */
	TWCTL_ENTRY_A_BOUND_IF,		/* u32: ifindex, 0 if unbound */
	TWCTL_ENTRY_A_MARK,		/* u32: CAP_NET_ADMIN callers only */
	TWCTL_ENTRY_A_AGE_MS,		/* u32: since the entry was created */
	TWCTL_ENTRY_A_AGE_SOURCE,	/* u8: enum twctl_age_source */
	TWCTL_ENTRY_A_RTO_MS,		/* u32: RTO when TIME_WAIT was entered */
	TWCTL_ENTRY_A_RTO_SOURCE,	/* u8: enum twctl_rto_source */
	TWCTL_ENTRY_A_SRTT_US,		/* u32: smoothed RTT, 0 if unknown */
	TWCTL_ENTRY_A_RECYCLE_AFTER_MS,	/* u32: the old 3.5 x RTO */
	TWCTL_ENTRY_A_RECYCLE_ELIGIBLE,	/* u8 */
	TWCTL_ENTRY_A_RECYCLE_REASON,	/* u8: enum twctl_recycle_reason */
	TWCTL_ENTRY_A_REUSE_ELIGIBLE,	/* u8 */
	TWCTL_ENTRY_A_REUSE_REASON,	/* u8: enum twctl_reuse_reason */
	TWCTL_ENTRY_A_NETNS,		/* u32: netns inode (debugfs only) */

	__TWCTL_ENTRY_A_MAX
};

#define TWCTL_ENTRY_A_MAX (__TWCTL_ENTRY_A_MAX - 1)

enum twctl_group_by {
	TWCTL_GROUP_BY_LPORT,		/* key: LPORT */
	TWCTL_GROUP_BY_RPORT,		/* key: RPORT */
	TWCTL_GROUP_BY_RADDR,		/* key: FAMILY, RADDR */
	TWCTL_GROUP_BY_DEST,		/* key: FAMILY, RADDR, RPORT */
	TWCTL_GROUP_BY_NETNS,		/* key: NETNS */

	__TWCTL_GROUP_BY_MAX
};

#define TWCTL_GROUP_BY_MAX (__TWCTL_GROUP_BY_MAX - 1)

/* Attributes of a TWCTL_A_GROUP nest. */
enum twctl_group_attr {
	TWCTL_GROUP_A_UNSPEC,
	TWCTL_GROUP_A_PAD,
	TWCTL_GROUP_A_FAMILY,		/* u8 (RADDR and DEST groups) */
	TWCTL_GROUP_A_LPORT,		/* u16 (LPORT groups) */
	TWCTL_GROUP_A_RADDR,		/* binary (RADDR and DEST groups) */
	TWCTL_GROUP_A_RPORT,		/* u16 (RPORT and DEST groups) */
	TWCTL_GROUP_A_COUNT,		/* u32 */
	TWCTL_GROUP_A_MAX_AGE_MS,	/* u32: the oldest entry's age */
	TWCTL_GROUP_A_MIN_REMAINING_MS,	/* u32: the soonest expiry */
	TWCTL_GROUP_A_RECYCLE_ELIGIBLE,	/* u32: entries recycle-eligible */
	TWCTL_GROUP_A_EPHEMERAL,	/* u32: DEST only, entries whose local
					 * port is in ip_local_port_range
					 */
	TWCTL_GROUP_A_EPHEMERAL_RANGE,	/* u32: DEST only, size of that range */
	TWCTL_GROUP_A_NETNS,		/* u32: netns inode (NETNS groups) */

	__TWCTL_GROUP_A_MAX
};

#define TWCTL_GROUP_A_MAX (__TWCTL_GROUP_A_MAX - 1)

/* How twctl_entry_info.age_ms was obtained. */
enum twctl_age_source {
	/* 60 s minus the time left: exact unless the timer was re-armed. */
	TWCTL_AGE_SOURCE_TIMER,
	/* Recorded by the module when the socket entered TIME_WAIT. */
	TWCTL_AGE_SOURCE_CAPTURED,
	/* From the kernel's own tw_entry_stamp (ms, set at entry; 6.14+). */
	TWCTL_AGE_SOURCE_ENTRY_STAMP,
};

/* How twctl_entry_judgement.rto_ms was obtained. */
enum twctl_rto_source {
	TWCTL_RTO_SOURCE_ASSUMED,	/* not captured: TCP_RTO_MIN (200 ms) */
	TWCTL_RTO_SOURCE_CAPTURED,	/* icsk_rto when TIME_WAIT was entered */
};

enum twctl_recycle_reason {
	TWCTL_RECYCLE_ELIGIBLE,		/* age >= 3.5 x RTO, peer timestamps */
	TWCTL_RECYCLE_NO_TIMESTAMPS,	/* peer did not use TCP timestamps */
	TWCTL_RECYCLE_TOO_YOUNG,	/* age < 3.5 x RTO */
	TWCTL_RECYCLE_FIN_WAIT2,	/* not a TIME_WAIT substate */
};

/* What tcp_twsk_unique() would decide for an automatic-port connect(). */
enum twctl_reuse_reason {
	TWCTL_REUSE_ELIGIBLE,
	TWCTL_REUSE_DISABLED,		/* tcp_tw_reuse = 0 */
	TWCTL_REUSE_NOT_LOOPBACK,	/* tcp_tw_reuse = 2, non-loopback */
	TWCTL_REUSE_NO_TIMESTAMPS,	/* peer did not use TCP timestamps */
	TWCTL_REUSE_TOO_RECENT,		/* within the reuse delay (1 s) */
	TWCTL_REUSE_FIN_WAIT2,		/* FIN_WAIT2 entries are never reused */
};

#endif /* _UAPI_LINUX_TWCTL_H */

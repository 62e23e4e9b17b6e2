/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * entry.h - one TIME_WAIT entry: decoded from a TWCTL_A_ENTRY nest into a
 * compact struct, and written as a table row, JSON object or script line.
 */
#ifndef TWCTL_ENTRY_H
#define TWCTL_ENTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <libmnl/libmnl.h>
#include <linux/twctl.h>

#include "json.h"

struct tw_entry {
	uint64_t present;	/* 1ULL << TWCTL_ENTRY_A_*: what the kernel sent */
	uint64_t cookie;
	uint8_t laddr[16], raddr[16];
	uint16_t lport, rport;
	uint8_t family, state, timestamps;
	uint8_t age_source, rto_source;
	uint8_t recycle_eligible, recycle_reason;
	uint8_t reuse_eligible, reuse_reason;
	uint32_t remaining_ms, ts_recent, ts_recent_age_ms;
	uint32_t snd_nxt, rcv_nxt, bound_if, mark;
	uint32_t age_ms, rto_ms, srtt_us, recycle_after_ms, netns;
};

#define ENTRY_HAS(e, attr) (((e)->present >> (attr)) & 1U)

/*
 * Decode an entry message (TWCTL_A_ENTRY_INFO and extras, or an older
 * module's TWCTL_A_ENTRY nest); -1 (recorded) if bad.
 */
int entry_parse_msg(const struct nlmsghdr *nlh, struct tw_entry *e);
int entry_parse_nest(const struct nlattr *nest, struct tw_entry *e);

/*
 * The table: a header and one row per entry, at fixed column widths so
 * that rows stream. extended adds the columns that need the module's
 * extras (age, RTO and the two verdicts); netns (the entry's netns name,
 * --all-netns only, else NULL) a first column, JSON key or last -s field.
 */
void entry_table_header(FILE *f, bool extended, bool netns);
void entry_table_row(FILE *f, const struct tw_entry *e, bool extended,
		     const char *netns);
void entry_json(struct json *j, const struct tw_entry *e, const char *netns);
/* One line of the documented, never-changing -s field order. */
void entry_script(FILE *f, const struct tw_entry *e, const char *netns);

enum sort_key {
	SORT_NONE,
	SORT_REMAINING,
	SORT_AGE,
	SORT_LPORT,
	SORT_RPORT,
	SORT_LOCAL,
	SORT_REMOTE,
	SORT_COOKIE,
	SORT_STATE,
};
#define SORT_KEYS "remaining, age, lport, rport, local, remote, cookie, state"

int sort_key_parse(const char *s, enum sort_key *key);
void entries_sort(struct tw_entry *v, size_t n, enum sort_key key,
		  bool reverse);

#endif

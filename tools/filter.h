/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * filter.h - the entry filter: command-line options in, TWCTL_A_FILTER out,
 * and back again (kill events carry the filter that was applied).
 */
#ifndef TWCTL_FILTER_H
#define TWCTL_FILTER_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>
#include <linux/twctl.h>

#include "json.h"
#include "parse.h"

struct tw_filter {
	uint32_t present;	/* 1U << TWCTL_FILTER_A_*, what is set */
	uint8_t family;
	uint16_t lport_min, lport_max;
	uint16_t rport_min, rport_max;
	struct tw_prefix laddr, raddr;
	uint32_t states;
	uint32_t remaining_max_ms, remaining_min_ms, age_min_ms;
	uint64_t cookie;
};

#define FILTER_HAS(f, attr) (((f)->present >> (attr)) & 1U)

/* getopt_long() values of the filter options; above any short option. */
enum filter_opt {
	OPT_LPORT = 0x100,
	OPT_RPORT,
	OPT_LADDR,
	OPT_RADDR,
	OPT_STATE,
	OPT_EXPIRING_WITHIN,
	OPT_EXPIRING_AFTER,
	OPT_COOKIE,
	OPT_ELIGIBLE,
	OPT_REUSABLE,
	OPT_OLDER_THAN,
	OPT_FILTER_LAST,	/* commands number their own options from here */
};

#define FILTER_SHORTOPTS "46"
#define FILTER_LONGOPTS							\
	{ "lport", required_argument, NULL, OPT_LPORT },		\
	{ "rport", required_argument, NULL, OPT_RPORT },		\
	{ "laddr", required_argument, NULL, OPT_LADDR },		\
	{ "raddr", required_argument, NULL, OPT_RADDR },		\
	{ "state", required_argument, NULL, OPT_STATE },		\
	{ "expiring-within", required_argument, NULL, OPT_EXPIRING_WITHIN }, \
	{ "expiring-after", required_argument, NULL, OPT_EXPIRING_AFTER }, \
	{ "cookie", required_argument, NULL, OPT_COOKIE },		\
	{ "eligible", no_argument, NULL, OPT_ELIGIBLE },		\
	{ "reusable", no_argument, NULL, OPT_REUSABLE },		\
	{ "older-than", required_argument, NULL, OPT_OLDER_THAN }

#define FILTER_HELP							\
	"\nFilters (all must match):\n"					\
	"  -4, -6                   IPv4 or IPv6 entries only\n"	\
	"  --lport P[-Q]            local port or inclusive range\n"	\
	"  --rport P[-Q]            remote port or inclusive range\n"	\
	"  --laddr ADDR[/LEN]       local address or prefix (IPv4 or IPv6)\n" \
	"  --raddr ADDR[/LEN]       remote address or prefix\n"	\
	"  --state STATE            time-wait or fin-wait2 (repeatable)\n" \
	"  --expiring-within DUR    at most DUR left before expiry\n"	\
	"  --expiring-after DUR     at least DUR left before expiry\n"	\
	"  --older-than DUR         in TIME_WAIT for at least DUR\n"	\
	"  --cookie COOKIE          one socket: decimal, 0xHEX or sk:HEX\n" \
	"  --eligible               recycle-eligible entries only\n"	\
	"  --reusable               entries tcp_tw_reuse would reuse\n"	\
	"DUR is a number with ms, s or m (500ms, 1.5s, 2m); a bare number is seconds.\n"

/*
 * Apply one getopt_long() result. Returns 0 if it was a filter option,
 * 1 if it was not, -1 on a bad value (message recorded).
 */
int filter_option(struct tw_filter *f, int opt, const char *arg);
/* Reject combinations no entry can match (-4 with an IPv6 address...). */
int filter_check(const struct tw_filter *f);
bool filter_empty(const struct tw_filter *f);

/* Append a TWCTL_A_FILTER nest to nlh; nothing for an empty filter. */
void filter_put(struct nlmsghdr *nlh, const struct tw_filter *f);
/* Read a TWCTL_A_FILTER nest back; -1 if malformed. */
int filter_parse_nest(const struct nlattr *nest, struct tw_filter *f);

/* The filter as command-line options; "" for an empty filter. */
const char *filter_describe(char *buf, size_t len, const struct tw_filter *f);
void filter_json(struct json *j, const char *key, const struct tw_filter *f);

#endif

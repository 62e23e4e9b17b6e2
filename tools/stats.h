/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stats.h - `twctl stats`, the TIME_WAIT doctor: the facts of one network
 * namespace (sysctls, TcpExt counters, and with the module the
 * per-destination figures), the advice drawn from them, and their
 * Prometheus form.
 *
 * Collecting (stats.c) is kept apart from judging (stats_advice.c) and
 * writing (stats_prom.c) so the unit tests can feed made-up facts to the
 * last two.
 */
#ifndef TWCTL_STATS_H
#define TWCTL_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A TIME_WAIT entry lives TCP_TIMEWAIT_LEN, 60 s, whatever the sysctls say. */
#define STATS_TW_LIFETIME_S	60
#define STATS_TOP_DEFAULT	10
#define STATS_WINDOW_DEFAULT_S	10
/* Destinations looked at for advice, even when fewer are shown. */
#define STATS_DESTS_ANALYSED	64

/* Value of a sysctl or counter the kernel does not have. */
#define STATS_ABSENT		(-1LL)

struct stats_dest {
	uint8_t family;
	uint8_t raddr[16];
	uint16_t rport;
	uint32_t count;		/* entries towards it */
	uint32_t ephemeral;	/* ... whose local port is ephemeral */
	uint32_t young;		/* ... ephemeral and younger than the window */
};

struct stats_port {
	uint16_t lport;
	uint32_t count;
};

struct tw_stats {
	/* sysctls of the netns; STATS_ABSENT when the kernel has none */
	long long max_tw_buckets, tw_reuse, timestamps, fin_timeout;
	long long tw_reuse_delay_ms, tw_recycle;
	long long port_lo, port_hi;
	/* TcpExt counters of /proc/net/netstat; STATS_ABSENT if missing */
	long long tw, tw_killed, tw_recycled, tw_overflow;
	long long tw_count;	/* TIME_WAIT entries now; STATS_ABSENT */

	bool module;		/* loaded: the per-destination part is valid */
	bool capture_active;
	unsigned int window_s;	/* rates are over the last window_s seconds */
	struct stats_dest *dests;	/* largest count first */
	size_t ndests;
	struct stats_port *ports;	/* local ports, largest count first */
	size_t nports;
};

void stats_free(struct tw_stats *s);

/* Size of ip_local_port_range, 0 if unknown. */
unsigned int stats_range_size(const struct tw_stats *s);
/* New connections per second towards d over the window. */
double stats_dest_rate(const struct tw_stats *s, const struct stats_dest *d);
/* Ports d holds in steady state at that rate: rate x 60 s. */
double stats_dest_steady(const struct tw_stats *s, const struct stats_dest *d);

/* --- advice (stats_advice.c) ------------------------------------------ */

#define STATS_ADVICE_MAX	32
#define STATS_ADVICE_LEN	512

struct stats_advice {
	size_t n;
	char line[STATS_ADVICE_MAX][STATS_ADVICE_LEN];
};

/*
 * A destination is under pressure when its TIME_WAIT entries hold, now or
 * in steady state at its current rate, at least this share of the range.
 */
#define STATS_PRESSURE_PCT	50

bool stats_dest_under_pressure(const struct tw_stats *s,
			       const struct stats_dest *d);
/* One line per problem found, most urgent first. */
void stats_advise(const struct tw_stats *s, struct stats_advice *a);

/* --- Prometheus (stats_prom.c) ---------------------------------------- */

/*
 * The node_exporter textfile-collector format: HELP and TYPE for every
 * family, base units, _total for counters, at most top destinations and
 * top local ports so label cardinality stays bounded.
 */
int stats_prom_write(FILE *f, const struct tw_stats *s, unsigned int top);
/*
 * Write to path atomically: path.tmp.PID, then rename(2), so the
 * collector never reads half a file. -1 with the error recorded.
 */
int stats_prom_write_file(const char *path, const struct tw_stats *s,
			  unsigned int top);

#endif

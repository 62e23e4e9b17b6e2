// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stats_advice.c - turn the figures of `twctl stats` into one line of
 * advice per problem found, with what is true of today's kernels:
 *
 * - A TIME_WAIT entry holds its 4-tuple for 60 s (TCP_TIMEWAIT_LEN, not a
 *   sysctl; tcp_fin_timeout is the FIN_WAIT2 timeout). A client that opens
 *   R connections per second to one address:port therefore holds about
 *   R x 60 of its ephemeral ports; at the size of ip_local_port_range
 *   connect() fails with EADDRNOTAVAIL.
 * - tcp_tw_recycle was removed in 4.12: it broke clients behind NAT, and
 *   since 4.10 randomises timestamp offsets per connection it could not
 *   work at all.
 * - tcp_max_tw_buckets only caps memory (a DoS guard): past it, sockets
 *   close without TIME_WAIT's protection (TCPTimeWaitOverflow).
 * - tcp_tw_reuse (1, or 2 = loopback only, the default since 5.7) lets an
 *   automatic-port connect() take over an entry older than
 *   tcp_tw_reuse_delay (1 s; a sysctl since 6.14) when timestamps were on.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "format.h"
#include "stats.h"

static void add(struct stats_advice *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add(struct stats_advice *a, const char *fmt, ...)
{
	va_list ap;

	if (a->n >= STATS_ADVICE_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(a->line[a->n++], STATS_ADVICE_LEN, fmt, ap);
	va_end(ap);
}

bool stats_dest_under_pressure(const struct tw_stats *s,
			       const struct stats_dest *d)
{
	double range = stats_range_size(s);

	if (!range)
		return false;
	return d->ephemeral * 100.0 >= STATS_PRESSURE_PCT * range ||
	       stats_dest_steady(s, d) * 100.0 >= STATS_PRESSURE_PCT * range;
}

/* 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104: what tcp_tw_reuse=2 covers. */
static bool is_loopback(const struct stats_dest *d)
{
	static const uint8_t v6_loop[16] = { [15] = 1 };
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (d->family == AF_INET)
		return d->raddr[0] == 127;
	return !memcmp(d->raddr, v6_loop, 16) ||
	       (!memcmp(d->raddr, mapped, 12) && d->raddr[12] == 127);
}

static void advise_dest(const struct tw_stats *s, const struct stats_dest *d,
			struct stats_advice *a)
{
	unsigned int range = stats_range_size(s);
	double steady = stats_dest_steady(s, d);
	char dest[ADDRPORT_STRLEN];

	char rate[128] = "";

	format_addr_port(dest, sizeof(dest), d->family, d->raddr, d->rport);
	if (d->young)
		snprintf(rate, sizeof(rate),
			 "; %.1f new connections/s hold about %.0f (%.0f%%) in steady state",
			 stats_dest_rate(s, d), steady, 100.0 * steady / range);
	add(a, "%s: TIME_WAIT holds %u of %u ephemeral ports (%.0f%%)%s; at 100%% connect() fails with EADDRNOTAVAIL: reuse connections (pooling, keepalive), add source addresses (bind with IP_BIND_ADDRESS_NO_PORT), or widen the range (ip_local_port_range, or IP_LOCAL_PORT_RANGE per socket on 6.8+)",
	    dest, d->ephemeral, range, 100.0 * d->ephemeral / range, rate);
}

void stats_advise(const struct tw_stats *s, struct stats_advice *a)
{
	unsigned int range = stats_range_size(s);
	bool pressure = false, remote = false;
	size_t i;

	a->n = 0;
	for (i = 0; i < s->ndests; i++) {
		if (!stats_dest_under_pressure(s, &s->dests[i]))
			continue;
		pressure = true;
		remote |= !is_loopback(&s->dests[i]);
		advise_dest(s, &s->dests[i], a);
	}

	if (s->tw_overflow > 0)
		add(a, "TCPTimeWaitOverflow is %lld: connections closed without TIME_WAIT because tcp_max_tw_buckets (%lld) was reached; that limit is a DoS guard, not a fix: raise it if memory allows (an entry costs about 200 bytes) and reduce connection churn",
		    s->tw_overflow, s->max_tw_buckets);
	else if (s->tw_count >= 0 && s->max_tw_buckets > 0 &&
		 s->tw_count * 10 >= s->max_tw_buckets * 9)
		add(a, "%lld TIME_WAIT entries are %.0f%% of tcp_max_tw_buckets (%lld): past it connections close without TIME_WAIT (counted in TCPTimeWaitOverflow); lowering it is a DoS guard, not a fix",
		    s->tw_count, 100.0 * s->tw_count / s->max_tw_buckets,
		    s->max_tw_buckets);

	if (s->tw_recycle > 0)
		add(a, "tcp_tw_recycle is %lld: it drops connections from clients behind NAT; set it to 0 (it was removed in 4.12 because NAT, and since 4.10 per-connection timestamp offsets, broke it)",
		    s->tw_recycle);

	if (s->timestamps == 0 && (pressure || s->tw_reuse > 0))
		add(a, "tcp_timestamps is 0: without timestamps tcp_tw_reuse can reuse nothing and PAWS cannot protect reused ports; set it to 1");

	if (!pressure)
		return;

	if (s->tw_reuse == 0)
		add(a, "tcp_tw_reuse is 0: set it to 1 so that connect() may take over a TIME_WAIT entry older than %lld ms towards the same destination (needs timestamps on both sides)",
		    s->tw_reuse_delay_ms > 0 ? s->tw_reuse_delay_ms : 1000);
	else if (s->tw_reuse == 2 && remote)
		add(a, "tcp_tw_reuse is 2 (loopback only): the destinations above are not loopback; 1 lets connect() reuse TIME_WAIT entries towards them too");

	if (s->tw_reuse_delay_ms > 1000 && s->tw_reuse > 0)
		add(a, "tcp_tw_reuse_delay is %lld ms: connect() reuses an entry only after that long (default 1000)",
		    s->tw_reuse_delay_ms);

	if (range && range < 28232)
		add(a, "ip_local_port_range gives only %u ports (the default 32768-60999 gives 28232): widen it, keeping listening ports out of it (ip_local_reserved_ports)",
		    range);

	if (s->fin_timeout > 0 && s->fin_timeout != STATS_TW_LIFETIME_S)
		add(a, "tcp_fin_timeout (%lld s) does not shorten TIME_WAIT: it bounds orphaned FIN_WAIT2; TIME_WAIT always lasts 60 s",
		    s->fin_timeout);

	add(a, "relief now: 'twctl kill --raddr ADDR --rport PORT --eligible' frees the ports that even the old tcp_tw_recycle would have freed (check with --dry-run first); tcp_tw_recycle itself is gone since 4.12");
}

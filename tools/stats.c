// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stats.c - `twctl stats`: gather what decides whether TIME_WAIT hurts in
 * this network namespace, print it with advice, or write it for
 * Prometheus.
 *
 * The sysctls (/proc/sys/net/ipv4) and TcpExt counters (/proc/net/netstat)
 * are the kernel's and are read without the module; the per-destination
 * figures come from the module: the kernel's GET_SUMMARY (counts, and how
 * many local ports are ephemeral) and the entries' ages from GET_ENTRIES
 * (how many were created within the last window_s seconds).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/twctl.h>

#include "commands.h"
#include "error.h"
#include "format.h"
#include "netlink.h"
#include "netns.h"
#include "parse.h"
#include "stats.h"

unsigned int stats_range_size(const struct tw_stats *s)
{
	if (s->port_lo < 0 || s->port_hi < s->port_lo)
		return 0;
	return (unsigned int)(s->port_hi - s->port_lo + 1);
}

double stats_dest_rate(const struct tw_stats *s, const struct stats_dest *d)
{
	return s->window_s ? (double)d->young / s->window_s : 0.0;
}

double stats_dest_steady(const struct tw_stats *s, const struct stats_dest *d)
{
	return stats_dest_rate(s, d) * STATS_TW_LIFETIME_S;
}

/* --- the kernel's own figures ------------------------------------------ */

/* One integer sysctl (or the first of several); STATS_ABSENT if none. */
static long long read_sysctl(const char *name, long long *second)
{
	char path[128];
	long long a, b;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/%s", name);
	f = fopen(path, "re");
	if (!f)
		return STATS_ABSENT;
	n = fscanf(f, "%lld %lld", &a, &b);
	fclose(f);
	if (n < 1)
		return STATS_ABSENT;
	if (second)
		*second = n == 2 ? b : STATS_ABSENT;
	return a;
}

static void read_sysctls(struct tw_stats *s)
{
	s->max_tw_buckets = read_sysctl("tcp_max_tw_buckets", NULL);
	s->tw_reuse = read_sysctl("tcp_tw_reuse", NULL);
	s->timestamps = read_sysctl("tcp_timestamps", NULL);
	s->fin_timeout = read_sysctl("tcp_fin_timeout", NULL);
	/* 6.14 and later only; in milliseconds. */
	s->tw_reuse_delay_ms = read_sysctl("tcp_tw_reuse_delay", NULL);
	/* Before 4.12 only. */
	s->tw_recycle = read_sysctl("tcp_tw_recycle", NULL);
	s->port_lo = read_sysctl("ip_local_port_range", &s->port_hi);
	if (s->port_lo == STATS_ABSENT)
		s->port_hi = STATS_ABSENT;
}

/*
 * /proc/net/netstat holds pairs of lines, "TcpExt: NAME..." then
 * "TcpExt: VALUE...". A counter this kernel lacks stays STATS_ABSENT.
 */
static void read_tcpext(struct tw_stats *s)
{
	static const struct {
		const char *name;
		size_t off;
	} want[] = {
		{ "TW", offsetof(struct tw_stats, tw) },
		{ "TWKilled", offsetof(struct tw_stats, tw_killed) },
		{ "TWRecycled", offsetof(struct tw_stats, tw_recycled) },
		{ "TCPTimeWaitOverflow", offsetof(struct tw_stats, tw_overflow) },
	};
	char *names = NULL, *values = NULL, *np, *vp, *n, *v;
	size_t ncap = 0, vcap = 0, i;
	FILE *f;

	s->tw = s->tw_killed = s->tw_recycled = s->tw_overflow = STATS_ABSENT;
	f = fopen("/proc/net/netstat", "re");
	if (!f)
		return;
	while (getline(&names, &ncap, f) > 0 &&
	       getline(&values, &vcap, f) > 0) {
		if (strncmp(names, "TcpExt:", 7) || strncmp(values, "TcpExt:", 7))
			continue;
		n = strtok_r(names + 7, " \n", &np);
		v = strtok_r(values + 7, " \n", &vp);
		while (n && v) {
			for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
				if (!strcmp(n, want[i].name))
					*(long long *)((char *)s + want[i].off) =
						strtoll(v, NULL, 10);
			n = strtok_r(NULL, " \n", &np);
			v = strtok_r(NULL, " \n", &vp);
		}
		break;
	}
	free(names);
	free(values);
	fclose(f);
}

/*
 * "TCP: inuse N orphan N tw N ..." of /proc/net/sockstat: the netns's
 * timewait entries (both substates), the same count tcp_max_tw_buckets
 * is checked against.
 */
static long long read_sockstat_tw(void)
{
	char line[256], *p;
	long long tw = STATS_ABSENT;
	FILE *f = fopen("/proc/net/sockstat", "re");

	if (!f)
		return STATS_ABSENT;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "TCP:", 4))
			continue;
		p = strstr(line, " tw ");
		if (p)
			tw = strtoll(p + 4, NULL, 10);
	}
	fclose(f);
	return tw;
}

/* --- the module's figures ------------------------------------------------- */

struct collect {
	struct tw_stats *s;
	size_t cap;
};

static int dests_reset(void *data)
{
	struct collect *c = data;

	c->s->ndests = 0;
	return 0;
}

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	void *p;

	if (n < *cap)
		return 0;
	*cap = *cap ? *cap * 2 : 64;
	p = realloc(*v, *cap * size);
	if (!p)
		return fail(EXIT_FAIL, "out of memory");
	*v = p;
	return 0;
}

static int dests_msg(const struct nlmsghdr *nlh, void *data)
{
	struct collect *c = data;
	struct tw_stats *s = c->s;
	struct stats_dest *d;
	struct tw_group g;

	if (group_parse_msg(nlh, &g))
		return -1;
	if (grow((void **)&s->dests, &c->cap, s->ndests, sizeof(*d)))
		return -1;
	d = &s->dests[s->ndests++];
	memset(d, 0, sizeof(*d));
	d->family = g.family;
	memcpy(d->raddr, g.raddr, sizeof(d->raddr));
	d->rport = g.rport;
	d->count = g.count;
	d->ephemeral = g.ephemeral;
	return 0;
}

static int ports_reset(void *data)
{
	struct collect *c = data;

	c->s->nports = 0;
	return 0;
}

static int ports_msg(const struct nlmsghdr *nlh, void *data)
{
	struct collect *c = data;
	struct tw_stats *s = c->s;
	struct tw_group g;

	if (group_parse_msg(nlh, &g))
		return -1;
	if (grow((void **)&s->ports, &c->cap, s->nports, sizeof(*s->ports)))
		return -1;
	s->ports[s->nports].lport = g.lport;
	s->ports[s->nports].count = g.count;
	s->nports++;
	return 0;
}

static int young_reset(void *data)
{
	struct tw_stats *s = data;
	size_t i;

	for (i = 0; i < s->ndests; i++)
		s->dests[i].young = 0;
	return 0;
}

/*
 * What the rate needs of one entry: its destination, local port and age;
 * 1 if the message had them, 0 if not, -1 (recorded) if malformed. The
 * compact TWCTL_A_ENTRY_INFO is read here directly until the CLI's own
 * decoder (entry.c) reads it; the older nest goes through entry.c.
 */
static int entry_tuple_age(const struct nlmsghdr *nlh, struct tw_entry *e)
{
	struct twctl_entry_info info;
	const struct nlattr *a;

	memset(e, 0, sizeof(*e));
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) != TWCTL_A_ENTRY_INFO)
			continue;
		if (mnl_attr_get_payload_len(a) < sizeof(info))
			return fail(EXIT_FAIL, "malformed entry from the kernel: %u bytes",
				    (unsigned int)mnl_attr_get_payload_len(a));
		memcpy(&info, mnl_attr_get_payload(a), sizeof(info));
		e->family = info.family;
		memcpy(e->raddr, info.raddr, sizeof(e->raddr));
		e->rport = info.rport;
		e->lport = info.lport;
		e->age_ms = info.age_ms;
		return 1;
	}
	if (entry_parse_msg(nlh, e))
		return -1;
	return ENTRY_HAS(e, TWCTL_ENTRY_A_AGE_MS) ? 1 : 0;
}

/* Count each entry younger than the window against its destination. */
static int young_msg(const struct nlmsghdr *nlh, void *data)
{
	struct tw_stats *s = data;
	struct tw_entry e;
	size_t i, alen;
	int r = entry_tuple_age(nlh, &e);

	if (r <= 0)
		return r;
	if (e.age_ms >= s->window_s * 1000U ||
	    e.lport < s->port_lo || e.lport > s->port_hi)
		return 0;
	alen = family_addr_len(e.family);
	for (i = 0; i < s->ndests; i++) {
		struct stats_dest *d = &s->dests[i];

		if (d->family == e.family && d->rport == e.rport &&
		    !memcmp(d->raddr, e.raddr, alen)) {
			d->young++;
			break;
		}
	}
	return 0;
}

static int summary(struct nl *nl, uint8_t by, uint32_t limit,
		   nl_msg_cb cb, nl_reset_cb reset, void *data)
{
	struct summary_opts o;
	struct nlmsghdr *req;

	memset(&o, 0, sizeof(o));
	o.group_by = by;
	o.top = limit;
	req = nl_request(nl, TWCTL_CMD_GET_SUMMARY, 0);
	summary_put_request(req, &o);
	return nl_dump(nl, req, cb, reset, data);
}

static int info_cb(const struct nlmsghdr *nlh, void *data)
{
	return info_parse_msg(nlh, data);
}

static int collect_module(struct nl *nl, struct tw_stats *s,
			  unsigned int top)
{
	struct collect c = { .s = s };
	struct tw_info info;
	uint32_t ndest = top > STATS_DESTS_ANALYSED ? top : STATS_DESTS_ANALYSED;

	if (nl_do(nl, nl_request(nl, TWCTL_CMD_GET_INFO, 0), info_cb, &info))
		return -1;
	s->capture_active = info.capture_active;
	if (summary(nl, TWCTL_GROUP_BY_DEST, ndest, dests_msg, dests_reset, &c))
		return -1;
	c.cap = 0;
	if (summary(nl, TWCTL_GROUP_BY_LPORT, top, ports_msg, ports_reset, &c))
		return -1;
	if (!s->ndests || s->port_lo < 0)
		return 0;
	return nl_dump(nl, nl_request(nl, TWCTL_CMD_GET_ENTRIES, 0),
		       young_msg, young_reset, s);
}

void stats_free(struct tw_stats *s)
{
	free(s->dests);
	free(s->ports);
	s->dests = NULL;
	s->ports = NULL;
}

/*
 * Everything about the current netns. Only a failure of the module once
 * it answered is an error: without it the kernel's part is still there.
 */
static int stats_collect(struct tw_stats *s, unsigned int top)
{
	struct nl nl;
	int r;

	read_sysctls(s);
	read_tcpext(s);
	s->tw_count = read_sockstat_tw();
	if (nl_open(&nl, NULL)) {
		if (nl.err != ENOENT)
			return -1;
		err_clear();
		return 0;
	}
	s->module = true;
	r = collect_module(&nl, s, top);
	nl_close(&nl);
	return r;
}

/* --- output --------------------------------------------------------------- */

static const char *reuse_meaning(long long v)
{
	switch (v) {
	case 0: return "disabled";
	case 1: return "enabled";
	case 2: return "loopback only";
	}
	return "unknown";
}

static void row(const char *key, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void row(const char *key, const char *fmt, ...)
{
	va_list ap;

	printf("  %-26s", key);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void row_value(const char *key, long long v, const char *unit)
{
	if (v == STATS_ABSENT)
		row(key, "-");
	else
		row(key, "%lld%s", v, unit);
}

static const char *pct(char *buf, size_t len, double part, double whole)
{
	if (whole <= 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f%%", 100.0 * part / whole);
	return buf;
}

static void print_table(const struct tw_stats *s, unsigned int top,
			const struct stats_advice *a)
{
	unsigned int range = stats_range_size(s);
	char p[16], dest[ADDRPORT_STRLEN], need[32];
	struct table t;
	size_t i;
	static const struct column cols[] = {
		{ "Peer Address:Port", false },
		{ "Count", true },
		{ "Ephemeral ports", true },
		{ "New/s", true },
		{ "Steady-state ports", true },
	};

	printf("TIME_WAIT\n");
	if (s->tw_count != STATS_ABSENT && s->max_tw_buckets > 0)
		row("entries", "%lld of tcp_max_tw_buckets %lld (%s)",
		    s->tw_count, s->max_tw_buckets,
		    pct(p, sizeof(p), s->tw_count, s->max_tw_buckets));
	else
		row_value("entries", s->tw_count, "");
	printf("Sysctls\n");
	if (s->tw_reuse != STATS_ABSENT)
		row("tcp_tw_reuse", "%lld (%s)", s->tw_reuse,
		    reuse_meaning(s->tw_reuse));
	else
		row("tcp_tw_reuse", "-");
	row_value("tcp_tw_reuse_delay", s->tw_reuse_delay_ms, "ms");
	row_value("tcp_timestamps", s->timestamps, "");
	row_value("tcp_fin_timeout", s->fin_timeout, "s");
	if (s->tw_recycle != STATS_ABSENT)
		row_value("tcp_tw_recycle", s->tw_recycle, "");
	if (range)
		row("ip_local_port_range", "%lld-%lld (%u ports)", s->port_lo,
		    s->port_hi, range);
	else
		row("ip_local_port_range", "-");
	printf("TcpExt counters (since boot, this netns)\n");
	row_value("TW", s->tw, "");
	row_value("TWKilled", s->tw_killed, "");
	row_value("TWRecycled", s->tw_recycled, "");
	row_value("TCPTimeWaitOverflow", s->tw_overflow, "");

	if (!s->module) {
		printf("\nmodule not loaded: per-destination figures need it: modprobe twctl\n");
	} else if (s->ndests) {
		printf("\nDestinations (top %u; new/s over the last %us; steady state = new/s x %ds)\n",
		       top, s->window_s, STATS_TW_LIFETIME_S);
		table_init(&t, cols, 5);
		for (i = 0; i < s->ndests && i < top; i++) {
			const struct stats_dest *d = &s->dests[i];
			char count[16], eph[64], rate[32], cells_need[64];
			const char *cells[5];

			snprintf(count, sizeof(count), "%u", d->count);
			snprintf(eph, sizeof(eph), "%u/%u (%s)", d->ephemeral,
				 range, pct(p, sizeof(p), d->ephemeral, range));
			snprintf(rate, sizeof(rate), "%.1f",
				 stats_dest_rate(s, d));
			snprintf(need, sizeof(need), "%.0f",
				 stats_dest_steady(s, d));
			snprintf(cells_need, sizeof(cells_need), "%s (%s)",
				 need, pct(p, sizeof(p),
					   stats_dest_steady(s, d), range));
			cells[0] = format_addr_port(dest, sizeof(dest),
						    d->family, d->raddr,
						    d->rport);
			cells[1] = count;
			cells[2] = eph;
			cells[3] = rate;
			cells[4] = cells_need;
			table_add(&t, cells);
		}
		table_print(&t, stdout, !g_opts.no_header);
		table_free(&t);
	} else {
		printf("\nNo TIME_WAIT entries towards any destination.\n");
	}

	printf("\nAdvice\n");
	if (!a->n)
		printf("  none: no problem found\n");
	for (i = 0; i < a->n; i++)
		printf("  - %s\n", a->line[i]);
}

static void json_ll(struct json *j, const char *key, long long v)
{
	if (v == STATS_ABSENT)
		json_null(j, key);
	else
		json_u64(j, key, (uint64_t)v);
}

static void json_double(struct json *j, const char *key, double v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%.3f", v);
	json_number(j, key, buf);
}

static void print_json(const struct tw_stats *s, unsigned int top,
		       const struct stats_advice *a)
{
	char addr[ADDR_STRLEN];
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_open_object(&j, NULL);
	json_ll(&j, "tw_count", s->tw_count);
	json_open_object(&j, "sysctl");
	json_ll(&j, "tcp_max_tw_buckets", s->max_tw_buckets);
	json_ll(&j, "tcp_tw_reuse", s->tw_reuse);
	json_ll(&j, "tcp_tw_reuse_delay_ms", s->tw_reuse_delay_ms);
	json_ll(&j, "tcp_timestamps", s->timestamps);
	json_ll(&j, "tcp_fin_timeout", s->fin_timeout);
	if (s->tw_recycle != STATS_ABSENT)
		json_ll(&j, "tcp_tw_recycle", s->tw_recycle);
	json_ll(&j, "ip_local_port_range_lo", s->port_lo);
	json_ll(&j, "ip_local_port_range_hi", s->port_hi);
	json_close_object(&j);
	json_open_object(&j, "tcpext");
	json_ll(&j, "TW", s->tw);
	json_ll(&j, "TWKilled", s->tw_killed);
	json_ll(&j, "TWRecycled", s->tw_recycled);
	json_ll(&j, "TCPTimeWaitOverflow", s->tw_overflow);
	json_close_object(&j);
	json_bool(&j, "module", s->module);
	if (s->module) {
		json_bool(&j, "capture_active", s->capture_active);
		json_u64(&j, "window_s", s->window_s);
		json_open_array(&j, "destinations");
		for (i = 0; i < s->ndests && i < top; i++) {
			const struct stats_dest *d = &s->dests[i];

			json_open_object(&j, NULL);
			json_string(&j, "family", family_name(d->family) ?
				    family_name(d->family) : "?");
			json_string(&j, "raddr", format_addr(addr, sizeof(addr),
							     d->family,
							     d->raddr));
			json_u64(&j, "rport", d->rport);
			json_u64(&j, "count", d->count);
			json_u64(&j, "ephemeral", d->ephemeral);
			json_u64(&j, "ephemeral_range", stats_range_size(s));
			json_u64(&j, "young", d->young);
			json_double(&j, "rate_per_s", stats_dest_rate(s, d));
			json_double(&j, "steady_state_ports",
				    stats_dest_steady(s, d));
			json_close_object(&j);
		}
		json_close_array(&j);
		json_open_array(&j, "local_ports");
		for (i = 0; i < s->nports && i < top; i++) {
			json_open_object(&j, NULL);
			json_u64(&j, "lport", s->ports[i].lport);
			json_u64(&j, "count", s->ports[i].count);
			json_close_object(&j);
		}
		json_close_array(&j);
	}
	json_open_array(&j, "advice");
	for (i = 0; i < a->n; i++)
		json_string(&j, NULL, a->line[i]);
	json_close_array(&j);
	json_close_object(&j);
	putchar('\n');
}

/*
 * -s: one fact per line, tab-separated, its kind first; "-" for what the
 * kernel lacks. Field order is fixed (see twctl(8)).
 */
static void script_ll(const char *kind, const char *key, long long v)
{
	if (v == STATS_ABSENT)
		printf("%s\t%s\t-\n", kind, key);
	else
		printf("%s\t%s\t%lld\n", kind, key, v);
}

static void print_script(const struct tw_stats *s, unsigned int top,
			 const struct stats_advice *a)
{
	char addr[ADDR_STRLEN];
	size_t i;

	script_ll("count", "tw_count", s->tw_count);
	script_ll("sysctl", "tcp_max_tw_buckets", s->max_tw_buckets);
	script_ll("sysctl", "tcp_tw_reuse", s->tw_reuse);
	script_ll("sysctl", "tcp_tw_reuse_delay_ms", s->tw_reuse_delay_ms);
	script_ll("sysctl", "tcp_timestamps", s->timestamps);
	script_ll("sysctl", "tcp_fin_timeout", s->fin_timeout);
	script_ll("sysctl", "ip_local_port_range_lo", s->port_lo);
	script_ll("sysctl", "ip_local_port_range_hi", s->port_hi);
	script_ll("tcpext", "TW", s->tw);
	script_ll("tcpext", "TWKilled", s->tw_killed);
	script_ll("tcpext", "TWRecycled", s->tw_recycled);
	script_ll("tcpext", "TCPTimeWaitOverflow", s->tw_overflow);
	script_ll("module", "loaded", s->module);
	/* dest family raddr rport count ephemeral range young rate steady */
	for (i = 0; s->module && i < s->ndests && i < top; i++) {
		const struct stats_dest *d = &s->dests[i];

		printf("dest\t%s\t%s\t%u\t%u\t%u\t%u\t%u\t%.3f\t%.1f\n",
		       family_name(d->family) ? family_name(d->family) : "?",
		       format_addr(addr, sizeof(addr), d->family, d->raddr),
		       d->rport, d->count, d->ephemeral, stats_range_size(s),
		       d->young, stats_dest_rate(s, d),
		       stats_dest_steady(s, d));
	}
	/* lport port count */
	for (i = 0; s->module && i < s->nports && i < top; i++)
		printf("lport\t%u\t%u\n", s->ports[i].lport, s->ports[i].count);
	for (i = 0; i < a->n; i++)
		printf("advice\t%s\n", a->line[i]);
}

/* --- the command ---------------------------------------------------------- */

enum {
	OPT_PROMETHEUS = 0x100,
	OPT_TOP,
	OPT_WINDOW,
};

struct stats_opts {
	bool prometheus, help;
	const char *out;
	uint32_t top, window_s;
};

static int stats_parse(int argc, char **argv, struct stats_opts *o)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "prometheus", no_argument, NULL, OPT_PROMETHEUS },
		{ "output", required_argument, NULL, 'o' },
		{ "top", required_argument, NULL, OPT_TOP },
		{ "window", required_argument, NULL, OPT_WINDOW },
		{ NULL, 0, NULL, 0 }
	};
	int c, r;

	memset(o, 0, sizeof(*o));
	o->top = STATS_TOP_DEFAULT;
	o->window_s = STATS_WINDOW_DEFAULT_S;
	options_reset();
	while ((c = options_next(argc, argv, COMMON_SHORTOPTS "o:", longopts,
				 "stats")) != -1) {
		r = common_option("stats", c, argv, &o->help);
		if (r < 0)
			return -1;
		if (r == 0)
			continue;
		switch (c) {
		case OPT_PROMETHEUS:
			o->prometheus = true;
			break;
		case 'o':
			o->out = optarg;
			break;
		case OPT_TOP:
			if (parse_count("--top", optarg, 1, 1000, &o->top))
				return -1;
			break;
		case OPT_WINDOW:
			/* An entry older than 60 s is gone: no rate beyond. */
			if (parse_count("--window", optarg, 1,
					STATS_TW_LIFETIME_S, &o->window_s))
				return -1;
			break;
		default:
			return fail_usage("stats", "stats: unexpected option");
		}
	}
	if (o->help)
		return 0;
	if (no_arguments("stats", argc, argv) || options_check())
		return -1;
	if (o->out && !o->prometheus)
		return fail_usage("stats", "stats: -o needs --prometheus");
	if (o->prometheus && (g_opts.json || g_opts.script))
		return fail_usage("stats", "stats: --prometheus excludes -j and -s");
	return 0;
}

int cmd_stats(int argc, char **argv)
{
	struct stats_advice advice;
	struct stats_opts o;
	struct tw_stats s;
	int r = -1;

	if (stats_parse(argc, argv, &o))
		return -1;
	if (o.help) {
		command_usage(stdout, command_find("stats"));
		return 0;
	}
	/* First: /proc/sys/net and /proc/net show the caller's netns. */
	if (g_opts.netns && netns_enter(g_opts.netns))
		return -1;
	memset(&s, 0, sizeof(s));
	s.window_s = o.window_s;
	if (stats_collect(&s, o.top))
		goto out;
	if (o.prometheus) {
		if (o.out)
			r = stats_prom_write_file(o.out, &s, o.top);
		else
			r = stats_prom_write(stdout, &s, o.top);
		goto out;
	}
	stats_advise(&s, &advice);
	switch (output_format()) {
	case OUTPUT_JSON:
		print_json(&s, o.top, &advice);
		break;
	case OUTPUT_SCRIPT:
		print_script(&s, o.top, &advice);
		break;
	case OUTPUT_TABLE:
		print_table(&s, o.top, &advice);
		break;
	}
	r = 0;
out:
	stats_free(&s);
	return r;
}

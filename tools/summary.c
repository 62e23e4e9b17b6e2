// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * summary.c - `twctl summary`: entries counted per port, peer or
 * destination. The kernel aggregates; we only format its groups. The
 * `dest` grouping is the port-exhaustion view: how much of the ephemeral
 * port range the TIME_WAIT entries towards one peer address:port hold.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/genetlink.h>

#include "commands.h"
#include "error.h"
#include "format.h"
#include "netlink.h"
#include "netns_names.h"

enum {
	OPT_BY = OPT_FILTER_LAST,
	OPT_TOP,
	OPT_ALL_NETNS,
};

static const char *const group_by_names[] = {
	[TWCTL_GROUP_BY_LPORT] = "lport",
	[TWCTL_GROUP_BY_RPORT] = "rport",
	[TWCTL_GROUP_BY_RADDR] = "raddr",
	[TWCTL_GROUP_BY_DEST] = "dest",
	[TWCTL_GROUP_BY_NETNS] = "netns",
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Bounded by the array, not by TWCTL_GROUP_BY_MAX: a newer uapi header
 * may know groupings this tool has no name for (their slots past the
 * array's end do not exist, and a gap inside it is NULL).
 */
int group_by_parse(const char *s, uint8_t *by)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(group_by_names); i++) {
		if (group_by_names[i] && !strcmp(s, group_by_names[i])) {
			*by = i;
			return 0;
		}
	}
	return fail(EXIT_USAGE,
		    "--by: '%s' is not a grouping (lport, rport, raddr, dest, netns)",
		    s);
}

int summary_parse(int argc, char **argv, struct summary_opts *o)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		FILTER_LONGOPTS,
		{ "by", required_argument, NULL, OPT_BY },
		{ "top", required_argument, NULL, OPT_TOP },
		{ "all-netns", no_argument, NULL, OPT_ALL_NETNS },
		{ NULL, 0, NULL, 0 }
	};
	int c, r;

	memset(o, 0, sizeof(*o));
	o->group_by = TWCTL_GROUP_BY_DEST;
	options_reset();
	while ((c = options_next(argc, argv,
				 COMMON_SHORTOPTS FILTER_SHORTOPTS,
				 longopts, "summary")) != -1) {
		r = common_or_filter_option("summary", &o->filter, c, argv,
					    &o->help);
		if (r < 0)
			return -1;
		if (r == 0)
			continue;
		switch (c) {
		case OPT_BY:
			if (group_by_parse(optarg, &o->group_by))
				return -1;
			break;
		case OPT_TOP:
			if (parse_count("--top", optarg, 1, TWCTL_LIMIT_MAX,
					&o->top))
				return -1;
			break;
		case OPT_ALL_NETNS:
			o->all_netns = true;
			break;
		}
	}
	if (common_or_filter_check("summary", &o->filter, argc, argv, o->help))
		return -1;
	if (o->help)
		return 0;
	return 0;
}

/* --- decoding --------------------------------------------------------- */

static const int group_attr_len[TWCTL_GROUP_A_MAX + 1] = {
	[TWCTL_GROUP_A_FAMILY] = 1,
	[TWCTL_GROUP_A_LPORT] = 2,
	[TWCTL_GROUP_A_RADDR] = -1,
	[TWCTL_GROUP_A_RPORT] = 2,
	[TWCTL_GROUP_A_COUNT] = 4,
	[TWCTL_GROUP_A_MAX_AGE_MS] = 4,
	[TWCTL_GROUP_A_MIN_REMAINING_MS] = 4,
	[TWCTL_GROUP_A_RECYCLE_ELIGIBLE] = 4,
	[TWCTL_GROUP_A_EPHEMERAL] = 4,
	[TWCTL_GROUP_A_EPHEMERAL_RANGE] = 4,
	[TWCTL_GROUP_A_NETNS] = 4,
};

struct group_ctx {
	struct tw_group *g;
	unsigned int raddr_len;
};

static int group_attr_cb(const struct nlattr *a, void *data)
{
	struct group_ctx *ctx = data;
	struct tw_group *g = ctx->g;
	unsigned int type = mnl_attr_get_type(a);
	unsigned int len = mnl_attr_get_payload_len(a);
	int want;

	if (type > TWCTL_GROUP_A_MAX || type <= TWCTL_GROUP_A_PAD)
		return MNL_CB_OK;
	want = group_attr_len[type];
	if (want < 0 ? (len != 4 && len != 16) : len != (unsigned int)want) {
		fail(EXIT_FAIL,
		     "malformed group from the kernel: attribute %u has %u bytes",
		     type, len);
		return MNL_CB_ERROR;
	}
	g->present |= 1U << type;

	switch (type) {
	case TWCTL_GROUP_A_FAMILY:	g->family = mnl_attr_get_u8(a); break;
	case TWCTL_GROUP_A_LPORT:	g->lport = mnl_attr_get_u16(a); break;
	case TWCTL_GROUP_A_RADDR:
		memcpy(g->raddr, mnl_attr_get_payload(a), len);
		ctx->raddr_len = len;
		break;
	case TWCTL_GROUP_A_RPORT:	g->rport = mnl_attr_get_u16(a); break;
	case TWCTL_GROUP_A_COUNT:	g->count = mnl_attr_get_u32(a); break;
	case TWCTL_GROUP_A_MAX_AGE_MS:	g->max_age_ms = mnl_attr_get_u32(a); break;
	case TWCTL_GROUP_A_MIN_REMAINING_MS:
		g->min_remaining_ms = mnl_attr_get_u32(a); break;
	case TWCTL_GROUP_A_RECYCLE_ELIGIBLE:
		g->eligible = mnl_attr_get_u32(a); break;
	case TWCTL_GROUP_A_EPHEMERAL:	g->ephemeral = mnl_attr_get_u32(a); break;
	case TWCTL_GROUP_A_EPHEMERAL_RANGE:
		g->ephemeral_range = mnl_attr_get_u32(a); break;
	case TWCTL_GROUP_A_NETNS:	g->netns = mnl_attr_get_u32(a); break;
	}
	return MNL_CB_OK;
}

int group_parse_msg(const struct nlmsghdr *nlh, struct tw_group *g)
{
	const struct nlattr *a;

	memset(g, 0, sizeof(*g));
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		struct group_ctx ctx = { .g = g };

		if (mnl_attr_get_type(a) != TWCTL_A_GROUP)
			continue;
		if (mnl_attr_parse_nested(a, group_attr_cb, &ctx) != MNL_CB_OK)
			return -1;
		if (GROUP_HAS(g, TWCTL_GROUP_A_RADDR) &&
		    (!GROUP_HAS(g, TWCTL_GROUP_A_FAMILY) ||
		     (g->family != AF_INET && g->family != AF_INET6) ||
		     ctx.raddr_len != family_addr_len(g->family)))
			return fail(EXIT_FAIL,
				    "malformed group from the kernel: address does not match its family");
		return 0;
	}
	return fail(EXIT_FAIL, "malformed reply from the kernel: no group in it");
}

/* --- rendering -------------------------------------------------------- */

#define GROUP_STAT_COLUMNS				\
	{ "Count", true },				\
	{ "Oldest", true },				\
	{ "Soonest expiry", true },			\
	{ "Eligible", true }

static const struct column lport_columns[] = {
	{ "Local Port", true }, GROUP_STAT_COLUMNS,
};
static const struct column rport_columns[] = {
	{ "Peer Port", true }, GROUP_STAT_COLUMNS,
};
static const struct column raddr_columns[] = {
	{ "Peer Address", false }, GROUP_STAT_COLUMNS,
};
static const struct column netns_columns[] = {
	{ "Netns", false }, GROUP_STAT_COLUMNS,
};
static const struct column dest_columns[] = {
	{ "Peer Address:Port", false }, GROUP_STAT_COLUMNS,
	{ "Ephemeral ports used", true },
};

#define NCOLS(c) (sizeof(c) / sizeof((c)[0]))

static const char *u32_or_dash(char *buf, size_t len, bool has, uint32_t v)
{
	if (!has)
		return "-";
	snprintf(buf, len, "%u", v);
	return buf;
}

static const char *duration_or_dash(char *buf, size_t len, bool has,
				    uint32_t v)
{
	return has ? format_duration(buf, len, v) : "-";
}

static bool has_pct(const struct tw_group *g)
{
	return GROUP_HAS(g, TWCTL_GROUP_A_EPHEMERAL) &&
	       GROUP_HAS(g, TWCTL_GROUP_A_EPHEMERAL_RANGE) &&
	       g->ephemeral_range;
}

static void format_pct(char *buf, size_t len, const struct tw_group *g)
{
	snprintf(buf, len, "%.1f", 100.0 * g->ephemeral / g->ephemeral_range);
}

static void group_table_add(struct group_out *o, const struct tw_group *g)
{
	char key[ADDRPORT_STRLEN], count[16], age[DURATION_STRLEN];
	char rem[DURATION_STRLEN], elig[16], eph[64], pct[16];
	char netns[NETNS_NAME_LEN];
	const char *cells[6];

	/* u32_or_dash() returns "-" without touching key: use its result. */
	switch (o->group_by) {
	case TWCTL_GROUP_BY_LPORT:
		cells[0] = u32_or_dash(key, sizeof(key),
				       GROUP_HAS(g, TWCTL_GROUP_A_LPORT),
				       g->lport);
		break;
	case TWCTL_GROUP_BY_RPORT:
		cells[0] = u32_or_dash(key, sizeof(key),
				       GROUP_HAS(g, TWCTL_GROUP_A_RPORT),
				       g->rport);
		break;
	case TWCTL_GROUP_BY_RADDR:
		cells[0] = format_addr(key, sizeof(key), g->family, g->raddr);
		break;
	case TWCTL_GROUP_BY_NETNS:
		cells[0] = GROUP_HAS(g, TWCTL_GROUP_A_NETNS) ?
			   netns_name(g->netns, netns) : "-";
		break;
	default:
		cells[0] = format_addr_port(key, sizeof(key), g->family,
					    g->raddr, g->rport);
		break;
	}
	cells[1] = u32_or_dash(count, sizeof(count),
			       GROUP_HAS(g, TWCTL_GROUP_A_COUNT), g->count);
	cells[2] = duration_or_dash(age, sizeof(age),
				    GROUP_HAS(g, TWCTL_GROUP_A_MAX_AGE_MS),
				    g->max_age_ms);
	cells[3] = duration_or_dash(rem, sizeof(rem),
				    GROUP_HAS(g, TWCTL_GROUP_A_MIN_REMAINING_MS),
				    g->min_remaining_ms);
	cells[4] = u32_or_dash(elig, sizeof(elig),
			       GROUP_HAS(g, TWCTL_GROUP_A_RECYCLE_ELIGIBLE),
			       g->eligible);
	cells[5] = "-";
	if (has_pct(g)) {
		format_pct(pct, sizeof(pct), g);
		snprintf(eph, sizeof(eph), "%u/%u (%s%%)", g->ephemeral,
			 g->ephemeral_range, pct);
		cells[5] = eph;
	}
	table_add(&o->table, cells);
}

static void group_json(struct json *j, uint8_t by, const struct tw_group *g)
{
	char a[ADDR_STRLEN], pct[16], netns[NETNS_NAME_LEN];

	json_open_object(j, NULL);
	(void)by;	/* the kernel sends exactly the key attributes */
	if (GROUP_HAS(g, TWCTL_GROUP_A_NETNS))
		json_string(j, "netns", netns_name(g->netns, netns));
	if (GROUP_HAS(g, TWCTL_GROUP_A_LPORT))
		json_u64(j, "lport", g->lport);
	if (GROUP_HAS(g, TWCTL_GROUP_A_RADDR)) {
		json_string(j, "family", family_name(g->family));
		json_string(j, "remote",
			    format_addr(a, sizeof(a), g->family, g->raddr));
	}
	if (GROUP_HAS(g, TWCTL_GROUP_A_RPORT))
		json_u64(j, "rport", g->rport);
	if (GROUP_HAS(g, TWCTL_GROUP_A_COUNT))
		json_u64(j, "count", g->count);
	if (GROUP_HAS(g, TWCTL_GROUP_A_MAX_AGE_MS))
		json_u64(j, "max_age_ms", g->max_age_ms);
	if (GROUP_HAS(g, TWCTL_GROUP_A_MIN_REMAINING_MS))
		json_u64(j, "min_remaining_ms", g->min_remaining_ms);
	if (GROUP_HAS(g, TWCTL_GROUP_A_RECYCLE_ELIGIBLE))
		json_u64(j, "eligible", g->eligible);
	if (GROUP_HAS(g, TWCTL_GROUP_A_EPHEMERAL))
		json_u64(j, "ephemeral", g->ephemeral);
	if (GROUP_HAS(g, TWCTL_GROUP_A_EPHEMERAL_RANGE))
		json_u64(j, "ephemeral_range", g->ephemeral_range);
	if (has_pct(g)) {
		format_pct(pct, sizeof(pct), g);
		json_number(j, "ephemeral_pct", pct);
	}
	json_close_object(j);
}

static void script_u32(FILE *f, bool has, uint32_t v)
{
	if (has)
		fprintf(f, "%u", v);
	else
		fputc('-', f);
}

/*
 * The -s format: the group key (lport | rport | family remote |
 * family remote rport), then count, max_age_ms, min_remaining_ms,
 * eligible and, for dest, ephemeral and ephemeral_range. Tab-separated,
 * "-" for a value the kernel did not send.
 */
static void group_script(FILE *f, uint8_t by, const struct tw_group *g)
{
	char a[NETNS_NAME_LEN];	/* an address or a netns name */

	switch (by) {
	case TWCTL_GROUP_BY_LPORT:
		script_u32(f, GROUP_HAS(g, TWCTL_GROUP_A_LPORT), g->lport);
		break;
	case TWCTL_GROUP_BY_RPORT:
		script_u32(f, GROUP_HAS(g, TWCTL_GROUP_A_RPORT), g->rport);
		break;
	case TWCTL_GROUP_BY_NETNS:
		fputs(GROUP_HAS(g, TWCTL_GROUP_A_NETNS) ?
		      netns_name(g->netns, a) : "-", f);
		break;
	default:
		fprintf(f, "%s\t%s", family_name(g->family) ?: "-",
			format_addr(a, sizeof(a), g->family, g->raddr));
		if (by == TWCTL_GROUP_BY_DEST) {
			fputc('\t', f);
			script_u32(f, GROUP_HAS(g, TWCTL_GROUP_A_RPORT),
				   g->rport);
		}
		break;
	}
	fputc('\t', f);
	script_u32(f, GROUP_HAS(g, TWCTL_GROUP_A_COUNT), g->count);
	fputc('\t', f);
	script_u32(f, GROUP_HAS(g, TWCTL_GROUP_A_MAX_AGE_MS), g->max_age_ms);
	fputc('\t', f);
	script_u32(f, GROUP_HAS(g, TWCTL_GROUP_A_MIN_REMAINING_MS),
		   g->min_remaining_ms);
	fputc('\t', f);
	script_u32(f, GROUP_HAS(g, TWCTL_GROUP_A_RECYCLE_ELIGIBLE),
		   g->eligible);
	if (by == TWCTL_GROUP_BY_DEST) {
		fputc('\t', f);
		script_u32(f, GROUP_HAS(g, TWCTL_GROUP_A_EPHEMERAL),
			   g->ephemeral);
		fputc('\t', f);
		script_u32(f, GROUP_HAS(g, TWCTL_GROUP_A_EPHEMERAL_RANGE),
			   g->ephemeral_range);
	}
	fputc('\n', f);
}

int group_out_init(struct group_out *o, enum output_format fmt,
		   uint8_t group_by)
{
	const struct column *cols;
	unsigned int n;

	memset(o, 0, sizeof(*o));
	o->fmt = fmt;
	o->group_by = group_by;
	switch (group_by) {
	case TWCTL_GROUP_BY_LPORT:
		cols = lport_columns; n = NCOLS(lport_columns); break;
	case TWCTL_GROUP_BY_RPORT:
		cols = rport_columns; n = NCOLS(rport_columns); break;
	case TWCTL_GROUP_BY_RADDR:
		cols = raddr_columns; n = NCOLS(raddr_columns); break;
	case TWCTL_GROUP_BY_NETNS:
		cols = netns_columns; n = NCOLS(netns_columns); break;
	default:
		cols = dest_columns; n = NCOLS(dest_columns); break;
	}
	table_init(&o->table, cols, n);
	return 0;
}

/* Set when a message says the kernel left groups out (TWCTL_A_TRUNCATED). */
static bool summary_truncated;

int group_out_reset(void *data)
{
	struct group_out *o = data;

	summary_truncated = false;
	o->count = 0;
	table_reset(&o->table);
	return 0;
}

int group_out_msg(const struct nlmsghdr *nlh, void *data)
{
	struct group_out *o = data;
	const struct nlattr *a;
	struct tw_group g;

	if (group_parse_msg(nlh, &g))
		return -1;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == TWCTL_A_TRUNCATED)
			summary_truncated = true;
	if (o->count == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 64;
		struct tw_group *v = realloc(o->v, cap * sizeof(*v));

		if (!v)
			return fail(EXIT_FAIL, "out of memory holding %lu groups",
				    o->count);
		o->v = v;
		o->cap = cap;
	}
	o->v[o->count++] = g;
	return 0;
}

int group_out_print(struct group_out *o, FILE *out)
{
	struct json j;
	unsigned long i;

	switch (o->fmt) {
	case OUTPUT_TABLE:
		for (i = 0; i < o->count; i++)
			group_table_add(o, &o->v[i]);
		return table_print(&o->table, out, !g_opts.no_header);
	case OUTPUT_JSON:
		json_init(&j, out);
		j.pretty = g_opts.pretty;
		json_open_array(&j, NULL);
		for (i = 0; i < o->count; i++)
			group_json(&j, o->group_by, &o->v[i]);
		json_close_array(&j);
		fputc('\n', out);
		break;
	case OUTPUT_SCRIPT:
		for (i = 0; i < o->count; i++)
			group_script(out, o->group_by, &o->v[i]);
		break;
	}
	return 0;
}

void group_out_free(struct group_out *o)
{
	table_free(&o->table);
	free(o->v);
	o->v = NULL;
}

void summary_put_request(struct nlmsghdr *req, const struct summary_opts *o)
{
	mnl_attr_put_u8(req, TWCTL_A_GROUP_BY, o->group_by);
	filter_put(req, &o->filter);
	if (o->top)
		mnl_attr_put_u32(req, TWCTL_A_LIMIT, o->top);
	if (o->all_netns)
		mnl_attr_put(req, TWCTL_A_ALL_NETNS, 0, NULL);
}

int cmd_summary(int argc, char **argv)
{
	struct summary_opts o;
	struct group_out out;
	struct nlmsghdr *req;
	struct nl nl;
	int r = -1;

	if (summary_parse(argc, argv, &o))
		return -1;
	if (o.help) {
		command_usage(stdout, command_find("summary"));
		return 0;
	}
	if (nl_open(&nl, g_opts.netns))
		return -1;
	if (group_out_init(&out, output_format(), o.group_by))
		goto out_nl;

	req = nl_request(&nl, TWCTL_CMD_GET_SUMMARY, 0);
	summary_put_request(req, &o);

	if (nl_dump(&nl, req, group_out_msg, group_out_reset, &out))
		goto out;
	if (group_out_print(&out, stdout))
		goto out;
	if (summary_truncated)
		fprintf(stderr, "twctl: warning: more than %u groups; entries of the others are not counted\n",
			TWCTL_SUMMARY_GROUPS_MAX);
	r = 0;
out:
	group_out_free(&out);
out_nl:
	nl_close(&nl);
	return r;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* filter.c - entry filter options and their netlink form (see filter.h). */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "error.h"
#include "filter.h"
#include "format.h"

#define BIT(a) (1U << (a))

static int set_family(struct tw_filter *f, uint8_t family)
{
	if (FILTER_HAS(f, TWCTL_FILTER_A_FAMILY) && f->family != family)
		return fail(EXIT_USAGE,
			    "-4 and -6 cannot be combined (give neither for both families)");
	f->family = family;
	f->present |= BIT(TWCTL_FILTER_A_FAMILY);
	return 0;
}

static int once(struct tw_filter *f, unsigned int attr, const char *opt)
{
	/* For kill, a second --lport silently replacing the first is scary. */
	if (FILTER_HAS(f, attr))
		return fail(EXIT_USAGE, "%s given twice", opt);
	return 0;
}

static int set_ports(struct tw_filter *f, unsigned int min_attr,
		     const char *opt, const char *arg, uint16_t *lo,
		     uint16_t *hi)
{
	if (once(f, min_attr, opt) || parse_port_range(opt, arg, lo, hi))
		return -1;
	/* The uapi says MIN alone means exactly MIN. */
	f->present |= BIT(min_attr);
	if (*lo != *hi)
		f->present |= BIT(min_attr + 1);
	return 0;
}

static int set_prefix(struct tw_filter *f, unsigned int attr,
		      const char *opt, const char *arg, struct tw_prefix *p)
{
	if (once(f, attr, opt) || parse_prefix(opt, arg, p))
		return -1;
	f->present |= BIT(attr);
	if (p->bits < family_addr_len(p->family) * 8)
		f->present |= BIT(attr + 1);	/* the _PREFIX attribute */
	return 0;
}

static int set_duration(struct tw_filter *f, unsigned int attr,
			const char *opt, const char *arg, uint32_t *ms)
{
	if (once(f, attr, opt) || parse_duration_ms(opt, arg, ms))
		return -1;
	f->present |= BIT(attr);
	return 0;
}

int filter_option(struct tw_filter *f, int opt, const char *arg)
{
	switch (opt) {
	case '4':
		return set_family(f, AF_INET);
	case '6':
		return set_family(f, AF_INET6);
	case OPT_LPORT:
		return set_ports(f, TWCTL_FILTER_A_LPORT_MIN, "--lport", arg,
				 &f->lport_min, &f->lport_max);
	case OPT_RPORT:
		return set_ports(f, TWCTL_FILTER_A_RPORT_MIN, "--rport", arg,
				 &f->rport_min, &f->rport_max);
	case OPT_LADDR:
		return set_prefix(f, TWCTL_FILTER_A_LADDR, "--laddr", arg,
				  &f->laddr);
	case OPT_RADDR:
		return set_prefix(f, TWCTL_FILTER_A_RADDR, "--raddr", arg,
				  &f->raddr);
	case OPT_STATE:
		if (parse_state("--state", arg, &f->states))
			return -1;
		f->present |= BIT(TWCTL_FILTER_A_STATES);
		return 0;
	case OPT_EXPIRING_WITHIN:
		return set_duration(f, TWCTL_FILTER_A_REMAINING_MAX_MS,
				    "--expiring-within", arg,
				    &f->remaining_max_ms);
	case OPT_EXPIRING_AFTER:
		return set_duration(f, TWCTL_FILTER_A_REMAINING_MIN_MS,
				    "--expiring-after", arg,
				    &f->remaining_min_ms);
	case OPT_OLDER_THAN:
		return set_duration(f, TWCTL_FILTER_A_AGE_MIN_MS,
				    "--older-than", arg, &f->age_min_ms);
	case OPT_COOKIE:
		if (once(f, TWCTL_FILTER_A_COOKIE, "--cookie") ||
		    parse_cookie("--cookie", arg, &f->cookie))
			return -1;
		f->present |= BIT(TWCTL_FILTER_A_COOKIE);
		return 0;
	case OPT_ELIGIBLE:
		f->present |= BIT(TWCTL_FILTER_A_RECYCLE_ELIGIBLE);
		return 0;
	case OPT_REUSABLE:
		f->present |= BIT(TWCTL_FILTER_A_REUSE_ELIGIBLE);
		return 0;
	}
	return 1;
}

/* Could an IPv4-mapped address (::ffff:0:0/96) fall inside p? */
static bool prefix_may_be_mapped(const struct tw_prefix *p)
{
	static const uint8_t mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};
	unsigned int bits = p->bits < 96 ? p->bits : 96;
	unsigned int i;

	for (i = 0; i < bits; i++) {
		uint8_t m = 0x80 >> (i % 8);

		if ((p->addr[i / 8] & m) != (mapped[i / 8] & m))
			return false;
	}
	return true;
}

int filter_check(const struct tw_filter *f)
{
	bool has_l = FILTER_HAS(f, TWCTL_FILTER_A_LADDR);
	bool has_r = FILTER_HAS(f, TWCTL_FILTER_A_RADDR);
	char a[ADDR_STRLEN], b[DURATION_STRLEN], c[DURATION_STRLEN];

	if (FILTER_HAS(f, TWCTL_FILTER_A_FAMILY) && f->family == AF_INET) {
		if (has_l && f->laddr.family == AF_INET6)
			return fail(EXIT_USAGE,
				    "--laddr %s is an IPv6 address, but -4 selects IPv4 entries only",
				    format_addr(a, sizeof(a), AF_INET6,
						f->laddr.addr));
		if (has_r && f->raddr.family == AF_INET6)
			return fail(EXIT_USAGE,
				    "--raddr %s is an IPv6 address, but -4 selects IPv4 entries only",
				    format_addr(a, sizeof(a), AF_INET6,
						f->raddr.addr));
	}
	/*
	 * The kernel refuses -6 with an IPv4 address too: an IPv4 filter
	 * means "IPv4 or IPv4-mapped". Say how to ask for mapped entries.
	 */
	if (FILTER_HAS(f, TWCTL_FILTER_A_FAMILY) && f->family == AF_INET6) {
		if (has_l && f->laddr.family == AF_INET)
			return fail(EXIT_USAGE,
				    "--laddr %s is an IPv4 address, but -6 selects IPv6 entries only (write ::ffff:%s for IPv4-mapped ones)",
				    format_addr(a, sizeof(a), AF_INET,
						f->laddr.addr), a);
		if (has_r && f->raddr.family == AF_INET)
			return fail(EXIT_USAGE,
				    "--raddr %s is an IPv4 address, but -6 selects IPv6 entries only (write ::ffff:%s for IPv4-mapped ones)",
				    format_addr(a, sizeof(a), AF_INET,
						f->raddr.addr), a);
	}

	/* An IPv4 filter also matches mapped entries, so only pure v6 clashes. */
	if (has_l && has_r && f->laddr.family != f->raddr.family) {
		const struct tw_prefix *v6 = f->laddr.family == AF_INET6 ?
					     &f->laddr : &f->raddr;

		if (!prefix_may_be_mapped(v6))
			return fail(EXIT_USAGE,
				    "--laddr and --raddr are of different families (IPv4 and IPv6); no entry can match both");
	}

	if (FILTER_HAS(f, TWCTL_FILTER_A_REMAINING_MIN_MS) &&
	    FILTER_HAS(f, TWCTL_FILTER_A_REMAINING_MAX_MS) &&
	    f->remaining_min_ms > f->remaining_max_ms)
		return fail(EXIT_USAGE,
			    "--expiring-after %s is later than --expiring-within %s; nothing can match",
			    format_duration_arg(b, sizeof(b), f->remaining_min_ms),
			    format_duration_arg(c, sizeof(c), f->remaining_max_ms));
	return 0;
}

bool filter_empty(const struct tw_filter *f)
{
	return f->present == 0;
}

void filter_put(struct nlmsghdr *nlh, const struct tw_filter *f)
{
	struct nlattr *nest;

	if (filter_empty(f))
		return;
	nest = mnl_attr_nest_start(nlh, TWCTL_A_FILTER);

	if (FILTER_HAS(f, TWCTL_FILTER_A_FAMILY))
		mnl_attr_put_u8(nlh, TWCTL_FILTER_A_FAMILY, f->family);
	if (FILTER_HAS(f, TWCTL_FILTER_A_LPORT_MIN))
		mnl_attr_put_u16(nlh, TWCTL_FILTER_A_LPORT_MIN, f->lport_min);
	if (FILTER_HAS(f, TWCTL_FILTER_A_LPORT_MAX))
		mnl_attr_put_u16(nlh, TWCTL_FILTER_A_LPORT_MAX, f->lport_max);
	if (FILTER_HAS(f, TWCTL_FILTER_A_RPORT_MIN))
		mnl_attr_put_u16(nlh, TWCTL_FILTER_A_RPORT_MIN, f->rport_min);
	if (FILTER_HAS(f, TWCTL_FILTER_A_RPORT_MAX))
		mnl_attr_put_u16(nlh, TWCTL_FILTER_A_RPORT_MAX, f->rport_max);
	if (FILTER_HAS(f, TWCTL_FILTER_A_LADDR))
		mnl_attr_put(nlh, TWCTL_FILTER_A_LADDR,
			     family_addr_len(f->laddr.family), f->laddr.addr);
	if (FILTER_HAS(f, TWCTL_FILTER_A_LADDR_PREFIX))
		mnl_attr_put_u8(nlh, TWCTL_FILTER_A_LADDR_PREFIX, f->laddr.bits);
	if (FILTER_HAS(f, TWCTL_FILTER_A_RADDR))
		mnl_attr_put(nlh, TWCTL_FILTER_A_RADDR,
			     family_addr_len(f->raddr.family), f->raddr.addr);
	if (FILTER_HAS(f, TWCTL_FILTER_A_RADDR_PREFIX))
		mnl_attr_put_u8(nlh, TWCTL_FILTER_A_RADDR_PREFIX, f->raddr.bits);
	if (FILTER_HAS(f, TWCTL_FILTER_A_STATES))
		mnl_attr_put_u32(nlh, TWCTL_FILTER_A_STATES, f->states);
	if (FILTER_HAS(f, TWCTL_FILTER_A_REMAINING_MAX_MS))
		mnl_attr_put_u32(nlh, TWCTL_FILTER_A_REMAINING_MAX_MS,
				 f->remaining_max_ms);
	if (FILTER_HAS(f, TWCTL_FILTER_A_REMAINING_MIN_MS))
		mnl_attr_put_u32(nlh, TWCTL_FILTER_A_REMAINING_MIN_MS,
				 f->remaining_min_ms);
	if (FILTER_HAS(f, TWCTL_FILTER_A_COOKIE))
		mnl_attr_put_u64(nlh, TWCTL_FILTER_A_COOKIE, f->cookie);
	if (FILTER_HAS(f, TWCTL_FILTER_A_RECYCLE_ELIGIBLE))
		mnl_attr_put(nlh, TWCTL_FILTER_A_RECYCLE_ELIGIBLE, 0, NULL);
	if (FILTER_HAS(f, TWCTL_FILTER_A_REUSE_ELIGIBLE))
		mnl_attr_put(nlh, TWCTL_FILTER_A_REUSE_ELIGIBLE, 0, NULL);
	if (FILTER_HAS(f, TWCTL_FILTER_A_AGE_MIN_MS))
		mnl_attr_put_u32(nlh, TWCTL_FILTER_A_AGE_MIN_MS, f->age_min_ms);

	mnl_attr_nest_end(nlh, nest);
}

/* Expected payload length of each filter attribute; -1 for 4 or 16. */
static const int filter_attr_len[TWCTL_FILTER_A_MAX + 1] = {
	[TWCTL_FILTER_A_FAMILY] = 1,
	[TWCTL_FILTER_A_LPORT_MIN] = 2,
	[TWCTL_FILTER_A_LPORT_MAX] = 2,
	[TWCTL_FILTER_A_RPORT_MIN] = 2,
	[TWCTL_FILTER_A_RPORT_MAX] = 2,
	[TWCTL_FILTER_A_LADDR] = -1,
	[TWCTL_FILTER_A_LADDR_PREFIX] = 1,
	[TWCTL_FILTER_A_RADDR] = -1,
	[TWCTL_FILTER_A_RADDR_PREFIX] = 1,
	[TWCTL_FILTER_A_STATES] = 4,
	[TWCTL_FILTER_A_REMAINING_MAX_MS] = 4,
	[TWCTL_FILTER_A_REMAINING_MIN_MS] = 4,
	[TWCTL_FILTER_A_COOKIE] = 8,
	[TWCTL_FILTER_A_RECYCLE_ELIGIBLE] = 0,
	[TWCTL_FILTER_A_REUSE_ELIGIBLE] = 0,
	[TWCTL_FILTER_A_AGE_MIN_MS] = 4,
};

struct filter_parse_ctx {
	struct tw_filter *f;
	/* Prefix lengths may arrive before the address they qualify. */
	int lbits, rbits;
};

static void get_addr(const struct nlattr *a, struct tw_prefix *p)
{
	unsigned int len = mnl_attr_get_payload_len(a);

	p->family = len == 4 ? AF_INET : AF_INET6;
	memcpy(p->addr, mnl_attr_get_payload(a), len);
	p->bits = len * 8;
}

static int filter_attr_cb(const struct nlattr *a, void *data)
{
	struct filter_parse_ctx *ctx = data;
	struct tw_filter *f = ctx->f;
	unsigned int type = mnl_attr_get_type(a);
	unsigned int len = mnl_attr_get_payload_len(a);
	int want;

	if (type > TWCTL_FILTER_A_MAX || type <= TWCTL_FILTER_A_PAD)
		return MNL_CB_OK;	/* newer kernel: skip what we don't know */
	want = filter_attr_len[type];
	if (want < 0 ? (len != 4 && len != 16) : len != (unsigned int)want)
		return MNL_CB_ERROR;
	f->present |= BIT(type);

	switch (type) {
	case TWCTL_FILTER_A_FAMILY:
		f->family = mnl_attr_get_u8(a); break;
	case TWCTL_FILTER_A_LPORT_MIN:
		f->lport_min = mnl_attr_get_u16(a); break;
	case TWCTL_FILTER_A_LPORT_MAX:
		f->lport_max = mnl_attr_get_u16(a); break;
	case TWCTL_FILTER_A_RPORT_MIN:
		f->rport_min = mnl_attr_get_u16(a); break;
	case TWCTL_FILTER_A_RPORT_MAX:
		f->rport_max = mnl_attr_get_u16(a); break;
	case TWCTL_FILTER_A_LADDR:
		get_addr(a, &f->laddr); break;
	case TWCTL_FILTER_A_LADDR_PREFIX:
		ctx->lbits = mnl_attr_get_u8(a); break;
	case TWCTL_FILTER_A_RADDR:
		get_addr(a, &f->raddr); break;
	case TWCTL_FILTER_A_RADDR_PREFIX:
		ctx->rbits = mnl_attr_get_u8(a); break;
	case TWCTL_FILTER_A_STATES:
		f->states = mnl_attr_get_u32(a); break;
	case TWCTL_FILTER_A_REMAINING_MAX_MS:
		f->remaining_max_ms = mnl_attr_get_u32(a); break;
	case TWCTL_FILTER_A_REMAINING_MIN_MS:
		f->remaining_min_ms = mnl_attr_get_u32(a); break;
	case TWCTL_FILTER_A_COOKIE:
		f->cookie = mnl_attr_get_u64(a); break;
	case TWCTL_FILTER_A_AGE_MIN_MS:
		f->age_min_ms = mnl_attr_get_u32(a); break;
	}
	return MNL_CB_OK;
}

int filter_parse_nest(const struct nlattr *nest, struct tw_filter *f)
{
	struct filter_parse_ctx ctx = { .f = f, .lbits = -1, .rbits = -1 };

	memset(f, 0, sizeof(*f));
	if (mnl_attr_parse_nested(nest, filter_attr_cb, &ctx) != MNL_CB_OK)
		return -1;
	if (ctx.lbits >= 0)
		f->laddr.bits = ctx.lbits;
	if (ctx.rbits >= 0)
		f->raddr.bits = ctx.rbits;
	return 0;
}

/* snprintf() at the end of buf; output past len is counted, not written. */
static void append(char *buf, size_t len, size_t *used, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void append(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	*used += vsnprintf(buf + (*used < len ? *used : len),
			   *used < len ? len - *used : 0, fmt, ap);
	va_end(ap);
}

static void describe_prefix(char *buf, size_t len, size_t *used,
			    const char *opt, const struct tw_prefix *p)
{
	char a[ADDR_STRLEN];

	format_addr(a, sizeof(a), p->family, p->addr);
	if (p->bits < family_addr_len(p->family) * 8)
		append(buf, len, used, " %s %s/%u", opt, a, p->bits);
	else
		append(buf, len, used, " %s %s", opt, a);
}

static void describe_ports(char *buf, size_t len, size_t *used,
			   const char *opt, const struct tw_filter *f,
			   unsigned int min_attr, uint16_t lo, uint16_t hi)
{
	if (!FILTER_HAS(f, min_attr) && !FILTER_HAS(f, min_attr + 1))
		return;
	if (!FILTER_HAS(f, min_attr))
		lo = 0;		/* a MAX alone bounds from 0 */
	if (FILTER_HAS(f, min_attr + 1) && hi != lo)
		append(buf, len, used, " %s %u-%u", opt, lo, hi);
	else
		append(buf, len, used, " %s %u", opt, lo);
}

const char *filter_describe(char *buf, size_t len, const struct tw_filter *f)
{
	char d[DURATION_STRLEN];
	size_t used = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	if (FILTER_HAS(f, TWCTL_FILTER_A_FAMILY))
		append(buf, len, &used, " -%c",
		       f->family == AF_INET6 ? '6' : '4');
	describe_ports(buf, len, &used, "--lport", f, TWCTL_FILTER_A_LPORT_MIN,
		       f->lport_min, f->lport_max);
	describe_ports(buf, len, &used, "--rport", f, TWCTL_FILTER_A_RPORT_MIN,
		       f->rport_min, f->rport_max);
	if (FILTER_HAS(f, TWCTL_FILTER_A_LADDR))
		describe_prefix(buf, len, &used, "--laddr", &f->laddr);
	if (FILTER_HAS(f, TWCTL_FILTER_A_RADDR))
		describe_prefix(buf, len, &used, "--raddr", &f->raddr);
	if (FILTER_HAS(f, TWCTL_FILTER_A_STATES)) {
		if (f->states & (1U << TWCTL_STATE_TIME_WAIT))
			append(buf, len, &used, " --state time-wait");
		if (f->states & (1U << TWCTL_STATE_FIN_WAIT2))
			append(buf, len, &used, " --state fin-wait2");
	}
	if (FILTER_HAS(f, TWCTL_FILTER_A_REMAINING_MAX_MS))
		append(buf, len, &used, " --expiring-within %s",
		       format_duration_arg(d, sizeof(d), f->remaining_max_ms));
	if (FILTER_HAS(f, TWCTL_FILTER_A_REMAINING_MIN_MS))
		append(buf, len, &used, " --expiring-after %s",
		       format_duration_arg(d, sizeof(d), f->remaining_min_ms));
	if (FILTER_HAS(f, TWCTL_FILTER_A_AGE_MIN_MS))
		append(buf, len, &used, " --older-than %s",
		       format_duration_arg(d, sizeof(d), f->age_min_ms));
	if (FILTER_HAS(f, TWCTL_FILTER_A_COOKIE))
		append(buf, len, &used, " --cookie sk:%" PRIx64, f->cookie);
	if (FILTER_HAS(f, TWCTL_FILTER_A_RECYCLE_ELIGIBLE))
		append(buf, len, &used, " --eligible");
	if (FILTER_HAS(f, TWCTL_FILTER_A_REUSE_ELIGIBLE))
		append(buf, len, &used, " --reusable");
	/* Every part starts with a blank; drop the first. */
	if (buf[0] == ' ')
		memmove(buf, buf + 1, strlen(buf + 1) + 1);
	return buf;
}

static void json_prefix(struct json *j, const char *key,
			const char *prefix_key, const struct tw_prefix *p)
{
	char a[ADDR_STRLEN];

	json_string(j, key, format_addr(a, sizeof(a), p->family, p->addr));
	json_u64(j, prefix_key, p->bits);
}

void filter_json(struct json *j, const char *key, const struct tw_filter *f)
{
	json_open_object(j, key);
	if (FILTER_HAS(f, TWCTL_FILTER_A_FAMILY)) {
		const char *name = family_name(f->family);

		if (name)
			json_string(j, "family", name);
		else
			json_u64(j, "family", f->family);
	}
	if (FILTER_HAS(f, TWCTL_FILTER_A_LPORT_MIN))
		json_u64(j, "lport_min", f->lport_min);
	if (FILTER_HAS(f, TWCTL_FILTER_A_LPORT_MAX))
		json_u64(j, "lport_max", f->lport_max);
	if (FILTER_HAS(f, TWCTL_FILTER_A_RPORT_MIN))
		json_u64(j, "rport_min", f->rport_min);
	if (FILTER_HAS(f, TWCTL_FILTER_A_RPORT_MAX))
		json_u64(j, "rport_max", f->rport_max);
	if (FILTER_HAS(f, TWCTL_FILTER_A_LADDR))
		json_prefix(j, "laddr", "laddr_prefix", &f->laddr);
	if (FILTER_HAS(f, TWCTL_FILTER_A_RADDR))
		json_prefix(j, "raddr", "raddr_prefix", &f->raddr);
	if (FILTER_HAS(f, TWCTL_FILTER_A_STATES)) {
		json_open_array(j, "states");
		if (f->states & (1U << TWCTL_STATE_TIME_WAIT))
			json_string(j, NULL, "TIME_WAIT");
		if (f->states & (1U << TWCTL_STATE_FIN_WAIT2))
			json_string(j, NULL, "FIN_WAIT2");
		json_close_array(j);
	}
	if (FILTER_HAS(f, TWCTL_FILTER_A_REMAINING_MAX_MS))
		json_u64(j, "remaining_max_ms", f->remaining_max_ms);
	if (FILTER_HAS(f, TWCTL_FILTER_A_REMAINING_MIN_MS))
		json_u64(j, "remaining_min_ms", f->remaining_min_ms);
	if (FILTER_HAS(f, TWCTL_FILTER_A_AGE_MIN_MS))
		json_u64(j, "age_min_ms", f->age_min_ms);
	if (FILTER_HAS(f, TWCTL_FILTER_A_COOKIE))
		json_u64(j, "cookie", f->cookie);
	if (FILTER_HAS(f, TWCTL_FILTER_A_RECYCLE_ELIGIBLE))
		json_bool(j, "recycle_eligible", true);
	if (FILTER_HAS(f, TWCTL_FILTER_A_REUSE_ELIGIBLE))
		json_bool(j, "reuse_eligible", true);
	json_close_object(j);
}

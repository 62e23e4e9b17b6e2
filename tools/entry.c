// SPDX-License-Identifier: GPL-2.0-or-later
/* entry.c - decode and render TIME_WAIT entries (see entry.h). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/genetlink.h>

#include "entry.h"
#include "error.h"
#include "format.h"
#include "parse.h"

/* Payload length of each entry attribute; -1 for an address (4 or 16). */
static const int entry_attr_len[TWCTL_ENTRY_A_MAX + 1] = {
	[TWCTL_ENTRY_A_FAMILY] = 1,
	[TWCTL_ENTRY_A_LADDR] = -1,
	[TWCTL_ENTRY_A_LPORT] = 2,
	[TWCTL_ENTRY_A_RADDR] = -1,
	[TWCTL_ENTRY_A_RPORT] = 2,
	[TWCTL_ENTRY_A_STATE] = 1,
	[TWCTL_ENTRY_A_REMAINING_MS] = 4,
	[TWCTL_ENTRY_A_COOKIE] = 8,
	[TWCTL_ENTRY_A_TIMESTAMPS] = 1,
	[TWCTL_ENTRY_A_TS_RECENT] = 4,
	[TWCTL_ENTRY_A_TS_RECENT_AGE_MS] = 4,
	[TWCTL_ENTRY_A_SND_NXT] = 4,
	[TWCTL_ENTRY_A_RCV_NXT] = 4,
	[TWCTL_ENTRY_A_BOUND_IF] = 4,
	[TWCTL_ENTRY_A_MARK] = 4,
	[TWCTL_ENTRY_A_AGE_MS] = 4,
	[TWCTL_ENTRY_A_AGE_SOURCE] = 1,
	[TWCTL_ENTRY_A_RTO_MS] = 4,
	[TWCTL_ENTRY_A_RTO_SOURCE] = 1,
	[TWCTL_ENTRY_A_SRTT_US] = 4,
	[TWCTL_ENTRY_A_RECYCLE_AFTER_MS] = 4,
	[TWCTL_ENTRY_A_RECYCLE_ELIGIBLE] = 1,
	[TWCTL_ENTRY_A_RECYCLE_REASON] = 1,
	[TWCTL_ENTRY_A_REUSE_ELIGIBLE] = 1,
	[TWCTL_ENTRY_A_REUSE_REASON] = 1,
	[TWCTL_ENTRY_A_NETNS] = 4,
};

struct entry_ctx {
	struct tw_entry *e;
	unsigned int laddr_len, raddr_len;
};

static int entry_attr_cb(const struct nlattr *a, void *data)
{
	struct entry_ctx *ctx = data;
	struct tw_entry *e = ctx->e;
	unsigned int type = mnl_attr_get_type(a);
	unsigned int len = mnl_attr_get_payload_len(a);
	const void *p = mnl_attr_get_payload(a);
	int want;

	if (type > TWCTL_ENTRY_A_MAX || type <= TWCTL_ENTRY_A_PAD)
		return MNL_CB_OK;	/* a newer module's extra: ignore */
	want = entry_attr_len[type];
	if (want < 0 ? (len != 4 && len != 16) : len != (unsigned int)want) {
		fail(EXIT_FAIL,
		     "malformed entry from the kernel: attribute %u has %u bytes",
		     type, len);
		return MNL_CB_ERROR;
	}
	e->present |= 1ULL << type;

	switch (type) {
	case TWCTL_ENTRY_A_FAMILY:	e->family = *(const uint8_t *)p; break;
	case TWCTL_ENTRY_A_LADDR:
		memcpy(e->laddr, p, len);
		ctx->laddr_len = len;
		break;
	case TWCTL_ENTRY_A_LPORT:	e->lport = mnl_attr_get_u16(a); break;
	case TWCTL_ENTRY_A_RADDR:
		memcpy(e->raddr, p, len);
		ctx->raddr_len = len;
		break;
	case TWCTL_ENTRY_A_RPORT:	e->rport = mnl_attr_get_u16(a); break;
	case TWCTL_ENTRY_A_STATE:	e->state = mnl_attr_get_u8(a); break;
	case TWCTL_ENTRY_A_REMAINING_MS: e->remaining_ms = mnl_attr_get_u32(a); break;
	case TWCTL_ENTRY_A_COOKIE:	e->cookie = mnl_attr_get_u64(a); break;
	case TWCTL_ENTRY_A_TIMESTAMPS:	e->timestamps = mnl_attr_get_u8(a); break;
	case TWCTL_ENTRY_A_TS_RECENT:	e->ts_recent = mnl_attr_get_u32(a); break;
	case TWCTL_ENTRY_A_TS_RECENT_AGE_MS: e->ts_recent_age_ms = mnl_attr_get_u32(a); break;
	case TWCTL_ENTRY_A_SND_NXT:	e->snd_nxt = mnl_attr_get_u32(a); break;
	case TWCTL_ENTRY_A_RCV_NXT:	e->rcv_nxt = mnl_attr_get_u32(a); break;
	case TWCTL_ENTRY_A_BOUND_IF:	e->bound_if = mnl_attr_get_u32(a); break;
	case TWCTL_ENTRY_A_MARK:	e->mark = mnl_attr_get_u32(a); break;
	case TWCTL_ENTRY_A_AGE_MS:	e->age_ms = mnl_attr_get_u32(a); break;
	case TWCTL_ENTRY_A_AGE_SOURCE:	e->age_source = mnl_attr_get_u8(a); break;
	case TWCTL_ENTRY_A_RTO_MS:	e->rto_ms = mnl_attr_get_u32(a); break;
	case TWCTL_ENTRY_A_RTO_SOURCE:	e->rto_source = mnl_attr_get_u8(a); break;
	case TWCTL_ENTRY_A_SRTT_US:	e->srtt_us = mnl_attr_get_u32(a); break;
	case TWCTL_ENTRY_A_RECYCLE_AFTER_MS: e->recycle_after_ms = mnl_attr_get_u32(a); break;
	case TWCTL_ENTRY_A_RECYCLE_ELIGIBLE: e->recycle_eligible = mnl_attr_get_u8(a); break;
	case TWCTL_ENTRY_A_RECYCLE_REASON: e->recycle_reason = mnl_attr_get_u8(a); break;
	case TWCTL_ENTRY_A_REUSE_ELIGIBLE: e->reuse_eligible = mnl_attr_get_u8(a); break;
	case TWCTL_ENTRY_A_REUSE_REASON: e->reuse_reason = mnl_attr_get_u8(a); break;
	case TWCTL_ENTRY_A_NETNS:	e->netns = mnl_attr_get_u32(a); break;
	}
	return MNL_CB_OK;
}

int entry_parse_nest(const struct nlattr *nest, struct tw_entry *e)
{
	struct entry_ctx ctx = { .e = e };
	unsigned int want;

	memset(e, 0, sizeof(*e));
	if (mnl_attr_parse_nested(nest, entry_attr_cb, &ctx) != MNL_CB_OK)
		return -1;
	if (!ENTRY_HAS(e, TWCTL_ENTRY_A_FAMILY) ||
	    (e->family != AF_INET && e->family != AF_INET6))
		return fail(EXIT_FAIL,
			    "malformed entry from the kernel: no or unknown address family");
	want = family_addr_len(e->family);
	if ((ctx.laddr_len && ctx.laddr_len != want) ||
	    (ctx.raddr_len && ctx.raddr_len != want))
		return fail(EXIT_FAIL,
			    "malformed entry from the kernel: address length does not match its family");
	return 0;
}

int entry_parse_msg(const struct nlmsghdr *nlh, struct tw_entry *e)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) == TWCTL_A_ENTRY)
			return entry_parse_nest(a, e);
	}
	return fail(EXIT_FAIL, "malformed reply from the kernel: no entry in it");
}

/* --- rendering -------------------------------------------------------- */

const struct column entry_columns[ENTRY_NCOLS] = {
	{ "State", false },
	{ "Local Address:Port", false },
	{ "Peer Address:Port", false },
	{ "Left", true },
	{ "Age", true },
	{ "RTO", true },
	{ "Recycle", false },
	{ "Reuse", false },
	{ "Cookie", false },
};

/* "yes", or why not; "-" when the module did not judge. */
static const char *verdict(char *buf, size_t len, bool has, bool eligible,
			   const char *reason, unsigned int raw)
{
	if (!has)
		return "-";
	if (eligible)
		return "yes";
	if (reason)
		snprintf(buf, len, "no:%s", reason);
	else
		snprintf(buf, len, "no:%u", raw);
	return buf;
}

void entry_table_add(struct table *t, const struct tw_entry *e)
{
	char state[16], local[ADDRPORT_STRLEN], remote[ADDRPORT_STRLEN];
	char left[DURATION_STRLEN] = "-", age[DURATION_STRLEN + 1] = "-";
	char rto[DURATION_STRLEN + 1] = "-", cookie[24] = "-";
	char recycle[32], reuse[32], d[DURATION_STRLEN];
	const char *cells[ENTRY_NCOLS];
	const char *sname = state_ss_name(e->state);

	if (sname)
		snprintf(state, sizeof(state), "%s", sname);
	else
		snprintf(state, sizeof(state), "%u", e->state);
	format_addr_port(local, sizeof(local), e->family, e->laddr, e->lport);
	format_addr_port(remote, sizeof(remote), e->family, e->raddr, e->rport);
	if (ENTRY_HAS(e, TWCTL_ENTRY_A_REMAINING_MS))
		format_duration(left, sizeof(left), e->remaining_ms);
	/* "~" marks a value derived or assumed rather than recorded. */
	if (ENTRY_HAS(e, TWCTL_ENTRY_A_AGE_MS))
		snprintf(age, sizeof(age), "%s%s",
			 ENTRY_HAS(e, TWCTL_ENTRY_A_AGE_SOURCE) &&
			 e->age_source == TWCTL_AGE_SOURCE_TIMER ? "~" : "",
			 format_duration(d, sizeof(d), e->age_ms));
	if (ENTRY_HAS(e, TWCTL_ENTRY_A_RTO_MS))
		snprintf(rto, sizeof(rto), "%s%s",
			 ENTRY_HAS(e, TWCTL_ENTRY_A_RTO_SOURCE) &&
			 e->rto_source == TWCTL_RTO_SOURCE_ASSUMED ? "~" : "",
			 format_duration(d, sizeof(d), e->rto_ms));
	if (ENTRY_HAS(e, TWCTL_ENTRY_A_COOKIE))
		snprintf(cookie, sizeof(cookie), "sk:%" PRIx64, e->cookie);

	cells[0] = state;
	cells[1] = local;
	cells[2] = remote;
	cells[3] = left;
	cells[4] = age;
	cells[5] = rto;
	cells[6] = verdict(recycle, sizeof(recycle),
			   ENTRY_HAS(e, TWCTL_ENTRY_A_RECYCLE_ELIGIBLE),
			   e->recycle_eligible,
			   ENTRY_HAS(e, TWCTL_ENTRY_A_RECYCLE_REASON) ?
			   recycle_reason_name(e->recycle_reason) : "?",
			   e->recycle_reason);
	cells[7] = verdict(reuse, sizeof(reuse),
			   ENTRY_HAS(e, TWCTL_ENTRY_A_REUSE_ELIGIBLE),
			   e->reuse_eligible,
			   ENTRY_HAS(e, TWCTL_ENTRY_A_REUSE_REASON) ?
			   reuse_reason_name(e->reuse_reason) : "?",
			   e->reuse_reason);
	cells[8] = cookie;
	table_add(t, cells);
}

/* A known enum value as its name, an unknown one as its number. */
static void json_enum(struct json *j, const char *key, const char *name,
		      unsigned int raw)
{
	if (name)
		json_string(j, key, name);
	else
		json_u64(j, key, raw);
}

void entry_json(struct json *j, const struct tw_entry *e)
{
	char a[ADDR_STRLEN];

#define HAS(attr) ENTRY_HAS(e, TWCTL_ENTRY_A_##attr)
	json_open_object(j, NULL);
	json_string(j, "family", family_name(e->family));
	if (HAS(LADDR))
		json_string(j, "local", format_addr(a, sizeof(a), e->family,
						    e->laddr));
	if (HAS(LPORT))
		json_u64(j, "lport", e->lport);
	if (HAS(RADDR))
		json_string(j, "remote", format_addr(a, sizeof(a), e->family,
						     e->raddr));
	if (HAS(RPORT))
		json_u64(j, "rport", e->rport);
	if (HAS(STATE))
		json_enum(j, "state", state_name(e->state), e->state);
	if (HAS(REMAINING_MS))
		json_u64(j, "remaining_ms", e->remaining_ms);
	if (HAS(COOKIE))
		json_u64(j, "cookie", e->cookie);
	if (HAS(TIMESTAMPS))
		json_bool(j, "timestamps", e->timestamps);
	if (HAS(TS_RECENT))
		json_u64(j, "ts_recent", e->ts_recent);
	if (HAS(TS_RECENT_AGE_MS))
		json_u64(j, "ts_recent_age_ms", e->ts_recent_age_ms);
	if (HAS(SND_NXT))
		json_u64(j, "snd_nxt", e->snd_nxt);
	if (HAS(RCV_NXT))
		json_u64(j, "rcv_nxt", e->rcv_nxt);
	if (HAS(BOUND_IF))
		json_u64(j, "bound_if", e->bound_if);
	if (HAS(MARK))
		json_u64(j, "mark", e->mark);
	if (HAS(AGE_MS))
		json_u64(j, "age_ms", e->age_ms);
	if (HAS(AGE_SOURCE))
		json_enum(j, "age_source", age_source_name(e->age_source),
			  e->age_source);
	if (HAS(RTO_MS))
		json_u64(j, "rto_ms", e->rto_ms);
	if (HAS(RTO_SOURCE))
		json_enum(j, "rto_source", rto_source_name(e->rto_source),
			  e->rto_source);
	if (HAS(SRTT_US))
		json_u64(j, "srtt_us", e->srtt_us);
	if (HAS(RECYCLE_AFTER_MS))
		json_u64(j, "recycle_after_ms", e->recycle_after_ms);
	if (HAS(RECYCLE_ELIGIBLE))
		json_bool(j, "recycle_eligible", e->recycle_eligible);
	if (HAS(RECYCLE_REASON))
		json_enum(j, "recycle_reason",
			  recycle_reason_name(e->recycle_reason),
			  e->recycle_reason);
	if (HAS(REUSE_ELIGIBLE))
		json_bool(j, "reuse_eligible", e->reuse_eligible);
	if (HAS(REUSE_REASON))
		json_enum(j, "reuse_reason", reuse_reason_name(e->reuse_reason),
			  e->reuse_reason);
	if (HAS(NETNS))
		json_u64(j, "netns", e->netns);
	json_close_object(j);
}

static void script_u32(FILE *f, bool has, uint32_t v)
{
	if (has)
		fprintf(f, "\t%u", v);
	else
		fputs("\t-", f);
}

static void script_name(FILE *f, bool has, const char *name, unsigned int v)
{
	if (!has)
		fputs("\t-", f);
	else if (name)
		fprintf(f, "\t%s", name);
	else
		fprintf(f, "\t%u", v);
}

/*
 * The -s format. Fields, tab-separated, "-" when the kernel did not send
 * the value; new fields are only ever appended:
 *  1 family  2 state  3 local  4 lport  5 remote  6 rport  7 remaining_ms
 *  8 age_ms  9 age_source  10 rto_ms  11 rto_source  12 srtt_us
 *  13 cookie  14 timestamps  15 ts_recent  16 ts_recent_age_ms
 *  17 snd_nxt  18 rcv_nxt  19 bound_if  20 mark  21 recycle_after_ms
 *  22 recycle_eligible  23 recycle_reason  24 reuse_eligible
 *  25 reuse_reason
 */
void entry_script(FILE *f, const struct tw_entry *e)
{
	char a[ADDR_STRLEN];

	fputs(family_name(e->family), f);
	script_name(f, HAS(STATE), state_name(e->state), e->state);
	fprintf(f, "\t%s", HAS(LADDR) ?
		format_addr(a, sizeof(a), e->family, e->laddr) : "-");
	script_u32(f, HAS(LPORT), e->lport);
	fprintf(f, "\t%s", HAS(RADDR) ?
		format_addr(a, sizeof(a), e->family, e->raddr) : "-");
	script_u32(f, HAS(RPORT), e->rport);
	script_u32(f, HAS(REMAINING_MS), e->remaining_ms);
	script_u32(f, HAS(AGE_MS), e->age_ms);
	script_name(f, HAS(AGE_SOURCE), age_source_name(e->age_source),
		    e->age_source);
	script_u32(f, HAS(RTO_MS), e->rto_ms);
	script_name(f, HAS(RTO_SOURCE), rto_source_name(e->rto_source),
		    e->rto_source);
	script_u32(f, HAS(SRTT_US), e->srtt_us);
	if (HAS(COOKIE))
		fprintf(f, "\t%" PRIu64, e->cookie);
	else
		fputs("\t-", f);
	script_u32(f, HAS(TIMESTAMPS), e->timestamps);
	script_u32(f, HAS(TS_RECENT), e->ts_recent);
	script_u32(f, HAS(TS_RECENT_AGE_MS), e->ts_recent_age_ms);
	script_u32(f, HAS(SND_NXT), e->snd_nxt);
	script_u32(f, HAS(RCV_NXT), e->rcv_nxt);
	script_u32(f, HAS(BOUND_IF), e->bound_if);
	script_u32(f, HAS(MARK), e->mark);
	script_u32(f, HAS(RECYCLE_AFTER_MS), e->recycle_after_ms);
	script_u32(f, HAS(RECYCLE_ELIGIBLE), e->recycle_eligible);
	script_name(f, HAS(RECYCLE_REASON),
		    recycle_reason_name(e->recycle_reason), e->recycle_reason);
	script_u32(f, HAS(REUSE_ELIGIBLE), e->reuse_eligible);
	script_name(f, HAS(REUSE_REASON), reuse_reason_name(e->reuse_reason),
		    e->reuse_reason);
	fputc('\n', f);
#undef HAS
}

/* --- sorting ---------------------------------------------------------- */

int sort_key_parse(const char *s, enum sort_key *key)
{
	static const char *const names[] = {
		[SORT_REMAINING] = "remaining", [SORT_AGE] = "age",
		[SORT_LPORT] = "lport", [SORT_RPORT] = "rport",
		[SORT_LOCAL] = "local", [SORT_REMOTE] = "remote",
		[SORT_COOKIE] = "cookie", [SORT_STATE] = "state",
	};
	unsigned int i;

	for (i = SORT_REMAINING; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(s, names[i])) {
			*key = i;
			return 0;
		}
	}
	return fail(EXIT_USAGE, "--sort: '%s' is not a sort key (" SORT_KEYS ")",
		    s);
}

#define CMP(a, b) ((a) < (b) ? -1 : (a) > (b))

static int cmp_addr(unsigned int fa, const uint8_t *a, unsigned int pa,
		    unsigned int fb, const uint8_t *b, unsigned int pb)
{
	int r = CMP(fa, fb);

	if (!r)
		r = memcmp(a, b, family_addr_len(fa));
	return r ? r : CMP(pa, pb);
}

static int entry_cmp(const void *pa, const void *pb, void *arg)
{
	const struct tw_entry *a = pa, *b = pb;
	enum sort_key key = *(const enum sort_key *)arg;
	int r = 0;

	switch (key) {
	case SORT_NONE:
		break;
	case SORT_REMAINING:
		r = CMP(a->remaining_ms, b->remaining_ms); break;
	case SORT_AGE:
		r = CMP(a->age_ms, b->age_ms); break;
	case SORT_LPORT:
		r = CMP(a->lport, b->lport); break;
	case SORT_RPORT:
		r = CMP(a->rport, b->rport); break;
	case SORT_LOCAL:
		r = cmp_addr(a->family, a->laddr, a->lport,
			     b->family, b->laddr, b->lport);
		break;
	case SORT_REMOTE:
		r = cmp_addr(a->family, a->raddr, a->rport,
			     b->family, b->raddr, b->rport);
		break;
	case SORT_COOKIE:
		break;		/* the tie-break below is the key */
	case SORT_STATE:
		r = CMP(a->state, b->state); break;
	}
	/* Cookies are unique: ties break the same way on every run. */
	return r ? r : CMP(a->cookie, b->cookie);
}

static int entry_cmp_reverse(const void *a, const void *b, void *arg)
{
	return entry_cmp(b, a, arg);
}

void entries_sort(struct tw_entry *v, size_t n, enum sort_key key,
		  bool reverse)
{
	/* An empty dump has no array at all: qsort_r(NULL, 0) is undefined. */
	if (n < 2)
		return;
	qsort_r(v, n, sizeof(*v), reverse ? entry_cmp_reverse : entry_cmp,
		&key);
}

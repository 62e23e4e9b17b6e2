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
#include "netns_names.h"
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

/*
 * A struct attribute: at least min bytes (the first version's size), of
 * which the first sizeof(struct) are copied and the rest of a shorter
 * one zeroed; a later module may append fields. The payload is only
 * 4-byte aligned, hence the copy.
 */
static int copy_struct(const struct nlattr *a, void *dst, size_t size,
		       size_t min, const char *what)
{
	size_t len = mnl_attr_get_payload_len(a);

	if (len < min)
		return fail(EXIT_FAIL,
			    "malformed entry from the kernel: %s has %zu bytes, not %zu",
			    what, len, min);
	memset(dst, 0, size);
	memcpy(dst, mnl_attr_get_payload(a), len < size ? len : size);
	return 0;
}

#define PRESENT(attr) (1ULL << TWCTL_ENTRY_A_##attr)

static int parse_info(const struct nlattr *a, struct tw_entry *e)
{
	struct twctl_entry_info in;

	if (copy_struct(a, &in, sizeof(in), 64, "the entry"))
		return -1;
	if (in.family != AF_INET && in.family != AF_INET6)
		return fail(EXIT_FAIL,
			    "malformed entry from the kernel: no or unknown address family");
	e->present |= PRESENT(FAMILY) | PRESENT(STATE) | PRESENT(LADDR) |
		      PRESENT(LPORT) | PRESENT(RADDR) | PRESENT(RPORT) |
		      PRESENT(COOKIE) | PRESENT(REMAINING_MS) |
		      PRESENT(AGE_MS) | PRESENT(AGE_SOURCE) |
		      PRESENT(TIMESTAMPS) | PRESENT(BOUND_IF) |
		      PRESENT(RECYCLE_ELIGIBLE) | PRESENT(REUSE_ELIGIBLE) |
		      PRESENT(NETNS);
	e->family = in.family;
	e->state = in.state;
	e->timestamps = !!(in.flags & TWCTL_ENTRY_F_TIMESTAMPS);
	e->recycle_eligible = !!(in.flags & TWCTL_ENTRY_F_RECYCLE_ELIGIBLE);
	e->reuse_eligible = !!(in.flags & TWCTL_ENTRY_F_REUSE_ELIGIBLE);
	e->age_source = in.age_source;
	e->lport = in.lport;
	e->rport = in.rport;
	memcpy(e->laddr, in.laddr, 16);
	memcpy(e->raddr, in.raddr, 16);
	e->cookie = in.cookie;
	e->remaining_ms = in.remaining_ms;
	e->age_ms = in.age_ms;
	e->netns = in.netns_ino;
	e->bound_if = in.bound_if;
	return 0;
}

static int parse_judgement(const struct nlattr *a, struct tw_entry *e)
{
	struct twctl_entry_judgement j;

	if (copy_struct(a, &j, sizeof(j), 16, "the judgement"))
		return -1;
	e->present |= PRESENT(RTO_MS) | PRESENT(SRTT_US) |
		      PRESENT(RECYCLE_AFTER_MS) | PRESENT(RTO_SOURCE) |
		      PRESENT(RECYCLE_REASON) | PRESENT(REUSE_REASON);
	e->rto_ms = j.rto_ms;
	e->srtt_us = j.srtt_us;
	e->recycle_after_ms = j.recycle_after_ms;
	e->rto_source = j.rto_source;
	e->recycle_reason = j.recycle_reason;
	e->reuse_reason = j.reuse_reason;
	return 0;
}

static int parse_secrets(const struct nlattr *a, struct tw_entry *e)
{
	struct twctl_entry_secrets sc;

	if (copy_struct(a, &sc, sizeof(sc), 24, "the secrets"))
		return -1;
	e->present |= PRESENT(SND_NXT) | PRESENT(RCV_NXT) | PRESENT(TS_RECENT) |
		      PRESENT(TS_RECENT_AGE_MS) | PRESENT(MARK);
	e->snd_nxt = sc.snd_nxt;
	e->rcv_nxt = sc.rcv_nxt;
	e->ts_recent = sc.ts_recent;
	e->ts_recent_age_ms = sc.ts_recent_age_ms;
	e->mark = sc.mark;
	return 0;
}

/*
 * The module's compact entry (TWCTL_A_ENTRY_INFO and the extras asked
 * for), or the TWCTL_A_ENTRY nest of per-field attributes that modules
 * of the uapi header's first version send.
 */
int entry_parse_msg(const struct nlmsghdr *nlh, struct tw_entry *e)
{
	const struct nlattr *a;
	bool info = false;

	e->present = 0;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case TWCTL_A_ENTRY_INFO:
			if (parse_info(a, e))
				return -1;
			info = true;
			break;
		case TWCTL_A_ENTRY_JUDGEMENT:
			if (parse_judgement(a, e))
				return -1;
			break;
		case TWCTL_A_ENTRY_SECRETS:
			if (parse_secrets(a, e))
				return -1;
			break;
		case TWCTL_A_ENTRY:
			return entry_parse_nest(a, e);
		}
	}
	if (!info)
		return fail(EXIT_FAIL, "malformed reply from the kernel: no entry in it");
	return 0;
}

/* --- rendering -------------------------------------------------------- */

/*
 * The table streams, so its columns have fixed widths (a row is written
 * before the next entry is known): wide enough for IPv4 address:port and
 * every duration and verdict the module sends; a longer cell (an IPv6
 * address) pushes the rest of its row right, as in ss. Age, RTO and the
 * verdicts need the module's extras and show with -e only.
 */
struct entry_col {
	const char *header;
	unsigned char width;
	bool right;
	bool extended;
};

static const struct entry_col entry_cols[] = {
	{ "Netns", 16, false, false },	/* --all-netns only */
	{ "State", 10, false, false },
	{ "Local Address:Port", 23, false, false },
	{ "Peer Address:Port", 23, false, false },
	{ "Left", 6, true, false },
	{ "Age", 7, true, true },
	{ "RTO", 7, true, true },
	{ "Recycle", 16, false, true },
	{ "Reuse", 16, false, true },
	{ "Cookie", 0, false, false },
};

#define NCOLS (sizeof(entry_cols) / sizeof(entry_cols[0]))
enum { COL_NETNS, COL_STATE, COL_LOCAL, COL_PEER, COL_LEFT, COL_AGE, COL_RTO,
       COL_RECYCLE, COL_REUSE, COL_COOKIE };
#define COLUMN_GAP 2
/* The longest row: every cell at its longest, and the gaps. */
#define ROW_MAX 512

/* One cell at p: padded to its column, after the gap that precedes it. */
static char *put_cell(char *p, unsigned int col, bool first, const char *s,
		      size_t n)
{
	const struct entry_col *c = &entry_cols[col];
	size_t pad = n < c->width ? c->width - n : 0;

	if (!first) {
		memset(p, ' ', COLUMN_GAP);
		p += COLUMN_GAP;
	}
	if (c->right) {
		memset(p, ' ', pad);
		p += pad;
	}
	memcpy(p, s, n);
	p += n;
	if (!c->right && col + 1 < NCOLS) {
		memset(p, ' ', pad);
		p += pad;
	}
	return p;
}

void entry_table_header(FILE *f, bool extended, bool netns)
{
	char row[ROW_MAX], *p = row;
	unsigned int i;

	for (i = netns ? 0 : 1; i < NCOLS; i++)
		if (extended || !entry_cols[i].extended)
			p = put_cell(p, i, p == row, entry_cols[i].header,
				     strlen(entry_cols[i].header));
	*p++ = '\n';
	fwrite_unlocked(row, 1, p - row, f);
}

/* "yes", or "no:" and why not; "-" when the module did not judge. */
static char *verdict(char *p, bool has, bool eligible, bool has_reason,
		     const char *reason, unsigned int raw)
{
	if (!has) {
		*p++ = '-';
		return p;
	}
	if (eligible) {
		memcpy(p, "yes", 3);
		return p + 3;
	}
	memcpy(p, "no:", 3);
	p += 3;
	if (!has_reason)
		reason = "?";
	if (!reason)
		return fmt_u32(p, raw);
	memcpy(p, reason, strlen(reason));
	return p + strlen(reason);
}

/* A duration, "~" first when it was derived or assumed, not recorded. */
static char *duration(char *p, bool has, bool approximate, uint32_t ms)
{
	if (!has) {
		*p++ = '-';
		return p;
	}
	if (approximate)
		*p++ = '~';
	return fmt_duration(p, ms);
}

#define HAS(attr) ENTRY_HAS(e, TWCTL_ENTRY_A_##attr)

void entry_table_row(FILE *f, const struct tw_entry *e, bool extended,
		     const char *netns)
{
	char row[ROW_MAX + NETNS_NAME_LEN], cell[ADDRPORT_STRLEN + 8];
	const char *sname = state_ss_name(e->state);
	char *p = row, *c;

	if (netns)
		p = put_cell(p, COL_NETNS, true, netns, strlen(netns));
	c = sname ? stpcpy(cell, sname) : fmt_u32(cell, e->state);
	p = put_cell(p, COL_STATE, p == row, cell, c - cell);
	c = fmt_addr_port(cell, e->family, e->laddr, e->lport);
	p = put_cell(p, COL_LOCAL, false, cell, c - cell);
	c = fmt_addr_port(cell, e->family, e->raddr, e->rport);
	p = put_cell(p, COL_PEER, false, cell, c - cell);
	c = duration(cell, HAS(REMAINING_MS), false, e->remaining_ms);
	p = put_cell(p, COL_LEFT, false, cell, c - cell);
	if (extended) {
		c = duration(cell, HAS(AGE_MS), HAS(AGE_SOURCE) &&
			     e->age_source == TWCTL_AGE_SOURCE_TIMER, e->age_ms);
		p = put_cell(p, COL_AGE, false, cell, c - cell);
		c = duration(cell, HAS(RTO_MS), HAS(RTO_SOURCE) &&
			     e->rto_source == TWCTL_RTO_SOURCE_ASSUMED,
			     e->rto_ms);
		p = put_cell(p, COL_RTO, false, cell, c - cell);
		c = verdict(cell, HAS(RECYCLE_ELIGIBLE), e->recycle_eligible,
			    HAS(RECYCLE_REASON),
			    recycle_reason_name(e->recycle_reason),
			    e->recycle_reason);
		p = put_cell(p, COL_RECYCLE, false, cell, c - cell);
		c = verdict(cell, HAS(REUSE_ELIGIBLE), e->reuse_eligible,
			    HAS(REUSE_REASON),
			    reuse_reason_name(e->reuse_reason), e->reuse_reason);
		p = put_cell(p, COL_REUSE, false, cell, c - cell);
	}
	if (HAS(COOKIE)) {
		c = stpcpy(cell, "sk:");
		c = fmt_hex64(c, e->cookie);
	} else {
		c = stpcpy(cell, "-");
	}
	p = put_cell(p, COL_COOKIE, false, cell, c - cell);
	*p++ = '\n';
	fwrite_unlocked(row, 1, p - row, f);
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

void entry_json(struct json *j, const struct tw_entry *e, const char *netns)
{
	char a[ADDR_STRLEN];

	json_open_object(j, NULL);
	if (netns)
		json_string(j, "netns", netns);
	json_string(j, "family", family_name(e->family));
	if (HAS(LADDR)) {
		*fmt_addr(a, e->family, e->laddr) = '\0';
		json_string(j, "local", a);
	}
	if (HAS(LPORT))
		json_u64(j, "lport", e->lport);
	if (HAS(RADDR)) {
		*fmt_addr(a, e->family, e->raddr) = '\0';
		json_string(j, "remote", a);
	}
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
	json_close_object(j);
}

static char *script_u32(char *p, bool has, uint32_t v)
{
	*p++ = '\t';
	if (!has) {
		*p++ = '-';
		return p;
	}
	return fmt_u32(p, v);
}

static char *script_name(char *p, bool has, const char *name, unsigned int v)
{
	*p++ = '\t';
	if (!has) {
		*p++ = '-';
		return p;
	}
	if (!name)
		return fmt_u32(p, v);
	return stpcpy(p, name);
}

static char *script_addr(char *p, bool has, unsigned int family,
			 const uint8_t *addr)
{
	*p++ = '\t';
	if (!has) {
		*p++ = '-';
		return p;
	}
	return fmt_addr(p, family, addr);
}

/*
 * The -s format. Fields, tab-separated, "-" when the kernel did not send
 * the value; new fields are only ever appended:
 *  1 family  2 state  3 local  4 lport  5 remote  6 rport  7 remaining_ms
 *  8 age_ms  9 age_source  10 rto_ms  11 rto_source  12 srtt_us
 *  13 cookie  14 timestamps  15 ts_recent  16 ts_recent_age_ms
 *  17 snd_nxt  18 rcv_nxt  19 bound_if  20 mark  21 recycle_after_ms
 *  22 recycle_eligible  23 recycle_reason  24 reuse_eligible
 *  25 reuse_reason  26 netns (with --all-netns only)
 */
void entry_script(FILE *f, const struct tw_entry *e, const char *netns)
{
	/* 25 fields of at most an address or a u64 each, and the netns */
	char line[25 * (ADDR_STRLEN + 1) + NETNS_NAME_LEN + 2], *p = line;
	const char *fam = family_name(e->family);

	p = stpcpy(p, fam ? fam : "?");
	p = script_name(p, HAS(STATE), state_name(e->state), e->state);
	p = script_addr(p, HAS(LADDR), e->family, e->laddr);
	p = script_u32(p, HAS(LPORT), e->lport);
	p = script_addr(p, HAS(RADDR), e->family, e->raddr);
	p = script_u32(p, HAS(RPORT), e->rport);
	p = script_u32(p, HAS(REMAINING_MS), e->remaining_ms);
	p = script_u32(p, HAS(AGE_MS), e->age_ms);
	p = script_name(p, HAS(AGE_SOURCE), age_source_name(e->age_source),
			e->age_source);
	p = script_u32(p, HAS(RTO_MS), e->rto_ms);
	p = script_name(p, HAS(RTO_SOURCE), rto_source_name(e->rto_source),
			e->rto_source);
	p = script_u32(p, HAS(SRTT_US), e->srtt_us);
	*p++ = '\t';
	if (HAS(COOKIE))
		p = fmt_u64(p, e->cookie);
	else
		*p++ = '-';
	p = script_u32(p, HAS(TIMESTAMPS), e->timestamps);
	p = script_u32(p, HAS(TS_RECENT), e->ts_recent);
	p = script_u32(p, HAS(TS_RECENT_AGE_MS), e->ts_recent_age_ms);
	p = script_u32(p, HAS(SND_NXT), e->snd_nxt);
	p = script_u32(p, HAS(RCV_NXT), e->rcv_nxt);
	p = script_u32(p, HAS(BOUND_IF), e->bound_if);
	p = script_u32(p, HAS(MARK), e->mark);
	p = script_u32(p, HAS(RECYCLE_AFTER_MS), e->recycle_after_ms);
	p = script_u32(p, HAS(RECYCLE_ELIGIBLE), e->recycle_eligible);
	p = script_name(p, HAS(RECYCLE_REASON),
			recycle_reason_name(e->recycle_reason),
			e->recycle_reason);
	p = script_u32(p, HAS(REUSE_ELIGIBLE), e->reuse_eligible);
	p = script_name(p, HAS(REUSE_REASON),
			reuse_reason_name(e->reuse_reason), e->reuse_reason);
	if (netns) {
		*p++ = '\t';
		p = stpcpy(p, netns);
	}
	*p++ = '\n';
	fwrite_unlocked(line, 1, p - line, f);
}

#undef HAS

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

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_filter.c - command line -> request attributes, checked by building
 * the real nlmsg with libmnl and parsing it back; conflicting options must
 * fail before anything is built.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>

#include "commands.h"
#include "error.h"
#include "harness.h"
#include "netlink.h"

#define FAKE_FAMILY 0x1d

/* What a request carried: top-level and filter attributes by type. */
struct parsed_req {
	const struct nlattr *top[TWCTL_A_MAX + 1];
	const struct nlattr *flt[TWCTL_FILTER_A_MAX + 1];
	uint32_t top_mask, flt_mask;
	int unknown;
};

static void parse_req(const struct nlmsghdr *nlh, struct parsed_req *p)
{
	const struct nlattr *a, *n;

	memset(p, 0, sizeof(*p));
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		unsigned int t = mnl_attr_get_type(a);

		if (t > TWCTL_A_MAX) {
			p->unknown++;
			continue;
		}
		p->top[t] = a;
		p->top_mask |= 1U << t;
		if (t != TWCTL_A_FILTER)
			continue;
		mnl_attr_for_each_nested(n, a) {
			unsigned int ft = mnl_attr_get_type(n);

			if (ft > TWCTL_FILTER_A_MAX) {
				p->unknown++;
				continue;
			}
			p->flt[ft] = n;
			p->flt_mask |= 1U << ft;
		}
	}
}

static struct nlmsghdr *new_req(char *buf, uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	nlh->nlmsg_type = FAKE_FAMILY;
	g->cmd = cmd;
	g->version = TWCTL_GENL_VERSION;
	return nlh;
}

/* Parse `list ARGS...`, build its GET_ENTRIES request, parse that back. */
static int list_req(char **argv, struct parsed_req *p, struct list_opts *o,
		    char *buf)
{
	memset(&g_opts, 0, sizeof(g_opts));
	err_clear();
	if (list_parse(t_argc(argv), argv, o))
		return -1;
	list_put_request(new_req(buf, TWCTL_CMD_GET_ENTRIES), o);
	parse_req((struct nlmsghdr *)buf, p);
	return 0;
}

#define F(x) (1U << TWCTL_FILTER_A_##x)

static void test_encoding(void)
{
	static char buf[8192];
	struct parsed_req p;
	struct list_opts o;
	uint8_t a[16];

	t_true("no filter: no FILTER nest, no attributes",
	       list_req(ARGV("list"), &p, &o, buf) == 0 && p.top_mask == 0);

	list_req(ARGV("list", "--lport", "80"), &p, &o, buf);
	t_u64("--lport 80: attributes", p.flt_mask, F(LPORT_MIN));
	t_u64("--lport 80: value", mnl_attr_get_u16(p.flt[TWCTL_FILTER_A_LPORT_MIN]), 80);
	t_u64("--lport 80: u16 length",
	      mnl_attr_get_payload_len(p.flt[TWCTL_FILTER_A_LPORT_MIN]), 2);
	t_u64("--lport 80: only FILTER at top", p.top_mask, 1U << TWCTL_A_FILTER);

	list_req(ARGV("list", "--lport", "1000-2000"), &p, &o, buf);
	t_u64("--lport range: attributes", p.flt_mask, F(LPORT_MIN) | F(LPORT_MAX));
	t_true("--lport range: values",
	       mnl_attr_get_u16(p.flt[TWCTL_FILTER_A_LPORT_MIN]) == 1000 &&
	       mnl_attr_get_u16(p.flt[TWCTL_FILTER_A_LPORT_MAX]) == 2000);

	list_req(ARGV("list", "--rport", "443-443"), &p, &o, buf);
	t_u64("--rport P-P sends MIN only", p.flt_mask, F(RPORT_MIN));

	list_req(ARGV("list", "-4", "--raddr", "10.9.8.7/8"), &p, &o, buf);
	t_u64("-4 --raddr v4/8: attributes", p.flt_mask,
	      F(FAMILY) | F(RADDR) | F(RADDR_PREFIX));
	t_u64("-4: family AF_INET", mnl_attr_get_u8(p.flt[TWCTL_FILTER_A_FAMILY]),
	      AF_INET);
	inet_pton(AF_INET, "10.0.0.0", a);
	t_true("--raddr v4: 4 bytes, host bits cleared",
	       mnl_attr_get_payload_len(p.flt[TWCTL_FILTER_A_RADDR]) == 4 &&
	       !memcmp(mnl_attr_get_payload(p.flt[TWCTL_FILTER_A_RADDR]), a, 4));
	t_u64("--raddr /8: prefix", mnl_attr_get_u8(p.flt[TWCTL_FILTER_A_RADDR_PREFIX]), 8);

	list_req(ARGV("list", "--laddr", "[::1]"), &p, &o, buf);
	t_u64("--laddr [::1]: no prefix attribute", p.flt_mask, F(LADDR));
	inet_pton(AF_INET6, "::1", a);
	t_true("--laddr [::1]: 16 bytes",
	       mnl_attr_get_payload_len(p.flt[TWCTL_FILTER_A_LADDR]) == 16 &&
	       !memcmp(mnl_attr_get_payload(p.flt[TWCTL_FILTER_A_LADDR]), a, 16));

	list_req(ARGV("list", "--laddr", "10.1.2.3/32"), &p, &o, buf);
	t_u64("--laddr v4/32: full length sends no prefix", p.flt_mask, F(LADDR));

	list_req(ARGV("list", "-6", "--laddr", "::ffff:127.0.0.1"), &p, &o, buf);
	t_true("-6 --laddr mapped: 16 bytes, family inet6",
	       mnl_attr_get_payload_len(p.flt[TWCTL_FILTER_A_LADDR]) == 16 &&
	       mnl_attr_get_u8(p.flt[TWCTL_FILTER_A_FAMILY]) == AF_INET6);

	list_req(ARGV("list", "--state", "time-wait", "--state", "fin-wait-2"),
		 &p, &o, buf);
	t_u64("--state x2: mask", mnl_attr_get_u32(p.flt[TWCTL_FILTER_A_STATES]),
	      TWCTL_STATES_ALL);
	list_req(ARGV("list", "--state", "fin-wait2"), &p, &o, buf);
	t_u64("--state fin-wait2: mask",
	      mnl_attr_get_u32(p.flt[TWCTL_FILTER_A_STATES]),
	      1U << TWCTL_STATE_FIN_WAIT2);

	list_req(ARGV("list", "--expiring-within", "10s", "--expiring-after",
		      "500ms", "--older-than", "2m"), &p, &o, buf);
	t_u64("time filters: attributes", p.flt_mask,
	      F(REMAINING_MAX_MS) | F(REMAINING_MIN_MS) | F(AGE_MIN_MS));
	t_true("time filters: values",
	       mnl_attr_get_u32(p.flt[TWCTL_FILTER_A_REMAINING_MAX_MS]) == 10000 &&
	       mnl_attr_get_u32(p.flt[TWCTL_FILTER_A_REMAINING_MIN_MS]) == 500 &&
	       mnl_attr_get_u32(p.flt[TWCTL_FILTER_A_AGE_MIN_MS]) == 120000);

	list_req(ARGV("list", "--cookie", "sk:ffff888012345678"), &p, &o, buf);
	t_true("--cookie: u64 payload",
	       mnl_attr_get_payload_len(p.flt[TWCTL_FILTER_A_COOKIE]) == 8 &&
	       mnl_attr_get_u64(p.flt[TWCTL_FILTER_A_COOKIE]) ==
	       0xffff888012345678ULL);

	list_req(ARGV("list", "--eligible", "--reusable"), &p, &o, buf);
	t_true("--eligible --reusable: zero-length flags",
	       p.flt_mask == (F(RECYCLE_ELIGIBLE) | F(REUSE_ELIGIBLE)) &&
	       mnl_attr_get_payload_len(p.flt[TWCTL_FILTER_A_RECYCLE_ELIGIBLE]) == 0 &&
	       mnl_attr_get_payload_len(p.flt[TWCTL_FILTER_A_REUSE_ELIGIBLE]) == 0);

	list_req(ARGV("list", "--limit", "5"), &p, &o, buf);
	t_true("--limit without --sort goes to the kernel",
	       p.top_mask == 1U << TWCTL_A_LIMIT &&
	       mnl_attr_get_u32(p.top[TWCTL_A_LIMIT]) == 5);
	list_req(ARGV("list", "--limit", "5", "--sort", "age", "--reverse"),
		 &p, &o, buf);
	t_true("--limit with --sort stays local",
	       p.top_mask == 0 && o.limit == 5 && o.sort == SORT_AGE && o.reverse);

	list_req(ARGV("list", "-4", "--lport", "1-2", "--rport", "3-4",
		      "--laddr", "1.2.3.0/24", "--raddr", "5.6.7.8",
		      "--state", "tw", "--state", "time-wait",
		      "--expiring-within", "1m", "--expiring-after", "1s",
		      "--cookie", "7", "--eligible", "--reusable",
		      "--older-than", "3s"), &p, &o, buf);
	t_contains("bad --state aborts the whole parse", err_msg(), "'tw'");

	list_req(ARGV("list", "-4", "--lport", "1-2", "--rport", "3-4",
		      "--laddr", "1.2.3.0/24", "--raddr", "5.6.7.8",
		      "--state", "time-wait", "--expiring-within", "1m",
		      "--expiring-after", "1s", "--cookie", "7", "--eligible",
		      "--reusable", "--older-than", "3s"), &p, &o, buf);
	t_u64("every filter option: exact attribute set", p.flt_mask,
	      F(FAMILY) | F(LPORT_MIN) | F(LPORT_MAX) | F(RPORT_MIN) |
	      F(RPORT_MAX) | F(LADDR) | F(LADDR_PREFIX) | F(RADDR) |
	      F(STATES) | F(REMAINING_MAX_MS) | F(REMAINING_MIN_MS) |
	      F(COOKIE) | F(RECYCLE_ELIGIBLE) | F(REUSE_ELIGIBLE) |
	      F(AGE_MIN_MS));
	t_u64("every filter option: nothing unknown", p.unknown, 0);
}

static void test_kill_requests(void);

static void test_other_requests(void)
{
	static char buf[8192];
	struct summary_opts so;
	struct kill_opts ko;
	struct parsed_req p;
	int r;

	memset(&g_opts, 0, sizeof(g_opts));
	r = summary_parse(1, ARGV("summary"), &so);
	summary_put_request(new_req(buf, TWCTL_CMD_GET_SUMMARY), &so);
	parse_req((struct nlmsghdr *)buf, &p);
	t_true("summary default: GROUP_BY dest, nothing else",
	       r == 0 && p.top_mask == 1U << TWCTL_A_GROUP_BY &&
	       mnl_attr_get_u8(p.top[TWCTL_A_GROUP_BY]) == TWCTL_GROUP_BY_DEST);

	r = summary_parse(6, ARGV("summary", "--by", "lport", "--top", "5",
				  "-6"), &so);
	summary_put_request(new_req(buf, TWCTL_CMD_GET_SUMMARY), &so);
	parse_req((struct nlmsghdr *)buf, &p);
	t_true("summary --by lport --top 5 -6",
	       r == 0 && p.top_mask == ((1U << TWCTL_A_GROUP_BY) |
					(1U << TWCTL_A_LIMIT) |
					(1U << TWCTL_A_FILTER)) &&
	       mnl_attr_get_u8(p.top[TWCTL_A_GROUP_BY]) == TWCTL_GROUP_BY_LPORT &&
	       mnl_attr_get_u32(p.top[TWCTL_A_LIMIT]) == 5 &&
	       p.flt_mask == F(FAMILY));
	t_true("summary --by rport", summary_parse(3, ARGV("summary", "--by",
	       "rport"), &so) == 0 && so.group_by == TWCTL_GROUP_BY_RPORT);
	t_true("summary --by raddr", summary_parse(3, ARGV("summary", "--by",
	       "raddr"), &so) == 0 && so.group_by == TWCTL_GROUP_BY_RADDR);
	t_true("summary --by bogus rejected",
	       summary_parse(3, ARGV("summary", "--by", "bogus"), &so) == -1);
	t_str("summary --by message", err_msg(),
	      "--by: 'bogus' is not a grouping (lport, rport, raddr, dest, netns)");

	r = kill_parse(1, ARGV("kill"), &ko);
	t_true("kill without filter refused", r == -1 && err_code() == EXIT_USAGE);
	t_str("kill refusal message", err_msg(),
	      "kill: refusing to kill every entry without a filter; give a filter, or --all to mean it");
	t_true("kill --dry-run without filter refused",
	       kill_parse(2, ARGV("kill", "--dry-run"), &ko) == -1);
	t_true("kill --limit without filter refused",
	       kill_parse(3, ARGV("kill", "--limit", "3"), &ko) == -1);
	t_true("kill --all accepted",
	       kill_parse(2, ARGV("kill", "--all"), &ko) == 0 && ko.all &&
	       filter_empty(&ko.filter));

	err_clear();
	t_true("kill --a is not --all",
	       kill_parse(2, ARGV("kill", "--a"), &ko) == -1 && !ko.all &&
	       err_code() == EXIT_USAGE);
	t_str("kill --a message", err_msg(),
	      "kill: '--a' is short for '--all'; write options in full");

	test_kill_requests();
}

/* What kill_request() builds: the code path cmd_kill() really sends. */
static void kill_req(char **argv, struct kill_opts *ko, struct parsed_req *p,
		     const struct genlmsghdr **g, int *r)
{
	static char buf[NL_REQ_BUFSIZE];
	struct nlmsghdr *req;
	struct nl nl = { .req = buf, .family_id = FAKE_FAMILY };

	memset(buf, 0, sizeof(buf));
	memset(&g_opts, 0, sizeof(g_opts));
	err_clear();
	*r = kill_parse(t_argc(argv), argv, ko);
	req = kill_request(&nl, ko);
	parse_req(req, p);
	*g = mnl_nlmsg_get_payload(req);
	if (req->nlmsg_type != FAKE_FAMILY || (void *)req != (void *)buf)
		*r = -99;
}

static void test_kill_requests(void)
{
	const struct genlmsghdr *g;
	struct kill_opts ko;
	struct parsed_req p;
	int r;

	kill_req(ARGV("kill", "--rport", "6379", "--limit", "3"), &ko, &p, &g,
		 &r);
	t_check(r == 0 && g->cmd == TWCTL_CMD_KILL &&
		g->version == TWCTL_GENL_VERSION &&
		p.top_mask == ((1U << TWCTL_A_FILTER) | (1U << TWCTL_A_LIMIT)) &&
		mnl_attr_get_u32(p.top[TWCTL_A_LIMIT]) == 3 &&
		p.flt_mask == F(RPORT_MIN) &&
		mnl_attr_get_u16(p.flt[TWCTL_FILTER_A_RPORT_MIN]) == 6379,
		"kill --rport --limit: KILL with filter and limit",
		"rc %d cmd %u top %#x flt %#x", r, g->cmd, p.top_mask,
		p.flt_mask);

	kill_req(ARGV("kill", "--rport", "6379", "--limit", "3", "--dry-run"),
		 &ko, &p, &g, &r);
	t_check(r == 0 && ko.dry_run && g->cmd == TWCTL_CMD_GET_ENTRIES &&
		p.top_mask == ((1U << TWCTL_A_FILTER) | (1U << TWCTL_A_LIMIT)) &&
		mnl_attr_get_u32(p.top[TWCTL_A_LIMIT]) == 3 &&
		p.flt_mask == F(RPORT_MIN) &&
		mnl_attr_get_u16(p.flt[TWCTL_FILTER_A_RPORT_MIN]) == 6379,
		"kill --dry-run: the GET_ENTRIES dump with the same filter and limit",
		"rc %d cmd %u top %#x flt %#x", r, g->cmd, p.top_mask,
		p.flt_mask);
	t_true("kill --dry-run never sends KILL or DRY_RUN",
	       g->cmd != TWCTL_CMD_KILL &&
	       !(p.top_mask & (1U << TWCTL_A_DRY_RUN)));

	kill_req(ARGV("kill", "--all"), &ko, &p, &g, &r);
	t_check(r == 0 && g->cmd == TWCTL_CMD_KILL && p.top_mask == 0,
		"kill --all: KILL without filter or limit",
		"rc %d cmd %u top %#x", r, g->cmd, p.top_mask);

	kill_req(ARGV("kill", "--all", "--dry-run"), &ko, &p, &g, &r);
	t_check(r == 0 && g->cmd == TWCTL_CMD_GET_ENTRIES && p.top_mask == 0,
		"kill --all --dry-run: plain dump",
		"rc %d cmd %u top %#x", r, g->cmd, p.top_mask);

	kill_req(ARGV("kill", "--cookie", "sk:1f", "--limit", "2147483647"),
		 &ko, &p, &g, &r);
	t_check(r == 0 && g->cmd == TWCTL_CMD_KILL &&
		mnl_attr_get_u32(p.top[TWCTL_A_LIMIT]) == TWCTL_LIMIT_MAX &&
		mnl_attr_get_u64(p.flt[TWCTL_FILTER_A_COOKIE]) == 0x1f &&
		p.unknown == 0, "kill --cookie --limit max",
		"rc %d cmd %u", r, g->cmd);
}

static void test_group_by_names(void)
{
	static const struct { const char *s; uint8_t by; } good[] = {
		{ "lport", TWCTL_GROUP_BY_LPORT },
		{ "rport", TWCTL_GROUP_BY_RPORT },
		{ "raddr", TWCTL_GROUP_BY_RADDR },
		{ "dest", TWCTL_GROUP_BY_DEST },
	};
	static const char *const bad[] = {
		"", "nosuch", "LPORT", "dest2", "des", "lport ",
	};
	char name[64];
	unsigned int i;
	uint8_t by;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		by = 0xff;
		snprintf(name, sizeof(name), "group_by '%s'", good[i].s);
		t_check(group_by_parse(good[i].s, &by) == 0 && by == good[i].by,
			name, "by %u", by);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		by = 0xff;
		err_clear();
		snprintf(name, sizeof(name), "group_by '%s' rejected", bad[i]);
		t_check(group_by_parse(bad[i], &by) == -1 && by == 0xff &&
			err_code() == EXIT_USAGE, name, "by %u code %d", by,
			err_code());
	}
}

/* list ARGS must fail with exactly this message. */
static void conflict(const char *name, char **argv, const char *want)
{
	struct list_opts o;
	int r;

	memset(&g_opts, 0, sizeof(g_opts));
	err_clear();
	r = list_parse(t_argc(argv), argv, &o);
	t_check(r == -1 && err_code() == EXIT_USAGE && !strcmp(err_msg(), want),
		name, "rc %d code %d msg \"%s\", want \"%s\"", r, err_code(),
		err_msg(), want);
}

static void accepted(const char *name, char **argv)
{
	struct list_opts o;
	int r;

	memset(&g_opts, 0, sizeof(g_opts));
	err_clear();
	r = list_parse(t_argc(argv), argv, &o);
	t_check(r == 0, name, "rejected: %s", err_msg());
}

static void test_conflicts(void)
{
	conflict("conflict -4 -6", ARGV("list", "-4", "-6"),
		 "-4 and -6 cannot be combined (give neither for both families)");
	conflict("conflict -4 with IPv6 --raddr",
		 ARGV("list", "-4", "--raddr", "::1"),
		 "--raddr ::1 is an IPv6 address, but -4 selects IPv4 entries only");
	conflict("conflict -4 with IPv6 --laddr (order)",
		 ARGV("list", "--laddr", "2001:db8::/32", "-4"),
		 "--laddr 2001:db8:: is an IPv6 address, but -4 selects IPv4 entries only");
	conflict("conflict -6 with IPv4 --raddr",
		 ARGV("list", "-6", "--raddr", "10.0.0.1"),
		 "--raddr 10.0.0.1 is an IPv4 address, but -6 selects IPv6 entries only (write ::ffff:10.0.0.1 for IPv4-mapped ones)");
	conflict("conflict v4 laddr with v6 raddr",
		 ARGV("list", "--laddr", "1.2.3.4", "--raddr", "2001:db8::1"),
		 "--laddr and --raddr are of different families (IPv4 and IPv6); no entry can match both");
	accepted("v4 laddr with mapped v6 raddr is fine",
		 ARGV("list", "--laddr", "1.2.3.4", "--raddr", "::ffff:5.6.7.8"));
	accepted("v4 laddr with ::/0 raddr is fine",
		 ARGV("list", "--laddr", "1.2.3.4", "--raddr", "::/0"));
	conflict("conflict expiring-after > expiring-within",
		 ARGV("list", "--expiring-after", "30s", "--expiring-within", "10s"),
		 "--expiring-after 30s is later than --expiring-within 10s; nothing can match");
	accepted("expiring-after == expiring-within is fine",
		 ARGV("list", "--expiring-after", "10s", "--expiring-within", "10000ms"));
	conflict("conflict --lport twice",
		 ARGV("list", "--lport", "80", "--lport", "443"),
		 "--lport given twice");
	conflict("conflict --cookie twice",
		 ARGV("list", "--cookie", "1", "--cookie", "2"),
		 "--cookie given twice");
	conflict("--reverse needs --sort", ARGV("list", "--reverse"),
		 "--reverse needs --sort");
	conflict("-j with -s", ARGV("list", "-j", "-s"),
		 "-j and -s cannot be combined");
	conflict("unexpected argument", ARGV("list", "extra"),
		 "list: unexpected argument 'extra'");
	conflict("missing value", ARGV("list", "--lport"),
		 "--lport needs a value");
	conflict("unknown option", ARGV("list", "--frob"),
		 "list: unknown or ambiguous option '--frob'");
	t_str("unknown option asks for a usage hint", err_hint(), "list");
	conflict("unknown short option", ARGV("list", "-x"),
		 "list: unknown or ambiguous option '-x'");
	conflict("--sort bad key", ARGV("list", "--sort", "size"),
		 "--sort: 'size' is not a sort key (remaining, age, lport, rport, local, remote, cookie, state)");
	conflict("--limit 0", ARGV("list", "--limit", "0"),
		 "--limit: '0' is not a number from 1 to 2147483647");
	accepted("long option with =", ARGV("list", "--lport=80", "--state=time-wait"));
}

/* CLI args -> filter -> nest -> filter -> the same CLI args. */
static void round_trip(const char *name, char **argv, const char *want)
{
	static char buf[8192];
	struct list_opts o;
	struct tw_filter back;
	struct parsed_req p;
	char desc[512];
	int r;

	r = list_req(argv, &p, &o, buf);
	if (r || !p.top[TWCTL_A_FILTER]) {
		t_check(false, name, "no filter built: %s", err_msg());
		return;
	}
	r = filter_parse_nest(p.top[TWCTL_A_FILTER], &back);
	filter_describe(desc, sizeof(desc), &back);
	t_check(r == 0 && !strcmp(desc, want), name, "got \"%s\", want \"%s\"",
		desc, want);
}

static void test_round_trip(void)
{
	static char buf[8192];
	struct parsed_req p;
	struct list_opts o, o2;
	struct tw_filter back;
	struct json j;
	char desc[512], *words[32], *s;
	int n = 0;
	FILE *f;

	round_trip("round trip ports and v4 prefix",
		   ARGV("list", "-4", "--lport", "80-90", "--raddr", "10.1.1.1/8"),
		   "-4 --lport 80-90 --raddr 10.0.0.0/8");
	round_trip("round trip v6 and times",
		   ARGV("list", "--laddr", "[2001:db8::1]/64", "--rport", "443",
			"--expiring-within", "1.5s", "--older-than", "2m"),
		   "--rport 443 --laddr 2001:db8::/64 --expiring-within 1500ms --older-than 2m");
	round_trip("round trip states, cookie, flags",
		   ARGV("list", "--state", "fin-wait-2", "--state", "TIME_WAIT",
			"--cookie", "26", "--eligible", "--reusable"),
		   "--state time-wait --state fin-wait2 --cookie sk:1a --eligible --reusable");

	/* And the description parses back into the identical filter. */
	list_req(ARGV("list", "-6", "--lport", "1-2", "--rport", "3",
		      "--laddr", "::ffff:1.2.3.4", "--raddr", "fe80::/10",
		      "--state", "time-wait", "--expiring-within", "59s",
		      "--expiring-after", "1ms", "--older-than", "1m",
		      "--cookie", "0xabc", "--eligible", "--reusable"),
		 &p, &o, buf);
	filter_parse_nest(p.top[TWCTL_A_FILTER], &back);
	filter_describe(desc, sizeof(desc), &back);
	words[n++] = "list";
	for (s = strtok(desc, " "); s && n < 31; s = strtok(NULL, " "))
		words[n++] = s;
	words[n] = NULL;
	memset(&g_opts, 0, sizeof(g_opts));
	t_true("description re-parses to the same filter",
	       list_parse(n, words, &o2) == 0 &&
	       !memcmp(&o.filter, &o2.filter, sizeof(o.filter)));

	f = tmpfile();
	json_init(&j, f);
	filter_json(&j, NULL, &back);
	t_str("decoded filter as JSON", t_slurp(f),
	      "{\"family\":\"inet6\",\"lport_min\":1,\"lport_max\":2,"
	      "\"rport_min\":3,\"laddr\":\"::ffff:1.2.3.4\",\"laddr_prefix\":128,"
	      "\"raddr\":\"fe80::\",\"raddr_prefix\":10,\"states\":[\"TIME_WAIT\"],"
	      "\"remaining_max_ms\":59000,\"remaining_min_ms\":1,"
	      "\"age_min_ms\":60000,\"cookie\":2748,\"recycle_eligible\":true,"
	      "\"reuse_eligible\":true}");
	fclose(f);

	memset(&back, 0, sizeof(back));
	t_str("empty filter describes as nothing",
	      filter_describe(desc, sizeof(desc), &back), "");
}

void test_filter(void)
{
	test_encoding();
	test_other_requests();
	test_group_by_names();
	test_conflicts();
	test_round_trip();
}

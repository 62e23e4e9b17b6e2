// SPDX-License-Identifier: GPL-2.0
/* KUnit suite twctl_filter: which entries a filter selects. */
#include <kunit/test.h>

#include "helpers.h"

static bool match(const struct twctl_filter *f, const struct twctl_entry *e)
{
	return twctl_filter_match(f, e);
}

static void twctl_filter_empty_selects_everything(struct kunit *test)
{
	struct twctl_filter f;
	struct twctl_entry e;

	twctl_filter_init(&f);
	KUNIT_EXPECT_TRUE(test, f.selects_all);
	twctl_test_entry(&e, "10.0.0.1", 1, "10.0.0.2", 65535);
	KUNIT_EXPECT_TRUE(test, match(&f, &e));
	twctl_test_entry(&e, "fd00::1", 0, "fd00::2", 0);
	e.state = TWCTL_STATE_FIN_WAIT2;
	KUNIT_EXPECT_TRUE(test, match(&f, &e));
}

static void twctl_filter_port_ranges_are_inclusive(struct kunit *test)
{
	struct twctl_filter f;
	struct twctl_entry e;

	twctl_filter_init(&f);
	f.lport_min = 1000;
	f.lport_max = 2000;
	twctl_test_entry(&e, "127.0.0.1", 999, "127.0.0.1", 80);
	KUNIT_EXPECT_FALSE(test, match(&f, &e));
	e.lport = 1000;
	KUNIT_EXPECT_TRUE(test, match(&f, &e));
	e.lport = 2000;
	KUNIT_EXPECT_TRUE(test, match(&f, &e));
	e.lport = 2001;
	KUNIT_EXPECT_FALSE(test, match(&f, &e));

	twctl_filter_init(&f);
	f.rport_min = 80;
	f.rport_max = 80;
	e.lport = 5;
	KUNIT_EXPECT_TRUE(test, match(&f, &e));
	e.rport = 81;
	KUNIT_EXPECT_FALSE(test, match(&f, &e));
}

static void twctl_filter_ipv4_prefixes(struct kunit *test)
{
	struct twctl_filter f;
	struct twctl_entry e;

	twctl_filter_init(&f);
	twctl_test_addr_filter(&f.raddr, "198.18.0.0", 24);
	twctl_test_entry(&e, "198.18.1.1", 4000, "198.18.0.200", 80);
	KUNIT_EXPECT_TRUE(test, match(&f, &e));
	twctl_test_entry(&e, "198.18.0.1", 4000, "198.18.1.200", 80);
	KUNIT_EXPECT_FALSE(test, match(&f, &e));

	/* /0 selects every IPv4 (and IPv4-mapped) entry, no IPv6 one. */
	twctl_test_addr_filter(&f.raddr, "0.0.0.0", 0);
	KUNIT_EXPECT_TRUE(test, match(&f, &e));
	twctl_test_entry(&e, "fd00::1", 4000, "fd00::2", 80);
	KUNIT_EXPECT_FALSE(test, match(&f, &e));

	/* /32 is one host. */
	twctl_test_addr_filter(&f.laddr, "127.0.0.1", 32);
	twctl_test_addr_filter(&f.raddr, "0.0.0.0", 0);
	twctl_test_entry(&e, "127.0.0.1", 1, "127.0.0.2", 2);
	KUNIT_EXPECT_TRUE(test, match(&f, &e));
	twctl_test_entry(&e, "127.0.0.2", 1, "127.0.0.1", 2);
	KUNIT_EXPECT_FALSE(test, match(&f, &e));
}

static void twctl_filter_ipv4_matches_v4_mapped(struct kunit *test)
{
	struct twctl_filter f;
	struct twctl_entry e;

	twctl_filter_init(&f);
	twctl_test_addr_filter(&f.raddr, "127.0.0.0", 8);
	twctl_test_entry(&e, "::ffff:127.0.0.1", 4000, "::ffff:127.0.0.1", 80);
	KUNIT_EXPECT_EQ(test, e.family, (u8)AF_INET6);
	KUNIT_EXPECT_TRUE(test, match(&f, &e));
	twctl_test_entry(&e, "::ffff:10.0.0.1", 4000, "::ffff:10.0.0.1", 80);
	KUNIT_EXPECT_FALSE(test, match(&f, &e));
	/* A native IPv6 address whose low bits look like 127/8 is not mapped. */
	twctl_test_entry(&e, "::1", 4000, "::7f00:1", 80);
	KUNIT_EXPECT_FALSE(test, match(&f, &e));
}

static void twctl_filter_ipv6_prefixes(struct kunit *test)
{
	struct twctl_filter f;
	struct twctl_entry e;

	twctl_filter_init(&f);
	twctl_test_addr_filter(&f.laddr, "fd00::", 8);
	twctl_test_entry(&e, "fd12:3456::1", 1, "::1", 2);
	KUNIT_EXPECT_TRUE(test, match(&f, &e));
	twctl_test_entry(&e, "fe80::1", 1, "::1", 2);
	KUNIT_EXPECT_FALSE(test, match(&f, &e));

	/* An IPv6 filter never selects an AF_INET entry ... */
	twctl_test_addr_filter(&f.laddr, "::ffff:0.0.0.0", 96);
	twctl_test_entry(&e, "127.0.0.1", 1, "127.0.0.1", 2);
	KUNIT_EXPECT_FALSE(test, match(&f, &e));
	/* ... but does select IPv4-mapped AF_INET6 entries by prefix. */
	twctl_test_entry(&e, "::ffff:127.0.0.1", 1, "::1", 2);
	KUNIT_EXPECT_TRUE(test, match(&f, &e));

	/* Odd prefix lengths compare partial bytes. */
	twctl_test_addr_filter(&f.laddr, "fd00:ff80::", 25);
	twctl_test_entry(&e, "fd00:ffff::1", 1, "::1", 2);
	KUNIT_EXPECT_TRUE(test, match(&f, &e));
	twctl_test_entry(&e, "fd00:ff7f::1", 1, "::1", 2);
	KUNIT_EXPECT_FALSE(test, match(&f, &e));
}

static void twctl_filter_family_and_state(struct kunit *test)
{
	struct twctl_filter f;
	struct twctl_entry e;

	twctl_filter_init(&f);
	f.family = AF_INET6;
	twctl_test_entry(&e, "127.0.0.1", 1, "127.0.0.1", 2);
	KUNIT_EXPECT_FALSE(test, match(&f, &e));
	twctl_test_entry(&e, "::ffff:127.0.0.1", 1, "::1", 2);
	KUNIT_EXPECT_TRUE(test, match(&f, &e));

	twctl_filter_init(&f);
	f.states = 1U << TWCTL_STATE_FIN_WAIT2;
	KUNIT_EXPECT_FALSE(test, match(&f, &e));
	e.state = TWCTL_STATE_FIN_WAIT2;
	KUNIT_EXPECT_TRUE(test, match(&f, &e));
}

static void twctl_filter_cookie_time_and_verdicts(struct kunit *test)
{
	struct twctl_filter f;
	struct twctl_entry e;

	twctl_test_entry(&e, "127.0.0.1", 1, "127.0.0.1", 2);
	e.cookie = 0x100000001ULL;
	e.remaining_ms = 30000;
	e.age_ms = 30000;

	twctl_filter_init(&f);
	f.has_cookie = true;
	f.cookie = 0x100000001ULL;
	KUNIT_EXPECT_TRUE(test, match(&f, &e));
	f.cookie = 1;
	KUNIT_EXPECT_FALSE(test, match(&f, &e));

	twctl_filter_init(&f);
	f.remaining_max_ms = 30000;
	KUNIT_EXPECT_TRUE(test, match(&f, &e));
	f.remaining_max_ms = 29999;
	KUNIT_EXPECT_FALSE(test, match(&f, &e));
	twctl_filter_init(&f);
	f.remaining_min_ms = 30001;
	KUNIT_EXPECT_FALSE(test, match(&f, &e));

	twctl_filter_init(&f);
	f.age_min_ms = 30000;
	KUNIT_EXPECT_TRUE(test, match(&f, &e));
	f.age_min_ms = 30001;
	KUNIT_EXPECT_FALSE(test, match(&f, &e));

	twctl_filter_init(&f);
	f.recycle_eligible = true;
	KUNIT_EXPECT_FALSE(test, match(&f, &e));
	e.recycle_eligible = true;
	KUNIT_EXPECT_TRUE(test, match(&f, &e));
	f.reuse_eligible = true;
	KUNIT_EXPECT_FALSE(test, match(&f, &e));
	e.reuse_eligible = true;
	KUNIT_EXPECT_TRUE(test, match(&f, &e));
}

/* The under-lock part must never select less than the full match. */
static void twctl_filter_tuple_part_is_implied(struct kunit *test)
{
	struct twctl_filter f;
	struct twctl_entry e;

	twctl_filter_init(&f);
	f.has_cookie = true;
	f.cookie = 7;
	twctl_test_entry(&e, "127.0.0.1", 1, "127.0.0.1", 2);
	KUNIT_EXPECT_TRUE(test, twctl_filter_match_tuple(&f, &e));
	KUNIT_EXPECT_FALSE(test, twctl_filter_match(&f, &e));
	e.cookie = 7;
	KUNIT_EXPECT_TRUE(test, twctl_filter_match(&f, &e));
	f.lport_min = 2;
	KUNIT_EXPECT_FALSE(test, twctl_filter_match_tuple(&f, &e));
	KUNIT_EXPECT_FALSE(test, twctl_filter_match(&f, &e));
}

static void twctl_filter_describe_text(struct kunit *test)
{
	struct twctl_filter f;
	char buf[128];

	twctl_filter_init(&f);
	twctl_filter_describe(&f, buf, sizeof(buf));
	KUNIT_EXPECT_STREQ(test, buf, " all");

	f.lport_min = 80;
	f.lport_max = 80;
	twctl_test_addr_filter(&f.raddr, "198.18.0.0", 15);
	f.has_cookie = true;
	f.cookie = 42;
	f.selects_all = false;
	twctl_filter_describe(&f, buf, sizeof(buf));
	KUNIT_EXPECT_STREQ(test, buf, " lport=80-80 raddr=198.18.0.0/15 cookie=42");

	/* Truncation never overruns the buffer. */
	twctl_filter_describe(&f, buf, 8);
	KUNIT_EXPECT_EQ(test, strlen(buf), (size_t)7);
}

static struct kunit_case twctl_filter_cases[] = {
	KUNIT_CASE(twctl_filter_empty_selects_everything),
	KUNIT_CASE(twctl_filter_port_ranges_are_inclusive),
	KUNIT_CASE(twctl_filter_ipv4_prefixes),
	KUNIT_CASE(twctl_filter_ipv4_matches_v4_mapped),
	KUNIT_CASE(twctl_filter_ipv6_prefixes),
	KUNIT_CASE(twctl_filter_family_and_state),
	KUNIT_CASE(twctl_filter_cookie_time_and_verdicts),
	KUNIT_CASE(twctl_filter_tuple_part_is_implied),
	KUNIT_CASE(twctl_filter_describe_text),
	{}
};

static struct kunit_suite twctl_filter_suite = {
	.name = "twctl_filter",
	.test_cases = twctl_filter_cases,
};

kunit_test_suite(twctl_filter_suite);

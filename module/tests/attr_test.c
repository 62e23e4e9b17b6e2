// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite twctl_attr: parsing TWCTL_A_FILTER nests, as userspace would
 * send them, through the real policy. Malformed input must fail with an
 * extended ACK message and leave nothing half-parsed behind.
 */
#include <kunit/test.h>
#include <net/netlink.h>

#include "helpers.h"

struct twctl_attr_ctx {
	struct sk_buff *skb;
	struct nlattr *nest;
};

static void attr_begin(struct kunit *test, struct twctl_attr_ctx *c)
{
	c->skb = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->skb);
	c->nest = nla_nest_start(c->skb, TWCTL_A_FILTER);
	KUNIT_ASSERT_NOT_NULL(test, c->nest);
}

static int attr_parse(struct twctl_attr_ctx *c, struct twctl_filter *f,
		      struct netlink_ext_ack *extack)
{
	int err;

	nla_nest_end(c->skb, c->nest);
	memset(extack, 0, sizeof(*extack));
	err = twctl_filter_parse(f, c->nest, extack);
	kfree_skb(c->skb);
	return err;
}

static void twctl_attr_valid_filter(struct kunit *test)
{
	struct netlink_ext_ack extack;
	struct twctl_attr_ctx c;
	struct twctl_filter f;

	attr_begin(test, &c);
	nla_put_u16(c.skb, TWCTL_FILTER_A_LPORT_MIN, 1000);
	nla_put_u16(c.skb, TWCTL_FILTER_A_LPORT_MAX, 2000);
	nla_put_u16(c.skb, TWCTL_FILTER_A_RPORT_MIN, 80);
	nla_put_in_addr(c.skb, TWCTL_FILTER_A_RADDR, htonl(0xc6120000));
	nla_put_u8(c.skb, TWCTL_FILTER_A_RADDR_PREFIX, 15);
	nla_put_in6_addr(c.skb, TWCTL_FILTER_A_LADDR, &in6addr_loopback);
	nla_put_u32(c.skb, TWCTL_FILTER_A_STATES, 1U << TWCTL_STATE_TIME_WAIT);
	nla_put_u64_64bit(c.skb, TWCTL_FILTER_A_COOKIE, 1ULL << 40,
			  TWCTL_FILTER_A_PAD);
	nla_put_flag(c.skb, TWCTL_FILTER_A_RECYCLE_ELIGIBLE);
	nla_put_u32(c.skb, TWCTL_FILTER_A_AGE_MIN_MS, 1500);
	KUNIT_ASSERT_EQ(test, attr_parse(&c, &f, &extack), 0);

	KUNIT_EXPECT_FALSE(test, f.selects_all);
	KUNIT_EXPECT_EQ(test, f.lport_min, 1000);
	KUNIT_EXPECT_EQ(test, f.lport_max, 2000);
	/* A minimum alone means exactly that port. */
	KUNIT_EXPECT_EQ(test, f.rport_min, 80);
	KUNIT_EXPECT_EQ(test, f.rport_max, 80);
	KUNIT_EXPECT_EQ(test, f.raddr.family, (u8)AF_INET);
	KUNIT_EXPECT_EQ(test, f.raddr.plen, 15);
	KUNIT_EXPECT_TRUE(test, ipv6_addr_v4mapped(&f.raddr.addr));
	KUNIT_EXPECT_EQ(test, f.laddr.family, (u8)AF_INET6);
	KUNIT_EXPECT_EQ(test, f.laddr.plen, 128);
	KUNIT_EXPECT_EQ(test, f.states, 1U << TWCTL_STATE_TIME_WAIT);
	KUNIT_EXPECT_TRUE(test, f.has_cookie);
	KUNIT_EXPECT_EQ(test, f.cookie, 1ULL << 40);
	KUNIT_EXPECT_TRUE(test, f.recycle_eligible);
	KUNIT_EXPECT_FALSE(test, f.reuse_eligible);
	KUNIT_EXPECT_EQ(test, f.age_min_ms, 1500U);
	KUNIT_EXPECT_EQ(test, f.remaining_max_ms, U32_MAX);
}

static void twctl_attr_empty_and_absent(struct kunit *test)
{
	struct netlink_ext_ack extack = {};
	struct twctl_attr_ctx c;
	struct twctl_filter f;

	KUNIT_EXPECT_EQ(test, twctl_filter_parse(&f, NULL, &extack), 0);
	KUNIT_EXPECT_TRUE(test, f.selects_all);

	attr_begin(test, &c);
	KUNIT_EXPECT_EQ(test, attr_parse(&c, &f, &extack), 0);
	KUNIT_EXPECT_TRUE(test, f.selects_all);
	KUNIT_EXPECT_EQ(test, f.states, TWCTL_STATES_ALL);
}

/* Each malformed case: how to build it, and the message it must produce. */
struct twctl_bad_case {
	const char *name;
	void (*build)(struct sk_buff *skb);
	int err;
	const char *msg;	/* NULL: any message, but there must be one */
};

static void bad_port_order(struct sk_buff *skb)
{
	nla_put_u16(skb, TWCTL_FILTER_A_RPORT_MIN, 90);
	nla_put_u16(skb, TWCTL_FILTER_A_RPORT_MAX, 80);
}

static void bad_addr_len(struct sk_buff *skb)
{
	u8 five[5] = {};

	nla_put(skb, TWCTL_FILTER_A_LADDR, sizeof(five), five);
}

static void bad_v4_prefix(struct sk_buff *skb)
{
	nla_put_in_addr(skb, TWCTL_FILTER_A_LADDR, htonl(0x7f000001));
	nla_put_u8(skb, TWCTL_FILTER_A_LADDR_PREFIX, 33);
}

static void bad_prefix_over_128(struct sk_buff *skb)
{
	nla_put_in6_addr(skb, TWCTL_FILTER_A_RADDR, &in6addr_loopback);
	nla_put_u8(skb, TWCTL_FILTER_A_RADDR_PREFIX, 129);
}

static void bad_prefix_alone(struct sk_buff *skb)
{
	nla_put_u8(skb, TWCTL_FILTER_A_RADDR_PREFIX, 8);
}

static void bad_family(struct sk_buff *skb)
{
	nla_put_u8(skb, TWCTL_FILTER_A_FAMILY, AF_UNIX);
}

static void bad_family_contradiction(struct sk_buff *skb)
{
	nla_put_u8(skb, TWCTL_FILTER_A_FAMILY, AF_INET6);
	nla_put_in_addr(skb, TWCTL_FILTER_A_RADDR, htonl(0x7f000001));
}

static void bad_state_bits(struct sk_buff *skb)
{
	nla_put_u32(skb, TWCTL_FILTER_A_STATES, 1U << 1);
}

static void bad_state_none(struct sk_buff *skb)
{
	nla_put_u32(skb, TWCTL_FILTER_A_STATES, 0);
}

static void bad_u16_as_u32(struct sk_buff *skb)
{
	nla_put_u32(skb, TWCTL_FILTER_A_LPORT_MIN, 80);
}

static void bad_unknown_attr(struct sk_buff *skb)
{
	nla_put_u32(skb, TWCTL_FILTER_A_MAX + 1, 1);
}

static void bad_time_order(struct sk_buff *skb)
{
	nla_put_u32(skb, TWCTL_FILTER_A_REMAINING_MIN_MS, 2000);
	nla_put_u32(skb, TWCTL_FILTER_A_REMAINING_MAX_MS, 1000);
}

static void bad_flag_with_payload(struct sk_buff *skb)
{
	nla_put_u8(skb, TWCTL_FILTER_A_REUSE_ELIGIBLE, 1);
}

static const struct twctl_bad_case twctl_bad_cases[] = {
	{ "port order", bad_port_order, -EINVAL, "port range maximum is below its minimum" },
	{ "address length", bad_addr_len, -EINVAL, "address must be 4 (IPv4) or 16 (IPv6) bytes" },
	{ "IPv4 prefix 33", bad_v4_prefix, -EINVAL, "prefix length exceeds the address length" },
	{ "prefix 129", bad_prefix_over_128, -ERANGE, NULL },
	{ "prefix alone", bad_prefix_alone, -EINVAL, "prefix length given without an address" },
	{ "family", bad_family, -EINVAL, "family must be AF_INET or AF_INET6" },
	{ "family contradiction", bad_family_contradiction, -EINVAL,
	  "family contradicts an address filter" },
	{ "state bits", bad_state_bits, -EINVAL, NULL },
	{ "state none", bad_state_none, -EINVAL, "state mask selects nothing" },
	{ "u16 sent as u32", bad_u16_as_u32, -EINVAL, NULL },
	{ "unknown attribute", bad_unknown_attr, -EINVAL, NULL },
	{ "time order", bad_time_order, -EINVAL, "time-left maximum is below its minimum" },
	{ "flag with payload", bad_flag_with_payload, -ERANGE, NULL },
};

static void twctl_attr_rejects_malformed(struct kunit *test)
{
	const struct twctl_bad_case *bc;
	struct netlink_ext_ack extack;
	struct twctl_attr_ctx c;
	struct twctl_filter f;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(twctl_bad_cases); i++) {
		bc = &twctl_bad_cases[i];
		attr_begin(test, &c);
		bc->build(c.skb);
		KUNIT_EXPECT_EQ_MSG(test, attr_parse(&c, &f, &extack), bc->err,
				    "case: %s", bc->name);
		KUNIT_EXPECT_NOT_NULL_MSG(test, extack._msg, "case: %s", bc->name);
		if (bc->msg && extack._msg)
			KUNIT_EXPECT_STREQ_MSG(test, extack._msg, bc->msg,
					       "case: %s", bc->name);
	}
}

static struct kunit_case twctl_attr_cases[] = {
	KUNIT_CASE(twctl_attr_valid_filter),
	KUNIT_CASE(twctl_attr_empty_and_absent),
	KUNIT_CASE(twctl_attr_rejects_malformed),
	{}
};

static struct kunit_suite twctl_attr_suite = {
	.name = "twctl_attr",
	.test_cases = twctl_attr_cases,
};

kunit_test_suite(twctl_attr_suite);

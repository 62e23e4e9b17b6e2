// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite twctl_entry: what the encoding of one entry gives a reader
 * with and without CAP_NET_ADMIN over the netns (issue 8, defect 1).
 */
#include <kunit/test.h>
#include <net/netlink.h>

#include "helpers.h"

/* Encodes @e for a reader, then parses the nest back. */
static void entry_encode(struct kunit *test, const struct twctl_entry *e,
			 bool net_admin, struct nlattr **tb,
			 struct sk_buff **skbp)
{
	struct sk_buff *skb = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	struct nlattr *nest;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	*skbp = skb;
	KUNIT_ASSERT_EQ(test, twctl_entry_put(skb, e, net_admin, false), 0);
	nest = (struct nlattr *)skb->data;
	KUNIT_ASSERT_EQ(test, nla_type(nest), TWCTL_A_ENTRY);
	KUNIT_ASSERT_EQ(test, nla_parse_nested_deprecated(tb, TWCTL_ENTRY_A_MAX,
							  nest, NULL, NULL), 0);
}

static void sample(struct twctl_entry *e)
{
	twctl_test_entry(e, "10.0.0.1", 40000, "10.0.0.2", 80);
	e->cookie = 77;
	e->remaining_ms = 30000;
	e->timestamps = true;
	e->ts_recent = 0x11223344;
	e->ts_recent_age_ms = 2000;
	e->snd_nxt = 0xdeadbeef;
	e->rcv_nxt = 0xfeedface;
	e->mark = 42;
}

/* Unprivileged: tuple, state, time left, cookie; nothing inet_diag hides. */
static void twctl_entry_unprivileged_no_secrets(struct kunit *test)
{
	struct nlattr *tb[TWCTL_ENTRY_A_MAX + 1];
	struct twctl_entry e;
	struct sk_buff *skb;

	sample(&e);
	entry_encode(test, &e, false, tb, &skb);
	KUNIT_EXPECT_NOT_NULL(test, tb[TWCTL_ENTRY_A_LPORT]);
	KUNIT_EXPECT_NOT_NULL(test, tb[TWCTL_ENTRY_A_RADDR]);
	KUNIT_EXPECT_NOT_NULL(test, tb[TWCTL_ENTRY_A_STATE]);
	KUNIT_EXPECT_NOT_NULL(test, tb[TWCTL_ENTRY_A_REMAINING_MS]);
	KUNIT_EXPECT_NOT_NULL(test, tb[TWCTL_ENTRY_A_COOKIE]);
	KUNIT_EXPECT_NULL(test, tb[TWCTL_ENTRY_A_SND_NXT]);
	KUNIT_EXPECT_NULL(test, tb[TWCTL_ENTRY_A_RCV_NXT]);
	KUNIT_EXPECT_NULL(test, tb[TWCTL_ENTRY_A_TS_RECENT]);
	KUNIT_EXPECT_NULL(test, tb[TWCTL_ENTRY_A_TS_RECENT_AGE_MS]);
	KUNIT_EXPECT_NULL(test, tb[TWCTL_ENTRY_A_MARK]);
	kfree_skb(skb);
}

static void twctl_entry_net_admin_gets_all(struct kunit *test)
{
	struct nlattr *tb[TWCTL_ENTRY_A_MAX + 1];
	struct twctl_entry e;
	struct sk_buff *skb;

	sample(&e);
	entry_encode(test, &e, true, tb, &skb);
	KUNIT_ASSERT_NOT_NULL(test, tb[TWCTL_ENTRY_A_SND_NXT]);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[TWCTL_ENTRY_A_SND_NXT]), 0xdeadbeefU);
	KUNIT_ASSERT_NOT_NULL(test, tb[TWCTL_ENTRY_A_RCV_NXT]);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[TWCTL_ENTRY_A_RCV_NXT]), 0xfeedfaceU);
	KUNIT_ASSERT_NOT_NULL(test, tb[TWCTL_ENTRY_A_TS_RECENT]);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[TWCTL_ENTRY_A_TS_RECENT]), 0x11223344U);
	KUNIT_ASSERT_NOT_NULL(test, tb[TWCTL_ENTRY_A_TS_RECENT_AGE_MS]);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[TWCTL_ENTRY_A_TS_RECENT_AGE_MS]), 2000U);
	KUNIT_ASSERT_NOT_NULL(test, tb[TWCTL_ENTRY_A_MARK]);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[TWCTL_ENTRY_A_MARK]), 42U);
	kfree_skb(skb);
}

static struct kunit_case twctl_entry_cases[] = {
	KUNIT_CASE(twctl_entry_unprivileged_no_secrets),
	KUNIT_CASE(twctl_entry_net_admin_gets_all),
	{}
};

static struct kunit_suite twctl_entry_suite = {
	.name = "twctl_entry",
	.test_cases = twctl_entry_cases,
};

kunit_test_suite(twctl_entry_suite);

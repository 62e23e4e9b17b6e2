// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite twctl_entry: the encoding of one entry (a fixed struct plus
 * the extras asked for, issue 9) and what a reader with and without
 * CAP_NET_ADMIN over the netns gets of it (issue 8, defect 1).
 */
#include <kunit/test.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "helpers.h"

static void sample(struct twctl_entry *e)
{
	twctl_test_entry(e, "10.0.0.1", 40000, "10.0.0.2", 80);
	e->cookie = 0x1122334455667788ULL;
	e->remaining_ms = 30000;
	e->age_ms = 30000;
	e->age_source = TWCTL_AGE_SOURCE_CAPTURED;
	e->timestamps = true;
	e->ts_recent = 0x11223344;
	e->ts_recent_age_ms = 2000;
	e->snd_nxt = 0xdeadbeef;
	e->rcv_nxt = 0xfeedface;
	e->mark = 42;
	e->bound_if = 7;
	e->netns_ino = 4026531840U;
	e->rto_ms = 204;
	e->rto_source = TWCTL_RTO_SOURCE_CAPTURED;
	e->srtt_us = 1234;
	e->recycle_after_ms = 714;
	e->recycle_eligible = true;
	e->recycle_reason = TWCTL_RECYCLE_ELIGIBLE;
	e->reuse_eligible = false;
	e->reuse_reason = TWCTL_REUSE_TOO_RECENT;
}

/*
 * One entry message as the dump builds it (the requested extras already
 * reduced to what the reader may see); parses its attributes into @tb.
 */
static struct sk_buff *entry_msg(struct kunit *test,
				 const struct twctl_entry *e, u32 ext,
				 struct nlattr **tb)
{
	struct sk_buff *skb = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	struct nlmsghdr *nlh;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	/* What genlmsg_put() writes: the two headers, nothing else. */
	nlh = nlmsg_put(skb, 0, 0, GENL_ID_CTRL, GENL_HDRLEN, NLM_F_MULTI);
	KUNIT_ASSERT_NOT_NULL(test, nlh);
	KUNIT_ASSERT_EQ(test, twctl_entry_put(skb, e, ext), 0);
	nlmsg_end(skb, nlh);
	KUNIT_ASSERT_EQ(test, nla_parse_deprecated(tb, TWCTL_A_MAX,
						   genlmsg_data(nlmsg_data(nlh)),
						   genlmsg_len(nlmsg_data(nlh)),
						   NULL, NULL), 0);
	return skb;
}

/* What every listing needs costs 88 bytes, as ss's inet_diag message. */
static void twctl_entry_message_is_88_bytes(struct kunit *test)
{
	struct nlattr *tb[TWCTL_A_MAX + 1];
	struct twctl_entry e;
	struct sk_buff *skb;

	sample(&e);
	skb = entry_msg(test, &e, 0, tb);
	KUNIT_EXPECT_EQ(test, skb->len, 88U);
	KUNIT_EXPECT_EQ(test, nlmsg_hdr(skb)->nlmsg_len, 88U);
	KUNIT_ASSERT_NOT_NULL(test, tb[TWCTL_A_ENTRY_INFO]);
	KUNIT_EXPECT_EQ(test, nla_len(tb[TWCTL_A_ENTRY_INFO]),
			(int)sizeof(struct twctl_entry_info));
	KUNIT_EXPECT_NULL(test, tb[TWCTL_A_ENTRY_JUDGEMENT]);
	KUNIT_EXPECT_NULL(test, tb[TWCTL_A_ENTRY_SECRETS]);
	KUNIT_EXPECT_NULL(test, tb[TWCTL_A_ENTRY]);
	kfree_skb(skb);
}

static void twctl_entry_info_fields_ipv4(struct kunit *test)
{
	static const u8 laddr[16] = { 10, 0, 0, 1 }, raddr[16] = { 10, 0, 0, 2 };
	struct nlattr *tb[TWCTL_A_MAX + 1];
	struct twctl_entry_info info;
	struct twctl_entry e;
	struct sk_buff *skb;

	sample(&e);
	skb = entry_msg(test, &e, 0, tb);
	KUNIT_ASSERT_NOT_NULL(test, tb[TWCTL_A_ENTRY_INFO]);
	memcpy(&info, nla_data(tb[TWCTL_A_ENTRY_INFO]), sizeof(info));
	KUNIT_EXPECT_EQ(test, info.family, AF_INET);
	KUNIT_EXPECT_EQ(test, info.state, TWCTL_STATE_TIME_WAIT);
	KUNIT_EXPECT_EQ(test, info.flags, TWCTL_ENTRY_F_TIMESTAMPS |
					  TWCTL_ENTRY_F_RECYCLE_ELIGIBLE);
	KUNIT_EXPECT_EQ(test, info.age_source, TWCTL_AGE_SOURCE_CAPTURED);
	KUNIT_EXPECT_EQ(test, info.lport, 40000);
	KUNIT_EXPECT_EQ(test, info.rport, 80);
	/* IPv4 in the first 4 bytes, the other 12 zero (not mapped). */
	KUNIT_EXPECT_EQ(test, memcmp(info.laddr, laddr, 16), 0);
	KUNIT_EXPECT_EQ(test, memcmp(info.raddr, raddr, 16), 0);
	KUNIT_EXPECT_EQ(test, info.cookie, 0x1122334455667788ULL);
	KUNIT_EXPECT_EQ(test, info.remaining_ms, 30000U);
	KUNIT_EXPECT_EQ(test, info.age_ms, 30000U);
	KUNIT_EXPECT_EQ(test, info.netns_ino, 4026531840U);
	KUNIT_EXPECT_EQ(test, info.bound_if, 7U);
	kfree_skb(skb);
}

static void twctl_entry_info_fields_ipv6(struct kunit *test)
{
	struct twctl_entry_info info;
	struct twctl_entry e;

	twctl_test_entry(&e, "2001:db8::1", 1, "::ffff:10.0.0.2", 65535);
	e.state = TWCTL_STATE_FIN_WAIT2;
	e.reuse_eligible = true;
	twctl_entry_info_fill(&info, &e);
	KUNIT_EXPECT_EQ(test, info.family, AF_INET6);
	KUNIT_EXPECT_EQ(test, info.state, TWCTL_STATE_FIN_WAIT2);
	KUNIT_EXPECT_EQ(test, info.flags, TWCTL_ENTRY_F_REUSE_ELIGIBLE);
	KUNIT_EXPECT_EQ(test, info.lport, 1);
	KUNIT_EXPECT_EQ(test, info.rport, 65535);
	KUNIT_EXPECT_EQ(test, memcmp(info.laddr, e.laddr.s6_addr, 16), 0);
	/* An IPv4-mapped IPv6 entry keeps its 16 bytes. */
	KUNIT_EXPECT_EQ(test, memcmp(info.raddr, e.raddr.s6_addr, 16), 0);
}

static void twctl_entry_judgement_on_request(struct kunit *test)
{
	struct nlattr *tb[TWCTL_A_MAX + 1];
	struct twctl_entry_judgement j;
	struct twctl_entry e;
	struct sk_buff *skb;

	sample(&e);
	skb = entry_msg(test, &e, TWCTL_ENTRY_EXT_JUDGEMENT, tb);
	KUNIT_EXPECT_EQ(test, skb->len, 88U + 4 + 16);
	KUNIT_EXPECT_NULL(test, tb[TWCTL_A_ENTRY_SECRETS]);
	KUNIT_ASSERT_NOT_NULL(test, tb[TWCTL_A_ENTRY_JUDGEMENT]);
	KUNIT_ASSERT_EQ(test, nla_len(tb[TWCTL_A_ENTRY_JUDGEMENT]), (int)sizeof(j));
	memcpy(&j, nla_data(tb[TWCTL_A_ENTRY_JUDGEMENT]), sizeof(j));
	KUNIT_EXPECT_EQ(test, j.rto_ms, 204U);
	KUNIT_EXPECT_EQ(test, j.srtt_us, 1234U);
	KUNIT_EXPECT_EQ(test, j.recycle_after_ms, 714U);
	KUNIT_EXPECT_EQ(test, j.rto_source, TWCTL_RTO_SOURCE_CAPTURED);
	KUNIT_EXPECT_EQ(test, j.recycle_reason, TWCTL_RECYCLE_ELIGIBLE);
	KUNIT_EXPECT_EQ(test, j.reuse_reason, TWCTL_REUSE_TOO_RECENT);
	KUNIT_EXPECT_EQ(test, j.reserved, 0);
	kfree_skb(skb);
}

/* Unprivileged: tuple, state, time left, cookie; nothing inet_diag hides. */
static void twctl_entry_unprivileged_no_secrets(struct kunit *test)
{
	struct nlattr *tb[TWCTL_A_MAX + 1];
	struct twctl_entry e;
	struct sk_buff *skb;
	u32 ext = twctl_entries_ext(TWCTL_ENTRY_EXT_ALL, false);

	KUNIT_EXPECT_EQ(test, ext, (u32)TWCTL_ENTRY_EXT_JUDGEMENT);
	sample(&e);
	skb = entry_msg(test, &e, ext, tb);
	KUNIT_EXPECT_NOT_NULL(test, tb[TWCTL_A_ENTRY_INFO]);
	KUNIT_EXPECT_NOT_NULL(test, tb[TWCTL_A_ENTRY_JUDGEMENT]);
	KUNIT_EXPECT_NULL(test, tb[TWCTL_A_ENTRY_SECRETS]);
	kfree_skb(skb);
}

static void twctl_entry_net_admin_gets_all(struct kunit *test)
{
	struct nlattr *tb[TWCTL_A_MAX + 1];
	struct twctl_entry_secrets sec;
	struct twctl_entry e;
	struct sk_buff *skb;
	u32 ext = twctl_entries_ext(TWCTL_ENTRY_EXT_ALL, true);

	KUNIT_EXPECT_EQ(test, ext, (u32)TWCTL_ENTRY_EXT_ALL);
	sample(&e);
	skb = entry_msg(test, &e, ext, tb);
	KUNIT_EXPECT_NOT_NULL(test, tb[TWCTL_A_ENTRY_JUDGEMENT]);
	KUNIT_ASSERT_NOT_NULL(test, tb[TWCTL_A_ENTRY_SECRETS]);
	KUNIT_ASSERT_EQ(test, nla_len(tb[TWCTL_A_ENTRY_SECRETS]), (int)sizeof(sec));
	memcpy(&sec, nla_data(tb[TWCTL_A_ENTRY_SECRETS]), sizeof(sec));
	KUNIT_EXPECT_EQ(test, sec.snd_nxt, 0xdeadbeefU);
	KUNIT_EXPECT_EQ(test, sec.rcv_nxt, 0xfeedfaceU);
	KUNIT_EXPECT_EQ(test, sec.ts_recent, 0x11223344U);
	KUNIT_EXPECT_EQ(test, sec.ts_recent_age_ms, 2000U);
	KUNIT_EXPECT_EQ(test, sec.mark, 42U);
	KUNIT_EXPECT_EQ(test, sec.reserved, 0U);
	kfree_skb(skb);
}

/* A full buffer fails cleanly, so the dump can cancel the message. */
static void twctl_entry_put_full_skb(struct kunit *test)
{
	struct sk_buff *skb = alloc_skb(NLMSG_GOODSIZE, GFP_KERNEL);
	struct twctl_entry e;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	/* Room for less than the 68 bytes of the attribute. */
	skb_put(skb, skb_tailroom(skb) - 64);
	sample(&e);
	KUNIT_EXPECT_EQ(test, twctl_entry_put(skb, &e, 0), -EMSGSIZE);
	kfree_skb(skb);
}

static struct kunit_case twctl_entry_cases[] = {
	KUNIT_CASE(twctl_entry_message_is_88_bytes),
	KUNIT_CASE(twctl_entry_info_fields_ipv4),
	KUNIT_CASE(twctl_entry_info_fields_ipv6),
	KUNIT_CASE(twctl_entry_judgement_on_request),
	KUNIT_CASE(twctl_entry_unprivileged_no_secrets),
	KUNIT_CASE(twctl_entry_net_admin_gets_all),
	KUNIT_CASE(twctl_entry_put_full_skb),
	{}
};

static struct kunit_suite twctl_entry_suite = {
	.name = "twctl_entry",
	.test_cases = twctl_entry_cases,
};

kunit_test_suite(twctl_entry_suite);

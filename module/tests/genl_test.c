// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite twctl_genl: the top-level policies and the kill event
 * (issue 8, defects 5 and 6).
 */
#include <kunit/test.h>
#include <linux/cred.h>
#include <linux/sched.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "helpers.h"

static const struct nla_policy *const twctl_test_policies[] = {
	twctl_entries_policy, twctl_summary_policy, twctl_kill_policy,
};

/* Parses one LIMIT attribute holding @v through @pol as genetlink would. */
static int parse_limit(const struct nla_policy *pol, u32 v,
		       struct netlink_ext_ack *extack, struct sk_buff **skbp,
		       struct nlattr **attrp)
{
	struct nlattr *tb[TWCTL_A_MAX + 1];
	struct sk_buff *skb = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);

	*skbp = skb;
	if (!skb)
		return -ENOMEM;
	*attrp = (struct nlattr *)skb_tail_pointer(skb);
	if (nla_put_u32(skb, TWCTL_A_LIMIT, v))
		return -EMSGSIZE;
	memset(extack, 0, sizeof(*extack));
	return nla_parse(tb, TWCTL_A_MAX, (struct nlattr *)skb->data, skb->len,
			 pol, extack);
}

static void twctl_genl_limit_range(struct kunit *test)
{
	static const u32 bad[] = { 0, (u32)TWCTL_LIMIT_MAX + 1, U32_MAX };
	static const u32 good[] = { 1, 1000, TWCTL_LIMIT_MAX };
	struct netlink_ext_ack extack;
	struct sk_buff *skb;
	struct nlattr *a;
	unsigned int p, i;

	for (p = 0; p < ARRAY_SIZE(twctl_test_policies); p++) {
		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			KUNIT_EXPECT_EQ_MSG(test, parse_limit(twctl_test_policies[p],
							      bad[i], &extack, &skb, &a),
					    -ERANGE, "policy %u limit %u", p, bad[i]);
			/* The extended ACK names the attribute. */
			KUNIT_EXPECT_PTR_EQ_MSG(test, extack.bad_attr,
						(const struct nlattr *)a,
						"policy %u limit %u", p, bad[i]);
			kfree_skb(skb);
		}
		for (i = 0; i < ARRAY_SIZE(good); i++) {
			KUNIT_EXPECT_EQ_MSG(test, parse_limit(twctl_test_policies[p],
							      good[i], &extack, &skb, &a),
					    0, "policy %u limit %u", p, good[i]);
			kfree_skb(skb);
		}
	}
}

/* Parses one u32 attribute @type = @v through @pol, as genetlink would. */
static int parse_u32(const struct nla_policy *pol, int type, u32 v)
{
	struct nlattr *tb[TWCTL_A_MAX + 1];
	struct sk_buff *skb = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	int err;

	if (!skb)
		return -ENOMEM;
	err = nla_put_u32(skb, type, v);
	if (!err)
		err = nla_parse(tb, TWCTL_A_MAX, (struct nlattr *)skb->data,
				skb->len, pol, NULL);
	kfree_skb(skb);
	return err;
}

/* Extras: known bits only, and only where entries are listed. */
static void twctl_genl_entry_ext_bits(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, parse_u32(twctl_entries_policy, TWCTL_A_ENTRY_EXT,
					TWCTL_ENTRY_EXT_ALL), 0);
	KUNIT_EXPECT_EQ(test, parse_u32(twctl_entries_policy, TWCTL_A_ENTRY_EXT,
					0), 0);
	KUNIT_EXPECT_EQ(test, parse_u32(twctl_entries_policy, TWCTL_A_ENTRY_EXT,
					TWCTL_ENTRY_EXT_ALL + 1), -EINVAL);
	KUNIT_EXPECT_NE(test, parse_u32(twctl_summary_policy, TWCTL_A_ENTRY_EXT,
					TWCTL_ENTRY_EXT_JUDGEMENT), 0);
	KUNIT_EXPECT_NE(test, parse_u32(twctl_kill_policy, TWCTL_A_ENTRY_EXT,
					TWCTL_ENTRY_EXT_JUDGEMENT), 0);
}

/* ALL_NETNS: a flag for listings and summaries, not for kills. */
static void twctl_genl_all_netns_where(struct kunit *test)
{
	struct nlattr *tb[TWCTL_A_MAX + 1];
	struct sk_buff *skb = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_EQ(test, nla_put_flag(skb, TWCTL_A_ALL_NETNS), 0);
	KUNIT_EXPECT_EQ(test, nla_parse(tb, TWCTL_A_MAX, (struct nlattr *)skb->data,
					skb->len, twctl_entries_policy, NULL), 0);
	KUNIT_EXPECT_NOT_NULL(test, tb[TWCTL_A_ALL_NETNS]);
	KUNIT_EXPECT_EQ(test, nla_parse(tb, TWCTL_A_MAX, (struct nlattr *)skb->data,
					skb->len, twctl_summary_policy, NULL), 0);
	KUNIT_EXPECT_NE(test, nla_parse(tb, TWCTL_A_MAX, (struct nlattr *)skb->data,
					skb->len, twctl_kill_policy, NULL), 0);
	kfree_skb(skb);
}

/*
 * A filter spelled with 600 duplicated attributes (nearly 5 KiB, more than
 * a default-size message) still gives an event, carrying the filter as it
 * was applied and the killer's ids.
 */
static void twctl_genl_event_carries_parsed_filter(struct kunit *test)
{
	struct nlattr *tb[TWCTL_A_MAX + 1], *nest;
	struct netlink_ext_ack extack = {};
	struct twctl_filter f, back;
	struct twctl_kill_ctx k = { .filter = &f, .limit = 7, .matched = 3,
				    .killed = 2 };
	struct sk_buff *req, *ev;
	struct nlmsghdr *nlh;
	unsigned int i;

	req = nlmsg_new(8192, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, req);
	nest = nla_nest_start(req, TWCTL_A_FILTER);
	KUNIT_ASSERT_NOT_NULL(test, nest);
	for (i = 0; i < 600; i++)
		KUNIT_ASSERT_EQ(test, nla_put_u16(req, TWCTL_FILTER_A_RPORT_MIN, 443), 0);
	KUNIT_ASSERT_EQ(test, nla_put_u64_64bit(req, TWCTL_FILTER_A_COOKIE, 99,
						TWCTL_FILTER_A_PAD), 0);
	KUNIT_ASSERT_EQ(test, nla_put_in_addr(req, TWCTL_FILTER_A_RADDR,
					      htonl(0x0a000000)), 0);
	KUNIT_ASSERT_EQ(test, nla_put_u8(req, TWCTL_FILTER_A_RADDR_PREFIX, 8), 0);
	nla_nest_end(req, nest);
	KUNIT_ASSERT_GT(test, nla_len(nest), (int)NLMSG_DEFAULT_SIZE);
	KUNIT_ASSERT_EQ(test, twctl_filter_parse(&f, nest, &extack), 0);
	kfree_skb(req);

	ev = twctl_kill_event(&init_net, &k);
	KUNIT_ASSERT_NOT_NULL(test, ev);
	nlh = nlmsg_hdr(ev);
	KUNIT_ASSERT_EQ(test, nlmsg_parse_deprecated(nlh, GENL_HDRLEN, tb,
						     TWCTL_A_MAX, NULL, NULL), 0);
	KUNIT_ASSERT_NOT_NULL(test, tb[TWCTL_A_FILTER]);
	KUNIT_ASSERT_EQ(test, twctl_filter_parse(&back, tb[TWCTL_A_FILTER],
						 &extack), 0);
	KUNIT_EXPECT_EQ(test, memcmp(&back, &f, sizeof(f)), 0);
	KUNIT_EXPECT_EQ(test, back.rport_min, 443);
	KUNIT_EXPECT_EQ(test, back.rport_max, 443);
	KUNIT_EXPECT_EQ(test, back.cookie, 99ULL);
	KUNIT_EXPECT_EQ(test, back.raddr.plen, 8);
	KUNIT_ASSERT_NOT_NULL(test, tb[TWCTL_A_MATCHED]);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[TWCTL_A_MATCHED]), 3U);
	KUNIT_ASSERT_NOT_NULL(test, tb[TWCTL_A_KILLED]);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[TWCTL_A_KILLED]), 2U);
	KUNIT_ASSERT_NOT_NULL(test, tb[TWCTL_A_LIMIT]);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[TWCTL_A_LIMIT]), 7U);
	/* In init_net, the ids are the initial namespaces' ones. */
	KUNIT_ASSERT_NOT_NULL(test, tb[TWCTL_A_EVENT_UID]);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[TWCTL_A_EVENT_UID]),
			from_kuid(&init_user_ns, current_uid()));
	KUNIT_ASSERT_NOT_NULL(test, tb[TWCTL_A_EVENT_PID]);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[TWCTL_A_EVENT_PID]),
			(u32)task_tgid_nr(current));
	kfree_skb(ev);
}

/* Every filter attribute at once still fits the computed size. */
static void twctl_genl_event_size_covers_all(struct kunit *test)
{
	struct twctl_filter f;
	struct twctl_kill_ctx k = { .filter = &f, .limit = 1 };
	struct sk_buff *ev;

	twctl_filter_init(&f);
	f.family = AF_INET6;
	f.lport_min = 1;
	f.lport_max = 2;
	f.rport_min = 3;
	f.rport_max = 4;
	twctl_test_addr_filter(&f.laddr, "fd00::1", 64);
	twctl_test_addr_filter(&f.raddr, "fd00::2", 128);
	f.states = 1U << TWCTL_STATE_TIME_WAIT;
	f.remaining_min_ms = 1;
	f.remaining_max_ms = 2;
	f.age_min_ms = 3;
	f.has_cookie = true;
	f.cookie = U64_MAX;
	f.recycle_eligible = true;
	f.reuse_eligible = true;
	f.selects_all = false;
	ev = twctl_kill_event(&init_net, &k);
	KUNIT_EXPECT_NOT_NULL(test, ev);
	kfree_skb(ev);
}

static struct kunit_case twctl_genl_cases[] = {
	KUNIT_CASE(twctl_genl_limit_range),
	KUNIT_CASE(twctl_genl_entry_ext_bits),
	KUNIT_CASE(twctl_genl_all_netns_where),
	KUNIT_CASE(twctl_genl_event_carries_parsed_filter),
	KUNIT_CASE(twctl_genl_event_size_covers_all),
	{}
};

static struct kunit_suite twctl_genl_suite = {
	.name = "twctl_genl",
	.test_cases = twctl_genl_cases,
};

kunit_test_suite(twctl_genl_suite);

// SPDX-License-Identifier: GPL-2.0
/* KUnit suite twctl_summary: in-kernel aggregation of entries into groups. */
#include <kunit/test.h>

#include "helpers.h"

static void add(struct kunit *test, struct twctl_groups *g,
		struct twctl_entry *e)
{
	KUNIT_ASSERT_EQ(test, twctl_groups_add(g, e), 0);
}

static void twctl_summary_by_dest(struct kunit *test)
{
	struct twctl_groups g;
	struct twctl_entry e;
	unsigned int n;

	KUNIT_ASSERT_EQ(test, twctl_groups_init(&g, TWCTL_GROUP_BY_DEST,
						32768, 60999), 0);
	/* Three to 10.0.0.1:80, two of them from ephemeral ports. */
	twctl_test_entry(&e, "10.0.0.9", 40000, "10.0.0.1", 80);
	e.age_ms = 100;
	e.remaining_ms = 59900;
	add(test, &g, &e);
	e.lport = 40001;
	e.age_ms = 5000;
	e.remaining_ms = 55000;
	e.recycle_eligible = true;
	add(test, &g, &e);
	e.lport = 1000;
	e.age_ms = 10;
	e.remaining_ms = 59990;
	e.recycle_eligible = false;
	add(test, &g, &e);
	/* Same address, other port: another destination. */
	twctl_test_entry(&e, "10.0.0.9", 40000, "10.0.0.1", 443);
	add(test, &g, &e);
	/* Same numbers as IPv4-mapped IPv6: another family, another group. */
	twctl_test_entry(&e, "::ffff:10.0.0.9", 40000, "::ffff:10.0.0.1", 80);
	add(test, &g, &e);

	n = twctl_groups_finish(&g);
	KUNIT_ASSERT_EQ(test, n, 3U);
	KUNIT_EXPECT_EQ(test, g.slots[0].count, 3U);
	KUNIT_EXPECT_EQ(test, g.slots[0].rport, 80);
	KUNIT_EXPECT_EQ(test, g.slots[0].family, (u8)AF_INET);
	KUNIT_EXPECT_EQ(test, g.slots[0].lport, 0);
	KUNIT_EXPECT_EQ(test, g.slots[0].max_age_ms, 5000U);
	KUNIT_EXPECT_EQ(test, g.slots[0].min_remaining_ms, 55000U);
	KUNIT_EXPECT_EQ(test, g.slots[0].eligible, 1U);
	KUNIT_EXPECT_EQ(test, g.slots[0].ephemeral, 2U);
	/* Ties are ordered by key: AF_INET before AF_INET6, then port. */
	KUNIT_EXPECT_EQ(test, g.slots[1].family, (u8)AF_INET);
	KUNIT_EXPECT_EQ(test, g.slots[1].rport, 443);
	KUNIT_EXPECT_EQ(test, g.slots[2].family, (u8)AF_INET6);
	twctl_groups_free(&g);
}

static void twctl_summary_by_each_key(struct kunit *test)
{
	static const u8 keys[] = { TWCTL_GROUP_BY_LPORT, TWCTL_GROUP_BY_RPORT,
				   TWCTL_GROUP_BY_RADDR };
	static const unsigned int expect[] = { 2, 3, 2 };
	struct twctl_groups g;
	struct twctl_entry e;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		KUNIT_ASSERT_EQ(test, twctl_groups_init(&g, keys[i], 1, 0), 0);
		twctl_test_entry(&e, "10.0.0.9", 5000, "10.0.0.1", 80);
		add(test, &g, &e);
		twctl_test_entry(&e, "10.0.0.9", 5000, "10.0.0.2", 81);
		add(test, &g, &e);
		twctl_test_entry(&e, "10.0.0.9", 5001, "10.0.0.1", 82);
		add(test, &g, &e);
		KUNIT_EXPECT_EQ_MSG(test, twctl_groups_finish(&g), expect[i],
				    "group by %u", keys[i]);
		/* No ephemeral accounting outside DEST groups. */
		KUNIT_EXPECT_EQ(test, g.slots[0].ephemeral, 0U);
		twctl_groups_free(&g);
	}
}

/* Entries of three netns with the same tuple: one group per netns. */
static void twctl_summary_by_netns(struct kunit *test)
{
	static const u32 ino[] = { 4026531840U, 4026532300U, 4026532301U };
	static const unsigned int count[] = { 3, 1, 2 };
	struct twctl_groups g;
	struct twctl_entry e;
	unsigned int i, k;

	KUNIT_ASSERT_EQ(test, twctl_groups_init(&g, TWCTL_GROUP_BY_NETNS, 1, 0), 0);
	for (i = 0; i < ARRAY_SIZE(ino); i++) {
		for (k = 0; k < count[i]; k++) {
			twctl_test_entry(&e, "10.0.0.9", 5000 + k, "10.0.0.1", 80);
			e.netns_ino = ino[i];
			add(test, &g, &e);
		}
	}
	KUNIT_ASSERT_EQ(test, twctl_groups_finish(&g), 3U);
	KUNIT_EXPECT_EQ(test, g.slots[0].netns_ino, ino[0]);
	KUNIT_EXPECT_EQ(test, g.slots[0].count, 3U);
	KUNIT_EXPECT_EQ(test, g.slots[1].netns_ino, ino[2]);
	KUNIT_EXPECT_EQ(test, g.slots[1].count, 2U);
	KUNIT_EXPECT_EQ(test, g.slots[2].netns_ino, ino[1]);
	KUNIT_EXPECT_EQ(test, g.slots[2].count, 1U);
	/* The key is the netns alone. */
	KUNIT_EXPECT_EQ(test, g.slots[0].lport, 0);
	KUNIT_EXPECT_EQ(test, g.slots[0].rport, 0);
	KUNIT_EXPECT_EQ(test, g.slots[0].family, 0);
	twctl_groups_free(&g);
}

/* Many groups force several doublings; nothing may be lost on the way. */
static void twctl_summary_grows(struct kunit *test)
{
	struct twctl_groups g;
	struct twctl_entry e;
	unsigned int i, n, total = 0;

	KUNIT_ASSERT_EQ(test, twctl_groups_init(&g, TWCTL_GROUP_BY_LPORT, 0, 0), 0);
	twctl_test_entry(&e, "127.0.0.1", 0, "127.0.0.1", 80);
	for (i = 0; i < 3000; i++) {
		e.lport = i;
		add(test, &g, &e);
		if (i % 3 == 0)
			add(test, &g, &e);
	}
	n = twctl_groups_finish(&g);
	KUNIT_EXPECT_EQ(test, n, 3000U);
	KUNIT_EXPECT_GE(test, g.size, 6000U);
	for (i = 0; i < n; i++) {
		total += g.slots[i].count;
		if (i)
			KUNIT_EXPECT_GE(test, g.slots[i - 1].count,
					g.slots[i].count);
	}
	KUNIT_EXPECT_EQ(test, total, 4000U);
	KUNIT_EXPECT_EQ(test, g.slots[0].count, 2U);
	KUNIT_EXPECT_EQ(test, g.slots[n - 1].count, 1U);
	twctl_groups_free(&g);
}

/*
 * Issue 8, defect 2: a summary holds at most TWCTL_SUMMARY_GROUPS_MAX
 * groups; entries of further groups are left out and the table says so,
 * while entries of existing groups still count.
 */
static void twctl_summary_caps_groups(struct kunit *test)
{
	struct twctl_groups g;
	struct twctl_entry e;
	unsigned int i, n, total = 0;

	KUNIT_ASSERT_EQ(test, twctl_groups_init(&g, TWCTL_GROUP_BY_RADDR, 0, 0), 0);
	twctl_test_entry(&e, "10.0.0.1", 40000, "10.0.0.2", 80);
	for (i = 0; i < TWCTL_SUMMARY_GROUPS_MAX + 100; i++) {
		e.raddr.s6_addr32[3] = htonl(0x0a000000 + i);
		KUNIT_ASSERT_EQ(test, twctl_groups_add(&g, &e), 0);
	}
	KUNIT_EXPECT_EQ(test, g.used, (unsigned int)TWCTL_SUMMARY_GROUPS_MAX);
	KUNIT_EXPECT_TRUE(test, g.truncated);
	/* At most twice the cap in slots: the table's memory is bounded. */
	KUNIT_EXPECT_LE(test, g.size, 2U * TWCTL_SUMMARY_GROUPS_MAX);
	/* An existing group still counts its entries. */
	e.raddr.s6_addr32[3] = htonl(0x0a000000);
	KUNIT_ASSERT_EQ(test, twctl_groups_add(&g, &e), 0);
	n = twctl_groups_finish(&g);
	KUNIT_EXPECT_EQ(test, n, (unsigned int)TWCTL_SUMMARY_GROUPS_MAX);
	KUNIT_EXPECT_EQ(test, g.slots[0].count, 2U);
	for (i = 0; i < n; i++)
		total += g.slots[i].count;
	KUNIT_EXPECT_EQ(test, total, TWCTL_SUMMARY_GROUPS_MAX + 1U);
	twctl_groups_free(&g);
}

/* Below the cap nothing is truncated, whatever the key. */
static void twctl_summary_every_port_fits(struct kunit *test)
{
	struct twctl_groups g;
	struct twctl_entry e;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, twctl_groups_init(&g, TWCTL_GROUP_BY_LPORT, 0, 0), 0);
	twctl_test_entry(&e, "10.0.0.1", 0, "10.0.0.2", 80);
	for (i = 0; i <= U16_MAX; i++) {
		e.lport = i;
		KUNIT_ASSERT_EQ(test, twctl_groups_add(&g, &e), 0);
	}
	KUNIT_EXPECT_EQ(test, g.used, 65536U);
	KUNIT_EXPECT_FALSE(test, g.truncated);
	twctl_groups_free(&g);
}

/* 500 lport groups with counts 1..5 (lport % 5 + 1). */
static void fill_500(struct kunit *test, struct twctl_groups *g)
{
	struct twctl_entry e;
	unsigned int i, k;

	KUNIT_ASSERT_EQ(test, twctl_groups_init(g, TWCTL_GROUP_BY_LPORT, 0, 0), 0);
	twctl_test_entry(&e, "10.0.0.1", 0, "10.0.0.2", 80);
	for (i = 0; i < 500; i++) {
		e.lport = 1000 + (i * 7919) % 500;	/* not in key order */
		for (k = 0; k <= e.lport % 5; k++)
			KUNIT_ASSERT_EQ(test, twctl_groups_add(g, &e), 0);
	}
}

/*
 * A dump keeps only a cursor between calls: each call rebuilds the table
 * and sends what follows the cursor. Sending 37 per call must give the
 * same sequence as one sorted pass, without repeats or gaps.
 */
static void twctl_summary_resume_after_cursor(struct kunit *test)
{
	struct twctl_group *want, cursor, grp;
	struct twctl_groups g;
	unsigned int n, i, got = 0, left;
	bool started = false;
	u64 sent = 0;

	want = kunit_kcalloc(test, 500, sizeof(*want), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, want);
	fill_500(test, &g);
	n = twctl_groups_finish(&g);
	KUNIT_ASSERT_EQ(test, n, 500U);
	memcpy(want, g.slots, n * sizeof(*want));
	twctl_groups_free(&g);
	for (i = 1; i < n; i++)
		KUNIT_EXPECT_LT(test, twctl_group_cmp(&want[i - 1], &want[i]), 0);

	while (got < n) {
		fill_500(test, &g);
		/* Nothing changed: what sorts up to the cursor was sent. */
		KUNIT_EXPECT_EQ(test, twctl_groups_digest(&g, started ? &cursor : NULL),
				started ? sent : twctl_groups_digest(&g, NULL));
		left = twctl_groups_heapify(&g, started ? &cursor : NULL);
		KUNIT_EXPECT_EQ(test, left, n - got);
		for (i = 0; i < 37 && twctl_groups_pop(&g, &left, &grp); i++) {
			KUNIT_EXPECT_EQ(test, twctl_group_cmp(&grp, &want[got]), 0);
			cursor = grp;
			sent += twctl_group_digest(&grp);
			started = true;
			got++;
		}
		twctl_groups_free(&g);
	}
	KUNIT_EXPECT_EQ(test, got, n);
}

/*
 * The digest up to a cursor changes when a group crosses the cursor, not
 * when counts change on one side of it only.
 */
static void twctl_summary_digest_sees_crossing(struct kunit *test)
{
	struct twctl_group cursor;
	struct twctl_groups g;
	struct twctl_entry e;
	u64 d;

	/* Counts are lport % 5 + 1; the cursor is lport 1004 (count 5). */
	fill_500(test, &g);
	memset(&cursor, 0, sizeof(cursor));
	cursor.lport = 1004;
	cursor.count = 5;
	d = twctl_groups_digest(&g, &cursor);
	twctl_test_entry(&e, "10.0.0.1", 1009, "10.0.0.2", 80);
	/* 1009 (count 5, after 1004) gains one: now before the cursor. */
	KUNIT_ASSERT_EQ(test, twctl_groups_add(&g, &e), 0);
	KUNIT_EXPECT_NE(test, twctl_groups_digest(&g, &cursor), d);
	twctl_groups_free(&g);

	fill_500(test, &g);
	/* 1002 (count 3, after the cursor) gains one: 4, still after it. */
	e.lport = 1002;
	KUNIT_ASSERT_EQ(test, twctl_groups_add(&g, &e), 0);
	KUNIT_EXPECT_EQ(test, twctl_groups_digest(&g, &cursor), d);
	twctl_groups_free(&g);
}

static struct kunit_case twctl_summary_cases[] = {
	KUNIT_CASE(twctl_summary_by_dest),
	KUNIT_CASE(twctl_summary_by_each_key),
	KUNIT_CASE(twctl_summary_by_netns),
	KUNIT_CASE(twctl_summary_grows),
	KUNIT_CASE(twctl_summary_caps_groups),
	KUNIT_CASE(twctl_summary_every_port_fits),
	KUNIT_CASE(twctl_summary_resume_after_cursor),
	KUNIT_CASE(twctl_summary_digest_sees_crossing),
	{}
};

static struct kunit_suite twctl_summary_suite = {
	.name = "twctl_summary",
	.test_cases = twctl_summary_cases,
};

kunit_test_suite(twctl_summary_suite);

// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite twctl_walk: the walker's batching and resume over a private
 * one-bucket table of timewait sockets (issue 8, defects 8 and 10). The
 * walker and everything it calls are the real code; only the table is the
 * test's own, so that a bucket can be made to hold more than a batch of
 * entries, one of them "being born" (refcount 0, as inet_twsk_hashdance()
 * leaves it for a moment), and entries can vanish between two calls.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <net/inet_hashtables.h>
#include <net/inet_timewait_sock.h>
#include <net/tcp.h>

#include "helpers.h"

#define NR_TW 40

struct walk_fixture {
	struct inet_hashinfo h;
	struct tcp_timewait_sock *tw[NR_TW];
	unsigned int nr;
};

struct walk_visits {
	struct sock *seen[4 * NR_TW];
	unsigned int n;		/* entries visited in all calls */
	unsigned int per_call;	/* stop after this many in one call, 0: never */
	unsigned int this_call;
};

static void fixture_init(struct kunit *test, struct walk_fixture *fx,
			 unsigned int nr, int dead)
{
	int i;

	memset(fx, 0, sizeof(*fx));
	twctl_test_ehash_init(test, &fx->h);
	fx->nr = nr;
	/* Added head first in reverse, so chain order is index order. */
	for (i = nr - 1; i >= 0; i--) {
		struct tcp_timewait_sock *tcptw;
		struct inet_timewait_sock *tw;

		tcptw = twctl_test_tw_new(test, TCP_TIME_WAIT,
					  jiffies + 60 * HZ);
		tw = &tcptw->tw_sk;
		tw->tw_daddr = htonl(0x7f000001);
		tw->tw_rcv_saddr = htonl(0x7f000001);
		tw->tw_num = 10000 + i;
		tw->tw_dport = htons(80);
		refcount_set(&tw->tw_refcnt, i == dead ? 0 : 1);
		twctl_test_tw_link(&fx->h, (struct sock *)tw);
		fx->tw[i] = tcptw;
	}
}

static struct sock *fx_sk(struct walk_fixture *fx, unsigned int i)
{
	return (struct sock *)&fx->tw[i]->tw_sk;
}

static void fixture_unlink(struct walk_fixture *fx, unsigned int i)
{
	twctl_test_tw_unlink(&fx->h, fx_sk(fx, i));
}

static enum twctl_visit record_visit(struct sock *sk, struct twctl_entry *e,
				     void *arg)
{
	struct walk_visits *v = arg;

	if (v->per_call && v->this_call == v->per_call)
		return TWCTL_VISIT_STOP;
	if (v->n < ARRAY_SIZE(v->seen))
		v->seen[v->n++] = sk;
	v->this_call++;
	return TWCTL_VISIT_NEXT;
}

static unsigned int times_seen(const struct walk_visits *v, struct sock *sk)
{
	unsigned int i, n = 0;

	for (i = 0; i < v->n; i++)
		n += v->seen[i] == sk;
	return n;
}

/* Every live entry exactly once, the unborn one never, refcounts restored. */
static void expect_each_once(struct kunit *test, struct walk_fixture *fx,
			     const struct walk_visits *v, int dead,
			     unsigned long gone)
{
	unsigned int i;

	for (i = 0; i < fx->nr; i++) {
		struct sock *sk = fx_sk(fx, i);
		unsigned int want = ((int)i == dead || (gone & BIT(i))) ? 0 : 1;

		if (gone & BIT(i))
			continue;	/* may or may not have been seen */
		KUNIT_EXPECT_EQ_MSG(test, times_seen(v, sk), want, "entry %u", i);
		KUNIT_EXPECT_EQ_MSG(test, refcount_read(&sk->sk_refcnt),
				    (int)i == dead ? 0U : 1U, "entry %u", i);
	}
}

/* 20 selected entries in one bucket, the 4th unborn: more than a batch. */
static void twctl_walk_unborn_entry_no_duplicate(struct kunit *test)
{
	struct walk_fixture *fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	struct walk_visits *v = kunit_kzalloc(test, sizeof(*v), GFP_KERNEL);
	struct twctl_walk w = { .net = &init_net };

	KUNIT_ASSERT_NOT_NULL(test, fx);
	KUNIT_ASSERT_NOT_NULL(test, v);
	fixture_init(test, fx, 21, 3);
	w.hashinfo = &fx->h;
	KUNIT_EXPECT_EQ(test, twctl_walk(&w, record_visit, v), 0);
	KUNIT_EXPECT_EQ(test, v->n, 20U);
	expect_each_once(test, fx, v, 3, 0);
}

/* The same, resumed every 5 entries as a dump resumes per message. */
static void twctl_walk_unborn_entry_resumed(struct kunit *test)
{
	struct walk_fixture *fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	struct walk_visits *v = kunit_kzalloc(test, sizeof(*v), GFP_KERNEL);
	struct twctl_walk w = { .net = &init_net };
	int ret, calls = 0;

	KUNIT_ASSERT_NOT_NULL(test, fx);
	KUNIT_ASSERT_NOT_NULL(test, v);
	fixture_init(test, fx, 37, 17);
	w.hashinfo = &fx->h;
	v->per_call = 5;
	do {
		v->this_call = 0;
		ret = twctl_walk(&w, record_visit, v);
		KUNIT_ASSERT_GE(test, ret, 0);
	} while (ret && ++calls < 100);
	KUNIT_EXPECT_EQ(test, v->n, 36U);
	expect_each_once(test, fx, v, 17, 0);
	KUNIT_EXPECT_FALSE(test, w.lost);
}

/*
 * Entries already visited vanish between two calls: the resume must neither
 * skip nor repeat anything, and need not call the dump interrupted.
 */
static void twctl_walk_resume_after_vanished(struct kunit *test)
{
	struct walk_fixture *fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	struct walk_visits *v = kunit_kzalloc(test, sizeof(*v), GFP_KERNEL);
	struct twctl_walk w = { .net = &init_net };
	unsigned long gone = 0;
	int ret, calls = 0;

	KUNIT_ASSERT_NOT_NULL(test, fx);
	KUNIT_ASSERT_NOT_NULL(test, v);
	fixture_init(test, fx, 30, -1);
	w.hashinfo = &fx->h;
	v->per_call = 7;
	do {
		v->this_call = 0;
		ret = twctl_walk(&w, record_visit, v);
		KUNIT_ASSERT_GE(test, ret, 0);
		if (ret && calls < 3) {
			/* The first entry of this call: visited, not the anchor. */
			unsigned int i = calls * 7;

			fixture_unlink(fx, i);
			gone |= BIT(i);
		}
	} while (ret && ++calls < 100);
	KUNIT_EXPECT_EQ(test, v->n, 30U);
	expect_each_once(test, fx, v, -1, gone);
	KUNIT_EXPECT_FALSE(test, w.lost);
}

/* The anchor itself vanishes: the walk must say it may be inexact. */
static void twctl_walk_lost_anchor_is_reported(struct kunit *test)
{
	struct walk_fixture *fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	struct walk_visits *v = kunit_kzalloc(test, sizeof(*v), GFP_KERNEL);
	struct twctl_walk w = { .net = &init_net };

	KUNIT_ASSERT_NOT_NULL(test, fx);
	KUNIT_ASSERT_NOT_NULL(test, v);
	fixture_init(test, fx, 10, -1);
	w.hashinfo = &fx->h;
	v->per_call = 4;
	KUNIT_ASSERT_EQ(test, twctl_walk(&w, record_visit, v), 1);
	KUNIT_EXPECT_FALSE(test, w.lost);
	fixture_unlink(fx, 3);		/* the last one visited */
	v->this_call = 0;
	v->per_call = 0;
	KUNIT_EXPECT_EQ(test, twctl_walk(&w, record_visit, v), 0);
	KUNIT_EXPECT_TRUE(test, w.lost);
}

static struct kunit_case twctl_walk_cases[] = {
	KUNIT_CASE(twctl_walk_unborn_entry_no_duplicate),
	KUNIT_CASE(twctl_walk_unborn_entry_resumed),
	KUNIT_CASE(twctl_walk_resume_after_vanished),
	KUNIT_CASE(twctl_walk_lost_anchor_is_reported),
	{}
};

static struct kunit_suite twctl_walk_suite = {
	.name = "twctl_walk",
	.test_cases = twctl_walk_cases,
};

kunit_test_suite(twctl_walk_suite);

// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite twctl_capture: the capture store (record, look up, replace,
 * forget), its bound, its size per record, and the collector's expiry by
 * age with a targeted lookup of the entry in its bucket.
 *
 * The first cases use the module's live store, shared with the running
 * probe. Real cookies count up from 1, so the top of the u64 range is never
 * a live socket's; every case removes what it added. Records stamped an
 * hour ahead are younger than any age the collector checks, however slowly
 * the test kernel runs.
 *
 * The expiry cases use a store of their own (twctl_store_create()) and a
 * private one-bucket established hash holding timewait sockets made by the
 * test (as walk_test.c does), so that the live collector cannot touch their
 * records and the entries can be made to vanish at will. The collection,
 * the lookup in the bucket and the freeing are the real code.
 */
#include <kunit/test.h>
#include <linux/jiffies.h>
#include <linux/percpu_counter.h>
#include <linux/slab.h>
#include <net/inet_hashtables.h>
#include <net/inet_timewait_sock.h>
#include <net/tcp.h>

#include "helpers.h"

#define TEST_COOKIE	(U64_MAX - 0x7477)
#define TEST_STAMP()	(jiffies + 3600UL * HZ)

static int capture_suite_init(struct kunit *test)
{
	/*
	 * The KUnit kernel has kprobes, so capture must be live; fail rather
	 * than skip, so that a broken probe is noticed.
	 */
	KUNIT_ASSERT_TRUE_MSG(test, twctl_capture_active(),
			      "capture is not active (kprobe on tcp_time_wait?)");
	return 0;
}

static void capture_record_lookup_forget(struct kunit *test)
{
	struct twctl_capture in = { .rto_ms = 412, .srtt_us = 101234,
				    .entered = TEST_STAMP() };
	struct twctl_capture out = { };

	KUNIT_EXPECT_FALSE(test, twctl_capture_lookup(TEST_COOKIE, &out));
	KUNIT_ASSERT_EQ(test, twctl_capture_record(TEST_COOKIE, &in), 0);
	KUNIT_EXPECT_TRUE(test, twctl_capture_lookup(TEST_COOKIE, &out));
	KUNIT_EXPECT_EQ(test, out.rto_ms, 412U);
	KUNIT_EXPECT_EQ(test, out.srtt_us, 101234U);
	KUNIT_EXPECT_EQ(test, out.entered, in.entered);
	/* a neighbour cookie is a different entry */
	KUNIT_EXPECT_FALSE(test, twctl_capture_lookup(TEST_COOKIE + 1, &out));
	KUNIT_EXPECT_FALSE(test, twctl_capture_lookup(TEST_COOKIE - 1, &out));

	twctl_capture_forget(TEST_COOKIE);
	KUNIT_EXPECT_FALSE(test, twctl_capture_lookup(TEST_COOKIE, &out));
	/* forgetting what is not there is harmless */
	twctl_capture_forget(TEST_COOKIE);
}

static void capture_record_replaces(struct kunit *test)
{
	struct twctl_capture in = { .rto_ms = 200, .srtt_us = 1,
				    .entered = TEST_STAMP() };
	struct twctl_capture out = { };

	KUNIT_ASSERT_EQ(test, twctl_capture_record(TEST_COOKIE, &in), 0);
	in.rto_ms = 1200;
	in.srtt_us = 400000;
	in.entered++;	/* the later capture wins */
	KUNIT_ASSERT_EQ(test, twctl_capture_record(TEST_COOKIE, &in), 0);
	KUNIT_EXPECT_TRUE(test, twctl_capture_lookup(TEST_COOKIE, &out));
	KUNIT_EXPECT_EQ(test, out.rto_ms, 1200U);
	KUNIT_EXPECT_EQ(test, out.srtt_us, 400000U);
	twctl_capture_forget(TEST_COOKIE);
	/* one record per cookie: after one forget there is none left */
	KUNIT_EXPECT_FALSE(test, twctl_capture_lookup(TEST_COOKIE, &out));
}

/* Many cookies, colliding in buckets or not, each finds its own record. */
static void capture_many(struct kunit *test)
{
	struct twctl_capture in = { .entered = TEST_STAMP() };
	struct twctl_capture out;
	unsigned int i, n = 300, found = 0;

	for (i = 0; i < n; i++) {
		in.rto_ms = 200 + i;
		in.srtt_us = i;
		if (twctl_capture_record(TEST_COOKIE - i, &in))
			break;
	}
	n = i;		/* a small capture_max may stop us early */
	KUNIT_EXPECT_GT(test, n, 0U);
	for (i = 0; i < n; i++) {
		if (!twctl_capture_lookup(TEST_COOKIE - i, &out))
			continue;
		KUNIT_EXPECT_EQ(test, out.rto_ms, 200 + i);
		KUNIT_EXPECT_EQ(test, out.srtt_us, i);
		found++;
	}
	KUNIT_EXPECT_EQ(test, found, n);
	for (i = 0; i < n; i++)
		twctl_capture_forget(TEST_COOKIE - i);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_FALSE(test,
				   twctl_capture_lookup(TEST_COOKIE - i, &out));
}

/* 48 bytes per record, as the top comment of capture.c says; at most 64. */
static void capture_record_size(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, twctl_capture_record_size(), (size_t)48);
	KUNIT_EXPECT_LE(test, twctl_capture_record_size(), (size_t)64);
}

/* --- a private store and table ------------------------------------------ */

/* Older than any entry's 60 s, younger than an hour. */
#define OLD_AGE		(65UL * HZ)

struct expiry_fixture {
	struct inet_hashinfo h;
	struct twctl_store *s;
};

static void fixture_exit(struct kunit_resource *res)
{
	struct expiry_fixture *fx = res->data;

	twctl_store_destroy(fx->s);
}

static struct expiry_fixture *fixture_new(struct kunit *test, unsigned int max)
{
	struct expiry_fixture *fx;

	fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fx);
	twctl_test_ehash_init(test, &fx->h);
	fx->s = twctl_store_create(max);
	KUNIT_ASSERT_NOT_NULL(test, fx->s);
	/* Destroyed when the case ends, even if an assertion stops it. */
	kunit_alloc_resource(test, NULL, fixture_exit, GFP_KERNEL, fx);
	return fx;
}

/*
 * A timewait socket (state @state) with @cookie in the table's one bucket,
 * its timer (never armed) saying it expires at @expires.
 */
static struct sock *fixture_add_expiring(struct kunit *test,
					 struct expiry_fixture *fx, u64 cookie,
					 int state, unsigned long expires)
{
	struct sock *sk = (struct sock *)twctl_test_tw_new(test, state, expires);

	atomic64_set(&sk->sk_cookie, cookie);
	twctl_test_tw_link(&fx->h, sk);
	return sk;
}

static struct sock *fixture_add(struct kunit *test, struct expiry_fixture *fx,
				u64 cookie, int state)
{
	/* Due now: every pass that may look at its record does. */
	return fixture_add_expiring(test, fx, cookie, state, jiffies);
}

static void fixture_unlink(struct expiry_fixture *fx, struct sock *sk)
{
	twctl_test_tw_unlink(&fx->h, sk);
}

static void record(struct kunit *test, struct twctl_store *s, u64 cookie,
		   unsigned long entered, bool shared)
{
	struct twctl_capture cap = {
		.rto_ms = 200, .srtt_us = 50, .entered = entered,
		/* Any hash: the table has one bucket. */
		.hash = (u32)cookie * 2654435761U, .shared_table = shared,
	};

	KUNIT_ASSERT_EQ(test, twctl_store_record(s, cookie, &cap), 0);
}

static bool has(struct twctl_store *s, u64 cookie)
{
	struct twctl_capture out;

	return twctl_store_lookup(s, cookie, &out);
}

/* The lookup in the bucket: a timewait entry with that cookie, nothing else. */
static void capture_tw_alive(struct kunit *test)
{
	struct expiry_fixture *fx = fixture_new(test, 16);
	struct sock *a;

	KUNIT_EXPECT_FALSE(test, twctl_tw_alive(&fx->h, 7, 101, NULL));
	a = fixture_add(test, fx, 101, TCP_TIME_WAIT);
	fixture_add(test, fx, 102, TCP_TIME_WAIT);
	/* A full socket with a cookie is not a timewait entry. */
	fixture_add(test, fx, 103, TCP_ESTABLISHED);
	KUNIT_EXPECT_TRUE(test, twctl_tw_alive(&fx->h, 7, 101, NULL));
	KUNIT_EXPECT_TRUE(test, twctl_tw_alive(&fx->h, 0, 102, NULL));
	KUNIT_EXPECT_FALSE(test, twctl_tw_alive(&fx->h, 7, 103, NULL));
	KUNIT_EXPECT_FALSE(test, twctl_tw_alive(&fx->h, 7, 104, NULL));
	fixture_unlink(fx, a);
	KUNIT_EXPECT_FALSE(test, twctl_tw_alive(&fx->h, 7, 101, NULL));
}

/*
 * Young records stay without a look; old ones stay while their entry is in
 * its bucket (a re-armed timer) and go when it is not; records without a
 * table go by age alone. Freed records are really freed (the count falls;
 * kmemleak and KASAN watch the rest).
 */
static void capture_expiry_by_age(struct kunit *test)
{
	struct expiry_fixture *fx = fixture_new(test, 64);
	unsigned long now = jiffies, checked = 0;
	struct sock *rearmed;

	rearmed = fixture_add(test, fx, 201, TCP_TIME_WAIT);
	fixture_add(test, fx, 205, TCP_TIME_WAIT);
	record(test, fx->s, 201, now - 2 * OLD_AGE, true);	/* old, alive */
	record(test, fx->s, 202, now - 2 * OLD_AGE, true);	/* old, gone */
	record(test, fx->s, 203, now - OLD_AGE / 2, true);	/* young, gone */
	record(test, fx->s, 204, now - 2 * OLD_AGE, false);	/* no table, old */
	record(test, fx->s, 205, now - OLD_AGE / 2, false);	/* no table, young */
	KUNIT_EXPECT_EQ(test, twctl_store_count(fx->s), 5U);

	KUNIT_EXPECT_EQ(test, twctl_store_collect(fx->s, &fx->h, now, OLD_AGE,
						  &checked), 2U);
	/* Only the two old records with a table were looked up. */
	KUNIT_EXPECT_EQ(test, checked, 2UL);
	KUNIT_EXPECT_TRUE(test, has(fx->s, 201));
	KUNIT_EXPECT_FALSE(test, has(fx->s, 202));
	KUNIT_EXPECT_TRUE(test, has(fx->s, 203));
	KUNIT_EXPECT_FALSE(test, has(fx->s, 204));
	KUNIT_EXPECT_TRUE(test, has(fx->s, 205));
	KUNIT_EXPECT_EQ(test, twctl_store_count(fx->s), 3U);

	/* The re-armed entry expires at last: its record goes next pass. */
	fixture_unlink(fx, rearmed);
	checked = 0;
	KUNIT_EXPECT_EQ(test, twctl_store_collect(fx->s, &fx->h, now, OLD_AGE,
						  &checked), 1U);
	KUNIT_EXPECT_FALSE(test, has(fx->s, 201));
	KUNIT_EXPECT_EQ(test, twctl_store_count(fx->s), 2U);

	/* Later, the young one is old and its entry gone: freed too. */
	KUNIT_EXPECT_EQ(test, twctl_store_collect(fx->s, &fx->h,
						  now + OLD_AGE, OLD_AGE,
						  &checked), 2U);
	KUNIT_EXPECT_EQ(test, twctl_store_count(fx->s), 0U);
}

/*
 * An entry found alive with its timer far ahead (re-armed, or a long
 * TIME_WAIT) is not looked up again before that timer is due, however
 * many passes come; then it is, and freed once gone.
 */
static void capture_expiry_recheck_when_due(struct kunit *test)
{
	struct expiry_fixture *fx = fixture_new(test, 64);
	unsigned long now = jiffies, checked = 0;
	unsigned long due = now + 600 * HZ;
	struct sock *sk;

	sk = fixture_add_expiring(test, fx, 401, TCP_TIME_WAIT, due);
	record(test, fx->s, 401, now - 2 * OLD_AGE, true);
	KUNIT_EXPECT_EQ(test, twctl_store_collect(fx->s, &fx->h, now, OLD_AGE,
						  &checked), 0U);
	KUNIT_EXPECT_EQ(test, checked, 1UL);
	/* Passes before the timer is due do not look. */
	checked = 0;
	twctl_store_collect(fx->s, &fx->h, now + 60 * HZ, OLD_AGE, &checked);
	twctl_store_collect(fx->s, &fx->h, due - HZ, OLD_AGE, &checked);
	/* Nor does an early pass (store full). */
	twctl_store_collect(fx->s, &fx->h, due - HZ, 0, &checked);
	KUNIT_EXPECT_EQ(test, checked, 0UL);
	KUNIT_EXPECT_TRUE(test, has(fx->s, 401));
	/* Past it (and its second of slack), the entry gone: looked up, freed. */
	fixture_unlink(fx, sk);
	KUNIT_EXPECT_EQ(test, twctl_store_collect(fx->s, &fx->h, due + 2 * HZ,
						  OLD_AGE, &checked), 1U);
	KUNIT_EXPECT_EQ(test, checked, 1UL);
	KUNIT_EXPECT_FALSE(test, has(fx->s, 401));
}

/* An early pass (store full) looks at young records too, but not the newest. */
static void capture_expiry_early_pass(struct kunit *test)
{
	struct expiry_fixture *fx = fixture_new(test, 64);
	unsigned long now = jiffies, checked = 0;

	record(test, fx->s, 301, now - 10 * HZ, true);	/* gone */
	record(test, fx->s, 302, now, true);		/* just captured */
	fixture_add(test, fx, 303, TCP_TIME_WAIT);
	record(test, fx->s, 303, now - 10 * HZ, true);	/* alive */
	/* A min_age below the grace period is raised to it. */
	KUNIT_EXPECT_EQ(test, twctl_store_collect(fx->s, &fx->h, now, 0,
						  &checked), 1U);
	KUNIT_EXPECT_EQ(test, checked, 2UL);
	KUNIT_EXPECT_FALSE(test, has(fx->s, 301));
	KUNIT_EXPECT_TRUE(test, has(fx->s, 302));
	KUNIT_EXPECT_TRUE(test, has(fx->s, 303));
}

/* Forget and replace in a store nothing else touches. */
static void capture_store_forget_replace(struct kunit *test)
{
	struct expiry_fixture *fx = fixture_new(test, 64);
	struct twctl_capture cap = { .rto_ms = 300, .entered = jiffies };
	struct twctl_capture out = { };
	unsigned long checked = 0;

	KUNIT_ASSERT_EQ(test, twctl_store_record(fx->s, 401, &cap), 0);
	cap.rto_ms = 900;
	cap.entered++;
	KUNIT_ASSERT_EQ(test, twctl_store_record(fx->s, 401, &cap), 0);
	KUNIT_EXPECT_TRUE(test, twctl_store_lookup(fx->s, 401, &out));
	/* The later capture won; the earlier one is retired, not leaked. */
	KUNIT_EXPECT_EQ(test, out.rto_ms, 900U);
	/* An earlier capture coming in last does not replace it. */
	cap.rto_ms = 100;
	cap.entered -= 2;
	KUNIT_ASSERT_EQ(test, twctl_store_record(fx->s, 401, &cap), 0);
	KUNIT_EXPECT_TRUE(test, twctl_store_lookup(fx->s, 401, &out));
	KUNIT_EXPECT_EQ(test, out.rto_ms, 900U);
	twctl_store_forget(fx->s, 401);
	KUNIT_EXPECT_FALSE(test, twctl_store_lookup(fx->s, 401, &out));
	/* All three are freed by the next pass, whatever their age. */
	KUNIT_EXPECT_EQ(test, twctl_store_count(fx->s), 3U);
	twctl_store_collect(fx->s, &fx->h, jiffies, OLD_AGE, &checked);
	KUNIT_EXPECT_EQ(test, twctl_store_count(fx->s), 0U);
	KUNIT_EXPECT_EQ(test, checked, 0UL);
}

/*
 * With one adder the bound is exact, also far beyond the counter's batch,
 * and a record forgotten and synced makes room at once.
 */
static void capture_store_bound(struct kunit *test)
{
	unsigned int max = 5, slack = percpu_counter_batch * num_online_cpus();
	struct expiry_fixture *fx = fixture_new(test, max);
	struct twctl_capture cap = { .entered = jiffies };
	unsigned int i, stored = 0, refused = 0;

	for (i = 0; i < max + slack + 16; i++) {
		int err = twctl_store_record(fx->s, 1000 + i, &cap);

		if (!err)
			stored++;
		else if (err == -ENOSPC)
			refused++;
	}
	KUNIT_EXPECT_EQ(test, stored, max);
	KUNIT_EXPECT_EQ(test, refused, slack + 16);
	KUNIT_EXPECT_EQ(test, twctl_store_count(fx->s), stored);
	/* Forgotten, then synced: freed, not waiting for a collection. */
	twctl_store_forget(fx->s, 1000);
	twctl_store_forget(fx->s, 1001);
	twctl_store_sync(fx->s);
	KUNIT_EXPECT_EQ(test, twctl_store_count(fx->s), max - 2);
	KUNIT_EXPECT_EQ(test, twctl_store_record(fx->s, 5000, &cap), 0);
	KUNIT_EXPECT_EQ(test, twctl_store_count(fx->s), max - 1);
}

static struct kunit_case twctl_capture_cases[] = {
	KUNIT_CASE(capture_record_lookup_forget),
	KUNIT_CASE(capture_record_replaces),
	KUNIT_CASE(capture_many),
	KUNIT_CASE(capture_record_size),
	KUNIT_CASE(capture_tw_alive),
	KUNIT_CASE(capture_expiry_by_age),
	KUNIT_CASE(capture_expiry_early_pass),
	KUNIT_CASE(capture_expiry_recheck_when_due),
	KUNIT_CASE(capture_store_forget_replace),
	KUNIT_CASE(capture_store_bound),
	{}
};

static struct kunit_suite twctl_capture_suite = {
	.name = "twctl_capture",
	.init = capture_suite_init,
	.test_cases = twctl_capture_cases,
};

kunit_test_suite(twctl_capture_suite);

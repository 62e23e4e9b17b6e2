// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite twctl_eligibility (the 3.5 x RTO rule, ages, every recycle
 * and reuse reason, captured against assumed values). The capture store's
 * suite, twctl_capture, is in capture_test.c.
 *
 * Every expected value is written out as a number, or derived from the
 * clock the same way for "just before" and "just after", so a wrong formula,
 * a swapped condition or an off-by-one fails a case. Intervals are built with
 * msecs_to_jiffies(), which rounds up: N jiffies cover at least the wanted
 * milliseconds and N - 1 fewer, for any HZ that divides 1000 (100, 250, 1000;
 * Debian uses 250), so the cases hold whatever HZ the test kernel has.
 */
#include <kunit/test.h>
#include <linux/jiffies.h>
#include <net/tcp.h>

#include "helpers.h"

/* A clock reading a little before the wrap, so ages straddle it. */
#define NOW_NEAR_WRAP	(ULONG_MAX - 5)
/* The same for the u32 millisecond clock of entry stamps (6.14+). */
#define NOW_MS_NEAR_WRAP	(U32_MAX - 5)

static void env_init(struct twctl_env *env, u8 reuse)
{
	memset(env, 0, sizeof(*env));
	env->now = NOW_NEAR_WRAP;
	env->reuse_sysctl = reuse;
	env->reuse_delay_ms = 1000;
	env->fin_timeout_ms = 60000;
	env->now_ms = NOW_MS_NEAR_WRAP;
}

/* A record of an entry that entered TIME_WAIT @age_j jiffies before @now. */
static void cap_init(struct twctl_capture *cap, const struct twctl_env *env,
		     u32 rto_ms, unsigned long age_j)
{
	cap->rto_ms = rto_ms;
	cap->srtt_us = 12345;
	cap->entered = env->now - age_j;
}

/* A non-loopback IPv4 entry whose peer used timestamps 5 s ago. */
static void entry_init(struct twctl_entry *e)
{
	twctl_test_entry(e, "198.18.0.1", 40000, "198.19.0.1", 80);
	e->timestamps = true;
	e->ts_recent_age_ms = 5000;
	e->remaining_ms = 59000;
}

/* --- twctl_eligibility ------------------------------------------------- */

static void recycle_after_arithmetic(struct kunit *test)
{
	static const struct { u32 rto, after; } cases[] = {
		{ 200, 700 },		/* TCP_RTO_MIN */
		{ 201, 704 },		/* 804 - 100: the >> 1 truncates */
		{ 1000, 3500 },
		{ 3, 11 },		/* 12 - 1 */
		{ 120000, 420000 },	/* TCP_RTO_MAX */
		{ 1, 4 },		/* 4 - 0 */
		{ 0, 0 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		KUNIT_EXPECT_EQ_MSG(test, twctl_recycle_after_ms(cases[i].rto),
				    cases[i].after, "rto %u ms", cases[i].rto);
}

static void jiffies_age_across_wrap(struct kunit *test)
{
	/* ULONG_MAX - 10 ... ULONG_MAX, 0 ... 5: 16 jiffies. */
	KUNIT_EXPECT_EQ(test, twctl_jiffies_age_ms(5, ULONG_MAX - 10),
			jiffies_to_msecs(16));
	KUNIT_EXPECT_EQ(test, twctl_jiffies_age_ms(0, ULONG_MAX),
			jiffies_to_msecs(1));
	KUNIT_EXPECT_EQ(test, twctl_jiffies_age_ms(ULONG_MAX, ULONG_MAX), 0U);
	KUNIT_EXPECT_EQ(test, twctl_jiffies_age_ms(1000 + HZ, 1000), 1000U);
	/* A record stamped "after" now (it cannot be; clamp, never wrap). */
	KUNIT_EXPECT_EQ(test, twctl_jiffies_age_ms(ULONG_MAX - 10, 5), 0U);
	KUNIT_EXPECT_EQ(test, twctl_jiffies_age_ms(100, 101), 0U);
}

static void timer_age(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, twctl_timer_age_ms(60000, 59000), 1000U);
	KUNIT_EXPECT_EQ(test, twctl_timer_age_ms(60000, 0), 60000U);
	KUNIT_EXPECT_EQ(test, twctl_timer_age_ms(60000, 60000), 0U);
	/* A re-armed timer or a raised fin_timeout: never negative. */
	KUNIT_EXPECT_EQ(test, twctl_timer_age_ms(60000, 60001), 0U);
	KUNIT_EXPECT_EQ(test, twctl_timer_age_ms(60000, U32_MAX), 0U);
}

static void captured_sources(struct kunit *test)
{
	struct twctl_capture cap;
	struct twctl_entry e;
	struct twctl_env env;

	env_init(&env, 1);
	entry_init(&e);
	/* 40 ms in jiffies would not be exact at HZ=300; use whole seconds. */
	cap_init(&cap, &env, 1000, 3 * HZ);
	twctl_eligibility_fill(&e, &cap, &env);

	KUNIT_EXPECT_EQ(test, e.age_source, (u8)TWCTL_AGE_SOURCE_CAPTURED);
	KUNIT_EXPECT_EQ(test, e.rto_source, (u8)TWCTL_RTO_SOURCE_CAPTURED);
	KUNIT_EXPECT_EQ(test, e.age_ms, 3000U);
	KUNIT_EXPECT_EQ(test, e.rto_ms, 1000U);
	KUNIT_EXPECT_EQ(test, e.srtt_us, 12345U);
	KUNIT_EXPECT_EQ(test, e.recycle_after_ms, 3500U);
	/* 3000 < 3500: the captured RTO, not the assumed one, decides. */
	KUNIT_EXPECT_FALSE(test, e.recycle_eligible);
	KUNIT_EXPECT_EQ(test, e.recycle_reason, (u8)TWCTL_RECYCLE_TOO_YOUNG);
}

static void captured_age_across_wrap(struct kunit *test)
{
	struct twctl_capture cap;
	struct twctl_entry e;
	struct twctl_env env;

	env_init(&env, 1);
	env.now = 5;
	entry_init(&e);
	cap_init(&cap, &env, 200, 0);
	cap.entered = ULONG_MAX - 10;
	twctl_eligibility_fill(&e, &cap, &env);
	KUNIT_EXPECT_EQ(test, e.age_ms, jiffies_to_msecs(16));
	KUNIT_EXPECT_EQ(test, e.age_source, (u8)TWCTL_AGE_SOURCE_CAPTURED);
}

static void assumed_sources(struct kunit *test)
{
	struct twctl_entry e;
	struct twctl_env env;

	env_init(&env, 1);
	entry_init(&e);
	e.remaining_ms = 59000;
	twctl_eligibility_fill(&e, NULL, &env);

	KUNIT_EXPECT_EQ(test, e.age_source, (u8)TWCTL_AGE_SOURCE_TIMER);
	KUNIT_EXPECT_EQ(test, e.rto_source, (u8)TWCTL_RTO_SOURCE_ASSUMED);
	/* TCP_TIMEWAIT_LEN (60 s) minus what is left. */
	KUNIT_EXPECT_EQ(test, e.age_ms, 1000U);
	KUNIT_EXPECT_EQ(test, e.rto_ms, 200U);
	KUNIT_EXPECT_EQ(test, e.srtt_us, 0U);
	KUNIT_EXPECT_EQ(test, e.recycle_after_ms, 700U);
	KUNIT_EXPECT_TRUE(test, e.recycle_eligible);
	KUNIT_EXPECT_EQ(test, e.recycle_reason, (u8)TWCTL_RECYCLE_ELIGIBLE);

	/* 60 - 59.5 s = 500 ms < 700 ms. */
	e.remaining_ms = 59500;
	twctl_eligibility_fill(&e, NULL, &env);
	KUNIT_EXPECT_EQ(test, e.age_ms, 500U);
	KUNIT_EXPECT_FALSE(test, e.recycle_eligible);
	KUNIT_EXPECT_EQ(test, e.recycle_reason, (u8)TWCTL_RECYCLE_TOO_YOUNG);
}

/* A FIN_WAIT2 entry's timer runs for tcp_fin_timeout, not 60 s. */
static void assumed_age_fin_wait2(struct kunit *test)
{
	struct twctl_entry e;
	struct twctl_env env;

	env_init(&env, 1);
	env.fin_timeout_ms = 30000;
	entry_init(&e);
	e.state = TWCTL_STATE_FIN_WAIT2;
	e.remaining_ms = 20000;
	twctl_eligibility_fill(&e, NULL, &env);
	KUNIT_EXPECT_EQ(test, e.age_ms, 10000U);
	KUNIT_EXPECT_EQ(test, e.age_source, (u8)TWCTL_AGE_SOURCE_TIMER);

	e.state = TWCTL_STATE_TIME_WAIT;
	twctl_eligibility_fill(&e, NULL, &env);
	KUNIT_EXPECT_EQ(test, e.age_ms, 40000U);
}

/* The flip: one jiffy short of 3.5 x RTO is too young, reaching it is not. */
static void recycle_boundary(struct kunit *test)
{
	static const u32 rtos[] = { 200, 204, 300, 1000, 1200, 3000 };
	struct twctl_capture cap;
	struct twctl_entry e;
	struct twctl_env env;
	unsigned long need;
	unsigned int i;

	env_init(&env, 1);
	for (i = 0; i < ARRAY_SIZE(rtos); i++) {
		need = msecs_to_jiffies(twctl_recycle_after_ms(rtos[i]));

		entry_init(&e);
		cap_init(&cap, &env, rtos[i], need - 1);
		twctl_eligibility_fill(&e, &cap, &env);
		KUNIT_EXPECT_LT_MSG(test, e.age_ms, e.recycle_after_ms,
				    "rto %u", rtos[i]);
		KUNIT_EXPECT_FALSE_MSG(test, e.recycle_eligible, "rto %u",
				       rtos[i]);
		KUNIT_EXPECT_EQ_MSG(test, e.recycle_reason,
				    (u8)TWCTL_RECYCLE_TOO_YOUNG, "rto %u",
				    rtos[i]);

		cap_init(&cap, &env, rtos[i], need);
		twctl_eligibility_fill(&e, &cap, &env);
		KUNIT_EXPECT_GE_MSG(test, e.age_ms, e.recycle_after_ms,
				    "rto %u", rtos[i]);
		KUNIT_EXPECT_TRUE_MSG(test, e.recycle_eligible, "rto %u",
				      rtos[i]);
		KUNIT_EXPECT_EQ_MSG(test, e.recycle_reason,
				    (u8)TWCTL_RECYCLE_ELIGIBLE, "rto %u",
				    rtos[i]);
	}
}

static void recycle_no_timestamps(struct kunit *test)
{
	struct twctl_capture cap;
	struct twctl_entry e;
	struct twctl_env env;

	env_init(&env, 1);
	entry_init(&e);
	e.timestamps = false;
	e.ts_recent_age_ms = 0;
	/* Old enough many times over: the missing timestamps decide. */
	cap_init(&cap, &env, 200, 50 * HZ);
	twctl_eligibility_fill(&e, &cap, &env);
	KUNIT_EXPECT_FALSE(test, e.recycle_eligible);
	KUNIT_EXPECT_EQ(test, e.recycle_reason, (u8)TWCTL_RECYCLE_NO_TIMESTAMPS);

	twctl_eligibility_fill(&e, NULL, &env);
	KUNIT_EXPECT_FALSE(test, e.recycle_eligible);
	KUNIT_EXPECT_EQ(test, e.recycle_reason, (u8)TWCTL_RECYCLE_NO_TIMESTAMPS);
}

static void recycle_fin_wait2(struct kunit *test)
{
	struct twctl_capture cap;
	struct twctl_entry e;
	struct twctl_env env;

	env_init(&env, 1);
	entry_init(&e);
	e.state = TWCTL_STATE_FIN_WAIT2;
	cap_init(&cap, &env, 200, 50 * HZ);
	twctl_eligibility_fill(&e, &cap, &env);
	KUNIT_EXPECT_FALSE(test, e.recycle_eligible);
	KUNIT_EXPECT_EQ(test, e.recycle_reason, (u8)TWCTL_RECYCLE_FIN_WAIT2);
	/* The substate decides before the timestamps do. */
	e.timestamps = false;
	twctl_eligibility_fill(&e, &cap, &env);
	KUNIT_EXPECT_EQ(test, e.recycle_reason, (u8)TWCTL_RECYCLE_FIN_WAIT2);
}

/* Runs the judgement and checks the reuse verdict. */
static void expect_reuse(struct kunit *test, struct twctl_entry *e, u8 sysctl,
			 u8 reason, const char *what)
{
	struct twctl_env env;

	env_init(&env, sysctl);
	twctl_eligibility_fill(e, NULL, &env);
	KUNIT_EXPECT_EQ_MSG(test, e->reuse_reason, reason, "%s, tcp_tw_reuse=%u",
			    what, sysctl);
	KUNIT_EXPECT_EQ_MSG(test, e->reuse_eligible,
			    (bool)(reason == TWCTL_REUSE_ELIGIBLE),
			    "%s, tcp_tw_reuse=%u", what, sysctl);
}

static void reuse_sysctl_values(struct kunit *test)
{
	struct twctl_entry e;

	entry_init(&e);		/* not loopback, timestamps 5 s old */
	expect_reuse(test, &e, 0, TWCTL_REUSE_DISABLED, "non-loopback");
	expect_reuse(test, &e, 1, TWCTL_REUSE_ELIGIBLE, "non-loopback");
	expect_reuse(test, &e, 2, TWCTL_REUSE_NOT_LOOPBACK, "non-loopback");

	twctl_test_entry(&e, "127.0.0.1", 40000, "127.0.0.1", 80);
	e.timestamps = true;
	e.ts_recent_age_ms = 5000;
	expect_reuse(test, &e, 0, TWCTL_REUSE_DISABLED, "loopback");
	expect_reuse(test, &e, 1, TWCTL_REUSE_ELIGIBLE, "loopback");
	expect_reuse(test, &e, 2, TWCTL_REUSE_ELIGIBLE, "loopback");
}

static void reuse_loopback_forms(struct kunit *test)
{
	static const struct {
		const char *laddr, *raddr, *what;
		int bound_if;
		u8 reason;
	} cases[] = {
		{ "127.0.0.1", "127.0.0.1", "v4 loopback", 0,
		  TWCTL_REUSE_ELIGIBLE },
		/* 127/8, not just 127.0.0.1; either end is enough */
		{ "198.18.0.1", "127.3.4.5", "v4 remote 127/8", 0,
		  TWCTL_REUSE_ELIGIBLE },
		{ "127.0.0.2", "198.18.0.1", "v4 local 127/8", 0,
		  TWCTL_REUSE_ELIGIBLE },
		{ "::1", "::1", "v6 loopback", 0, TWCTL_REUSE_ELIGIBLE },
		{ "fd00::1", "::1", "v6 remote loopback", 0,
		  TWCTL_REUSE_ELIGIBLE },
		{ "::ffff:127.0.0.1", "::ffff:127.0.0.1", "v4-mapped loopback",
		  0, TWCTL_REUSE_ELIGIBLE },
		{ "::ffff:198.18.0.1", "::ffff:127.0.0.9",
		  "v4-mapped remote loopback", 0, TWCTL_REUSE_ELIGIBLE },
		{ "198.18.0.1", "198.19.0.1", "bound to lo", 1,
		  TWCTL_REUSE_ELIGIBLE },
		{ "fd00::1", "fd00::2", "v6 bound to lo", 1,
		  TWCTL_REUSE_ELIGIBLE },
		{ "198.18.0.1", "198.19.0.1", "v4 bound elsewhere", 2,
		  TWCTL_REUSE_NOT_LOOPBACK },
		{ "fd00::1", "fd00::2", "v6 not loopback", 0,
		  TWCTL_REUSE_NOT_LOOPBACK },
		{ "::ffff:198.18.0.1", "::ffff:198.19.0.1",
		  "v4-mapped not loopback", 0, TWCTL_REUSE_NOT_LOOPBACK },
		/* ::ffff:0:1 is neither ::1 nor in 127/8 */
		{ "fd00::1", "::ffff:0.0.0.1", "v4-mapped 0.0.0.1", 0,
		  TWCTL_REUSE_NOT_LOOPBACK },
	};
	struct twctl_entry e;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		twctl_test_entry(&e, cases[i].laddr, 40000, cases[i].raddr, 80);
		e.timestamps = true;
		e.ts_recent_age_ms = 5000;
		e.bound_if = cases[i].bound_if;
		expect_reuse(test, &e, 2, cases[i].reason, cases[i].what);
		/* with tcp_tw_reuse=1 the address does not matter */
		expect_reuse(test, &e, 1, TWCTL_REUSE_ELIGIBLE, cases[i].what);
	}
}

static void reuse_needs_timestamps(struct kunit *test)
{
	struct twctl_entry e;

	entry_init(&e);
	e.timestamps = false;
	e.ts_recent_age_ms = 0;
	expect_reuse(test, &e, 1, TWCTL_REUSE_NO_TIMESTAMPS, "no timestamps");
	twctl_test_entry(&e, "127.0.0.1", 40000, "127.0.0.1", 80);
	expect_reuse(test, &e, 2, TWCTL_REUSE_NO_TIMESTAMPS,
		     "loopback, no timestamps");
	/* disabled is reported before the timestamps are looked at */
	expect_reuse(test, &e, 0, TWCTL_REUSE_DISABLED, "no timestamps");
}

/* The 1-second rule: ts_recent must be from an earlier second. */
static void reuse_too_recent(struct kunit *test)
{
	struct twctl_entry e;
	struct twctl_env env;

	entry_init(&e);
	e.ts_recent_age_ms = 0;
	expect_reuse(test, &e, 1, TWCTL_REUSE_TOO_RECENT, "same second");
	e.ts_recent_age_ms = 999;
	expect_reuse(test, &e, 1, TWCTL_REUSE_TOO_RECENT, "999 ms");
	e.ts_recent_age_ms = 1000;
	expect_reuse(test, &e, 1, TWCTL_REUSE_ELIGIBLE, "next second");

	/* a longer delay on this (pre-6.14, unstamped) path: compared alike */
	env_init(&env, 1);
	env.reuse_delay_ms = 2000;
	e.ts_recent_age_ms = 1000;
	twctl_eligibility_fill(&e, NULL, &env);
	KUNIT_EXPECT_EQ(test, e.reuse_reason, (u8)TWCTL_REUSE_TOO_RECENT);
	e.ts_recent_age_ms = 2000;
	twctl_eligibility_fill(&e, NULL, &env);
	KUNIT_EXPECT_EQ(test, e.reuse_reason, (u8)TWCTL_REUSE_ELIGIBLE);
	KUNIT_EXPECT_TRUE(test, e.reuse_eligible);
}

static void reuse_fin_wait2(struct kunit *test)
{
	struct twctl_entry e;

	twctl_test_entry(&e, "127.0.0.1", 40000, "127.0.0.1", 80);
	e.state = TWCTL_STATE_FIN_WAIT2;
	e.timestamps = true;
	e.ts_recent_age_ms = 5000;
	expect_reuse(test, &e, 0, TWCTL_REUSE_FIN_WAIT2, "FIN_WAIT2");
	expect_reuse(test, &e, 1, TWCTL_REUSE_FIN_WAIT2, "FIN_WAIT2");
	expect_reuse(test, &e, 2, TWCTL_REUSE_FIN_WAIT2, "FIN_WAIT2");
}

/* Recycle and reuse are judged independently of each other. */
static void recycle_and_reuse_independent(struct kunit *test)
{
	struct twctl_capture cap;
	struct twctl_entry e;
	struct twctl_env env;

	env_init(&env, 1);
	entry_init(&e);
	e.ts_recent_age_ms = 0;		/* too recent for reuse */
	cap_init(&cap, &env, 200, 5 * HZ);	/* old enough to recycle */
	twctl_eligibility_fill(&e, &cap, &env);
	KUNIT_EXPECT_TRUE(test, e.recycle_eligible);
	KUNIT_EXPECT_FALSE(test, e.reuse_eligible);
	KUNIT_EXPECT_EQ(test, e.reuse_reason, (u8)TWCTL_REUSE_TOO_RECENT);

	e.ts_recent_age_ms = 3000;	/* reusable ... */
	cap_init(&cap, &env, 1000, HZ);	/* ... but 1 s < 3.5 s */
	twctl_eligibility_fill(&e, &cap, &env);
	KUNIT_EXPECT_FALSE(test, e.recycle_eligible);
	KUNIT_EXPECT_TRUE(test, e.reuse_eligible);
}

/* --- 6.14+: the kernel's tw_entry_stamp ------------------------------ */

/* An entry the kernel stamped @age_ms before env->now_ms (u32 clock). */
static void stamp_init(struct twctl_entry *e, const struct twctl_env *env,
		       u32 age_ms)
{
	e->entry_stamped = true;
	e->entry_stamp = env->now_ms - age_ms;
}

static void stamp_age_across_wrap(struct kunit *test)
{
	/* U32_MAX - 10 ... U32_MAX, 0 ... 5: 16 ms. */
	KUNIT_EXPECT_EQ(test, twctl_stamp_age_ms(5, U32_MAX - 10), 16U);
	KUNIT_EXPECT_EQ(test, twctl_stamp_age_ms(0, U32_MAX), 1U);
	KUNIT_EXPECT_EQ(test, twctl_stamp_age_ms(7, 7), 0U);
	KUNIT_EXPECT_EQ(test, twctl_stamp_age_ms(61000, 1000), 60000U);
	/* A stamp written after the clock was read: 0, never ~49 days. */
	KUNIT_EXPECT_EQ(test, twctl_stamp_age_ms(100, 101), 0U);
	KUNIT_EXPECT_EQ(test, twctl_stamp_age_ms(U32_MAX - 10, 5), 0U);
}

/* The stamp gives the age even when a capture exists; the RTO stays ours. */
static void stamp_age_source(struct kunit *test)
{
	struct twctl_capture cap;
	struct twctl_entry e;
	struct twctl_env env;

	env_init(&env, 1);
	entry_init(&e);
	stamp_init(&e, &env, 2500);
	twctl_eligibility_fill(&e, NULL, &env);
	KUNIT_EXPECT_EQ(test, e.age_source, (u8)TWCTL_AGE_SOURCE_ENTRY_STAMP);
	KUNIT_EXPECT_EQ(test, e.age_ms, 2500U);
	/* not the timer's 60 - 59 s = 1000 ms: the stamp wins over it */
	KUNIT_EXPECT_EQ(test, e.rto_source, (u8)TWCTL_RTO_SOURCE_ASSUMED);

	/* A capture that says 9 s: the kernel's own stamp still decides. */
	cap_init(&cap, &env, 1000, 9 * HZ);
	twctl_eligibility_fill(&e, &cap, &env);
	KUNIT_EXPECT_EQ(test, e.age_source, (u8)TWCTL_AGE_SOURCE_ENTRY_STAMP);
	KUNIT_EXPECT_EQ(test, e.age_ms, 2500U);
	KUNIT_EXPECT_EQ(test, e.rto_source, (u8)TWCTL_RTO_SOURCE_CAPTURED);
	KUNIT_EXPECT_EQ(test, e.rto_ms, 1000U);
	/* recycle uses the stamp's age: 2500 < 3500 */
	KUNIT_EXPECT_EQ(test, e.recycle_reason, (u8)TWCTL_RECYCLE_TOO_YOUNG);

	/* Stamped 10 ms "after" now (straddling the wrap): age 0. */
	e.entry_stamp = env.now_ms + 10;
	twctl_eligibility_fill(&e, NULL, &env);
	KUNIT_EXPECT_EQ(test, e.age_ms, 0U);
	KUNIT_EXPECT_EQ(test, e.reuse_reason, (u8)TWCTL_REUSE_TOO_RECENT);
}

/*
 * tcp_twsk_unique() on 6.14+: time_after32(tcp_clock_ms(), tw_entry_stamp +
 * tcp_tw_reuse_delay). Strictly after: an entry exactly @delay old is still
 * too recent, one millisecond more is reusable. Checked with the clock just
 * before the u32 wrap so that stamp + delay wraps.
 */
static void stamp_reuse_boundary(struct kunit *test)
{
	static const u32 delays[] = { 1, 999, 1000, 1001, 3000, 3600000 };
	struct twctl_entry e;
	struct twctl_env env;
	unsigned int i;

	env_init(&env, 1);
	for (i = 0; i < ARRAY_SIZE(delays); i++) {
		env.reuse_delay_ms = delays[i];
		entry_init(&e);
		/* peer timestamps fresh: the new rule does not look at them */
		e.ts_recent_age_ms = 0;

		stamp_init(&e, &env, delays[i] - 1);
		twctl_eligibility_fill(&e, NULL, &env);
		KUNIT_EXPECT_EQ_MSG(test, e.reuse_reason,
				    (u8)TWCTL_REUSE_TOO_RECENT,
				    "delay %u, age delay - 1", delays[i]);

		stamp_init(&e, &env, delays[i]);
		twctl_eligibility_fill(&e, NULL, &env);
		KUNIT_EXPECT_EQ_MSG(test, e.reuse_reason,
				    (u8)TWCTL_REUSE_TOO_RECENT,
				    "delay %u, age = delay", delays[i]);
		KUNIT_EXPECT_FALSE_MSG(test, e.reuse_eligible,
				       "delay %u, age = delay", delays[i]);

		stamp_init(&e, &env, delays[i] + 1);
		twctl_eligibility_fill(&e, NULL, &env);
		KUNIT_EXPECT_EQ_MSG(test, e.reuse_reason,
				    (u8)TWCTL_REUSE_ELIGIBLE,
				    "delay %u, age delay + 1", delays[i]);
		KUNIT_EXPECT_TRUE_MSG(test, e.reuse_eligible,
				      "delay %u, age delay + 1", delays[i]);
		KUNIT_EXPECT_EQ(test, e.age_ms, delays[i] + 1);
	}
}

/* What the old rule would say is irrelevant once the entry is stamped. */
static void stamp_reuse_ignores_timestamp_age(struct kunit *test)
{
	struct twctl_entry e;
	struct twctl_env env;

	env_init(&env, 1);
	entry_init(&e);
	/* peer's timestamp 50 s old, entry 200 ms old: too recent */
	e.ts_recent_age_ms = 50000;
	stamp_init(&e, &env, 200);
	twctl_eligibility_fill(&e, NULL, &env);
	KUNIT_EXPECT_EQ(test, e.reuse_reason, (u8)TWCTL_REUSE_TOO_RECENT);

	/* the rest of the rule is unchanged: timestamps, sysctl, substate */
	stamp_init(&e, &env, 5000);
	e.timestamps = false;
	twctl_eligibility_fill(&e, NULL, &env);
	KUNIT_EXPECT_EQ(test, e.reuse_reason, (u8)TWCTL_REUSE_NO_TIMESTAMPS);
	e.timestamps = true;
	env.reuse_sysctl = 2;
	twctl_eligibility_fill(&e, NULL, &env);
	KUNIT_EXPECT_EQ(test, e.reuse_reason, (u8)TWCTL_REUSE_NOT_LOOPBACK);
	env.reuse_sysctl = 0;
	twctl_eligibility_fill(&e, NULL, &env);
	KUNIT_EXPECT_EQ(test, e.reuse_reason, (u8)TWCTL_REUSE_DISABLED);
	env.reuse_sysctl = 1;
	e.state = TWCTL_STATE_FIN_WAIT2;
	twctl_eligibility_fill(&e, NULL, &env);
	KUNIT_EXPECT_EQ(test, e.reuse_reason, (u8)TWCTL_REUSE_FIN_WAIT2);
}

static struct kunit_case twctl_eligibility_cases[] = {
	KUNIT_CASE(recycle_after_arithmetic),
	KUNIT_CASE(jiffies_age_across_wrap),
	KUNIT_CASE(timer_age),
	KUNIT_CASE(captured_sources),
	KUNIT_CASE(captured_age_across_wrap),
	KUNIT_CASE(assumed_sources),
	KUNIT_CASE(assumed_age_fin_wait2),
	KUNIT_CASE(recycle_boundary),
	KUNIT_CASE(recycle_no_timestamps),
	KUNIT_CASE(recycle_fin_wait2),
	KUNIT_CASE(reuse_sysctl_values),
	KUNIT_CASE(reuse_loopback_forms),
	KUNIT_CASE(reuse_needs_timestamps),
	KUNIT_CASE(reuse_too_recent),
	KUNIT_CASE(reuse_fin_wait2),
	KUNIT_CASE(recycle_and_reuse_independent),
	KUNIT_CASE(stamp_age_across_wrap),
	KUNIT_CASE(stamp_age_source),
	KUNIT_CASE(stamp_reuse_boundary),
	KUNIT_CASE(stamp_reuse_ignores_timestamp_age),
	{}
};

static struct kunit_suite twctl_eligibility_suite = {
	.name = "twctl_eligibility",
	.test_cases = twctl_eligibility_cases,
};

kunit_test_suites(&twctl_eligibility_suite);

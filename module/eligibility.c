// SPDX-License-Identifier: GPL-2.0
/*
 * Judging an entry: its age, the old tcp_tw_recycle rule (3.5 x RTO) and
 * the tcp_tw_reuse rule of today's tcp_twsk_unique(). Everything here is a
 * pure function of the entry, the capture record and the environment, so
 * KUnit can drive it with any clock value, including around jiffies wrap.
 * All results are in milliseconds: nothing here depends on HZ.
 */
#include <linux/jiffies.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/tcp.h>

#include "twctl.h"

/*
 * What 3.x tcp_time_wait() used as the timewait lifetime when recycling was
 * on: (rto << 2) - (rto >> 1), i.e. 3.5 x RTO rounded the way it rounded.
 */
u32 twctl_recycle_after_ms(u32 rto_ms)
{
	return (rto_ms << 2) - (rto_ms >> 1);
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_recycle_after_ms);

/* Unsigned subtraction keeps this right across a jiffies wrap. */
u32 twctl_jiffies_age_ms(unsigned long now, unsigned long then)
{
	unsigned long delta = now - then;

	if ((long)delta < 0)
		return 0;
	return jiffies_to_msecs(delta);
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_jiffies_age_ms);

/*
 * Milliseconds since an entry stamp, on the u32 clock tcp_twsk_unique()
 * compares it with: the subtraction wraps correctly, and a stamp "after" now
 * (an entry re-stamped between the clock read and the stamp read) is age 0.
 */
u32 twctl_stamp_age_ms(u32 now_ms, u32 stamp_ms)
{
	u32 delta = now_ms - stamp_ms;

	return (s32)delta < 0 ? 0 : delta;
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_stamp_age_ms);

/* Exact as long as nothing re-armed the timer (an in-window FIN does). */
u32 twctl_timer_age_ms(u32 lifetime_ms, u32 remaining_ms)
{
	return remaining_ms < lifetime_ms ? lifetime_ms - remaining_ms : 0;
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_timer_age_ms);

static bool twctl_addr_is_loopback(const struct in6_addr *a)
{
	return ipv6_addr_loopback(a) || ipv6_addr_v4mapped_loopback(a);
}

/*
 * The time half of tcp_twsk_unique()'s test. 6.14+ (the entry is stamped):
 * time_after32(tcp_clock_ms(), tw_entry_stamp + tcp_tw_reuse_delay), the
 * time since the entry, strictly past the per-netns delay; the peer's
 * timestamp age plays no part. Before 6.14 the kernel compares whole
 * seconds: ktime_get_seconds() must be past the second ts_recent was stored
 * in; ts_recent_age_ms is that difference in seconds times 1000, so >= the
 * delay (always 1000 there) means "past".
 */
static bool twctl_reuse_delay_passed(const struct twctl_entry *e,
				     const struct twctl_env *env)
{
	if (e->entry_stamped)
		return (s32)(e->entry_stamp + env->reuse_delay_ms -
			     env->now_ms) < 0;
	return e->ts_recent_age_ms >= env->reuse_delay_ms;
}

/* Mirrors tcp_twsk_unique() for a connect() that picks its port itself. */
static void twctl_reuse_judge(struct twctl_entry *e, const struct twctl_env *env)
{
	u8 reuse = env->reuse_sysctl;

	e->reuse_eligible = false;
	if (e->state == TWCTL_STATE_FIN_WAIT2) {
		e->reuse_reason = TWCTL_REUSE_FIN_WAIT2;
		return;
	}
	if (reuse == 0) {
		e->reuse_reason = TWCTL_REUSE_DISABLED;
		return;
	}
	if (reuse == 2 && e->bound_if != LOOPBACK_IFINDEX &&
	    !twctl_addr_is_loopback(&e->laddr) &&
	    !twctl_addr_is_loopback(&e->raddr)) {
		e->reuse_reason = TWCTL_REUSE_NOT_LOOPBACK;
		return;
	}
	if (!e->timestamps) {
		e->reuse_reason = TWCTL_REUSE_NO_TIMESTAMPS;
		return;
	}
	if (!twctl_reuse_delay_passed(e, env)) {
		e->reuse_reason = TWCTL_REUSE_TOO_RECENT;
		return;
	}
	e->reuse_eligible = true;
	e->reuse_reason = TWCTL_REUSE_ELIGIBLE;
}

void twctl_eligibility_fill(struct twctl_entry *e,
			    const struct twctl_capture *cap,
			    const struct twctl_env *env)
{
	u32 lifetime_ms;

	/*
	 * The kernel's own stamp (6.14+) first: it exists for every entry,
	 * also those from before the module was loaded, and it is what
	 * tcp_twsk_unique() measures reuse by. Then our capture, then the
	 * timer.
	 */
	if (e->entry_stamped) {
		e->age_ms = twctl_stamp_age_ms(env->now_ms, e->entry_stamp);
		e->age_source = TWCTL_AGE_SOURCE_ENTRY_STAMP;
	} else if (cap) {
		e->age_ms = twctl_jiffies_age_ms(env->now, cap->entered);
		e->age_source = TWCTL_AGE_SOURCE_CAPTURED;
	} else {
		lifetime_ms = e->state == TWCTL_STATE_FIN_WAIT2 ?
			      env->fin_timeout_ms :
			      jiffies_to_msecs(TCP_TIMEWAIT_LEN);
		e->age_ms = twctl_timer_age_ms(lifetime_ms, e->remaining_ms);
		e->age_source = TWCTL_AGE_SOURCE_TIMER;
	}

	if (cap) {
		e->rto_ms = cap->rto_ms;
		e->rto_source = TWCTL_RTO_SOURCE_CAPTURED;
		e->srtt_us = cap->srtt_us;
	} else {
		e->rto_ms = jiffies_to_msecs(TCP_RTO_MIN);
		e->rto_source = TWCTL_RTO_SOURCE_ASSUMED;
		e->srtt_us = 0;
	}

	e->recycle_after_ms = twctl_recycle_after_ms(e->rto_ms);
	e->recycle_eligible = false;
	if (e->state == TWCTL_STATE_FIN_WAIT2)
		e->recycle_reason = TWCTL_RECYCLE_FIN_WAIT2;
	else if (!e->timestamps)
		e->recycle_reason = TWCTL_RECYCLE_NO_TIMESTAMPS;
	else if (e->age_ms < e->recycle_after_ms)
		e->recycle_reason = TWCTL_RECYCLE_TOO_YOUNG;
	else
		e->recycle_eligible = true;
	if (e->recycle_eligible)
		e->recycle_reason = TWCTL_RECYCLE_ELIGIBLE;

	twctl_reuse_judge(e, env);
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_eligibility_fill);

void twctl_env_get(const struct net *net, struct twctl_env *env)
{
	env->now = jiffies;
	env->now_ms = twctl_clock_ms();
	env->reuse_sysctl = READ_ONCE(net->ipv4.sysctl_tcp_tw_reuse);
	env->reuse_delay_ms = twctl_tw_reuse_delay_ms(net);
	env->fin_timeout_ms =
		jiffies_to_msecs(READ_ONCE(net->ipv4.sysctl_tcp_fin_timeout));
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Snapshot of one timewait entry into a struct twctl_entry, and its netlink
 * encoding. Filling happens outside the bucket lock, with a reference held.
 */
#include <linux/jiffies.h>
#include <linux/sock_diag.h>
#include <linux/timekeeping.h>
#include <net/inet_timewait_sock.h>
#include <net/ipv6.h>
#include <net/tcp.h>

#include "twctl.h"

static void twctl_addr_fill(struct in6_addr *dst, const struct sock *sk,
			    bool remote)
{
	if (sk->sk_family == AF_INET)
		ipv6_addr_set_v4mapped(remote ? sk->sk_daddr : sk->sk_rcv_saddr,
				       dst);
	else
		*dst = remote ? sk->sk_v6_daddr : sk->sk_v6_rcv_saddr;
}

/* Only what sits in struct sock_common: cheap enough under the bucket lock. */
void twctl_entry_fill_tuple(struct twctl_entry *e, const struct sock *sk)
{
	e->family = sk->sk_family;
	e->state = inet_twsk(sk)->tw_substate;
	twctl_addr_fill(&e->laddr, sk, false);
	twctl_addr_fill(&e->raddr, sk, true);
	e->lport = sk->sk_num;
	e->rport = ntohs(sk->sk_dport);
	e->netns_ino = sock_net(sk)->ns.inum;
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_entry_fill_tuple);

/*
 * @env is read once per walk (sysctls) and per batch (the clock), not per
 * entry; the timer is read against env->now, so every entry of a batch is
 * measured at the same instant.
 */
void twctl_entry_fill_env(struct twctl_entry *e, struct sock *sk,
			  const struct twctl_env *env)
{
	const struct inet_timewait_sock *tw = inet_twsk(sk);
	const struct tcp_timewait_sock *tcptw = tcp_twsk(sk);
	struct twctl_capture cap;
	bool captured;
	u32 cookie[2];
	int stamp;

	twctl_entry_fill_tuple(e, sk);

	e->remaining_ms = jiffies_delta_to_msecs(tw->tw_timer.expires - env->now);
	sock_diag_save_cookie(sk, cookie);
	e->cookie = (u64)cookie[1] << 32 | cookie[0];

	stamp = READ_ONCE(tcptw->tw_ts_recent_stamp);
	e->timestamps = stamp != 0;
	e->ts_recent = READ_ONCE(tcptw->tw_ts_recent);
	e->ts_recent_age_ms = 0;
	if (stamp) {
		time64_t age = ktime_get_seconds() - stamp;

		if (age > 0)
			e->ts_recent_age_ms = min_t(time64_t, age, U32_MAX / MSEC_PER_SEC) *
					      MSEC_PER_SEC;
	}
	e->snd_nxt = tcptw->tw_snd_nxt;
	e->rcv_nxt = tcptw->tw_rcv_nxt;
	e->bound_if = tw->tw_bound_dev_if;
	e->mark = tw->tw_mark;
	e->entry_stamped = twctl_tw_entry_stamp(tw, &e->entry_stamp);

	captured = twctl_capture_lookup(e->cookie, &cap);
	twctl_eligibility_fill(e, captured ? &cap : NULL, env);
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_entry_fill_env);

void twctl_entry_fill(struct twctl_entry *e, struct sock *sk)
{
	struct twctl_env env;

	twctl_env_get(sock_net(sk), &env);
	twctl_entry_fill_env(e, sk, &env);
}

/* The uapi's 16-byte address field: IPv4 in the first 4 bytes. */
static void twctl_addr_out(u8 *dst, u8 family, const struct in6_addr *a)
{
	if (family == AF_INET)
		memcpy(dst, &a->s6_addr32[3], sizeof(a->s6_addr32[3]));
	else
		memcpy(dst, a, sizeof(*a));
}

void twctl_entry_info_fill(struct twctl_entry_info *info,
			   const struct twctl_entry *e)
{
	memset(info, 0, sizeof(*info));
	info->family = e->family;
	info->state = e->state;
	info->flags = (e->timestamps ? TWCTL_ENTRY_F_TIMESTAMPS : 0) |
		      (e->recycle_eligible ? TWCTL_ENTRY_F_RECYCLE_ELIGIBLE : 0) |
		      (e->reuse_eligible ? TWCTL_ENTRY_F_REUSE_ELIGIBLE : 0);
	info->age_source = e->age_source;
	info->lport = e->lport;
	info->rport = e->rport;
	twctl_addr_out(info->laddr, e->family, &e->laddr);
	twctl_addr_out(info->raddr, e->family, &e->raddr);
	info->cookie = e->cookie;
	info->remaining_ms = e->remaining_ms;
	info->age_ms = e->age_ms;
	info->netns_ino = e->netns_ino;
	info->bound_if = e->bound_if;
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_entry_info_fill);

/*
 * One entry: the fixed struct, then the extras @ext names. The caller has
 * already cleared TWCTL_ENTRY_EXT_SECRETS for readers without CAP_NET_ADMIN
 * over the entry's netns: the sequence numbers and the peer's last timestamp
 * would help anyone inject into another user's connection (the next one to
 * reuse the tuple starts from them), and inet_diag shows the mark to
 * CAP_NET_ADMIN callers only. Structs are built on the stack and copied, as
 * an attribute payload is only 4-byte aligned.
 */
int twctl_entry_put(struct sk_buff *skb, const struct twctl_entry *e, u32 ext)
{
	struct twctl_entry_info info;

	BUILD_BUG_ON(sizeof(struct twctl_entry_info) != 64);
	BUILD_BUG_ON(sizeof(struct twctl_entry_judgement) != 16);
	BUILD_BUG_ON(sizeof(struct twctl_entry_secrets) != 24);

	twctl_entry_info_fill(&info, e);
	if (nla_put(skb, TWCTL_A_ENTRY_INFO, sizeof(info), &info))
		return -EMSGSIZE;
	if (ext & TWCTL_ENTRY_EXT_JUDGEMENT) {
		struct twctl_entry_judgement j = {
			.rto_ms = e->rto_ms,
			.srtt_us = e->srtt_us,
			.recycle_after_ms = e->recycle_after_ms,
			.rto_source = e->rto_source,
			.recycle_reason = e->recycle_reason,
			.reuse_reason = e->reuse_reason,
		};

		if (nla_put(skb, TWCTL_A_ENTRY_JUDGEMENT, sizeof(j), &j))
			return -EMSGSIZE;
	}
	if (ext & TWCTL_ENTRY_EXT_SECRETS) {
		struct twctl_entry_secrets sec = {
			.snd_nxt = e->snd_nxt,
			.rcv_nxt = e->rcv_nxt,
			.ts_recent = e->ts_recent,
			.ts_recent_age_ms = e->ts_recent_age_ms,
			.mark = e->mark,
		};

		if (nla_put(skb, TWCTL_A_ENTRY_SECRETS, sizeof(sec), &sec))
			return -EMSGSIZE;
	}
	return 0;
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_entry_put);

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

void twctl_entry_fill(struct twctl_entry *e, struct sock *sk)
{
	const struct inet_timewait_sock *tw = inet_twsk(sk);
	const struct tcp_timewait_sock *tcptw = tcp_twsk(sk);
	struct twctl_env env;
	struct twctl_capture cap;
	bool captured;
	u32 cookie[2];
	int stamp;

	twctl_entry_fill_tuple(e, sk);

	e->remaining_ms = jiffies_delta_to_msecs(tw->tw_timer.expires - jiffies);
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
	twctl_env_get(sock_net(sk), &env);
	twctl_eligibility_fill(e, captured ? &cap : NULL, &env);
}

static int twctl_put_addr(struct sk_buff *skb, int type, u8 family,
			  const struct in6_addr *a)
{
	if (family == AF_INET)
		return nla_put_in_addr(skb, type, a->s6_addr32[3]);
	return nla_put_in6_addr(skb, type, a);
}

/*
 * @net_admin: the reader has CAP_NET_ADMIN over the entry's netns. Only then
 * does it get the mark (as from inet_diag) and what inet_diag gives nobody:
 * the sequence numbers and the peer's last timestamp, which would help
 * anyone inject into another user's connection (the next one to reuse the
 * tuple starts from them). Everyone gets what inet_diag gives everyone.
 */
int twctl_entry_put(struct sk_buff *skb, const struct twctl_entry *e,
		    bool net_admin, bool with_netns)
{
	struct nlattr *nest = nla_nest_start(skb, TWCTL_A_ENTRY);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u8(skb, TWCTL_ENTRY_A_FAMILY, e->family) ||
	    twctl_put_addr(skb, TWCTL_ENTRY_A_LADDR, e->family, &e->laddr) ||
	    nla_put_u16(skb, TWCTL_ENTRY_A_LPORT, e->lport) ||
	    twctl_put_addr(skb, TWCTL_ENTRY_A_RADDR, e->family, &e->raddr) ||
	    nla_put_u16(skb, TWCTL_ENTRY_A_RPORT, e->rport) ||
	    nla_put_u8(skb, TWCTL_ENTRY_A_STATE, e->state) ||
	    nla_put_u32(skb, TWCTL_ENTRY_A_REMAINING_MS, e->remaining_ms) ||
	    nla_put_u64_64bit(skb, TWCTL_ENTRY_A_COOKIE, e->cookie,
			      TWCTL_ENTRY_A_PAD) ||
	    nla_put_u8(skb, TWCTL_ENTRY_A_TIMESTAMPS, e->timestamps) ||
	    (net_admin &&
	     (nla_put_u32(skb, TWCTL_ENTRY_A_TS_RECENT, e->ts_recent) ||
	      nla_put_u32(skb, TWCTL_ENTRY_A_TS_RECENT_AGE_MS,
			  e->ts_recent_age_ms) ||
	      nla_put_u32(skb, TWCTL_ENTRY_A_SND_NXT, e->snd_nxt) ||
	      nla_put_u32(skb, TWCTL_ENTRY_A_RCV_NXT, e->rcv_nxt) ||
	      nla_put_u32(skb, TWCTL_ENTRY_A_MARK, e->mark))) ||
	    nla_put_u32(skb, TWCTL_ENTRY_A_BOUND_IF, e->bound_if) ||
	    (with_netns && nla_put_u32(skb, TWCTL_ENTRY_A_NETNS, e->netns_ino)) ||
	    nla_put_u32(skb, TWCTL_ENTRY_A_AGE_MS, e->age_ms) ||
	    nla_put_u8(skb, TWCTL_ENTRY_A_AGE_SOURCE, e->age_source) ||
	    nla_put_u32(skb, TWCTL_ENTRY_A_RTO_MS, e->rto_ms) ||
	    nla_put_u8(skb, TWCTL_ENTRY_A_RTO_SOURCE, e->rto_source) ||
	    nla_put_u32(skb, TWCTL_ENTRY_A_SRTT_US, e->srtt_us) ||
	    nla_put_u32(skb, TWCTL_ENTRY_A_RECYCLE_AFTER_MS,
			e->recycle_after_ms) ||
	    nla_put_u8(skb, TWCTL_ENTRY_A_RECYCLE_ELIGIBLE,
		       e->recycle_eligible) ||
	    nla_put_u8(skb, TWCTL_ENTRY_A_RECYCLE_REASON, e->recycle_reason) ||
	    nla_put_u8(skb, TWCTL_ENTRY_A_REUSE_ELIGIBLE, e->reuse_eligible) ||
	    nla_put_u8(skb, TWCTL_ENTRY_A_REUSE_REASON, e->reuse_reason)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_entry_put);

/* SPDX-License-Identifier: GPL-2.0 */
/* Building blocks shared by the twctl KUnit suites. */
#ifndef _TWCTL_TEST_HELPERS_H
#define _TWCTL_TEST_HELPERS_H

#include <kunit/test.h>
#include <linux/inet.h>
#include <linux/jiffies.h>
#include <linux/socket.h>
#include <linux/string.h>
#include <net/inet_hashtables.h>
#include <net/inet_timewait_sock.h>
#include <net/ipv6.h>
#include <net/tcp.h>

#include "../twctl.h"

/* An entry from text addresses; IPv4 text gives an AF_INET entry. */
static inline void twctl_test_entry(struct twctl_entry *e, const char *laddr,
				    u16 lport, const char *raddr, u16 rport)
{
	__be32 a4;

	memset(e, 0, sizeof(*e));
	e->state = TWCTL_STATE_TIME_WAIT;
	e->lport = lport;
	e->rport = rport;
	if (in4_pton(laddr, -1, (u8 *)&a4, -1, NULL)) {
		e->family = AF_INET;
		ipv6_addr_set_v4mapped(a4, &e->laddr);
		in4_pton(raddr, -1, (u8 *)&a4, -1, NULL);
		ipv6_addr_set_v4mapped(a4, &e->raddr);
	} else {
		e->family = AF_INET6;
		in6_pton(laddr, -1, e->laddr.s6_addr, -1, NULL);
		in6_pton(raddr, -1, e->raddr.s6_addr, -1, NULL);
	}
}

/* An address filter as the parser would build it. */
static inline void twctl_test_addr_filter(struct twctl_addr_filter *af,
					  const char *text, u8 plen)
{
	__be32 a4;

	memset(af, 0, sizeof(*af));
	af->plen = plen;
	if (in4_pton(text, -1, (u8 *)&a4, -1, NULL)) {
		af->family = AF_INET;
		ipv6_addr_set_v4mapped(a4, &af->addr);
	} else {
		af->family = AF_INET6;
		in6_pton(text, -1, af->addr.s6_addr, -1, NULL);
	}
}

/*
 * A private established hash of one bucket (and one lock), allocated for
 * the case: the walker and the collector run on it as on the kernel's, and
 * nothing else ever sees its entries.
 */
static inline void twctl_test_ehash_init(struct kunit *test,
					 struct inet_hashinfo *h)
{
	h->ehash = kunit_kzalloc(test, sizeof(*h->ehash), GFP_KERNEL);
	h->ehash_locks = kunit_kzalloc(test, sizeof(spinlock_t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h->ehash);
	KUNIT_ASSERT_NOT_NULL(test, h->ehash_locks);
	spin_lock_init(&h->ehash_locks[0]);
	h->ehash_mask = 0;
	h->ehash_locks_mask = 0;
	INIT_HLIST_NULLS_HEAD(&h->ehash[0].chain, 0);
}

/*
 * A timewait socket of init_net (state @state, an AF_INET TIME_WAIT entry
 * otherwise zeroed) whose timer, never armed, says it expires at @expires;
 * freed with the case. Not linked anywhere yet.
 */
static inline struct tcp_timewait_sock *
twctl_test_tw_new(struct kunit *test, int state, unsigned long expires)
{
	struct tcp_timewait_sock *tcptw;
	struct inet_timewait_sock *tw;

	tcptw = kunit_kzalloc(test, sizeof(*tcptw), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tcptw);
	tw = &tcptw->tw_sk;
	tw->tw_state = state;
	tw->tw_substate = TCP_TIME_WAIT;
	tw->tw_family = AF_INET;
	tw->tw_timer.expires = expires;
	twsk_net_set(tw, &init_net);
	refcount_set(&tw->tw_refcnt, 1);
	return tcptw;
}

/* Links @sk at the head of the one bucket of @h, under its lock. */
static inline void twctl_test_tw_link(struct inet_hashinfo *h, struct sock *sk)
{
	spin_lock_bh(&h->ehash_locks[0]);
	hlist_nulls_add_head_rcu(&sk->sk_nulls_node, &h->ehash[0].chain);
	spin_unlock_bh(&h->ehash_locks[0]);
}

static inline void twctl_test_tw_unlink(struct inet_hashinfo *h,
					struct sock *sk)
{
	spin_lock_bh(&h->ehash_locks[0]);
	hlist_nulls_del_init_rcu(&sk->sk_nulls_node);
	spin_unlock_bh(&h->ehash_locks[0]);
}

#endif /* _TWCTL_TEST_HELPERS_H */

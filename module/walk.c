// SPDX-License-Identifier: GPL-2.0
/*
 * Walking the timewait entries of the TCP established hash, the way
 * inet_diag_dump_icsk() does: per bucket, under the bucket lock, take
 * references on at most TWCTL_BATCH selected entries, drop the lock, hand
 * each entry to the visitor, release, cond_resched(). Nothing but reference
 * taking and the cheap tuple filter runs under the lock.
 *
 * A walk can stop and resume. The resume point is the bucket, the cookie of
 * the last entry of that bucket handed to the visitor (the anchor) and, as a
 * fallback, the number of selected entries of that bucket already passed.
 * Entries join a bucket at its head and never move, so everything after the
 * anchor in the chain is what the walk has not visited yet, whatever came or
 * went meanwhile: resuming right after the anchor is exact. Only when the
 * anchor itself is gone is the position used, which entries that vanished
 * meanwhile may have shifted; the walk then sets @lost so that a dump can
 * flag itself interrupted.
 *
 * "Passed" counts both the entries handed to the visitor and the ones whose
 * reference could not be taken: under the bucket lock a timewait entry with
 * a zero refcount is one being born (inet_twsk_hashdance() links it before
 * it sets the refcount), so it stays in the bucket and must be counted in
 * the position, or the next batch would start early and hand out an entry
 * twice.
 */
#include <linux/sched.h>
#include <net/inet_hashtables.h>
#include <net/inet_timewait_sock.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "twctl.h"

#define TWCTL_BATCH 16

static struct inet_hashinfo *twctl_hashinfo(const struct twctl_walk *w)
{
	return w->hashinfo ?: w->net->ipv4.tcp_death_row.hashinfo;
}

/* Under the bucket lock: is this an entry the walk is after? */
static bool twctl_walk_selects(const struct twctl_walk *w, struct sock *sk)
{
	struct twctl_entry tuple;

	if (sk->sk_state != TCP_TIME_WAIT)
		return false;
	if (!net_eq(sock_net(sk), w->net))
		return false;
	if (!w->filter)
		return true;
	twctl_entry_fill_tuple(&tuple, sk);
	return twctl_filter_match_tuple(w->filter, &tuple);
}

/*
 * Under the bucket lock, when resuming inside a bucket: the position just
 * after the anchor, or false if the anchor is no longer there.
 */
static bool twctl_walk_find_anchor(const struct twctl_walk *w,
				   struct inet_ehash_bucket *head,
				   unsigned int *pos)
{
	struct hlist_nulls_node *node;
	unsigned int seen = 0;
	struct sock *sk;

	sk_nulls_for_each(sk, node, &head->chain) {
		if (!twctl_walk_selects(w, sk))
			continue;
		seen++;
		if (atomic64_read(&sk->sk_cookie) == w->anchor) {
			*pos = seen;
			return true;
		}
	}
	return false;
}

/*
 * Returns 1 when the visitor asked to stop (w holds the resume point),
 * 0 when the table has been walked to its end.
 */
int twctl_walk(struct twctl_walk *w, twctl_visit_fn visit, void *arg)
{
	struct inet_hashinfo *hashinfo = twctl_hashinfo(w);
	struct twctl_entry *e;
	int ret = 0;

	e = kmalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;

	for (; w->bucket <= hashinfo->ehash_mask;
	     w->bucket++, w->skip = 0, w->anchor = 0) {
		struct inet_ehash_bucket *head = &hashinfo->ehash[w->bucket];
		spinlock_t *lock = inet_ehash_lockp(hashinfo, w->bucket);
		struct sock *batch[TWCTL_BATCH];
		/* Entries passed without a reference just before batch[i]. */
		unsigned int unref[TWCTL_BATCH];
		struct hlist_nulls_node *node;
		unsigned int n, i, seen, dead, pos;
		struct sock *sk;

		if (hlist_nulls_empty(&head->chain))
			continue;
next_batch:
		n = 0;
		seen = 0;
		dead = 0;
		spin_lock_bh(lock);
		if (w->anchor) {
			if (twctl_walk_find_anchor(w, head, &pos))
				w->skip = pos;
			else
				w->lost = true;
		}
		sk_nulls_for_each(sk, node, &head->chain) {
			if (!twctl_walk_selects(w, sk))
				continue;
			if (seen++ < w->skip)
				continue;
			if (!refcount_inc_not_zero(&sk->sk_refcnt)) {
				dead++;
				continue;
			}
			unref[n] = dead;
			dead = 0;
			batch[n++] = sk;
			if (n == TWCTL_BATCH)
				break;
		}
		spin_unlock_bh(lock);
		/*
		 * Unreferenced entries after the last one taken stay out of the
		 * position: that happens only when the chain ended, and then
		 * the bucket is done.
		 */

		for (i = 0; i < n; i++) {
			enum twctl_visit v = TWCTL_VISIT_STOP;

			if (!ret) {
				/* They precede batch[i]: a resume passes them. */
				w->skip += unref[i];
				twctl_entry_fill(e, batch[i]);
				v = visit(batch[i], e, arg);
			}
			switch (v) {
			case TWCTL_VISIT_TAKEN:
				/* Gone from the bucket: it no longer counts. */
				break;
			case TWCTL_VISIT_STOP:
				ret = 1;
				sock_gen_put(batch[i]);
				break;
			case TWCTL_VISIT_NEXT:
				w->skip++;
				/* The visitor's snapshot generated the cookie. */
				w->anchor = e->cookie;
				sock_gen_put(batch[i]);
				break;
			}
		}
		if (ret)
			break;
		cond_resched();
		if (n == TWCTL_BATCH)
			goto next_batch;
	}
	kfree(e);
	return ret;
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_walk);

static enum twctl_visit twctl_count_one(struct sock *sk, struct twctl_entry *e,
					void *arg)
{
	(*(unsigned int *)arg)++;
	return TWCTL_VISIT_NEXT;
}

unsigned int twctl_count(struct net *net)
{
	struct twctl_walk w = { .net = net };
	unsigned int count = 0;

	twctl_walk(&w, twctl_count_one, &count);
	return count;
}

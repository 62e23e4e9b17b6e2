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
 *
 * What judging an entry needs besides the entry (sysctls, the clock) is read
 * once per walk call and netns, and the clock once per batch, not per entry.
 *
 * An all-netns walk visits each distinct table once: the shared one, with
 * the entries of every netns that uses it, then the own table of each netns
 * created with tcp_child_ehash_entries, found under RCU (never under
 * net_rwsem, which netns creation and teardown take for writing) and held
 * with a reference only while it is walked. Those tables are taken in
 * net_cookie order, which no netns's coming or going changes, so a resume
 * finds the next table even if the last one vanished. An entry of another
 * netns may outlive its netns once the bucket lock is dropped (netns exit
 * purges entries, and only our reference keeps one), so each batch holds a
 * reference on the netns of its entries, taken under the lock while the
 * entry is still hashed and its netns therefore not yet freed.
 */
#include <linux/rcupdate.h>
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
	if (!w->all_netns && !net_eq(sock_net(sk), w->net))
		return false;
	if (!w->filter || w->filter->tuple_selects_all)
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
 * Under the bucket lock, all-netns walks only: a reference on @sk's netns in
 * @nets[n], reusing the previous entry's when it is the same netns (@held[n]
 * says whether this slot took one). False if the netns is being dismantled.
 */
static bool twctl_walk_hold_net(struct sock *sk, struct net **nets,
				bool *held, unsigned int n)
{
	struct net *net = sock_net(sk);

	held[n] = false;
	if (n && nets[n - 1] == net) {
		nets[n] = net;
		return true;
	}
	if (!maybe_get_net(net))
		return false;
	nets[n] = net;
	held[n] = true;
	return true;
}

/* The walk's view of the environment of @net, read once per walk call. */
struct twctl_walk_env {
	struct twctl_env env;
	const struct net *net;
};

static const struct twctl_env *twctl_walk_env(struct twctl_walk_env *we,
					      const struct net *net)
{
	if (we->net != net) {
		twctl_env_get(net, &we->env);
		we->net = net;
	}
	return &we->env;
}

/*
 * Returns 1 when the visitor asked to stop (w holds the resume point),
 * 0 when the table has been walked to its end.
 */
static int twctl_walk_table(struct twctl_walk *w, twctl_visit_fn visit,
			    void *arg)
{
	struct inet_hashinfo *hashinfo = twctl_hashinfo(w);
	struct twctl_walk_env we = { .net = NULL };
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
		struct net *nets[TWCTL_BATCH];
		bool held[TWCTL_BATCH];
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
			if (w->all_netns && !twctl_walk_hold_net(sk, nets, held, n)) {
				dead++;
				continue;
			}
			if (!refcount_inc_not_zero(&sk->sk_refcnt)) {
				if (w->all_netns && held[n])
					put_net(nets[n]);
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

		/* The clock once per batch; the sysctls once per call. */
		we.env.now = jiffies;
		we.env.now_ms = twctl_clock_ms();
		for (i = 0; i < n; i++) {
			enum twctl_visit v = TWCTL_VISIT_STOP;

			if (!ret) {
				/* They precede batch[i]: a resume passes them. */
				w->skip += unref[i];
				twctl_entry_fill_env(e, batch[i],
						     twctl_walk_env(&we,
								    sock_net(batch[i])));
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
		if (w->all_netns) {
			for (i = 0; i < n; i++)
				if (held[i])
					put_net(nets[i]);
			/* A freed netns's address may be reused. */
			we.net = NULL;
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

/*
 * The netns with a table of its own whose net_cookie is @cookie (@exact) or
 * the smallest one above @cookie, with a reference; NULL if there is none.
 * A netns being dismantled is passed over.
 */
static struct net *twctl_table_owner(u64 cookie, bool exact)
{
	const struct inet_hashinfo *shared = init_net.ipv4.tcp_death_row.hashinfo;
	struct net *net, *best;

	rcu_read_lock();
	for (;;) {
		best = NULL;
		for_each_net_rcu(net) {
			u64 c = twctl_net_cookie(net);

			if (net->ipv4.tcp_death_row.hashinfo == shared)
				continue;
			if (exact ? c != cookie : c <= cookie)
				continue;
			if (!best || c < twctl_net_cookie(best))
				best = net;
		}
		if (!best || maybe_get_net(best))
			break;
		if (exact) {
			best = NULL;
			break;
		}
		cookie = twctl_net_cookie(best);
	}
	rcu_read_unlock();
	return best;
}

static int twctl_walk_all(struct twctl_walk *w, twctl_visit_fn visit,
			  void *arg)
{
	struct net *owner;
	int ret;

	for (;;) {
		owner = NULL;
		if (w->table) {
			owner = twctl_table_owner(w->table, true);
			if (!owner) {
				/* The netns went away: so did its entries. */
				w->lost = true;
				goto next;
			}
			w->hashinfo = owner->ipv4.tcp_death_row.hashinfo;
		} else {
			w->hashinfo = init_net.ipv4.tcp_death_row.hashinfo;
		}
		ret = twctl_walk_table(w, visit, arg);
		if (owner)
			put_net(owner);
		if (ret)
			return ret;
next:
		owner = twctl_table_owner(w->table, false);
		if (!owner)
			return 0;
		w->table = twctl_net_cookie(owner);
		put_net(owner);
		w->bucket = 0;
		w->skip = 0;
		w->anchor = 0;
	}
}

/*
 * Walks @w's netns, or with @w->all_netns every netns. Returns 1 when the
 * visitor asked to stop (w holds the resume point), 0 at the end, or a
 * negative errno.
 */
int twctl_walk(struct twctl_walk *w, twctl_visit_fn visit, void *arg)
{
	if (w->all_netns)
		return twctl_walk_all(w, visit, arg);
	return twctl_walk_table(w, visit, arg);
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

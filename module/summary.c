// SPDX-License-Identifier: GPL-2.0
/*
 * TWCTL_CMD_GET_SUMMARY: aggregate the caller's entries (or, with
 * TWCTL_A_ALL_NETNS, every netns's) in the kernel, grouped by local port,
 * remote port, remote address, destination or netns, and stream the groups
 * largest first.
 *
 * Any user may ask for a summary, and the number of groups is the user's to
 * choose (262,144 remote addresses fit in 127/8 of its own netns), so the
 * group table obeys three rules:
 *  - it is charged to the caller's memory cgroup (GFP_KERNEL_ACCOUNT) and
 *    fails rather than OOM-kills when that is full (__GFP_RETRY_MAYFAIL);
 *  - it holds at most TWCTL_SUMMARY_GROUPS_MAX groups; entries of further
 *    groups are left out and every message says so (TWCTL_A_TRUNCATED);
 *  - it lives within one .dumpit call: aggregated, the next groups picked
 *    and serialised, and freed before the call returns. Between calls the
 *    dump keeps a constant-size cursor (the last group sent, in output
 *    order) and a digest of the groups sent, never the table, so a reader
 *    that stops reading pins nothing proportional to the groups.
 * Each call therefore walks the entries again and sends the groups that
 * follow the cursor. If, as counts changed between two calls, a group moved
 * across the cursor (the groups now at or before it are not the ones sent,
 * by a digest of their keys), the dump may repeat or miss a group and is
 * flagged NLM_F_DUMP_INTR. Picking the next groups is a heap of the groups
 * after the cursor, built in O(groups) with cond_resched() and popped only
 * as many times as the message holds.
 */
#include <linux/jhash.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/ip.h>
#include <net/sock.h>

#include "twctl.h"

#define TWCTL_GROUPS_MIN 64
/* Heap steps between two cond_resched() calls. */
#define TWCTL_HEAP_RESCHED 1024

static gfp_t twctl_groups_gfp(void)
{
	/* The caller pays, and a full cgroup fails the dump, not a process. */
	return GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN;
}

int twctl_groups_init(struct twctl_groups *g, u8 by, u16 eph_lo, u16 eph_hi)
{
	memset(g, 0, sizeof(*g));
	g->by = by;
	g->eph_lo = eph_lo;
	g->eph_hi = eph_hi;
	g->size = TWCTL_GROUPS_MIN;
	g->slots = kvcalloc(g->size, sizeof(*g->slots), twctl_groups_gfp());
	return g->slots ? 0 : -ENOMEM;
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_groups_init);

/* Reduce an entry to the key of its group; other fields stay zero. */
static void twctl_group_key(const struct twctl_groups *g,
			    const struct twctl_entry *e, struct twctl_group *key)
{
	memset(key, 0, sizeof(*key));
	switch (g->by) {
	case TWCTL_GROUP_BY_LPORT:
		key->lport = e->lport;
		break;
	case TWCTL_GROUP_BY_RPORT:
		key->rport = e->rport;
		break;
	case TWCTL_GROUP_BY_DEST:
		key->rport = e->rport;
		fallthrough;
	case TWCTL_GROUP_BY_RADDR:
		key->family = e->family;
		key->raddr = e->raddr;
		break;
	case TWCTL_GROUP_BY_NETNS:
		key->netns_ino = e->netns_ino;
		break;
	}
}

static bool twctl_group_same(const struct twctl_group *a,
			     const struct twctl_group *b)
{
	return a->lport == b->lport && a->rport == b->rport &&
	       a->family == b->family && a->netns_ino == b->netns_ino &&
	       ipv6_addr_equal(&a->raddr, &b->raddr);
}

static u32 twctl_group_hash(const struct twctl_group *k)
{
	u32 h = jhash2((__force const u32 *)k->raddr.s6_addr32, 4,
		       k->family ^ k->netns_ino);

	return jhash_2words(k->lport, k->rport, h);
}

static struct twctl_group *twctl_groups_slot(struct twctl_group *slots,
					     unsigned int size,
					     const struct twctl_group *key)
{
	unsigned int i = twctl_group_hash(key) & (size - 1);

	while (slots[i].used && !twctl_group_same(&slots[i], key))
		i = (i + 1) & (size - 1);
	return &slots[i];
}

static int twctl_groups_grow(struct twctl_groups *g)
{
	unsigned int size = g->size * 2, i;
	struct twctl_group *slots;

	slots = kvcalloc(size, sizeof(*slots), twctl_groups_gfp());
	if (!slots)
		return -ENOMEM;
	for (i = 0; i < g->size; i++)
		if (g->slots[i].used)
			*twctl_groups_slot(slots, size, &g->slots[i]) = g->slots[i];
	kvfree(g->slots);
	g->slots = slots;
	g->size = size;
	return 0;
}

/*
 * Counts @e into its group. A new group beyond TWCTL_SUMMARY_GROUPS_MAX is
 * not created: the entry is left out and the table marked truncated.
 * Returns 0 or -ENOMEM.
 */
int twctl_groups_add(struct twctl_groups *g, const struct twctl_entry *e)
{
	struct twctl_group key, *grp;
	int err;

	twctl_group_key(g, e, &key);
	grp = twctl_groups_slot(g->slots, g->size, &key);
	if (!grp->used) {
		if (g->used >= TWCTL_SUMMARY_GROUPS_MAX) {
			g->truncated = true;
			return 0;
		}
		/* Doubles at half load: at most 2 x the cap in slots. */
		if ((g->used + 1) * 2 > g->size) {
			err = twctl_groups_grow(g);
			if (err)
				return err;
			grp = twctl_groups_slot(g->slots, g->size, &key);
		}
		*grp = key;
		grp->used = true;
		grp->min_remaining_ms = U32_MAX;
		g->used++;
	}
	grp->count++;
	grp->max_age_ms = max(grp->max_age_ms, e->age_ms);
	grp->min_remaining_ms = min(grp->min_remaining_ms, e->remaining_ms);
	grp->eligible += e->recycle_eligible;
	if (g->by == TWCTL_GROUP_BY_DEST &&
	    e->lport >= g->eph_lo && e->lport <= g->eph_hi)
		grp->ephemeral++;
	return 0;
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_groups_add);

/* Output order: largest first; equal counts in key order, for stability. */
int twctl_group_cmp(const struct twctl_group *a, const struct twctl_group *b)
{
	int r;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	r = memcmp(&a->raddr, &b->raddr, sizeof(a->raddr));
	if (r)
		return r < 0 ? -1 : 1;
	if (a->rport != b->rport)
		return a->rport < b->rport ? -1 : 1;
	if (a->lport != b->lport)
		return a->lport < b->lport ? -1 : 1;
	if (a->netns_ino != b->netns_ino)
		return a->netns_ino < b->netns_ino ? -1 : 1;
	return 0;
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_group_cmp);

/* A 64-bit hash of a group's key, for the digests below. */
u64 twctl_group_digest(const struct twctl_group *grp)
{
	u32 h = twctl_group_hash(grp);

	return (u64)h << 32 | jhash_1word(h, grp->family);
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_group_digest);

/*
 * The sum of twctl_group_digest() over the groups at or before @upto in
 * output order (all groups if @upto is NULL). A dump adds up the digests of
 * the groups it sent; if, at the next call, the groups at or before the last
 * one sent have the same digest, they are exactly the groups already sent,
 * and resuming after it neither repeats nor misses one.
 */
u64 twctl_groups_digest(const struct twctl_groups *g,
			const struct twctl_group *upto)
{
	unsigned int i;
	u64 d = 0;

	for (i = 0; i < g->size; i++) {
		const struct twctl_group *grp = &g->slots[i];

		if (grp->used && (!upto || twctl_group_cmp(grp, upto) <= 0))
			d += twctl_group_digest(grp);
	}
	return d;
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_groups_digest);

/* Min-heap in output order over g->slots[0..n). */
static void twctl_heap_down(struct twctl_group *h, unsigned int n,
			    unsigned int i)
{
	for (;;) {
		unsigned int l = 2 * i + 1, r = l + 1, m = i;

		if (l < n && twctl_group_cmp(&h[l], &h[m]) < 0)
			m = l;
		if (r < n && twctl_group_cmp(&h[r], &h[m]) < 0)
			m = r;
		if (m == i)
			return;
		swap(h[i], h[m]);
		i = m;
	}
}

/*
 * Packs the groups that come after @after in output order (all of them if
 * @after is NULL) at the front of the table and makes them a heap whose top
 * is the next group to send; the table is no longer a hash table after
 * this. Returns how many there are.
 */
unsigned int twctl_groups_heapify(struct twctl_groups *g,
				  const struct twctl_group *after)
{
	unsigned int i, n = 0;

	for (i = 0; i < g->size; i++) {
		if (!g->slots[i].used)
			continue;
		if (after && twctl_group_cmp(&g->slots[i], after) <= 0)
			continue;
		g->slots[n++] = g->slots[i];
	}
	for (i = n / 2; i-- > 0;) {
		twctl_heap_down(g->slots, n, i);
		if (!(i % TWCTL_HEAP_RESCHED))
			cond_resched();
	}
	return n;
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_groups_heapify);

/* Takes the top of a heap of *@n groups into @out; false if it is empty. */
bool twctl_groups_pop(struct twctl_groups *g, unsigned int *n,
		      struct twctl_group *out)
{
	if (!*n)
		return false;
	*out = g->slots[0];
	g->slots[0] = g->slots[--*n];
	twctl_heap_down(g->slots, *n, 0);
	return true;
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_groups_pop);

/* Sorts every group in output order at the front of the table (tests). */
unsigned int twctl_groups_finish(struct twctl_groups *g)
{
	unsigned int n = twctl_groups_heapify(g, NULL), k = n, i;
	struct twctl_group top;

	/* Heapsort: each popped top goes just past the shrinking heap. */
	while (twctl_groups_pop(g, &k, &top)) {
		g->slots[k] = top;
		if (!(k % TWCTL_HEAP_RESCHED))
			cond_resched();
	}
	for (i = 0; i < n / 2; i++)
		swap(g->slots[i], g->slots[n - 1 - i]);
	return n;
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_groups_finish);

void twctl_groups_free(struct twctl_groups *g)
{
	kvfree(g->slots);
	g->slots = NULL;
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_groups_free);

/* What a summary dump keeps between two calls: constant size. */
struct twctl_summary_state {
	struct twctl_filter filter;
	struct twctl_group cursor;	/* the last group sent */
	u64 sent;			/* sum of the sent groups' digests */
	u32 limit;			/* groups still to send */
	u8 by;
	bool all_netns;			/* TWCTL_A_ALL_NETNS */
	bool started;			/* a group was sent: cursor is valid */
	bool done;
};

struct twctl_summary_ctx {
	struct twctl_summary_state *state;
};

static struct twctl_summary_state **twctl_summary_slot(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct twctl_summary_ctx) > sizeof(cb->ctx));
	return &((struct twctl_summary_ctx *)cb->ctx)->state;
}

struct twctl_summary_arg {
	struct twctl_groups *groups;
	const struct twctl_filter *filter;
	int error;
};

static enum twctl_visit twctl_summary_one(struct sock *sk, struct twctl_entry *e,
					  void *data)
{
	struct twctl_summary_arg *a = data;

	if (!a->filter->selects_all && !twctl_filter_match(a->filter, e))
		return TWCTL_VISIT_NEXT;
	a->error = twctl_groups_add(a->groups, e);
	return a->error ? TWCTL_VISIT_STOP : TWCTL_VISIT_NEXT;
}

/*
 * Aggregates the entries of @walk's netns that @filter selects into @g,
 * which twctl_groups_init() prepared. Returns 0 or a negative errno, never
 * the walker's "stopped" value.
 */
int twctl_summary_aggregate(struct twctl_walk *walk,
			    const struct twctl_filter *filter,
			    struct twctl_groups *g)
{
	struct twctl_summary_arg a = { .groups = g, .filter = filter };
	int ret;

	/* No filter at all: nothing is copied under the bucket lock. */
	walk->filter = filter->selects_all ? NULL : filter;
	ret = twctl_walk(walk, twctl_summary_one, &a);
	if (ret < 0)
		return ret;
	if (a.error)
		return a.error;
	/* The visitor stops only on an error, so 1 cannot get here. */
	return WARN_ON_ONCE(ret) ? -EIO : 0;
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_summary_aggregate);

int twctl_summary_start(struct netlink_callback *cb)
{
	struct nlattr **attrs = twctl_dump_attrs(cb);
	struct twctl_summary_state *st;
	int err;

	if (!attrs[TWCTL_A_GROUP_BY]) {
		NL_SET_ERR_MSG(cb->extack, "a summary needs TWCTL_A_GROUP_BY");
		return -EINVAL;
	}
	st = kzalloc(sizeof(*st), GFP_KERNEL_ACCOUNT);
	if (!st)
		return -ENOMEM;
	err = twctl_filter_parse(&st->filter, attrs[TWCTL_A_FILTER], cb->extack);
	if (err) {
		kfree(st);
		return err;
	}
	st->by = nla_get_u8(attrs[TWCTL_A_GROUP_BY]);
	st->all_netns = nla_get_flag(attrs[TWCTL_A_ALL_NETNS]);
	if (st->all_netns) {
		err = twctl_all_netns_allowed(cb->skb, attrs[TWCTL_A_ALL_NETNS],
					      cb->extack);
		if (err) {
			kfree(st);
			return err;
		}
	}
	st->limit = attrs[TWCTL_A_LIMIT] ? nla_get_u32(attrs[TWCTL_A_LIMIT]) :
					   U32_MAX;
	*twctl_summary_slot(cb) = st;
	twctl_stat_add(TWCTL_STAT_SUMMARIES, 1);
	return 0;
}

static int twctl_group_put(struct sk_buff *skb, const struct twctl_groups *g,
			   const struct twctl_group *grp)
{
	struct nlattr *nest = nla_nest_start(skb, TWCTL_A_GROUP);
	bool by_addr = g->by == TWCTL_GROUP_BY_RADDR ||
		       g->by == TWCTL_GROUP_BY_DEST;
	int err = 0;

	if (!nest)
		return -EMSGSIZE;
	if (g->by == TWCTL_GROUP_BY_LPORT)
		err = nla_put_u16(skb, TWCTL_GROUP_A_LPORT, grp->lport);
	if (g->by == TWCTL_GROUP_BY_NETNS)
		err = nla_put_u32(skb, TWCTL_GROUP_A_NETNS, grp->netns_ino);
	if (!err && (g->by == TWCTL_GROUP_BY_RPORT ||
		     g->by == TWCTL_GROUP_BY_DEST))
		err = nla_put_u16(skb, TWCTL_GROUP_A_RPORT, grp->rport);
	if (!err && by_addr) {
		err = nla_put_u8(skb, TWCTL_GROUP_A_FAMILY, grp->family);
		if (!err && grp->family == AF_INET)
			err = nla_put_in_addr(skb, TWCTL_GROUP_A_RADDR,
					      grp->raddr.s6_addr32[3]);
		else if (!err)
			err = nla_put_in6_addr(skb, TWCTL_GROUP_A_RADDR,
					       &grp->raddr);
	}
	if (!err && g->by == TWCTL_GROUP_BY_DEST)
		err = nla_put_u32(skb, TWCTL_GROUP_A_EPHEMERAL, grp->ephemeral) ||
		      nla_put_u32(skb, TWCTL_GROUP_A_EPHEMERAL_RANGE,
				  g->eph_hi >= g->eph_lo ?
				  g->eph_hi - g->eph_lo + 1 : 0);
	if (!err)
		err = nla_put_u32(skb, TWCTL_GROUP_A_COUNT, grp->count) ||
		      nla_put_u32(skb, TWCTL_GROUP_A_MAX_AGE_MS, grp->max_age_ms) ||
		      nla_put_u32(skb, TWCTL_GROUP_A_MIN_REMAINING_MS,
				  grp->min_remaining_ms) ||
		      nla_put_u32(skb, TWCTL_GROUP_A_RECYCLE_ELIGIBLE,
				  grp->eligible);
	if (err) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* One message per group; false when @skb is full. */
static bool twctl_summary_put(struct sk_buff *skb, struct netlink_callback *cb,
			      const struct twctl_groups *g,
			      const struct twctl_group *grp)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &twctl_genl_family, NLM_F_MULTI,
			  TWCTL_CMD_GET_SUMMARY);
	if (!hdr)
		return false;
	genl_dump_check_consistent(cb, hdr);
	if (twctl_group_put(skb, g, grp) ||
	    (g->truncated && nla_put_flag(skb, TWCTL_A_TRUNCATED))) {
		genlmsg_cancel(skb, hdr);
		return false;
	}
	genlmsg_end(skb, hdr);
	return true;
}

int twctl_summary_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct twctl_summary_state *st = *twctl_summary_slot(cb);
	struct net *net = sock_net(cb->skb->sk);
	struct twctl_walk walk = { .net = net, .all_netns = st->all_netns };
	struct twctl_groups g;
	struct twctl_group grp;
	unsigned int n, sent = 0;
	int lo, hi, err;

	if (st->done)
		return 0;
	twctl_local_port_range(net, &lo, &hi);
	err = twctl_groups_init(&g, st->by, lo, hi);
	if (err)
		return err;
	err = twctl_summary_aggregate(&walk, &st->filter, &g);
	if (err)
		goto out;

	/*
	 * Resuming after the cursor is exact if the groups that now sort at
	 * or before it are the ones sent; if not (a group crossed it as
	 * counts changed), the dump may repeat or miss groups: say so.
	 */
	if (!cb->seq)
		cb->seq = 1;
	if (st->started && twctl_groups_digest(&g, &st->cursor) != st->sent &&
	    cb->seq == 1)
		cb->seq = 2;

	n = twctl_groups_heapify(&g, st->started ? &st->cursor : NULL);
	while (st->limit && n) {
		grp = g.slots[0];
		if (!twctl_summary_put(skb, cb, &g, &grp))
			break;
		twctl_groups_pop(&g, &n, &grp);
		st->cursor = grp;
		st->sent += twctl_group_digest(&grp);
		st->started = true;
		st->limit--;
		sent++;
	}
	if (!st->limit || !n) {
		st->done = true;
		err = skb->len;
	} else {
		/* One group alone does not fit: cannot happen, but do not spin. */
		err = sent ? skb->len : -EMSGSIZE;
	}
out:
	twctl_groups_free(&g);
	return err;
}

int twctl_summary_done(struct netlink_callback *cb)
{
	kfree(*twctl_summary_slot(cb));
	return 0;
}

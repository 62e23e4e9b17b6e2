// SPDX-License-Identifier: GPL-2.0
/*
 * TWCTL_CMD_GET_SUMMARY: aggregate the caller's entries in the kernel,
 * grouped by local port, remote port, remote address or destination, then
 * stream the groups largest first. The whole walk happens in .start; the
 * groups live in an open-addressing table that doubles at half load, so
 * memory is proportional to the number of groups, never to the entries.
 */
#include <linux/jhash.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <net/genetlink.h>
#include <net/ip.h>
#include <net/sock.h>

#include "twctl.h"

#define TWCTL_GROUPS_MIN 64

int twctl_groups_init(struct twctl_groups *g, u8 by, u16 eph_lo, u16 eph_hi)
{
	memset(g, 0, sizeof(*g));
	g->by = by;
	g->eph_lo = eph_lo;
	g->eph_hi = eph_hi;
	g->size = TWCTL_GROUPS_MIN;
	g->slots = kvcalloc(g->size, sizeof(*g->slots), GFP_KERNEL);
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
	}
}

static bool twctl_group_same(const struct twctl_group *a,
			     const struct twctl_group *b)
{
	return a->lport == b->lport && a->rport == b->rport &&
	       a->family == b->family && ipv6_addr_equal(&a->raddr, &b->raddr);
}

static u32 twctl_group_hash(const struct twctl_group *k)
{
	u32 h = jhash2((__force const u32 *)k->raddr.s6_addr32, 4, k->family);

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

	slots = kvcalloc(size, sizeof(*slots), GFP_KERNEL);
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

int twctl_groups_add(struct twctl_groups *g, const struct twctl_entry *e)
{
	struct twctl_group key, *grp;
	int err;

	if ((g->used + 1) * 2 > g->size) {
		err = twctl_groups_grow(g);
		if (err)
			return err;
	}
	twctl_group_key(g, e, &key);
	grp = twctl_groups_slot(g->slots, g->size, &key);
	if (!grp->used) {
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

/* Largest first; equal counts in key order so the output is stable. */
static int twctl_group_cmp(const void *pa, const void *pb)
{
	const struct twctl_group *a = pa, *b = pb;
	int r;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	r = memcmp(&a->raddr, &b->raddr, sizeof(a->raddr));
	if (r)
		return r;
	if (a->rport != b->rport)
		return a->rport < b->rport ? -1 : 1;
	if (a->lport != b->lport)
		return a->lport < b->lport ? -1 : 1;
	return 0;
}

/* Packs the groups at the front of the table, sorted; returns how many. */
unsigned int twctl_groups_finish(struct twctl_groups *g)
{
	unsigned int i, n = 0;

	for (i = 0; i < g->size; i++)
		if (g->slots[i].used)
			g->slots[n++] = g->slots[i];
	sort(g->slots, n, sizeof(*g->slots), twctl_group_cmp, NULL);
	return n;
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_groups_finish);

void twctl_groups_free(struct twctl_groups *g)
{
	kvfree(g->slots);
	g->slots = NULL;
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_groups_free);

struct twctl_summary_state {
	struct twctl_groups groups;
	struct twctl_filter filter;
	unsigned int n;		/* groups to emit */
	unsigned int next;	/* next group to emit */
	int error;
};

struct twctl_summary_ctx {
	struct twctl_summary_state *state;
};

static struct twctl_summary_state **twctl_summary_slot(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct twctl_summary_ctx) > sizeof(cb->ctx));
	return &((struct twctl_summary_ctx *)cb->ctx)->state;
}

static enum twctl_visit twctl_summary_one(struct sock *sk, struct twctl_entry *e,
					  void *data)
{
	struct twctl_summary_state *st = data;

	if (!twctl_filter_match(&st->filter, e))
		return TWCTL_VISIT_NEXT;
	st->error = twctl_groups_add(&st->groups, e);
	return st->error ? TWCTL_VISIT_STOP : TWCTL_VISIT_NEXT;
}

int twctl_summary_start(struct netlink_callback *cb)
{
	struct nlattr **attrs = twctl_dump_attrs(cb);
	struct net *net = sock_net(cb->skb->sk);
	struct twctl_summary_state *st;
	struct twctl_walk walk = { .net = net };
	int lo, hi, err;
	u32 limit;

	if (!attrs[TWCTL_A_GROUP_BY]) {
		NL_SET_ERR_MSG(cb->extack, "a summary needs TWCTL_A_GROUP_BY");
		return -EINVAL;
	}
	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	err = twctl_filter_parse(&st->filter, attrs[TWCTL_A_FILTER], cb->extack);
	if (err)
		goto fail;
	twctl_local_port_range(net, &lo, &hi);
	err = twctl_groups_init(&st->groups, nla_get_u8(attrs[TWCTL_A_GROUP_BY]),
				lo, hi);
	if (err)
		goto fail;

	walk.filter = &st->filter;
	err = twctl_walk(&walk, twctl_summary_one, st);
	if (!err)
		err = st->error;
	if (err) {
		twctl_groups_free(&st->groups);
		goto fail;
	}
	st->n = twctl_groups_finish(&st->groups);
	limit = attrs[TWCTL_A_LIMIT] ? nla_get_u32(attrs[TWCTL_A_LIMIT]) :
				       U32_MAX;
	st->n = min(st->n, limit);
	*twctl_summary_slot(cb) = st;
	twctl_stat_add(TWCTL_STAT_SUMMARIES, 1);
	return 0;
fail:
	kfree(st);
	return err;
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

int twctl_summary_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct twctl_summary_state *st = *twctl_summary_slot(cb);
	unsigned int start = st->next;
	void *hdr;

	for (; st->next < st->n; st->next++) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &twctl_genl_family,
				  NLM_F_MULTI, TWCTL_CMD_GET_SUMMARY);
		if (!hdr)
			break;
		if (twctl_group_put(skb, &st->groups, &st->groups.slots[st->next])) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	if (st->next < st->n && st->next == start)
		return -EMSGSIZE;
	return skb->len;
}

int twctl_summary_done(struct netlink_callback *cb)
{
	struct twctl_summary_state *st = *twctl_summary_slot(cb);

	if (st) {
		twctl_groups_free(&st->groups);
		kfree(st);
	}
	return 0;
}

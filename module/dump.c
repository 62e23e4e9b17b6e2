// SPDX-License-Identifier: GPL-2.0
/*
 * TWCTL_CMD_GET_ENTRIES: a resumable dump of the caller's netns entries, or
 * of every netns's (TWCTL_A_ALL_NETNS). The filter is parsed once in
 * .start; each .dumpit call fills one buffer with as many entries as fit,
 * each a message of a fixed struct plus the extras asked for, and continues
 * the walk where the previous buffer filled up.
 */
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "twctl.h"

struct twctl_entries_state {
	struct twctl_filter filter;
	struct twctl_walk walk;
	u32 limit;		/* entries still to emit */
	u32 ext;		/* TWCTL_ENTRY_EXT_*, as the reader may see */
	bool done;
};

/* The per-dump state lives behind a pointer kept in cb->ctx. */
struct twctl_entries_ctx {
	struct twctl_entries_state *state;
};

static struct twctl_entries_state **twctl_entries_slot(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct twctl_entries_ctx) > sizeof(cb->ctx));
	return &((struct twctl_entries_ctx *)cb->ctx)->state;
}

/*
 * The extras a reader gets of those it asked for. inet_diag shows the mark
 * to CAP_NET_ADMIN callers only and sequence numbers and timestamps to
 * nobody; we show all of them (TWCTL_ENTRY_EXT_SECRETS) to CAP_NET_ADMIN
 * callers only, and leave them out silently for others, as inet_diag does
 * the mark. All-netns callers have CAP_NET_ADMIN over every netns.
 */
u32 twctl_entries_ext(u32 requested, bool net_admin)
{
	return net_admin ? requested : requested & ~TWCTL_ENTRY_EXT_SECRETS;
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_entries_ext);

int twctl_entries_start(struct netlink_callback *cb)
{
	struct nlattr **attrs = twctl_dump_attrs(cb);
	struct net *net = sock_net(cb->skb->sk);
	struct twctl_entries_state *st;
	u32 ext;
	int err;

	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	err = twctl_filter_parse(&st->filter, attrs[TWCTL_A_FILTER], cb->extack);
	if (err) {
		kfree(st);
		return err;
	}
	st->limit = attrs[TWCTL_A_LIMIT] ? nla_get_u32(attrs[TWCTL_A_LIMIT]) :
					   U32_MAX;
	ext = attrs[TWCTL_A_ENTRY_EXT] ? nla_get_u32(attrs[TWCTL_A_ENTRY_EXT]) : 0;
	st->walk.net = net;
	/* No filter at all: nothing is copied under the bucket lock. */
	st->walk.filter = st->filter.selects_all ? NULL : &st->filter;
	st->walk.all_netns = nla_get_flag(attrs[TWCTL_A_ALL_NETNS]);
	if (st->walk.all_netns) {
		err = twctl_all_netns_allowed(cb->skb, attrs[TWCTL_A_ALL_NETNS],
					      cb->extack);
		if (err) {
			kfree(st);
			return err;
		}
		st->ext = twctl_entries_ext(ext, true);
	} else {
		st->ext = twctl_entries_ext(ext,
					    sk_ns_capable(NETLINK_CB(cb->skb).sk,
							  net->user_ns,
							  CAP_NET_ADMIN));
	}
	*twctl_entries_slot(cb) = st;
	twctl_stat_add(TWCTL_STAT_DUMPS, 1);
	return 0;
}

struct twctl_fill_arg {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	struct twctl_entries_state *st;
	u32 emitted;
};

static enum twctl_visit twctl_entries_one(struct sock *sk, struct twctl_entry *e,
					  void *data)
{
	struct twctl_fill_arg *a = data;
	struct twctl_entries_state *st = a->st;
	void *hdr;

	if (st->walk.filter && !twctl_filter_match(&st->filter, e))
		return TWCTL_VISIT_NEXT;
	if (!st->limit) {
		st->done = true;
		return TWCTL_VISIT_STOP;
	}

	/*
	 * A resume that did not find its anchor may have skipped or repeated
	 * entries: flag this and every later message NLM_F_DUMP_INTR.
	 */
	if (st->walk.lost && a->cb->seq == 1)
		a->cb->seq = 2;
	hdr = genlmsg_put(a->skb, NETLINK_CB(a->cb->skb).portid,
			  a->cb->nlh->nlmsg_seq, &twctl_genl_family,
			  NLM_F_MULTI, TWCTL_CMD_GET_ENTRIES);
	if (!hdr)
		return TWCTL_VISIT_STOP;
	genl_dump_check_consistent(a->cb, hdr);
	if (twctl_entry_put(a->skb, e, st->ext)) {
		genlmsg_cancel(a->skb, hdr);
		return TWCTL_VISIT_STOP;
	}
	genlmsg_end(a->skb, hdr);
	st->limit--;
	a->emitted++;
	return TWCTL_VISIT_NEXT;
}

int twctl_entries_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct twctl_entries_state *st = *twctl_entries_slot(cb);
	struct twctl_fill_arg arg = { .skb = skb, .cb = cb, .st = st };
	int ret;

	if (st->done)
		return 0;
	/*
	 * The walk resumes right after the last entry it emitted (see
	 * walk.c), which is exact while that entry exists. If it vanished
	 * between two calls, the walk says so (walk.lost) and the dump is
	 * flagged interrupted (NLM_F_DUMP_INTR) for the tool to retry.
	 */
	if (!cb->seq)
		cb->seq = 1;

	ret = twctl_walk(&st->walk, twctl_entries_one, &arg);
	if (st->walk.lost && cb->seq == 1)
		cb->seq = 2;	/* flags the final NLMSG_DONE at least */
	twctl_stat_add(TWCTL_STAT_DUMPED, arg.emitted);
	if (ret < 0)
		return ret;
	if (ret == 0 || st->done) {
		st->done = true;
		/* Whatever this call emitted is the last; an empty skb ends. */
		return skb->len;
	}
	if (!arg.emitted)
		return -EMSGSIZE;	/* one entry alone does not fit */
	return skb->len;
}

int twctl_entries_done(struct netlink_callback *cb)
{
	kfree(*twctl_entries_slot(cb));
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/twctl/: a read-only view for humans debugging a stack,
 * across all network namespaces. Files are 0400 (root only) and nothing in
 * here can be written, so it stays usable under lockdown. Tools use netlink.
 * Documentation/debugfs.md describes the formats.
 *
 * Each distinct table is walked once, not once per netns: first the
 * host-wide established hash, which holds the entries of every netns
 * without a table of its own, then each netns's own table
 * (net.ipv4.tcp_child_ehash_entries), found by a scan of the netns list
 * under RCU that compares one pointer per netns. No namespace lock is held.
 *
 * "entries" is a seq_file iterator with a cursor, so that a large table is
 * printed a buffer at a time and never re-walked: the cursor is (table,
 * bucket, cookie of the last entry passed, entries of the bucket passed).
 * Under the bucket lock a batch of at most TWCTL_DBG_BATCH entries is
 * referenced, together with its netns; the lock is dropped before any
 * entry is printed, and the references are dropped in ->stop(), before
 * seq_read() copies the buffer to user space. A read resumes after the
 * cursor's cookie, so entries that come or go between reads neither
 * repeat nor shift the listing; only when that entry itself is gone is the
 * count of passed entries used (as in walk.c).
 *
 * "ports" is an aggregation: it walks the tables once at open, with the
 * same batches, and its ->show() prints one group per call.
 */
#include <linux/debugfs.h>
#include <linux/rculist.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sock_diag.h>
#include <linux/sort.h>
#include <net/inet_hashtables.h>
#include <net/inet_timewait_sock.h>
#include <net/net_namespace.h>
#include <net/tcp.h>

#include "twctl.h"

#define TWCTL_DBG_BATCH 16

static struct dentry *twctl_debugfs_dir;

static const char * const twctl_recycle_names[] = {
	[TWCTL_RECYCLE_ELIGIBLE] = "eligible",
	[TWCTL_RECYCLE_NO_TIMESTAMPS] = "no-timestamps",
	[TWCTL_RECYCLE_TOO_YOUNG] = "too-young",
	[TWCTL_RECYCLE_FIN_WAIT2] = "fin-wait2",
};

static const char * const twctl_reuse_names[] = {
	[TWCTL_REUSE_ELIGIBLE] = "eligible",
	[TWCTL_REUSE_DISABLED] = "disabled",
	[TWCTL_REUSE_NOT_LOOPBACK] = "not-loopback",
	[TWCTL_REUSE_NO_TIMESTAMPS] = "no-timestamps",
	[TWCTL_REUSE_TOO_RECENT] = "too-recent",
	[TWCTL_REUSE_FIN_WAIT2] = "fin-wait2",
};

/* Where a walk of every table stands. */
struct twctl_dbg_cursor {
	u64 net_cookie;		/* 0: the shared table; else that netns's */
	bool done;
	unsigned int bucket;
	u64 anchor;		/* cookie of the last entry passed, 0: none */
	unsigned int skip;	/* entries of the bucket passed */
	/* The current batch: referenced entries and their netns. */
	struct sock *batch[TWCTL_DBG_BATCH];
	struct net *nets[TWCTL_DBG_BATCH];
	unsigned int n, i;
};

static struct inet_hashinfo *twctl_dbg_shared(void)
{
	return init_net.ipv4.tcp_death_row.hashinfo;
}

/*
 * The netns with a table of its own and the smallest cookie above @after,
 * referenced; NULL if none.
 */
static struct net *twctl_dbg_next_private(u64 after)
{
	struct inet_hashinfo *shared = twctl_dbg_shared();
	struct net *net, *best = NULL;

	rcu_read_lock();
	for_each_net_rcu(net) {
		if (net->ipv4.tcp_death_row.hashinfo == shared ||
		    twctl_net_cookie(net) <= after)
			continue;
		if (!best || twctl_net_cookie(net) < twctl_net_cookie(best))
			best = net;
	}
	if (best && !maybe_get_net(best))
		best = NULL;	/* dying: its entries are being purged */
	rcu_read_unlock();
	return best;
}

static void twctl_dbg_reset(struct twctl_dbg_cursor *c)
{
	memset(c, 0, sizeof(*c));
}

static void twctl_dbg_release(struct twctl_dbg_cursor *c)
{
	for (; c->i < c->n; c->i++) {
		sock_gen_put(c->batch[c->i]);
		put_net(c->nets[c->i]);
	}
	c->n = 0;
	c->i = 0;
}

/* Under the bucket lock: the next entry after the cursor's anchor. */
static struct sock *twctl_dbg_resume(struct twctl_dbg_cursor *c,
				     struct inet_ehash_bucket *head,
				     unsigned int *pos)
{
	struct hlist_nulls_node *node;
	unsigned int seen = 0;
	struct sock *sk;

	if (!c->anchor)
		return NULL;
	sk_nulls_for_each(sk, node, &head->chain) {
		if (sk->sk_state != TCP_TIME_WAIT)
			continue;
		seen++;
		if (atomic64_read(&sk->sk_cookie) == c->anchor) {
			*pos = seen;
			return sk;
		}
	}
	return NULL;
}

/* Fills the batch from bucket c->bucket of @h; false if it had no more. */
static bool twctl_dbg_fill_bucket(struct twctl_dbg_cursor *c,
				  struct inet_hashinfo *h)
{
	struct inet_ehash_bucket *head = &h->ehash[c->bucket];
	spinlock_t *lock = inet_ehash_lockp(h, c->bucket);
	struct hlist_nulls_node *node;
	unsigned int seen = 0, skip = c->skip;
	struct sock *sk;

	if (hlist_nulls_empty(&head->chain))
		return false;
	spin_lock_bh(lock);
	if (twctl_dbg_resume(c, head, &skip))
		c->skip = skip;
	sk_nulls_for_each(sk, node, &head->chain) {
		struct net *net;

		if (sk->sk_state != TCP_TIME_WAIT)
			continue;
		if (seen++ < skip)
			continue;
		net = sock_net(sk);
		if (!refcount_inc_not_zero(&sk->sk_refcnt))
			continue;	/* being born or dying */
		/* The entry does not pin its netns; the walk must. */
		if (!maybe_get_net(net)) {
			sock_gen_put(sk);
			continue;
		}
		c->batch[c->n] = sk;
		c->nets[c->n] = net;
		if (++c->n == TWCTL_DBG_BATCH)
			break;
	}
	spin_unlock_bh(lock);
	return c->n;
}

/*
 * The current entry, a new batch fetched if the last one is used up; NULL
 * at the end of every table.
 */
static struct sock *twctl_dbg_current(struct twctl_dbg_cursor *c)
{
	while (c->i == c->n && !c->done) {
		struct inet_hashinfo *h = twctl_dbg_shared();
		struct net *net = NULL;

		c->n = 0;
		c->i = 0;
		if (c->net_cookie) {
			net = twctl_dbg_next_private(c->net_cookie - 1);
			if (!net || twctl_net_cookie(net) != c->net_cookie) {
				/* That netns went away: on to the next one. */
				if (net)
					put_net(net);
				net = twctl_dbg_next_private(c->net_cookie);
				c->bucket = 0;
				c->anchor = 0;
				c->skip = 0;
				if (!net) {
					c->done = true;
					break;
				}
				c->net_cookie = twctl_net_cookie(net);
			}
			h = net->ipv4.tcp_death_row.hashinfo;
		}
		for (; c->bucket <= h->ehash_mask;
		     c->bucket++, c->anchor = 0, c->skip = 0) {
			if (twctl_dbg_fill_bucket(c, h))
				break;
			if (!(c->bucket % 1024))
				cond_resched();
		}
		if (!c->n) {
			/* This table is done: the next netns's own. */
			struct net *next;

			next = twctl_dbg_next_private(c->net_cookie);
			c->bucket = 0;
			c->anchor = 0;
			c->skip = 0;
			if (next) {
				c->net_cookie = twctl_net_cookie(next);
				put_net(next);
			} else {
				c->done = true;
			}
		}
		if (net)
			put_net(net);
	}
	return c->i < c->n ? c->batch[c->i] : NULL;
}

/* Moves past the current entry. */
static void twctl_dbg_pass(struct twctl_dbg_cursor *c)
{
	struct sock *sk = c->batch[c->i];
	u32 cookie[2];

	sock_diag_save_cookie(sk, cookie);
	c->anchor = (u64)cookie[1] << 32 | cookie[0];
	c->skip++;
	sock_gen_put(sk);
	put_net(c->nets[c->i]);
	c->i++;
}

/* --- entries ---------------------------------------------------------- */

struct twctl_dbg_entries {
	struct twctl_dbg_cursor c;
	loff_t next_pos;	/* the position the cursor stands at */
	struct twctl_entry e;
};

static void *twctl_dbg_entries_start(struct seq_file *m, loff_t *pos)
{
	struct twctl_dbg_entries *it = m->private;

	if (!*pos) {
		twctl_dbg_reset(&it->c);
		it->next_pos = 1;
		return SEQ_START_TOKEN;
	}
	if (*pos != it->next_pos) {
		/* A seek: walk there from the start. */
		twctl_dbg_reset(&it->c);
		for (it->next_pos = 1; it->next_pos < *pos; it->next_pos++) {
			if (!twctl_dbg_current(&it->c))
				return NULL;
			twctl_dbg_pass(&it->c);
		}
	}
	return twctl_dbg_current(&it->c);
}

static void *twctl_dbg_entries_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct twctl_dbg_entries *it = m->private;

	++*pos;
	if (v != SEQ_START_TOKEN)
		twctl_dbg_pass(&it->c);
	it->next_pos = *pos;
	return twctl_dbg_current(&it->c);
}

static void twctl_dbg_entries_stop(struct seq_file *m, void *v)
{
	struct twctl_dbg_entries *it = m->private;

	/* Before seq_read() copies the buffer out: no reference outlives it. */
	twctl_dbg_release(&it->c);
}

static void twctl_seq_addr(struct seq_file *m, const struct twctl_entry *e,
			   const struct in6_addr *a, u16 port)
{
	if (e->family == AF_INET)
		seq_printf(m, " %pI4:%u", &a->s6_addr32[3], port);
	else
		seq_printf(m, " [%pI6c]:%u", a, port);
}

static int twctl_dbg_entries_show(struct seq_file *m, void *v)
{
	struct twctl_dbg_entries *it = m->private;
	struct twctl_entry *e = &it->e;

	if (v == SEQ_START_TOKEN) {
		seq_puts(m, "# netns state local remote remaining_ms cookie timestamps age_ms rto_ms recycle reuse   (~ = not captured)\n");
		return 0;
	}
	twctl_entry_fill(e, v);
	seq_printf(m, "%u %s", e->netns_ino,
		   e->state == TWCTL_STATE_TIME_WAIT ? "TIME_WAIT" : "FIN_WAIT2");
	twctl_seq_addr(m, e, &e->laddr, e->lport);
	twctl_seq_addr(m, e, &e->raddr, e->rport);
	seq_printf(m, " %u %llu %u %u%s %u%s %s %s\n", e->remaining_ms,
		   e->cookie, e->timestamps, e->age_ms,
		   e->age_source == TWCTL_AGE_SOURCE_TIMER ? "~" : "",
		   e->rto_ms,
		   e->rto_source == TWCTL_RTO_SOURCE_CAPTURED ? "" : "~",
		   twctl_recycle_names[e->recycle_reason],
		   twctl_reuse_names[e->reuse_reason]);
	return 0;
}

static const struct seq_operations twctl_dbg_entries_sops = {
	.start = twctl_dbg_entries_start,
	.next = twctl_dbg_entries_next,
	.stop = twctl_dbg_entries_stop,
	.show = twctl_dbg_entries_show,
};

static int twctl_dbg_entries_open(struct inode *inode, struct file *file)
{
	return seq_open_private(file, &twctl_dbg_entries_sops,
				sizeof(struct twctl_dbg_entries));
}

static const struct file_operations twctl_dbg_entries_fops = {
	.owner = THIS_MODULE,
	.open = twctl_dbg_entries_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = seq_release_private,
};

/* --- ports ------------------------------------------------------------ */

struct twctl_port_group {
	u32 netns;
	u16 lport;
	u32 count;
	u32 eligible;
};

struct twctl_dbg_ports {
	struct twctl_port_group *groups;
	size_t n;
	int err;
};

/* One key per entry: netns, port, and whether recycling would take it. */
static u64 twctl_port_key(const struct twctl_entry *e)
{
	return (u64)e->netns_ino << 17 | (u64)e->lport << 1 |
	       e->recycle_eligible;
}

static int twctl_u64_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Walks every table once and groups the entries by (netns, lport). */
static int twctl_dbg_ports_collect(struct twctl_dbg_ports *p)
{
	struct twctl_dbg_cursor *c;
	struct twctl_entry *e;
	size_t n = 0, size = 1024, i, g;
	u64 *keys, *bigger;
	struct sock *sk;
	int err = 0;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	e = kmalloc(sizeof(*e), GFP_KERNEL);
	keys = kvmalloc_array(size, sizeof(*keys), GFP_KERNEL);
	if (!c || !e || !keys) {
		err = -ENOMEM;
		goto out;
	}
	while ((sk = twctl_dbg_current(c))) {
		if (n == size) {
			bigger = kvmalloc_array(size * 2, sizeof(*keys),
						GFP_KERNEL);
			if (!bigger) {
				err = -ENOMEM;
				break;
			}
			memcpy(bigger, keys, n * sizeof(*keys));
			kvfree(keys);
			keys = bigger;
			size *= 2;
		}
		twctl_entry_fill(e, sk);
		keys[n++] = twctl_port_key(e);
		twctl_dbg_pass(c);
	}
	twctl_dbg_release(c);
	sort(keys, n, sizeof(*keys), twctl_u64_cmp, NULL);

	/* Groups are at most as many as keys; the keys array is freed. */
	p->groups = kvmalloc_array(max_t(size_t, n, 1), sizeof(*p->groups),
				   GFP_KERNEL);
	if (!p->groups) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0, g = 0; i < n; i++) {
		u64 group = keys[i] >> 1;

		if (!i || group != keys[i - 1] >> 1) {
			p->groups[g].netns = group >> 16;
			p->groups[g].lport = group & 0xffff;
			p->groups[g].count = 0;
			p->groups[g].eligible = 0;
			g++;
		}
		p->groups[g - 1].count++;
		p->groups[g - 1].eligible += keys[i] & 1;
	}
	p->n = g;
out:
	kvfree(keys);
	kfree(e);
	kfree(c);
	return err;
}

static void *twctl_dbg_ports_start(struct seq_file *m, loff_t *pos)
{
	struct twctl_dbg_ports *p = m->private;

	if (!*pos)
		return SEQ_START_TOKEN;
	/* The error, if any, is the last line. */
	if (*pos - 1 < p->n + !!p->err)
		return &p->groups[*pos - 1];
	return NULL;
}

static void *twctl_dbg_ports_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return twctl_dbg_ports_start(m, pos);
}

static void twctl_dbg_ports_stop(struct seq_file *m, void *v)
{
}

static int twctl_dbg_ports_show(struct seq_file *m, void *v)
{
	struct twctl_dbg_ports *p = m->private;
	const struct twctl_port_group *g = v;

	if (v == SEQ_START_TOKEN) {
		seq_puts(m, "# netns lport count recycle_eligible\n");
		return 0;
	}
	if (g == &p->groups[p->n]) {
		seq_printf(m, "error %d (incomplete)\n", p->err);
		return 0;
	}
	seq_printf(m, "%u %u %u %u\n", g->netns, g->lport, g->count,
		   g->eligible);
	return 0;
}

static const struct seq_operations twctl_dbg_ports_sops = {
	.start = twctl_dbg_ports_start,
	.next = twctl_dbg_ports_next,
	.stop = twctl_dbg_ports_stop,
	.show = twctl_dbg_ports_show,
};

static int twctl_dbg_ports_open(struct inode *inode, struct file *file)
{
	struct twctl_dbg_ports *p;

	p = __seq_open_private(file, &twctl_dbg_ports_sops, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->err = twctl_dbg_ports_collect(p);
	if (!p->groups) {
		seq_release_private(inode, file);
		return p->err ?: -ENOMEM;
	}
	return 0;
}

static int twctl_dbg_ports_release(struct inode *inode, struct file *file)
{
	struct twctl_dbg_ports *p = ((struct seq_file *)file->private_data)->private;

	kvfree(p->groups);
	return seq_release_private(inode, file);
}

static const struct file_operations twctl_dbg_ports_fops = {
	.owner = THIS_MODULE,
	.open = twctl_dbg_ports_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = twctl_dbg_ports_release,
};

/* --- stats ------------------------------------------------------------ */

static int twctl_stats_file_show(struct seq_file *m, void *v)
{
	twctl_stats_show(m);
	twctl_capture_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(twctl_stats_file);

int twctl_debugfs_init(void)
{
	twctl_debugfs_dir = debugfs_create_dir("twctl", NULL);
	debugfs_create_file("entries", 0400, twctl_debugfs_dir, NULL,
			    &twctl_dbg_entries_fops);
	debugfs_create_file("ports", 0400, twctl_debugfs_dir, NULL,
			    &twctl_dbg_ports_fops);
	debugfs_create_file("stats", 0400, twctl_debugfs_dir, NULL,
			    &twctl_stats_file_fops);
	return 0;
}

void twctl_debugfs_exit(void)
{
	debugfs_remove_recursive(twctl_debugfs_dir);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/twctl/: a read-only view for humans debugging a stack,
 * across all network namespaces. Files are 0400 (root only) and nothing in
 * here can be written, so it stays usable under lockdown. Tools use netlink.
 */
#include <linux/debugfs.h>
#include <linux/rtnetlink.h>
#include <linux/rwsem.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>

#include "twctl.h"

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

typedef void (*twctl_per_net_fn)(struct seq_file *m, struct net *net);

/* Runs @fn for every live network namespace. */
static void twctl_show_per_net(struct seq_file *m, twctl_per_net_fn fn)
{
	struct net *net;

	down_read(&net_rwsem);
	for_each_net(net) {
		if (!maybe_get_net(net))
			continue;
		fn(m, net);
		put_net(net);
	}
	up_read(&net_rwsem);
}

static void twctl_seq_addr(struct seq_file *m, const struct twctl_entry *e,
			   const struct in6_addr *a, u16 port)
{
	if (e->family == AF_INET)
		seq_printf(m, " %pI4:%u", &a->s6_addr32[3], port);
	else
		seq_printf(m, " [%pI6c]:%u", a, port);
}

static enum twctl_visit twctl_show_entry(struct sock *sk, struct twctl_entry *e,
					 void *data)
{
	struct seq_file *m = data;

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
	return TWCTL_VISIT_NEXT;
}

static void twctl_show_net_entries(struct seq_file *m, struct net *net)
{
	struct twctl_walk w = { .net = net };

	twctl_walk(&w, twctl_show_entry, m);
}

static int twctl_entries_show(struct seq_file *m, void *v)
{
	seq_puts(m, "# netns state local remote remaining_ms cookie timestamps age_ms rto_ms recycle reuse   (~ = not captured)\n");
	twctl_show_per_net(m, twctl_show_net_entries);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(twctl_entries);

struct twctl_ports_arg {
	struct twctl_groups groups;
	int err;
};

static enum twctl_visit twctl_count_port(struct sock *sk, struct twctl_entry *e,
					 void *data)
{
	struct twctl_ports_arg *a = data;

	a->err = twctl_groups_add(&a->groups, e);
	return a->err ? TWCTL_VISIT_STOP : TWCTL_VISIT_NEXT;
}

static void twctl_show_net_ports(struct seq_file *m, struct net *net)
{
	struct twctl_walk w = { .net = net };
	struct twctl_ports_arg a = { };
	unsigned int i, n;

	if (twctl_groups_init(&a.groups, TWCTL_GROUP_BY_LPORT, 0, 0))
		return;
	twctl_walk(&w, twctl_count_port, &a);
	n = twctl_groups_finish(&a.groups);
	for (i = 0; i < n; i++)
		seq_printf(m, "%u %u %u %u\n", net->ns.inum,
			   a.groups.slots[i].lport, a.groups.slots[i].count,
			   a.groups.slots[i].eligible);
	if (a.err)
		seq_printf(m, "%u error %d\n", net->ns.inum, a.err);
	twctl_groups_free(&a.groups);
}

static int twctl_ports_show(struct seq_file *m, void *v)
{
	seq_puts(m, "# netns lport count recycle_eligible\n");
	twctl_show_per_net(m, twctl_show_net_ports);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(twctl_ports);

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
			    &twctl_entries_fops);
	debugfs_create_file("ports", 0400, twctl_debugfs_dir, NULL,
			    &twctl_ports_fops);
	debugfs_create_file("stats", 0400, twctl_debugfs_dir, NULL,
			    &twctl_stats_file_fops);
	return 0;
}

void twctl_debugfs_exit(void)
{
	debugfs_remove_recursive(twctl_debugfs_dir);
}

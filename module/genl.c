// SPDX-License-Identifier: GPL-2.0
/*
 * The "twctl" generic netlink family: operations, their strict policies and
 * the events multicast group. Every operation acts on the caller's netns.
 */
#include <linux/cred.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/user_namespace.h>
#include <net/genetlink.h>
#include <net/ip.h>
#include <net/net_namespace.h>

#include "twctl.h"
#include "version.h"

static const struct nla_policy twctl_nopolicy[TWCTL_A_MAX + 1] = {};

/*
 * The policy itself enforces the uapi's range, so the extack names LIMIT.
 * The bounds do not fit NLA_POLICY_RANGE()'s s16, hence the full range; not
 * const because 6.1's struct nla_policy points to it without const.
 */
static struct netlink_range_validation twctl_limit_range __ro_after_init = {
	.min = 1,
	.max = TWCTL_LIMIT_MAX,
};

#define TWCTL_LIMIT_POLICY NLA_POLICY_FULL_RANGE(NLA_U32, &twctl_limit_range)

const struct nla_policy twctl_entries_policy[TWCTL_A_MAX + 1] = {
	[TWCTL_A_FILTER] = NLA_POLICY_NESTED(twctl_filter_policy),
	[TWCTL_A_LIMIT] = TWCTL_LIMIT_POLICY,
	[TWCTL_A_ENTRY_EXT] = NLA_POLICY_MASK(NLA_U32, TWCTL_ENTRY_EXT_ALL),
	[TWCTL_A_ALL_NETNS] = { .type = NLA_FLAG },
};
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_entries_policy);

const struct nla_policy twctl_summary_policy[TWCTL_A_MAX + 1] = {
	[TWCTL_A_FILTER] = NLA_POLICY_NESTED(twctl_filter_policy),
	[TWCTL_A_LIMIT] = TWCTL_LIMIT_POLICY,
	[TWCTL_A_GROUP_BY] = NLA_POLICY_MAX(NLA_U8, TWCTL_GROUP_BY_MAX),
	[TWCTL_A_ALL_NETNS] = { .type = NLA_FLAG },
};
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_summary_policy);

/*
 * TWCTL_A_ALL_NETNS shows every container's connections: only an admin of
 * the whole host may ask, checked on both the socket's opener and the
 * sender, as netlink_capable() does.
 */
int twctl_all_netns_allowed(const struct sk_buff *skb,
			    const struct nlattr *attr,
			    struct netlink_ext_ack *extack)
{
	if (netlink_ns_capable(skb, &init_user_ns, CAP_NET_ADMIN))
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, attr,
			    "every netns needs CAP_NET_ADMIN in the initial user namespace");
	return -EPERM;
}

const struct nla_policy twctl_kill_policy[TWCTL_A_MAX + 1] = {
	[TWCTL_A_FILTER] = NLA_POLICY_NESTED(twctl_filter_policy),
	[TWCTL_A_LIMIT] = TWCTL_LIMIT_POLICY,
	[TWCTL_A_DRY_RUN] = { .type = NLA_FLAG },
};
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_kill_policy);

static int twctl_info_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct twctl_env env;
	struct sk_buff *msg;
	int lo, hi;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &twctl_genl_family, 0,
				TWCTL_CMD_GET_INFO);
	if (!hdr)
		goto nospace;

	twctl_env_get(net, &env);
	twctl_local_port_range(net, &lo, &hi);
	if (nla_put_string(msg, TWCTL_A_VERSION, TWCTL_VERSION) ||
	    nla_put_u32(msg, TWCTL_A_TW_COUNT, twctl_tw_count(net)) ||
	    nla_put_u16(msg, TWCTL_A_PORT_RANGE_LO, lo) ||
	    nla_put_u16(msg, TWCTL_A_PORT_RANGE_HI, hi) ||
	    nla_put_u8(msg, TWCTL_A_TW_REUSE, env.reuse_sysctl) ||
	    nla_put_u32(msg, TWCTL_A_TW_REUSE_DELAY_MS, env.reuse_delay_ms) ||
	    nla_put_u8(msg, TWCTL_A_CAPTURE_ACTIVE, twctl_capture_active()))
		goto nospace;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static const struct genl_ops twctl_ops[] = {
	{
		.cmd = TWCTL_CMD_GET_INFO,
		.doit = twctl_info_doit,
		.policy = twctl_nopolicy,
		.maxattr = TWCTL_A_MAX,
	},
	{
		.cmd = TWCTL_CMD_GET_ENTRIES,
		.start = twctl_entries_start,
		.dumpit = twctl_entries_dump,
		.done = twctl_entries_done,
		.policy = twctl_entries_policy,
		.maxattr = TWCTL_A_MAX,
	},
	{
		.cmd = TWCTL_CMD_GET_SUMMARY,
		.start = twctl_summary_start,
		.dumpit = twctl_summary_dump,
		.done = twctl_summary_done,
		.policy = twctl_summary_policy,
		.maxattr = TWCTL_A_MAX,
	},
	{
		.cmd = TWCTL_CMD_KILL,
		.doit = twctl_kill_doit,
		.policy = twctl_kill_policy,
		.maxattr = TWCTL_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

enum twctl_mcgrp {
	TWCTL_MCGRP_EVENTS_ID,
};

/*
 * Kill events name who killed what: only CAP_NET_ADMIN over the netns may
 * subscribe. Kernels that cannot enforce that get no events group at all
 * (compat.h: twctl_events_possible).
 */
static const struct genl_multicast_group twctl_mcgrps[] = {
	[TWCTL_MCGRP_EVENTS_ID] = {
		.name = TWCTL_MCGRP_EVENTS,
		.flags = TWCTL_MCGRP_ADMIN_FLAGS,
	},
};

struct genl_family twctl_genl_family __ro_after_init = {
	.name = TWCTL_GENL_NAME,
	.version = TWCTL_GENL_VERSION,
	.maxattr = TWCTL_A_MAX,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = twctl_ops,
	.n_ops = ARRAY_SIZE(twctl_ops),
	.mcgrps = twctl_mcgrps,
	.n_mcgrps = twctl_events_possible ? ARRAY_SIZE(twctl_mcgrps) : 0,
};

/*
 * The pid namespace the event's pid is given in: the innermost one of the
 * killer's (its own or an ancestor) that belongs to the netns's user
 * namespace or to one of that namespace's ancestors. For a container
 * (user, net and pid namespace created together) that is the container's
 * pid namespace; for a host admin acting on a container's netns, and for
 * everything in the initial netns, the initial one.
 */
static struct pid_namespace *twctl_event_pid_ns(const struct net *net)
{
	struct pid_namespace *ns;
	const struct user_namespace *u;

	for (ns = task_active_pid_ns(current); ns; ns = ns->parent)
		for (u = net->user_ns; u; u = u->parent)
			if (u == ns->user_ns)
				return ns;
	return &init_pid_ns;
}

static size_t twctl_kill_event_size(void)
{
	return nla_total_size(sizeof(u32)) +		/* PID */
	       nla_total_size(sizeof(u32)) +		/* UID */
	       nla_total_size(TASK_COMM_LEN) +		/* COMM */
	       nla_total_size(sizeof(u32)) +		/* NETNS */
	       3 * nla_total_size(sizeof(u32)) +	/* MATCHED, KILLED, LIMIT */
	       twctl_filter_nlsize();
}

/* The event for a kill in @net that @k describes; NULL if out of memory. */
struct sk_buff *twctl_kill_event(struct net *net, const struct twctl_kill_ctx *k)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(twctl_kill_event_size(), GFP_KERNEL);
	if (!msg)
		return NULL;
	hdr = genlmsg_put(msg, 0, 0, &twctl_genl_family, 0,
			  TWCTL_CMD_KILL_EVENT);
	if (!hdr)
		goto fail;
	/* Listeners are in @net: ids as its user and pid namespaces see them. */
	if (nla_put_u32(msg, TWCTL_A_EVENT_PID,
			task_tgid_nr_ns(current, twctl_event_pid_ns(net))) ||
	    nla_put_u32(msg, TWCTL_A_EVENT_UID,
			from_kuid_munged(net->user_ns, current_uid())) ||
	    nla_put_string(msg, TWCTL_A_EVENT_COMM, current->comm) ||
	    nla_put_u32(msg, TWCTL_A_EVENT_NETNS, net->ns.inum) ||
	    nla_put_u32(msg, TWCTL_A_MATCHED, k->matched) ||
	    nla_put_u32(msg, TWCTL_A_KILLED, k->killed) ||
	    (k->limit != U32_MAX && nla_put_u32(msg, TWCTL_A_LIMIT, k->limit)) ||
	    twctl_filter_put(msg, TWCTL_A_FILTER, k->filter))
		goto fail;
	genlmsg_end(msg, hdr);
	return msg;
fail:
	/* The size above covers every attribute: a bug if we get here. */
	WARN_ON_ONCE(1);
	nlmsg_free(msg);
	return NULL;
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_kill_event);

/*
 * Multicasts the event of a kill to @net's subscribers. An event that could
 * not be built or delivered to every subscriber is counted in the
 * events_dropped statistic, so an audit gap is visible.
 */
void twctl_notify_kill(struct net *net, const struct twctl_kill_ctx *k)
{
	struct sk_buff *msg;
	int err;

	if (!twctl_events_possible ||
	    !genl_has_listeners(&twctl_genl_family, net, TWCTL_MCGRP_EVENTS_ID))
		return;
	msg = twctl_kill_event(net, k);
	if (!msg) {
		twctl_stat_add(TWCTL_STAT_EVENT_DROPS, 1);
		return;
	}
	err = genlmsg_multicast_netns(&twctl_genl_family, net, msg, 0,
				      TWCTL_MCGRP_EVENTS_ID, GFP_KERNEL);
	if (err && err != -ESRCH)
		twctl_stat_add(TWCTL_STAT_EVENT_DROPS, 1);
}

int twctl_genl_init(void)
{
	if (!twctl_events_possible)
		pr_notice("twctl: no kill events: this kernel cannot restrict a multicast group to CAP_NET_ADMIN\n");
	return genl_register_family(&twctl_genl_family);
}

void twctl_genl_exit(void)
{
	genl_unregister_family(&twctl_genl_family);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The "twctl" generic netlink family: operations, their strict policies and
 * the events multicast group. Every operation acts on the caller's netns.
 */
#include <linux/cred.h>
#include <linux/sched.h>
#include <net/genetlink.h>
#include <net/ip.h>
#include <net/net_namespace.h>

#include "twctl.h"
#include "version.h"

static const struct nla_policy twctl_nopolicy[TWCTL_A_MAX + 1] = {};

static const struct nla_policy twctl_entries_policy[TWCTL_A_MAX + 1] = {
	[TWCTL_A_FILTER] = NLA_POLICY_NESTED(twctl_filter_policy),
	[TWCTL_A_LIMIT] = NLA_POLICY_MIN(NLA_U32, 1),
};

static const struct nla_policy twctl_summary_policy[TWCTL_A_MAX + 1] = {
	[TWCTL_A_FILTER] = NLA_POLICY_NESTED(twctl_filter_policy),
	[TWCTL_A_LIMIT] = NLA_POLICY_MIN(NLA_U32, 1),
	[TWCTL_A_GROUP_BY] = NLA_POLICY_MAX(NLA_U8, TWCTL_GROUP_BY_MAX),
};

static const struct nla_policy twctl_kill_policy[TWCTL_A_MAX + 1] = {
	[TWCTL_A_FILTER] = NLA_POLICY_NESTED(twctl_filter_policy),
	[TWCTL_A_LIMIT] = NLA_POLICY_MIN(NLA_U32, 1),
	[TWCTL_A_DRY_RUN] = { .type = NLA_FLAG },
};

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
	    nla_put_u32(msg, TWCTL_A_TW_COUNT, twctl_count(net)) ||
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

static const struct genl_multicast_group twctl_mcgrps[] = {
	[TWCTL_MCGRP_EVENTS_ID] = {
		.name = TWCTL_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
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
	.n_mcgrps = ARRAY_SIZE(twctl_mcgrps),
};

void twctl_notify_kill(struct net *net, const struct twctl_kill_ctx *k,
		       const struct nlattr *filter_nest)
{
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&twctl_genl_family, net, TWCTL_MCGRP_EVENTS_ID))
		return;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &twctl_genl_family, 0,
			  TWCTL_CMD_KILL_EVENT);
	if (!hdr)
		goto fail;
	if (nla_put_u32(msg, TWCTL_A_EVENT_PID, task_tgid_vnr(current)) ||
	    nla_put_u32(msg, TWCTL_A_EVENT_UID,
			from_kuid(&init_user_ns, current_uid())) ||
	    nla_put_string(msg, TWCTL_A_EVENT_COMM, current->comm) ||
	    nla_put_u32(msg, TWCTL_A_EVENT_NETNS, net->ns.inum) ||
	    nla_put_u32(msg, TWCTL_A_MATCHED, k->matched) ||
	    nla_put_u32(msg, TWCTL_A_KILLED, k->killed) ||
	    (k->limit != U32_MAX && nla_put_u32(msg, TWCTL_A_LIMIT, k->limit)) ||
	    (filter_nest && nla_put(msg, TWCTL_A_FILTER, nla_len(filter_nest),
				    nla_data(filter_nest))))
		goto fail;
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&twctl_genl_family, net, msg, 0,
				TWCTL_MCGRP_EVENTS_ID, GFP_KERNEL);
	return;
fail:
	nlmsg_free(msg);
}

int twctl_genl_init(void)
{
	return genl_register_family(&twctl_genl_family);
}

void twctl_genl_exit(void)
{
	genl_unregister_family(&twctl_genl_family);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Try-compile probe (compat/probes.mk): is net->net_cookie a plain u64, set
 * when the netns is made (5.12), rather than an atomic64_t generated on
 * first use (5.10)?
 */
#include <net/net_namespace.h>

u64 twctl_probe(const struct net *net);
u64 twctl_probe(const struct net *net)
{
	return net->net_cookie;
}

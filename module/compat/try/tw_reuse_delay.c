// SPDX-License-Identifier: GPL-2.0
/*
 * Try-compile probe (compat/probes.mk): does the netns carry
 * net.ipv4.tcp_tw_reuse_delay (ms, 6.14) as a field twctl can read?
 */
#include <net/net_namespace.h>

u32 twctl_probe(const struct net *net);
u32 twctl_probe(const struct net *net)
{
	return READ_ONCE(net->ipv4.sysctl_tcp_tw_reuse_delay);
}

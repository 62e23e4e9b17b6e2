// SPDX-License-Identifier: GPL-2.0
/*
 * Try-compile probe (compat/probes.mk), required: twctl reaches the TCP
 * established hash of a netns only through net->ipv4.tcp_death_row.hashinfo
 * (a pointer to the global tcp_hashinfo on 5.10, to the netns's own table
 * or the global one since 6.1). tcp_hashinfo itself is not exported by
 * every kernel twctl supports.
 */
#include <net/inet_hashtables.h>
#include <net/net_namespace.h>

struct inet_hashinfo *twctl_probe(struct net *net);
struct inet_hashinfo *twctl_probe(struct net *net)
{
	return net->ipv4.tcp_death_row.hashinfo;
}

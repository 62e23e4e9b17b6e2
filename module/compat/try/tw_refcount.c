// SPDX-License-Identifier: GPL-2.0
/*
 * Try-compile probe (compat/probes.mk): does the death row count its
 * entries in tw_refcount (refcount_t, one plus the entries; 5.16) rather
 * than in tw_count (atomic_t, the entries; 5.10)?
 */
#include <net/net_namespace.h>

unsigned int twctl_probe(struct net *net);
unsigned int twctl_probe(struct net *net)
{
	return refcount_read(&net->ipv4.tcp_death_row.tw_refcount);
}

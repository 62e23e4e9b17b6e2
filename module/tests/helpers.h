/* SPDX-License-Identifier: GPL-2.0 */
/* Building blocks shared by the twctl KUnit suites. */
#ifndef _TWCTL_TEST_HELPERS_H
#define _TWCTL_TEST_HELPERS_H

#include <linux/inet.h>
#include <linux/socket.h>
#include <linux/string.h>
#include <net/ipv6.h>

#include "../twctl.h"

/* An entry from text addresses; IPv4 text gives an AF_INET entry. */
static inline void twctl_test_entry(struct twctl_entry *e, const char *laddr,
				    u16 lport, const char *raddr, u16 rport)
{
	__be32 a4;

	memset(e, 0, sizeof(*e));
	e->state = TWCTL_STATE_TIME_WAIT;
	e->lport = lport;
	e->rport = rport;
	if (in4_pton(laddr, -1, (u8 *)&a4, -1, NULL)) {
		e->family = AF_INET;
		ipv6_addr_set_v4mapped(a4, &e->laddr);
		in4_pton(raddr, -1, (u8 *)&a4, -1, NULL);
		ipv6_addr_set_v4mapped(a4, &e->raddr);
	} else {
		e->family = AF_INET6;
		in6_pton(laddr, -1, e->laddr.s6_addr, -1, NULL);
		in6_pton(raddr, -1, e->raddr.s6_addr, -1, NULL);
	}
}

/* An address filter as the parser would build it. */
static inline void twctl_test_addr_filter(struct twctl_addr_filter *af,
					  const char *text, u8 plen)
{
	__be32 a4;

	memset(af, 0, sizeof(*af));
	af->plen = plen;
	if (in4_pton(text, -1, (u8 *)&a4, -1, NULL)) {
		af->family = AF_INET;
		ipv6_addr_set_v4mapped(a4, &af->addr);
	} else {
		af->family = AF_INET6;
		in6_pton(text, -1, af->addr.s6_addr, -1, NULL);
	}
}

#endif /* _TWCTL_TEST_HELPERS_H */

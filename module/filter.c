// SPDX-License-Identifier: GPL-2.0
/*
 * Filters: parsed once from a TWCTL_A_FILTER nest, then matched against
 * entry snapshots. Matching is split in two so the cheap part (addresses,
 * ports, family, state: all in struct sock_common) can run under the bucket
 * lock before a reference is taken, as inet_diag runs its bytecode there.
 */
#include <linux/kernel.h>
#include <linux/socket.h>
#include <net/ipv6.h>
#include <net/netlink.h>

#include "twctl.h"

static int twctl_validate_addr(const struct nlattr *attr,
			       struct netlink_ext_ack *extack)
{
	if (nla_len(attr) != sizeof(struct in_addr) &&
	    nla_len(attr) != sizeof(struct in6_addr)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "address must be 4 (IPv4) or 16 (IPv6) bytes");
		return -EINVAL;
	}
	return 0;
}

const struct nla_policy twctl_filter_policy[TWCTL_FILTER_A_MAX + 1] = {
	/*
	 * The value is checked in twctl_filter_parse(), not by a validation
	 * function: when a wrong-length attribute is refused, the extended
	 * ACK dumps its policy, and the dumper reads an integer policy's
	 * bounds from the union that holds the function pointer (WARN in
	 * nla_get_range_unsigned(), reachable by any user; nlfuzz's sweep).
	 */
	[TWCTL_FILTER_A_FAMILY] = { .type = NLA_U8 },
	[TWCTL_FILTER_A_LPORT_MIN] = { .type = NLA_U16 },
	[TWCTL_FILTER_A_LPORT_MAX] = { .type = NLA_U16 },
	[TWCTL_FILTER_A_RPORT_MIN] = { .type = NLA_U16 },
	[TWCTL_FILTER_A_RPORT_MAX] = { .type = NLA_U16 },
	[TWCTL_FILTER_A_LADDR] = NLA_POLICY_VALIDATE_FN(NLA_BINARY,
							twctl_validate_addr),
	[TWCTL_FILTER_A_LADDR_PREFIX] = NLA_POLICY_MAX(NLA_U8, 128),
	[TWCTL_FILTER_A_RADDR] = NLA_POLICY_VALIDATE_FN(NLA_BINARY,
							twctl_validate_addr),
	[TWCTL_FILTER_A_RADDR_PREFIX] = NLA_POLICY_MAX(NLA_U8, 128),
	[TWCTL_FILTER_A_STATES] = NLA_POLICY_MASK(NLA_U32, TWCTL_STATES_ALL),
	[TWCTL_FILTER_A_REMAINING_MAX_MS] = { .type = NLA_U32 },
	[TWCTL_FILTER_A_REMAINING_MIN_MS] = { .type = NLA_U32 },
	[TWCTL_FILTER_A_COOKIE] = { .type = NLA_U64 },
	[TWCTL_FILTER_A_RECYCLE_ELIGIBLE] = { .type = NLA_FLAG },
	[TWCTL_FILTER_A_REUSE_ELIGIBLE] = { .type = NLA_FLAG },
	[TWCTL_FILTER_A_AGE_MIN_MS] = { .type = NLA_U32 },
};
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_filter_policy);

void twctl_filter_init(struct twctl_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->states = TWCTL_STATES_ALL;
	f->lport_max = U16_MAX;
	f->rport_max = U16_MAX;
	f->remaining_max_ms = U32_MAX;
	f->selects_all = true;
	f->tuple_selects_all = true;
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_filter_init);

static int twctl_parse_ports(u16 *min, u16 *max, struct nlattr *amin,
			     struct nlattr *amax, struct netlink_ext_ack *extack)
{
	if (!amin && !amax)
		return 0;
	*min = amin ? nla_get_u16(amin) : 0;
	*max = amax ? nla_get_u16(amax) : (amin ? *min : U16_MAX);
	if (*min > *max) {
		NL_SET_ERR_MSG_ATTR(extack, amax,
				    "port range maximum is below its minimum");
		return -EINVAL;
	}
	return 0;
}

static int twctl_parse_addr(struct twctl_addr_filter *af, struct nlattr *addr,
			    struct nlattr *prefix, struct netlink_ext_ack *extack)
{
	unsigned int max_plen;

	if (!addr) {
		if (prefix) {
			NL_SET_ERR_MSG_ATTR(extack, prefix,
					    "prefix length given without an address");
			return -EINVAL;
		}
		return 0;
	}
	if (nla_len(addr) == sizeof(struct in_addr)) {
		af->family = AF_INET;
		ipv6_addr_set_v4mapped(nla_get_in_addr(addr), &af->addr);
		max_plen = 32;
	} else {
		af->family = AF_INET6;
		af->addr = nla_get_in6_addr(addr);
		max_plen = 128;
	}
	af->plen = prefix ? nla_get_u8(prefix) : max_plen;
	if (af->plen > max_plen) {
		NL_SET_ERR_MSG_ATTR(extack, prefix,
				    "prefix length exceeds the address length");
		return -EINVAL;
	}
	return 0;
}

int twctl_filter_parse(struct twctl_filter *f, const struct nlattr *nest,
		       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[TWCTL_FILTER_A_MAX + 1];
	int err;

	twctl_filter_init(f);
	if (!nest)
		return 0;

	err = nla_parse_nested(tb, TWCTL_FILTER_A_MAX, nest,
			       twctl_filter_policy, extack);
	if (err)
		return err;

	if (tb[TWCTL_FILTER_A_FAMILY]) {
		f->family = nla_get_u8(tb[TWCTL_FILTER_A_FAMILY]);
		if (f->family != AF_INET && f->family != AF_INET6) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TWCTL_FILTER_A_FAMILY],
					    "family must be AF_INET or AF_INET6");
			return -EINVAL;
		}
	}
	err = twctl_parse_ports(&f->lport_min, &f->lport_max,
				tb[TWCTL_FILTER_A_LPORT_MIN],
				tb[TWCTL_FILTER_A_LPORT_MAX], extack);
	if (err)
		return err;
	err = twctl_parse_ports(&f->rport_min, &f->rport_max,
				tb[TWCTL_FILTER_A_RPORT_MIN],
				tb[TWCTL_FILTER_A_RPORT_MAX], extack);
	if (err)
		return err;
	err = twctl_parse_addr(&f->laddr, tb[TWCTL_FILTER_A_LADDR],
			       tb[TWCTL_FILTER_A_LADDR_PREFIX], extack);
	if (err)
		return err;
	err = twctl_parse_addr(&f->raddr, tb[TWCTL_FILTER_A_RADDR],
			       tb[TWCTL_FILTER_A_RADDR_PREFIX], extack);
	if (err)
		return err;

	if ((f->family == AF_INET6 && f->laddr.family == AF_INET) ||
	    (f->family == AF_INET6 && f->raddr.family == AF_INET) ||
	    (f->family == AF_INET && f->laddr.family == AF_INET6) ||
	    (f->family == AF_INET && f->raddr.family == AF_INET6)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[TWCTL_FILTER_A_FAMILY],
				    "family contradicts an address filter");
		return -EINVAL;
	}

	if (tb[TWCTL_FILTER_A_STATES]) {
		f->states = nla_get_u32(tb[TWCTL_FILTER_A_STATES]);
		if (!f->states) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TWCTL_FILTER_A_STATES],
					    "state mask selects nothing");
			return -EINVAL;
		}
	}
	if (tb[TWCTL_FILTER_A_REMAINING_MIN_MS])
		f->remaining_min_ms =
			nla_get_u32(tb[TWCTL_FILTER_A_REMAINING_MIN_MS]);
	if (tb[TWCTL_FILTER_A_REMAINING_MAX_MS])
		f->remaining_max_ms =
			nla_get_u32(tb[TWCTL_FILTER_A_REMAINING_MAX_MS]);
	if (f->remaining_min_ms > f->remaining_max_ms) {
		NL_SET_ERR_MSG_ATTR(extack, tb[TWCTL_FILTER_A_REMAINING_MAX_MS],
				    "time-left maximum is below its minimum");
		return -EINVAL;
	}
	if (tb[TWCTL_FILTER_A_COOKIE]) {
		f->cookie = nla_get_u64(tb[TWCTL_FILTER_A_COOKIE]);
		f->has_cookie = true;
	}
	f->recycle_eligible = nla_get_flag(tb[TWCTL_FILTER_A_RECYCLE_ELIGIBLE]);
	f->reuse_eligible = nla_get_flag(tb[TWCTL_FILTER_A_REUSE_ELIGIBLE]);
	if (tb[TWCTL_FILTER_A_AGE_MIN_MS])
		f->age_min_ms = nla_get_u32(tb[TWCTL_FILTER_A_AGE_MIN_MS]);

	/* The walker then selects without copying the tuple under the lock. */
	f->tuple_selects_all = !f->family && f->states == TWCTL_STATES_ALL &&
			       f->lport_min == 0 && f->lport_max == U16_MAX &&
			       f->rport_min == 0 && f->rport_max == U16_MAX &&
			       !f->laddr.family && !f->raddr.family;
	f->selects_all = f->tuple_selects_all &&
			 f->remaining_min_ms == 0 &&
			 f->remaining_max_ms == U32_MAX &&
			 !f->has_cookie && !f->recycle_eligible &&
			 !f->reuse_eligible && !f->age_min_ms;
	return 0;
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_filter_parse);

/*
 * An IPv4 filter also matches IPv4-mapped IPv6 entries; since both are kept
 * mapped, that is a comparison of the mapped forms over 96 + plen bits. An
 * IPv6 filter matches IPv6 entries only.
 */
static bool twctl_addr_match(const struct twctl_addr_filter *af, u8 family,
			     const struct in6_addr *a)
{
	if (!af->family)
		return true;
	if (af->family == AF_INET6)
		return family == AF_INET6 && ipv6_prefix_equal(&af->addr, a, af->plen);
	if (!ipv6_addr_v4mapped(a))
		return false;
	return ipv6_prefix_equal(&af->addr, a, 96 + af->plen);
}

bool twctl_filter_match_tuple(const struct twctl_filter *f,
			      const struct twctl_entry *e)
{
	return (!f->family || f->family == e->family) &&
	       (f->states & (1U << e->state)) &&
	       e->lport >= f->lport_min && e->lport <= f->lport_max &&
	       e->rport >= f->rport_min && e->rport <= f->rport_max &&
	       twctl_addr_match(&f->laddr, e->family, &e->laddr) &&
	       twctl_addr_match(&f->raddr, e->family, &e->raddr);
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_filter_match_tuple);

bool twctl_filter_match(const struct twctl_filter *f,
			const struct twctl_entry *e)
{
	return twctl_filter_match_tuple(f, e) &&
	       (!f->has_cookie || f->cookie == e->cookie) &&
	       e->remaining_ms >= f->remaining_min_ms &&
	       e->remaining_ms <= f->remaining_max_ms &&
	       e->age_ms >= f->age_min_ms &&
	       (!f->recycle_eligible || e->recycle_eligible) &&
	       (!f->reuse_eligible || e->reuse_eligible);
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_filter_match);

static int twctl_describe_addr(char *buf, size_t len, const char *name,
			       const struct twctl_addr_filter *af)
{
	if (!af->family)
		return 0;
	if (af->family == AF_INET)
		return scnprintf(buf, len, " %s=%pI4/%u", name,
				 &af->addr.s6_addr32[3], af->plen);
	return scnprintf(buf, len, " %s=%pI6c/%u", name, &af->addr, af->plen);
}

/* A short human summary for the audit log line, e.g. " lport=80 cookie=7". */
int twctl_filter_describe(const struct twctl_filter *f, char *buf, size_t len)
{
	int n = 0;

	if (f->selects_all)
		return scnprintf(buf, len, " all");
	if (f->family)
		n += scnprintf(buf + n, len - n, " family=%s",
			       f->family == AF_INET ? "inet" : "inet6");
	if (f->states != TWCTL_STATES_ALL)
		n += scnprintf(buf + n, len - n, " state=%s",
			       f->states & (1U << TWCTL_STATE_TIME_WAIT) ?
			       "time-wait" : "fin-wait2");
	if (f->lport_min || f->lport_max != U16_MAX)
		n += scnprintf(buf + n, len - n, " lport=%u-%u",
			       f->lport_min, f->lport_max);
	if (f->rport_min || f->rport_max != U16_MAX)
		n += scnprintf(buf + n, len - n, " rport=%u-%u",
			       f->rport_min, f->rport_max);
	n += twctl_describe_addr(buf + n, len - n, "laddr", &f->laddr);
	n += twctl_describe_addr(buf + n, len - n, "raddr", &f->raddr);
	if (f->remaining_min_ms || f->remaining_max_ms != U32_MAX)
		n += scnprintf(buf + n, len - n, " left_ms=%u-%u",
			       f->remaining_min_ms, f->remaining_max_ms);
	if (f->age_min_ms)
		n += scnprintf(buf + n, len - n, " age_ms>=%u", f->age_min_ms);
	if (f->has_cookie)
		n += scnprintf(buf + n, len - n, " cookie=%llu", f->cookie);
	if (f->recycle_eligible)
		n += scnprintf(buf + n, len - n, " recycle-eligible");
	if (f->reuse_eligible)
		n += scnprintf(buf + n, len - n, " reusable");
	return n;
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_filter_describe);

static int twctl_put_addr_filter(struct sk_buff *skb, int addr_type,
				 int plen_type,
				 const struct twctl_addr_filter *af)
{
	int err;

	if (!af->family)
		return 0;
	if (af->family == AF_INET)
		err = nla_put_in_addr(skb, addr_type, af->addr.s6_addr32[3]);
	else
		err = nla_put_in6_addr(skb, addr_type, &af->addr);
	return err ?: nla_put_u8(skb, plen_type, af->plen);
}

/* The most twctl_filter_put() can add. */
size_t twctl_filter_nlsize(void)
{
	return nla_total_size(0) +				/* nest */
	       nla_total_size(sizeof(u8)) +			/* FAMILY */
	       4 * nla_total_size(sizeof(u16)) +		/* ports */
	       2 * nla_total_size(sizeof(struct in6_addr)) +	/* addrs */
	       2 * nla_total_size(sizeof(u8)) +			/* prefixes */
	       4 * nla_total_size(sizeof(u32)) +	/* states, times, age */
	       nla_total_size_64bit(sizeof(u64)) +		/* COOKIE */
	       2 * nla_total_size(0);				/* flags */
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_filter_nlsize);

/*
 * Encodes @f as a @type nest that twctl_filter_parse() turns back into the
 * same selection: the filter as it was applied, whatever form the request
 * gave it (duplicated attributes, defaults left out).
 */
int twctl_filter_put(struct sk_buff *skb, int type, const struct twctl_filter *f)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest)
		return -EMSGSIZE;
	if ((f->family && nla_put_u8(skb, TWCTL_FILTER_A_FAMILY, f->family)) ||
	    ((f->lport_min || f->lport_max != U16_MAX) &&
	     (nla_put_u16(skb, TWCTL_FILTER_A_LPORT_MIN, f->lport_min) ||
	      nla_put_u16(skb, TWCTL_FILTER_A_LPORT_MAX, f->lport_max))) ||
	    ((f->rport_min || f->rport_max != U16_MAX) &&
	     (nla_put_u16(skb, TWCTL_FILTER_A_RPORT_MIN, f->rport_min) ||
	      nla_put_u16(skb, TWCTL_FILTER_A_RPORT_MAX, f->rport_max))) ||
	    twctl_put_addr_filter(skb, TWCTL_FILTER_A_LADDR,
				  TWCTL_FILTER_A_LADDR_PREFIX, &f->laddr) ||
	    twctl_put_addr_filter(skb, TWCTL_FILTER_A_RADDR,
				  TWCTL_FILTER_A_RADDR_PREFIX, &f->raddr) ||
	    (f->states != TWCTL_STATES_ALL &&
	     nla_put_u32(skb, TWCTL_FILTER_A_STATES, f->states)) ||
	    (f->remaining_min_ms &&
	     nla_put_u32(skb, TWCTL_FILTER_A_REMAINING_MIN_MS,
			 f->remaining_min_ms)) ||
	    (f->remaining_max_ms != U32_MAX &&
	     nla_put_u32(skb, TWCTL_FILTER_A_REMAINING_MAX_MS,
			 f->remaining_max_ms)) ||
	    (f->age_min_ms &&
	     nla_put_u32(skb, TWCTL_FILTER_A_AGE_MIN_MS, f->age_min_ms)) ||
	    (f->has_cookie &&
	     nla_put_u64_64bit(skb, TWCTL_FILTER_A_COOKIE, f->cookie,
			       TWCTL_FILTER_A_PAD)) ||
	    (f->recycle_eligible &&
	     nla_put_flag(skb, TWCTL_FILTER_A_RECYCLE_ELIGIBLE)) ||
	    (f->reuse_eligible &&
	     nla_put_flag(skb, TWCTL_FILTER_A_REUSE_ELIGIBLE))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_filter_put);

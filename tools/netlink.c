// SPDX-License-Identifier: GPL-2.0-or-later
/* netlink.c - generic netlink requests, dumps and errors (see netlink.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/twctl.h>

#include "cli-version.h"
#include "error.h"
#include "netlink.h"
#include "netns.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

static const char *const top_attr_names[TWCTL_A_MAX + 1] = {
#define N(x) [x] = #x
	N(TWCTL_A_VERSION), N(TWCTL_A_TW_COUNT), N(TWCTL_A_PORT_RANGE_LO),
	N(TWCTL_A_PORT_RANGE_HI), N(TWCTL_A_TW_REUSE),
	N(TWCTL_A_TW_REUSE_DELAY_MS), N(TWCTL_A_CAPTURE_ACTIVE),
	N(TWCTL_A_FILTER), N(TWCTL_A_LIMIT), N(TWCTL_A_ENTRY),
	N(TWCTL_A_GROUP_BY), N(TWCTL_A_GROUP), N(TWCTL_A_DRY_RUN),
	N(TWCTL_A_MATCHED), N(TWCTL_A_KILLED), N(TWCTL_A_EVENT_PID),
	N(TWCTL_A_EVENT_UID), N(TWCTL_A_EVENT_COMM), N(TWCTL_A_EVENT_NETNS),
};

static const char *const filter_attr_names[TWCTL_FILTER_A_MAX + 1] = {
	N(TWCTL_FILTER_A_FAMILY), N(TWCTL_FILTER_A_LPORT_MIN),
	N(TWCTL_FILTER_A_LPORT_MAX), N(TWCTL_FILTER_A_RPORT_MIN),
	N(TWCTL_FILTER_A_RPORT_MAX), N(TWCTL_FILTER_A_LADDR),
	N(TWCTL_FILTER_A_LADDR_PREFIX), N(TWCTL_FILTER_A_RADDR),
	N(TWCTL_FILTER_A_RADDR_PREFIX), N(TWCTL_FILTER_A_STATES),
	N(TWCTL_FILTER_A_REMAINING_MAX_MS), N(TWCTL_FILTER_A_REMAINING_MIN_MS),
	N(TWCTL_FILTER_A_COOKIE), N(TWCTL_FILTER_A_RECYCLE_ELIGIBLE),
	N(TWCTL_FILTER_A_REUSE_ELIGIBLE), N(TWCTL_FILTER_A_AGE_MIN_MS),
#undef N
};

static const char *attr_name(const char *const *names, unsigned int max,
			     unsigned int type)
{
	return type <= max ? names[type] : NULL;
}

/*
 * Find what the kernel's NLMSGERR_ATTR_OFFS points at. With want_nest, off
 * is a nest (NLMSGERR_ATTR_MISS_NEST) and the result tells which table the
 * missing type belongs to: 1 for the filter nest.
 */
static const char *find_attr(const struct nlmsghdr *req, uint32_t off,
			     int *in_filter)
{
	const struct nlattr *a, *n;

	if (!req || off >= req->nlmsg_len)
		return NULL;
	mnl_attr_for_each(a, req, sizeof(struct genlmsghdr)) {
		uint32_t aoff = (const char *)a - (const char *)req;

		if (aoff == off) {
			if (in_filter)
				*in_filter = mnl_attr_get_type(a) == TWCTL_A_FILTER;
			return attr_name(top_attr_names, TWCTL_A_MAX,
					 mnl_attr_get_type(a));
		}
		if (mnl_attr_get_type(a) != TWCTL_A_FILTER)
			continue;
		mnl_attr_for_each_nested(n, a) {
			if ((uint32_t)((const char *)n - (const char *)req) == off)
				return attr_name(filter_attr_names,
						 TWCTL_FILTER_A_MAX,
						 mnl_attr_get_type(n));
		}
	}
	return NULL;
}

const char *nl_attr_name_at(const struct nlmsghdr *req, uint32_t off)
{
	return find_attr(req, off, NULL);
}

struct extack {
	const char *msg;
	uint32_t offs;
	bool has_offs;
	uint32_t miss_type, miss_nest;
	bool has_miss_type, has_miss_nest;
	uint64_t min, max;
	bool has_min, has_max;
};

static int policy_cb(const struct nlattr *a, void *data)
{
	struct extack *ext = data;

	switch (mnl_attr_get_type(a)) {
	case NL_POLICY_TYPE_ATTR_MIN_VALUE_U:
		if (mnl_attr_validate(a, MNL_TYPE_U64) == 0) {
			ext->min = mnl_attr_get_u64(a);
			ext->has_min = true;
		}
		break;
	case NL_POLICY_TYPE_ATTR_MAX_VALUE_U:
		if (mnl_attr_validate(a, MNL_TYPE_U64) == 0) {
			ext->max = mnl_attr_get_u64(a);
			ext->has_max = true;
		}
		break;
	}
	return MNL_CB_OK;
}

static int extack_cb(const struct nlattr *a, void *data)
{
	struct extack *ext = data;

	switch (mnl_attr_get_type(a)) {
	case NLMSGERR_ATTR_MSG:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			ext->msg = mnl_attr_get_str(a);
		break;
	case NLMSGERR_ATTR_OFFS:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0) {
			ext->offs = mnl_attr_get_u32(a);
			ext->has_offs = true;
		}
		break;
	case NLMSGERR_ATTR_MISS_TYPE:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0) {
			ext->miss_type = mnl_attr_get_u32(a);
			ext->has_miss_type = true;
		}
		break;
	case NLMSGERR_ATTR_MISS_NEST:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0) {
			ext->miss_nest = mnl_attr_get_u32(a);
			ext->has_miss_nest = true;
		}
		break;
	case NLMSGERR_ATTR_POLICY:
		mnl_attr_parse_nested(a, policy_cb, ext);
		break;
	}
	return MNL_CB_OK;
}

/* TLVs start after the error code and the (possibly capped) request. */
static void parse_extack(const struct nlmsghdr *nlh, size_t skip,
			 struct extack *ext)
{
	size_t payload = mnl_nlmsg_get_payload_len(nlh);

	memset(ext, 0, sizeof(*ext));
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || skip > payload)
		return;
	mnl_attr_parse(nlh, skip, extack_cb, ext);
}

static const char *cmd_name(const struct nlmsghdr *req, bool ours)
{
	static const char *const names[TWCTL_CMD_MAX + 1] = {
		[TWCTL_CMD_GET_INFO] = "info",
		[TWCTL_CMD_GET_ENTRIES] = "list",
		[TWCTL_CMD_GET_SUMMARY] = "summary",
		[TWCTL_CMD_KILL] = "kill",
	};
	const struct genlmsghdr *g;

	if (!ours || req->nlmsg_len < mnl_nlmsg_size(sizeof(*g)))
		return "netlink";
	g = mnl_nlmsg_get_payload(req);
	return g->cmd <= TWCTL_CMD_MAX && names[g->cmd] ? names[g->cmd]
							: "netlink";
}

static int record_kernel_error(struct nl_batch *b, int error,
			       const struct extack *ext)
{
	const struct nlmsghdr *req = b->req;
	char where[160] = "";
	const char *name = NULL;
	bool ours = req && b->family_id && req->nlmsg_type == b->family_id;

	b->err = error;
	if (ours && ext->has_offs)
		name = find_attr(req, ext->offs, NULL);
	if (ours && ext->has_miss_type) {
		int in_filter = 0;

		if (ext->has_miss_nest)
			find_attr(req, ext->miss_nest, &in_filter);
		name = in_filter ?
		       attr_name(filter_attr_names, TWCTL_FILTER_A_MAX,
				 ext->miss_type) :
		       attr_name(top_attr_names, TWCTL_A_MAX, ext->miss_type);
		if (name)
			snprintf(where, sizeof(where), " [missing %s]", name);
	} else if (name && ext->has_min && ext->has_max) {
		snprintf(where, sizeof(where),
			 " [%s, allowed %" PRIu64 "-%" PRIu64 "]", name,
			 ext->min, ext->max);
	} else if (name) {
		snprintf(where, sizeof(where), " [%s]", name);
	}

	if (ext->msg && *ext->msg)
		return fail(EXIT_FAIL, "%s%s (%s)", ext->msg, where,
			    strerror(error));
	return fail(EXIT_FAIL, "the kernel refused the %s request%s (%s)",
		    cmd_name(req, ours), where, strerror(error));
}

/*
 * The positive errno of a kernel error field (a negative errno). Anything
 * else is a broken reply; -INT_MIN would even overflow.
 */
static int kernel_errno(int v)
{
	return v < 0 && v > -4096 ? -v : EPROTO;
}

/* NLMSG_ERROR: an ACK (error 0) ends a request, anything else fails it. */
static int process_error(struct nl_batch *b, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	struct extack ext;
	size_t skip = sizeof(*e);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e))
		return fail(EXIT_FAIL, "truncated netlink error message");
	/* The TLVs follow the echoed request (libmnl aligns the offset). */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		skip += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	parse_extack(nlh, skip, &ext);
	if (e->error == 0) {
		if (ext.msg && *ext.msg)
			twarn("%s", ext.msg);	/* a warning from the kernel */
		return 1;
	}
	return record_kernel_error(b, kernel_errno(e->error), &ext);
}

/* NLMSG_DONE carries the dump's final status, and maybe extack TLVs. */
static int process_done(struct nl_batch *b, const struct nlmsghdr *nlh)
{
	struct extack ext;
	int status = 0;

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int))
		memcpy(&status, mnl_nlmsg_get_payload(nlh), sizeof(int));
	if (status >= 0)
		return 1;
	parse_extack(nlh, sizeof(int), &ext);
	return record_kernel_error(b, kernel_errno(status), &ext);
}

/*
 * Not mnl_nlmsg_ok(): it compares nlmsg_len with the bytes left as an int,
 * so a length of 2 GiB or more passes and the walk leaves the buffer.
 */
static bool msg_ok(const struct nlmsghdr *nlh, size_t left)
{
	return left >= sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) &&
	       nlh->nlmsg_len <= left;
}

int nl_process(struct nl_batch *b, const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	size_t left = len;

	for (; msg_ok(nlh, left);
	     left -= left < NLMSG_ALIGN(nlh->nlmsg_len) ?
		     left : NLMSG_ALIGN(nlh->nlmsg_len),
	     nlh = (const void *)((const char *)buf + (len - left))) {
		/* Leftovers of an abandoned earlier request are not ours. */
		if (b->seq && !mnl_nlmsg_seq_ok(nlh, b->seq))
			continue;
		if (!mnl_nlmsg_portid_ok(nlh, b->portid))
			continue;
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			b->intr = true;

		switch (nlh->nlmsg_type) {
		case NLMSG_NOOP:
			continue;
		case NLMSG_ERROR:
			return process_error(b, nlh);
		case NLMSG_DONE:
			return process_done(b, nlh);
		case NLMSG_OVERRUN:
			return fail(EXIT_FAIL, "netlink overrun: the reply was lost");
		}
		/* An interrupted attempt will be thrown away: skip the work. */
		if (b->intr && !b->keep_interrupted)
			continue;
		if (b->cb && b->cb(nlh, b->data) < 0)
			return -1;
	}
	if (left > 0)
		return fail(EXIT_FAIL, "malformed netlink message from the kernel");
	return 0;
}

int nl_recv(struct nl *nl, volatile int *stop)
{
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, nl->buf,
						NL_RECV_BUFSIZE);

		if (n >= 0)
			return n;
		if (errno == EINTR && !(stop && *stop))
			continue;
		return -errno;
	}
}

static int send_request(struct nl *nl, struct nlmsghdr *req)
{
	for (;;) {
		if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) >= 0)
			return 0;
		if (errno != EINTR)
			return fail(EXIT_FAIL, "cannot send a netlink request: %s",
				    strerror(errno));
	}
}

static int receive_reply(struct nl *nl, struct nl_batch *b)
{
	for (;;) {
		int n = nl_recv(nl, NULL), r;

		if (n == -ENOBUFS) {
			/* Callers of a non-idempotent request word it better. */
			nl->err = ENOBUFS;
			return fail(EXIT_FAIL,
				    "netlink receive buffer overrun: the kernel's reply was lost");
		}
		if (n < 0)
			return fail(EXIT_FAIL, "netlink receive failed: %s",
				    strerror(-n));
		r = nl_process(b, nl->buf, n);
		if (r) {
			nl->err = b->err;
			return r < 0 ? -1 : 0;
		}
	}
}

static void batch_init(struct nl *nl, struct nl_batch *b,
		       const struct nlmsghdr *req, nl_msg_cb cb, void *data)
{
	memset(b, 0, sizeof(*b));
	b->seq = req->nlmsg_seq;
	b->portid = nl->portid;
	b->req = req;
	b->family_id = nl->family_id;
	b->cb = cb;
	b->data = data;
}

struct nlmsghdr *nl_request(struct nl *nl, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->req);
	struct genlmsghdr *g;

	nlh->nlmsg_type = nl->family_id;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = TWCTL_GENL_VERSION;
	return nlh;
}

int nl_do(struct nl *nl, struct nlmsghdr *req, nl_msg_cb cb, void *data)
{
	struct nl_batch b;

	nl->err = 0;
	req->nlmsg_flags |= NLM_F_ACK;
	req->nlmsg_seq = ++nl->seq;
	if (send_request(nl, req))
		return -1;
	batch_init(nl, &b, req, cb, data);
	return receive_reply(nl, &b);
}

int nl_dump(struct nl *nl, struct nlmsghdr *req, nl_msg_cb cb,
	    nl_reset_cb reset, void *data)
{
	int attempt;

	nl->err = 0;
	req->nlmsg_flags |= NLM_F_DUMP;
	for (attempt = 1; ; attempt++) {
		bool last = !reset || attempt == NL_DUMP_TRIES;
		struct nl_batch b;

		if (reset && reset(data))
			return -1;
		req->nlmsg_seq = ++nl->seq;
		if (send_request(nl, req))
			return -1;
		batch_init(nl, &b, req, cb, data);
		b.keep_interrupted = last;
		if (receive_reply(nl, &b))
			return -1;
		if (!b.intr)
			return 0;
		if (!reset) {
			/* As ss and every inet_diag user: no second pass. */
			twarn("the table changed while it was read; some entries may be missing or repeated");
			return 0;
		}
		if (last) {
			twarn("the entries kept changing during %d dump attempts; this output may miss or repeat some",
			      NL_DUMP_TRIES);
			return 0;
		}
	}
}

/* --- family resolution ------------------------------------------------ */

static int mcast_group_cb(const struct nlattr *a, void *data)
{
	const struct nlattr *n;
	const char *name = NULL;
	uint32_t id = 0;
	struct nl *nl = data;

	mnl_attr_for_each_nested(n, a) {
		if (mnl_attr_get_type(n) == CTRL_ATTR_MCAST_GRP_NAME &&
		    mnl_attr_validate(n, MNL_TYPE_NUL_STRING) == 0)
			name = mnl_attr_get_str(n);
		else if (mnl_attr_get_type(n) == CTRL_ATTR_MCAST_GRP_ID &&
			 mnl_attr_validate(n, MNL_TYPE_U32) == 0)
			id = mnl_attr_get_u32(n);
	}
	if (name && !strcmp(name, TWCTL_MCGRP_EVENTS))
		nl->events_group = id;
	return MNL_CB_OK;
}

static int family_attr_cb(const struct nlattr *a, void *data)
{
	struct nl *nl = data;

	switch (mnl_attr_get_type(a)) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(a, MNL_TYPE_U16) == 0)
			nl->family_id = mnl_attr_get_u16(a);
		break;
	case CTRL_ATTR_VERSION:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			nl->family_version = mnl_attr_get_u32(a);
		break;
	case CTRL_ATTR_MCAST_GROUPS: {
		const struct nlattr *g;

		mnl_attr_for_each_nested(g, a)
			mcast_group_cb(g, nl);
		break;
	}
	}
	return MNL_CB_OK;
}

int nl_family_parse(const struct nlmsghdr *nlh, struct nl *nl)
{
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb, nl);
	return 0;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	return nl_family_parse(nlh, data);
}

static int resolve_family(struct nl *nl)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->req);
	struct genlmsghdr *g;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, TWCTL_GENL_NAME);

	if (nl_do(nl, nlh, family_cb, nl)) {
		if (nl->err == ENOENT)
			return fail(EXIT_FAIL,
				    "the twctl kernel module is not loaded; load it with 'modprobe twctl' (install it with 'dkms install twctl/%s' first if needed)",
				    TWCTL_CLI_VERSION);
		return -1;
	}
	if (!nl->family_id)
		return fail(EXIT_FAIL, "the kernel did not say which id the twctl family has");
	if (nl->family_version && nl->family_version != TWCTL_GENL_VERSION)
		twarn("the twctl module speaks netlink version %u, this tool version %u; some things may not work",
		      nl->family_version, TWCTL_GENL_VERSION);
	return 0;
}

int nl_open(struct nl *nl, const char *netns)
{
	int one = 1;

	memset(nl, 0, sizeof(*nl));
	if (netns && netns_enter(netns))
		return -1;

	nl->buf = malloc(NL_RECV_BUFSIZE);
	nl->req = calloc(1, NL_REQ_BUFSIZE);
	if (!nl->buf || !nl->req) {
		nl_close(nl);
		return fail(EXIT_FAIL, "out of memory");
	}
	nl->sock = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!nl->sock) {
		fail(EXIT_FAIL, "cannot open a generic netlink socket: %s",
		     strerror(errno));
		nl_close(nl);
		return -1;
	}
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		fail(EXIT_FAIL, "cannot bind the netlink socket: %s",
		     strerror(errno));
		nl_close(nl);
		return -1;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	/* Seeded like iproute2 so stale replies of a past run never match. */
	nl->seq = time(NULL);

	/* Best effort: kernels before 4.12 lack these and still work. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));

	if (resolve_family(nl)) {
		nl_close(nl);
		return -1;
	}
	return 0;
}

void nl_close(struct nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl->buf);
	free(nl->req);
	nl->sock = NULL;
	nl->buf = nl->req = NULL;
}

int nl_join_events(struct nl *nl)
{
	int group = nl->events_group;
	int rcvbuf = 1 << 20;

	if (!group)
		return -ENOENT;
	/* A burst of kills must not overflow the default socket buffer. */
	setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVBUF,
		   &rcvbuf, sizeof(rcvbuf));
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP, &group,
				  sizeof(group)) < 0)
		return -errno;
	return 0;
}

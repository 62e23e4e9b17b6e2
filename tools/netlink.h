/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * netlink.h - talking to the twctl generic netlink family with libmnl.
 *
 * Requests are built in nl->req with nl_request() and then sent with
 * nl_do() (request/ack) or nl_dump() (streamed; see there for NLM_F_DUMP_INTR).
 * Kernel errors are recorded with fail() as
 * "<extended ACK message> [<offending attribute>] (<strerror>)".
 */
#ifndef TWCTL_NETLINK_H
#define TWCTL_NETLINK_H

#include <stdbool.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

/*
 * Dump skbs are at most 32 KiB (the kernel's cap on max_recvmsg_len); a
 * smaller buffer would truncate them, and libmnl's MNL_SOCKET_BUFFER_SIZE
 * (8 KiB at most) would make the kernel fill four times as many.
 */
#define NL_RECV_BUFSIZE		(MNL_SOCKET_BUFFER_SIZE > 32768 ?	\
				 MNL_SOCKET_BUFFER_SIZE : 32768)
#define NL_REQ_BUFSIZE		8192
/* Attempts at a dump the kernel flags as interrupted before giving up. */
#define NL_DUMP_TRIES		8

struct nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
	uint16_t family_id;
	uint32_t family_version;
	uint32_t events_group;	/* multicast group id; 0 if none */
	char *buf;		/* receive buffer, NL_RECV_BUFSIZE */
	char *req;		/* request being built, NL_REQ_BUFSIZE */
	int err;		/* positive errno of the last kernel error */
};

/* Called for every reply message; return 0, or -1 with fail() recorded. */
typedef int (*nl_msg_cb)(const struct nlmsghdr *nlh, void *data);
/*
 * Called before every dump attempt to discard the previous one's output;
 * only a dump whose output is held until it completes (summary) has one.
 */
typedef int (*nl_reset_cb)(void *data);

/*
 * Enter the network namespace netns (if not NULL), open a generic netlink
 * socket and resolve the "twctl" family. The namespace switch must come
 * first: a netlink socket belongs to the netns it was created in.
 */
int nl_open(struct nl *nl, const char *netns);
void nl_close(struct nl *nl);

/* Start a request for a twctl command in nl->req. */
struct nlmsghdr *nl_request(struct nl *nl, uint8_t cmd, uint16_t flags);
/* Send req (NLM_F_ACK is added) and feed replies to cb until the ACK. */
int nl_do(struct nl *nl, struct nlmsghdr *req, nl_msg_cb cb, void *data);
/*
 * Send a dump request and feed every message to cb. A dump the kernel
 * flags NLM_F_DUMP_INTR is re-run (after reset) if reset is given;
 * without one, its messages are all delivered and one warning says the
 * output may miss or repeat entries, as output already streamed out.
 */
int nl_dump(struct nl *nl, struct nlmsghdr *req, nl_msg_cb cb,
	    nl_reset_cb reset, void *data);
/* Join the events multicast group; returns 0 or a negative errno. */
int nl_join_events(struct nl *nl);
/* Receive into nl->buf, retrying EINTR unless *stop is set; -errno. */
int nl_recv(struct nl *nl, volatile int *stop);

/* State of one request's replies, as processed by nl_process(). */
struct nl_batch {
	uint32_t seq;			/* 0: accept any (multicast) */
	uint32_t portid;
	const struct nlmsghdr *req;	/* to name an offending attribute */
	uint16_t family_id;		/* twctl's, to name attributes */
	nl_msg_cb cb;
	void *data;
	bool keep_interrupted;		/* deliver messages after DUMP_INTR */
	bool intr;			/* NLM_F_DUMP_INTR was seen */
	int err;			/* positive errno of a kernel error */
};

/*
 * Process one receive buffer. Returns 1 when the reply is complete
 * (NLMSG_DONE or the ACK), 0 when more is to come, -1 on error.
 * Split from the socket so the unit tests can feed it fake replies.
 */
int nl_process(struct nl_batch *b, const void *buf, size_t len);

/* Read family id, version and the events group from a CTRL reply. */
int nl_family_parse(const struct nlmsghdr *nlh, struct nl *nl);

/* Name of a twctl attribute at byte offset off of req, or NULL. */
const char *nl_attr_name_at(const struct nlmsghdr *req, uint32_t off);

#endif

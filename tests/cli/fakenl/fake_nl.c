// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fake_nl.c - an LD_PRELOAD shim that stands in for the twctl generic
 * netlink family, so test_cli.c can run the real twctl binary through
 * dumps that break half-way. The kernel is not what is under test here:
 * the CLI's handling of a reply that stops, fails or is interrupted is.
 *
 * It intercepts the socket calls libmnl makes for a NETLINK_GENERIC socket
 * (socket, bind, getsockname, setsockopt, sendto, recvmsg, close), answers
 * the CTRL family lookup, and answers GET_ENTRIES / GET_SUMMARY dumps with
 * TWCTL_FAKE_NL_ENTRIES messages, PER_RECV of them per receive buffer, as
 * TWCTL_FAKE_NL says:
 *   ok          a complete dump
 *   recv-error  recvmsg() fails with ENOBUFS after TWCTL_FAKE_NL_AT buffers
 *   done-error  NLMSG_DONE carries -ENOMEM after TWCTL_FAKE_NL_AT buffers
 *   intr-once   the first attempt is flagged NLM_F_DUMP_INTR and carries
 *               entries with lport 1..; the retry is clean, lport 2001..
 *   truncated   a complete dump whose group messages carry TWCTL_A_TRUNCATED
 * Everything else (KILL, GET_INFO) gets EOPNOTSUPP. With TWCTL_FAKE_NL_LOG
 * set, "socket" and "send TYPE CMD FLAGS" lines are appended to that file,
 * and for an entries dump "ext MASK all-netns 0|1", so a test can tell what
 * the tool sent and asked for, and that it sent nothing.
 *
 * Entries are the module's compact ones (TWCTL_A_ENTRY_INFO, then the
 * extras the request's TWCTL_A_ENTRY_EXT asked for), or with
 * TWCTL_FAKE_NL_FORMAT=nest the TWCTL_A_ENTRY nest of older modules.
 * TWCTL_FAKE_NL_PER_RECV sets the entries per receive buffer (default 3;
 * 200 fills a buffer as the module does), so that a large dump
 * (TWCTL_FAKE_NL_ENTRIES=100000) can be replayed for profiling; with
 * all-netns, every 1000 entries come from the next netns inode.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/twctl.h>

#define FAMILY_ID 0x31
#define PORTID 4242
#define BUF_SIZE 32768

static int fake_fd = -1;
static char **bufs;
static size_t *lens;
static int nbufs, cap_bufs, next_buf, attempt;
static uint32_t req_ext;
static bool req_all_netns;
static int fail_at = -1;	/* recvmsg() of this buffer fails: ENOBUFS */

static int env_int(const char *name, int def)
{
	const char *v = getenv(name);

	return v && *v ? atoi(v) : def;
}

static const char *mode(void)
{
	const char *m = getenv("TWCTL_FAKE_NL");

	return m ? m : "ok";
}

static struct nlmsghdr *new_buf(void)
{
	if (nbufs == cap_bufs) {
		cap_bufs = cap_bufs ? cap_bufs * 2 : 256;
		bufs = realloc(bufs, cap_bufs * sizeof(*bufs));
		lens = realloc(lens, cap_bufs * sizeof(*lens));
		if (!bufs || !lens)
			abort();
	}
	bufs[nbufs] = calloc(1, BUF_SIZE);
	if (!bufs[nbufs])
		abort();
	lens[nbufs] = 0;
	return (struct nlmsghdr *)bufs[nbufs++];
}

/* Start a message at the end of the current buffer. */
static struct nlmsghdr *put_msg(uint16_t type, uint16_t flags, uint32_t seq,
				uint8_t cmd)
{
	struct nlmsghdr *nlh =
		mnl_nlmsg_put_header(bufs[nbufs - 1] + lens[nbufs - 1]);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = PORTID;
	if (type >= NLMSG_MIN_TYPE) {
		struct genlmsghdr *g =
			mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

		g->cmd = cmd;
		g->version = 1;
	}
	return nlh;
}

static void end_msg(struct nlmsghdr *nlh)
{
	lens[nbufs - 1] += NLMSG_ALIGN(nlh->nlmsg_len);
}

static void put_ack(const struct nlmsghdr *req, int error)
{
	struct nlmsghdr *nlh = put_msg(NLMSG_ERROR, NLM_F_CAPPED,
				       req->nlmsg_seq, 0);
	struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));

	e->error = error;
	e->msg = *req;
	end_msg(nlh);
}

static void put_done(uint32_t seq, uint16_t flags, int status)
{
	struct nlmsghdr *nlh = put_msg(NLMSG_DONE, NLM_F_MULTI | flags, seq, 0);
	int *p = mnl_nlmsg_put_extra_header(nlh, sizeof(int));

	*p = status;
	end_msg(nlh);
}

/* As the module sends an entry: a struct, then the extras asked for. */
static void put_compact_entry(uint32_t seq, uint16_t flags, unsigned int i)
{
	struct nlmsghdr *nlh = put_msg(FAMILY_ID, NLM_F_MULTI | flags, seq,
				       TWCTL_CMD_GET_ENTRIES);
	struct twctl_entry_info in = {
		.family = AF_INET, .state = TWCTL_STATE_TIME_WAIT,
		.flags = TWCTL_ENTRY_F_TIMESTAMPS |
			 (i % 2 ? TWCTL_ENTRY_F_RECYCLE_ELIGIBLE : 0),
		.age_source = TWCTL_AGE_SOURCE_CAPTURED,
		.lport = i, .rport = 6379,
		.laddr = { 127, 0, (i >> 8) & 0xff, 1 },
		.raddr = { 127, 0, 0, 2 },
		.cookie = 0x1000 + i, .remaining_ms = 30000 + i,
		.age_ms = 30000 - i % 30000,
		.netns_ino = 4026531840U + (req_all_netns ? i / 1000 : 0),
	};
	struct twctl_entry_judgement j = {
		.rto_ms = 204, .srtt_us = 1500, .recycle_after_ms = 714,
		.rto_source = TWCTL_RTO_SOURCE_CAPTURED,
		.recycle_reason = i % 2 ? TWCTL_RECYCLE_ELIGIBLE :
					  TWCTL_RECYCLE_TOO_YOUNG,
		.reuse_reason = TWCTL_REUSE_NOT_LOOPBACK,
	};
	struct twctl_entry_secrets sc = {
		.snd_nxt = 1000 + i, .rcv_nxt = 2000 + i, .ts_recent = 5,
	};

	mnl_attr_put(nlh, TWCTL_A_ENTRY_INFO, sizeof(in), &in);
	if (req_ext & TWCTL_ENTRY_EXT_JUDGEMENT)
		mnl_attr_put(nlh, TWCTL_A_ENTRY_JUDGEMENT, sizeof(j), &j);
	if (req_ext & TWCTL_ENTRY_EXT_SECRETS)
		mnl_attr_put(nlh, TWCTL_A_ENTRY_SECRETS, sizeof(sc), &sc);
	end_msg(nlh);
}

static void put_entry(uint32_t seq, uint16_t flags, unsigned int i)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	uint8_t l[4] = { 127, 0, 0, 1 }, r[4] = { 127, 0, 0, 2 };
	const char *fmt = getenv("TWCTL_FAKE_NL_FORMAT");

	if (!fmt || strcmp(fmt, "nest")) {
		put_compact_entry(seq, flags, i);
		return;
	}
	nlh = put_msg(FAMILY_ID, NLM_F_MULTI | flags, seq,
		      TWCTL_CMD_GET_ENTRIES);
	nest = mnl_attr_nest_start(nlh, TWCTL_A_ENTRY);

	mnl_attr_put_u8(nlh, TWCTL_ENTRY_A_FAMILY, AF_INET);
	mnl_attr_put(nlh, TWCTL_ENTRY_A_LADDR, 4, l);
	mnl_attr_put_u16(nlh, TWCTL_ENTRY_A_LPORT, i);
	mnl_attr_put(nlh, TWCTL_ENTRY_A_RADDR, 4, r);
	mnl_attr_put_u16(nlh, TWCTL_ENTRY_A_RPORT, 6379);
	mnl_attr_put_u8(nlh, TWCTL_ENTRY_A_STATE, TWCTL_STATE_TIME_WAIT);
	mnl_attr_put_u32(nlh, TWCTL_ENTRY_A_REMAINING_MS, 30000 + i);
	mnl_attr_put_u64(nlh, TWCTL_ENTRY_A_COOKIE, 0x1000 + i);
	mnl_attr_nest_end(nlh, nest);
	end_msg(nlh);
}

static void put_group(uint32_t seq, uint16_t flags, unsigned int i,
		      bool truncated)
{
	struct nlmsghdr *nlh = put_msg(FAMILY_ID, NLM_F_MULTI | flags, seq,
				       TWCTL_CMD_GET_SUMMARY);
	struct nlattr *nest = mnl_attr_nest_start(nlh, TWCTL_A_GROUP);
	uint8_t r[4] = { 10, 0, 0, 1 };

	mnl_attr_put_u8(nlh, TWCTL_GROUP_A_FAMILY, AF_INET);
	mnl_attr_put(nlh, TWCTL_GROUP_A_RADDR, 4, r);
	mnl_attr_put_u16(nlh, TWCTL_GROUP_A_RPORT, i);
	mnl_attr_put_u32(nlh, TWCTL_GROUP_A_COUNT, 1000 - i);
	mnl_attr_nest_end(nlh, nest);
	if (truncated)
		mnl_attr_put(nlh, TWCTL_A_TRUNCATED, 0, NULL);
	end_msg(nlh);
}

static void answer_family(const struct nlmsghdr *req)
{
	struct nlmsghdr *nlh;
	struct nlattr *grps, *grp;

	new_buf();
	nlh = put_msg(GENL_ID_CTRL, 0, req->nlmsg_seq, CTRL_CMD_NEWFAMILY);
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, FAMILY_ID);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, TWCTL_GENL_NAME);
	mnl_attr_put_u32(nlh, CTRL_ATTR_VERSION, TWCTL_GENL_VERSION);
	grps = mnl_attr_nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
	grp = mnl_attr_nest_start(nlh, 1);
	mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, 77);
	mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME, TWCTL_MCGRP_EVENTS);
	mnl_attr_nest_end(nlh, grp);
	mnl_attr_nest_end(nlh, grps);
	end_msg(nlh);
	if (req->nlmsg_flags & NLM_F_ACK)
		put_ack(req, 0);
}

static void answer_dump(const struct nlmsghdr *req, uint8_t cmd)
{
	int n = env_int("TWCTL_FAKE_NL_ENTRIES", 10);
	int at = env_int("TWCTL_FAKE_NL_AT", 2);
	int per_recv = env_int("TWCTL_FAKE_NL_PER_RECV", 3);
	const char *m = mode();
	uint16_t intr = 0;
	unsigned int base = 1;
	int i, first = nbufs;

	attempt++;
	if (!strcmp(m, "intr-once") && attempt == 1)
		intr = NLM_F_DUMP_INTR;
	if (!strcmp(m, "intr-once") && attempt > 1)
		base = 2001;
	for (i = 0; i < n; i++) {
		if (i % per_recv == 0)
			new_buf();
		if (cmd == TWCTL_CMD_GET_SUMMARY)
			put_group(req->nlmsg_seq, intr, base + i,
				  !strcmp(m, "truncated"));
		else
			put_entry(req->nlmsg_seq, intr, base + i);
	}
	if (!strcmp(m, "done-error")) {
		/* The kernel's error ends the dump after `at` buffers. */
		while (nbufs > first + at)
			free(bufs[--nbufs]);
		new_buf();
		put_done(req->nlmsg_seq, 0, -ENOMEM);
		return;
	}
	if (!strcmp(m, "recv-error"))
		fail_at = first + at;
	new_buf();
	put_done(req->nlmsg_seq, intr, 0);
}

static void log_line(const char *fmt, unsigned int a, unsigned int b,
		     unsigned int c);

static void answer(const struct nlmsghdr *req)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(req);

	if (req->nlmsg_type == GENL_ID_CTRL) {
		answer_family(req);
		return;
	}
	if (req->nlmsg_type == FAMILY_ID && (req->nlmsg_flags & NLM_F_DUMP) &&
	    (g->cmd == TWCTL_CMD_GET_ENTRIES ||
	     g->cmd == TWCTL_CMD_GET_SUMMARY)) {
		const struct nlattr *a;

		req_ext = 0;
		req_all_netns = false;
		mnl_attr_for_each(a, req, GENL_HDRLEN) {
			if (mnl_attr_get_type(a) == TWCTL_A_ENTRY_EXT)
				req_ext = mnl_attr_get_u32(a);
			if (mnl_attr_get_type(a) == TWCTL_A_ALL_NETNS)
				req_all_netns = true;
		}
		if (g->cmd == TWCTL_CMD_GET_ENTRIES)
			log_line("ext %u all-netns %u\n", req_ext,
				 req_all_netns, 0);
		answer_dump(req, g->cmd);
		return;
	}
	new_buf();
	put_ack(req, -EOPNOTSUPP);
}

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

static void log_line(const char *fmt, unsigned int a, unsigned int b,
		     unsigned int c)
{
	const char *path = getenv("TWCTL_FAKE_NL_LOG");
	FILE *f;

	if (!path || !*path)
		return;
	f = fopen(path, "a");
	if (!f)
		return;
	fprintf(f, fmt, a, b, c);
	fclose(f);
}

int socket(int domain, int type, int protocol)
{
	if (domain == AF_NETLINK && protocol == NETLINK_GENERIC) {
		fake_fd = REAL(socket)(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		log_line("socket\n", 0, 0, 0);
		return fake_fd;
	}
	return REAL(socket)(domain, type, protocol);
}

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	if (fd >= 0 && fd == fake_fd)
		return 0;
	return REAL(bind)(fd, addr, len);
}

int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	if (fd >= 0 && fd == fake_fd) {
		struct sockaddr_nl nl = {
			.nl_family = AF_NETLINK, .nl_pid = PORTID,
		};

		memcpy(addr, &nl, *len < sizeof(nl) ? *len : sizeof(nl));
		*len = sizeof(nl);
		return 0;
	}
	return REAL(getsockname)(fd, addr, len);
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	if (fd >= 0 && fd == fake_fd)
		return 0;
	return REAL(setsockopt)(fd, level, name, val, len);
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags,
	       const struct sockaddr *addr, socklen_t alen)
{
	if (fd >= 0 && fd == fake_fd) {
		const struct nlmsghdr *nlh = buf;

		if (len >= sizeof(struct nlmsghdr) + GENL_HDRLEN) {
			log_line("send %u %u %#x\n", nlh->nlmsg_type,
				 ((const struct genlmsghdr *)
				  mnl_nlmsg_get_payload(nlh))->cmd,
				 nlh->nlmsg_flags);
			answer(buf);
		}
		return len;
	}
	return REAL(sendto)(fd, buf, len, flags, addr, alen);
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	struct sockaddr_nl from = { .nl_family = AF_NETLINK };
	size_t n;

	if (fd < 0 || fd != fake_fd)
		return REAL(recvmsg)(fd, msg, flags);
	if (next_buf == fail_at) {
		fail_at = -1;
		errno = ENOBUFS;
		return -1;
	}
	if (next_buf >= nbufs) {
		errno = EAGAIN;	/* nothing queued: the tool would block */
		return -1;
	}
	n = lens[next_buf];
	if (n > msg->msg_iov[0].iov_len)
		n = msg->msg_iov[0].iov_len;
	memcpy(msg->msg_iov[0].iov_base, bufs[next_buf], n);
	free(bufs[next_buf]);
	bufs[next_buf++] = NULL;
	if (msg->msg_name && msg->msg_namelen >= sizeof(from))
		memcpy(msg->msg_name, &from, sizeof(from));
	msg->msg_namelen = sizeof(from);
	msg->msg_flags = 0;
	return n;
}

int close(int fd)
{
	if (fd >= 0 && fd == fake_fd)
		fake_fd = -1;
	return REAL(close)(fd);
}

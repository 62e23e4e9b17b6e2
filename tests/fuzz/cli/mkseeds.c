// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mkseeds.c - writes the committed seed corpus of fuzz_decode: well-formed
 * replies of every kind, so the fuzzer starts deep inside the decoders.
 * Regenerate with `tests/fuzz/cli/run --seeds`; the files are committed.
 * Each seed is: kind byte, format/grouping byte, then the receive buffer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/twctl.h>

#define FAM 0x42

static char buf[65536];
static size_t len;

static struct nlmsghdr *msg(uint16_t type, uint16_t flags, uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf + len);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	if (type >= NLMSG_MIN_TYPE) {
		struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

		g->cmd = cmd;
		g->version = 1;
	}
	return nlh;
}

static void end(struct nlmsghdr *nlh)
{
	len += NLMSG_ALIGN(nlh->nlmsg_len);
}

static void done(int status)
{
	struct nlmsghdr *nlh = msg(NLMSG_DONE, NLM_F_MULTI, 0);

	*(int *)mnl_nlmsg_put_extra_header(nlh, sizeof(int)) = status;
	end(nlh);
}

static void entry(int v6, unsigned int i)
{
	struct nlmsghdr *nlh = msg(FAM, NLM_F_MULTI, TWCTL_CMD_GET_ENTRIES);
	struct nlattr *n = mnl_attr_nest_start(nlh, TWCTL_A_ENTRY);
	uint8_t a[16] = { 10, 0, 0, (uint8_t)i };

	if (v6) {
		memset(a, 0, sizeof(a));
		a[0] = 0x20; a[1] = 0x01; a[15] = i;
	}
	mnl_attr_put_u8(nlh, TWCTL_ENTRY_A_FAMILY, v6 ? AF_INET6 : AF_INET);
	mnl_attr_put(nlh, TWCTL_ENTRY_A_LADDR, v6 ? 16 : 4, a);
	mnl_attr_put_u16(nlh, TWCTL_ENTRY_A_LPORT, 40000 + i);
	mnl_attr_put(nlh, TWCTL_ENTRY_A_RADDR, v6 ? 16 : 4, a);
	mnl_attr_put_u16(nlh, TWCTL_ENTRY_A_RPORT, 6379);
	mnl_attr_put_u8(nlh, TWCTL_ENTRY_A_STATE, i & 1);
	mnl_attr_put_u32(nlh, TWCTL_ENTRY_A_REMAINING_MS, 1234 * i);
	mnl_attr_put_u64(nlh, TWCTL_ENTRY_A_COOKIE, 0xffff888012345678ULL + i);
	mnl_attr_put_u8(nlh, TWCTL_ENTRY_A_TIMESTAMPS, 1);
	mnl_attr_put_u32(nlh, TWCTL_ENTRY_A_TS_RECENT, 77);
	mnl_attr_put_u32(nlh, TWCTL_ENTRY_A_TS_RECENT_AGE_MS, 5);
	mnl_attr_put_u32(nlh, TWCTL_ENTRY_A_SND_NXT, 1);
	mnl_attr_put_u32(nlh, TWCTL_ENTRY_A_RCV_NXT, 2);
	mnl_attr_put_u32(nlh, TWCTL_ENTRY_A_BOUND_IF, 3);
	mnl_attr_put_u32(nlh, TWCTL_ENTRY_A_MARK, 4);
	mnl_attr_put_u32(nlh, TWCTL_ENTRY_A_AGE_MS, 59000);
	mnl_attr_put_u8(nlh, TWCTL_ENTRY_A_AGE_SOURCE, i % 3);
	mnl_attr_put_u32(nlh, TWCTL_ENTRY_A_RTO_MS, 200);
	mnl_attr_put_u8(nlh, TWCTL_ENTRY_A_RTO_SOURCE, i % 3);
	mnl_attr_put_u32(nlh, TWCTL_ENTRY_A_SRTT_US, 1000);
	mnl_attr_put_u32(nlh, TWCTL_ENTRY_A_RECYCLE_AFTER_MS, 700);
	mnl_attr_put_u8(nlh, TWCTL_ENTRY_A_RECYCLE_ELIGIBLE, i & 1);
	mnl_attr_put_u8(nlh, TWCTL_ENTRY_A_RECYCLE_REASON, i % 6);
	mnl_attr_put_u8(nlh, TWCTL_ENTRY_A_REUSE_ELIGIBLE, 0);
	mnl_attr_put_u8(nlh, TWCTL_ENTRY_A_REUSE_REASON, i % 7);
	mnl_attr_put_u32(nlh, TWCTL_ENTRY_A_NETNS, 4026531840U);
	mnl_attr_nest_end(nlh, n);
	end(nlh);
}

static void group(int v6, unsigned int i)
{
	struct nlmsghdr *nlh = msg(FAM, NLM_F_MULTI, TWCTL_CMD_GET_SUMMARY);
	struct nlattr *n = mnl_attr_nest_start(nlh, TWCTL_A_GROUP);
	uint8_t a[16] = { 192, 168, 0, (uint8_t)i };

	mnl_attr_put_u8(nlh, TWCTL_GROUP_A_FAMILY, v6 ? AF_INET6 : AF_INET);
	mnl_attr_put_u16(nlh, TWCTL_GROUP_A_LPORT, 80);
	mnl_attr_put(nlh, TWCTL_GROUP_A_RADDR, v6 ? 16 : 4, a);
	mnl_attr_put_u16(nlh, TWCTL_GROUP_A_RPORT, 443);
	mnl_attr_put_u32(nlh, TWCTL_GROUP_A_COUNT, 1000 - i);
	mnl_attr_put_u32(nlh, TWCTL_GROUP_A_MAX_AGE_MS, 59999);
	mnl_attr_put_u32(nlh, TWCTL_GROUP_A_MIN_REMAINING_MS, 12);
	mnl_attr_put_u32(nlh, TWCTL_GROUP_A_RECYCLE_ELIGIBLE, 3);
	mnl_attr_put_u32(nlh, TWCTL_GROUP_A_EPHEMERAL, 27000);
	mnl_attr_put_u32(nlh, TWCTL_GROUP_A_EPHEMERAL_RANGE, 28232);
	mnl_attr_nest_end(nlh, n);
	end(nlh);
}

static void filter(struct nlmsghdr *nlh)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, TWCTL_A_FILTER);
	uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8 }, a4[4] = { 10, 1, 0, 0 };

	mnl_attr_put_u8(nlh, TWCTL_FILTER_A_FAMILY, AF_INET6);
	mnl_attr_put_u16(nlh, TWCTL_FILTER_A_LPORT_MIN, 1000);
	mnl_attr_put_u16(nlh, TWCTL_FILTER_A_LPORT_MAX, 2000);
	mnl_attr_put_u16(nlh, TWCTL_FILTER_A_RPORT_MIN, 443);
	mnl_attr_put(nlh, TWCTL_FILTER_A_LADDR, 16, a6);
	mnl_attr_put_u8(nlh, TWCTL_FILTER_A_LADDR_PREFIX, 32);
	mnl_attr_put(nlh, TWCTL_FILTER_A_RADDR, 4, a4);
	mnl_attr_put_u8(nlh, TWCTL_FILTER_A_RADDR_PREFIX, 16);
	mnl_attr_put_u32(nlh, TWCTL_FILTER_A_STATES, 3);
	mnl_attr_put_u32(nlh, TWCTL_FILTER_A_REMAINING_MAX_MS, 60000);
	mnl_attr_put_u32(nlh, TWCTL_FILTER_A_REMAINING_MIN_MS, 1500);
	mnl_attr_put_u64(nlh, TWCTL_FILTER_A_COOKIE, 0x1f);
	mnl_attr_put(nlh, TWCTL_FILTER_A_RECYCLE_ELIGIBLE, 0, NULL);
	mnl_attr_put(nlh, TWCTL_FILTER_A_REUSE_ELIGIBLE, 0, NULL);
	mnl_attr_put_u32(nlh, TWCTL_FILTER_A_AGE_MIN_MS, 30000);
	mnl_attr_nest_end(nlh, n);
}

/* An error for the request fuzz_decode builds, with every extack TLV. */
static void error_msg(int error, int capped)
{
	struct nlmsghdr *nlh = msg(NLMSG_ERROR, NLM_F_ACK_TLVS |
				   (capped ? NLM_F_CAPPED : 0), 0);
	struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	struct nlattr *pol;

	e->error = error;
	e->msg.nlmsg_len = sizeof(struct nlmsghdr);
	e->msg.nlmsg_type = FAM;
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "Attribute failed policy validation");
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, 24);
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_MISS_TYPE, TWCTL_FILTER_A_LPORT_MIN);
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_MISS_NEST, 20);
	pol = mnl_attr_nest_start(nlh, NLMSGERR_ATTR_POLICY);
	mnl_attr_put_u64(nlh, NL_POLICY_TYPE_ATTR_MIN_VALUE_U, 1);
	mnl_attr_put_u64(nlh, NL_POLICY_TYPE_ATTR_MAX_VALUE_U, 65535);
	mnl_attr_nest_end(nlh, pol);
	end(nlh);
}

static void write_seed(const char *dir, const char *name, uint8_t kind,
		       uint8_t sel)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fputc(kind, f) == EOF || fputc(sel, f) == EOF ||
	    fwrite(buf, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
	len = 0;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : ".";
	struct nlmsghdr *nlh;
	struct nlattr *grps, *grp;
	unsigned int i;

	for (i = 1; i <= 3; i++)
		entry(i == 2, i);
	done(0);
	write_seed(dir, "entries-json", 0, 1);
	for (i = 1; i <= 3; i++)
		entry(i != 2, i);
	done(-12);
	write_seed(dir, "entries-table-done-error", 0, 0);
	entry(0, 9);
	error_msg(-22, 1);
	write_seed(dir, "entries-script-extack", 0, 2);

	for (i = 1; i <= 3; i++)
		group(i == 3, i);
	done(0);
	write_seed(dir, "groups-dest-json", 1, 1 + 3 * 3);
	for (i = 1; i <= 2; i++)
		group(0, i);
	done(0);
	write_seed(dir, "groups-raddr-table", 1, 0 + 3 * 2);

	nlh = msg(FAM, 0, TWCTL_CMD_KILL_EVENT);
	mnl_attr_put_u32(nlh, TWCTL_A_EVENT_PID, 1234);
	mnl_attr_put_u32(nlh, TWCTL_A_EVENT_UID, 0);
	mnl_attr_put(nlh, TWCTL_A_EVENT_COMM, 16, "twctl\033[2Jxxxxxxxx");
	mnl_attr_put_u32(nlh, TWCTL_A_EVENT_NETNS, 4026531840U);
	mnl_attr_put_u32(nlh, TWCTL_A_MATCHED, 10);
	mnl_attr_put_u32(nlh, TWCTL_A_KILLED, 9);
	mnl_attr_put_u32(nlh, TWCTL_A_LIMIT, 10);
	filter(nlh);
	end(nlh);
	write_seed(dir, "event-json", 2, 1);

	nlh = msg(FAM, 0, TWCTL_CMD_GET_INFO);
	mnl_attr_put_strz(nlh, TWCTL_A_VERSION, "0.1.0");
	mnl_attr_put_u32(nlh, TWCTL_A_TW_COUNT, 5);
	mnl_attr_put_u16(nlh, TWCTL_A_PORT_RANGE_LO, 32768);
	mnl_attr_put_u16(nlh, TWCTL_A_PORT_RANGE_HI, 60999);
	mnl_attr_put_u8(nlh, TWCTL_A_TW_REUSE, 2);
	mnl_attr_put_u32(nlh, TWCTL_A_TW_REUSE_DELAY_MS, 1000);
	mnl_attr_put_u8(nlh, TWCTL_A_CAPTURE_ACTIVE, 1);
	end(nlh);
	error_msg(0, 0);
	write_seed(dir, "info", 3, 0);

	nlh = msg(GENL_ID_CTRL, 0, CTRL_CMD_NEWFAMILY);
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, FAM);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, TWCTL_GENL_NAME);
	mnl_attr_put_u32(nlh, CTRL_ATTR_VERSION, TWCTL_GENL_VERSION);
	grps = mnl_attr_nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
	grp = mnl_attr_nest_start(nlh, 1);
	mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, 7);
	mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME, TWCTL_MCGRP_EVENTS);
	mnl_attr_nest_end(nlh, grp);
	mnl_attr_nest_end(nlh, grps);
	end(nlh);
	write_seed(dir, "family", 4, 0);
	return 0;
}

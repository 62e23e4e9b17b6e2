// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_decode.c - the receive side, offline: fake kernel replies are built
 * with libmnl exactly as the module lays them out, then run through the
 * real message loop (nl_process) and formatters, and the text is checked.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "commands.h"
#include "error.h"
#include "harness.h"
#include "netlink.h"
#include "netns_names.h"

#define FAKE_FAMILY	0x1d
#define SEQ		42
#define PORTID		99

struct fake {
	char buf[32768];
	size_t len;
};

static struct nlmsghdr *fake_begin(struct fake *f, uint16_t type,
				   uint16_t flags, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(f->buf + f->len);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = PORTID;
	return nlh;
}

static struct nlmsghdr *fake_genl(struct fake *f, uint8_t cmd, uint16_t flags,
				  uint32_t seq)
{
	struct nlmsghdr *nlh = fake_begin(f, FAKE_FAMILY, flags, seq);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	g->cmd = cmd;
	g->version = TWCTL_GENL_VERSION;
	return nlh;
}

static void fake_end(struct fake *f, struct nlmsghdr *nlh)
{
	f->len += NLMSG_ALIGN(nlh->nlmsg_len);
}

static void fake_done(struct fake *f, int status)
{
	struct nlmsghdr *nlh = fake_begin(f, NLMSG_DONE, NLM_F_MULTI, SEQ);
	int *p = mnl_nlmsg_put_extra_header(nlh, sizeof(int));

	*p = status;
	fake_end(f, nlh);
}

struct fake_entry {
	int family;
	const char *laddr, *raddr;
	uint16_t lport, rport;
	uint8_t state;
	uint32_t remaining;
	uint64_t cookie;
	uint8_t timestamps;
	uint32_t ts_recent, ts_recent_age, snd_nxt, rcv_nxt, bound_if;
	bool has_mark;
	uint32_t mark;
	bool judged;		/* a module that sends age/RTO/verdicts */
	uint32_t age;
	uint8_t age_source;
	uint32_t rto;
	uint8_t rto_source;
	uint32_t srtt, recycle_after;
	uint8_t recycle_eligible, recycle_reason;
	uint8_t reuse_eligible, reuse_reason;
};

static void put_addr(struct nlmsghdr *nlh, int type, int family,
		     const char *text)
{
	uint8_t a[16];

	inet_pton(family, text, a);
	mnl_attr_put(nlh, type, family == AF_INET ? 4 : 16, a);
}

/* Laid out as module/entry.c's twctl_entry_put() does, PAD included. */
static void put_entry(struct fake *f, const struct fake_entry *e,
		      uint16_t flags)
{
	struct nlmsghdr *nlh = fake_genl(f, TWCTL_CMD_GET_ENTRIES,
					 NLM_F_MULTI | flags, SEQ);
	struct nlattr *nest = mnl_attr_nest_start(nlh, TWCTL_A_ENTRY);

	mnl_attr_put_u8(nlh, TWCTL_ENTRY_A_FAMILY, e->family);
	put_addr(nlh, TWCTL_ENTRY_A_LADDR, e->family, e->laddr);
	mnl_attr_put_u16(nlh, TWCTL_ENTRY_A_LPORT, e->lport);
	put_addr(nlh, TWCTL_ENTRY_A_RADDR, e->family, e->raddr);
	mnl_attr_put_u16(nlh, TWCTL_ENTRY_A_RPORT, e->rport);
	mnl_attr_put_u8(nlh, TWCTL_ENTRY_A_STATE, e->state);
	mnl_attr_put_u32(nlh, TWCTL_ENTRY_A_REMAINING_MS, e->remaining);
	mnl_attr_put(nlh, TWCTL_ENTRY_A_PAD, 0, NULL);
	mnl_attr_put_u64(nlh, TWCTL_ENTRY_A_COOKIE, e->cookie);
	mnl_attr_put_u8(nlh, TWCTL_ENTRY_A_TIMESTAMPS, e->timestamps);
	mnl_attr_put_u32(nlh, TWCTL_ENTRY_A_TS_RECENT, e->ts_recent);
	mnl_attr_put_u32(nlh, TWCTL_ENTRY_A_TS_RECENT_AGE_MS, e->ts_recent_age);
	mnl_attr_put_u32(nlh, TWCTL_ENTRY_A_SND_NXT, e->snd_nxt);
	mnl_attr_put_u32(nlh, TWCTL_ENTRY_A_RCV_NXT, e->rcv_nxt);
	mnl_attr_put_u32(nlh, TWCTL_ENTRY_A_BOUND_IF, e->bound_if);
	if (e->has_mark)
		mnl_attr_put_u32(nlh, TWCTL_ENTRY_A_MARK, e->mark);
	if (e->judged) {
		mnl_attr_put_u32(nlh, TWCTL_ENTRY_A_AGE_MS, e->age);
		mnl_attr_put_u8(nlh, TWCTL_ENTRY_A_AGE_SOURCE, e->age_source);
		mnl_attr_put_u32(nlh, TWCTL_ENTRY_A_RTO_MS, e->rto);
		mnl_attr_put_u8(nlh, TWCTL_ENTRY_A_RTO_SOURCE, e->rto_source);
		mnl_attr_put_u32(nlh, TWCTL_ENTRY_A_SRTT_US, e->srtt);
		mnl_attr_put_u32(nlh, TWCTL_ENTRY_A_RECYCLE_AFTER_MS,
				 e->recycle_after);
		mnl_attr_put_u8(nlh, TWCTL_ENTRY_A_RECYCLE_ELIGIBLE,
				e->recycle_eligible);
		mnl_attr_put_u8(nlh, TWCTL_ENTRY_A_RECYCLE_REASON,
				e->recycle_reason);
		mnl_attr_put_u8(nlh, TWCTL_ENTRY_A_REUSE_ELIGIBLE,
				e->reuse_eligible);
		mnl_attr_put_u8(nlh, TWCTL_ENTRY_A_REUSE_REASON,
				e->reuse_reason);
	}
	mnl_attr_nest_end(nlh, nest);
	fake_end(f, nlh);
}

static const struct fake_entry e_v4 = {
	.family = AF_INET, .laddr = "10.0.0.1", .raddr = "10.0.0.2",
	.lport = 45678, .rport = 80, .state = TWCTL_STATE_TIME_WAIT,
	.remaining = 59200, .cookie = 0x1a2b, .timestamps = 1,
	.ts_recent = 123456, .ts_recent_age = 1000, .snd_nxt = 1000,
	.rcv_nxt = 2000, .judged = true, .age = 800,
	.age_source = TWCTL_AGE_SOURCE_CAPTURED, .rto = 204,
	.rto_source = TWCTL_RTO_SOURCE_CAPTURED, .srtt = 1500,
	.recycle_after = 714, .recycle_eligible = 1,
	.recycle_reason = TWCTL_RECYCLE_ELIGIBLE, .reuse_eligible = 0,
	.reuse_reason = TWCTL_REUSE_NOT_LOOPBACK,
};

static const struct fake_entry e_mapped = {
	.family = AF_INET6, .laddr = "::ffff:127.0.0.1",
	.raddr = "::ffff:127.0.0.1", .lport = 5000, .rport = 6000,
	.state = TWCTL_STATE_FIN_WAIT2, .remaining = 1500,
	.cookie = UINT64_MAX, .snd_nxt = 1, .rcv_nxt = 2, .bound_if = 3,
	.has_mark = true, .mark = 7, .judged = true, .age = 58500,
	.age_source = TWCTL_AGE_SOURCE_TIMER, .rto = 200,
	.rto_source = TWCTL_RTO_SOURCE_ASSUMED, .recycle_after = 700,
	.recycle_reason = TWCTL_RECYCLE_FIN_WAIT2,
	.reuse_reason = TWCTL_REUSE_FIN_WAIT2,
};

/* An older module: no age, RTO or verdicts. */
static const struct fake_entry e_old = {
	.family = AF_INET6, .laddr = "2001:db8::1", .raddr = "2001:db8::2",
	.lport = 443, .rport = 55555, .state = TWCTL_STATE_TIME_WAIT,
	.remaining = 30000, .cookie = 1, .timestamps = 1, .ts_recent = 5,
};

#define JSON_V4 \
	"{\"family\":\"inet\",\"local\":\"10.0.0.1\",\"lport\":45678," \
	"\"remote\":\"10.0.0.2\",\"rport\":80,\"state\":\"TIME_WAIT\"," \
	"\"remaining_ms\":59200,\"cookie\":6699,\"timestamps\":true," \
	"\"ts_recent\":123456,\"ts_recent_age_ms\":1000,\"snd_nxt\":1000," \
	"\"rcv_nxt\":2000,\"bound_if\":0,\"age_ms\":800," \
	"\"age_source\":\"captured\",\"rto_ms\":204,\"rto_source\":\"captured\"," \
	"\"srtt_us\":1500,\"recycle_after_ms\":714,\"recycle_eligible\":true," \
	"\"recycle_reason\":\"eligible\",\"reuse_eligible\":false," \
	"\"reuse_reason\":\"not-loopback\"}"
#define JSON_MAPPED \
	"{\"family\":\"inet6\",\"local\":\"::ffff:127.0.0.1\",\"lport\":5000," \
	"\"remote\":\"::ffff:127.0.0.1\",\"rport\":6000,\"state\":\"FIN_WAIT2\"," \
	"\"remaining_ms\":1500,\"cookie\":18446744073709551615," \
	"\"timestamps\":false,\"ts_recent\":0,\"ts_recent_age_ms\":0," \
	"\"snd_nxt\":1,\"rcv_nxt\":2,\"bound_if\":3,\"mark\":7,\"age_ms\":58500," \
	"\"age_source\":\"timer\",\"rto_ms\":200,\"rto_source\":\"assumed\"," \
	"\"srtt_us\":0,\"recycle_after_ms\":700,\"recycle_eligible\":false," \
	"\"recycle_reason\":\"fin-wait2\",\"reuse_eligible\":false," \
	"\"reuse_reason\":\"fin-wait2\"}"
#define JSON_OLD \
	"{\"family\":\"inet6\",\"local\":\"2001:db8::1\",\"lport\":443," \
	"\"remote\":\"2001:db8::2\",\"rport\":55555,\"state\":\"TIME_WAIT\"," \
	"\"remaining_ms\":30000,\"cookie\":1,\"timestamps\":true," \
	"\"ts_recent\":5,\"ts_recent_age_ms\":0,\"snd_nxt\":0,\"rcv_nxt\":0," \
	"\"bound_if\":0}"

static void batch(struct nl_batch *b, nl_msg_cb cb, void *data,
		  const struct nlmsghdr *req)
{
	memset(b, 0, sizeof(*b));
	b->seq = SEQ;
	b->portid = PORTID;
	b->family_id = FAKE_FAMILY;
	b->req = req;
	b->cb = cb;
	b->data = data;
}

/* Run a fake dump through nl_process and the entry formatter. */
static const char *dump_entries_ext(struct fake *f, enum output_format fmt,
				    bool collect, enum sort_key key,
				    bool reverse, uint32_t limit, bool extended,
				    int *rc)
{
	static char out[16384];
	struct entry_out o;
	struct nl_batch b;
	FILE *tmp = tmpfile();

	entry_out_init(&o, tmp, fmt, collect);
	o.extended = extended;
	entry_out_begin(&o);
	batch(&b, entry_out_msg, &o, NULL);
	*rc = nl_process(&b, f->buf, f->len);
	if (*rc == 1)
		entry_out_finish(&o, key, reverse, limit);
	snprintf(out, sizeof(out), "%s", t_slurp(tmp));
	fclose(tmp);
	entry_out_free(&o);
	return out;
}

static const char *dump_entries(struct fake *f, enum output_format fmt,
				bool collect, enum sort_key key, bool reverse,
				uint32_t limit, int *rc)
{
	return dump_entries_ext(f, fmt, collect, key, reverse, limit, false,
				rc);
}

static void test_entries(void)
{
	struct fake f = { .len = 0 };
	const char *s;
	int rc;

	put_entry(&f, &e_v4, 0);
	put_entry(&f, &e_mapped, 0);
	put_entry(&f, &e_old, 0);
	fake_done(&f, 0);

	s = dump_entries(&f, OUTPUT_JSON, false, SORT_NONE, false, 0, &rc);
	t_u64("entries: dump completes at NLMSG_DONE", rc, 1);
	t_str("entries: JSON array in kernel order", s,
	      "[" JSON_V4 "," JSON_MAPPED "," JSON_OLD "]");

	/* Fixed widths: rows stream; a long IPv6 cell pushes its row right. */
	s = dump_entries(&f, OUTPUT_TABLE, false, SORT_NONE, false, 0, &rc);
	t_str("entries: table, fixed widths", s,
	      "State       Local Address:Port       Peer Address:Port          Left  Cookie\n"
	      "TIME-WAIT   10.0.0.1:45678           10.0.0.2:80               59.2s  sk:1a2b\n"
	      "FIN-WAIT-2  [::ffff:127.0.0.1]:5000  [::ffff:127.0.0.1]:6000    1.5s  sk:ffffffffffffffff\n"
	      "TIME-WAIT   [2001:db8::1]:443        [2001:db8::2]:55555       30.0s  sk:1\n");
	s = dump_entries_ext(&f, OUTPUT_TABLE, false, SORT_NONE, false, 0, true,
			     &rc);
	t_str("entries: table -e: age, RTO and verdicts", s,
	      "State       Local Address:Port       Peer Address:Port          Left      Age      RTO  Recycle           Reuse             Cookie\n"
	      "TIME-WAIT   10.0.0.1:45678           10.0.0.2:80               59.2s    800ms    204ms  yes               no:not-loopback   sk:1a2b\n"
	      "FIN-WAIT-2  [::ffff:127.0.0.1]:5000  [::ffff:127.0.0.1]:6000    1.5s   ~58.5s   ~200ms  no:fin-wait2      no:fin-wait2      sk:ffffffffffffffff\n"
	      "TIME-WAIT   [2001:db8::1]:443        [2001:db8::2]:55555       30.0s        -        -  -                 -                 sk:1\n");

	s = dump_entries(&f, OUTPUT_SCRIPT, false, SORT_NONE, false, 0, &rc);
	t_str("entries: script lines", s,
	      "inet\tTIME_WAIT\t10.0.0.1\t45678\t10.0.0.2\t80\t59200\t800\tcaptured\t204\tcaptured\t1500\t6699\t1\t123456\t1000\t1000\t2000\t0\t-\t714\t1\teligible\t0\tnot-loopback\n"
	      "inet6\tFIN_WAIT2\t::ffff:127.0.0.1\t5000\t::ffff:127.0.0.1\t6000\t1500\t58500\ttimer\t200\tassumed\t0\t18446744073709551615\t0\t0\t0\t1\t2\t3\t7\t700\t0\tfin-wait2\t0\tfin-wait2\n"
	      "inet6\tTIME_WAIT\t2001:db8::1\t443\t2001:db8::2\t55555\t30000\t-\t-\t-\t-\t-\t1\t1\t5\t0\t0\t0\t0\t-\t-\t-\t-\t-\t-\n");

	s = dump_entries(&f, OUTPUT_JSON, true, SORT_REMAINING, false, 0, &rc);
	t_str("entries: --sort remaining", s,
	      "[" JSON_MAPPED "," JSON_OLD "," JSON_V4 "]");
	s = dump_entries(&f, OUTPUT_JSON, true, SORT_REMAINING, true, 2, &rc);
	t_str("entries: --sort remaining --reverse --limit 2", s,
	      "[" JSON_V4 "," JSON_OLD "]");
	s = dump_entries(&f, OUTPUT_JSON, true, SORT_LPORT, false, 1, &rc);
	t_str("entries: --sort lport --limit 1", s, "[" JSON_OLD "]");
	s = dump_entries(&f, OUTPUT_JSON, true, SORT_COOKIE, true, 1, &rc);
	t_str("entries: --sort cookie --reverse (full u64)", s,
	      "[" JSON_MAPPED "]");
	s = dump_entries(&f, OUTPUT_JSON, true, SORT_LOCAL, false, 1, &rc);
	t_str("entries: --sort local (inet before inet6)", s, "[" JSON_V4 "]");
	s = dump_entries(&f, OUTPUT_JSON, true, SORT_STATE, false, 1, &rc);
	t_str("entries: --sort state (FIN_WAIT2 first)", s,
	      "[" JSON_MAPPED "]");

	f.len = 0;
	fake_done(&f, 0);
	s = dump_entries(&f, OUTPUT_JSON, false, SORT_NONE, false, 0, &rc);
	t_str("entries: none is an empty array", s, "[]");
	s = dump_entries(&f, OUTPUT_TABLE, false, SORT_NONE, false, 0, &rc);
	t_str("entries: none is a header only", s,
	      "State       Local Address:Port       Peer Address:Port          Left  Cookie\n");
}

struct counter {
	int n;
};

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	((struct counter *)data)->n++;
	return 0;
}

static void test_message_loop(void)
{
	struct fake f = { .len = 0 }, g = { .len = 0 };
	struct counter c = { 0 };
	struct nl_batch b;
	struct nlmsghdr *nlh;
	int r;

	/* A reply split over two reads. */
	put_entry(&f, &e_v4, 0);
	put_entry(&f, &e_old, 0);
	put_entry(&g, &e_mapped, 0);
	fake_done(&g, 0);
	batch(&b, count_cb, &c, NULL);
	r = nl_process(&b, f.buf, f.len);
	t_true("loop: first read wants more", r == 0 && c.n == 2);
	r = nl_process(&b, g.buf, g.len);
	t_true("loop: second read completes", r == 1 && c.n == 3 && !b.intr);

	/* A stale reply of another sequence number is not ours. */
	f.len = 0;
	nlh = fake_genl(&f, TWCTL_CMD_GET_ENTRIES, NLM_F_MULTI, SEQ - 1);
	fake_end(&f, nlh);
	put_entry(&f, &e_v4, 0);
	fake_done(&f, 0);
	c.n = 0;
	batch(&b, count_cb, &c, NULL);
	r = nl_process(&b, f.buf, f.len);
	t_true("loop: stale sequence skipped", r == 1 && c.n == 1);

	/* NLM_F_DUMP_INTR: flagged, and the doomed attempt is not formatted. */
	f.len = 0;
	put_entry(&f, &e_v4, 0);
	put_entry(&f, &e_old, NLM_F_DUMP_INTR);
	put_entry(&f, &e_mapped, 0);
	fake_done(&f, 0);
	c.n = 0;
	batch(&b, count_cb, &c, NULL);
	r = nl_process(&b, f.buf, f.len);
	t_true("loop: DUMP_INTR detected, rest skipped",
	       r == 1 && b.intr && c.n == 1);
	c.n = 0;
	batch(&b, count_cb, &c, NULL);
	b.keep_interrupted = true;
	r = nl_process(&b, f.buf, f.len);
	t_true("loop: last attempt keeps interrupted output",
	       r == 1 && b.intr && c.n == 3);

	/* DUMP_INTR on NLMSG_DONE alone counts too. */
	f.len = 0;
	put_entry(&f, &e_v4, 0);
	nlh = fake_begin(&f, NLMSG_DONE, NLM_F_MULTI | NLM_F_DUMP_INTR, SEQ);
	*(int *)mnl_nlmsg_put_extra_header(nlh, sizeof(int)) = 0;
	fake_end(&f, nlh);
	batch(&b, count_cb, &c, NULL);
	t_true("loop: DUMP_INTR on DONE detected",
	       nl_process(&b, f.buf, f.len) == 1 && b.intr);

	/* A message claiming more bytes than were received. */
	f.len = 0;
	put_entry(&f, &e_v4, 0);
	err_clear();
	batch(&b, count_cb, &c, NULL);
	t_true("loop: truncated message rejected",
	       nl_process(&b, f.buf, f.len - 8) == -1);
	t_str("loop: truncated message error", err_msg(),
	      "malformed netlink message from the kernel");

	/*
	 * Found by tests/fuzz/cli (fuzz_decode): a length of 2 GiB or more
	 * passed libmnl's signed check and the loop walked off the buffer.
	 */
	{
		uint32_t huge[6] = { 0xd5d5d5d5, 0x0101d5d5, 0, 0, 0, 0 };
		int status = -1, r;
		pid_t pid;

		/* In a child: walking off the buffer may well crash. */
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			alarm(10);	/* a loop that never ends fails too */
			c.n = 0;
			err_clear();
			batch(&b, count_cb, &c, NULL);
			b.seq = 0;
			b.portid = 0;
			r = nl_process(&b, huge, sizeof(huge));
			_exit(r == -1 && c.n == 0 &&
			      !strcmp(err_msg(), "malformed netlink message from the kernel") ?
			      0 : 1);
		}
		if (pid > 0)
			waitpid(pid, &status, 0);
		t_check(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
			"loop: nlmsg_len beyond 2 GiB rejected as malformed",
			"child %s %d", WIFSIGNALED(status) ? "died of signal" :
			"exited", WIFSIGNALED(status) ? WTERMSIG(status) :
			WEXITSTATUS(status));
	}
}

static void test_bad_entries(void)
{
	struct fake f = { .len = 0 };
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct entry_out o;
	struct nl_batch b;
	uint8_t a16[16] = { 0 };
	int r;

	nlh = fake_genl(&f, TWCTL_CMD_GET_ENTRIES, NLM_F_MULTI, SEQ);
	nest = mnl_attr_nest_start(nlh, TWCTL_A_ENTRY);
	mnl_attr_put_u8(nlh, TWCTL_ENTRY_A_FAMILY, AF_INET);
	mnl_attr_put_u32(nlh, TWCTL_ENTRY_A_LPORT, 80);
	mnl_attr_nest_end(nlh, nest);
	fake_end(&f, nlh);
	entry_out_init(&o, stdout, OUTPUT_JSON, false);
	batch(&b, entry_out_msg, &o, NULL);
	r = nl_process(&b, f.buf, f.len);
	t_true("bad entry: u16 sent as u32 rejected", r == -1);
	t_str("bad entry: message", err_msg(),
	      "malformed entry from the kernel: attribute 4 has 4 bytes");
	entry_out_free(&o);

	f.len = 0;
	nlh = fake_genl(&f, TWCTL_CMD_GET_ENTRIES, NLM_F_MULTI, SEQ);
	nest = mnl_attr_nest_start(nlh, TWCTL_A_ENTRY);
	mnl_attr_put_u8(nlh, TWCTL_ENTRY_A_FAMILY, AF_INET);
	mnl_attr_put(nlh, TWCTL_ENTRY_A_LADDR, 16, a16);
	mnl_attr_nest_end(nlh, nest);
	fake_end(&f, nlh);
	entry_out_init(&o, stdout, OUTPUT_JSON, false);
	batch(&b, entry_out_msg, &o, NULL);
	t_true("bad entry: inet with a 16-byte address rejected",
	       nl_process(&b, f.buf, f.len) == -1);
	t_contains("bad entry: family mismatch message", err_msg(),
		   "address length does not match");
	entry_out_free(&o);

	/* A newer module's unknown attribute is ignored. */
	f.len = 0;
	nlh = fake_genl(&f, TWCTL_CMD_GET_ENTRIES, NLM_F_MULTI, SEQ);
	nest = mnl_attr_nest_start(nlh, TWCTL_A_ENTRY);
	mnl_attr_put_u8(nlh, TWCTL_ENTRY_A_FAMILY, AF_INET);
	mnl_attr_put_u16(nlh, TWCTL_ENTRY_A_LPORT, 80);
	mnl_attr_put_u32(nlh, 200, 1);
	mnl_attr_nest_end(nlh, nest);
	fake_end(&f, nlh);
	fake_done(&f, 0);
	r = 0;
	t_str("unknown entry attribute ignored",
	      dump_entries(&f, OUTPUT_JSON, false, SORT_NONE, false, 0, &r),
	      "[{\"family\":\"inet\",\"lport\":80}]");
}

/* An NLMSG_ERROR as the kernel sends it with NETLINK_CAP_ACK/EXT_ACK. */
static struct nlmsghdr *fake_error(struct fake *f, int error,
				   const struct nlmsghdr *req, bool capped)
{
	struct nlmsghdr *nlh = fake_begin(f, NLMSG_ERROR,
					  NLM_F_ACK_TLVS |
					  (capped ? NLM_F_CAPPED : 0), SEQ);
	struct nlmsgerr *e;
	size_t len = capped ? sizeof(*e) :
			      sizeof(e->error) + req->nlmsg_len;

	e = mnl_nlmsg_put_extra_header(nlh, len);
	e->error = -error;
	memcpy(&e->msg, req, capped ? sizeof(*req) : req->nlmsg_len);
	return nlh;
}

static uint32_t offset_of(const struct nlmsghdr *req, unsigned int top,
			  int nested)
{
	const struct nlattr *a, *n;

	mnl_attr_for_each(a, req, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) != top)
			continue;
		if (nested < 0)
			return (const char *)a - (const char *)req;
		mnl_attr_for_each_nested(n, a)
			if (mnl_attr_get_type(n) == (unsigned int)nested)
				return (const char *)n - (const char *)req;
	}
	return 0;
}

static const char *run_error(struct fake *f, const struct nlmsghdr *req,
			     int *rc, int *err)
{
	struct nl_batch b;

	err_clear();
	batch(&b, NULL, NULL, req);
	*rc = nl_process(&b, f->buf, f->len);
	*err = b.err;
	return err_msg();
}

static void test_errors(void)
{
	static char reqbuf[4096];
	struct nlmsghdr *req, *nlh;
	struct genlmsghdr *g;
	struct fake f = { .len = 0 };
	struct nlattr *nest;
	const char *msg;
	int rc, err;

	req = mnl_nlmsg_put_header(reqbuf);
	req->nlmsg_type = FAKE_FAMILY;
	req->nlmsg_seq = SEQ;
	g = mnl_nlmsg_put_extra_header(req, sizeof(*g));
	g->cmd = TWCTL_CMD_GET_SUMMARY;
	mnl_attr_put_u32(req, TWCTL_A_LIMIT, 0);
	nest = mnl_attr_nest_start(req, TWCTL_A_FILTER);
	mnl_attr_put_u16(req, TWCTL_FILTER_A_LPORT_MIN, 90);
	mnl_attr_put_u16(req, TWCTL_FILTER_A_LPORT_MAX, 80);
	mnl_attr_nest_end(req, nest);

	nlh = fake_error(&f, EINVAL, req, true);
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG,
			  "port range maximum is below its minimum");
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS,
			 offset_of(req, TWCTL_A_FILTER, TWCTL_FILTER_A_LPORT_MAX));
	fake_end(&f, nlh);
	msg = run_error(&f, req, &rc, &err);
	t_true("extack: request fails", rc == -1 && err == EINVAL &&
	       err_code() == EXIT_FAIL);
	t_str("extack: message, nested offending attribute, strerror", msg,
	      "port range maximum is below its minimum [TWCTL_FILTER_A_LPORT_MAX] (Invalid argument)");

	f.len = 0;
	nlh = fake_error(&f, ERANGE, req, false);
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "integer out of range");
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS,
			 offset_of(req, TWCTL_A_LIMIT, -1));
	nest = mnl_attr_nest_start(nlh, NLMSGERR_ATTR_POLICY);
	mnl_attr_put_u32(nlh, NL_POLICY_TYPE_ATTR_TYPE, NL_ATTR_TYPE_U32);
	mnl_attr_put_u64(nlh, NL_POLICY_TYPE_ATTR_MIN_VALUE_U, 1);
	mnl_attr_put_u64(nlh, NL_POLICY_TYPE_ATTR_MAX_VALUE_U, 4294967295ULL);
	mnl_attr_nest_end(nlh, nest);
	fake_end(&f, nlh);
	msg = run_error(&f, req, &rc, &err);
	t_str("extack: uncapped error, policy range", msg,
	      "integer out of range [TWCTL_A_LIMIT, allowed 1-4294967295] (Numerical result out of range)");

	f.len = 0;
	nlh = fake_error(&f, EINVAL, req, true);
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "missing attribute");
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_MISS_TYPE, TWCTL_A_GROUP_BY);
	fake_end(&f, nlh);
	t_str("extack: missing top-level attribute",
	      run_error(&f, req, &rc, &err),
	      "missing attribute [missing TWCTL_A_GROUP_BY] (Invalid argument)");

	f.len = 0;
	nlh = fake_error(&f, EINVAL, req, true);
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_MISS_TYPE, TWCTL_FILTER_A_LADDR);
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_MISS_NEST,
			 offset_of(req, TWCTL_A_FILTER, -1));
	fake_end(&f, nlh);
	t_str("extack: missing nested attribute, no message",
	      run_error(&f, req, &rc, &err),
	      "the kernel refused the summary request [missing TWCTL_FILTER_A_LADDR] (Invalid argument)");

	g->cmd = TWCTL_CMD_KILL;
	f.len = 0;
	nlh = fake_error(&f, EPERM, req, true);
	nlh->nlmsg_flags &= ~NLM_F_ACK_TLVS;
	fake_end(&f, nlh);
	t_str("error without extack", run_error(&f, req, &rc, &err),
	      "the kernel refused the kill request (Operation not permitted)");
	t_true("error without extack: errno kept", rc == -1 && err == EPERM);

	f.len = 0;
	nlh = fake_error(&f, 0, req, true);
	nlh->nlmsg_flags &= ~NLM_F_ACK_TLVS;
	fake_end(&f, nlh);
	run_error(&f, req, &rc, &err);
	t_true("ACK completes a request", rc == 1 && err == 0);

	/* A dump that fails midway reports it in NLMSG_DONE, with extack. */
	g->cmd = TWCTL_CMD_GET_ENTRIES;
	f.len = 0;
	put_entry(&f, &e_v4, 0);
	nlh = fake_begin(&f, NLMSG_DONE, NLM_F_MULTI | NLM_F_ACK_TLVS, SEQ);
	*(int *)mnl_nlmsg_put_extra_header(nlh, sizeof(int)) = -ENOMEM;
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "no memory for the walk");
	fake_end(&f, nlh);
	t_str("error in NLMSG_DONE with extack", run_error(&f, req, &rc, &err),
	      "no memory for the walk (Cannot allocate memory)");

	/* Offsets are only named for our own family's requests. */
	req->nlmsg_type = GENL_ID_CTRL;
	f.len = 0;
	nlh = fake_error(&f, EINVAL, req, true);
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "bad");
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS,
			 offset_of(req, TWCTL_A_LIMIT, -1));
	fake_end(&f, nlh);
	t_str("extack: other family's offsets not named",
	      run_error(&f, req, &rc, &err), "bad (Invalid argument)");

	/*
	 * Found by tests/fuzz/cli (fuzz_decode): an error field that is no
	 * errno (INT_MIN overflowed when negated; a positive one became a
	 * negative errno) is reported as a protocol error.
	 */
	req->nlmsg_type = FAKE_FAMILY;
	f.len = 0;
	nlh = fake_error(&f, EINVAL, req, true);
	((struct nlmsgerr *)mnl_nlmsg_get_payload(nlh))->error = INT_MIN;
	fake_end(&f, nlh);
	msg = run_error(&f, req, &rc, &err);
	t_check(rc == -1 && err == EPROTO && !strcmp(msg,
		"the kernel refused the list request (Protocol error)"),
		"error: INT_MIN error field", "rc %d err %d \"%s\"", rc, err, msg);
	f.len = 0;
	nlh = fake_error(&f, EINVAL, req, true);
	((struct nlmsgerr *)mnl_nlmsg_get_payload(nlh))->error = 5;
	fake_end(&f, nlh);
	msg = run_error(&f, req, &rc, &err);
	t_check(rc == -1 && err == EPROTO, "error: positive error field",
		"rc %d err %d \"%s\"", rc, err, msg);
	f.len = 0;
	fake_done(&f, INT_MIN);
	msg = run_error(&f, req, &rc, &err);
	t_check(rc == -1 && err == EPROTO && !strcmp(msg,
		"the kernel refused the list request (Protocol error)"),
		"error: INT_MIN dump status", "rc %d err %d \"%s\"", rc, err, msg);

	/*
	 * An echoed request whose length is no multiple of 4: the kernel
	 * puts the TLVs at the next aligned offset, and so must we look.
	 */
	f.len = 0;
	nlh = fake_begin(&f, NLMSG_ERROR, NLM_F_ACK_TLVS, SEQ);
	{
		struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh,
			sizeof(e->error) + NLMSG_ALIGN(sizeof(struct nlmsghdr) + 21));

		e->error = -EINVAL;
		e->msg = *req;
		e->msg.nlmsg_len = sizeof(struct nlmsghdr) + 21;
	}
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "odd request length");
	fake_end(&f, nlh);
	msg = run_error(&f, req, &rc, &err);
	t_check(rc == -1 && err == EINVAL &&
		!strcmp(msg, "odd request length (Invalid argument)"),
		"extack: TLVs after an unaligned echoed request",
		"rc %d err %d \"%s\"", rc, err, msg);
}

static const char *dump_groups(struct fake *f, enum output_format fmt,
			       uint8_t by)
{
	static char out[8192];
	struct group_out o;
	struct nl_batch b;
	FILE *tmp = tmpfile();
	int r;

	group_out_init(&o, fmt, by);
	group_out_reset(&o);
	batch(&b, group_out_msg, &o, NULL);
	r = nl_process(&b, f->buf, f->len);
	if (r == 1)
		group_out_print(&o, tmp);
	snprintf(out, sizeof(out), "%s", r == 1 ? t_slurp(tmp) : err_msg());
	fclose(tmp);
	group_out_free(&o);
	return out;
}

/* As module/summary.c's twctl_group_put() lays a group out. */
static void put_group(struct fake *f, uint8_t by, int family, const char *raddr,
		      uint16_t lport, uint16_t rport, uint32_t count,
		      uint32_t eph)
{
	struct nlmsghdr *nlh = fake_genl(f, TWCTL_CMD_GET_SUMMARY, NLM_F_MULTI,
					 SEQ);
	struct nlattr *nest = mnl_attr_nest_start(nlh, TWCTL_A_GROUP);

	if (by == TWCTL_GROUP_BY_LPORT)
		mnl_attr_put_u16(nlh, TWCTL_GROUP_A_LPORT, lport);
	if (by == TWCTL_GROUP_BY_RPORT || by == TWCTL_GROUP_BY_DEST)
		mnl_attr_put_u16(nlh, TWCTL_GROUP_A_RPORT, rport);
	if (by == TWCTL_GROUP_BY_RADDR || by == TWCTL_GROUP_BY_DEST) {
		mnl_attr_put_u8(nlh, TWCTL_GROUP_A_FAMILY, family);
		put_addr(nlh, TWCTL_GROUP_A_RADDR, family, raddr);
	}
	if (by == TWCTL_GROUP_BY_DEST) {
		mnl_attr_put_u32(nlh, TWCTL_GROUP_A_EPHEMERAL, eph);
		mnl_attr_put_u32(nlh, TWCTL_GROUP_A_EPHEMERAL_RANGE, 28232);
	}
	mnl_attr_put_u32(nlh, TWCTL_GROUP_A_COUNT, count);
	mnl_attr_put_u32(nlh, TWCTL_GROUP_A_MAX_AGE_MS, 59000);
	mnl_attr_put_u32(nlh, TWCTL_GROUP_A_MIN_REMAINING_MS, 100);
	mnl_attr_put_u32(nlh, TWCTL_GROUP_A_RECYCLE_ELIGIBLE, 5);
	mnl_attr_nest_end(nlh, nest);
	fake_end(f, nlh);
}

static void test_groups(void)
{
	struct fake f = { .len = 0 };

	put_group(&f, TWCTL_GROUP_BY_DEST, AF_INET, "10.0.0.2", 0, 80, 28000, 27000);
	put_group(&f, TWCTL_GROUP_BY_DEST, AF_INET6, "2001:db8::2", 0, 443, 7, 7);
	fake_done(&f, 0);
	t_str("summary dest: JSON", dump_groups(&f, OUTPUT_JSON, TWCTL_GROUP_BY_DEST),
	      "[{\"family\":\"inet\",\"remote\":\"10.0.0.2\",\"rport\":80,"
	      "\"count\":28000,\"max_age_ms\":59000,\"min_remaining_ms\":100,"
	      "\"eligible\":5,\"ephemeral\":27000,\"ephemeral_range\":28232,"
	      "\"ephemeral_pct\":95.6},"
	      "{\"family\":\"inet6\",\"remote\":\"2001:db8::2\",\"rport\":443,"
	      "\"count\":7,\"max_age_ms\":59000,\"min_remaining_ms\":100,"
	      "\"eligible\":5,\"ephemeral\":7,\"ephemeral_range\":28232,"
	      "\"ephemeral_pct\":0.0}]\n");
	t_str("summary dest: table with the EPHEMERAL column",
	      dump_groups(&f, OUTPUT_TABLE, TWCTL_GROUP_BY_DEST),
	      "Peer Address:Port  Count  Oldest  Soonest expiry  Eligible  Ephemeral ports used\n"
	      "10.0.0.2:80        28000   59.0s           100ms         5   27000/28232 (95.6%)\n"
	      "[2001:db8::2]:443      7   59.0s           100ms         5        7/28232 (0.0%)\n");
	t_str("summary dest: script",
	      dump_groups(&f, OUTPUT_SCRIPT, TWCTL_GROUP_BY_DEST),
	      "inet\t10.0.0.2\t80\t28000\t59000\t100\t5\t27000\t28232\n"
	      "inet6\t2001:db8::2\t443\t7\t59000\t100\t5\t7\t28232\n");

	f.len = 0;
	put_group(&f, TWCTL_GROUP_BY_LPORT, 0, NULL, 8080, 0, 3, 0);
	fake_done(&f, 0);
	t_str("summary lport: JSON", dump_groups(&f, OUTPUT_JSON, TWCTL_GROUP_BY_LPORT),
	      "[{\"lport\":8080,\"count\":3,\"max_age_ms\":59000,"
	      "\"min_remaining_ms\":100,\"eligible\":5}]\n");
	/*
	 * Found by tests/fuzz/cli (fuzz_decode): a port group without its
	 * port printed the uninitialised key buffer instead of "-".
	 */
	{
		struct fake g = { .len = 0 };

		put_group(&g, TWCTL_GROUP_BY_RADDR, AF_INET, "10.0.0.1", 0, 0,
			  3, 0);
		fake_done(&g, 0);
		t_str("summary lport: group without its port shows -",
		      dump_groups(&g, OUTPUT_TABLE, TWCTL_GROUP_BY_LPORT),
		      "Local Port  Count  Oldest  Soonest expiry  Eligible\n"
		      "         -      3   59.0s           100ms         5\n");
		t_str("summary rport: group without its port shows -",
		      dump_groups(&g, OUTPUT_TABLE, TWCTL_GROUP_BY_RPORT),
		      "Peer Port  Count  Oldest  Soonest expiry  Eligible\n"
		      "        -      3   59.0s           100ms         5\n");
	}
	t_str("summary lport: script", dump_groups(&f, OUTPUT_SCRIPT,
	      TWCTL_GROUP_BY_LPORT), "8080\t3\t59000\t100\t5\n");

	f.len = 0;
	put_group(&f, TWCTL_GROUP_BY_RPORT, 0, NULL, 0, 6379, 9, 0);
	fake_done(&f, 0);
	t_str("summary rport: JSON", dump_groups(&f, OUTPUT_JSON, TWCTL_GROUP_BY_RPORT),
	      "[{\"rport\":6379,\"count\":9,\"max_age_ms\":59000,"
	      "\"min_remaining_ms\":100,\"eligible\":5}]\n");

	f.len = 0;
	put_group(&f, TWCTL_GROUP_BY_RADDR, AF_INET6, "::ffff:10.1.2.3", 0, 0, 4, 0);
	fake_done(&f, 0);
	t_str("summary raddr: JSON", dump_groups(&f, OUTPUT_JSON, TWCTL_GROUP_BY_RADDR),
	      "[{\"family\":\"inet6\",\"remote\":\"::ffff:10.1.2.3\",\"count\":4,"
	      "\"max_age_ms\":59000,\"min_remaining_ms\":100,\"eligible\":5}]\n");
	t_str("summary raddr: table", dump_groups(&f, OUTPUT_TABLE,
	      TWCTL_GROUP_BY_RADDR),
	      "Peer Address     Count  Oldest  Soonest expiry  Eligible\n"
	      "::ffff:10.1.2.3      4   59.0s           100ms         5\n");
}

static struct nlmsghdr *fake_event(struct fake *f, bool with_filter)
{
	struct nlmsghdr *nlh = fake_genl(f, TWCTL_CMD_KILL_EVENT, 0, 0);

	mnl_attr_put_u32(nlh, TWCTL_A_EVENT_PID, 4242);
	mnl_attr_put_u32(nlh, TWCTL_A_EVENT_UID, 0);
	mnl_attr_put_strz(nlh, TWCTL_A_EVENT_COMM, "kill\tme\x1b");
	mnl_attr_put_u32(nlh, TWCTL_A_EVENT_NETNS, 4026531840U);
	mnl_attr_put_u32(nlh, TWCTL_A_MATCHED, 5);
	mnl_attr_put_u32(nlh, TWCTL_A_KILLED, 3);
	if (with_filter) {
		struct nlattr *nest;

		mnl_attr_put_u32(nlh, TWCTL_A_LIMIT, 10);
		nest = mnl_attr_nest_start(nlh, TWCTL_A_FILTER);
		mnl_attr_put_u16(nlh, TWCTL_FILTER_A_LPORT_MIN, 80);
		mnl_attr_put_u32(nlh, TWCTL_FILTER_A_STATES,
				 1U << TWCTL_STATE_TIME_WAIT);
		mnl_attr_nest_end(nlh, nest);
	}
	fake_end(f, nlh);
	return nlh;
}

static const char *event_text(const struct tw_event *ev,
			      enum output_format fmt)
{
	static char out[2048];
	FILE *tmp = tmpfile();

	event_print(tmp, fmt, ev, 1700000000123ULL);
	snprintf(out, sizeof(out), "%s", t_slurp(tmp));
	fclose(tmp);
	return out;
}

static void test_events(void)
{
	struct fake f = { .len = 0 };
	struct nlmsghdr *nlh;
	struct tw_event ev;
	int r;

	nlh = fake_event(&f, true);
	r = event_parse_msg(nlh, &ev);
	t_true("event: parsed", r == 0 && ev.pid == 4242 && ev.killed == 3 &&
	       ev.matched == 5 && ev.limit == 10);
	t_str("event: JSON line", event_text(&ev, OUTPUT_JSON),
	      "{\"time\":\"2023-11-14T22:13:20.123Z\",\"time_ms\":1700000000123,"
	      "\"pid\":4242,\"comm\":\"kill\\tme\\u001b\",\"uid\":0,"
	      "\"netns\":4026531840,\"matched\":5,\"killed\":3,\"limit\":10,"
	      "\"filter\":{\"lport_min\":80,\"states\":[\"TIME_WAIT\"]}}\n");
	t_contains("event: text line", event_text(&ev, OUTPUT_TABLE),
		   ".123 pid 4242 (kill?me?) uid 0 netns 4026531840: killed 3 of 5 (limit 10); filter: --lport 80 --state time-wait\n");
	t_str("event: script line", event_text(&ev, OUTPUT_SCRIPT),
	      "1700000000123\t4242\t0\tkill?me?\t4026531840\t5\t3\t10\t--lport 80 --state time-wait\n");

	f.len = 0;
	nlh = fake_event(&f, false);
	event_parse_msg(nlh, &ev);
	t_contains("event: no filter, no limit (text)",
		   event_text(&ev, OUTPUT_TABLE),
		   "killed 3 of 5; filter: all entries\n");
	t_contains("event: no filter, no limit (JSON)",
		   event_text(&ev, OUTPUT_JSON),
		   "\"matched\":5,\"killed\":3,\"filter\":{}}\n");

	f.len = 0;
	nlh = fake_genl(&f, TWCTL_CMD_GET_INFO, 0, 0);
	fake_end(&f, nlh);
	t_u64("event: other commands ignored", event_parse_msg(nlh, &ev), 1);
}

static void test_info_and_family(void)
{
	struct fake f = { .len = 0 };
	struct nlmsghdr *nlh;
	struct nlattr *groups, *grp;
	struct tw_info info;
	struct nl nl;

	nlh = fake_genl(&f, TWCTL_CMD_GET_INFO, 0, SEQ);
	mnl_attr_put_strz(nlh, TWCTL_A_VERSION, "0.1.0");
	mnl_attr_put_u32(nlh, TWCTL_A_TW_COUNT, 12);
	mnl_attr_put_u16(nlh, TWCTL_A_PORT_RANGE_LO, 32768);
	mnl_attr_put_u16(nlh, TWCTL_A_PORT_RANGE_HI, 60999);
	mnl_attr_put_u8(nlh, TWCTL_A_TW_REUSE, 2);
	mnl_attr_put_u32(nlh, TWCTL_A_TW_REUSE_DELAY_MS, 1000);
	mnl_attr_put_u8(nlh, TWCTL_A_CAPTURE_ACTIVE, 1);
	fake_end(&f, nlh);
	t_true("info: parsed", info_parse_msg(nlh, &info) == 0 &&
	       !strcmp(info.version, "0.1.0") && info.tw_count == 12 &&
	       info.port_lo == 32768 && info.port_hi == 60999 &&
	       info.tw_reuse == 2 && info.tw_reuse_delay_ms == 1000 &&
	       info.capture_active == 1);

	f.len = 0;
	nlh = fake_begin(&f, GENL_ID_CTRL, 0, SEQ);
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct genlmsghdr));
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, TWCTL_GENL_NAME);
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, 0x20);
	mnl_attr_put_u32(nlh, CTRL_ATTR_VERSION, 1);
	groups = mnl_attr_nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
	grp = mnl_attr_nest_start(nlh, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME, "other");
	mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, 5);
	mnl_attr_nest_end(nlh, grp);
	grp = mnl_attr_nest_start(nlh, 2);
	mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, 9);
	mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME, TWCTL_MCGRP_EVENTS);
	mnl_attr_nest_end(nlh, grp);
	mnl_attr_nest_end(nlh, groups);
	fake_end(&f, nlh);
	memset(&nl, 0, sizeof(nl));
	nl_family_parse(nlh, &nl);
	t_true("family reply: id, version, events group",
	       nl.family_id == 0x20 && nl.family_version == 1 &&
	       nl.events_group == 9);
}

/* As the module sends an entry: its struct, then the extras, as given. */
static void put_compact(struct fake *f, const struct twctl_entry_info *in,
			size_t in_len, const struct twctl_entry_judgement *j,
			const struct twctl_entry_secrets *sc)
{
	struct nlmsghdr *nlh = fake_genl(f, TWCTL_CMD_GET_ENTRIES, NLM_F_MULTI,
					 SEQ);
	char pad[128] = { 0 };

	memcpy(pad, in, sizeof(*in));
	mnl_attr_put(nlh, TWCTL_A_ENTRY_INFO, in_len, pad);
	if (j)
		mnl_attr_put(nlh, TWCTL_A_ENTRY_JUDGEMENT, sizeof(*j), j);
	if (sc)
		mnl_attr_put(nlh, TWCTL_A_ENTRY_SECRETS, sizeof(*sc), sc);
	fake_end(f, nlh);
}

static void test_compact_entries(void)
{
	struct twctl_entry_info in = {
		.family = AF_INET, .state = TWCTL_STATE_TIME_WAIT,
		.flags = TWCTL_ENTRY_F_TIMESTAMPS | TWCTL_ENTRY_F_RECYCLE_ELIGIBLE,
		.age_source = TWCTL_AGE_SOURCE_CAPTURED, .lport = 45678,
		.rport = 80, .laddr = { 10, 0, 0, 1 }, .raddr = { 10, 0, 0, 2 },
		.cookie = 0x1a2b, .remaining_ms = 59200, .age_ms = 800,
		.netns_ino = 4026531840U, .bound_if = 3,
	};
	struct twctl_entry_judgement j = {
		.rto_ms = 204, .srtt_us = 1500, .recycle_after_ms = 714,
		.rto_source = TWCTL_RTO_SOURCE_CAPTURED,
		.recycle_reason = TWCTL_RECYCLE_ELIGIBLE,
		.reuse_reason = TWCTL_REUSE_NOT_LOOPBACK,
	};
	struct twctl_entry_secrets sc = {
		.snd_nxt = 1000, .rcv_nxt = 2000, .ts_recent = 123456,
		.ts_recent_age_ms = 1000, .mark = 7,
	};
	struct fake f = { .len = 0 };
	const char *s;
	int rc;

	/* The default table needs the struct only. */
	put_compact(&f, &in, sizeof(in), NULL, NULL);
	fake_done(&f, 0);
	s = dump_entries(&f, OUTPUT_TABLE, false, SORT_NONE, false, 0, &rc);
	t_str("compact: table from the struct alone", s,
	      "State       Local Address:Port       Peer Address:Port          Left  Cookie\n"
	      "TIME-WAIT   10.0.0.1:45678           10.0.0.2:80               59.2s  sk:1a2b\n");
	s = dump_entries(&f, OUTPUT_JSON, false, SORT_NONE, false, 0, &rc);
	t_str("compact: JSON from the struct alone", s,
	      "[{\"family\":\"inet\",\"local\":\"10.0.0.1\",\"lport\":45678,"
	      "\"remote\":\"10.0.0.2\",\"rport\":80,\"state\":\"TIME_WAIT\","
	      "\"remaining_ms\":59200,\"cookie\":6699,\"timestamps\":true,"
	      "\"bound_if\":3,\"age_ms\":800,\"age_source\":\"captured\","
	      "\"recycle_eligible\":true,\"reuse_eligible\":false}]");

	/* With both extras: every key the nest format gave. */
	f.len = 0;
	put_compact(&f, &in, sizeof(in), &j, &sc);
	fake_done(&f, 0);
	s = dump_entries(&f, OUTPUT_SCRIPT, false, SORT_NONE, false, 0, &rc);
	t_str("compact: script line with the extras", s,
	      "inet\tTIME_WAIT\t10.0.0.1\t45678\t10.0.0.2\t80\t59200\t800\tcaptured\t204\tcaptured\t1500\t6699\t1\t123456\t1000\t1000\t2000\t3\t7\t714\t1\teligible\t0\tnot-loopback\n");
	s = dump_entries_ext(&f, OUTPUT_TABLE, false, SORT_NONE, false, 0, true,
			     &rc);
	t_str("compact: table -e with the judgement", s,
	      "State       Local Address:Port       Peer Address:Port          Left      Age      RTO  Recycle           Reuse             Cookie\n"
	      "TIME-WAIT   10.0.0.1:45678           10.0.0.2:80               59.2s    800ms    204ms  yes               no:not-loopback   sk:1a2b\n");

	/* A later module's longer struct: its known part is read. */
	f.len = 0;
	put_compact(&f, &in, sizeof(in) + 8, NULL, NULL);
	fake_done(&f, 0);
	s = dump_entries(&f, OUTPUT_SCRIPT, false, SORT_NONE, false, 0, &rc);
	t_check(rc == 1 && !strncmp(s, "inet\tTIME_WAIT\t10.0.0.1\t45678\t", 30),
		"compact: a longer struct (appended fields) is read",
		"rc %d, \"%s\"", rc, s);

	/* A struct shorter than the first version's is malformed. */
	f.len = 0;
	put_compact(&f, &in, 60, NULL, NULL);
	fake_done(&f, 0);
	err_clear();
	dump_entries(&f, OUTPUT_JSON, false, SORT_NONE, false, 0, &rc);
	t_check(rc == -1 && !strcmp(err_msg(),
		"malformed entry from the kernel: the entry has 60 bytes, not 64"),
		"compact: a short struct is refused", "rc %d, \"%s\"", rc,
		err_msg());
	f.len = 0;
	in.family = 7;
	put_compact(&f, &in, sizeof(in), NULL, NULL);
	fake_done(&f, 0);
	err_clear();
	dump_entries(&f, OUTPUT_JSON, false, SORT_NONE, false, 0, &rc);
	t_check(rc == -1 && strstr(err_msg(), "unknown address family"),
		"compact: an unknown family is refused", "rc %d, \"%s\"", rc,
		err_msg());
}

/* /run/netns/NAME's inode is the netns's: a file stands in for it. */
static void test_netns_names(void)
{
	char dir[] = "/tmp/twctl-netns.XXXXXX", path[128], buf[NETNS_NAME_LEN];
	struct stat st;
	FILE *f;

	if (!mkdtemp(dir)) {
		t_check(false, "netns names: temporary directory", "%s",
			strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/blue", dir);
	f = fopen(path, "w");
	if (f)
		fclose(f);
	if (!f || stat(path, &st)) {
		t_check(false, "netns names: a stand-in file", "%s",
			strerror(errno));
		rmdir(dir);
		return;
	}
	netns_names_reset(dir);
	t_str("netns names: a name under the directory",
	      netns_name(st.st_ino, buf), "blue");
	t_str("netns names: another inode as net:[INODE]",
	      netns_name((uint32_t)st.st_ino + 1, buf),
	      (snprintf(path, sizeof(path), "net:[%u]",
			(uint32_t)st.st_ino + 1), path));
	snprintf(path, sizeof(path), "%s/blue", dir);
	unlink(path);
	rmdir(dir);
	netns_names_reset(NULL);
}

void test_decode(void)
{
	test_compact_entries();
	test_netns_names();
	test_entries();
	test_message_loop();
	test_bad_entries();
	test_errors();
	test_groups();
	test_events();
	test_info_and_family();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * nlfuzz: a fuzzer for the "twctl" generic netlink family.
 *
 * It sends random and malformed requests to the family and checks every
 * answer (see check_answers()): each message the kernel must answer gets
 * exactly one well-formed answer (an NLMSG_ERROR with well-formed extended
 * ACK TLVs, a doit reply, or a dump that ends with NLMSG_DONE), a message
 * the kernel must ignore gets none, nothing arrives for a sequence number we
 * did not use, nothing takes longer than --timeout, and the socket keeps
 * working: every datagram is followed by an NLMSG_NOOP ping with NLM_F_ACK
 * whose ACK must come back.
 *
 * Every message is generated from its own PRNG state, derived from
 * (seed, worker, index), so "--seed S --worker W --only I" regenerates the
 * message a failure names (its hex is printed too).
 *
 *   nlfuzz [--count N] [--seed S] [--workers W] [--uid UID] [--mode fuzz|abandon]
 *          [--replenish N] [--events] [--timeout MS] [--only I --worker W]
 *          [--no-sweep] [--verbose]
 *
 * --uid drops to that uid (no capabilities) before any socket is opened;
 * --replenish N keeps N/2..N entries in the caller's netns (loopback
 * connections); --events listens on the kill-events group and checks one
 * event of ours per real kill; --mode abandon starts dumps and closes their
 * sockets after reading none, one or two parts. Worker 0 starts with the
 * sweep (see gen_sweep()) unless --no-sweep.
 *
 * Output: "nlfuzz: ..." information lines, "NLFUZZ-FAIL: ..." lines (one per
 * failed check, with the reproducer) and a final "NLFUZZ-FIGURES key=value ..."
 * line summed over the workers. Exit 0 if no check failed, 1 otherwise, 2 on
 * usage or setup errors.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/twctl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef NLM_F_CAPPED
#define NLM_F_CAPPED 0x100
#endif
#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

#define RXBUF_SIZE (1 << 20)
#define MAX_MSGS 8		/* netlink messages per datagram */
#define MAX_ENTRY_CHECK 4096

/* ------------------------------------------------------------------ */
/* figures, shared with the parent through a MAP_SHARED mapping        */

enum cat {
	CAT_VALID,		/* well-formed request */
	CAT_MUTATED,		/* well-formed request with one random mutation */
	CAT_WRONG_ATTR,		/* one attribute of the wrong type or length */
	CAT_UNKNOWN_CMD,	/* genl command that has no operation */
	CAT_GARBAGE,		/* random bytes after a correct nlmsghdr */
	CAT_TRUNCATED,		/* truncated netlink, genl or attribute header */
	CAT_DUPLICATED,		/* attributes repeated */
	CAT_NESTED,		/* garbage and deep nests */
	CAT_HUGE,		/* up to the socket's send limit, or over it */
	CAT_FLAGS,		/* wrong nlmsg flags: dump on do, do on dump, ... */
	CAT_BATCH,		/* several messages in one datagram */
	CAT_OTHER_TYPE,		/* control message types, unknown family ids */
	CAT_ABANDON,		/* dump started, then the socket closed */
	CAT_SWEEP,		/* every attribute type with every length, in turn */
	N_CAT
};

static const char *const cat_names[N_CAT] = {
	"valid", "mutated", "wrong_attr", "unknown_cmd", "garbage", "truncated",
	"duplicated", "nested", "huge", "flags", "batch", "other_type", "abandoned", "sweep",
};

#define MAX_ERRNO 160

struct figures {
	uint64_t datagrams;
	uint64_t messages;
	uint64_t by_cat[N_CAT];
	uint64_t errors[MAX_ERRNO];	/* NLMSG_ERROR answers by -error */
	uint64_t acks;			/* NLMSG_ERROR with error 0 */
	uint64_t doit_replies;		/* well-formed doit answers */
	uint64_t dump_msgs;		/* well-formed dump messages */
	uint64_t dumps_done;		/* dumps that ended with NLMSG_DONE */
	uint64_t dump_intr;		/* dump messages flagged NLM_F_DUMP_INTR */
	uint64_t dump_done_errors;	/* ... with a negative error in DONE */
	uint64_t entries;		/* entries received */
	uint64_t groups;		/* summary groups received */
	uint64_t kills;			/* successful KILL replies */
	uint64_t killed;		/* entries they reported killed */
	uint64_t dry_runs;		/* successful dry-run KILL replies */
	uint64_t events;		/* kill events received */
	uint64_t extack_msgs;		/* answers carrying an extack message */
	uint64_t extack_offs;		/* ... an attribute offset */
	uint64_t ignored;		/* messages the kernel rightly ignored */
	uint64_t send_refused;		/* over-size or empty datagrams refused by send() */
	uint64_t replenished;		/* entries created by --replenish */
	uint64_t abandoned_read;	/* abandoned dumps after reading a part */
	uint64_t failures;
};

static struct figures *figs_all;	/* one per worker, shared */
static struct figures *fig;		/* this worker's */

/* ------------------------------------------------------------------ */
/* options and state                                                   */

static uint64_t opt_seed;
static long opt_count = 1000;
static int opt_workers = 1;
static int opt_uid = -1;
static bool opt_abandon;
static int opt_replenish;
static bool opt_events;
static int opt_timeout_ms = 20000;
static long opt_only = -1;
static int opt_worker = 0;
static bool opt_verbose;
static bool opt_sweep = true;

static int worker_id;
static uint16_t fam_id;
static uint32_t events_grp;
static uint16_t unused_fam_id;
static bool privileged;		/* CAP_NET_ADMIN in our netns */

static int nl_fd = -1;
static int ev_fd = -1;
static int nl_sndbuf;
static bool sock_ext_ack, sock_cap_ack;
static uint32_t my_portid;	/* nl_fd's */
static uint32_t last_portid;	/* of the socket nl_open() opened last */
static char last_extack[200];	/* the last extack message, for reports */

static uint8_t *rxbuf;

/* the datagram being checked, for reports */
static const uint8_t *cur_dgram;
static size_t cur_dgram_len;
static long cur_index;

static void out_line(const char *fmt, ...)
{
	char line[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	/* one write per line so that workers' lines do not interleave */
	if (write(STDOUT_FILENO, line, n) < 0)
		_exit(3);
}

static void hex_of(char *dst, size_t dstlen, const uint8_t *p, size_t len)
{
	size_t i, n = 0;

	dst[0] = 0;
	for (i = 0; i < len && n + 3 < dstlen; i++)
		n += snprintf(dst + n, dstlen - n, "%02x", p[i]);
	if (i < len && n + 4 < dstlen)
		snprintf(dst + n, dstlen - n, "...");
}

static void failf(const char *fmt, ...)
{
	char why[1024], hex[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	fig->failures++;
	if (fig->failures > 20)
		return;		/* the first ones tell the story */
	hex_of(hex, sizeof(hex), cur_dgram, cur_dgram_len < 512 ? cur_dgram_len : 512);
	out_line("NLFUZZ-FAIL: %s [seed=%" PRIu64 " worker=%d index=%ld uid=%d len=%zu hex=%s]",
		 why, opt_seed, worker_id, cur_index, (int)getuid(), cur_dgram_len, hex);
}

static void die(const char *fmt, ...)
{
	char why[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	out_line("nlfuzz: setup error: %s", why);
	exit(2);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------ */
/* PRNG: splitmix64, one state per message                             */

struct rng {
	uint64_t s;
};

static uint64_t rnd64(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rnd(struct rng *r, uint32_t n)	/* 0..n-1 */
{
	return n ? (uint32_t)(rnd64(r) % n) : 0;
}

static bool chance(struct rng *r, unsigned int pct)
{
	return rnd(r, 100) < pct;
}

static void rnd_bytes(struct rng *r, uint8_t *p, size_t n)
{
	while (n) {
		uint64_t v = rnd64(r);
		size_t k = n < 8 ? n : 8;

		memcpy(p, &v, k);
		p += k;
		n -= k;
	}
}

/* ------------------------------------------------------------------ */
/* message building                                                    */

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static void buf_reserve(struct buf *b, size_t more)
{
	if (b->len + more <= b->cap)
		return;
	while (b->cap < b->len + more)
		b->cap = b->cap ? b->cap * 2 : 4096;
	b->p = realloc(b->p, b->cap);
	if (!b->p)
		die("out of memory");
}

static void put_bytes(struct buf *b, const void *d, size_t n)
{
	buf_reserve(b, n);
	memcpy(b->p + b->len, d, n);
	b->len += n;
}

static void put_zero(struct buf *b, size_t n)
{
	buf_reserve(b, n);
	memset(b->p + b->len, 0, n);
	b->len += n;
}

static void align4(struct buf *b)
{
	put_zero(b, NLA_ALIGN(b->len) - b->len);
}

static size_t attr_put(struct buf *b, uint16_t type, const void *d, size_t n)
{
	struct nlattr nla = { .nla_len = (uint16_t)(NLA_HDRLEN + n), .nla_type = type };
	size_t at = b->len;

	put_bytes(b, &nla, sizeof(nla));
	if (n)
		put_bytes(b, d, n);
	align4(b);
	return at;
}

static void attr_u8(struct buf *b, uint16_t t, uint8_t v) { attr_put(b, t, &v, 1); }
static void attr_u16(struct buf *b, uint16_t t, uint16_t v) { attr_put(b, t, &v, 2); }
static void attr_u32(struct buf *b, uint16_t t, uint32_t v) { attr_put(b, t, &v, 4); }
static void attr_u64(struct buf *b, uint16_t t, uint64_t v) { attr_put(b, t, &v, 8); }

static size_t nest_start(struct buf *b, uint16_t type)
{
	return attr_put(b, type | NLA_F_NESTED, NULL, 0);
}

static void nest_end(struct buf *b, size_t at)
{
	struct nlattr *nla = (struct nlattr *)(b->p + at);

	nla->nla_len = (uint16_t)(b->len - at);
}

static size_t msg_start(struct buf *b, uint16_t type, uint16_t flags, uint32_t seq,
			uint8_t cmd)
{
	struct nlmsghdr nlh = {
		.nlmsg_type = type, .nlmsg_flags = flags, .nlmsg_seq = seq,
	};
	struct genlmsghdr g = { .cmd = cmd, .version = TWCTL_GENL_VERSION };
	size_t at = b->len;

	put_bytes(b, &nlh, sizeof(nlh));
	put_bytes(b, &g, sizeof(g));
	return at;
}

static void msg_end(struct buf *b, size_t at)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)(b->p + at);

	nlh->nlmsg_len = (uint32_t)(b->len - at);
}

/* ------------------------------------------------------------------ */
/* what we asked, for checking the answer                              */

struct vfilter {		/* a valid filter we generated, to check entries */
	bool valid;		/* the request is well-formed and unmutated */
	int family;		/* 0 = any */
	uint16_t lmin, lmax, rmin, rmax;
	uint32_t states;
	bool has_cookie;
	uint64_t cookie;
	uint32_t limit;		/* 0 = none */
	int group_by;		/* summaries */
	bool dry_run;		/* kill */
};

struct sent_msg {
	uint32_t seq;
	uint32_t nlmsg_len;
	uint16_t flags;
	uint16_t type;
	uint8_t cmd;		/* if genl header complete */
	bool has_genl;
	bool expect_answer;
	bool is_dump;		/* NLM_F_DUMP set and the command has a dump */
	uint32_t want_err;	/* bit per errno the kernel may answer with, 0 = any */
	bool want_ok;		/* a well-formed request: must not be refused */
	bool busy_ok;		/* an earlier message of the datagram started a dump */
	const uint8_t *raw;	/* the message as sent */
	size_t gen_off;		/* where the generator put it */
	/* answer state */
	int state;		/* 0 waiting, 1 doit reply seen (waiting ack), 2 in dump, 3 done */
	bool got_any;
	uint32_t n_entries, n_groups;
	uint32_t last_group_count;
	bool intr;		/* a message of the dump had NLM_F_DUMP_INTR */
	struct vfilter vf;
};

struct plan {
	struct buf b;
	int n;
	struct sent_msg m[MAX_MSGS];
	enum cat cat;
	bool need_cap_ack;	/* huge message: the echo would not fit */
};

static uint32_t seq_counter;
static int real_kills;		/* successful non-dry-run KILLs of the datagram */

static uint32_t next_seq(void)
{
	/* seq 0 is avoided; pings use the top bit */
	seq_counter++;
	return (seq_counter & 0x7fffffff) | 1u << 20;
}

/* ------------------------------------------------------------------ */
/* structure-aware generation                                          */

static const uint8_t cmds[] = {
	TWCTL_CMD_GET_INFO, TWCTL_CMD_GET_ENTRIES, TWCTL_CMD_GET_SUMMARY, TWCTL_CMD_KILL,
};

static bool cmd_is_dump(uint8_t cmd)
{
	return cmd == TWCTL_CMD_GET_ENTRIES || cmd == TWCTL_CMD_GET_SUMMARY;
}

static bool cmd_has_do(uint8_t cmd)
{
	return cmd == TWCTL_CMD_GET_INFO || cmd == TWCTL_CMD_KILL;
}

static uint16_t rnd_port(struct rng *r)
{
	static const uint16_t common[] = { 0, 1, 22, 80, 443, 1024, 32768, 60999, 65535 };

	if (chance(r, 40))
		return common[rnd(r, sizeof(common) / sizeof(common[0]))];
	return (uint16_t)rnd(r, 65536);
}

/* A valid TWCTL_A_FILTER nest; what it selects goes to *vf. */
static void gen_filter(struct rng *r, struct buf *b, struct vfilter *vf)
{
	size_t nest = nest_start(b, TWCTL_A_FILTER);
	int addr_family = 0;

	vf->lmin = 0; vf->lmax = 65535; vf->rmin = 0; vf->rmax = 65535;
	vf->states = TWCTL_STATES_ALL;
	if (chance(r, 30)) {
		uint16_t a = rnd_port(r), c = rnd_port(r);
		uint16_t lo = a < c ? a : c, hi = a < c ? c : a;

		if (chance(r, 30)) {
			attr_u16(b, TWCTL_FILTER_A_LPORT_MIN, lo);
			vf->lmin = vf->lmax = lo;
		} else {
			attr_u16(b, TWCTL_FILTER_A_LPORT_MIN, lo);
			attr_u16(b, TWCTL_FILTER_A_LPORT_MAX, hi);
			vf->lmin = lo;
			vf->lmax = hi;
		}
	}
	if (chance(r, 30)) {
		uint16_t a = rnd_port(r), c = rnd_port(r);
		uint16_t lo = a < c ? a : c, hi = a < c ? c : a;

		if (chance(r, 50)) {
			attr_u16(b, TWCTL_FILTER_A_RPORT_MAX, hi);
			vf->rmax = hi;
		} else {
			attr_u16(b, TWCTL_FILTER_A_RPORT_MIN, lo);
			attr_u16(b, TWCTL_FILTER_A_RPORT_MAX, hi);
			vf->rmin = lo;
			vf->rmax = hi;
		}
	}
	if (chance(r, 25)) {
		uint8_t a[16] = { 0 };

		if (chance(r, 60)) {
			a[0] = 127;
			a[3] = (uint8_t)rnd(r, 4);
			attr_put(b, TWCTL_FILTER_A_RADDR, a, 4);
			if (chance(r, 70))
				attr_u8(b, TWCTL_FILTER_A_RADDR_PREFIX, (uint8_t)rnd(r, 33));
			addr_family = AF_INET;
		} else {
			a[15] = 1;
			attr_put(b, TWCTL_FILTER_A_LADDR, a, 16);
			if (chance(r, 70))
				attr_u8(b, TWCTL_FILTER_A_LADDR_PREFIX, (uint8_t)rnd(r, 129));
			addr_family = AF_INET6;
		}
	}
	if (chance(r, 25)) {
		vf->family = addr_family ? addr_family : (chance(r, 50) ? AF_INET : AF_INET6);
		attr_u8(b, TWCTL_FILTER_A_FAMILY, (uint8_t)vf->family);
	}
	if (chance(r, 20)) {
		static const uint32_t st[] = {
			1u << TWCTL_STATE_TIME_WAIT, 1u << TWCTL_STATE_FIN_WAIT2, TWCTL_STATES_ALL,
		};
		vf->states = st[rnd(r, 3)];
		attr_u32(b, TWCTL_FILTER_A_STATES, vf->states);
	}
	if (chance(r, 15)) {
		uint32_t lo = rnd(r, 60000), hi = lo + rnd(r, 60000);

		attr_u32(b, TWCTL_FILTER_A_REMAINING_MIN_MS, lo);
		attr_u32(b, TWCTL_FILTER_A_REMAINING_MAX_MS, hi);
	}
	if (chance(r, 10)) {
		vf->has_cookie = true;
		vf->cookie = chance(r, 50) ? rnd(r, 4096) : rnd64(r);
		attr_u64(b, TWCTL_FILTER_A_COOKIE, vf->cookie);
	}
	if (chance(r, 10))
		attr_put(b, TWCTL_FILTER_A_RECYCLE_ELIGIBLE, NULL, 0);
	if (chance(r, 10))
		attr_put(b, TWCTL_FILTER_A_REUSE_ELIGIBLE, NULL, 0);
	if (chance(r, 10))
		attr_u32(b, TWCTL_FILTER_A_AGE_MIN_MS, rnd(r, 70000));
	nest_end(b, nest);
}

/* A valid request for cmd, flags as the operation wants them. */
static void gen_valid(struct rng *r, struct buf *b, uint8_t cmd, struct sent_msg *sm)
{
	uint16_t flags = NLM_F_REQUEST;
	struct vfilter *vf = &sm->vf;
	size_t at;

	memset(vf, 0, sizeof(*vf));
	vf->valid = true;
	vf->lmax = vf->rmax = 65535;
	vf->states = TWCTL_STATES_ALL;
	if (cmd_is_dump(cmd))
		flags |= NLM_F_DUMP;
	if (chance(r, 50))
		flags |= NLM_F_ACK;
	at = msg_start(b, fam_id, flags, next_seq(), cmd);
	switch (cmd) {
	case TWCTL_CMD_GET_ENTRIES:
	case TWCTL_CMD_GET_SUMMARY:
	case TWCTL_CMD_KILL:
		if (cmd == TWCTL_CMD_GET_SUMMARY) {
			vf->group_by = (int)rnd(r, TWCTL_GROUP_BY_MAX + 1);
			attr_u8(b, TWCTL_A_GROUP_BY, (uint8_t)vf->group_by);
		}
		if (chance(r, 60))
			gen_filter(r, b, vf);
		if (chance(r, 30)) {
			static const uint32_t lim[] = { 1, 2, 3, 10, 100, TWCTL_LIMIT_MAX };

			vf->limit = chance(r, 50) ? lim[rnd(r, 6)] : 1 + rnd(r, TWCTL_LIMIT_MAX);
			attr_u32(b, TWCTL_A_LIMIT, vf->limit);
		}
		if (cmd == TWCTL_CMD_KILL && chance(r, 50)) {
			attr_put(b, TWCTL_A_DRY_RUN, NULL, 0);
			vf->dry_run = true;
		}
		break;
	default:
		break;
	}
	msg_end(b, at);
}

/* Attribute walk over b[from, to): offsets of each attribute header. */
static int attr_offsets(const uint8_t *p, size_t from, size_t to, size_t *offs, int max)
{
	int n = 0;

	while (from + NLA_HDRLEN <= to && n < max) {
		const struct nlattr *a = (const struct nlattr *)(p + from);

		if (a->nla_len < NLA_HDRLEN || from + a->nla_len > to)
			break;
		offs[n++] = from;
		if (a->nla_type & NLA_F_NESTED)
			n += attr_offsets(p, from + NLA_HDRLEN, from + a->nla_len, offs + n, max - n);
		from += NLA_ALIGN(a->nla_len);
	}
	return n;
}

/* One random mutation of the message at b->p[at..]. */
static void mutate(struct rng *r, struct buf *b, size_t at)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)(b->p + at);
	size_t offs[512];
	int n = attr_offsets(b->p, at + NLMSG_HDRLEN + GENL_HDRLEN, b->len, offs, 512);
	size_t mlen = b->len - at, pos;
	struct nlattr *a = n ? (struct nlattr *)(b->p + offs[rnd(r, n)]) : NULL;

	switch (rnd(r, 12)) {
	case 0:	/* flip a bit past the netlink header */
		if (mlen > NLMSG_HDRLEN) {
			pos = at + NLMSG_HDRLEN + rnd(r, mlen - NLMSG_HDRLEN);
			b->p[pos] ^= 1u << rnd(r, 8);
		}
		break;
	case 1:	/* set a byte */
		if (mlen > NLMSG_HDRLEN) {
			pos = at + NLMSG_HDRLEN + rnd(r, mlen - NLMSG_HDRLEN);
			b->p[pos] = (uint8_t)rnd64(r);
		}
		break;
	case 2:	/* attribute length */
		if (a)
			a->nla_len = chance(r, 50) ? (uint16_t)(a->nla_len + rnd(r, 9) - 4)
						   : (uint16_t)rnd(r, 65536);
		break;
	case 3:	/* attribute type */
		if (a)
			a->nla_type = chance(r, 50) ? (uint16_t)rnd(r, 32) | (a->nla_type & NLA_F_NESTED)
						    : (uint16_t)rnd64(r);
		break;
	case 4:	/* nested flag */
		if (a)
			a->nla_type ^= NLA_F_NESTED;
		break;
	case 5:	/* byte-order flag */
		if (a)
			a->nla_type ^= NLA_F_NET_BYTEORDER;
		break;
	case 6:	/* truncate */
		b->len = at + NLMSG_HDRLEN + rnd(r, mlen - NLMSG_HDRLEN + 1);
		nlh = (struct nlmsghdr *)(b->p + at);
		nlh->nlmsg_len = (uint32_t)(b->len - at);
		return;
	case 7:	/* genl command */
		if (mlen >= NLMSG_HDRLEN + 1)
			b->p[at + NLMSG_HDRLEN] = (uint8_t)rnd(r, 8);
		break;
	case 8:	/* append a random attribute */
	{
		uint8_t d[64];
		size_t dl = rnd(r, 40);

		rnd_bytes(r, d, dl);
		attr_put(b, (uint16_t)rnd(r, 40), d, dl);
		break;
	}
	case 9:	/* duplicate an attribute at the end */
		if (a) {
			size_t l = a->nla_len, o = (uint8_t *)a - b->p;

			if (o + l <= b->len) {
				buf_reserve(b, NLA_ALIGN(l));
				memmove(b->p + b->len, b->p + o, l);
				b->len += l;
				align4(b);
			}
		}
		break;
	case 10: /* nlmsg_len off by a little */
		nlh->nlmsg_len = (uint32_t)(mlen + rnd(r, 9) - 4);
		return;
	default: /* zero an attribute's payload */
		if (a && (uint8_t *)a - b->p + a->nla_len <= (long)b->len && a->nla_len > NLA_HDRLEN)
			memset((uint8_t *)a + NLA_HDRLEN, 0, a->nla_len - NLA_HDRLEN);
		break;
	}
	nlh = (struct nlmsghdr *)(b->p + at);
	nlh->nlmsg_len = (uint32_t)(b->len - at);
}

/* A request with one attribute of the wrong type, length or value. */
static void gen_wrong_attr(struct rng *r, struct buf *b, struct sent_msg *sm)
{
	uint8_t cmd = cmds[1 + rnd(r, 3)];
	uint16_t flags = NLM_F_REQUEST | (cmd_is_dump(cmd) ? NLM_F_DUMP : 0) |
			 (chance(r, 50) ? NLM_F_ACK : 0);
	size_t at = msg_start(b, fam_id, flags, next_seq(), cmd), nest;
	uint8_t d[40];
	size_t dl;

	(void)sm;
	if (cmd == TWCTL_CMD_GET_SUMMARY && chance(r, 80))
		attr_u8(b, TWCTL_A_GROUP_BY, (uint8_t)rnd(r, TWCTL_GROUP_BY_MAX + 1));
	rnd_bytes(r, d, sizeof(d));
	dl = rnd(r, 20);
	switch (rnd(r, 16)) {
	case 0: attr_u32(b, TWCTL_A_LIMIT, 0); break;				/* below minimum */
	case 1: attr_put(b, TWCTL_A_LIMIT, d, 1 + rnd(r, 3)); break;		/* short u32 */
	case 2: attr_put(b, TWCTL_A_LIMIT, d, 5 + rnd(r, 8)); break;		/* long u32 */
	case 3: attr_u8(b, TWCTL_A_GROUP_BY, (uint8_t)(TWCTL_GROUP_BY_MAX + 1 + rnd(r, 250))); break;
	case 4: attr_put(b, TWCTL_A_GROUP_BY, d, 2 + rnd(r, 4)); break;
	case 5: attr_put(b, TWCTL_A_DRY_RUN, d, 1 + rnd(r, 8)); break;	/* flag with payload */
	case 6: attr_put(b, TWCTL_A_FILTER, d, dl); break;			/* nest without the flag */
	case 7: attr_put(b, (uint16_t)(TWCTL_A_MAX + 1 + rnd(r, 100)), d, dl); break; /* unknown */
	case 8: attr_put(b, TWCTL_A_UNSPEC, d, dl); break;
	case 9: attr_put(b, (uint16_t)rnd(r, TWCTL_A_MAX + 1), d, dl); break;	/* reply-only etc */
	default:
		nest = nest_start(b, TWCTL_A_FILTER);
		switch (rnd(r, 12)) {
		case 0: attr_u8(b, TWCTL_FILTER_A_FAMILY, (uint8_t)rnd(r, 256)); break;
		case 1: attr_put(b, TWCTL_FILTER_A_LADDR, d, rnd(r, 20)); break;
		case 2: attr_u8(b, TWCTL_FILTER_A_LADDR_PREFIX, (uint8_t)(33 + rnd(r, 223)));
			if (chance(r, 50))
				attr_put(b, TWCTL_FILTER_A_LADDR, d, 4);
			break;
		case 3: attr_u8(b, TWCTL_FILTER_A_RADDR_PREFIX, (uint8_t)rnd(r, 256)); break;
		case 4: attr_u32(b, TWCTL_FILTER_A_STATES, (uint32_t)rnd64(r)); break;
		case 5: attr_u32(b, TWCTL_FILTER_A_STATES, 0); break;
		case 6: attr_u16(b, TWCTL_FILTER_A_LPORT_MIN, 100);
			attr_u16(b, TWCTL_FILTER_A_LPORT_MAX, 99); break;
		case 7: attr_u32(b, TWCTL_FILTER_A_REMAINING_MIN_MS, 10);
			attr_u32(b, TWCTL_FILTER_A_REMAINING_MAX_MS, 9); break;
		case 8: attr_put(b, TWCTL_FILTER_A_COOKIE, d, rnd(r, 16)); break;
		case 9: attr_u8(b, TWCTL_FILTER_A_FAMILY, AF_INET6);
			attr_put(b, TWCTL_FILTER_A_RADDR, d, 4); break;
		case 10: attr_put(b, chance(r, 50) ? TWCTL_FILTER_A_PAD
						   : (uint16_t)(TWCTL_FILTER_A_MAX + 1 + rnd(r, 50)), d, dl); break;
		default: attr_put(b, (uint16_t)rnd(r, TWCTL_FILTER_A_MAX + 1), d, rnd(r, 12)); break;
		}
		nest_end(b, nest);
		break;
	}
	msg_end(b, at);
}

static void gen_garbage_payload(struct rng *r, struct buf *b, size_t n)
{
	buf_reserve(b, n);
	rnd_bytes(r, b->p + b->len, n);
	b->len += n;
}

/* Nests inside nests, `depth` deep, under a random or the filter type. */
static void gen_deep(struct rng *r, struct buf *b, int depth)
{
	size_t stack[600];
	int i;

	if (depth > 600)
		depth = 600;
	for (i = 0; i < depth; i++)
		stack[i] = nest_start(b, i == 0 && chance(r, 50) ? TWCTL_A_FILTER
							       : (uint16_t)rnd(r, 32));
	if (chance(r, 50))
		gen_garbage_payload(r, b, rnd(r, 32));
	align4(b);
	for (i = depth - 1; i >= 0; i--)
		nest_end(b, stack[i]);
}

static uint16_t dump_or_do_flags(struct rng *r)
{
	static const uint16_t f[] = {
		0, NLM_F_REQUEST, NLM_F_REQUEST | NLM_F_DUMP, NLM_F_REQUEST | NLM_F_ROOT,
		NLM_F_REQUEST | NLM_F_MATCH, NLM_F_REQUEST | NLM_F_ATOMIC, NLM_F_DUMP,
		NLM_F_REQUEST | NLM_F_ECHO, NLM_F_REQUEST | NLM_F_MULTI,
		NLM_F_REQUEST | NLM_F_DUMP | NLM_F_EXCL | NLM_F_CREATE,
	};
	uint16_t v = chance(r, 85) ? f[rnd(r, sizeof(f) / sizeof(f[0]))] : (uint16_t)rnd64(r);

	if (chance(r, 50))
		v |= NLM_F_ACK;
	return v;
}

/* One message of category c appended to p->b; returns false if none fits. */
static void gen_one(struct rng *r, struct plan *p, enum cat c)
{
	struct buf *b = &p->b;
	struct sent_msg *sm = &p->m[p->n];
	size_t at = b->len, nest;
	uint8_t cmd = cmds[rnd(r, 4)];
	int i, k;

	memset(sm, 0, sizeof(*sm));
	sm->gen_off = at;
	switch (c) {
	case CAT_VALID:
		gen_valid(r, b, cmd, sm);
		break;
	case CAT_MUTATED:
		gen_valid(r, b, cmd, sm);
		sm->vf.valid = false;
		mutate(r, b, at);
		break;
	case CAT_WRONG_ATTR:
		gen_wrong_attr(r, b, sm);
		break;
	case CAT_UNKNOWN_CMD:
		msg_start(b, fam_id, NLM_F_REQUEST | (chance(r, 50) ? NLM_F_DUMP : 0) |
			  (chance(r, 50) ? NLM_F_ACK : 0), next_seq(),
			  chance(r, 50) ? (uint8_t)(chance(r, 50) ? 0 : TWCTL_CMD_KILL_EVENT)
					: (uint8_t)(TWCTL_CMD_MAX + 1 + rnd(r, 250)));
		if (chance(r, 50))
			attr_u32(b, TWCTL_A_LIMIT, 1);
		msg_end(b, at);
		break;
	case CAT_GARBAGE:
		msg_start(b, fam_id, chance(r, 70) ? NLM_F_REQUEST | (cmd_is_dump(cmd) ? NLM_F_DUMP : 0)
						   : dump_or_do_flags(r), next_seq(), cmd);
		if (chance(r, 30))
			b->p[at + NLMSG_HDRLEN] = (uint8_t)rnd64(r);	/* cmd */
		if (chance(r, 20))
			b->p[at + NLMSG_HDRLEN + 1] = (uint8_t)rnd64(r);	/* version */
		gen_garbage_payload(r, b, rnd(r, chance(r, 80) ? 64 : 2048));
		msg_end(b, at);
		break;
	case CAT_TRUNCATED:
		gen_valid(r, b, cmd, sm);
		sm->vf.valid = false;
		switch (rnd(r, 4)) {
		case 0:	/* genl header cut */
			b->len = at + NLMSG_HDRLEN + rnd(r, GENL_HDRLEN);
			msg_end(b, at);
			break;
		case 1:	/* nlmsg_len below the netlink header */
			((struct nlmsghdr *)(b->p + at))->nlmsg_len = rnd(r, NLMSG_HDRLEN);
			break;
		case 2:	/* nlmsg_len past the datagram */
			((struct nlmsghdr *)(b->p + at))->nlmsg_len += 1 + rnd(r, 100);
			break;
		default: /* datagram shorter than a netlink header, or an attribute header cut */
			if (chance(r, 30))
				b->len = at + rnd(r, NLMSG_HDRLEN);
			else {
				b->len = at + NLMSG_HDRLEN + GENL_HDRLEN + 1 + rnd(r, 3);
				msg_end(b, at);
			}
			break;
		}
		break;
	case CAT_DUPLICATED:
		gen_valid(r, b, cmd, sm);
		sm->vf.valid = false;
		k = 1 + rnd(r, chance(r, 80) ? 4 : 300);
		for (i = 0; i < k; i++) {
			switch (rnd(r, 4)) {
			case 0: attr_u32(b, TWCTL_A_LIMIT, 1 + rnd(r, 5)); break;
			case 1: attr_u8(b, TWCTL_A_GROUP_BY, (uint8_t)rnd(r, 4)); break;
			case 2: attr_put(b, TWCTL_A_DRY_RUN, NULL, 0); break;
			default:
				nest = nest_start(b, TWCTL_A_FILTER);
				attr_u16(b, TWCTL_FILTER_A_LPORT_MIN, rnd_port(r));
				attr_u16(b, TWCTL_FILTER_A_LPORT_MIN, rnd_port(r));
				attr_u8(b, TWCTL_FILTER_A_FAMILY, chance(r, 50) ? AF_INET : AF_INET6);
				nest_end(b, nest);
				break;
			}
		}
		msg_end(b, at);
		break;
	case CAT_NESTED:
		msg_start(b, fam_id, NLM_F_REQUEST | (cmd_is_dump(cmd) ? NLM_F_DUMP : 0) |
			  (chance(r, 50) ? NLM_F_ACK : 0), next_seq(), cmd);
		if (cmd == TWCTL_CMD_GET_SUMMARY)
			attr_u8(b, TWCTL_A_GROUP_BY, 0);
		gen_deep(r, b, 1 + rnd(r, chance(r, 70) ? 20 : 600));
		msg_end(b, at);
		break;
	case CAT_HUGE:
	{
		/* up to the send limit (sndbuf - 32), now and then beyond it */
		size_t limit = nl_sndbuf > 64 ? (size_t)nl_sndbuf - 32 : 4096;
		size_t target = chance(r, 10) ? limit + 1 + rnd(r, 4096)
					      : 8192 + rnd(r, (uint32_t)(limit - 8192));

		msg_start(b, fam_id, NLM_F_REQUEST | (cmd_is_dump(cmd) ? NLM_F_DUMP : 0) |
			  (chance(r, 50) ? NLM_F_ACK : 0), next_seq(), cmd);
		if (cmd == TWCTL_CMD_GET_SUMMARY)
			attr_u8(b, TWCTL_A_GROUP_BY, (uint8_t)rnd(r, 4));
		switch (rnd(r, 3)) {
		case 0:	/* a valid filter, its ports repeated: fits the policy */
			nest = nest_start(b, TWCTL_A_FILTER);
			while (b->len - at + 8 < target && b->len - nest < 65000)
				attr_u16(b, TWCTL_FILTER_A_LPORT_MIN, 0);
			nest_end(b, nest);
			while (b->len - at + 8 <= target)
				attr_u32(b, TWCTL_A_LIMIT, 1 + rnd(r, 10));
			break;
		case 1:	/* big binary attributes */
			while (b->len - at + 4 < target) {
				size_t n = target - (b->len - at) - 4;

				if (n > 60000)
					n = 60000;
				buf_reserve(b, n + 8);
				attr_put(b, (uint16_t)rnd(r, 40), NULL, 0);
				((struct nlattr *)(b->p + b->len - 4))->nla_len = (uint16_t)(4 + n);
				put_zero(b, NLA_ALIGN(n));
			}
			break;
		default: /* garbage */
			gen_garbage_payload(r, b, target > b->len - at ? target - (b->len - at) : 0);
			break;
		}
		msg_end(b, at);
		p->need_cap_ack = true;
		break;
	}
	case CAT_FLAGS:
		gen_valid(r, b, cmd, sm);
		((struct nlmsghdr *)(b->p + at))->nlmsg_flags = dump_or_do_flags(r);
		sm->vf.valid = false;
		break;
	case CAT_OTHER_TYPE:
		gen_valid(r, b, cmd, sm);
		sm->vf.valid = false;
		((struct nlmsghdr *)(b->p + at))->nlmsg_type =
			chance(r, 60) ? (uint16_t)rnd(r, NLMSG_MIN_TYPE) : unused_fam_id;
		break;
	default:
		break;
	}
}

static enum cat pick_cat(struct rng *r)
{
	/* weights, in per mille */
	static const struct { enum cat c; unsigned int w; } wt[] = {
		{ CAT_VALID, 200 }, { CAT_MUTATED, 220 }, { CAT_WRONG_ATTR, 120 },
		{ CAT_UNKNOWN_CMD, 40 }, { CAT_GARBAGE, 100 }, { CAT_TRUNCATED, 60 },
		{ CAT_DUPLICATED, 60 }, { CAT_NESTED, 50 }, { CAT_HUGE, 15 },
		{ CAT_FLAGS, 70 }, { CAT_BATCH, 40 }, { CAT_OTHER_TYPE, 25 },
	};
	unsigned int x = rnd(r, 1000), i;

	for (i = 0; i < sizeof(wt) / sizeof(wt[0]); i++) {
		if (x < wt[i].w)
			return wt[i].c;
		x -= wt[i].w;
	}
	return CAT_VALID;
}

static uint32_t EB(int e)
{
	switch (e) {
	case ENOENT: return 1;
	case EINVAL: return 2;
	case EOPNOTSUPP: return 4;
	case EPERM: return 8;
	default: return 0x80000000u;
	}
}

/*
 * The errors genetlink itself must answer with, before the family sees the
 * message (genl_rcv_msg(), genl_header_check(), genl_family_rcv_msg() on 6.1
 * and 6.12): the header checks come before the command lookup, and that
 * before the permission check. 0 if the answer depends on the family.
 */
static void expectations(struct sent_msg *sm, const uint8_t *raw)
{
	const struct genlmsghdr *g = (const struct genlmsghdr *)(raw + NLMSG_HDRLEN);
	uint16_t flags = sm->flags;
	bool dump = (flags & NLM_F_DUMP) == NLM_F_DUMP;

	sm->want_err = 0;
	if (!(flags & NLM_F_REQUEST) || sm->type < NLMSG_MIN_TYPE)
		return;
	if (sm->type == unused_fam_id) {
		sm->want_err = EB(ENOENT);
		return;
	}
	if (sm->type != fam_id)
		return;
	if (!sm->has_genl) {
		sm->want_err = EB(EINVAL);
		return;
	}
	if (dump)
		flags &= ~NLM_F_DUMP;
	if (g->reserved || (flags & ~(NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO))) {
		sm->want_err = EB(EINVAL);
		return;
	}
	if (sm->cmd < TWCTL_CMD_GET_INFO || sm->cmd > TWCTL_CMD_KILL) {
		sm->want_err = EB(EOPNOTSUPP);
		return;
	}
	if (dump && !cmd_is_dump(sm->cmd)) {
		/* 6.1 checks the permission first, 6.12 the operation */
		sm->want_err = EB(EOPNOTSUPP) | (sm->cmd == TWCTL_CMD_KILL && !privileged ? EB(EPERM) : 0);
		return;
	}
	if (!dump && !cmd_has_do(sm->cmd)) {
		sm->want_err = EB(EOPNOTSUPP);
		return;
	}
	if (sm->cmd == TWCTL_CMD_KILL && !privileged)
		sm->want_err = EB(EPERM);
}

/*
 * What the kernel does with each message of the datagram, as
 * netlink_rcv_skb() and genetlink decide it; fills expect_answer etc.
 */
static void plan_expectations(struct plan *p)
{
	size_t off = 0, len = p->b.len, gen_off[MAX_MSGS];
	struct vfilter gen_vf[MAX_MSGS];
	const uint8_t *d = p->b.p;
	int i, ngen = p->n;

	for (i = 0; i < ngen; i++) {
		gen_off[i] = p->m[i].gen_off;
		gen_vf[i] = p->m[i].vf;
	}
	p->n = 0;
	while (len - off >= NLMSG_HDRLEN && p->n < MAX_MSGS) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)(d + off);
		struct sent_msg *sm = &p->m[p->n];
		size_t msglen;

		if (nlh->nlmsg_len < NLMSG_HDRLEN || len - off < nlh->nlmsg_len)
			break;		/* the kernel drops the rest silently */
		memset(sm, 0, sizeof(*sm));
		/* the generator's filter, if this is the message it generated */
		for (i = 0; i < ngen; i++)
			if (gen_off[i] == off)
				sm->vf = gen_vf[i];
		sm->raw = d + off;
		sm->seq = nlh->nlmsg_seq;
		sm->nlmsg_len = nlh->nlmsg_len;
		sm->flags = nlh->nlmsg_flags;
		sm->type = nlh->nlmsg_type;
		sm->has_genl = nlh->nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN;
		sm->cmd = sm->has_genl ? d[off + NLMSG_HDRLEN] : 0;
		if (!(nlh->nlmsg_flags & NLM_F_REQUEST) || nlh->nlmsg_type < NLMSG_MIN_TYPE)
			sm->expect_answer = nlh->nlmsg_flags & NLM_F_ACK;
		else
			sm->expect_answer = true;	/* an error at least */
		sm->is_dump = sm->expect_answer && nlh->nlmsg_type == fam_id && sm->has_genl &&
			      (nlh->nlmsg_flags & NLM_F_REQUEST) &&
			      (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP && cmd_is_dump(sm->cmd);
		expectations(sm, d + off);
		if (sm->vf.valid && (sm->type != fam_id ||
				     (!sm->is_dump && (!cmd_has_do(sm->cmd) ||
						       (sm->flags & NLM_F_DUMP) == NLM_F_DUMP))))
			sm->vf.valid = false;
		sm->want_ok = sm->vf.valid && !sm->want_err;
		for (i = 0; i < p->n; i++)
			if (p->m[i].is_dump)
				sm->busy_ok = true;
		p->n++;
		msglen = NLMSG_ALIGN(nlh->nlmsg_len);
		if (msglen > len - off)
			msglen = len - off;
		off += msglen;
	}
}

/*
 * The sweep: before the random messages, worker 0 sends each attribute type
 * (top level and in the filter, one past the maximum included) with each of
 * a few payload lengths, in each request, on a socket with extended ACKs:
 * so every policy entry is refused or accepted, and its extack (with the
 * policy the kernel dumps for a bad attribute) checked, in every run.
 */
static const uint8_t sweep_lens[] = { 0, 1, 2, 3, 5, 8, 16 };
#define SWEEP_LENS (sizeof(sweep_lens) / sizeof(sweep_lens[0]))
#define SWEEP_TYPES ((TWCTL_A_MAX + 2) + (TWCTL_FILTER_A_MAX + 2))
#define SWEEP_COUNT (3 * SWEEP_TYPES * SWEEP_LENS)

static void gen_sweep(long index, struct plan *p)
{
	static const uint8_t scmd[] = { TWCTL_CMD_GET_ENTRIES, TWCTL_CMD_GET_SUMMARY, TWCTL_CMD_KILL };
	uint8_t cmd = scmd[index / (SWEEP_TYPES * SWEEP_LENS)];
	long rest = index % (SWEEP_TYPES * SWEEP_LENS);
	int type = (int)(rest / SWEEP_LENS);
	uint8_t len = sweep_lens[rest % SWEEP_LENS], zero[16] = { 0 };
	struct buf *b = &p->b;
	size_t at, nest;

	memset(&p->m[0], 0, sizeof(p->m[0]));
	at = msg_start(b, fam_id, NLM_F_REQUEST | NLM_F_ACK | (cmd_is_dump(cmd) ? NLM_F_DUMP : 0),
		       next_seq(), cmd);
	if (cmd == TWCTL_CMD_GET_SUMMARY)
		attr_u8(b, TWCTL_A_GROUP_BY, 0);
	if (cmd == TWCTL_CMD_KILL)
		attr_put(b, TWCTL_A_DRY_RUN, NULL, 0);
	if (type < TWCTL_A_MAX + 2) {
		attr_put(b, (uint16_t)type, zero, len);
	} else {
		nest = nest_start(b, TWCTL_A_FILTER);
		attr_put(b, (uint16_t)(type - (TWCTL_A_MAX + 2)), zero, len);
		nest_end(b, nest);
	}
	msg_end(b, at);
	p->n = 1;
	p->cat = CAT_SWEEP;
	/* a KILL whose sweep attribute is a second DRY_RUN or a LIMIT stays a dry run */
}

static bool sweeping(long index)
{
	return worker_id == 0 && opt_sweep && index < (long)SWEEP_COUNT;
}

static void gen_plan(long index, struct plan *p)
{
	struct rng r = { opt_seed ^ ((uint64_t)worker_id << 48) ^ ((uint64_t)index * 0x2545f4914f6cdd1dULL) };
	int i, k;

	rnd64(&r);
	p->b.len = 0;
	p->n = 0;
	p->need_cap_ack = false;
	p->cat = pick_cat(&r);
	seq_counter = (uint32_t)(index * 8);
	if (sweeping(index)) {
		gen_sweep(index, p);
	} else if (p->cat == CAT_BATCH) {
		k = 2 + rnd(&r, 3);
		for (i = 0; i < k && p->n < MAX_MSGS; i++) {
			enum cat c = pick_cat(&r);

			if (c == CAT_BATCH || c == CAT_HUGE || c == CAT_TRUNCATED)
				c = CAT_VALID;
			gen_one(&r, p, c);
			p->n++;
			align4(&p->b);
		}
	} else {
		gen_one(&r, p, p->cat);
		p->n = 1;
	}
	/* vf's were filled per message in order; plan_expectations keeps them */
	plan_expectations(p);
}

/* ------------------------------------------------------------------ */
/* sockets                                                             */

static int nl_open(bool ext_ack, bool cap_ack, int rcvbuf)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	int one = 1, v;

	if (fd < 0)
		die("socket(NETLINK_GENERIC): %s", strerror(errno));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("bind: %s", strerror(errno));
	if (getsockname(fd, (struct sockaddr *)&sa, &sl) < 0)
		die("getsockname: %s", strerror(errno));
	last_portid = sa.nl_pid;
	v = ext_ack;
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &v, sizeof(v));
	v = cap_ack;
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &v, sizeof(v));
	if (rcvbuf) {
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	}
	(void)one;
	return fd;
}

static ssize_t recv_timeout(int fd, uint8_t *buf, size_t len, int timeout_ms, int *err)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int pr;

	*err = 0;
	pr = poll(&pfd, 1, timeout_ms);
	if (pr == 0) {
		*err = ETIMEDOUT;
		return -1;
	}
	if (pr < 0) {
		*err = errno;
		return -1;
	}
	n = recv(fd, buf, len, MSG_TRUNC | MSG_DONTWAIT);
	if (n < 0)
		*err = errno;
	else if ((size_t)n > len)
		*err = EMSGSIZE;
	return n;
}

/* Resolve the family id and events group; returns false if not registered. */
static bool resolve_family(void)
{
	struct buf b = { 0 };
	size_t at;
	int fd = nl_open(false, true, 0), err;
	ssize_t n;
	bool found = false;

	at = b.len;
	{
		struct nlmsghdr nlh = { .nlmsg_type = GENL_ID_CTRL, .nlmsg_flags = NLM_F_REQUEST,
					.nlmsg_seq = 1 };
		struct genlmsghdr g = { .cmd = CTRL_CMD_GETFAMILY, .version = 1 };

		put_bytes(&b, &nlh, sizeof(nlh));
		put_bytes(&b, &g, sizeof(g));
		attr_put(&b, CTRL_ATTR_FAMILY_NAME, TWCTL_GENL_NAME, sizeof(TWCTL_GENL_NAME));
		msg_end(&b, at);
	}
	if (send(fd, b.p, b.len, 0) < 0)
		die("send GETFAMILY: %s", strerror(errno));
	n = recv_timeout(fd, rxbuf, RXBUF_SIZE, 5000, &err);
	if (n < 0)
		die("GETFAMILY: %s", strerror(err));
	{
		struct nlmsghdr *nlh = (struct nlmsghdr *)rxbuf;

		if (nlh->nlmsg_type == GENL_ID_CTRL) {
			size_t off = NLMSG_HDRLEN + GENL_HDRLEN;

			while (off + NLA_HDRLEN <= nlh->nlmsg_len) {
				struct nlattr *a = (struct nlattr *)(rxbuf + off);

				if (a->nla_len < NLA_HDRLEN || off + a->nla_len > nlh->nlmsg_len)
					break;
				if (a->nla_type == CTRL_ATTR_FAMILY_ID)
					fam_id = *(uint16_t *)(a + 1);
				if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_MCAST_GROUPS) {
					/* nest of nests { ID, NAME } */
					size_t o2 = off + NLA_HDRLEN;

					while (o2 + NLA_HDRLEN <= off + a->nla_len) {
						struct nlattr *g = (struct nlattr *)(rxbuf + o2);
						size_t o3 = o2 + NLA_HDRLEN;
						uint32_t id = 0;
						bool ours = false;

						if (g->nla_len < NLA_HDRLEN)
							break;
						while (o3 + NLA_HDRLEN <= o2 + g->nla_len) {
							struct nlattr *x = (struct nlattr *)(rxbuf + o3);

							if (x->nla_len < NLA_HDRLEN)
								break;
							if (x->nla_type == CTRL_ATTR_MCAST_GRP_ID)
								id = *(uint32_t *)(x + 1);
							if (x->nla_type == CTRL_ATTR_MCAST_GRP_NAME &&
							    !strcmp((char *)(x + 1), TWCTL_MCGRP_EVENTS))
								ours = true;
							o3 += NLA_ALIGN(x->nla_len);
						}
						if (ours)
							events_grp = id;
						o2 += NLA_ALIGN(g->nla_len);
					}
				}
				off += NLA_ALIGN(a->nla_len);
			}
			found = fam_id != 0;
		}
	}
	/* an id that no family has: ids are handed out upwards, 0x7f00 is free */
	unused_fam_id = 0x7f00;
	close(fd);
	free(b.p);
	return found;
}

/* ------------------------------------------------------------------ */
/* checking answers                                                    */

enum { SZ_ANY = -1, SZ_STR = -2, SZ_ADDR = -3, SZ_NEST = -4, SZ_FLAG = 0 };

static int top_size(int t)
{
	switch (t) {
	case TWCTL_A_VERSION: case TWCTL_A_EVENT_COMM: return SZ_STR;
	case TWCTL_A_TW_COUNT: case TWCTL_A_TW_REUSE_DELAY_MS: case TWCTL_A_LIMIT:
	case TWCTL_A_MATCHED: case TWCTL_A_KILLED: case TWCTL_A_EVENT_PID:
	case TWCTL_A_EVENT_UID: case TWCTL_A_EVENT_NETNS: return 4;
	case TWCTL_A_PORT_RANGE_LO: case TWCTL_A_PORT_RANGE_HI: return 2;
	case TWCTL_A_TW_REUSE: case TWCTL_A_CAPTURE_ACTIVE: case TWCTL_A_GROUP_BY: return 1;
	case TWCTL_A_FILTER: case TWCTL_A_ENTRY: case TWCTL_A_GROUP: return SZ_NEST;
	case TWCTL_A_DRY_RUN: return SZ_FLAG;
#ifdef TWCTL_SUMMARY_GROUPS_MAX	/* came with TWCTL_A_TRUNCATED */
	case TWCTL_A_TRUNCATED: return SZ_FLAG;
#endif
	default: return SZ_ANY;
	}
}

static int entry_size(int t)
{
	switch (t) {
	case TWCTL_ENTRY_A_FAMILY: case TWCTL_ENTRY_A_STATE: case TWCTL_ENTRY_A_TIMESTAMPS:
	case TWCTL_ENTRY_A_AGE_SOURCE: case TWCTL_ENTRY_A_RTO_SOURCE:
	case TWCTL_ENTRY_A_RECYCLE_ELIGIBLE: case TWCTL_ENTRY_A_RECYCLE_REASON:
	case TWCTL_ENTRY_A_REUSE_ELIGIBLE: case TWCTL_ENTRY_A_REUSE_REASON: return 1;
	case TWCTL_ENTRY_A_LPORT: case TWCTL_ENTRY_A_RPORT: return 2;
	case TWCTL_ENTRY_A_LADDR: case TWCTL_ENTRY_A_RADDR: return SZ_ADDR;
	case TWCTL_ENTRY_A_COOKIE: return 8;
	case TWCTL_ENTRY_A_PAD: case TWCTL_ENTRY_A_UNSPEC: return SZ_ANY;
	default: return t <= TWCTL_ENTRY_A_NETNS ? 4 : SZ_ANY;
	}
}

static int group_size(int t)
{
	switch (t) {
	case TWCTL_GROUP_A_FAMILY: return 1;
	case TWCTL_GROUP_A_LPORT: case TWCTL_GROUP_A_RPORT: return 2;
	case TWCTL_GROUP_A_RADDR: return SZ_ADDR;
	case TWCTL_GROUP_A_PAD: case TWCTL_GROUP_A_UNSPEC: return SZ_ANY;
	default: return t <= TWCTL_GROUP_A_EPHEMERAL_RANGE ? 4 : SZ_ANY;
	}
}

static int filter_size(int t)
{
	switch (t) {
	case TWCTL_FILTER_A_FAMILY: case TWCTL_FILTER_A_LADDR_PREFIX:
	case TWCTL_FILTER_A_RADDR_PREFIX: return 1;
	case TWCTL_FILTER_A_LPORT_MIN: case TWCTL_FILTER_A_LPORT_MAX:
	case TWCTL_FILTER_A_RPORT_MIN: case TWCTL_FILTER_A_RPORT_MAX: return 2;
	case TWCTL_FILTER_A_LADDR: case TWCTL_FILTER_A_RADDR: return SZ_ADDR;
	case TWCTL_FILTER_A_COOKIE: return 8;
	case TWCTL_FILTER_A_RECYCLE_ELIGIBLE: case TWCTL_FILTER_A_REUSE_ELIGIBLE: return SZ_FLAG;
	case TWCTL_FILTER_A_PAD: case TWCTL_FILTER_A_UNSPEC: return SZ_ANY;
	default: return 4;
	}
}

struct attrs {
	const struct nlattr *a[64];
	int dup;
};

/*
 * Walk attributes in [p, p+len): each within bounds, the walk ends exactly
 * at len (allowing the final padding), types at most maxtype, payload sizes
 * as sizefn says. Fills tb (last wins; dup counts repeats). Returns an error
 * text or NULL.
 */
static const char *walk_attrs(const uint8_t *p, size_t len, int maxtype, int (*sizefn)(int),
			      struct attrs *tb)
{
	static char why[160];
	size_t off = 0;

	memset(tb, 0, sizeof(*tb));
	while (off < len) {
		const struct nlattr *a = (const struct nlattr *)(p + off);
		int t, want, plen;

		if (len - off < NLA_HDRLEN) {
			snprintf(why, sizeof(why), "%zu stray bytes after the attributes", len - off);
			return why;
		}
		if (a->nla_len < NLA_HDRLEN || a->nla_len > len - off) {
			snprintf(why, sizeof(why), "attribute at %zu has nla_len %u, %zu bytes left",
				 off, a->nla_len, len - off);
			return why;
		}
		t = a->nla_type & NLA_TYPE_MASK;
		plen = a->nla_len - NLA_HDRLEN;
		if (t > maxtype) {
			snprintf(why, sizeof(why), "attribute type %d above the uapi maximum %d", t, maxtype);
			return why;
		}
		want = sizefn(t);
		if ((want >= 0 && plen != want) ||
		    (want == SZ_ADDR && plen != 4 && plen != 16) ||
		    (want == SZ_STR && (plen < 1 || p[off + NLA_HDRLEN + plen - 1] != 0)) ||
		    (want == SZ_NEST && !(a->nla_type & NLA_F_NESTED))) {
			snprintf(why, sizeof(why), "attribute type %d: payload %d bytes (want %d)%s",
				 t, plen, want, want == SZ_NEST ? " or NLA_F_NESTED missing" : "");
			return why;
		}
		if (t < 64) {
			if (tb->a[t])
				tb->dup++;
			tb->a[t] = a;
		}
		off += NLA_ALIGN(a->nla_len);
		if (off > len && off - len < NLA_ALIGNTO)
			off = len;
	}
	return NULL;
}

static uint32_t get_u32(const struct nlattr *a) { uint32_t v; memcpy(&v, a + 1, 4); return v; }
static uint16_t get_u16(const struct nlattr *a) { uint16_t v; memcpy(&v, a + 1, 2); return v; }
static uint8_t get_u8(const struct nlattr *a) { return *(const uint8_t *)(a + 1); }
static uint64_t get_u64(const struct nlattr *a) { uint64_t v; memcpy(&v, a + 1, 8); return v; }

static void __attribute__((unused)) check_entry(struct sent_msg *sm, const struct nlattr *nest)
{
	struct attrs tb;
	const char *why = walk_attrs((const uint8_t *)(nest + 1), nest->nla_len - NLA_HDRLEN,
				     TWCTL_ENTRY_A_MAX, entry_size, &tb);
	static const int required[] = {
		TWCTL_ENTRY_A_FAMILY, TWCTL_ENTRY_A_LADDR, TWCTL_ENTRY_A_LPORT,
		TWCTL_ENTRY_A_RADDR, TWCTL_ENTRY_A_RPORT, TWCTL_ENTRY_A_STATE,
		TWCTL_ENTRY_A_REMAINING_MS, TWCTL_ENTRY_A_COOKIE,
	};
	unsigned int i;
	int fam, alen;
	uint8_t st;
	uint16_t lp, rp;

	if (why) {
		failf("entry nest: %s", why);
		return;
	}
	if (tb.dup) {
		failf("entry nest repeats an attribute");
		return;
	}
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (!tb.a[required[i]]) {
			failf("entry lacks attribute %d", required[i]);
			return;
		}
	}
	fam = get_u8(tb.a[TWCTL_ENTRY_A_FAMILY]);
	alen = fam == AF_INET ? 4 : 16;
	if ((fam != AF_INET && fam != AF_INET6) ||
	    tb.a[TWCTL_ENTRY_A_LADDR]->nla_len - NLA_HDRLEN != alen ||
	    tb.a[TWCTL_ENTRY_A_RADDR]->nla_len - NLA_HDRLEN != alen) {
		failf("entry family %d does not match its address lengths", fam);
		return;
	}
	st = get_u8(tb.a[TWCTL_ENTRY_A_STATE]);
	if (st != TWCTL_STATE_TIME_WAIT && st != TWCTL_STATE_FIN_WAIT2)
		failf("entry state %u is not a timewait substate", st);
	if (tb.a[TWCTL_ENTRY_A_NETNS])
		failf("netlink entry carries TWCTL_ENTRY_A_NETNS (debugfs only)");
	if (!privileged) {
		/* the uapi: what inet_diag gives everyone, no more */
		static const int admin_only[] = {
			TWCTL_ENTRY_A_MARK, TWCTL_ENTRY_A_SND_NXT, TWCTL_ENTRY_A_RCV_NXT,
			TWCTL_ENTRY_A_TS_RECENT, TWCTL_ENTRY_A_TS_RECENT_AGE_MS,
		};

		for (i = 0; i < sizeof(admin_only) / sizeof(admin_only[0]); i++)
			if (tb.a[admin_only[i]])
				failf("entry carries attribute %d (CAP_NET_ADMIN only) for an unprivileged caller",
				      admin_only[i]);
	}
	if (get_u32(tb.a[TWCTL_ENTRY_A_REMAINING_MS]) > 61000)
		failf("entry remaining_ms %u exceeds TIME_WAIT's 60 s",
		      get_u32(tb.a[TWCTL_ENTRY_A_REMAINING_MS]));
	/* the filter we asked for, for the fields it is cheap to check */
	if (sm->vf.valid) {
		lp = get_u16(tb.a[TWCTL_ENTRY_A_LPORT]);
		rp = get_u16(tb.a[TWCTL_ENTRY_A_RPORT]);
		if ((sm->vf.family && fam != sm->vf.family) ||
		    lp < sm->vf.lmin || lp > sm->vf.lmax || rp < sm->vf.rmin || rp > sm->vf.rmax ||
		    !(sm->vf.states & (1u << st)) ||
		    (sm->vf.has_cookie && get_u64(tb.a[TWCTL_ENTRY_A_COOKIE]) != sm->vf.cookie))
			failf("entry (family %d lport %u rport %u state %u) outside the filter "
			      "(family %d lport %u-%u rport %u-%u states %#x)", fam, lp, rp, st,
			      sm->vf.family, sm->vf.lmin, sm->vf.lmax, sm->vf.rmin, sm->vf.rmax,
			      sm->vf.states);
	}
	fig->entries++;
}

static void check_group(struct sent_msg *sm, const struct nlattr *nest)
{
	struct attrs tb;
	const char *why = walk_attrs((const uint8_t *)(nest + 1), nest->nla_len - NLA_HDRLEN,
				     TWCTL_GROUP_A_MAX, group_size, &tb);
	uint32_t count;

	if (why) {
		failf("group nest: %s", why);
		return;
	}
	if (!tb.a[TWCTL_GROUP_A_COUNT]) {
		failf("group lacks TWCTL_GROUP_A_COUNT");
		return;
	}
	count = get_u32(tb.a[TWCTL_GROUP_A_COUNT]);
	if (!count)
		failf("group with count 0");
	/*
	 * Each read of the dump aggregates afresh; if counts changed since the
	 * last read the order may shift, and the kernel flags that with
	 * NLM_F_DUMP_INTR (sm->intr).
	 */
	if (sm->n_groups && !sm->intr && count > sm->last_group_count)
		failf("groups not largest first (%u after %u)", count, sm->last_group_count);
	sm->last_group_count = count;
	if (sm->vf.valid) {
		bool ok = true;

		switch (sm->vf.group_by) {
		case TWCTL_GROUP_BY_LPORT: ok = tb.a[TWCTL_GROUP_A_LPORT]; break;
		case TWCTL_GROUP_BY_RPORT: ok = tb.a[TWCTL_GROUP_A_RPORT]; break;
		case TWCTL_GROUP_BY_RADDR: ok = tb.a[TWCTL_GROUP_A_RADDR] && tb.a[TWCTL_GROUP_A_FAMILY]; break;
		case TWCTL_GROUP_BY_NETNS: ok = tb.a[TWCTL_GROUP_A_NETNS]; break;
		default: ok = tb.a[TWCTL_GROUP_A_RADDR] && tb.a[TWCTL_GROUP_A_RPORT]; break;
		}
		if (!ok)
			failf("group lacks the key of group-by %d", sm->vf.group_by);
	}
	fig->groups++;
}

static int filter_size(int t);

/* The events socket: every event well-formed; count ours (our pid). */
static int drain_events(void)
{
	int mine = 0, err;
	ssize_t n;

	if (ev_fd < 0)
		return 0;
	for (;;) {
		size_t off = 0;

		n = recv_timeout(ev_fd, rxbuf, RXBUF_SIZE, 0, &err);
		if (n < 0) {
			if (err == ETIMEDOUT || err == EAGAIN)
				break;
			failf("events socket: %s", strerror(err));
			break;
		}
		while ((size_t)n - off >= NLMSG_HDRLEN) {
			struct nlmsghdr *nlh = (struct nlmsghdr *)(rxbuf + off);
			struct attrs tb, ftb;
			const char *why;

			if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN || nlh->nlmsg_len > n - off) {
				failf("event nlmsg_len %u in a %zd-byte datagram", nlh->nlmsg_len, n);
				break;
			}
			why = walk_attrs(rxbuf + off + NLMSG_HDRLEN + GENL_HDRLEN,
					 nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, TWCTL_A_MAX,
					 top_size, &tb);
			if (!why && tb.a[TWCTL_A_FILTER])
				why = walk_attrs((const uint8_t *)(tb.a[TWCTL_A_FILTER] + 1),
						 tb.a[TWCTL_A_FILTER]->nla_len - NLA_HDRLEN,
						 TWCTL_FILTER_A_MAX, filter_size, &ftb);
			if (why)
				failf("kill event: %s", why);
			else if (rxbuf[off + NLMSG_HDRLEN] != TWCTL_CMD_KILL_EVENT ||
				 !tb.a[TWCTL_A_EVENT_PID] || !tb.a[TWCTL_A_MATCHED] || !tb.a[TWCTL_A_KILLED])
				failf("kill event without its command, pid, matched or killed");
			/* ours even if malformed, so that one defect is reported once */
			if (tb.a[TWCTL_A_EVENT_PID] && tb.a[TWCTL_A_EVENT_PID]->nla_len == NLA_HDRLEN + 4 &&
			    get_u32(tb.a[TWCTL_A_EVENT_PID]) == (uint32_t)getpid())
				mine++;
			fig->events++;
			off += NLMSG_ALIGN(nlh->nlmsg_len);
		}
	}
	return mine;
}

static struct sent_msg *find_msg(struct plan *p, uint32_t seq)
{
	int i;

	for (i = 0; i < p->n; i++)
		if (p->m[i].seq == seq && p->m[i].state != 3)
			return &p->m[i];
	for (i = 0; i < p->n; i++)
		if (p->m[i].seq == seq)
			return &p->m[i];
	return NULL;
}

/* NLMSG_ERROR: its echoed header and its extended ACK TLVs. */
static void check_error(struct sent_msg *sm, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = NLMSG_DATA(nlh);
	size_t plen = nlh->nlmsg_len - NLMSG_HDRLEN, need = sizeof(*e), tl_off;
	int err;

	if (plen < sizeof(*e)) {
		failf("NLMSG_ERROR of %zu payload bytes", plen);
		return;
	}
	err = -e->error;
	if (e->error > 0 || err >= 4096) {
		failf("NLMSG_ERROR with error %d", e->error);
		return;
	}
	if (e->msg.nlmsg_seq != sm->seq || e->msg.nlmsg_len != sm->nlmsg_len ||
	    e->msg.nlmsg_type != sm->type || e->msg.nlmsg_flags != sm->flags) {
		failf("NLMSG_ERROR echoes another header (len %u type %u flags %#x seq %u)",
		      e->msg.nlmsg_len, e->msg.nlmsg_type, e->msg.nlmsg_flags, e->msg.nlmsg_seq);
		return;
	}
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		need += sm->nlmsg_len - NLMSG_HDRLEN;
		if (err == 0)
			failf("an ACK echoes the request's payload");
		else if (plen >= need && memcmp((const uint8_t *)(e + 1), sm->raw + NLMSG_HDRLEN,
						sm->nlmsg_len - NLMSG_HDRLEN))
			failf("NLMSG_ERROR echoes a different payload");
	}
	if (plen < need) {
		failf("NLMSG_ERROR shorter (%zu) than its echo (%zu)", plen, need);
		return;
	}
	if (err == 0)
		fig->acks++;
	else if (err < MAX_ERRNO)
		fig->errors[err]++;
	else
		fig->errors[0]++;
	tl_off = NLMSG_HDRLEN + NLMSG_ALIGN(need);
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS)) {
		if (nlh->nlmsg_len > tl_off)
			failf("NLMSG_ERROR has %u trailing bytes but no NLM_F_ACK_TLVS",
			      nlh->nlmsg_len - (uint32_t)tl_off);
		return;
	}
	if (!sock_ext_ack)
		failf("NLM_F_ACK_TLVS on a socket without NETLINK_EXT_ACK");
	if (tl_off > nlh->nlmsg_len)
		failf("NLM_F_ACK_TLVS but no room for TLVs");
}

/* extack TLV payload sizes */
static int extack_size(int t)
{
	switch (t) {
	case NLMSGERR_ATTR_MSG: return SZ_STR;
	case NLMSGERR_ATTR_OFFS: return 4;
#ifdef NLMSGERR_ATTR_MISS_TYPE
	case NLMSGERR_ATTR_MISS_TYPE: return 4;
	case NLMSGERR_ATTR_MISS_NEST: return 4;
#endif
	case NLMSGERR_ATTR_POLICY: return SZ_NEST;
	default: return SZ_ANY;
	}
}

/* extack TLVs after an NLMSG_ERROR or NLMSG_DONE payload */
static void check_tlvs(struct sent_msg *sm, const uint8_t *p, size_t len)
{
	struct attrs tb;
	const char *why = walk_attrs(p, len, 63, extack_size, &tb);

	if (why) {
		failf("extended ACK TLVs: %s", why);
		return;
	}
	if (tb.a[NLMSGERR_ATTR_MSG]) {
		fig->extack_msgs++;
		char *c;

		snprintf(last_extack, sizeof(last_extack), "%s",
			 (const char *)(tb.a[NLMSGERR_ATTR_MSG] + 1));
		for (c = last_extack; *c; c++)
			if (*c < 0x20 || *c > 0x7e)
				*c = '?';
	}
	if (tb.a[NLMSGERR_ATTR_OFFS]) {
		uint32_t o = get_u32(tb.a[NLMSGERR_ATTR_OFFS]);

		fig->extack_offs++;
		if ((size_t)o + NLA_HDRLEN > sm->nlmsg_len || o < NLMSG_HDRLEN + GENL_HDRLEN)
			failf("extack offset %u outside the %u-byte request's attributes",
			      o, sm->nlmsg_len);
	}
#ifdef NLMSGERR_ATTR_MISS_NEST
	if (tb.a[NLMSGERR_ATTR_MISS_NEST]) {
		uint32_t o = get_u32(tb.a[NLMSGERR_ATTR_MISS_NEST]);

		if ((size_t)o + NLA_HDRLEN > sm->nlmsg_len)
			failf("extack missing-nest offset %u outside the request", o);
	}
#endif
}

static void check_reply(struct sent_msg *sm, const struct nlmsghdr *nlh)
{
	struct attrs tb;
	const struct genlmsghdr *g = NLMSG_DATA(nlh);
	const char *why;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN) {
		failf("reply of %u bytes has no genl header", nlh->nlmsg_len);
		return;
	}
	why = walk_attrs((const uint8_t *)nlh + NLMSG_HDRLEN + GENL_HDRLEN,
			 nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, TWCTL_A_MAX, top_size, &tb);
	if (why) {
		failf("reply (cmd %u): %s", g->cmd, why);
		return;
	}
	if (g->cmd != sm->cmd) {
		failf("reply command %u to a request for command %u", g->cmd, sm->cmd);
		return;
	}
	switch (g->cmd) {
	case TWCTL_CMD_GET_INFO:
		if (!tb.a[TWCTL_A_VERSION] || !tb.a[TWCTL_A_TW_COUNT] || !tb.a[TWCTL_A_PORT_RANGE_LO] ||
		    !tb.a[TWCTL_A_PORT_RANGE_HI] || !tb.a[TWCTL_A_TW_REUSE] ||
		    !tb.a[TWCTL_A_TW_REUSE_DELAY_MS] || !tb.a[TWCTL_A_CAPTURE_ACTIVE])
			failf("GET_INFO reply lacks an attribute the uapi promises");
		break;
	case TWCTL_CMD_GET_ENTRIES:
		/* Since the compact entry: one struct twctl_entry_info each. */
		if (!tb.a[TWCTL_A_ENTRY_INFO] || tb.dup) {
			failf("entries message without exactly one TWCTL_A_ENTRY_INFO");
			break;
		}
		if (tb.a[TWCTL_A_ENTRY_INFO]->nla_len !=
		    NLA_HDRLEN + sizeof(struct twctl_entry_info))
			failf("TWCTL_A_ENTRY_INFO of %u bytes",
			      (unsigned int)tb.a[TWCTL_A_ENTRY_INFO]->nla_len);
		sm->n_entries++;
		if (sm->vf.valid && sm->vf.limit && sm->n_entries > sm->vf.limit)
			failf("dump returned %u entries over its limit %u", sm->n_entries, sm->vf.limit);
		break;
	case TWCTL_CMD_GET_SUMMARY:
		if (!tb.a[TWCTL_A_GROUP] || tb.dup) {
			failf("summary message without exactly one TWCTL_A_GROUP");
			break;
		}
		check_group(sm, tb.a[TWCTL_A_GROUP]);
		sm->n_groups++;
		if (sm->vf.valid && sm->vf.limit && sm->n_groups > sm->vf.limit)
			failf("summary returned %u groups over its limit %u", sm->n_groups, sm->vf.limit);
		break;
	case TWCTL_CMD_KILL:
	{
		uint32_t matched, killed;
		bool dry;

		if (!privileged)
			failf("KILL succeeded for a caller without CAP_NET_ADMIN");
		if (!tb.a[TWCTL_A_MATCHED] || !tb.a[TWCTL_A_KILLED]) {
			failf("KILL reply lacks MATCHED or KILLED");
			break;
		}
		matched = get_u32(tb.a[TWCTL_A_MATCHED]);
		killed = get_u32(tb.a[TWCTL_A_KILLED]);
		dry = tb.a[TWCTL_A_DRY_RUN];
		if (killed > matched)
			failf("KILL reply: killed %u > matched %u", killed, matched);
		if (dry && killed)
			failf("dry-run KILL reports %u killed", killed);
		if (sm->vf.valid && sm->vf.dry_run != dry)
			failf("KILL reply's DRY_RUN %d differs from the request's %d", dry, sm->vf.dry_run);
		if (sm->vf.valid && sm->vf.limit && matched > sm->vf.limit)
			failf("KILL matched %u over its limit %u", matched, sm->vf.limit);
		if (dry) {
			fig->dry_runs++;
		} else {
			fig->kills++;
			fig->killed += killed;
			real_kills++;
		}
		break;
	}
	default:
		failf("reply with command %u", g->cmd);
		break;
	}
}

/* One received netlink message; returns true if it was the ping's ACK. */
static bool handle_msg(struct plan *p, const struct nlmsghdr *nlh, uint32_t ping_seq)
{
	struct sent_msg *sm;
	const struct nlmsgerr *e;

	if (nlh->nlmsg_pid != my_portid) {
		failf("answer addressed to portid %u, ours is %u", nlh->nlmsg_pid, my_portid);
		return false;
	}
	if (nlh->nlmsg_seq == ping_seq) {
		if (nlh->nlmsg_type != NLMSG_ERROR ||
		    nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct nlmsgerr)) {
			failf("ping answered with type %u", nlh->nlmsg_type);
			return false;
		}
		e = NLMSG_DATA(nlh);
		if (e->error)
			failf("ping ACK carries error %d", e->error);
		return true;
	}
	sm = find_msg(p, nlh->nlmsg_seq);
	if (!sm) {
		failf("answer (type %u) for seq %u, which we did not send", nlh->nlmsg_type,
		      nlh->nlmsg_seq);
		return false;
	}
	if (!sm->expect_answer) {
		failf("answer (type %u) to a message the kernel must ignore", nlh->nlmsg_type);
		sm->state = 3;
		return false;
	}
	if (sm->state == 3) {
		failf("answer (type %u) after the request's final answer", nlh->nlmsg_type);
		return false;
	}
	last_extack[0] = 0;
	if (nlh->nlmsg_type == NLMSG_ERROR && nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(*e)) {
		/* read the extack message first, for the reports below */
		size_t need = sizeof(*e);

		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			need += sm->nlmsg_len - NLMSG_HDRLEN;
		if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) &&
		    NLMSG_HDRLEN + NLMSG_ALIGN(need) <= nlh->nlmsg_len)
			check_tlvs(sm, (const uint8_t *)nlh + NLMSG_HDRLEN + NLMSG_ALIGN(need),
				   nlh->nlmsg_len - NLMSG_HDRLEN - NLMSG_ALIGN(need));
	}
	if (!sm->got_any) {
		int e0 = 0;

		if (nlh->nlmsg_type == NLMSG_ERROR && nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(*e))
			e0 = -((const struct nlmsgerr *)NLMSG_DATA(nlh))->error;
		if (e0 == EBUSY && sm->busy_ok)
			;	/* a dump of this socket was still running */
		else if (e0 > 0 && sm->want_ok)
			failf("a well-formed request was refused with %s (extack: %s)",
			      strerrorname_np(e0) ?: "?", last_extack);
		else if (e0 > 0 && sm->want_err && !(sm->want_err & EB(e0)))
			failf("answered %s where genetlink must say %#x (1 ENOENT, 2 EINVAL, 4 EOPNOTSUPP, 8 EPERM)",
			      strerrorname_np(e0) ?: "?", sm->want_err);
		else if (e0 <= 0 && sm->want_err)
			failf("accepted (answer type %u) where genetlink must refuse it (%#x)",
			      nlh->nlmsg_type, sm->want_err);
	}
	sm->got_any = true;
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		check_error(sm, nlh);
		e = NLMSG_DATA(nlh);
		if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(*e)) {
			if (sm->state == 2)
				failf("NLMSG_ERROR in the middle of a dump");
			if (sm->state == 1 && e->error)
				failf("error %d after a doit reply", e->error);
		}
		sm->state = 3;
		return false;
	}
	if (nlh->nlmsg_type == NLMSG_DONE) {
		if (sm->state != 2 && !(nlh->nlmsg_flags & NLM_F_MULTI))
			failf("NLMSG_DONE without NLM_F_MULTI");
		if (nlh->nlmsg_len < NLMSG_HDRLEN + 4) {
			failf("NLMSG_DONE without its error code");
		} else {
			int32_t derr;

			memcpy(&derr, NLMSG_DATA(nlh), 4);
			if (derr > 0 || derr < -4095)
				failf("NLMSG_DONE carries %d", derr);
			if (derr < 0)
				fig->dump_done_errors++;
			if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
				check_tlvs(sm, (const uint8_t *)nlh + NLMSG_HDRLEN + 4,
					   nlh->nlmsg_len - NLMSG_HDRLEN - 4);
		}
		if (!sm->is_dump)
			failf("NLMSG_DONE for a request that is no dump");
		fig->dumps_done++;
		sm->state = 3;
		return false;
	}
	if (nlh->nlmsg_type != fam_id) {
		failf("answer of type %u, neither an error nor our family %u", nlh->nlmsg_type, fam_id);
		sm->state = 3;
		return false;
	}
	if (nlh->nlmsg_flags & NLM_F_MULTI) {
		if (!sm->is_dump)
			failf("multipart answer to a request that is no dump");
		sm->state = 2;
		fig->dump_msgs++;
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) {
			sm->intr = true;
			fig->dump_intr++;
		}
		check_reply(sm, nlh);
		return false;
	}
	if (sm->is_dump || sm->state != 0)
		failf("single answer in a dump or after the reply");
	check_reply(sm, nlh);
	fig->doit_replies++;
	sm->state = (sm->flags & NLM_F_ACK) ? 1 : 3;
	return false;
}

static bool all_answered(struct plan *p)
{
	int i;

	for (i = 0; i < p->n; i++)
		if (p->m[i].expect_answer && p->m[i].state != 3)
			return false;
	return true;
}

static void set_cap_ack(bool on)
{
	int v = on;

	setsockopt(nl_fd, SOL_NETLINK, NETLINK_CAP_ACK, &v, sizeof(v));
}

/* Send the datagram, then the ping; read until everything is answered. */
static void run_plan(struct plan *p)
{
	static uint32_t ping_counter;
	struct nlmsghdr ping = {
		.nlmsg_len = NLMSG_HDRLEN, .nlmsg_type = NLMSG_NOOP,
		.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
	};
	bool ping_acked = false;
	uint64_t deadline;
	ssize_t n;
	int i, err;

	cur_dgram = p->b.p;
	cur_dgram_len = p->b.len;
	ping.nlmsg_seq = 0x80000000u | (++ping_counter & 0x7fffffff);
	fig->datagrams++;
	fig->messages += p->n ? p->n : 1;
	fig->by_cat[p->cat]++;
	if (p->need_cap_ack && !sock_cap_ack)
		set_cap_ack(true);

	real_kills = 0;
	if (ev_fd >= 0)
		drain_events();		/* other workers' events */
	n = send(nl_fd, p->b.p, p->b.len, 0);
	if (n < 0) {
		if ((errno == EMSGSIZE && (long)p->b.len > nl_sndbuf - 32) ||
		    (errno == ENODATA && p->b.len == 0)) {
			/* too big for the socket, or an empty datagram */
			fig->send_refused++;
			for (i = 0; i < p->n; i++)
				p->m[i].expect_answer = false;
		} else {
			failf("send(%zu bytes): %s", p->b.len, strerror(errno));
			goto out;
		}
	} else if ((size_t)n != p->b.len) {
		failf("send returned %zd of %zu", n, p->b.len);
	} else if ((long)p->b.len > nl_sndbuf - 32) {
		failf("a %zu-byte datagram passed a %d-byte send buffer", p->b.len, nl_sndbuf);
	}
	if (send(nl_fd, &ping, sizeof(ping), 0) != sizeof(ping)) {
		failf("the socket no longer sends: %s", strerror(errno));
		goto out;
	}
	deadline = now_ms() + opt_timeout_ms;
	while (!ping_acked || !all_answered(p)) {
		int left = (int)(deadline - now_ms());
		size_t off = 0;

		if ((int64_t)(deadline - now_ms()) <= 0)
			left = 0;
		n = recv_timeout(nl_fd, rxbuf, RXBUF_SIZE, left, &err);
		if (n < 0) {
			if (err == ETIMEDOUT) {
				failf("no answer within %d ms (ping acked: %d)", opt_timeout_ms, ping_acked);
				/* the socket is in an unknown state: start afresh */
				close(nl_fd);
				nl_fd = nl_open(sock_ext_ack, sock_cap_ack, 0);
				my_portid = last_portid;
				goto out;
			}
			failf("recv: %s", strerror(err));
			goto out;
		}
		if (n == 0) {
			failf("empty datagram from the kernel");
			continue;
		}
		while (off < (size_t)n) {
			const struct nlmsghdr *nlh = (const struct nlmsghdr *)(rxbuf + off);

			if ((size_t)n - off < NLMSG_HDRLEN || nlh->nlmsg_len < NLMSG_HDRLEN ||
			    nlh->nlmsg_len > (size_t)n - off) {
				failf("answer datagram of %zd bytes: bad nlmsg_len %u at %zu",
				      n, (size_t)n - off >= NLMSG_HDRLEN ? nlh->nlmsg_len : 0, off);
				break;
			}
			if (handle_msg(p, nlh, ping.nlmsg_seq)) {
				if (ping_acked)
					failf("two ACKs for one ping");
				ping_acked = true;
				/* doit answers come before the ping's ACK */
				for (i = 0; i < p->n; i++) {
					struct sent_msg *sm = &p->m[i];

					if (!sm->expect_answer)
						fig->ignored++;
					else if (!sm->got_any && !sm->is_dump)
						failf("no answer before the ping's ACK");
				}
			}
			off += NLMSG_ALIGN(nlh->nlmsg_len);
		}
	}
	/* the kernel sends an event before it replies; all are queued by now */
	if (ev_fd >= 0) {
		int mine = drain_events();

		if (mine != real_kills)
			failf("%d real KILLs produced %d kill events for our pid", real_kills, mine);
	}
out:
	if (p->need_cap_ack && !sock_cap_ack)
		set_cap_ack(false);
}

/* ------------------------------------------------------------------ */
/* entries in our own netns (root phase), so that dumps and kills bite */

static uint32_t tw_count(void)
{
	struct buf b = { 0 };
	size_t at = msg_start(&b, fam_id, NLM_F_REQUEST, 7, TWCTL_CMD_GET_INFO);
	int fd = nl_open(false, true, 0), err;
	uint32_t count = 0;
	ssize_t n;

	msg_end(&b, at);
	if (send(fd, b.p, b.len, 0) == (ssize_t)b.len) {
		n = recv_timeout(fd, rxbuf, RXBUF_SIZE, opt_timeout_ms, &err);
		if (n > 0 && ((struct nlmsghdr *)rxbuf)->nlmsg_type == fam_id) {
			struct nlmsghdr *nlh = (struct nlmsghdr *)rxbuf;
			struct attrs tb;

			if (!walk_attrs(rxbuf + NLMSG_HDRLEN + GENL_HDRLEN,
					nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, TWCTL_A_MAX,
					top_size, &tb) && tb.a[TWCTL_A_TW_COUNT])
				count = get_u32(tb.a[TWCTL_A_TW_COUNT]);
		}
	}
	close(fd);
	free(b.p);
	return count;
}

/* Loopback connections closed client first: the client's end stays in TIME_WAIT. */
static void make_entries(struct rng *r, int want)
{
	int fam, made = 0;

	for (fam = 0; fam < 2 && made < want; fam++) {
		bool v6 = fam == 1;
		int ls = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		struct sockaddr_storage ss = { 0 };
		socklen_t sl = v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
		int i, n = v6 ? want / 4 : want - want / 4;

		if (ls < 0)
			continue;
		ss.ss_family = v6 ? AF_INET6 : AF_INET;
		if (v6)
			((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_loopback;
		if (bind(ls, (struct sockaddr *)&ss, sl) < 0 || listen(ls, 256) < 0 ||
		    getsockname(ls, (struct sockaddr *)&ss, &sl) < 0) {
			close(ls);
			continue;
		}
		for (i = 0; i < n; i++) {
			struct sockaddr_storage dst = ss;
			int c = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), a;

			if (c < 0)
				break;
			if (!v6)
				((struct sockaddr_in *)&dst)->sin_addr.s_addr =
					htonl(0x7f000001 + rnd(r, 4));
			if (connect(c, (struct sockaddr *)&dst, sl) < 0) {
				close(c);
				continue;
			}
			a = accept(ls, NULL, NULL);
			close(c);
			if (a >= 0)
				close(a);
			made++;
		}
		close(ls);
	}
	fig->replenished += made;
}

/* ------------------------------------------------------------------ */
/* abandoned dumps                                                     */

static void abandon_one(long index)
{
	struct rng r = { opt_seed ^ ((uint64_t)worker_id << 48) ^ ((uint64_t)index * 0x9e3779b97f4a7c15ULL) ^ 0xabad1dea };
	struct plan p = { 0 };
	int fd, err, reads, i;
	bool forked = false;
	pid_t pid = 0;

	rnd64(&r);
	/* small receive buffers make the kernel stop after a few entries */
	fd = nl_open(chance(&r, 50), chance(&r, 50), chance(&r, 50) ? 1024 + rnd(&r, 8192) : 0);
	gen_valid(&r, &p.b, chance(&r, 60) ? TWCTL_CMD_GET_ENTRIES : TWCTL_CMD_GET_SUMMARY, &p.m[0]);
	if (chance(&r, 10)) {
		pid = fork();
		if (pid < 0)
			die("fork: %s", strerror(errno));
		forked = true;
	}
	if (!forked || pid == 0) {
		cur_dgram = p.b.p;
		cur_dgram_len = p.b.len;
		if (send(fd, p.b.p, p.b.len, 0) < 0)
			failf("send of an abandoned dump: %s", strerror(errno));
		reads = rnd(&r, 3);
		for (i = 0; i < reads; i++) {
			ssize_t n = recv_timeout(fd, rxbuf, RXBUF_SIZE, opt_timeout_ms, &err);
			size_t off = 0;
			bool end = false;

			if (n < 0) {
				if (err == ETIMEDOUT)
					failf("abandoned dump: no answer within %d ms", opt_timeout_ms);
				break;
			}
			fig->abandoned_read++;
			/* the dump may end within the first datagram */
			while ((size_t)n - off >= NLMSG_HDRLEN) {
				const struct nlmsghdr *nlh = (const struct nlmsghdr *)(rxbuf + off);

				if (nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > (size_t)n - off)
					break;
				if (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR)
					end = true;
				off += NLMSG_ALIGN(nlh->nlmsg_len);
			}
			if (end)
				break;
		}
		if (chance(&r, 20))
			shutdown(fd, SHUT_RDWR);
		if (forked)
			_exit(0);	/* the socket goes with the process */
	}
	close(fd);
	if (forked) {
		int st;

		if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			failf("abandoning child exited badly (%#x)", st);
	}
	fig->datagrams++;
	fig->messages++;
	fig->by_cat[CAT_ABANDON]++;
	free(p.b.p);
}

/* ------------------------------------------------------------------ */

static void drop_privileges(int uid)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (setgroups(0, NULL) < 0 || setgid(uid) < 0 || setuid(uid) < 0)
		die("dropping to uid %d: %s", uid, strerror(errno));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die("PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
	if (syscall(SYS_capget, &h, d) < 0)
		die("capget: %s", strerror(errno));
	if (d[0].effective || d[1].effective || d[0].permitted || d[1].permitted)
		die("capabilities left after dropping to uid %d", uid);
}

static bool have_net_admin(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) < 0)
		return false;
	return d[CAP_TO_INDEX(CAP_NET_ADMIN)].effective & CAP_TO_MASK(CAP_NET_ADMIN);
}

static void worker(int w)
{
	struct plan p = { 0 };
	long i, first = 0, count = opt_count / opt_workers + (w < opt_count % opt_workers);
	struct rng r = { opt_seed ^ 0x5eed ^ (uint64_t)w };

	worker_id = w;
	fig = &figs_all[w];
	if (opt_only >= 0) {
		first = opt_only;
		count = 1;
	}
	rnd64(&r);
	sock_ext_ack = rnd(&r, 4) != 0 || (w == 0 && opt_sweep);
	sock_cap_ack = rnd(&r, 2);
	nl_fd = nl_open(sock_ext_ack, sock_cap_ack, 0);
	my_portid = last_portid;
	{
		socklen_t sl = sizeof(nl_sndbuf);

		getsockopt(nl_fd, SOL_SOCKET, SO_SNDBUF, &nl_sndbuf, &sl);
	}
	if (opt_events && events_grp) {
		int g = (int)events_grp, big = 4 << 20;

		ev_fd = nl_open(false, true, big);
		if (setsockopt(ev_fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)) < 0) {
			if (privileged)
				failf("root cannot join the events group: %s", strerror(errno));
			close(ev_fd);
			ev_fd = -1;
		}
	}
	for (i = first; i < first + count; i++) {
		cur_index = i;
		if (opt_replenish && i % 100 == 0 && tw_count() < (uint32_t)opt_replenish / 2)
			make_entries(&r, opt_replenish / 2);
		if (opt_abandon) {
			abandon_one(i);
			continue;
		}
		gen_plan(i, &p);
		if (opt_verbose) {
			char hex[2100];

			hex_of(hex, sizeof(hex), p.b.p, p.b.len < 1024 ? p.b.len : 1024);
			out_line("nlfuzz: msg %ld cat %s len %zu %s", i, cat_names[p.cat], p.b.len, hex);
		}
		run_plan(&p);
		if (ev_fd >= 0 && i % 16 == 0)
			drain_events();
		if (fig->failures > 50)
			break;
	}
	if (ev_fd >= 0)
		drain_events();
	close(nl_fd);
	free(p.b.p);
}

static void print_figures(void)
{
	struct figures t = { 0 };
	char line[4096];
	int w, i, n = 0;

	for (w = 0; w < opt_workers; w++) {
		struct figures *f = &figs_all[w];
		uint64_t *a = (uint64_t *)f, *s = (uint64_t *)&t;

		for (i = 0; i < (int)(sizeof(t) / sizeof(uint64_t)); i++)
			s[i] += a[i];
	}
	n += snprintf(line + n, sizeof(line) - n,
		      "NLFUZZ-FIGURES seed=%" PRIu64 " uid=%d workers=%d messages=%" PRIu64
		      " datagrams=%" PRIu64, opt_seed, (int)getuid(), opt_workers, t.messages,
		      t.datagrams);
	for (i = 0; i < N_CAT; i++)
		if (t.by_cat[i])
			n += snprintf(line + n, sizeof(line) - n, " cat.%s=%" PRIu64, cat_names[i],
				      t.by_cat[i]);
	n += snprintf(line + n, sizeof(line) - n,
		      " acks=%" PRIu64 " doit_replies=%" PRIu64 " dump_msgs=%" PRIu64
		      " dumps_done=%" PRIu64 " dump_intr=%" PRIu64 " dump_done_errors=%" PRIu64 " entries=%" PRIu64
		      " groups=%" PRIu64 " kills=%" PRIu64 " killed=%" PRIu64 " dry_runs=%" PRIu64
		      " events=%" PRIu64 " extack_msgs=%" PRIu64 " extack_offs=%" PRIu64
		      " ignored=%" PRIu64 " send_refused=%" PRIu64 " replenished=%" PRIu64
		      " abandoned_read=%" PRIu64,
		      t.acks, t.doit_replies, t.dump_msgs, t.dumps_done, t.dump_intr, t.dump_done_errors, t.entries,
		      t.groups, t.kills, t.killed, t.dry_runs, t.events, t.extack_msgs, t.extack_offs,
		      t.ignored, t.send_refused, t.replenished, t.abandoned_read);
	for (i = 0; i < MAX_ERRNO; i++)
		if (t.errors[i])
			n += snprintf(line + n, sizeof(line) - n, " err.%s=%" PRIu64,
				      i ? strerrorname_np(i) ? strerrorname_np(i) : "?" : "other",
				      t.errors[i]);
	n += snprintf(line + n, sizeof(line) - n, " failures=%" PRIu64, t.failures);
	out_line("%s", line);
}

static void usage(void)
{
	fprintf(stderr, "usage: nlfuzz [--count N] [--seed S] [--workers W] [--uid UID] "
		"[--mode fuzz|abandon] [--replenish N] [--events] [--timeout MS] "
		"[--only I --worker W] [--no-sweep] [--verbose]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int i, w, st, bad = 0;
	pid_t pids[64];

	opt_seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--verbose")) { opt_verbose = true; continue; }
		if (!strcmp(a, "--events")) { opt_events = true; continue; }
		if (!strcmp(a, "--no-sweep")) { opt_sweep = false; continue; }
		if (!v)
			usage();
		i++;
		if (!strcmp(a, "--count")) opt_count = strtol(v, NULL, 0);
		else if (!strcmp(a, "--seed")) opt_seed = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--workers")) opt_workers = atoi(v);
		else if (!strcmp(a, "--uid")) opt_uid = atoi(v);
		else if (!strcmp(a, "--replenish")) opt_replenish = atoi(v);
		else if (!strcmp(a, "--timeout")) opt_timeout_ms = atoi(v);
		else if (!strcmp(a, "--only")) opt_only = strtol(v, NULL, 0);
		else if (!strcmp(a, "--worker")) opt_worker = atoi(v);
		else if (!strcmp(a, "--mode")) {
			if (!strcmp(v, "abandon")) opt_abandon = true;
			else if (strcmp(v, "fuzz")) usage();
		} else usage();
	}
	if (opt_workers < 1 || opt_workers > 64 || opt_count < 0)
		usage();
	setvbuf(stdout, NULL, _IONBF, 0);
	signal(SIGPIPE, SIG_IGN);
	rxbuf = malloc(RXBUF_SIZE);
	figs_all = mmap(NULL, sizeof(struct figures) * 64, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!rxbuf || figs_all == MAP_FAILED)
		die("out of memory");
	fig = &figs_all[0];
	if (opt_uid >= 0)
		drop_privileges(opt_uid);
	privileged = have_net_admin();
	if (!resolve_family())
		die("the %s generic netlink family is not registered", TWCTL_GENL_NAME);
	out_line("nlfuzz: seed=%" PRIu64 " count=%ld workers=%d uid=%d net_admin=%d family=%u events=%u mode=%s",
		 opt_seed, opt_count, opt_workers, (int)getuid(), privileged, fam_id, events_grp,
		 opt_abandon ? "abandon" : "fuzz");
	if (opt_only >= 0) {
		worker(opt_worker);
		print_figures();
		return figs_all[opt_worker].failures ? 1 : 0;
	}
	if (opt_workers == 1) {
		worker(0);
	} else {
		for (w = 0; w < opt_workers; w++) {
			pids[w] = fork();
			if (pids[w] < 0)
				die("fork: %s", strerror(errno));
			if (pids[w] == 0) {
				worker(w);
				_exit(0);
			}
		}
		for (w = 0; w < opt_workers; w++) {
			if (waitpid(pids[w], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
				out_line("NLFUZZ-FAIL: worker %d ended with status %#x [seed=%" PRIu64 "]",
					 w, st, opt_seed);
				bad = 1;
			}
		}
	}
	print_figures();
	for (w = 0; w < opt_workers; w++)
		if (figs_all[w].failures)
			bad = 1;
	return bad;
}

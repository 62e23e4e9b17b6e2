// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * churn.c - traffic for the stress suite (tests/stress/), built on the host
 * and run in the guest.  Python is far too slow for this under TCG.
 *
 *   churn server PORT4,... PORT6,... PORTDUAL,...
 *	Listens on 0.0.0.0:P for each P of the first list, on [::]:P (v6 only)
 *	for the second and on [::]:P (dual-stack: IPv4 peers become
 *	IPv4-mapped IPv6 entries) for the third ("-" for an empty list).
 *	Serves churn and stream connections (below) until SIGTERM, then prints
 *	its counts.
 *   churn client RATE DST4|- DST6|- PORTS SRC4BASE NSRC
 *	Opens about RATE connections a second, each to DST4 or DST6 (one of
 *	them at random) on a random port of PORTS, from an IPv4 source
 *	SRC4BASE + random(NSRC) (last octet), until SIGTERM; then prints
 *	"connections N failed M".  Each connection is a churn connection: the
 *	client sends 'C' and who closes first ('c' client, 's' server), so
 *	both sides of the loopback leave TIME_WAIT (and sometimes FIN_WAIT2)
 *	entries.
 *   churn stream DST PORT SEED BYTES_PER_SEC
 *	One long-lived connection sending the pseudo-random stream of SEED
 *	(xorshift64*), which the server checks byte by byte.  On SIGTERM it
 *	checks the socket is still ESTABLISHED, half-closes, and compares the
 *	server's byte count, FNV-1a hash and mismatch count with its own.
 *	Prints "stream ok bytes=N hash=H" (exit 0) or "stream FAIL: why"
 *	(exit 1); any error on the connection (a reset: someone killed it)
 *	fails at once.
 *   churn burst N PORT
 *	In the current netns: a server on 127.0.0.1:PORT and [::1]:PORT,
 *	N churn connections to it, then exit (the entries stay behind).
 *
 * Server protocol: first byte 'C' + mode byte, or 'S' + 8-byte seed (host
 * order; both ends are the same machine).  A stream's reply after the
 * client's FIN: bytes, hash, mismatches (3 x u64).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void handle_signals(void)
{
	struct sigaction sa = { .sa_handler = on_term };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void die(const char *what)
{
	fprintf(stderr, "churn: %s: %s\n", what, strerror(errno));
	exit(2);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* --- the stream ---------------------------------------------------------- */

struct gen {
	uint64_t s;
	uint64_t word;
	int left;
};

static void gen_init(struct gen *g, uint64_t seed)
{
	g->s = seed ? seed : 0x9e3779b97f4a7c15ULL;
	g->left = 0;
}

static uint8_t gen_byte(struct gen *g)
{
	uint8_t b;

	if (!g->left) {
		g->s ^= g->s >> 12;
		g->s ^= g->s << 25;
		g->s ^= g->s >> 27;
		g->word = g->s * 0x2545f4914f6cdd1dULL;
		g->left = 8;
	}
	b = g->word & 0xff;
	g->word >>= 8;
	g->left--;
	return b;
}

#define FNV_INIT 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

/* --- ports and addresses ------------------------------------------------- */

static int parse_ports(const char *s, int *ports, int max)
{
	char *copy, *tok, *save = NULL;
	int n = 0;

	if (!strcmp(s, "-"))
		return 0;
	copy = strdup(s);
	for (tok = strtok_r(copy, ",", &save); tok && n < max;
	     tok = strtok_r(NULL, ",", &save))
		ports[n++] = atoi(tok);
	free(copy);
	return n;
}

union addr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

static socklen_t make_addr(union addr *a, const char *host, int port)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, host, &a->in.sin_addr) == 1) {
		a->in.sin_family = AF_INET;
		a->in.sin_port = htons(port);
		return sizeof(a->in);
	}
	if (inet_pton(AF_INET6, host, &a->in6.sin6_addr) == 1) {
		a->in6.sin6_family = AF_INET6;
		a->in6.sin6_port = htons(port);
		return sizeof(a->in6);
	}
	fprintf(stderr, "churn: bad address %s\n", host);
	exit(2);
}

static int listen_on(int family, const char *host, int port, int v6only)
{
	union addr a;
	socklen_t len = make_addr(&a, host, port);
	int fd, one = 1;

	(void)family;
	fd = socket(a.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (a.sa.sa_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only));
	if (bind(fd, &a.sa, len) < 0)
		die("bind");
	if (listen(fd, 1024) < 0)
		die("listen");
	return fd;
}

/* --- server -------------------------------------------------------------- */

enum { C_HDR, C_CHURN_WAIT_EOF, C_STREAM };

struct conn {
	int state;
	unsigned char hdr[9];
	int hdr_len;
	struct gen gen;
	uint64_t bytes, hash, bad;
};

static struct conn *conns;
static int nconns_max;
static unsigned long s_accepted, s_churn, s_streams, s_stream_bad, s_errors;

static void conn_close(int ep, int fd)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
	close(fd);
}

static void stream_reply(int ep, int fd, struct conn *c)
{
	uint64_t r[3] = { c->bytes, c->hash, c->bad };
	int fl = fcntl(fd, F_GETFL);

	/* 24 bytes always fit in an empty send buffer; block to be sure. */
	fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	if (write(fd, r, sizeof(r)) != sizeof(r))
		s_errors++;
	s_streams++;
	if (c->bad)
		s_stream_bad++;
	conn_close(ep, fd);
}

static void serve_data(int ep, int fd)
{
	struct conn *c = &conns[fd];
	unsigned char buf[16384];
	ssize_t n, i;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			s_errors++;
			conn_close(ep, fd);
			return;
		}
		if (n == 0) {
			if (c->state == C_STREAM)
				stream_reply(ep, fd, c);
			else {
				if (c->state == C_CHURN_WAIT_EOF)
					s_churn++;
				else
					s_errors++;
				conn_close(ep, fd);
			}
			return;
		}
		i = 0;
		while (c->state == C_HDR && i < n) {
			c->hdr[c->hdr_len++] = buf[i++];
			if (c->hdr[0] == 'C' && c->hdr_len == 2) {
				if (c->hdr[1] == 's') {
					/* server closes first */
					s_churn++;
					conn_close(ep, fd);
					return;
				}
				c->state = C_CHURN_WAIT_EOF;
			} else if (c->hdr[0] == 'S' && c->hdr_len == 9) {
				uint64_t seed;

				memcpy(&seed, c->hdr + 1, 8);
				gen_init(&c->gen, seed);
				c->hash = FNV_INIT;
				c->state = C_STREAM;
			} else if (c->hdr[0] != 'C' && c->hdr[0] != 'S') {
				s_errors++;
				conn_close(ep, fd);
				return;
			}
		}
		if (c->state == C_STREAM) {
			for (; i < n; i++) {
				if (buf[i] != gen_byte(&c->gen))
					c->bad++;
				c->hash = (c->hash ^ buf[i]) * FNV_PRIME;
				c->bytes++;
			}
		}
		/* churn: data after the header is ignored until EOF */
	}
}

static int cmd_server(int argc, char **argv)
{
	int p4[32], p6[32], pd[32], n4, n6, nd, i, ep, nl = 0;
	int lfds[96];
	struct epoll_event ev, evs[256];
	struct rlimit rl = { 65536, 65536 };

	if (argc != 3) {
		fprintf(stderr, "usage: churn server PORT4,.. PORT6,.. PORTDUAL,..\n");
		return 2;
	}
	setrlimit(RLIMIT_NOFILE, &rl);
	getrlimit(RLIMIT_NOFILE, &rl);
	nconns_max = rl.rlim_cur;
	conns = calloc(nconns_max, sizeof(*conns));
	if (!conns)
		die("calloc");
	handle_signals();
	n4 = parse_ports(argv[0], p4, 32);
	n6 = parse_ports(argv[1], p6, 32);
	nd = parse_ports(argv[2], pd, 32);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		die("epoll_create1");
	for (i = 0; i < n4; i++)
		lfds[nl++] = listen_on(AF_INET, "0.0.0.0", p4[i], 1);
	for (i = 0; i < n6; i++)
		lfds[nl++] = listen_on(AF_INET6, "::", p6[i], 1);
	for (i = 0; i < nd; i++)
		lfds[nl++] = listen_on(AF_INET6, "::", pd[i], 0);
	for (i = 0; i < nl; i++) {
		ev.events = EPOLLIN;
		ev.data.u64 = (1ULL << 32) | lfds[i];
		if (epoll_ctl(ep, EPOLL_CTL_ADD, lfds[i], &ev) < 0)
			die("epoll_ctl");
	}
	printf("server ready\n");
	fflush(stdout);
	while (!stop) {
		int n = epoll_wait(ep, evs, 256, 500);

		for (i = 0; i < n; i++) {
			int fd = (int)(evs[i].data.u64 & 0xffffffff);

			if (evs[i].data.u64 >> 32) {
				int cfd;

				while ((cfd = accept4(fd, NULL, NULL,
						      SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
					if (cfd >= nconns_max) {
						close(cfd);
						s_errors++;
						continue;
					}
					memset(&conns[cfd], 0, sizeof(conns[cfd]));
					ev.events = EPOLLIN;
					ev.data.u64 = cfd;
					if (epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &ev) < 0) {
						close(cfd);
						s_errors++;
						continue;
					}
					s_accepted++;
				}
			} else {
				serve_data(ep, fd);
			}
		}
	}
	printf("server accepted %lu churn %lu streams %lu stream_bad %lu errors %lu\n",
	       s_accepted, s_churn, s_streams, s_stream_bad, s_errors);
	return 0;
}

/* --- churn client -------------------------------------------------------- */

static uint64_t rnd_state = 88172645463325252ULL;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (uint32_t)(rnd_state >> 11);
}

/* One churn connection; 0 if it ran its course. */
static int churn_one(const union addr *dst, socklen_t dlen,
		     const union addr *src, socklen_t slen)
{
	struct timeval tv = { 5, 0 };
	char hdr[2] = { 'C', (rnd() & 1) ? 's' : 'c' };
	char buf[64];
	int fd, one = 1, r = -1;

	fd = socket(dst->sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (src) {
		setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one,
			   sizeof(one));
		if (bind(fd, &src->sa, slen) < 0)
			goto out;
	}
	if (connect(fd, &dst->sa, dlen) < 0)
		goto out;
	if (write(fd, hdr, 2) != 2)
		goto out;
	if (hdr[1] == 's') {
		/* wait for the server's FIN, then close: server-side entry */
		while (read(fd, buf, sizeof(buf)) > 0)
			;
	}
	r = 0;
out:
	close(fd);
	return r;
}

static int cmd_client(int argc, char **argv)
{
	int ports[32], nports, nsrc, have4, have6;
	unsigned long ok = 0, failed = 0;
	double rate, t0, due;
	struct in_addr base;

	if (argc != 6) {
		fprintf(stderr, "usage: churn client RATE DST4|- DST6|- PORTS SRC4BASE NSRC\n");
		return 2;
	}
	handle_signals();
	rate = atof(argv[0]);
	have4 = strcmp(argv[1], "-") != 0;
	have6 = strcmp(argv[2], "-") != 0;
	nports = parse_ports(argv[3], ports, 32);
	if (inet_pton(AF_INET, argv[4], &base) != 1 || rate <= 0 || !nports ||
	    (!have4 && !have6)) {
		fprintf(stderr, "churn client: bad arguments\n");
		return 2;
	}
	nsrc = atoi(argv[5]);
	if (nsrc < 1)
		nsrc = 1;
	rnd_state ^= (uint64_t)getpid() << 20 ^ (uint64_t)time(NULL);
	t0 = now_s();
	while (!stop) {
		union addr dst, src;
		socklen_t dlen, slen = 0;
		int v6 = have6 && (!have4 || (rnd() & 1));
		int port = ports[rnd() % nports];

		dlen = make_addr(&dst, v6 ? argv[2] : argv[1], port);
		if (!v6) {
			memset(&src, 0, sizeof(src));
			src.in.sin_family = AF_INET;
			src.in.sin_addr.s_addr =
				htonl(ntohl(base.s_addr) + rnd() % nsrc);
			slen = sizeof(src.in);
		}
		if (churn_one(&dst, dlen, v6 ? NULL : &src, slen) == 0)
			ok++;
		else
			failed++;
		/* pace: connection k is due at t0 + k / rate */
		due = t0 + (ok + failed) / rate;
		while (!stop && now_s() < due) {
			double d = due - now_s();

			if (d > 0)
				usleep(d > 0.2 ? 200000 : (useconds_t)(d * 1e6));
		}
	}
	printf("connections %lu failed %lu\n", ok, failed);
	return 0;
}

/* --- stream client ------------------------------------------------------- */

static int stream_fail(const char *fmt, const char *arg)
{
	printf("stream FAIL: ");
	printf(fmt, arg);
	printf("\n");
	return 1;
}

static int cmd_stream(int argc, char **argv)
{
	union addr dst;
	socklen_t dlen;
	struct gen g;
	struct tcp_info ti;
	socklen_t tl = sizeof(ti);
	uint64_t seed, sent = 0, hash = FNV_INIT, r[3];
	unsigned char hdr[9], buf[65536];
	double rate, t0;
	size_t got = 0;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: churn stream DST PORT SEED BYTES_PER_SEC\n");
		return 2;
	}
	handle_signals();
	dlen = make_addr(&dst, argv[0], atoi(argv[1]));
	seed = strtoull(argv[2], NULL, 0);
	rate = atof(argv[3]);
	fd = socket(dst.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	if (connect(fd, &dst.sa, dlen) < 0)
		return stream_fail("connect: %s", strerror(errno));
	hdr[0] = 'S';
	memcpy(hdr + 1, &seed, 8);
	if (write(fd, hdr, 9) != 9)
		return stream_fail("header: %s", strerror(errno));
	gen_init(&g, seed);
	printf("stream connected\n");
	fflush(stdout);
	t0 = now_s();
	while (!stop) {
		uint64_t want = (uint64_t)((now_s() - t0) * rate);
		size_t n, i;
		ssize_t w;

		if (want <= sent) {
			usleep(50000);
			continue;
		}
		n = want - sent;
		if (n > sizeof(buf))
			n = sizeof(buf);
		for (i = 0; i < n; i++) {
			buf[i] = gen_byte(&g);
			hash = (hash ^ buf[i]) * FNV_PRIME;
		}
		for (i = 0; i < n; i += w) {
			w = write(fd, buf + i, n - i);
			if (w < 0 && errno == EINTR) {
				/* finish this chunk: the hash covers it */
				w = 0;
				continue;
			}
			if (w < 0)
				return stream_fail("write: %s (the connection was broken)",
						   strerror(errno));
		}
		sent += n;
	}
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &tl) < 0)
		return stream_fail("TCP_INFO: %s", strerror(errno));
	if (ti.tcpi_state != 1 /* TCP_ESTABLISHED */) {
		char st[16];

		snprintf(st, sizeof(st), "%u", ti.tcpi_state);
		return stream_fail("state %s, not ESTABLISHED, at the end", st);
	}
	if (shutdown(fd, SHUT_WR) < 0)
		return stream_fail("shutdown: %s", strerror(errno));
	{
		struct timeval tv = { 60, 0 };

		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	while (got < sizeof(r)) {
		ssize_t n = read(fd, (char *)r + got, sizeof(r) - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return stream_fail("reply: %s", n ? strerror(errno) : "EOF");
		got += n;
	}
	close(fd);
	if (r[0] != sent || r[1] != hash || r[2]) {
		printf("stream FAIL: sent %llu bytes hash %016llx, server got %llu bytes hash %016llx, %llu mismatched\n",
		       (unsigned long long)sent, (unsigned long long)hash,
		       (unsigned long long)r[0], (unsigned long long)r[1],
		       (unsigned long long)r[2]);
		return 1;
	}
	if (!sent)
		return stream_fail("%snothing was sent", "");
	printf("stream ok bytes=%llu hash=%016llx\n", (unsigned long long)sent,
	       (unsigned long long)hash);
	return 0;
}

/* --- burst (one netns) --------------------------------------------------- */

static int cmd_burst(int argc, char **argv)
{
	int n, port, i, ok = 0;
	char ports[16];
	pid_t pid;

	if (argc != 2) {
		fprintf(stderr, "usage: churn burst N PORT\n");
		return 2;
	}
	n = atoi(argv[0]);
	port = atoi(argv[1]);
	snprintf(ports, sizeof(ports), "%d", port);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		char *sargv[] = { ports, ports, "-", NULL };
		int devnull = open("/dev/null", O_WRONLY);

		dup2(devnull, 1);
		_exit(cmd_server(3, sargv));
	}
	rnd_state ^= (uint64_t)getpid() << 20;
	for (i = 0; i < n; i++) {
		union addr dst;
		socklen_t dlen;
		int tries;

		dlen = make_addr(&dst, (i & 1) ? "::1" : "127.0.0.1", port);
		/* the server may not listen yet */
		for (tries = 0; tries < 50; tries++) {
			if (churn_one(&dst, dlen, NULL, 0) == 0) {
				ok++;
				break;
			}
			usleep(20000);
		}
	}
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	printf("burst %d of %d\n", ok, n);
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		fprintf(stderr, "usage: churn server|client|stream|burst ...\n");
		return 2;
	}
	if (!strcmp(argv[1], "server"))
		return cmd_server(argc - 2, argv + 2);
	if (!strcmp(argv[1], "client"))
		return cmd_client(argc - 2, argv + 2);
	if (!strcmp(argv[1], "stream"))
		return cmd_stream(argc - 2, argv + 2);
	if (!strcmp(argv[1], "burst"))
		return cmd_burst(argc - 2, argv + 2);
	fprintf(stderr, "churn: unknown mode %s\n", argv[1]);
	return 2;
}

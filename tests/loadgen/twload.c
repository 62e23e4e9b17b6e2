// SPDX-License-Identifier: GPL-2.0
/*
 * twload: fill the TIME_WAIT table as fast as one guest can.
 *
 * Several processes (fork), each with its own loopback listener, connect,
 * accept, and close the client first, so every connection leaves one
 * TIME_WAIT entry on the client side.  Client source addresses are spread
 * over many 127.x addresses (IPv6: fd00:7477::/64 made local on lo), at
 * most --per-source connections each, so that connect() never runs out of
 * ports.  It also sets net.ipv4.tcp_tw_reuse to 0 in every namespace it
 * fills (--keep-tw-reuse: leave it): the default, 2, lets connect() take over
 * a loopback TIME_WAIT entry older than a second when its port walk meets
 * one, which silently shrank a table of 8,000 by 2-6%.
 *
 * With --netns N it creates N namespaces (twload-0 ... twload-N-1, kept
 * after the run so their entries live on) or takes a list of existing ones,
 * and spreads the target over them.
 *
 * It prints one line: created=N seconds=S rate=R procs=P netns=K family=F
 * and exits 0 when every process reached its share (or --duration ran out
 * with at least one entry made), 1 otherwise.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif
#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND 78
#endif

#define V6_PREFIX "fd00:7477::"
#define MAX_NETNS 4096

static long target;		/* entries in total; 0: until --duration */
static double duration;		/* seconds; 0: no limit */
static double rate;		/* connections per second in total; 0: no limit */
static int procs = 2;
static int family = AF_INET;
static long per_source = 30000;
static int quiet;
static int keep_tw_reuse;
static char *netns_names[MAX_NETNS];
static int n_netns;

/* one counter per process, shared with the parent for the total */
static volatile long *made;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: twload [-n ENTRIES] [-d SECONDS] [-r RATE] [-p PROCS] [-6]\n"
		"              [--per-source N] [--netns N | --netns-list a,b,...] [-q]\n"
		"  -n, --entries N    stop when N TIME_WAIT entries were made (in total)\n"
		"  -d, --duration S   stop after S seconds (default: none; one of -n/-d needed)\n"
		"  -r, --rate R       at most R connections per second in total\n"
		"  -p, --procs P      worker processes (default 2)\n"
		"  -6, --ipv6         IPv6: sources in " V6_PREFIX "/64 (a local route on lo), to ::1\n"
		"      --per-source N connections per source address (default 30000)\n"
		"      --netns N      create namespaces twload-0..N-1 (kept) and fill each\n"
		"      --netns-list L fill the existing namespaces named in L (comma separated)\n"
		"      --keep-tw-reuse leave net.ipv4.tcp_tw_reuse as it is (default: set 0)\n"
		"  -q, --quiet        no progress lines on stderr\n");
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int run_ip(char *const argv[])
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		if (devnull >= 0)
			dup2(devnull, 2);
		execvp("ip", argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int lo_up(void)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	int ret;

	if (fd < 0)
		return -1;
	strcpy(ifr.ifr_name, "lo");
	ret = ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (ret == 0 && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		ret = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return ret;
}

/* the fd00:7477::/64 sources are not assigned; a local route makes them ours */
static int v6_setup(void)
{
	char *argv[] = { "ip", "-6", "route", "replace", "local", V6_PREFIX "/64",
			 "dev", "lo", NULL };

	return run_ip(argv);
}

/* connect() must not recycle the entries this program makes */
static int no_tw_reuse(void)
{
	int fd, ret;

	if (keep_tw_reuse)
		return 0;
	fd = open("/proc/sys/net/ipv4/tcp_tw_reuse", O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "twload: tcp_tw_reuse: %s (--keep-tw-reuse to go on)\n",
			strerror(errno));
		return -1;
	}
	ret = write(fd, "0\n", 2) == 2 ? 0 : -1;
	if (ret)
		fprintf(stderr, "twload: tcp_tw_reuse: %s\n", strerror(errno));
	close(fd);
	return ret;
}

static int enter_netns(const char *name)
{
	char path[256];
	int fd, ret;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "twload: %s: %s\n", path, strerror(errno));
		return -1;
	}
	ret = setns(fd, CLONE_NEWNET);
	close(fd);
	if (ret) {
		fprintf(stderr, "twload: setns %s: %s\n", name, strerror(errno));
		return -1;
	}
	if (lo_up()) {
		fprintf(stderr, "twload: lo up in %s: %s\n", name, strerror(errno));
		return -1;
	}
	if (no_tw_reuse())
		return -1;
	if (family == AF_INET6 && v6_setup()) {
		fprintf(stderr, "twload: local route " V6_PREFIX "/64 in %s failed\n", name);
		return -1;
	}
	return 0;
}

union addr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

/* source address number i of worker w: distinct across workers */
static void source_addr(union addr *a, int w, long i)
{
	memset(a, 0, sizeof(*a));
	if (family == AF_INET) {
		/* 127.<w+1>.<i/250>.<i%250+1>, never 127.0.0.1 (the listeners') */
		a->in.sin_family = AF_INET;
		a->in.sin_addr.s_addr = htonl(0x7f000000u | ((uint32_t)(w + 1) & 0xff) << 16 |
					      ((uint32_t)(i / 250) & 0xff) << 8 |
					      (uint32_t)(i % 250 + 1));
	} else {
		a->in6.sin6_family = AF_INET6;
		inet_pton(AF_INET6, V6_PREFIX, &a->in6.sin6_addr);
		a->in6.sin6_addr.s6_addr[12] = (w + 1) & 0xff;
		a->in6.sin6_addr.s6_addr[13] = (i >> 16) & 0xff;
		a->in6.sin6_addr.s6_addr[14] = (i >> 8) & 0xff;
		a->in6.sin6_addr.s6_addr[15] = (i & 0xff) + 1;
	}
}

static int make_listener(union addr *dst, socklen_t *len)
{
	int one = 1;
	int l = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(dst, 0, sizeof(*dst));
	if (family == AF_INET) {
		dst->in.sin_family = AF_INET;
		dst->in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		*len = sizeof(dst->in);
	} else {
		dst->in6.sin6_family = AF_INET6;
		dst->in6.sin6_addr = in6addr_loopback;
		*len = sizeof(dst->in6);
	}
	if (l < 0)
		return -1;
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l, &dst->sa, *len) || listen(l, 4096) ||
	    getsockname(l, &dst->sa, len)) {
		close(l);
		return -1;
	}
	return l;
}

/*
 * One worker: make `want` entries (0: until the deadline) in its namespaces.
 * Returns 0 when its share was made.
 */
static int worker(int w, long want, double deadline, double my_rate)
{
	long share_ns = 1, i;
	int ns_first = 0, ns_count = 0, ns;
	long src = 0, on_src = 0;
	double start = now();

	if (n_netns) {
		/* namespaces w, w+procs, ... belong to this worker */
		for (ns = w; ns < n_netns; ns += procs)
			ns_count++;
		ns_first = w;
		if (!ns_count)
			return 0;
		share_ns = ns_count;
	}
	for (i = 0; i < share_ns; i++) {
		long ns_want = want ? want / share_ns + (i < want % share_ns) : 0;
		long done = 0;
		union addr dst;
		socklen_t dlen;
		int l;

		if (n_netns && enter_netns(netns_names[ns_first + i * procs]))
			return 1;
		l = make_listener(&dst, &dlen);
		if (l < 0) {
			fprintf(stderr, "twload: listener: %s\n", strerror(errno));
			return 1;
		}
		src = 0;
		on_src = 0;
		while (!want || done < ns_want) {
			union addr sa;
			int one = 1, c, a;

			if (deadline && now() >= deadline)
				break;
			if (my_rate > 0) {
				double due = start + made[w] / my_rate;
				double t = now();

				if (due > t) {
					struct timespec ts = { 0, (long)((due - t) * 1e9) };

					nanosleep(&ts, NULL);
				}
			}
			if (on_src >= per_source) {
				src++;
				on_src = 0;
			}
			c = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
			if (c < 0) {
				fprintf(stderr, "twload: socket: %s\n", strerror(errno));
				return 1;
			}
			if (family == AF_INET)
				setsockopt(c, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
			else
				setsockopt(c, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one));
			source_addr(&sa, w, src);
			if (bind(c, &sa.sa, dlen)) {
				fprintf(stderr, "twload: bind: %s\n", strerror(errno));
				return 1;
			}
			if (connect(c, &dst.sa, dlen)) {
				close(c);
				if (errno == EADDRNOTAVAIL) {
					/* this source ran out of ports: take the next */
					src++;
					on_src = 0;
					continue;
				}
				fprintf(stderr, "twload: connect: %s\n", strerror(errno));
				return 1;
			}
			a = accept(l, NULL, NULL);
			if (a < 0) {
				fprintf(stderr, "twload: accept: %s\n", strerror(errno));
				return 1;
			}
			/* client first: the client side ends in TIME_WAIT */
			close(c);
			close(a);
			on_src++;
			done++;
			made[w]++;
		}
		close(l);
		if (want && done < ns_want)
			return 1;
	}
	return 0;
}

static int add_netns(int n)
{
	int i;

	for (i = 0; i < n; i++) {
		char name[32];
		char *argv[] = { "ip", "netns", "add", name, NULL };

		snprintf(name, sizeof(name), "twload-%d", i);
		netns_names[i] = strdup(name);
		if (access("/run/netns", F_OK) == 0) {
			char path[64];

			snprintf(path, sizeof(path), "/run/netns/%s", name);
			if (access(path, F_OK) == 0)
				continue;	/* kept from an earlier run */
		}
		if (run_ip(argv)) {
			fprintf(stderr, "twload: ip netns add %s failed\n", name);
			return -1;
		}
	}
	n_netns = n;
	return 0;
}

static long total_made(void)
{
	long t = 0;
	int i;

	for (i = 0; i < procs; i++)
		t += made[i];
	return t;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "entries", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "rate", required_argument, NULL, 'r' },
		{ "procs", required_argument, NULL, 'p' },
		{ "ipv6", no_argument, NULL, '6' },
		{ "per-source", required_argument, NULL, 'S' },
		{ "netns", required_argument, NULL, 'N' },
		{ "netns-list", required_argument, NULL, 'L' },
		{ "keep-tw-reuse", no_argument, NULL, 'K' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int create_ns = 0, opt, i, failed = 0;
	char *list = NULL, *end;
	double start, deadline, last;
	pid_t *pids;

	while ((opt = getopt_long(argc, argv, "n:d:r:p:6qh", opts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			target = strtol(optarg, &end, 10);
			if (*end || target < 0)
				goto bad;
			break;
		case 'd':
			duration = strtod(optarg, &end);
			if (*end || duration < 0)
				goto bad;
			break;
		case 'r':
			rate = strtod(optarg, &end);
			if (*end || rate < 0)
				goto bad;
			break;
		case 'p':
			procs = strtol(optarg, &end, 10);
			if (*end || procs < 1 || procs > 250)
				goto bad;
			break;
		case '6':
			family = AF_INET6;
			break;
		case 'S':
			per_source = strtol(optarg, &end, 10);
			if (*end || per_source < 1)
				goto bad;
			break;
		case 'N':
			create_ns = strtol(optarg, &end, 10);
			if (*end || create_ns < 1 || create_ns > MAX_NETNS)
				goto bad;
			break;
		case 'L':
			list = optarg;
			break;
		case 'K':
			keep_tw_reuse = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			goto bad;
		}
	}
	if (optind != argc || (!target && !duration) || (create_ns && list)) {
bad:
		fprintf(stderr, "twload: bad arguments (need -n or -d; --netns or --netns-list, not both)\n");
		usage(stderr);
		return 2;
	}
	if (list) {
		char *tok;

		for (tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
			if (n_netns == MAX_NETNS)
				goto bad;
			netns_names[n_netns++] = tok;
		}
	} else if (create_ns && add_netns(create_ns)) {
		return 1;
	}
	if (!n_netns && no_tw_reuse())
		return 1;
	if (!n_netns && family == AF_INET6 && v6_setup()) {
		fprintf(stderr, "twload: local route " V6_PREFIX "/64 failed\n");
		return 1;
	}
	if (n_netns && procs > n_netns)
		procs = n_netns;

	made = mmap(NULL, procs * sizeof(long), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pids = calloc(procs, sizeof(*pids));
	if (made == MAP_FAILED || !pids) {
		perror("twload");
		return 1;
	}
	start = now();
	deadline = duration ? start + duration : 0;
	for (i = 0; i < procs; i++) {
		long want = target ? target / procs + (i < target % procs) : 0;

		pids[i] = fork();
		if (pids[i] < 0) {
			perror("twload: fork");
			return 1;
		}
		if (pids[i] == 0)
			_exit(worker(i, want, deadline, rate / procs));
	}
	last = start;
	for (i = 0; i < procs;) {
		int status;
		pid_t pid = waitpid(-1, &status, quiet ? 0 : WNOHANG);

		if (pid > 0) {
			if (!WIFEXITED(status) || WEXITSTATUS(status))
				failed = 1;
			i++;
			continue;
		}
		if (pid < 0)
			break;
		if (now() - last >= 5) {
			last = now();
			fprintf(stderr, "twload: %ld entries after %.0f s\n",
				total_made(), last - start);
		}
		usleep(100000);
	}
	{
		double secs = now() - start;
		long t = total_made();

		printf("created=%ld seconds=%.2f rate=%.0f procs=%d netns=%d family=%d\n",
		       t, secs, secs > 0 ? t / secs : 0, procs, n_netns ? n_netns : 1,
		       family == AF_INET ? 4 : 6);
		if (target && t < target)
			failed = 1;
		if (!target && !t)
			failed = 1;
	}
	return failed;
}

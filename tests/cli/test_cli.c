// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_cli.c - the built binary as a user meets it: exit codes, exactly
 * one line on stderr for a bad argument, nothing on stdout, and nothing
 * sent to the kernel before the arguments are known to be good.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/twctl.h>

#include "cli-version.h"
#include "harness.h"

struct result {
	int code;		/* exit status, or 128 + signal, or -1 */
	bool timed_out;		/* killed by spawn() after its deadline */
	char out[1048576];
	char err[16384];
};

static const char *twctl_bin;
/* "NAME=VALUE" put into the environment of spawned programs, or NULL. */
static const char *spawn_env;

static void drain(int fd, char *buf, size_t cap, size_t *len, bool *open)
{
	char excess[4096];
	ssize_t n;

	/* Past cap, keep reading (and drop it) so the child never blocks. */
	if (*len + 1 < cap)
		n = read(fd, buf + *len, cap - 1 - *len);
	else
		n = read(fd, excess, sizeof(excess));
	if (n > 0) {
		if (*len + 1 < cap)
			*len += n;
	} else if (n == 0 || errno != EINTR) {
		*open = false;
	}
	buf[*len] = '\0';
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/*
 * Wait for pid until deadline (CLOCK_MONOTONIC ms); then SIGKILL it and
 * reap it, which cannot take long. Never blocks without a bound: a child
 * that hangs must fail its check, not stall the whole suite.
 */
static int reap(pid_t pid, long deadline, bool *killed)
{
	int status = 0;
	pid_t w;

	*killed = false;
	for (;;) {
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			return status;
		if (w < 0 && errno != EINTR)
			return -1;
		if (now_ms() >= deadline)
			break;
		usleep(10000);
	}
	*killed = true;
	kill(pid, SIGKILL);
	deadline = now_ms() + 5000;
	do {
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			return status;
		usleep(10000);
	} while (now_ms() < deadline);
	return -1;	/* unkillable (D state): give up on it, don't hang */
}

/*
 * Run argv (argv[0] is the program) and collect both streams, for at most
 * timeout_ms in all; a child still running then is killed and reaped.
 */
static int spawn_timeout(char **argv, struct result *r, int timeout_ms)
{
	int out[2], err[2], status;
	size_t olen = 0, elen = 0;
	bool oopen = true, eopen = true;
	long deadline = now_ms() + timeout_ms;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	if (pipe(out) || pipe(err))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		dup2(null, 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		if (spawn_env)
			putenv((char *)spawn_env);
		execv(argv[0], argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	while (oopen || eopen) {
		struct pollfd p[2] = {
			{ .fd = oopen ? out[0] : -1, .events = POLLIN },
			{ .fd = eopen ? err[0] : -1, .events = POLLIN },
		};
		long left = deadline - now_ms();

		if (left <= 0 || poll(p, 2, left) <= 0)
			break;
		if (p[0].revents)
			drain(out[0], r->out, sizeof(r->out), &olen, &oopen);
		if (p[1].revents)
			drain(err[0], r->err, sizeof(r->err), &elen, &eopen);
	}
	close(out[0]);
	close(err[0]);
	status = reap(pid, deadline, &r->timed_out);
	if (status < 0)
		r->code = -1;
	else
		r->code = WIFEXITED(status) ? WEXITSTATUS(status)
					    : 128 + WTERMSIG(status);
	return 0;
}

static int spawn(char **argv, struct result *r)
{
	return spawn_timeout(argv, r, 20000);
}

/* twctl ARGS... */
static void run(struct result *r, char **args)
{
	char *argv[32];
	int i;

	argv[0] = (char *)twctl_bin;
	for (i = 0; args[i] && i < 30; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	if (spawn(argv, r))
		r->code = -1;
}

static int lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Bad input: exit 2, exactly this one line on stderr, stdout empty. */
static void usage_error(const char *name, char **args, const char *want)
{
	struct result r;
	char line[1024];

	run(&r, args);
	snprintf(line, sizeof(line), "twctl: %s\n", want);
	t_check(r.code == 2 && !strcmp(r.err, line) && !r.out[0], name,
		"exit %d, stderr \"%s\", stdout \"%s\"; want exit 2, \"%s\"",
		r.code, r.err, r.out, line);
}

static bool module_loaded(void)
{
	struct stat st;

	return stat("/sys/module/twctl", &st) == 0;
}

#define NOT_LOADED "twctl: the twctl kernel module is not loaded; load it with 'modprobe twctl' (install it with 'dkms install twctl/" TWCTL_CLI_VERSION "' first if needed)\n"

static void test_bad_arguments(void)
{
	struct result r;

	usage_error("cli: --lport 70000", ARGV("list", "--lport", "70000"),
		    "--lport: '70000' is not a port (0-65535)");
	usage_error("cli: --rport reversed", ARGV("list", "--rport", "90-80"),
		    "--rport: '90-80' is not a port range (90 is above 80)");
	usage_error("cli: --raddr /33", ARGV("list", "--raddr", "1.2.3.4/33"),
		    "--raddr: '1.2.3.4/33' has a bad prefix length (0-32)");
	usage_error("cli: --laddr garbage", ARGV("summary", "--laddr", "x"),
		    "--laddr: 'x' is not an IPv4 or IPv6 address");
	usage_error("cli: --expiring-within garbage",
		    ARGV("list", "--expiring-within", "5x"),
		    "--expiring-within: '5x' is not a duration (e.g. 500ms, 1.5s, 2m)");
	usage_error("cli: --older-than overflow",
		    ARGV("kill", "--older-than", "99999999999"),
		    "--older-than: '99999999999' is too long (at most 4294967295ms, about 49 days)");
	usage_error("cli: --cookie garbage", ARGV("kill", "--cookie", "sk:xyz"),
		    "--cookie: 'sk:xyz' is not a socket cookie (decimal, 0xHEX or sk:HEX)");
	usage_error("cli: --state listen", ARGV("list", "--state", "listen"),
		    "--state: 'listen' is not a state (time-wait or fin-wait2)");
	usage_error("cli: -4 with IPv6", ARGV("kill", "-4", "--raddr", "::1"),
		    "--raddr ::1 is an IPv6 address, but -4 selects IPv4 entries only");
	usage_error("cli: -4 -6", ARGV("list", "-4", "-6"),
		    "-4 and -6 cannot be combined (give neither for both families)");
	usage_error("cli: --limit 0", ARGV("list", "--limit", "0"),
		    "--limit: '0' is not a number from 1 to 2147483647");
	usage_error("cli: --top negative", ARGV("summary", "--top", "-1"),
		    "--top: '-1' is not a number from 1 to 2147483647");
	usage_error("cli: --sort bad", ARGV("list", "--sort", "size"),
		    "--sort: 'size' is not a sort key (remaining, age, lport, rport, local, remote, cookie, state)");
	usage_error("cli: --by bad", ARGV("summary", "--by", "host"),
		    "--by: 'host' is not a grouping (lport, rport, raddr, dest, netns)");
	usage_error("cli: missing value", ARGV("list", "--raddr"),
		    "--raddr needs a value");
	usage_error("cli: -N missing value", ARGV("-N"), "-N needs a value");
	usage_error("cli: -j with -s", ARGV("-j", "list", "-s"),
		    "-j and -s cannot be combined");
	usage_error("cli: stray argument", ARGV("summary", "dest"),
		    "summary: unexpected argument 'dest'");
	usage_error("cli: kill without filter refused", ARGV("kill"),
		    "kill: refusing to kill every entry without a filter; give a filter, or --all to mean it");
	usage_error("cli: kill --dry-run without filter refused",
		    ARGV("-j", "kill", "--dry-run"),
		    "kill: refusing to kill every entry without a filter; give a filter, or --all to mean it");
	usage_error("cli: a newline in a value stays on one line",
		    ARGV("list", "--lport", "8\n0"),
		    "--lport: '8?0' is not a port (0-65535)");
	usage_error("cli: kill --a is not --all", ARGV("kill", "--a"),
		    "kill: '--a' is short for '--all'; write options in full");
	usage_error("cli: kill --al is not --all", ARGV("kill", "--al"),
		    "kill: '--al' is short for '--all'; write options in full");
	usage_error("cli: kill --dry is not --dry-run",
		    ARGV("kill", "--lport", "80", "--dry"),
		    "kill: '--dry' is short for '--dry-run'; write options in full");
	usage_error("cli: list --lp=80 is not --lport", ARGV("list", "--lp=80"),
		    "list: '--lp' is short for '--lport'; write options in full");
	usage_error("cli: --js before the command is not --json",
		    ARGV("--js", "list"),
		    "'--js' is short for '--json'; write options in full");
	usage_error("cli: --netns empty", ARGV("--netns", "", "info"),
		    "--netns: '' is not a namespace name");

	run(&r, ARGV("list", "--bogus"));
	t_check(r.code == 2 && !r.out[0] &&
		!strncmp(r.err, "twctl: list: unknown or ambiguous option '--bogus'\n", 51) &&
		strstr(r.err, "Usage: twctl [GLOBAL OPTIONS] list ") &&
		strstr(r.err, "twctl help list"),
		"cli: unknown option gets a usage hint",
		"exit %d stderr \"%s\"", r.code, r.err);

	run(&r, ARGV("frobnicate"));
	t_check(r.code == 2 && !r.out[0] &&
		!strncmp(r.err, "twctl: unknown command 'frobnicate'\n", 36) &&
		strstr(r.err, "Commands:"), "cli: unknown command gets usage",
		"exit %d stderr \"%s\"", r.code, r.err);

	run(&r, ARGV("--frob"));
	t_check(r.code == 2 && !r.out[0] && strstr(r.err, "'--frob'") &&
		strstr(r.err, "Usage:"), "cli: unknown global option",
		"exit %d stderr \"%s\"", r.code, r.err);

	{
		char *argv[] = { (char *)twctl_bin, NULL };

		spawn(argv, &r);
		t_check(r.code == 2 && !r.out[0] && strstr(r.err, "Usage:"),
			"cli: no command prints usage on stderr, exit 2",
			"exit %d", r.code);
	}

	run(&r, ARGV("help", "nosuch"));
	t_check(r.code == 2 && !r.out[0] &&
		!strncmp(r.err, "twctl: help: unknown command 'nosuch'\n", 38),
		"cli: help for an unknown command", "exit %d stderr \"%s\"",
		r.code, r.err);
}

static void test_help_and_version(void)
{
	struct result r;

	run(&r, ARGV("-V"));
	t_check(r.code == 0 && !strcmp(r.out, "twctl " TWCTL_CLI_VERSION "\n") &&
		!r.err[0], "cli: -V", "exit %d out \"%s\"", r.code, r.out);
	run(&r, ARGV("--version"));
	t_str("cli: --version", r.out, "twctl " TWCTL_CLI_VERSION "\n");

	run(&r, ARGV("help"));
	t_check(r.code == 0 && strstr(r.out, "\n  list ") &&
		strstr(r.out, "\n  summary ") && strstr(r.out, "\n  kill ") &&
		strstr(r.out, "\n  watch ") && strstr(r.out, "\n  info ") &&
		strstr(r.out, "\n  version ") && !r.err[0],
		"cli: help lists every command", "exit %d", r.code);
	run(&r, ARGV("-h"));
	t_true("cli: -h is help on stdout", r.code == 0 &&
	       strstr(r.out, "Global options:") && !r.err[0]);
	run(&r, ARGV("help", "kill"));
	t_true("cli: help kill", r.code == 0 && strstr(r.out, "--dry-run") &&
	       strstr(r.out, "--all") && strstr(r.out, "--expiring-within"));
	run(&r, ARGV("list", "-h"));
	t_true("cli: list -h", r.code == 0 && strstr(r.out, "--sort KEY") &&
	       !r.err[0]);
	run(&r, ARGV("summary", "--help"));
	t_true("cli: summary --help", r.code == 0 &&
	       strstr(r.out, "--by KEY"));
}

static void test_without_module(void)
{
	struct result r;

	if (module_loaded()) {
		t_skip("cli: module-not-loaded message", "twctl is loaded here");
		return;
	}
	run(&r, ARGV("list"));
	t_check(r.code == 1 && !strcmp(r.err, NOT_LOADED) && !r.out[0],
		"cli: module not loaded: exit 1, one line",
		"exit %d stderr \"%s\"", r.code, r.err);
	run(&r, ARGV("-j", "list", "--lport", "80"));
	t_check(r.code == 1 && !r.out[0],
		"cli: -j list without the module prints nothing",
		"exit %d stdout \"%s\"", r.code, r.out);
	run(&r, ARGV("kill", "--lport", "80", "--all"));
	t_check(r.code == 1 && !strcmp(r.err, NOT_LOADED),
		"cli: good kill arguments reach the kernel lookup",
		"exit %d stderr \"%s\"", r.code, r.err);
	run(&r, ARGV("version"));
	t_check(r.code == 1 &&
		!strcmp(r.out, "twctl " TWCTL_CLI_VERSION " (module not loaded)\n") &&
		!strcmp(r.err, NOT_LOADED), "cli: version without the module",
		"exit %d out \"%s\" err \"%s\"", r.code, r.out, r.err);
	run(&r, ARGV("-j", "version"));
	t_str("cli: -j version without the module", r.out,
	      "{\"cli\":\"" TWCTL_CLI_VERSION "\",\"module\":null}\n");
	if (geteuid() != 0) {
		t_skip("cli: -N with a path", "setns() needs root");
		return;
	}
	run(&r, ARGV("-N", "/proc/self/ns/net", "summary"));
	t_check(r.code == 1 && !strcmp(r.err, NOT_LOADED),
		"cli: -N with a path enters it, then looks up the family",
		"exit %d stderr \"%s\"", r.code, r.err);
}

static void test_netns(void)
{
	struct result r;

	run(&r, ARGV("-N", "twctl-test-no-such-ns", "list"));
	t_check(r.code == 1 && !r.out[0] &&
		!strcmp(r.err, "twctl: network namespace 'twctl-test-no-such-ns' does not exist (no /run/netns/twctl-test-no-such-ns; see 'ip netns list')\n"),
		"cli: -N unknown name", "exit %d stderr \"%s\"", r.code, r.err);
	run(&r, ARGV("--netns", "/etc/hostname", "info"));
	t_check(r.code == 1 && lines(r.err) == 1 &&
		strstr(r.err, "/etc/hostname is not a network namespace"),
		"cli: -N path that is no namespace", "exit %d stderr \"%s\"",
		r.code, r.err);
}

/* Did `strace -e trace=socket twctl ARGS...` see an AF_NETLINK socket? */
static int netlink_opened(char **args, const char *log, struct result *r)
{
	char *argv[40], line[512];
	bool seen = false;
	FILE *f;
	int n = 0, i;

	argv[n++] = "/usr/bin/strace";
	argv[n++] = "-qq";
	argv[n++] = "-f";
	argv[n++] = "-e";
	argv[n++] = "trace=socket";
	argv[n++] = "-o";
	argv[n++] = (char *)log;
	argv[n++] = (char *)twctl_bin;
	for (i = 0; args[i] && n < 39; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if (spawn(argv, r) || r->timed_out)
		return -1;
	f = fopen(log, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		seen |= strstr(line, "AF_NETLINK") != NULL;
	fclose(f);
	return seen;
}

/* Under strace: bad arguments must not even open a netlink socket. */
static void test_nothing_sent(void)
{
	const struct {
		const char *name;
		char **args;
		int code;
	} bad[] = {
		{ "cli: no netlink socket on bad input",
		  ARGV("kill", "--lport", "70000"), 2 },
		/* getopt would take these for --all and kill everything. */
		{ "cli: kill --a refused, nothing sent", ARGV("kill", "--a"), 2 },
		{ "cli: kill --al refused, nothing sent", ARGV("kill", "--al"), 2 },
		{ "cli: kill --lport 80 --a refused, nothing sent",
		  ARGV("kill", "--lport", "80", "--a"), 2 },
	};
	char log[] = "/tmp/twctl-test-strace.XXXXXX";
	struct result r;
	unsigned int i;
	int fd, seen;

	if (access("/usr/bin/strace", X_OK)) {
		t_skip("cli: no netlink socket on bad input", "no strace");
		return;
	}
	fd = mkstemp(log);
	if (fd < 0) {
		t_check(false, "cli: strace log", "mkstemp: %s", strerror(errno));
		return;
	}
	close(fd);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		seen = netlink_opened(bad[i].args, log, &r);
		t_check(seen == 0 && r.code == bad[i].code && lines(r.err) == 1,
			bad[i].name, "netlink socket %s, exit %d, stderr \"%s\"",
			seen < 0 ? "unknown" : seen ? "opened" : "not opened",
			r.code, r.err);
	}
	/* The control: good input does reach for the kernel. */
	seen = netlink_opened(ARGV("kill", "--lport", "80"), log, &r);
	t_check(seen == 1, "cli: netlink socket on good input (control)",
		"seen %d, exit %d", seen, r.code);
	unlink(log);
}

static void run_fake(struct result *r, const char *mode, int entries, int at,
		     char **args);

/*
 * The same through the netlink stand-in, which logs every socket and
 * request: `kill --a` must create no socket and send nothing, while the
 * control `kill --all` does send a KILL (which the stand-in refuses).
 */
static void test_nothing_sent_fake(void)
{
	const struct {
		const char *name;
		char **args;
	} bad[] = {
		{ "cli: kill --a sends nothing (netlink log)", ARGV("kill", "--a") },
		{ "cli: kill --al sends nothing (netlink log)", ARGV("kill", "--al") },
		{ "cli: kill --dry-run --a sends nothing (netlink log)",
		  ARGV("kill", "--dry-run", "--a") },
	};
	char log[] = "/tmp/twctl-test-nl.XXXXXX", want[64];
	struct result r;
	unsigned int i;
	const char *got;
	FILE *f;
	int fd;

	fd = mkstemp(log);
	if (fd < 0) {
		t_check(false, "cli: netlink log", "mkstemp: %s", strerror(errno));
		return;
	}
	close(fd);
	setenv("TWCTL_FAKE_NL_LOG", log, 1);
	for (i = 0; i <= sizeof(bad) / sizeof(bad[0]); i++) {
		bool control = i == sizeof(bad) / sizeof(bad[0]);

		fd = open(log, O_WRONLY | O_TRUNC);
		if (fd >= 0)
			close(fd);
		run_fake(&r, "ok", 1, 0, control ? ARGV("kill", "--all") :
						   bad[i].args);
		f = fopen(log, "r");
		got = f ? t_slurp(f) : "(no log)";
		if (f)
			fclose(f);
		if (!control) {
			t_check(r.code == 2 && lines(r.err) == 1 && !*got,
				bad[i].name, "exit %d, stderr \"%s\", sent \"%s\"",
				r.code, r.err, got);
			continue;
		}
		snprintf(want, sizeof(want), "send %u %u ", 0x31, TWCTL_CMD_KILL);
		t_check(r.code == 1 && strstr(got, "socket\n") &&
			strstr(got, want),
			"cli: kill --all does send a KILL (netlink log, control)",
			"exit %d, sent \"%s\"", r.code, got);
	}
	unsetenv("TWCTL_FAKE_NL_LOG");
	unlink(log);
}

/* The harness itself: a child that hangs is killed and reaped in time. */
static void test_spawn_deadline(void)
{
	struct result r;
	long t0 = now_ms(), took;

	spawn_timeout(ARGV("/bin/sh", "-c", "exec sleep 60"), &r, 300);
	took = now_ms() - t0;
	t_check(r.timed_out && r.code == 128 + SIGKILL && took < 5000,
		"cli: harness kills and reaps a hanging child",
		"timed_out %d, code %d, took %ld ms", r.timed_out, r.code, took);
}

/* Run twctl ARGS against fakenl/fake-nl.so in mode MODE. */
static void run_fake(struct result *r, const char *mode, int entries, int at,
		     char **args)
{
	static char env[4400];
	char cmd[512];
	char *argv[40];
	int n = 0, i;

	snprintf(env, sizeof(env), "LD_PRELOAD=%s/fakenl/fake-nl.so", t_dir);
	snprintf(cmd, sizeof(cmd), "TWCTL_FAKE_NL=%s", mode);
	setenv("TWCTL_FAKE_NL", mode, 1);
	snprintf(cmd, sizeof(cmd), "%d", entries);
	setenv("TWCTL_FAKE_NL_ENTRIES", cmd, 1);
	snprintf(cmd, sizeof(cmd), "%d", at);
	setenv("TWCTL_FAKE_NL_AT", cmd, 1);
	argv[n++] = (char *)twctl_bin;
	for (i = 0; args[i] && n < 39; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	spawn_env = env;
	if (spawn(argv, r))
		r->code = -1;
	spawn_env = NULL;
	unsetenv("TWCTL_FAKE_NL");
	unsetenv("TWCTL_FAKE_NL_ENTRIES");
	unsetenv("TWCTL_FAKE_NL_AT");
}

static int count(const char *s, const char *what)
{
	int n = 0;

	for (; (s = strstr(s, what)); s += strlen(what))
		n++;
	return n;
}

/*
 * A dump that breaks half-way, after 450 of 600 entries. Listings stream,
 * so what came before the error is out already: exit 1, one line on
 * stderr, stdout holds only entries that arrived (at most 450, whole
 * ones) and a JSON document stays unterminated, so that no parser takes
 * it for a complete listing. Output held until the dump completes
 * (--sort, summary) prints nothing at all. The netlink family is
 * fakenl/fake-nl.so, an LD_PRELOAD shim: what is tested is the CLI's
 * handling of the broken reply, not the kernel.
 */
static void test_interrupted_dump(void)
{
	static const struct {
		const char *mode, *err;
	} modes[] = {
		{ "recv-error",
		  "twctl: netlink receive buffer overrun: the kernel's reply was lost\n" },
		{ "done-error",
		  "twctl: the kernel refused the %s request (Cannot allocate memory)\n" },
	};
	/* per: how one entry shows in the output; held: prints nothing */
	const struct {
		const char *name, *req, *per;
		bool held;
		char **args;
	} cmds[] = {
		{ "-j list", "list", "\"cookie\":", false, ARGV("-j", "list") },
		{ "list", "list", "TIME-WAIT ", false, ARGV("list") },
		{ "-s list", "list", "inet\t", false, ARGV("-s", "list") },
		{ "-j list --sort age", "list", "\"cookie\":", true,
		  ARGV("-j", "list", "--sort", "age") },
		{ "-j summary", "summary", "\"count\":", true, ARGV("-j", "summary") },
		{ "summary", "summary", "10.0.0.1", true, ARGV("summary") },
		{ "-j kill --dry-run", "list", "\"cookie\":", false,
		  ARGV("-j", "kill", "--all", "--dry-run") },
		{ "kill --dry-run", "list", "TIME-WAIT ", false,
		  ARGV("kill", "--all", "--dry-run") },
	};
	char path[4200], name[160], want[256];
	struct result r;
	unsigned int m, c;

	snprintf(path, sizeof(path), "%s/fakenl/fake-nl.so", t_dir);
	if (access(path, R_OK)) {
		t_check(false, "cli: a dump that fails half-way",
			"%s is missing (make -C tools test builds it)", path);
		return;
	}

	/* The controls: the shim is in effect and a whole dump prints. */
	run_fake(&r, "ok", 600, 0, ARGV("-j", "list"));
	t_check(r.code == 0 && !r.err[0] && r.out[0] == '[' &&
		count(r.out, "\"cookie\":") == 600 &&
		!strcmp(r.out + strlen(r.out) - 3, "}]\n"),
		"cli: fake netlink: a whole dump prints all 600 entries (control)",
		"exit %d, %d entries, stderr \"%s\"", r.code,
		count(r.out, "\"cookie\":"), r.err);

	/* A summary the kernel cut short: the whole output, and a warning. */
	run_fake(&r, "truncated", 5, 0, ARGV("-j", "summary"));
	snprintf(want, sizeof(want),
		 "twctl: warning: more than %u groups; entries of the others are not counted\n",
		 TWCTL_SUMMARY_GROUPS_MAX);
	t_check(r.code == 0 && count(r.out, "\"count\":") == 5 &&
		!strcmp(r.err, want),
		"cli: a truncated summary prints its groups and one warning",
		"exit %d, %d groups, stderr \"%s\"", r.code,
		count(r.out, "\"count\":"), r.err);
	run_fake(&r, "ok", 5, 0, ARGV("-j", "summary"));
	t_check(r.code == 0 && count(r.out, "\"count\":") == 5 && !r.err[0],
		"cli: a complete summary has no truncation warning (control)",
		"exit %d, stderr \"%s\"", r.code, r.err);

	/* Refused before any entry: not even a header or '['. */
	for (c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++) {
		run_fake(&r, "done-error", 0, 0, cmds[c].args);
		snprintf(name, sizeof(name),
			 "cli: a dump refused before any entry prints nothing: %s",
			 cmds[c].name);
		t_check(r.code == 1 && !r.out[0] && lines(r.err) == 1, name,
			"exit %d, stdout \"%.60s\", stderr \"%s\"", r.code,
			r.out, r.err);
	}

	for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++)
		for (c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++) {
			int n, complete;

			run_fake(&r, modes[m].mode, 600, 150, cmds[c].args);
			snprintf(want, sizeof(want), modes[m].err, cmds[c].req);
			n = count(r.out, cmds[c].per);
			/* a JSON array or object closed at the end */
			complete = strstr(r.out, "]\n") || strstr(r.out, "}\n");
			snprintf(name, sizeof(name),
				 "cli: a dump that fails after 450 entries: %s, %s",
				 cmds[c].name, modes[m].mode);
			t_check(r.code == 1 && !strcmp(r.err, want) &&
				(cmds[c].held ? !r.out[0] :
				 n > 0 && n <= 450 && !complete &&
				 (!r.out[0] || r.out[strlen(r.out) - 1] == '\n' ||
				  r.out[strlen(r.out) - 1] == '}' ||
				  r.out[strlen(r.out) - 1] == '[')),
				name, "exit %d, %d entries in %zu bytes on stdout (\"...%.60s\"), stderr \"%s\"",
				r.code, n, strlen(r.out),
				r.out + (strlen(r.out) > 60 ? strlen(r.out) - 60 : 0),
				r.err);
		}
}

/*
 * NLM_F_DUMP_INTR: as ss and every inet_diag user, the dump is not run
 * again (its first part is out already): every entry of the one dump,
 * exactly one warning, exit 0, and exactly one request sent.
 */
static void test_dump_intr(void)
{
	static const char *const warning =
		"twctl: warning: the table changed while it was read; some entries may be missing or repeated\n";
	char log[4300];
	const char *sent;
	struct result r;
	FILE *f;

	snprintf(log, sizeof(log), "%s/fakenl/intr.log", t_dir);
	unlink(log);
	setenv("TWCTL_FAKE_NL_LOG", log, 1);
	run_fake(&r, "intr-once", 10, 0, ARGV("-j", "list"));
	unsetenv("TWCTL_FAKE_NL_LOG");
	f = fopen(log, "r");
	sent = f ? t_slurp(f) : "";
	t_check(r.code == 0 && !strcmp(r.err, warning) &&
		count(r.out, "\"cookie\":") == 10 &&
		count(r.out, "\"lport\":20") == 0 &&
		!strcmp(r.out + strlen(r.out) - 3, "}]\n"),
		"cli: an interrupted dump keeps its entries and warns once",
		"exit %d, stdout \"%.200s\", stderr \"%s\"", r.code, r.out,
		r.err);
	/* fake_nl.c's family id is 0x31 */
	snprintf(log, sizeof(log), "send 49 %u ", TWCTL_CMD_GET_ENTRIES);
	t_check(count(sent, log) == 1,
		"cli: an interrupted dump is not run again",
		"requests sent: \"%s\"", sent);
	if (f)
		fclose(f);
	snprintf(log, sizeof(log), "%s/fakenl/intr.log", t_dir);
	unlink(log);

	run_fake(&r, "intr-once", 10, 0, ARGV("-j", "summary"));
	t_check(r.code == 0 && !r.err[0] && count(r.out, "\"count\":") == 10 &&
		count(r.out, "\"rport\":20") == 10,
		"cli: an interrupted summary is redone, the first attempt discarded",
		"exit %d, stdout \"%.200s\", stderr \"%s\"", r.code, r.out, r.err);
}

/* run_fake() with the netlink log: what the tool asked for, in sent. */
static void run_logged(struct result *r, int entries, char **args,
		       char *sent, size_t len)
{
	char log[] = "/tmp/twctl-test-nl.XXXXXX";
	FILE *f;
	int fd = mkstemp(log);

	sent[0] = '\0';
	if (fd < 0) {
		r->code = -1;
		return;
	}
	close(fd);
	setenv("TWCTL_FAKE_NL_LOG", log, 1);
	run_fake(r, "ok", entries, 0, args);
	unsetenv("TWCTL_FAKE_NL_LOG");
	f = fopen(log, "r");
	if (f) {
		snprintf(sent, len, "%s", t_slurp(f));
		fclose(f);
	}
	unlink(log);
}

/* JSON text without the whitespace outside strings. */
static void json_squeeze(char *dst, size_t cap, const char *src)
{
	bool in_str = false, esc = false;
	size_t n = 0;

	for (; *src && n + 1 < cap; src++) {
		if (in_str) {
			dst[n++] = *src;
			if (esc)
				esc = false;
			else if (*src == '\\')
				esc = true;
			else if (*src == '"')
				in_str = false;
			continue;
		}
		if (*src == ' ' || *src == '\n')
			continue;
		if (*src == '"')
			in_str = true;
		dst[n++] = *src;
	}
	dst[n] = '\0';
}

/*
 * The conventions of ip and ss (-p, -H, -n, --count, options before or
 * after the command), and which extras each output asks the kernel for:
 * the default table none, so that it costs the module no lookups.
 */
static void test_conventions(void)
{
	static char before[1048576], squeezed[1048576];
	const struct {
		const char *name;
		char **a, **b;
	} same[] = {
		{ "-j list = list -j", ARGV("-j", "list"), ARGV("list", "-j") },
		{ "-j -p list = list -p -j", ARGV("-j", "-p", "list"),
		  ARGV("list", "-p", "-j") },
		{ "-H list = list -H", ARGV("-H", "list"), ARGV("list", "-H") },
		{ "-s list = list -s", ARGV("-s", "list"), ARGV("list", "-s") },
		{ "-n list = list -n = list", ARGV("-n", "list"), ARGV("list", "-n") },
		{ "-j summary = summary --json", ARGV("-j", "summary"),
		  ARGV("summary", "--json") },
		{ "--no-header summary = summary -H", ARGV("--no-header", "summary"),
		  ARGV("summary", "-H") },
	};
	const struct {
		const char *name, *ext;
		char **args;
	} asks[] = {
		{ "table asks for no extras", "ext 0 all-netns 0", ARGV("list") },
		{ "-e asks for the judgement", "ext 1 all-netns 0", ARGV("list", "-e") },
		{ "-j asks for every extra", "ext 3 all-netns 0", ARGV("-j", "list") },
		{ "-s asks for every extra", "ext 3 all-netns 0", ARGV("-s", "list") },
		{ "--count asks for no extras", "ext 0 all-netns 0",
		  ARGV("-j", "list", "--count") },
		{ "kill --dry-run table asks for none", "ext 0 all-netns 0",
		  ARGV("kill", "--all", "--dry-run") },
		{ "--all-netns is sent", "ext 0 all-netns 1",
		  ARGV("list", "--all-netns") },
	};
	const struct {
		const char *name;
		char **args;
	} bad[] = {
		{ "list --count=3", ARGV("list", "--count=3") },
		{ "list --all-net", ARGV("list", "--all-net") },
		{ "summary --by netsn", ARGV("summary", "--by", "netsn") },
		{ "-N x list --all-netns", ARGV("-N", "x", "list", "--all-netns") },
		{ "list -P", ARGV("list", "-P") },
		{ "list --pretty=yes", ARGV("list", "--pretty=yes") },
	};
	static char plain[1048576];
	char sent[4096], name[160];
	struct result r;
	unsigned int i;

	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		run_fake(&r, "ok", 20, 0, same[i].a);
		snprintf(before, sizeof(before), "%s", r.out);
		t_check(r.code == 0 && strlen(before) > 100, same[i].name,
			"first form: exit %d, stderr \"%s\"", r.code, r.err);
		run_fake(&r, "ok", 20, 0, same[i].b);
		snprintf(name, sizeof(name), "cli: %s (same output)", same[i].name);
		t_check(r.code == 0 && !strcmp(before, r.out), name,
			"exit %d, \"%.100s\" vs \"%.100s\"", r.code, before, r.out);
	}
	run_fake(&r, "ok", 20, 0, ARGV("list"));
	snprintf(plain, sizeof(plain), "%s", r.out);
	run_fake(&r, "ok", 20, 0, ARGV("list", "-n"));
	t_check(r.code == 0 && !strcmp(plain, r.out),
		"cli: -n changes nothing (output is numeric)", "\"%.100s\"", r.out);

	/* -H: the same rows without the header line. */
	run_fake(&r, "ok", 20, 0, ARGV("list", "-H"));
	t_check(r.code == 0 && !strncmp(plain, "State ", 6) &&
		!strcmp(r.out, strchr(plain, '\n') + 1),
		"cli: -H prints the rows without the header",
		"exit %d, \"%.100s\"", r.code, r.out);
	run_fake(&r, "ok", 20, 0, ARGV("summary", "-H"));
	t_check(r.code == 0 && !strstr(r.out, "Count") &&
		count(r.out, "10.0.0.1:") == 20,
		"cli: summary -H prints its groups without the header",
		"exit %d, \"%.100s\"", r.code, r.out);

	/* -p: indented, and the same document as compact JSON. */
	run_fake(&r, "ok", 20, 0, ARGV("-j", "list"));
	json_squeeze(before, sizeof(before), r.out);
	run_fake(&r, "ok", 20, 0, ARGV("-j", "-p", "list"));
	json_squeeze(squeezed, sizeof(squeezed), r.out);
	t_check(r.code == 0 &&
		!strncmp(r.out, "[\n    {\n        \"family\": \"inet\",\n",
			 strlen("[\n    {\n        \"family\": \"inet\",\n")) &&
		strchr(before, '{') && !strcmp(squeezed, before),
		"cli: -p indents JSON, same document as without",
		"exit %d, \"%.120s\"", r.code, r.out);
	run_fake(&r, "ok", 3, 0, ARGV("-j", "-p", "kill", "--all", "--dry-run"));
	t_check(r.code == 0 && strstr(r.out, "\n    \"entries\": [\n        {\n") &&
		strstr(r.out, "\n    \"matched\": 3,\n    \"killed\": 0\n}\n"),
		"cli: -p kill --dry-run: entries, then their number",
		"exit %d, \"%s\"", r.code, r.out);

	/* --count: one number, every format, the kernel's limit applied. */
	run_fake(&r, "ok", 1234, 0, ARGV("list", "--count"));
	t_check(r.code == 0 && !strcmp(r.out, "1234\n") && !r.err[0],
		"cli: --count prints the number of entries",
		"exit %d, stdout \"%.60s\"", r.code, r.out);
	run_fake(&r, "ok", 7, 0, ARGV("-j", "list", "--count", "--sort", "age"));
	t_check(r.code == 0 && !strcmp(r.out, "7\n"),
		"cli: -j list --count --sort prints just the number",
		"exit %d, stdout \"%.60s\"", r.code, r.out);

	for (i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
		run_logged(&r, 4, asks[i].args, sent, sizeof(sent));
		snprintf(name, sizeof(name), "cli: %s", asks[i].name);
		t_check(r.code == 0 && strstr(sent, asks[i].ext), name,
			"exit %d, sent \"%s\"", r.code, sent);
	}

	/*
	 * --all-netns: the netns of each entry, first column and JSON key;
	 * fake_nl.c's entry i (from 1) is in netns 4026531840 + i / 1000.
	 */
	run_fake(&r, "ok", 1001, 0, ARGV("list", "--all-netns"));
	t_check(r.code == 0 && !strncmp(r.out, "Netns             State ", 24) &&
		count(r.out, "\nnet:[4026531840]  TIME-WAIT ") == 999 &&
		count(r.out, "\nnet:[4026531841]  TIME-WAIT ") == 2,
		"cli: list --all-netns: a Netns column, net:[INODE] without a name",
		"exit %d, \"%.200s\"", r.code, r.out);
	run_fake(&r, "ok", 2, 0, ARGV("-j", "list", "--all-netns"));
	t_check(r.code == 0 &&
		!strncmp(r.out, "[{\"netns\":\"net:[4026531840]\",\"family\"", 37),
		"cli: -j list --all-netns: a netns key", "exit %d, \"%.200s\"",
		r.code, r.out);
	run_fake(&r, "ok", 2, 0, ARGV("-s", "list", "--all-netns"));
	t_check(r.code == 0 && count(r.out, "\tnet:[4026531840]\n") == 2,
		"cli: -s list --all-netns: netns is field 26", "exit %d, \"%.200s\"",
		r.code, r.out);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		run_fake(&r, "ok", 2, 0, bad[i].args);
		snprintf(name, sizeof(name), "cli: %s: exit 2, one line, nothing out",
			 bad[i].name);
		t_check(r.code == 2 && !r.out[0] && lines(r.err) >= 1 &&
			!strncmp(r.err, "twctl: ", 7), name,
			"exit %d, stdout \"%.60s\", stderr \"%s\"", r.code, r.out,
			r.err);
	}
}

/*
 * asan/asan-checks: the tool's code under ASan and UBSan, with a uapi
 * header whose TWCTL_GROUP_BY_MAX is past the tool's name table. One
 * PASS/FAIL per "ok"/"not ok" line it prints; a sanitizer abort fails.
 */
static void test_asan_checks(void)
{
	char path[4200], *line, *save = NULL, name[300];
	struct result r;
	int n = 0;

	snprintf(path, sizeof(path), "%s/asan/asan-checks", t_dir);
	if (access(path, X_OK)) {
		t_check(false, "asan: checks built", "%s is missing (make -C tools test builds it)",
			path);
		return;
	}
	spawn(ARGV(path), &r);
	for (line = strtok_r(r.out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		bool ok = !strncmp(line, "ok ", 3);
		const char *rest = line + (ok ? 3 : strncmp(line, "not ok ", 7) ? 0 : 7);

		snprintf(name, sizeof(name), "asan: %.*s", (int)strcspn(rest, ":"),
			 rest);
		t_check(ok, name, "%s", line);
		n++;
	}
	t_check(r.code == 0 && !r.err[0] && n == 2,
		"asan: no sanitizer report, every check ran",
		"exit %d, %d checks, stderr \"%.400s\"", r.code, n, r.err);
}

void test_cli(const char *twctl)
{
	twctl_bin = twctl;
	if (access(twctl, X_OK)) {
		t_check(false, "cli: binary exists", "%s is not executable",
			twctl);
		return;
	}
	test_bad_arguments();
	test_help_and_version();
	test_without_module();
	test_netns();
	test_nothing_sent();
	test_spawn_deadline();
	test_asan_checks();
	test_interrupted_dump();
	test_dump_intr();
	test_conventions();
	test_nothing_sent_fake();
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_stats.c - `twctl stats` offline: the arithmetic of rates and steady
 * state, which figures are called a problem and what advice follows, and
 * the shape of the Prometheus output, from made-up figures.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "stats.h"

/* A quiet netns of today's defaults: nothing to advise. */
static void defaults(struct tw_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->max_tw_buckets = 262144;
	s->tw_reuse = 2;
	s->timestamps = 1;
	s->fin_timeout = 60;
	s->tw_reuse_delay_ms = STATS_ABSENT;
	s->tw_recycle = STATS_ABSENT;
	s->port_lo = 32768;
	s->port_hi = 60999;
	s->tw = 100;
	s->tw_killed = 0;
	s->tw_recycled = 0;
	s->tw_overflow = 0;
	s->tw_count = 10;
	s->module = true;
	s->window_s = 10;
}

static struct stats_dest dest(const char *addr, uint16_t port, uint32_t count,
			      uint32_t ephemeral, uint32_t young)
{
	struct stats_dest d;

	memset(&d, 0, sizeof(d));
	d.family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	inet_pton(d.family, addr, d.raddr);
	d.rport = port;
	d.count = count;
	d.ephemeral = ephemeral;
	d.young = young;
	return d;
}

static bool advice_has(const struct stats_advice *a, const char *text)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (strstr(a->line[i], text))
			return true;
	return false;
}

static void test_arithmetic(void)
{
	struct tw_stats s;
	struct stats_dest d = dest("10.0.0.1", 5432, 100, 100, 50);

	defaults(&s);
	t_u64("stats range size 32768-60999", stats_range_size(&s), 28232);
	t_check(stats_dest_rate(&s, &d) == 5.0, "stats rate 50 in 10 s",
		"got %f", stats_dest_rate(&s, &d));
	t_check(stats_dest_steady(&s, &d) == 300.0, "stats steady 5/s x 60 s",
		"got %f", stats_dest_steady(&s, &d));
	s.port_lo = s.port_hi = STATS_ABSENT;
	t_u64("stats range unknown", stats_range_size(&s), 0);
	s.port_lo = 1000;
	s.port_hi = 999;
	t_u64("stats range inverted", stats_range_size(&s), 0);
}

static void test_advice(void)
{
	struct stats_dest d[2];
	struct stats_advice a;
	struct tw_stats s;

	defaults(&s);
	d[0] = dest("10.0.0.1", 5432, 1000, 1000, 100);
	s.dests = d;
	s.ndests = 1;
	stats_advise(&s, &a);
	t_u64("stats advice none when quiet", a.n, 0);

	/* Half the range held now. */
	d[0] = dest("10.0.0.1", 5432, 14116, 14116, 0);
	t_true("stats pressure at 50% held", stats_dest_under_pressure(&s, &d[0]));
	d[0].ephemeral = 14115;
	t_true("stats no pressure just under 50%",
	       !stats_dest_under_pressure(&s, &d[0]));
	/* 240/s x 60 s = 14400 ports coming, though few are held yet. */
	d[0] = dest("10.0.0.1", 5432, 2400, 2400, 2400);
	t_true("stats pressure from the rate alone",
	       stats_dest_under_pressure(&s, &d[0]));
	stats_advise(&s, &a);
	t_true("stats advice for the destination",
	       advice_has(&a, "10.0.0.1:5432: TIME_WAIT holds 2400 of 28232"));
	t_true("stats advice names EADDRNOTAVAIL", advice_has(&a, "EADDRNOTAVAIL"));
	t_true("stats advice IP_BIND_ADDRESS_NO_PORT",
	       advice_has(&a, "IP_BIND_ADDRESS_NO_PORT"));
	t_true("stats advice IP_LOCAL_PORT_RANGE 6.8+",
	       advice_has(&a, "IP_LOCAL_PORT_RANGE per socket on 6.8+"));
	t_true("stats advice pooling", advice_has(&a, "pooling"));
	t_true("stats advice steady state figure",
	       advice_has(&a, "40.0 new connections/s hold about 14400 (51%) in steady state"));
	t_true("stats advice reuse=2 for a remote peer",
	       advice_has(&a, "tcp_tw_reuse is 2 (loopback only)"));
	t_true("stats advice relief mentions recycle's removal",
	       advice_has(&a, "gone since 4.12"));

	/* Loopback destination with reuse=2: no reuse advice. */
	d[0] = dest("127.0.0.1", 8080, 20000, 20000, 0);
	stats_advise(&s, &a);
	t_true("stats advice no rate when nothing is new",
	       advice_has(&a, "(71%); at 100%") && !advice_has(&a, "steady state"));
	t_true("stats advice no reuse=2 line for loopback",
	       !advice_has(&a, "tcp_tw_reuse is 2"));
	d[0] = dest("::ffff:127.0.0.1", 8080, 20000, 20000, 0);
	stats_advise(&s, &a);
	t_true("stats advice mapped loopback is loopback",
	       !advice_has(&a, "tcp_tw_reuse is 2"));

	s.tw_reuse = 0;
	stats_advise(&s, &a);
	t_true("stats advice reuse=0", advice_has(&a, "tcp_tw_reuse is 0"));
	s.tw_reuse = 1;
	s.tw_reuse_delay_ms = 5000;
	stats_advise(&s, &a);
	t_true("stats advice long reuse delay",
	       advice_has(&a, "tcp_tw_reuse_delay is 5000 ms"));
	s.port_lo = 50000;
	s.port_hi = 50999;
	d[0] = dest("10.0.0.2", 80, 900, 900, 0);
	stats_advise(&s, &a);
	t_true("stats advice narrow range",
	       advice_has(&a, "ip_local_port_range gives only 1000 ports"));
	s.fin_timeout = 30;
	stats_advise(&s, &a);
	t_true("stats advice fin_timeout is not TIME_WAIT",
	       advice_has(&a, "does not shorten TIME_WAIT"));

	/* Problems that need no destination. */
	defaults(&s);
	s.tw_overflow = 7;
	stats_advise(&s, &a);
	t_true("stats advice overflow", advice_has(&a, "TCPTimeWaitOverflow is 7"));
	t_true("stats advice max_tw_buckets is a DoS guard",
	       advice_has(&a, "DoS guard, not a fix"));
	t_u64("stats advice overflow only", a.n, 1);
	defaults(&s);
	s.tw_count = 240000;
	stats_advise(&s, &a);
	t_true("stats advice near max_tw_buckets",
	       advice_has(&a, "92% of tcp_max_tw_buckets"));
	defaults(&s);
	s.tw_recycle = 1;
	stats_advise(&s, &a);
	t_true("stats advice tw_recycle on an old kernel",
	       advice_has(&a, "removed in 4.12"));
	defaults(&s);
	s.timestamps = 0;
	stats_advise(&s, &a);
	t_true("stats advice timestamps off with reuse on",
	       advice_has(&a, "tcp_timestamps is 0"));

	/* Without the module nothing is known per destination. */
	defaults(&s);
	s.module = false;
	stats_advise(&s, &a);
	t_u64("stats advice none without module", a.n, 0);

	/* Two destinations under pressure: one line each. */
	defaults(&s);
	d[0] = dest("10.0.0.1", 443, 20000, 20000, 0);
	d[1] = dest("2001:db8::1", 443, 15000, 15000, 0);
	s.dests = d;
	s.ndests = 2;
	stats_advise(&s, &a);
	t_true("stats advice first destination",
	       advice_has(&a, "10.0.0.1:443: "));
	t_true("stats advice second destination in brackets",
	       advice_has(&a, "[2001:db8::1]:443: "));
}

/*
 * A strict reading of the text exposition format as the textfile
 * collector needs it: every sample's family has HELP then TYPE before it,
 * families are contiguous and not repeated, names and labels are valid,
 * values parse, counters end in _total, the last byte is a newline.
 */
static const char *prom_check(const char *text)
{
	static char why[256];
	char seen[64][96], family[96] = "", type[16] = "";
	const char *p = text, *nl;
	int nseen = 0, i;

	if (!*text || text[strlen(text) - 1] != '\n')
		return "does not end in a newline";
	for (; *p; p = nl + 1) {
		char line[1024], name[96], *sp, *end;
		size_t len;

		nl = strchr(p, '\n');
		len = nl - p;
		if (len >= sizeof(line))
			return "line too long";
		memcpy(line, p, len);
		line[len] = '\0';
		if (!strncmp(line, "# HELP ", 7)) {
			if (sscanf(line + 7, "%95s", name) != 1)
				return "HELP without a name";
			for (i = 0; i < nseen; i++)
				if (!strcmp(seen[i], name)) {
					snprintf(why, sizeof(why), "%s repeated", name);
					return why;
				}
			if (nseen == 64)
				return "too many families";
			snprintf(seen[nseen++], sizeof(seen[0]), "%s", name);
			snprintf(family, sizeof(family), "%s", name);
			type[0] = '\0';
			continue;
		}
		if (!strncmp(line, "# TYPE ", 7)) {
			if (sscanf(line + 7, "%95s %15s", name, type) != 2 ||
			    strcmp(name, family))
				return "TYPE not right after its HELP";
			if (strcmp(type, "gauge") && strcmp(type, "counter"))
				return "unexpected TYPE";
			if (!strcmp(type, "counter") &&
			    (strlen(name) < 6 ||
			     strcmp(name + strlen(name) - 6, "_total")))
				return "counter without _total";
			continue;
		}
		if (line[0] == '#')
			return "stray comment";
		if (!type[0])
			return "sample before its TYPE";
		len = strspn(line, "abcdefghijklmnopqrstuvwxyz_0123456789");
		if (len != strlen(family) || strncmp(line, family, len)) {
			snprintf(why, sizeof(why), "sample '%.60s' outside family %s",
				 line, family);
			return why;
		}
		if (strncmp(line, "twctl_", 6))
			return "name without twctl_ prefix";
		sp = line + len;
		if (*sp == '{') {
			char *close = strchr(sp, '}');

			if (!close || close[-1] != '"')
				return "bad labels";
			sp = close + 1;
		}
		if (*sp != ' ')
			return "no space before the value";
		strtod(sp + 1, &end);
		if (end == sp + 1 || *end)
			return "value does not parse";
	}
	return NULL;
}

static void test_prom(void)
{
	struct stats_dest d[3];
	struct stats_port ports[2] = { { 443, 9 }, { 80, 4 } };
	struct tw_stats s;
	const char *why, *text;
	char path[] = "/tmp/twctl-test-stats-XXXXXX", file[64];
	struct stat st;
	FILE *f = tmpfile();
	char *buf;
	size_t len;

	defaults(&s);
	d[0] = dest("10.0.0.1", 5432, 30, 30, 20);
	d[1] = dest("::1", 8080, 20, 10, 0);
	d[2] = dest("10.0.0.3", 80, 10, 10, 0);
	s.dests = d;
	s.ndests = 3;
	s.ports = ports;
	s.nports = 2;
	s.tw_reuse_delay_ms = 1500;
	if (!f) {
		t_check(false, "stats prom tmpfile", "tmpfile failed");
		return;
	}
	t_u64("stats prom writes", stats_prom_write(f, &s, 2), 0);
	text = t_slurp(f);
	fclose(f);
	why = prom_check(text);
	t_check(!why, "stats prom strict format", "%s", why ? why : "");
	t_contains("stats prom dest labels", text,
		   "twctl_destination_entries{family=\"inet\",raddr=\"10.0.0.1\",rport=\"5432\"} 30\n");
	t_contains("stats prom v6 label", text, "raddr=\"::1\",rport=\"8080\"} 20\n");
	t_true("stats prom top 2 only", !strstr(text, "10.0.0.3"));
	t_contains("stats prom rate", text,
		   "twctl_destination_connection_rate{family=\"inet\",raddr=\"10.0.0.1\",rport=\"5432\"} 2.000\n");
	t_contains("stats prom seconds not ms", text,
		   "twctl_tcp_tw_reuse_delay_seconds 1.500\n");
	t_contains("stats prom counter", text, "twctl_tcpext_tw_total 100\n");
	t_contains("stats prom port", text, "twctl_local_port_entries{lport=\"443\"} 9\n");
	t_true("stats prom leaves out node_exporter's count",
	       !strstr(text, "tw_count") && !strstr(text, "twctl_entries "));
	t_true("stats prom absent sysctl left out",
	       !strstr(text, "twctl_tcp_tw_recycle "));
	t_true("stats prom checker catches a missing TYPE",
	       prom_check("# HELP twctl_x y\ntwctl_x 1\n") != NULL);
	t_true("stats prom checker catches a counter without _total",
	       prom_check("# HELP twctl_x y\n# TYPE twctl_x counter\ntwctl_x 1\n") != NULL);

	/* The file: replaced by rename, nothing left behind, mode 0644. */
	if (!mkdtemp(path)) {
		t_check(false, "stats prom file", "mkdtemp failed");
		return;
	}
	snprintf(file, sizeof(file), "%s/twctl.prom", path);
	f = fopen(file, "w");
	if (f) {
		fputs("old\n", f);
		fclose(f);
	}
	umask(077);
	t_u64("stats prom file written", stats_prom_write_file(file, &s, 10), 0);
	umask(022);
	f = fopen(file, "r");
	buf = NULL;
	len = 0;
	if (f && getdelim(&buf, &len, '\0', f) > 0)
		t_check(!prom_check(buf), "stats prom file strict format", "%s",
			prom_check(buf) ? prom_check(buf) : "");
	else
		t_check(false, "stats prom file strict format", "cannot read %s", file);
	if (f)
		fclose(f);
	free(buf);
	t_true("stats prom file mode 0644",
	       !stat(file, &st) && (st.st_mode & 0777) == 0644);
	snprintf(file, sizeof(file), "%s/twctl.prom.tmp.%ld", path,
		 (long)getpid());
	t_true("stats prom no temporary left", access(file, F_OK) != 0);
	snprintf(file, sizeof(file), "%s/twctl.prom", path);
	unlink(file);
	snprintf(file, sizeof(file), "%s/missing/twctl.prom", path);
	t_true("stats prom unwritable dir fails",
	       stats_prom_write_file(file, &s, 10) == -1);
	rmdir(path);
}

void test_stats(void)
{
	test_arithmetic();
	test_advice();
	test_prom();
}

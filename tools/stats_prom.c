// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stats_prom.c - `twctl stats --prometheus`: the Prometheus text
 * exposition format (version 0.0.4) for node_exporter's textfile
 * collector.
 *
 * What node_exporter already exports is left out: the host's TIME_WAIT
 * count is node_sockstat_TCP_tw (sockstat collector, on by default). Its
 * netstat collector exports TcpExt only for the fields its default
 * --collector.netstat.fields pattern names (Listen*, Syncookies*,
 * TCPSynRetrans, TCPTimeouts, TCPOFOQueue, TCPRcvQDrop), so the TIME_WAIT
 * counters are exported here. Per-destination and per-port series are
 * cut to the top N by count: one series per destination would let the
 * number of series grow with the traffic.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "format.h"
#include "stats.h"

static void family(FILE *f, const char *name, const char *type,
		   const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void value(FILE *f, const char *name, long long v)
{
	if (v != STATS_ABSENT)
		fprintf(f, "%s %lld\n", name, v);
}

/* Label values here are addresses and numbers: nothing to escape. */
static void dest_labels(FILE *f, const struct stats_dest *d)
{
	char addr[ADDR_STRLEN];

	fprintf(f, "{family=\"%s\",raddr=\"%s\",rport=\"%u\"}",
		d->family == 2 ? "inet" : "inet6",
		format_addr(addr, sizeof(addr), d->family, d->raddr), d->rport);
}

static void gauge(FILE *f, const char *name, const char *help, long long v)
{
	if (v == STATS_ABSENT)
		return;
	family(f, name, "gauge", help);
	value(f, name, v);
}

static void counter(FILE *f, const char *name, const char *help, long long v)
{
	if (v == STATS_ABSENT)
		return;
	family(f, name, "counter", help);
	value(f, name, v);
}

int stats_prom_write(FILE *f, const struct tw_stats *s, unsigned int top)
{
	size_t i, nd = s->ndests < top ? s->ndests : top;
	size_t np = s->nports < top ? s->nports : top;

	gauge(f, "twctl_module_loaded",
	      "1 if the twctl module answered (per-destination series need it)",
	      s->module);
	gauge(f, "twctl_tcp_max_tw_buckets",
	      "net.ipv4.tcp_max_tw_buckets: most TIME_WAIT entries kept",
	      s->max_tw_buckets);
	gauge(f, "twctl_tcp_tw_reuse", "net.ipv4.tcp_tw_reuse (0, 1, 2)",
	      s->tw_reuse);
	if (s->tw_reuse_delay_ms != STATS_ABSENT) {
		family(f, "twctl_tcp_tw_reuse_delay_seconds", "gauge",
		       "net.ipv4.tcp_tw_reuse_delay");
		fprintf(f, "twctl_tcp_tw_reuse_delay_seconds %.3f\n",
			s->tw_reuse_delay_ms / 1000.0);
	}
	gauge(f, "twctl_tcp_timestamps", "net.ipv4.tcp_timestamps",
	      s->timestamps);
	gauge(f, "twctl_tcp_fin_timeout_seconds", "net.ipv4.tcp_fin_timeout",
	      s->fin_timeout);
	gauge(f, "twctl_tcp_tw_recycle", "net.ipv4.tcp_tw_recycle (before 4.12)",
	      s->tw_recycle);
	if (stats_range_size(s))
		gauge(f, "twctl_ephemeral_ports",
		      "size of net.ipv4.ip_local_port_range",
		      stats_range_size(s));
	counter(f, "twctl_tcpext_tw_total",
		"TcpExt TW: timewait entries started with the usual timer (over 4 s)", s->tw);
	counter(f, "twctl_tcpext_tw_killed_total",
		"TcpExt TWKilled: timewait entries started with a timer of 4 s or less",
		s->tw_killed);
	counter(f, "twctl_tcpext_tw_recycled_total",
		"TcpExt TWRecycled: timewait entries taken over by connect() (tcp_tw_reuse)",
		s->tw_recycled);
	counter(f, "twctl_tcpext_tcp_timewait_overflow_total",
		"TcpExt TCPTimeWaitOverflow: closes without TIME_WAIT, tcp_max_tw_buckets reached",
		s->tw_overflow);

	if (s->module) {
		family(f, "twctl_stats_window_seconds", "gauge",
		       "window over which creation rates are measured");
		fprintf(f, "twctl_stats_window_seconds %u\n", s->window_s);
	}
	if (nd) {
		family(f, "twctl_destination_entries", "gauge",
		       "TIME_WAIT entries towards a destination (top N by count)");
		for (i = 0; i < nd; i++) {
			fputs("twctl_destination_entries", f);
			dest_labels(f, &s->dests[i]);
			fprintf(f, " %u\n", s->dests[i].count);
		}
		family(f, "twctl_destination_ephemeral_ports", "gauge",
		       "ephemeral local ports held by TIME_WAIT entries towards a destination");
		for (i = 0; i < nd; i++) {
			fputs("twctl_destination_ephemeral_ports", f);
			dest_labels(f, &s->dests[i]);
			fprintf(f, " %u\n", s->dests[i].ephemeral);
		}
		family(f, "twctl_destination_connection_rate", "gauge",
		       "new connections per second towards a destination, from TIME_WAIT ages over the window");
		for (i = 0; i < nd; i++) {
			fputs("twctl_destination_connection_rate", f);
			dest_labels(f, &s->dests[i]);
			fprintf(f, " %.3f\n", stats_dest_rate(s, &s->dests[i]));
		}
		family(f, "twctl_destination_steady_state_ports", "gauge",
		       "ephemeral ports the current rate holds in TIME_WAIT in steady state (rate x 60 s)");
		for (i = 0; i < nd; i++) {
			fputs("twctl_destination_steady_state_ports", f);
			dest_labels(f, &s->dests[i]);
			fprintf(f, " %.1f\n",
				stats_dest_steady(s, &s->dests[i]));
		}
	}
	if (np) {
		family(f, "twctl_local_port_entries", "gauge",
		       "TIME_WAIT entries per local port (top N by count)");
		for (i = 0; i < np; i++)
			fprintf(f, "twctl_local_port_entries{lport=\"%u\"} %u\n",
				s->ports[i].lport, s->ports[i].count);
	}
	family(f, "twctl_stats_timestamp_seconds", "gauge",
	       "when twctl stats wrote these figures (Unix time)");
	fprintf(f, "twctl_stats_timestamp_seconds %lld\n",
		(long long)time(NULL));
	return ferror(f) ? fail(EXIT_FAIL, "cannot write the metrics: %s",
				strerror(errno ? errno : EIO)) : 0;
}

int stats_prom_write_file(const char *path, const struct tw_stats *s,
			  unsigned int top)
{
	char tmp[4096];
	FILE *f;
	int fd, e;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >=
	    (int)sizeof(tmp))
		return fail(EXIT_USAGE, "-o: path too long");
	/* The textfile collector reads only *.prom: the temporary is unseen. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return fail(EXIT_FAIL, "cannot create %s: %s", tmp,
			    strerror(errno));
	/* Readable by the exporter whatever our umask. */
	fchmod(fd, 0644);
	f = fdopen(fd, "w");
	if (!f) {
		e = errno;
		close(fd);
		unlink(tmp);
		return fail(EXIT_FAIL, "cannot write %s: %s", tmp, strerror(e));
	}
	if (stats_prom_write(f, s, top)) {
		fclose(f);
		unlink(tmp);
		return -1;
	}
	if (fflush(f) || fsync(fileno(f)) || ferror(f)) {
		e = errno;
		fclose(f);
		unlink(tmp);
		return fail(EXIT_FAIL, "cannot write %s: %s", tmp, strerror(e));
	}
	if (fclose(f)) {
		e = errno;
		unlink(tmp);
		return fail(EXIT_FAIL, "cannot write %s: %s", tmp, strerror(e));
	}
	if (rename(tmp, path)) {
		e = errno;
		unlink(tmp);
		return fail(EXIT_FAIL, "cannot rename %s to %s: %s", tmp, path,
			    strerror(e));
	}
	return 0;
}

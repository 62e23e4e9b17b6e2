// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * watch.c - `twctl watch`: print every kill as the module announces it on
 * the "events" multicast group, one line per event, flushed at once so a
 * pipe or a test reading stdout sees it live.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <linux/genetlink.h>

#include "commands.h"
#include "error.h"
#include "format.h"
#include "netlink.h"

static volatile int stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int watch_parse(int argc, char **argv, bool *help)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	int c;

	*help = false;
	options_reset();
	while ((c = options_next(argc, argv, COMMON_SHORTOPTS, longopts,
				    "watch")) != -1)
		if (common_option("watch", c, argv, help) < 0)
			return -1;
	if (*help)
		return 0;
	return no_arguments("watch", argc, argv) || options_check() ? -1 : 0;
}

static int event_attr_cb(const struct nlattr *a, void *data)
{
	struct tw_event *ev = data;
	unsigned int type = mnl_attr_get_type(a);
	uint32_t *u32 = NULL;

	switch (type) {
	case TWCTL_A_EVENT_PID:	u32 = &ev->pid; break;
	case TWCTL_A_EVENT_UID:	u32 = &ev->uid; break;
	case TWCTL_A_EVENT_NETNS: u32 = &ev->netns; break;
	case TWCTL_A_MATCHED:	u32 = &ev->matched; break;
	case TWCTL_A_KILLED:	u32 = &ev->killed; break;
	case TWCTL_A_LIMIT:	u32 = &ev->limit; break;
	case TWCTL_A_EVENT_COMM: {
		/* comm is at most 16 bytes and need not be NUL-terminated. */
		size_t n = mnl_attr_get_payload_len(a);

		if (n >= sizeof(ev->comm))
			n = sizeof(ev->comm) - 1;
		memcpy(ev->comm, mnl_attr_get_payload(a), n);
		ev->comm[n] = '\0';
		ev->present |= 1U << type;
		return MNL_CB_OK;
	}
	case TWCTL_A_FILTER:
		if (filter_parse_nest(a, &ev->filter) < 0) {
			fail(EXIT_FAIL, "malformed filter in a kill event");
			return MNL_CB_ERROR;
		}
		ev->present |= 1U << type;
		return MNL_CB_OK;
	default:
		return MNL_CB_OK;
	}
	if (mnl_attr_validate(a, MNL_TYPE_U32) < 0) {
		fail(EXIT_FAIL, "malformed kill event: attribute %u", type);
		return MNL_CB_ERROR;
	}
	*u32 = mnl_attr_get_u32(a);
	ev->present |= 1U << type;
	return MNL_CB_OK;
}

/* Returns 0 for an event, 1 for another message to ignore, -1 if bad. */
int event_parse_msg(const struct nlmsghdr *nlh, struct tw_event *ev)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);

	memset(ev, 0, sizeof(*ev));
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*g) ||
	    g->cmd != TWCTL_CMD_KILL_EVENT)
		return 1;
	if (mnl_attr_parse(nlh, sizeof(*g), event_attr_cb, ev) != MNL_CB_OK)
		return -1;
	return 0;
}

#define EV_HAS(ev, attr) (((ev)->present >> (attr)) & 1U)

static void print_u32_or_dash(FILE *f, const char *sep, bool has, uint32_t v)
{
	if (has)
		fprintf(f, "%s%u", sep, v);
	else
		fprintf(f, "%s-", sep);
}

void event_print(FILE *f, enum output_format fmt, const struct tw_event *ev,
		 uint64_t when_ms)
{
	char comm[sizeof(ev->comm)], filter[512], stamp[64];
	time_t secs = when_ms / 1000;
	struct tm tm;
	struct json j;

	sanitize(comm, sizeof(comm), ev->comm);
	filter_describe(filter, sizeof(filter), &ev->filter);

	switch (fmt) {
	case OUTPUT_TABLE:
		localtime_r(&secs, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
		fprintf(f, "%s.%03u pid %u (%s) uid %u netns %u: killed %u of %u",
			stamp, (unsigned int)(when_ms % 1000), ev->pid, comm,
			ev->uid, ev->netns, ev->killed, ev->matched);
		if (EV_HAS(ev, TWCTL_A_LIMIT))
			fprintf(f, " (limit %u)", ev->limit);
		fprintf(f, "; filter: %s\n", *filter ? filter : "all entries");
		break;
	case OUTPUT_JSON:
		gmtime_r(&secs, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(stamp + strlen(stamp), sizeof(stamp) - strlen(stamp),
			 ".%03uZ", (unsigned int)(when_ms % 1000));
		json_init(&j, f);
		j.pretty = g_opts.pretty;
		json_open_object(&j, NULL);
		json_string(&j, "time", stamp);
		json_u64(&j, "time_ms", when_ms);
		if (EV_HAS(ev, TWCTL_A_EVENT_PID))
			json_u64(&j, "pid", ev->pid);
		if (EV_HAS(ev, TWCTL_A_EVENT_COMM))
			json_string(&j, "comm", ev->comm);
		if (EV_HAS(ev, TWCTL_A_EVENT_UID))
			json_u64(&j, "uid", ev->uid);
		if (EV_HAS(ev, TWCTL_A_EVENT_NETNS))
			json_u64(&j, "netns", ev->netns);
		if (EV_HAS(ev, TWCTL_A_MATCHED))
			json_u64(&j, "matched", ev->matched);
		if (EV_HAS(ev, TWCTL_A_KILLED))
			json_u64(&j, "killed", ev->killed);
		if (EV_HAS(ev, TWCTL_A_LIMIT))
			json_u64(&j, "limit", ev->limit);
		filter_json(&j, "filter", &ev->filter);
		json_close_object(&j);
		fputc('\n', f);
		break;
	case OUTPUT_SCRIPT:
		/*
		 * time_ms pid uid comm netns matched killed limit filter;
		 * the filter, last, is in command-line syntax or "-".
		 */
		fprintf(f, "%" PRIu64, when_ms);
		print_u32_or_dash(f, "\t", EV_HAS(ev, TWCTL_A_EVENT_PID), ev->pid);
		print_u32_or_dash(f, "\t", EV_HAS(ev, TWCTL_A_EVENT_UID), ev->uid);
		fprintf(f, "\t%s", EV_HAS(ev, TWCTL_A_EVENT_COMM) ? comm : "-");
		print_u32_or_dash(f, "\t", EV_HAS(ev, TWCTL_A_EVENT_NETNS),
				  ev->netns);
		print_u32_or_dash(f, "\t", EV_HAS(ev, TWCTL_A_MATCHED),
				  ev->matched);
		print_u32_or_dash(f, "\t", EV_HAS(ev, TWCTL_A_KILLED),
				  ev->killed);
		print_u32_or_dash(f, "\t", EV_HAS(ev, TWCTL_A_LIMIT), ev->limit);
		fprintf(f, "\t%s\n", *filter ? filter : "-");
		break;
	}
}

struct watch_ctx {
	uint16_t family_id;
	enum output_format fmt;
};

static int watch_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct watch_ctx *ctx = data;
	struct timespec now;
	struct tw_event ev;
	int r;

	if (nlh->nlmsg_type != ctx->family_id)
		return 0;
	r = event_parse_msg(nlh, &ev);
	if (r < 0)
		return -1;
	if (r > 0)
		return 0;
	clock_gettime(CLOCK_REALTIME, &now);
	event_print(stdout, ctx->fmt, &ev,
		    (uint64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000);
	return 0;
}

int cmd_watch(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct watch_ctx ctx;
	struct nl_batch b;
	struct nl nl;
	bool help;
	int r = -1, n;

	if (watch_parse(argc, argv, &help))
		return -1;
	if (help) {
		command_usage(stdout, command_find("watch"));
		return 0;
	}
	if (nl_open(&nl, g_opts.netns))
		return -1;
	n = nl_join_events(&nl);
	if (n == -EPERM || n == -EACCES) {
		fail(EXIT_FAIL,
		     "watch needs CAP_NET_ADMIN in this network namespace (run as root)");
		goto out;
	}
	if (n == -ENOENT) {
		fail(EXIT_FAIL, "the loaded twctl module has no '%s' multicast group",
		     TWCTL_MCGRP_EVENTS);
		goto out;
	}
	if (n < 0) {
		fail(EXIT_FAIL, "cannot join the twctl events group: %s",
		     strerror(-n));
		goto out;
	}

	/* No SA_RESTART: Ctrl-C must interrupt the blocking receive. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);

	ctx.family_id = nl.family_id;
	ctx.fmt = output_format();
	memset(&b, 0, sizeof(b));
	b.cb = watch_msg_cb;
	b.data = &ctx;
	b.keep_interrupted = true;

	while (!stop) {
		n = nl_recv(&nl, &stop);
		if (n == -EINTR)
			break;
		if (n == -ENOBUFS) {
			twarn("some kill events were lost (receive buffer overrun)");
			continue;
		}
		if (n < 0) {
			fail(EXIT_FAIL, "netlink receive failed: %s",
			     strerror(-n));
			goto out;
		}
		if (nl_process(&b, nl.buf, n) < 0)
			goto out;
		if (ferror(stdout)) {
			fail(EXIT_FAIL, "cannot write to standard output");
			goto out;
		}
	}
	r = 0;
out:
	nl_close(&nl);
	return r;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_args.c - libFuzzer target for whole command lines of list, summary
 * and kill: getopt with twctl's refusal of abbreviations, every filter
 * option, the conflict checks, and the request each command builds.
 *
 * Input: a byte picking the command, then its arguments separated by NUL
 * bytes. Properties, besides the sanitizers':
 *  - a refused command line leaves exit code 2 and one printable line;
 *  - an accepted one builds a request whose filter nest reads back
 *    (filter_parse_nest) to the same filter, and whose description in
 *    command-line syntax (what `watch` prints) parses to the same filter;
 *  - kill never accepts an empty filter without --all, and never takes an
 *    abbreviation for an option.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>

#include "commands.h"
#include "error.h"
#include "fuzz.h"
#include "netlink.h"

#define MAX_ARGS 24

static char req_buf[NL_REQ_BUFSIZE];

static const struct nlattr *find_filter(const struct nlmsghdr *nlh)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == TWCTL_A_FILTER)
			return a;
	return NULL;
}

/* The filter as `watch` describes it, split back into an argv. */
static int describe_argv(const struct tw_filter *f, char *buf, size_t len,
			 char **argv, const char *cmd)
{
	int n = 0;
	char *p;

	filter_describe(buf, len, f);
	if (strlen(buf) + 1 >= len)
		FUZZ_FAIL("filter description truncated: %s", buf);
	argv[n++] = (char *)cmd;
	for (p = strtok(buf, " "); p && n < 3 * MAX_ARGS; p = strtok(NULL, " "))
		argv[n++] = p;
	argv[n] = NULL;
	return n;
}

static void same_filter(const struct tw_filter *a, const struct tw_filter *b,
			const char *what)
{
	char da[1024], db[1024];

	filter_describe(da, sizeof(da), a);
	filter_describe(db, sizeof(db), b);
	if (a->present != b->present || strcmp(da, db))
		FUZZ_FAIL("%s: '%s' (%#x) became '%s' (%#x)", what, da,
			  a->present, db, b->present);
}

/* The filter nest of the request, read back, and its description. */
static void check_request(const struct nlmsghdr *req,
			  const struct tw_filter *f)
{
	static char desc[1024];
	char *argv[3 * MAX_ARGS + 2];
	const struct nlattr *nest = find_filter(req);
	struct list_opts lo;
	struct tw_filter back;
	int argc;

	if (!nest) {
		if (!filter_empty(f))
			FUZZ_FAIL("a filter was given but not sent");
		return;
	}
	if (filter_empty(f))
		FUZZ_FAIL("an empty filter was sent");
	if (filter_parse_nest(nest, &back))
		FUZZ_FAIL("the filter nest we built does not parse");
	same_filter(f, &back, "request filter");

	argc = describe_argv(f, desc, sizeof(desc), argv, "list");
	err_clear();
	if (list_parse(argc, argv, &lo))
		FUZZ_FAIL("the description of an accepted filter is refused: %s",
			  err_msg());
	same_filter(f, &lo.filter, "described filter");
}

static struct nlmsghdr *new_req(uint8_t cmd)
{
	struct nl nl = { .req = req_buf, .family_id = 0x42 };

	memset(req_buf, 0, sizeof(req_buf));
	return nl_request(&nl, cmd, 0);
}

static bool abbreviated(int argc, char **argv, const char *opt)
{
	size_t n = strlen(opt);
	int i;

	for (i = 1; i < argc; i++) {
		size_t len;

		if (!strcmp(argv[i], "--"))
			return false;
		if (strncmp(argv[i], "--", 2))
			continue;
		len = strcspn(argv[i] + 2, "=");
		if (len && len < n && !strncmp(argv[i] + 2, opt, len))
			return true;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const cmds[] = { "list", "summary", "kill" };
	char *argv[MAX_ARGS + 2], *copy[MAX_ARGS + 2];
	size_t off = 1;
	int argc = 0, which, r, i;

	if (size < 1)
		return 0;
	which = data[0] % 3;
	argv[argc++] = (char *)cmds[which];
	while (off < size && argc <= MAX_ARGS) {
		size_t n = strnlen((const char *)data + off, size - off);

		argv[argc] = malloc(n + 1);
		if (!argv[argc])
			break;
		memcpy(argv[argc], data + off, n);
		argv[argc][n] = '\0';
		argc++;
		off += n + 1;
	}
	argv[argc] = NULL;
	/* getopt permutes argv: keep the pointers to free them. */
	memcpy(copy, argv, sizeof(argv));

	memset(&g_opts, 0, sizeof(g_opts));
	err_clear();
	if (which == 0) {
		struct list_opts o;

		r = list_parse(argc, argv, &o);
		if (!r && !o.help) {
			struct nlmsghdr *req = new_req(TWCTL_CMD_GET_ENTRIES);

			list_put_request(req, &o);
			check_request(req, &o.filter);
		}
	} else if (which == 1) {
		struct summary_opts o;

		r = summary_parse(argc, argv, &o);
		if (!r && !o.help) {
			struct nlmsghdr *req = new_req(TWCTL_CMD_GET_SUMMARY);

			summary_put_request(req, &o);
			check_request(req, &o.filter);
		}
	} else {
		struct kill_opts o;
		struct nl nl = { .req = req_buf, .family_id = 0x42 };

		r = kill_parse(argc, argv, &o);
		if (!r && !o.help) {
			struct tw_filter f = o.filter;

			if (filter_empty(&o.filter) && !o.all)
				FUZZ_FAIL("kill accepted an empty filter without --all");
			if (o.all && abbreviated(argc, copy, "all"))
				FUZZ_FAIL("kill took an abbreviation for --all");
			memset(req_buf, 0, sizeof(req_buf));
			check_request(kill_request(&nl, &o), &f);
		}
	}
	if (r) {
		if (r != -1)
			FUZZ_FAIL("parse returned %d", r);
		if (err_code() != EXIT_USAGE)
			FUZZ_FAIL("bad arguments: exit code %d, not 2",
				  err_code());
		fuzz_check_message(err_msg());
	}
	for (i = 1; i < argc; i++)
		free(copy[i]);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* options.c - option handling shared by the subcommands (see options.h). */
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "filter.h"
#include "options.h"

struct global_opts g_opts;

enum output_format output_format(void)
{
	if (g_opts.json)
		return OUTPUT_JSON;
	if (g_opts.script)
		return OUTPUT_SCRIPT;
	return OUTPUT_TABLE;
}

int options_check(void)
{
	if (g_opts.json && g_opts.script)
		return fail(EXIT_USAGE, "-j and -s cannot be combined");
	return 0;
}

void options_reset(void)
{
	optind = 0;	/* glibc: 0 re-initialises getopt completely */
	opterr = 0;	/* we word the messages, one line each */
}

/* The option as the user typed it, without any "=value". */
static void offending(char *buf, size_t len, char **argv)
{
	const char *arg = argv[optind - 1];

	if (optopt && optopt < 0x100 && strncmp(arg, "--", 2)) {
		snprintf(buf, len, "-%c", optopt);
		return;
	}
	snprintf(buf, len, "%.*s", (int)strcspn(arg, "="), arg);
}

int options_next(int argc, char **argv, const char *shortopts,
		 const struct option *longopts, const char *cmd)
{
	const struct option *o;
	const char *arg;
	int idx = -1, c;
	size_t len;

	c = getopt_long(argc, argv, shortopts, longopts, &idx);
	if (c == -1 || idx < 0)
		return c;	/* the end, a short option, or getopt's error */
	o = &longopts[idx];
	/*
	 * The element getopt just consumed: "--name[=value]", or the one
	 * before its value if optarg is a whole element of its own. getopt
	 * reorders argv only at its next call, so the indexes hold here.
	 */
	arg = argv[optind - 1];
	if (optarg && optarg == arg && optind >= 2)
		arg = argv[optind - 2];
	if (strncmp(arg, "--", 2))
		return c;	/* cannot happen without "-W;" in shortopts */
	len = strcspn(arg + 2, "=");
	if (len == strlen(o->name) && !strncmp(arg + 2, o->name, len))
		return c;
	fail(EXIT_USAGE, "%s%s'%.*s' is short for '--%s'; write options in full",
	     cmd ? cmd : "", cmd ? ": " : "", (int)(len + 2), arg, o->name);
	return OPT_ABBREVIATED;
}

int common_option(const char *cmd, int opt, char **argv, bool *help)
{
	char name[64];

	switch (opt) {
	case OPT_ABBREVIATED:
		return -1;	/* recorded by options_next() */
	case 'j':
		g_opts.json = true;
		return 0;
	case 's':
		g_opts.script = true;
		return 0;
	case 'p':
		g_opts.pretty = true;
		return 0;
	case 'H':
		g_opts.no_header = true;
		return 0;
	case 'n':
		return 0;	/* output is always numeric */
	case 'h':
		*help = true;
		return 0;
	case ':':
		offending(name, sizeof(name), argv);
		return fail(EXIT_USAGE, "%s needs a value", name);
	case '?':
		offending(name, sizeof(name), argv);
		return fail_usage(cmd, "%s%sunknown or ambiguous option '%s'",
				  cmd ? cmd : "", cmd ? ": " : "", name);
	}
	return 1;
}

int no_arguments(const char *cmd, int argc, char **argv)
{
	if (optind < argc)
		return fail(EXIT_USAGE, "%s: unexpected argument '%s'", cmd,
			    argv[optind]);
	return 0;
}

int common_or_filter_option(const char *cmd, struct tw_filter *f, int opt,
			    char **argv, bool *help)
{
	int r = common_option(cmd, opt, argv, help);

	if (r <= 0)
		return r;
	return filter_option(f, opt, optarg);
}

int common_or_filter_check(const char *cmd, const struct tw_filter *f,
			   int argc, char **argv, bool help)
{
	if (help)
		return 0;
	if (no_arguments(cmd, argc, argv) || options_check() || filter_check(f))
		return -1;
	return 0;
}

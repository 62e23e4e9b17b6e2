// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * help.c - the subcommand table and every help text, in one place so the
 * usage lines, `twctl help CMD` and the dispatcher cannot drift apart.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "error.h"

#define OUTPUT_HELP							\
	"\nOutput and help (also accepted before the command):\n"		\
	"  -j, --json               JSON\n"				\
	"  -s, --script             stable tab-separated fields, no header\n" \
	"  -p, --pretty             indented JSON (with -j)\n"		\
	"  -H, --no-header          tables without their header line\n"	\
	"  -n, --numeric            accepted; output is always numeric\n"	\
	"  -h, --help               show this help\n"

const struct command commands[] = {
	{
		"list", cmd_list,
		"[FILTER...] [--sort KEY [--reverse]] [--limit N] [-e] [--count] [--all-netns]",
		"show TIME_WAIT entries with their age, RTO and verdicts",
		FILTER_HELP
		"\nOptions:\n"
		"  --sort KEY               sort by " SORT_KEYS "\n"
		"  --reverse                sort in descending order\n"
		"  --limit N                show at most N entries\n"
		"  -e, --extended           add age, RTO and the verdicts to the table\n"
		"  --count                  print only the number of entries\n"
		"  --all-netns              every network namespace, with a netns column\n"
		"                           (CAP_NET_ADMIN in the initial user namespace)\n"
		OUTPUT_HELP
	},
	{
		"summary", cmd_summary,
		"[--by lport|rport|raddr|dest|netns] [--top N] [--all-netns] [FILTER...]",
		"count entries per port, peer or destination (in the kernel)",
		"\nOptions:\n"
		"  --by KEY                 group by lport, rport, raddr, dest or netns\n"
		"                           (dest = peer address and port, the default,\n"
		"                           with the share of the ephemeral port range)\n"
		"  --top N                  show only the N largest groups\n"
		"  --all-netns              every network namespace\n"
		"                           (CAP_NET_ADMIN in the initial user namespace)\n"
		FILTER_HELP
		OUTPUT_HELP
	},
	{
		"kill", cmd_kill,
		"FILTER... | --all [--dry-run [-e]] [--limit N]",
		"remove matching entries (needs CAP_NET_ADMIN)",
		FILTER_HELP
		"\nOptions:\n"
		"  --all                    allow an empty filter: every entry\n"
		"  --dry-run                show exactly what would be killed\n"
		"  -e, --extended           with --dry-run: the table as list -e\n"
		"  --limit N                kill at most N entries\n"
		OUTPUT_HELP
	},
	{
		"watch", cmd_watch, "",
		"print kills as they happen (needs CAP_NET_ADMIN)",
		OUTPUT_HELP
	},
	{
		"info", cmd_info, "",
		"show the module's state and the related sysctls",
		OUTPUT_HELP
	},
	{
		"stats", cmd_stats,
		"[--window S] [--top N] [--prometheus [-o FILE]]",
		"diagnose port exhaustion: counts, sysctls, rates and advice",
		"\nWithout the module, only the sysctls and TcpExt counters.\n"
		"\nOptions:\n"
		"  --window S               rates over the last S seconds (1-60, default 10)\n"
		"  --top N                  show the N largest destinations and ports (default 10)\n"
		"  --prometheus             node_exporter textfile-collector format\n"
		"  -o, --output FILE        with --prometheus: write FILE atomically\n"
		OUTPUT_HELP
	},
	{
		"version", cmd_version, "",
		"show the versions of this tool and of the module",
		OUTPUT_HELP
	},
	{
		"help", cmd_help, "[COMMAND]",
		"show help for a command",
		""
	},
	{ NULL, NULL, NULL, NULL, NULL }
};

const struct command *command_find(const char *name)
{
	const struct command *c;

	for (c = commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

void command_usage(FILE *f, const struct command *c)
{
	/* The summary is lower case for the command list; a sentence here. */
	fprintf(f, "Usage: twctl [GLOBAL OPTIONS] %s%s%s\n\n%c%s.\n%s",
		c->name, *c->synopsis ? " " : "", c->synopsis,
		toupper((unsigned char)c->summary[0]), c->summary + 1, c->help);
}

void global_usage(FILE *f)
{
	const struct command *c;

	fputs("Usage: twctl [GLOBAL OPTIONS] COMMAND [ARGS...]\n"
	      "Inspect, judge and selectively kill TCP TIME_WAIT entries.\n"
	      "\nCommands:\n", f);
	for (c = commands; c->name; c++)
		fprintf(f, "  %-9s %s\n", c->name, c->summary);
	fputs("\nGlobal options:\n"
	      "  -j, --json               JSON output\n"
	      "  -s, --script             stable tab-separated output for scripts\n"
	      "  -p, --pretty             indented JSON (with -j)\n"
	      "  -H, --no-header          tables without their header line\n"
	      "  -n, --numeric            accepted; output is always numeric\n"
	      "  -N, --netns NAME         act in network namespace NAME\n"
	      "                           (/run/netns/NAME, or a path such as /proc/PID/ns/net)\n"
	      "  -h, --help               show this help\n"
	      "  -V, --version            show the version of this tool\n"
	      "\nRun 'twctl help COMMAND' for the options of a command; see twctl(8).\n",
	      f);
}

int cmd_help(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		global_usage(stdout);
		return 0;
	}
	if (argc > 2)
		return fail(EXIT_USAGE, "help: unexpected argument '%s'",
			    argv[2]);
	c = command_find(argv[1]);
	if (!c)
		return fail_usage("", "help: unknown command '%s'", argv[1]);
	command_usage(stdout, c);
	return 0;
}

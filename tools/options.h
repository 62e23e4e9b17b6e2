/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * options.h - global options and the option handling every subcommand
 * shares (-j, -s, -h and getopt's errors).
 */
#ifndef TWCTL_OPTIONS_H
#define TWCTL_OPTIONS_H

#include <getopt.h>
#include <stdbool.h>

enum output_format {
	OUTPUT_TABLE,
	OUTPUT_JSON,
	OUTPUT_SCRIPT,
};

struct global_opts {
	bool json;
	bool script;
	bool pretty;		/* -p: indented JSON */
	bool no_header;		/* -H: tables without their header line */
	const char *netns;
};

extern struct global_opts g_opts;

/* The output format; only valid after options_check(). */
enum output_format output_format(void);
/* Reject -j together with -s. */
int options_check(void);

/*
 * The output options (-j, -s, -p, -H, -n) and -h may also follow the
 * subcommand, where users of ip and ss type them anyway (`twctl list -j`).
 * -n is accepted for ss's sake and changes nothing: output is always
 * numeric. The leading ':' makes getopt report a missing argument as ':'
 * so we can word the message ourselves.
 */
#define COMMON_SHORTOPTS ":jspHnh"
#define COMMON_LONGOPTS						\
	{ "json", no_argument, NULL, 'j' },			\
	{ "script", no_argument, NULL, 's' },			\
	{ "pretty", no_argument, NULL, 'p' },			\
	{ "no-header", no_argument, NULL, 'H' },		\
	{ "numeric", no_argument, NULL, 'n' },			\
	{ "help", no_argument, NULL, 'h' }

/*
 * getopt_long() that takes long options only as written in full.
 *
 * glibc accepts any unambiguous prefix (`--a` for `--all`); for `kill` a
 * typo must never turn into a destructive flag, and an option that means
 * one thing today may become ambiguous when an option is added, so twctl
 * refuses every abbreviation, in every command and before it. Returns
 * what getopt_long() returns, or OPT_ABBREVIATED with the error recorded
 * (exit 2, one line; common_option() passes it on as -1).
 */
#define OPT_ABBREVIATED 0x7fff
int options_next(int argc, char **argv, const char *shortopts,
		 const struct option *longopts, const char *cmd);

/*
 * Handle a getopt_long() result common to all subcommands. Returns 0 if
 * handled, 1 if it is the command's own, -1 on error (recorded).
 */
int common_option(const char *cmd, int opt, char **argv, bool *help);

struct tw_filter;
/*
 * One getopt_long() result of a subcommand that takes filters: a common
 * option, else a filter option. Returns 0 if it was one of those, 1 if it
 * was neither, -1 on a bad value (message recorded).
 */
int common_or_filter_option(const char *cmd, struct tw_filter *f, int opt,
			    char **argv, bool *help);
/*
 * After the option loop of such a subcommand: no stray arguments, no
 * conflicting options, a filter that can match. 0 if fine (or --help), -1.
 */
int common_or_filter_check(const char *cmd, const struct tw_filter *f,
			   int argc, char **argv, bool help);
/* After getopt: refuse leftover arguments. */
int no_arguments(const char *cmd, int argc, char **argv);
/* Prepare getopt_long() for a fresh argument vector. */
void options_reset(void);

#endif

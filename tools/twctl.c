// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * twctl.c - main(): global options, dispatch to a subcommand, and the one
 * place that turns a recorded error into a message and an exit code.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli-version.h"
#include "commands.h"
#include "error.h"
#include "options.h"

static int parse_global(int argc, char **argv, bool *done)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "script", no_argument, NULL, 's' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "no-header", no_argument, NULL, 'H' },
		{ "numeric", no_argument, NULL, 'n' },
		{ "netns", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	bool help = false;
	int c;

	*done = false;
	options_reset();
	/* '+': stop at the subcommand; its options are its own. */
	while ((c = options_next(argc, argv, "+:jspHnN:hV", longopts,
				  NULL)) != -1) {
		switch (c) {
		case 'N':
			g_opts.netns = optarg;
			break;
		case 'V':
			printf("twctl %s\n", TWCTL_CLI_VERSION);
			*done = true;
			return 0;
		default:
			if (common_option(NULL, c, argv, &help) < 0)
				return -1;
		}
	}
	if (help) {
		global_usage(stdout);
		*done = true;
	}
	return 0;
}

static int report(void)
{
	const char *hint = err_hint();
	const struct command *c;

	fflush(stdout);
	fprintf(stderr, "twctl: %s\n", err_msg());
	if (hint) {
		c = *hint ? command_find(hint) : NULL;
		if (c)
			fprintf(stderr,
				"Usage: twctl [GLOBAL OPTIONS] %s %s\nTry 'twctl help %s' for more information.\n",
				c->name, c->synopsis, c->name);
		else
			global_usage(stderr);
	}
	return err_code();
}

/*
 * Output streams while a dump is read: to a pipe or file in 64 KiB writes
 * (a pipe's default capacity), so that a big listing costs few syscalls; a
 * terminal keeps stdio's line buffering and sees every row at once.
 */
#define STDOUT_BUFSIZE (64 * 1024)

int main(int argc, char **argv)
{
	static char out_buf[STDOUT_BUFSIZE];
	const struct command *cmd;
	bool done;
	int r;

	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, out_buf, _IOFBF, sizeof(out_buf));

	if (parse_global(argc, argv, &done))
		return report();
	if (done)
		return EXIT_OK;
	if (optind >= argc) {
		global_usage(stderr);
		return EXIT_USAGE;
	}
	cmd = command_find(argv[optind]);
	if (!cmd) {
		fail_usage("", "unknown command '%s'", argv[optind]);
		return report();
	}

	r = cmd->run(argc - optind, argv + optind);
	/* A full disk or closed pipe must not pass for success. */
	if (fflush(stdout) || ferror(stdout)) {
		if (r == 0)
			fail(EXIT_FAIL, "cannot write to standard output: %s",
			     strerror(errno ? errno : EIO));
		r = -1;
	}
	return r < 0 ? report() : EXIT_OK;
}

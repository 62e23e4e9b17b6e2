// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main.c - runs every suite of the twctl CLI unit tests.
 * Usage: test-twctl PATH-TO-twctl
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

int t_passed, t_failed, t_skipped;
char t_dir[4096];

void t_check(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("PASS: %s\n", name);
		t_passed++;
		return;
	}
	printf("FAIL: %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	t_failed++;
}

void t_skip(const char *name, const char *why)
{
	printf("SKIP: %s: %s\n", name, why);
	t_skipped++;
}

void t_str(const char *name, const char *got, const char *want)
{
	t_check(got && !strcmp(got, want), name, "got \"%s\", want \"%s\"",
		got ? got : "(null)", want);
}

void t_u64(const char *name, uint64_t got, uint64_t want)
{
	t_check(got == want, name, "got %llu, want %llu",
		(unsigned long long)got, (unsigned long long)want);
}

void t_true(const char *name, bool cond)
{
	t_check(cond, name, "condition is false");
}

void t_contains(const char *name, const char *got, const char *want)
{
	t_check(got && strstr(got, want), name, "\"%s\" does not contain \"%s\"",
		got ? got : "(null)", want);
}

int t_argc(char **argv)
{
	int n = 0;

	while (argv[n])
		n++;
	return n;
}

const char *t_slurp(FILE *f)
{
	static char buf[65536];
	size_t n;

	fflush(f);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	return buf;
}

int main(int argc, char **argv)
{
	const char *twctl = argc > 1 ? argv[1] : "./twctl";

	const char *slash = strrchr(argv[0], '/');

	snprintf(t_dir, sizeof(t_dir), "%.*s", slash ? (int)(slash - argv[0]) : 1,
		 slash ? argv[0] : ".");
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_parse();
	test_format();
	test_json();
	test_filter();
	test_decode();
	test_stats();
	test_cli(twctl);
	test_docs(twctl);

	if (t_skipped)
		printf("%d passed, %d failed, %d skipped\n", t_passed, t_failed,
		       t_skipped);
	else
		printf("%d passed, %d failed\n", t_passed, t_failed);
	return t_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * asan_checks.c - checks that only mean something under AddressSanitizer
 * and UBSan: the tool's code is built with both (and -fno-sanitize-recover,
 * so a finding aborts) against a uapi header from the future whose
 * TWCTL_GROUP_BY_MAX is past the tool's name table (uapi/linux/twctl.h).
 *
 * Prints "ok NAME" or "not ok NAME: why" per check; test_cli.c runs it
 * and turns each line into a PASS or FAIL, and a sanitizer abort into one.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "error.h"

static int failed;

static void check(bool ok, const char *name, const char *why)
{
	printf("%s %s%s%s\n", ok ? "ok" : "not ok", name, ok ? "" : ": ",
	       ok ? "" : why);
	failed |= !ok;
}

/* group_by_parse() must read its own table only, whatever the header says. */
static void group_by_future_header(void)
{
	static const char *const good[] = { "lport", "rport", "raddr", "dest" };
	static const char *const bad[] = { "nosuch", "", "DEST", "dests" };
	unsigned int i, ok = 0;
	uint8_t by;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ok += group_by_parse(good[i], &by) == 0 && by == i;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok += group_by_parse(bad[i], &by) == -1 &&
		      err_code() == EXIT_USAGE;
	check(ok == 8, "group_by with a newer uapi header reads nothing past its names",
	      "a name was misparsed");
}

/* Found by tests/fuzz/cli (fuzz_decode): `list --sort` of an empty dump. */
static void sort_empty_dump(void)
{
	struct entry_out o;
	FILE *null = fopen("/dev/null", "w");

	entries_sort(NULL, 0, SORT_AGE, false);
	entries_sort(NULL, 0, SORT_REMOTE, true);
	if (!null || entry_out_init(&o, null, OUTPUT_JSON, true)) {
		check(false, "an empty dump sorts without qsort(NULL)",
		      "entry output failed");
	} else {
		entry_out_begin(&o);
		entry_out_finish(&o, SORT_REMAINING, false, 3);
		check(!ferror(null), "an empty dump sorts without qsort(NULL)",
		      "entry output failed");
		entry_out_free(&o);
	}
	if (null)
		fclose(null);
}

int main(void)
{
	group_by_future_header();
	sort_empty_dump();
	return failed;
}

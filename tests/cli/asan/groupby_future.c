// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * groupby_future.c - group_by_parse() built with AddressSanitizer against
 * a uapi header whose TWCTL_GROUP_BY_MAX is past the tool's name table
 * (asan/uapi/linux/twctl.h). A loop bounded by the header instead of the
 * table reads past the table's end on an unknown name, and ASan aborts.
 * Prints "ok N" and exits 0 when every name parsed and every unknown one
 * failed without a stray read; test_cli.c runs it and checks that.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "error.h"

int main(void)
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
	printf("ok %u of %zu\n", ok,
	       sizeof(good) / sizeof(good[0]) + sizeof(bad) / sizeof(bad[0]));
	return ok == 8 ? 0 : 1;
}

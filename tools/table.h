/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * table.h - aligned columns for output that is held until it is complete.
 *
 * The summary's groups (at most TWCTL_SUMMARY_GROUPS_MAX of them) are
 * printed only once their dump has completed, so their table can be
 * aligned to the widest cell of each column: rows are kept in memory as
 * their cells' text. Entry listings stream at fixed widths instead (see
 * entry_table_row()).
 */
#ifndef TWCTL_TABLE_H
#define TWCTL_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define TABLE_MAX_COLS 12

struct column {
	const char *header;
	bool right;		/* right-align (numbers, durations) */
};

struct table {
	const struct column *cols;
	unsigned int ncols;
	unsigned int width[TABLE_MAX_COLS];
	unsigned long rows;
	char *text;		/* every cell of every row, each NUL-ended */
	size_t len, cap;
	bool failed;		/* out of memory: table_print() says so */
};

void table_init(struct table *t, const struct column *cols,
		unsigned int ncols);
/* Forget all rows. */
void table_reset(struct table *t);
void table_add(struct table *t, const char *const *cells);
/* Header (unless header is false) and padded rows to out; 0 or -1. */
int table_print(struct table *t, FILE *out, bool header);
void table_free(struct table *t);

#endif

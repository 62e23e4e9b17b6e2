/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * table.h - aligned columns without holding the rows in memory.
 *
 * Rows are spooled as tab-separated cells while only the widest cell of each
 * column is remembered; table_print() then reads the spool back and pads.
 * That gives ss-like alignment for any number of rows at constant memory.
 */
#ifndef TWCTL_TABLE_H
#define TWCTL_TABLE_H

#include <stdbool.h>
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
	FILE *spool;
};

void table_init(struct table *t, const struct column *cols,
		unsigned int ncols, FILE *spool);
/* Forget all rows (after the caller reset the spool). */
void table_reset(struct table *t);
/* Cells must not contain tabs or newlines. */
void table_add(struct table *t, const char *const *cells);
/* Header and padded rows to out. */
int table_print(struct table *t, FILE *out);

#endif

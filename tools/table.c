// SPDX-License-Identifier: GPL-2.0-or-later
/* table.c - aligned columns, rows held in memory (see table.h). */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "table.h"

#define COLUMN_GAP 2

void table_init(struct table *t, const struct column *cols,
		unsigned int ncols)
{
	memset(t, 0, sizeof(*t));
	t->cols = cols;
	t->ncols = ncols < TABLE_MAX_COLS ? ncols : TABLE_MAX_COLS;
	table_reset(t);
}

void table_reset(struct table *t)
{
	unsigned int i;

	for (i = 0; i < t->ncols; i++)
		t->width[i] = strlen(t->cols[i].header);
	t->rows = 0;
	t->len = 0;
	t->failed = false;
}

static bool table_room(struct table *t, size_t n)
{
	size_t cap = t->cap ? t->cap : 4096;
	char *text;

	if (t->len + n <= t->cap)
		return true;
	while (cap < t->len + n)
		cap *= 2;
	text = realloc(t->text, cap);
	if (!text)
		return false;
	t->text = text;
	t->cap = cap;
	return true;
}

void table_add(struct table *t, const char *const *cells)
{
	unsigned int i;

	for (i = 0; i < t->ncols && !t->failed; i++) {
		size_t w = strlen(cells[i]);

		if (w > t->width[i])
			t->width[i] = w;
		if (!table_room(t, w + 1)) {
			t->failed = true;
			break;
		}
		memcpy(t->text + t->len, cells[i], w + 1);
		t->len += w + 1;
	}
	t->rows++;
}

static void print_row(const struct table *t, FILE *out,
		      const char *const *cells)
{
	unsigned int i;

	for (i = 0; i < t->ncols; i++) {
		int w = t->width[i];
		bool last = i + 1 == t->ncols;

		if (i)
			fprintf(out, "%*s", COLUMN_GAP, "");
		if (t->cols[i].right)
			fprintf(out, "%*s", w, cells[i]);
		else if (last)
			fputs(cells[i], out);	/* no trailing blanks */
		else
			fprintf(out, "%-*s", w, cells[i]);
	}
	fputc('\n', out);
}

int table_print(struct table *t, FILE *out, bool header)
{
	const char *cells[TABLE_MAX_COLS];
	size_t off = 0;
	unsigned int i;

	if (t->failed)
		return fail(EXIT_FAIL, "out of memory holding %lu table rows",
			    t->rows);
	if (header) {
		for (i = 0; i < t->ncols; i++)
			cells[i] = t->cols[i].header;
		print_row(t, out, cells);
	}
	while (off < t->len) {
		for (i = 0; i < t->ncols; i++) {
			cells[i] = t->text + off;
			off += strlen(cells[i]) + 1;
		}
		print_row(t, out, cells);
	}
	return 0;
}

void table_free(struct table *t)
{
	free(t->text);
	t->text = NULL;
	t->len = t->cap = 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* table.c - aligned columns at constant memory (see table.h). */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "spool.h"
#include "table.h"

#define COLUMN_GAP 2

void table_init(struct table *t, const struct column *cols,
		unsigned int ncols, FILE *spool)
{
	t->cols = cols;
	t->ncols = ncols < TABLE_MAX_COLS ? ncols : TABLE_MAX_COLS;
	t->spool = spool;
	table_reset(t);
}

void table_reset(struct table *t)
{
	unsigned int i;

	for (i = 0; i < t->ncols; i++)
		t->width[i] = strlen(t->cols[i].header);
	t->rows = 0;
}

void table_add(struct table *t, const char *const *cells)
{
	unsigned int i;

	for (i = 0; i < t->ncols; i++) {
		size_t w = strlen(cells[i]);

		if (w > t->width[i])
			t->width[i] = w;
		fputs(cells[i], t->spool);
		fputc(i + 1 < t->ncols ? '\t' : '\n', t->spool);
	}
	t->rows++;
}

static void print_row(const struct table *t, FILE *out, char **cells)
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

int table_print(struct table *t, FILE *out)
{
	char *cells[TABLE_MAX_COLS];
	char *line = NULL;
	size_t cap = 0;
	unsigned int i;
	ssize_t n;

	for (i = 0; i < t->ncols; i++)
		cells[i] = (char *)t->cols[i].header;
	print_row(t, out, cells);

	if (spool_rewind(t->spool))
		return -1;
	while ((n = getline(&line, &cap, t->spool)) > 0) {
		char *p = line;

		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		for (i = 0; i < t->ncols; i++) {
			cells[i] = p ? strsep(&p, "\t") : NULL;
			if (!cells[i])
				cells[i] = "";
		}
		print_row(t, out, cells);
	}
	free(line);
	if (ferror(t->spool))
		return fail(EXIT_FAIL, "cannot read the temporary file");
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spool.h - hold the output of one dump attempt in an anonymous file.
 *
 * A dump flagged NLM_F_DUMP_INTR must be redone from the start, but entries
 * are formatted as they stream in so that memory stays flat. Formatting into
 * an unlinked temporary file instead of stdout lets a retry throw the
 * attempt away, and guarantees that an error never leaves half a JSON
 * document on stdout.
 */
#ifndef TWCTL_SPOOL_H
#define TWCTL_SPOOL_H

#include <stdio.h>

FILE *spool_open(void);
/* Discard everything written so far. */
int spool_reset(FILE *spool);
/* Check the spool for write errors and rewind it for reading. */
int spool_rewind(FILE *spool);
/* Copy the whole spool to out. */
int spool_copy(FILE *spool, FILE *out);

#endif

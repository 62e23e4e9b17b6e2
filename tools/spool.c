// SPDX-License-Identifier: GPL-2.0-or-later
/* spool.c - anonymous temporary files for dump output (see spool.h). */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "error.h"
#include "spool.h"

FILE *spool_open(void)
{
	FILE *f = tmpfile();
	int fd;

	if (f)
		return f;
	/* No writable /tmp (read-only root, tight sandbox): keep it in RAM. */
	fd = memfd_create("twctl-spool", MFD_CLOEXEC);
	if (fd >= 0) {
		f = fdopen(fd, "w+");
		if (f)
			return f;
		close(fd);
	}
	fail(EXIT_FAIL, "cannot create a temporary file: %s", strerror(errno));
	return NULL;
}

int spool_reset(FILE *spool)
{
	/* rewind() flushes, so no stale buffered bytes land after truncation. */
	rewind(spool);
	if (ftruncate(fileno(spool), 0) < 0)
		return fail(EXIT_FAIL, "cannot truncate the temporary file: %s",
			    strerror(errno));
	clearerr(spool);
	return 0;
}

int spool_rewind(FILE *spool)
{
	if (fflush(spool) || ferror(spool))
		return fail(EXIT_FAIL, "cannot write the temporary file: %s",
			    strerror(errno ? errno : EIO));
	rewind(spool);
	return 0;
}

int spool_copy(FILE *spool, FILE *out)
{
	char buf[8192];
	size_t n;

	if (spool_rewind(spool))
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), spool)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			break;
	if (ferror(spool))
		return fail(EXIT_FAIL, "cannot read the temporary file: %s",
			    strerror(errno));
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz.h - what the CLI fuzz targets share. */
#ifndef TWCTL_FUZZ_H
#define TWCTL_FUZZ_H

#include <stdio.h>
#include <stdlib.h>

/* A property broke: say which and abort, so libFuzzer keeps the input. */
#define FUZZ_FAIL(...)							\
	do {								\
		fprintf(stderr, "twctl fuzz: %s:%d: ", __FILE__, __LINE__); \
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		abort();						\
	} while (0)

/* An error message is one line of printable text: it goes to a terminal. */
static inline void fuzz_check_message(const char *msg)
{
	const unsigned char *p;

	if (!msg || !*msg)
		FUZZ_FAIL("empty error message");
	for (p = (const unsigned char *)msg; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			FUZZ_FAIL("error message with control byte %#x: \"%s\"",
				  *p, msg);
}

#endif

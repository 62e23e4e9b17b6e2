// SPDX-License-Identifier: GPL-2.0-or-later
/* error.c - record the single error message of a run (see error.h). */
#include <stdarg.h>
#include <stdio.h>

#include "error.h"

static char msg[512];
static int code;
static const char *hint;

/*
 * Messages quote what the user typed and what the kernel said; a newline
 * in either would make the one-line error two, and an escape sequence
 * would reach the terminal. Control bytes become '?'.
 */
static void one_line(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static int vrecord(int c, const char *h, const char *fmt, va_list ap)
{
	vsnprintf(msg, sizeof(msg), fmt, ap);
	one_line(msg);
	code = c;
	hint = h;
	return -1;
}

int fail(int c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vrecord(c, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

int fail_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vrecord(EXIT_USAGE, cmd ? cmd : "", fmt, ap);
	va_end(ap);
	return -1;
}

const char *err_msg(void)
{
	return msg[0] ? msg : "unknown error";
}

int err_code(void)
{
	return code ? code : EXIT_FAIL;
}

const char *err_hint(void)
{
	return hint;
}

void err_clear(void)
{
	msg[0] = '\0';
	code = 0;
	hint = NULL;
}

void twarn(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	one_line(line);
	fflush(stdout);
	fprintf(stderr, "twctl: warning: %s\n", line);
}

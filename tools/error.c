// SPDX-License-Identifier: GPL-2.0-or-later
/* error.c - record the single error message of a run (see error.h). */
#include <stdarg.h>
#include <stdio.h>

#include "error.h"

static char msg[512];
static int code;
static const char *hint;

static int vrecord(int c, const char *h, const char *fmt, va_list ap)
{
	vsnprintf(msg, sizeof(msg), fmt, ap);
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
	va_list ap;

	fflush(stdout);
	fputs("twctl: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

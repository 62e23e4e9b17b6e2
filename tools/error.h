/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * error.h - one error message per run, printed by main().
 *
 * Every failure is recorded with fail() and travels up as a -1 return value,
 * so that main() prints exactly one "twctl: ..." line and picks the exit
 * code. Keeping the text instead of printing it at once lets the unit tests
 * check it, and guarantees a bad argument never produces two lines.
 */
#ifndef TWCTL_ERROR_H
#define TWCTL_ERROR_H

enum twctl_exit {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		/* runtime or kernel error */
	EXIT_USAGE = 2,		/* bad command line; nothing was sent */
};

/* Record an error; always returns -1 so callers can "return fail(...)". */
int fail(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Like fail(EXIT_USAGE, ...), and ask main() to add a usage hint for cmd. */
int fail_usage(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

const char *err_msg(void);
int err_code(void);
/* The command whose usage should follow the message, or NULL. */
const char *err_hint(void);
void err_clear(void);

/* Print "twctl: warning: ..." on stderr at once; warnings never fail a run. */
void twarn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

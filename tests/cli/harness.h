/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * harness.h - the smallest test harness that does the job: every check
 * prints "PASS: name" or "FAIL: name: reason", main() ends with
 * "N passed, N failed" and exits non-zero if anything failed.
 */
#ifndef TWCTL_TEST_HARNESS_H
#define TWCTL_TEST_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

extern int t_passed, t_failed, t_skipped;

void t_check(bool ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void t_skip(const char *name, const char *why);
void t_str(const char *name, const char *got, const char *want);
void t_u64(const char *name, uint64_t got, uint64_t want);
void t_true(const char *name, bool cond);
/* got must contain want. */
void t_contains(const char *name, const char *got, const char *want);

/* A writable, NULL-terminated argument vector and its count. */
#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })
int t_argc(char **argv);

/* The directory of the test binary, where its helper programs are. */
extern char t_dir[4096];

/* Read a whole FILE (from its start) into a static buffer. */
const char *t_slurp(FILE *f);

/* The suites. */
void test_parse(void);
void test_format(void);
void test_json(void);
void test_filter(void);
void test_decode(void);
void test_cli(const char *twctl);
void test_docs(const char *twctl);
void test_stats(void);

#endif

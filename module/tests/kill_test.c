// SPDX-License-Identifier: GPL-2.0
/* KUnit suite twctl_kill: which entries a kill selects, limit and dry run. */
#include <kunit/test.h>

#include "helpers.h"

static void twctl_kill_limit_stops_after_n(struct kunit *test)
{
	struct twctl_filter f;
	struct twctl_kill_ctx k = { .filter = &f, .limit = 2 };
	struct twctl_entry e;

	twctl_filter_init(&f);
	f.rport_min = 80;
	f.rport_max = 80;
	twctl_test_entry(&e, "127.0.0.1", 1, "127.0.0.1", 80);

	KUNIT_EXPECT_EQ(test, twctl_kill_decide(&k, &e), TWCTL_KILL_DO);
	e.rport = 81;
	KUNIT_EXPECT_EQ(test, twctl_kill_decide(&k, &e), TWCTL_KILL_SKIP);
	e.rport = 80;
	KUNIT_EXPECT_EQ(test, twctl_kill_decide(&k, &e), TWCTL_KILL_DO);
	KUNIT_EXPECT_EQ(test, twctl_kill_decide(&k, &e), TWCTL_KILL_DONE);
	/* Skipped entries are not counted as matched. */
	KUNIT_EXPECT_EQ(test, k.matched, 2U);
	KUNIT_EXPECT_EQ(test, k.killed, 0U);
}

static void twctl_kill_dry_run_only_counts(struct kunit *test)
{
	struct twctl_filter f;
	struct twctl_kill_ctx k = { .filter = &f, .limit = U32_MAX,
				    .dry_run = true };
	struct twctl_entry e;
	unsigned int i;

	twctl_filter_init(&f);
	twctl_test_entry(&e, "fd00::1", 1, "fd00::2", 80);
	for (i = 0; i < 100; i++)
		KUNIT_EXPECT_EQ(test, twctl_kill_decide(&k, &e),
				TWCTL_KILL_COUNT);
	KUNIT_EXPECT_EQ(test, k.matched, 100U);
}

static void twctl_kill_limit_one_with_dry_run(struct kunit *test)
{
	struct twctl_filter f;
	struct twctl_kill_ctx k = { .filter = &f, .limit = 1, .dry_run = true };
	struct twctl_entry e;

	twctl_filter_init(&f);
	twctl_test_entry(&e, "127.0.0.1", 1, "127.0.0.1", 80);
	KUNIT_EXPECT_EQ(test, twctl_kill_decide(&k, &e), TWCTL_KILL_COUNT);
	KUNIT_EXPECT_EQ(test, twctl_kill_decide(&k, &e), TWCTL_KILL_DONE);
	KUNIT_EXPECT_EQ(test, k.matched, 1U);
}

/* A filter that selects nothing kills nothing, however many entries pass. */
static void twctl_kill_nothing_selected(struct kunit *test)
{
	struct twctl_filter f;
	struct twctl_kill_ctx k = { .filter = &f, .limit = U32_MAX };
	struct twctl_entry e;
	unsigned int i;

	twctl_filter_init(&f);
	f.has_cookie = true;
	f.cookie = 12345;
	twctl_test_entry(&e, "127.0.0.1", 1, "127.0.0.1", 80);
	for (i = 0; i < 1000; i++) {
		e.cookie = i;
		KUNIT_EXPECT_EQ(test, twctl_kill_decide(&k, &e), TWCTL_KILL_SKIP);
	}
	e.cookie = 12345;
	KUNIT_EXPECT_EQ(test, twctl_kill_decide(&k, &e), TWCTL_KILL_DO);
	KUNIT_EXPECT_EQ(test, k.matched, 1U);
}

static struct kunit_case twctl_kill_cases[] = {
	KUNIT_CASE(twctl_kill_limit_stops_after_n),
	KUNIT_CASE(twctl_kill_dry_run_only_counts),
	KUNIT_CASE(twctl_kill_limit_one_with_dry_run),
	KUNIT_CASE(twctl_kill_nothing_selected),
	{}
};

static struct kunit_suite twctl_kill_suite = {
	.name = "twctl_kill",
	.test_cases = twctl_kill_cases,
};

kunit_test_suite(twctl_kill_suite);

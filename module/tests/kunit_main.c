// SPDX-License-Identifier: GPL-2.0
/*
 * twctl_kunit.ko: KUnit suites for the internals of twctl.ko, which exports
 * them in the TWCTL_INTERNAL namespace on kernels built with KUnit only.
 */
#include <linux/module.h>

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for twctl");
MODULE_IMPORT_NS(TWCTL_TESTS_NS);

// SPDX-License-Identifier: GPL-2.0
/*
 * twctl: inspect, judge and selectively kill TCP TIME_WAIT entries.
 */
#include <linux/module.h>

#include "twctl.h"
#include "version.h"

static int __init twctl_init(void)
{
	int err;

	err = twctl_capture_init();
	if (err)
		return err;
	err = twctl_genl_init();
	if (err)
		goto capture;
	twctl_debugfs_init();
	pr_info("twctl %s loaded\n", TWCTL_VERSION);
	return 0;
capture:
	twctl_capture_exit();
	return err;
}

static void __exit twctl_exit(void)
{
	twctl_debugfs_exit();
	twctl_genl_exit();
	twctl_capture_exit();
}

module_init(twctl_init);
module_exit(twctl_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Inspect, judge and selectively kill TCP TIME_WAIT entries");
MODULE_AUTHOR("twctl developers");
MODULE_VERSION(TWCTL_VERSION);
MODULE_ALIAS_GENL_FAMILY(TWCTL_GENL_NAME);

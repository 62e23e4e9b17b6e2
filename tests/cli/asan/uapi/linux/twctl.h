/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A "newer" uapi header for the groupby-future test: the real one, with
 * TWCTL_GROUP_BY_MAX raised as if a module release had added groupings this
 * tool has no name for. The tool must still read only its own name table.
 */
#include_next <linux/twctl.h>

#undef TWCTL_GROUP_BY_MAX
#define TWCTL_GROUP_BY_MAX (__TWCTL_GROUP_BY_MAX - 1 + 4)

// SPDX-License-Identifier: GPL-2.0
/* Module-wide counters, for humans reading debugfs "stats". */
#include <linux/atomic.h>
#include <linux/seq_file.h>

#include "twctl.h"

static atomic64_t twctl_stats[TWCTL_STAT_MAX];

static const char * const twctl_stat_names[TWCTL_STAT_MAX] = {
	[TWCTL_STAT_DUMPS] = "dumps",
	[TWCTL_STAT_DUMPED] = "entries_dumped",
	[TWCTL_STAT_SUMMARIES] = "summaries",
	[TWCTL_STAT_KILL_OPS] = "kill_ops",
	[TWCTL_STAT_KILL_MATCHED] = "kill_matched",
	[TWCTL_STAT_KILLED] = "killed",
	[TWCTL_STAT_CAPTURED] = "capture_recorded",
	[TWCTL_STAT_CAPTURE_DROPS] = "capture_drops",
	[TWCTL_STAT_CAPTURE_FREED] = "capture_freed",
	[TWCTL_STAT_CAPTURE_HITS] = "capture_hits",
	[TWCTL_STAT_CAPTURE_MISSES] = "capture_misses",
	[TWCTL_STAT_EVENT_DROPS] = "events_dropped",
	[TWCTL_STAT_CAPTURE_OVERFLOWS] = "capture_overflows",
};

void twctl_stat_add(enum twctl_stat s, u64 n)
{
	atomic64_add(n, &twctl_stats[s]);
}

void twctl_stats_show(struct seq_file *m)
{
	int i;

	for (i = 0; i < TWCTL_STAT_MAX; i++)
		seq_printf(m, "%s %lld\n", twctl_stat_names[i],
			   atomic64_read(&twctl_stats[i]));
}

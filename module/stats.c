// SPDX-License-Identifier: GPL-2.0
/*
 * Module-wide counters, for humans reading debugfs "stats". Per CPU: they
 * are bumped on the close path (the capture probe) and once per dumped
 * entry, where a shared atomic would bounce its cache line between CPUs.
 * A reader sums them, so a figure read while counting goes on may be off
 * by what is counted meanwhile.
 */
#include <linux/percpu.h>
#include <linux/seq_file.h>

#include "twctl.h"

struct twctl_stats_cpu {
	u64 v[TWCTL_STAT_MAX];
};

static DEFINE_PER_CPU(struct twctl_stats_cpu, twctl_stats);

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

/* Any context but NMI; this_cpu_add() is safe against interrupts. */
void twctl_stat_add(enum twctl_stat s, u64 n)
{
	this_cpu_add(twctl_stats.v[s], n);
}

u64 twctl_stat_read(enum twctl_stat s)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(twctl_stats, cpu).v[s];
	return sum;
}

void twctl_stats_show(struct seq_file *m)
{
	int i;

	for (i = 0; i < TWCTL_STAT_MAX; i++)
		seq_printf(m, "%s %llu\n", twctl_stat_names[i],
			   twctl_stat_read(i));
}

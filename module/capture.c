// SPDX-License-Identifier: GPL-2.0
/*
 * Capture of RTO, SRTT and entry time when a socket enters TIME_WAIT.
 * Placeholder until the capture store lands: nothing is recorded, so every
 * entry reports its age from the timer and an assumed RTO.
 */
#include <linux/moduleparam.h>
#include <linux/seq_file.h>

#include "twctl.h"

unsigned int twctl_capture_max;

int twctl_capture_init(void)
{
	return 0;
}

void twctl_capture_exit(void)
{
}

bool twctl_capture_active(void)
{
	return false;
}

bool twctl_capture_lookup(u64 cookie, struct twctl_capture *out)
{
	return false;
}

void twctl_capture_forget(u64 cookie)
{
}

void twctl_capture_show(struct seq_file *m)
{
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * netns_names.h - the name of a network namespace, given its inode.
 *
 * --all-netns entries carry their netns as an inode number. A namespace
 * that `ip netns add` created is bind-mounted at /run/netns/NAME, whose
 * st_ino is that number: each of those is stat()ed once, on first use,
 * and the name shown; any other netns is shown as net:[INODE], as
 * readlink /proc/PID/ns/net prints it.
 */
#ifndef TWCTL_NETNS_NAMES_H
#define TWCTL_NETNS_NAMES_H

#include <stddef.h>
#include <stdint.h>

#define NETNS_NAME_LEN 256	/* a file name, or "net:[4294967295]" */

/* The name of netns ino, in buf (NETNS_NAME_LEN bytes); returns buf. */
const char *netns_name(uint32_t ino, char *buf);
/* Forget what was read (the unit tests point it at another directory). */
void netns_names_reset(const char *dir);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netns.h - switch network namespace the way `ip netns exec` does. */
#ifndef TWCTL_NETNS_H
#define TWCTL_NETNS_H

#define NETNS_RUN_DIR "/run/netns"

/*
 * Enter network namespace name: /run/netns/NAME for a plain name, or the
 * path itself if it contains a '/' (e.g. /proc/PID/ns/net).
 */
int netns_enter(const char *name);

#endif

// SPDX-License-Identifier: GPL-2.0-or-later
/* netns.c - enter a named or given network namespace (see netns.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "netns.h"

int netns_enter(const char *name)
{
	char path[PATH_MAX];
	int fd;

	if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
		return fail(EXIT_USAGE, "--netns: '%s' is not a namespace name",
			    name);
	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else if (snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", name) >=
		 (int)sizeof(path))
		return fail(EXIT_USAGE, "--netns: name too long");

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && !strchr(name, '/'))
			return fail(EXIT_FAIL,
				    "network namespace '%s' does not exist (no %s; see 'ip netns list')",
				    name, path);
		return fail(EXIT_FAIL, "cannot open network namespace %s: %s",
			    path, strerror(errno));
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		int e = errno;

		close(fd);
		if (e == EINVAL)
			return fail(EXIT_FAIL, "%s is not a network namespace",
				    path);
		return fail(EXIT_FAIL, "cannot enter network namespace %s: %s",
			    path, strerror(e));
	}
	close(fd);
	return 0;
}

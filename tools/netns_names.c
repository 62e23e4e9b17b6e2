// SPDX-License-Identifier: GPL-2.0-or-later
/* netns_names.c - netns inode to /run/netns name (see netns_names.h). */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "netns.h"
#include "netns_names.h"

struct named_netns {
	uint32_t ino;
	char *name;
};

static struct named_netns *names;
static size_t nnames;
static bool loaded;
static const char *names_dir = NETNS_RUN_DIR;

void netns_names_reset(const char *dir)
{
	size_t i;

	for (i = 0; i < nnames; i++)
		free(names[i].name);
	free(names);
	names = NULL;
	nnames = 0;
	loaded = false;
	names_dir = dir ? dir : NETNS_RUN_DIR;
}

/* Best effort: no directory, or an entry we cannot stat, is no name. */
static void load(void)
{
	char path[4096];
	struct dirent *d;
	struct stat st;
	DIR *dir;

	loaded = true;
	dir = opendir(names_dir);
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		struct named_netns *v;

		if (d->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", names_dir,
			     d->d_name) >= (int)sizeof(path) ||
		    stat(path, &st))
			continue;
		v = realloc(names, (nnames + 1) * sizeof(*names));
		if (!v)
			break;
		names = v;
		names[nnames].ino = st.st_ino;
		names[nnames].name = strdup(d->d_name);
		if (names[nnames].name)
			nnames++;
	}
	closedir(dir);
}

const char *netns_name(uint32_t ino, char *buf)
{
	size_t i;

	if (!loaded)
		load();
	/* The first of several names for one netns, in directory order. */
	for (i = 0; i < nnames; i++) {
		if (names[i].ino == ino) {
			snprintf(buf, NETNS_NAME_LEN, "%s", names[i].name);
			return buf;
		}
	}
	snprintf(buf, NETNS_NAME_LEN, "net:[%u]", ino);
	return buf;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * commands.h - the subcommands. Each cmd_*() parses its arguments
 * completely before anything is sent to the kernel, and returns 0 or -1
 * with the error recorded (see error.h). The *_parse() functions are
 * separate so the unit tests can check argument handling offline.
 */
#ifndef TWCTL_COMMANDS_H
#define TWCTL_COMMANDS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "entry.h"
#include "filter.h"
#include "json.h"
#include "netns_names.h"
#include "options.h"
#include "table.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *synopsis;	/* the arguments after the name */
	const char *summary;	/* one line for `twctl help` */
	const char *help;	/* the options, for `twctl help CMD` */
};

extern const struct command commands[];
const struct command *command_find(const char *name);
void command_usage(FILE *f, const struct command *c);
void global_usage(FILE *f);

int cmd_list(int argc, char **argv);
int cmd_summary(int argc, char **argv);
int cmd_kill(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_help(int argc, char **argv);

/* --- list ------------------------------------------------------------- */

struct list_opts {
	struct tw_filter filter;
	uint32_t limit;		/* 0: no limit */
	enum sort_key sort;
	bool reverse;
	bool extended;		/* -e: the columns that need the extras */
	bool count;		/* --count: just the number of entries */
	bool all_netns;		/* --all-netns: every netns, netns column */
	bool help;
};

int list_parse(int argc, char **argv, struct list_opts *o);
/* The attributes of the GET_ENTRIES request: filter and, unsorted, limit. */
void list_put_request(struct nlmsghdr *req, const struct list_opts *o);
/* The extras (TWCTL_ENTRY_EXT_*) an output shows: none for the table. */
uint32_t entry_ext_wanted(enum output_format fmt, bool extended,
			  bool count_only);
/* TWCTL_A_ENTRY_EXT (if ext) and TWCTL_A_ALL_NETNS (if all_netns). */
void entry_put_request(struct nlmsghdr *req, uint32_t ext, bool all_netns);

/*
 * A dump of entries written to f as it streams in, or with --sort kept
 * as decoded entries and written sorted when the dump is complete.
 * kill --dry-run uses it too, so that it shows exactly what list shows.
 * entry_out_init() takes -H and -p from g_opts; set extended and
 * count_only after it.
 */
struct entry_out {
	FILE *f;
	enum output_format fmt;
	struct json json;
	unsigned long count;	/* entries written (or counted) */
	bool collect;
	bool header;		/* the table's header line */
	bool extended;		/* the table's extras columns */
	bool count_only;	/* count, write nothing */
	bool started;		/* header or '[' written */
	bool all_netns;		/* show each entry's netns */
	bool netns_known;	/* netns_name holds netns_ino's name */
	uint32_t netns_ino;
	char netns_name[NETNS_NAME_LEN];
	struct tw_entry *v;
	size_t n, cap;
};

int entry_out_init(struct entry_out *o, FILE *f, enum output_format fmt,
		   bool collect);
/*
 * Start a dump's output: the table header or the opening of the JSON
 * array follow with the first entry (or in entry_out_finish()), so that a
 * dump refused before any entry prints nothing.
 */
void entry_out_begin(struct entry_out *o);
int entry_out_msg(const struct nlmsghdr *nlh, void *o);	/* nl_msg_cb */
/* Sort and write collected entries (limit 0: all), close the JSON array. */
void entry_out_finish(struct entry_out *o, enum sort_key key, bool reverse,
		      uint32_t limit);
void entry_out_free(struct entry_out *o);

/* --- summary ---------------------------------------------------------- */

struct summary_opts {
	struct tw_filter filter;
	uint8_t group_by;	/* enum twctl_group_by */
	uint32_t top;		/* 0: all groups */
	bool all_netns;		/* --all-netns: every netns */
	bool help;
};

int summary_parse(int argc, char **argv, struct summary_opts *o);
/* A --by name to enum twctl_group_by; -1 (recorded) if unknown. */
int group_by_parse(const char *s, uint8_t *by);
void summary_put_request(struct nlmsghdr *req, const struct summary_opts *o);

struct tw_group {
	uint32_t present;	/* 1U << TWCTL_GROUP_A_* */
	uint8_t family;
	uint8_t raddr[16];
	uint16_t lport, rport;
	uint32_t count, max_age_ms, min_remaining_ms, eligible;
	uint32_t ephemeral, ephemeral_range;
	uint32_t netns;		/* NETNS groups: the netns inode */
};

#define GROUP_HAS(g, attr) (((g)->present >> (attr)) & 1U)

int group_parse_msg(const struct nlmsghdr *nlh, struct tw_group *g);

/*
 * A summary dump, held in memory (groups are few: the kernel caps them)
 * until it completes, so that an interrupted dump can be re-run and the
 * table aligned; group_out_print() writes it.
 */
struct group_out {
	enum output_format fmt;
	uint8_t group_by;
	struct table table;
	struct tw_group *v;
	unsigned long count, cap;
};

int group_out_init(struct group_out *o, enum output_format fmt,
		   uint8_t group_by);
int group_out_reset(void *o);
int group_out_msg(const struct nlmsghdr *nlh, void *o);
int group_out_print(struct group_out *o, FILE *out);
void group_out_free(struct group_out *o);

/* --- kill ------------------------------------------------------------- */

struct kill_opts {
	struct tw_filter filter;
	uint32_t limit;
	bool all;
	bool dry_run;
	bool extended;		/* -e: --dry-run's table as list -e */
	bool help;
};

int kill_parse(int argc, char **argv, struct kill_opts *o);
/* Filter and limit; the same for KILL and for the --dry-run dump. */
void kill_put_request(struct nlmsghdr *req, const struct kill_opts *o);
struct nl;
/*
 * The request cmd_kill() sends, in nl->req: TWCTL_CMD_KILL, or with
 * --dry-run the GET_ENTRIES dump of the same filter and limit (never
 * TWCTL_A_DRY_RUN: that would give a count, not the entries).
 */
struct nlmsghdr *kill_request(struct nl *nl, const struct kill_opts *o);

/* --- watch ------------------------------------------------------------ */

struct tw_event {
	uint32_t present;	/* 1U << TWCTL_A_* */
	uint32_t pid, uid, netns, matched, killed, limit;
	char comm[64];
	struct tw_filter filter;
};

int event_parse_msg(const struct nlmsghdr *nlh, struct tw_event *ev);
/* when_ms: wall-clock time of arrival, milliseconds since the epoch. */
void event_print(FILE *f, enum output_format fmt, const struct tw_event *ev,
		 uint64_t when_ms);

/* --- info/version ----------------------------------------------------- */

struct tw_info {
	uint32_t present;	/* 1U << TWCTL_A_* */
	char version[64];
	uint32_t tw_count;
	uint16_t port_lo, port_hi;
	uint8_t tw_reuse;
	uint32_t tw_reuse_delay_ms;
	uint8_t capture_active;
};

int info_parse_msg(const struct nlmsghdr *nlh, struct tw_info *info);

#endif

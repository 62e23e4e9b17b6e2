// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * list.c - `twctl list`: dump entries and print them once the dump is done.
 *
 * Without --sort nothing but the current message is held in memory:
 * entries are formatted as they stream in, into a spool (see spool.h) whose
 * contents reach stdout only once the dump has completed without error.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "error.h"
#include "netlink.h"
#include "spool.h"

enum {
	OPT_SORT = OPT_FILTER_LAST,
	OPT_REVERSE,
	OPT_LIMIT,
};

int list_parse(int argc, char **argv, struct list_opts *o)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		FILTER_LONGOPTS,
		{ "sort", required_argument, NULL, OPT_SORT },
		{ "reverse", no_argument, NULL, OPT_REVERSE },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ NULL, 0, NULL, 0 }
	};
	int c, r;

	memset(o, 0, sizeof(*o));
	options_reset();
	while ((c = options_next(argc, argv,
				 COMMON_SHORTOPTS FILTER_SHORTOPTS,
				 longopts, "list")) != -1) {
		r = common_or_filter_option("list", &o->filter, c, argv,
					    &o->help);
		if (r < 0)
			return -1;
		if (r == 0)
			continue;
		switch (c) {
		case OPT_SORT:
			if (sort_key_parse(optarg, &o->sort))
				return -1;
			break;
		case OPT_REVERSE:
			o->reverse = true;
			break;
		case OPT_LIMIT:
			if (parse_count("--limit", optarg, 1, TWCTL_LIMIT_MAX,
					&o->limit))
				return -1;
			break;
		}
	}
	if (common_or_filter_check("list", &o->filter, argc, argv, o->help))
		return -1;
	if (o->help)
		return 0;
	if (o->reverse && o->sort == SORT_NONE)
		return fail(EXIT_USAGE, "--reverse needs --sort");
	return 0;
}

/* --- entry output ----------------------------------------------------- */

int entry_out_init(struct entry_out *o, enum output_format fmt, bool collect)
{
	memset(o, 0, sizeof(*o));
	o->fmt = fmt;
	o->collect = collect;
	o->spool = spool_open();
	if (!o->spool)
		return -1;
	table_init(&o->table, entry_columns, ENTRY_NCOLS, o->spool);
	json_init(&o->json, o->spool);
	return 0;
}

int entry_out_reset(void *data)
{
	struct entry_out *o = data;

	o->count = 0;
	o->n = 0;
	if (spool_reset(o->spool))
		return -1;
	table_reset(&o->table);
	json_init(&o->json, o->spool);
	if (o->fmt == OUTPUT_JSON)
		json_open_array(&o->json, NULL);
	return 0;
}

static void entry_out_write(struct entry_out *o, const struct tw_entry *e)
{
	switch (o->fmt) {
	case OUTPUT_TABLE:
		entry_table_add(&o->table, e);
		break;
	case OUTPUT_JSON:
		entry_json(&o->json, e);
		break;
	case OUTPUT_SCRIPT:
		entry_script(o->spool, e);
		break;
	}
	o->count++;
}

int entry_out_msg(const struct nlmsghdr *nlh, void *data)
{
	struct entry_out *o = data;
	struct tw_entry e;

	if (entry_parse_msg(nlh, &e))
		return -1;
	if (!o->collect) {
		entry_out_write(o, &e);
		return 0;
	}
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 256;
		struct tw_entry *v = realloc(o->v, cap * sizeof(*v));

		if (!v)
			return fail(EXIT_FAIL, "out of memory sorting %zu entries",
				    o->n);
		o->v = v;
		o->cap = cap;
	}
	o->v[o->n++] = e;
	return 0;
}

int entry_out_finish(struct entry_out *o, enum sort_key key, bool reverse,
		     uint32_t limit)
{
	size_t i, n = o->n;

	if (o->collect) {
		entries_sort(o->v, o->n, key, reverse);
		if (limit && n > limit)
			n = limit;
		for (i = 0; i < n; i++)
			entry_out_write(o, &o->v[i]);
	}
	if (o->fmt == OUTPUT_JSON)
		json_close_array(&o->json);
	return spool_rewind(o->spool);
}

int entry_out_print(struct entry_out *o, FILE *out)
{
	if (o->fmt == OUTPUT_TABLE)
		return table_print(&o->table, out);
	return spool_copy(o->spool, out);
}

void entry_out_free(struct entry_out *o)
{
	if (o->spool)
		fclose(o->spool);
	free(o->v);
	o->spool = NULL;
	o->v = NULL;
}

/* --- the command ------------------------------------------------------ */

void list_put_request(struct nlmsghdr *req, const struct list_opts *o)
{
	filter_put(req, &o->filter);
	/* With --sort the kernel's first N are not the N we want. */
	if (o->limit && o->sort == SORT_NONE)
		mnl_attr_put_u32(req, TWCTL_A_LIMIT, o->limit);
}

int cmd_list(int argc, char **argv)
{
	struct list_opts o;
	struct entry_out out;
	struct nlmsghdr *req;
	struct nl nl;
	int r = -1;

	if (list_parse(argc, argv, &o))
		return -1;
	if (o.help) {
		command_usage(stdout, command_find("list"));
		return 0;
	}
	if (nl_open(&nl, g_opts.netns))
		return -1;
	if (entry_out_init(&out, output_format(), o.sort != SORT_NONE))
		goto out_nl;

	req = nl_request(&nl, TWCTL_CMD_GET_ENTRIES, 0);
	list_put_request(req, &o);

	if (nl_dump(&nl, req, entry_out_msg, entry_out_reset, &out) ||
	    entry_out_finish(&out, o.sort, o.reverse, o.limit) ||
	    entry_out_print(&out, stdout))
		goto out;
	if (out.fmt == OUTPUT_JSON)
		putchar('\n');
	r = 0;
out:
	entry_out_free(&out);
out_nl:
	nl_close(&nl);
	return r;
}

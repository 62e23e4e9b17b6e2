// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * list.c - `twctl list`: dump entries and print them as they arrive.
 *
 * Without --sort nothing but the current message is held in memory: each
 * entry is formatted straight into stdout's buffer as its message is
 * parsed. --sort needs them all first: it keeps the decoded entries, not
 * their text, and prints once the dump is complete. A dump that fails
 * half-way has printed what came before the error (exit 1, one message);
 * one the kernel flags as interrupted is not re-run, as ss does not: one
 * warning says entries may be missing or repeated (see nl_dump()).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "error.h"
#include "netlink.h"
#include "netns_names.h"

enum {
	OPT_SORT = OPT_FILTER_LAST,
	OPT_REVERSE,
	OPT_LIMIT,
	OPT_COUNT,
	OPT_ALL_NETNS,
};

int list_parse(int argc, char **argv, struct list_opts *o)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		FILTER_LONGOPTS,
		{ "sort", required_argument, NULL, OPT_SORT },
		{ "reverse", no_argument, NULL, OPT_REVERSE },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "extended", no_argument, NULL, 'e' },
		{ "count", no_argument, NULL, OPT_COUNT },
		{ "all-netns", no_argument, NULL, OPT_ALL_NETNS },
		{ NULL, 0, NULL, 0 }
	};
	int c, r;

	memset(o, 0, sizeof(*o));
	options_reset();
	while ((c = options_next(argc, argv,
				 COMMON_SHORTOPTS FILTER_SHORTOPTS "e",
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
		case 'e':
			o->extended = true;
			break;
		case OPT_COUNT:
			o->count = true;
			break;
		case OPT_ALL_NETNS:
			o->all_netns = true;
			break;
		}
	}
	if (common_or_filter_check("list", &o->filter, argc, argv, o->help))
		return -1;
	if (o->help)
		return 0;
	if (o->reverse && o->sort == SORT_NONE)
		return fail(EXIT_USAGE, "--reverse needs --sort");
	if (o->all_netns && g_opts.netns)
		return fail(EXIT_USAGE, "--all-netns and -N cannot be combined");
	return 0;
}

/* --- entry output ----------------------------------------------------- */

int entry_out_init(struct entry_out *o, FILE *f, enum output_format fmt,
		   bool collect)
{
	memset(o, 0, sizeof(*o));
	o->f = f;
	o->fmt = fmt;
	o->collect = collect;
	o->header = !g_opts.no_header;
	json_init(&o->json, f);
	o->json.pretty = g_opts.pretty;
	return 0;
}

/*
 * The header or '[' goes out with the first entry, or at the end: a dump
 * the kernel refuses at once (EPERM, EINVAL) prints nothing on stdout, and
 * collected output starts only when it is complete.
 */
static void entry_out_start(struct entry_out *o)
{
	if (o->started)
		return;
	o->started = true;
	if (o->count_only)
		return;
	if (o->fmt == OUTPUT_TABLE && o->header)
		entry_table_header(o->f, o->extended, o->all_netns);
	else if (o->fmt == OUTPUT_JSON)
		json_open_array(&o->json, NULL);
}

void entry_out_begin(struct entry_out *o)
{
	o->started = false;
}

/* Entries come table by table: one lookup per run of a netns. */
static const char *entry_netns(struct entry_out *o, const struct tw_entry *e)
{
	if (!o->all_netns)
		return NULL;
	if (!o->netns_known || o->netns_ino != e->netns) {
		netns_name(e->netns, o->netns_name);
		o->netns_ino = e->netns;
		o->netns_known = true;
	}
	return o->netns_name;
}

static void entry_out_write(struct entry_out *o, const struct tw_entry *e)
{
	entry_out_start(o);
	o->count++;
	if (o->count_only)
		return;
	switch (o->fmt) {
	case OUTPUT_TABLE:
		entry_table_row(o->f, e, o->extended, entry_netns(o, e));
		break;
	case OUTPUT_JSON:
		entry_json(&o->json, e, entry_netns(o, e));
		/* whole entries reach the FILE, also in kill's object */
		json_flush(&o->json);
		break;
	case OUTPUT_SCRIPT:
		entry_script(o->f, e, entry_netns(o, e));
		break;
	}
	/* The first entry goes out at once; the rest in big writes. */
	if (o->count == 1)
		fflush(o->f);
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

void entry_out_finish(struct entry_out *o, enum sort_key key, bool reverse,
		      uint32_t limit)
{
	size_t i, n = o->n;

	entry_out_start(o);
	if (o->collect) {
		entries_sort(o->v, o->n, key, reverse);
		if (limit && n > limit)
			n = limit;
		for (i = 0; i < n; i++)
			entry_out_write(o, &o->v[i]);
	}
	if (o->fmt == OUTPUT_JSON && !o->count_only)
		json_close_array(&o->json);
}

void entry_out_free(struct entry_out *o)
{
	free(o->v);
	o->v = NULL;
}

/* --- the command ------------------------------------------------------ */

uint32_t entry_ext_wanted(enum output_format fmt, bool extended,
			  bool count_only)
{
	if (count_only)
		return 0;
	if (fmt == OUTPUT_TABLE)
		return extended ? TWCTL_ENTRY_EXT_JUDGEMENT : 0;
	/* Every field; secrets are left out for those who may not see them. */
	return TWCTL_ENTRY_EXT_ALL;
}

void entry_put_request(struct nlmsghdr *req, uint32_t ext, bool all_netns)
{
	if (ext)
		mnl_attr_put_u32(req, TWCTL_A_ENTRY_EXT, ext);
	if (all_netns)
		mnl_attr_put(req, TWCTL_A_ALL_NETNS, 0, NULL);
}

void list_put_request(struct nlmsghdr *req, const struct list_opts *o)
{
	filter_put(req, &o->filter);
	/* With --sort the kernel's first N are not the N we want. */
	if (o->limit && (o->sort == SORT_NONE || o->count))
		mnl_attr_put_u32(req, TWCTL_A_LIMIT, o->limit);
	entry_put_request(req, entry_ext_wanted(output_format(), o->extended,
						o->count),
			  o->all_netns);
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
	entry_out_init(&out, stdout, output_format(),
		       o.sort != SORT_NONE && !o.count);
	out.extended = o.extended;
	out.count_only = o.count;
	out.all_netns = o.all_netns;

	req = nl_request(&nl, TWCTL_CMD_GET_ENTRIES, 0);
	list_put_request(req, &o);

	entry_out_begin(&out);
	if (nl_dump(&nl, req, entry_out_msg, NULL, &out))
		goto out;
	entry_out_finish(&out, o.sort, o.reverse, o.limit);
	if (o.count)
		printf("%lu\n", out.count);
	else if (out.fmt == OUTPUT_JSON)
		putchar('\n');
	r = 0;
out:
	entry_out_free(&out);
	nl_close(&nl);
	return r;
}

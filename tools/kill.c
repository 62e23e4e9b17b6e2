// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kill.c - `twctl kill`: remove the entries a filter selects.
 *
 * A real kill is one TWCTL_CMD_KILL request and is never retried: it is not
 * idempotent in its counts. --dry-run is a GET_ENTRIES dump with the same
 * filter and limit instead of TWCTL_A_DRY_RUN, because the kernel visits
 * entries in the same order for both, so the dump shows exactly the entries
 * a real run would kill, not just how many.
 */
#include <errno.h>
#include <string.h>

#include <linux/genetlink.h>

#include "commands.h"
#include "error.h"
#include "netlink.h"

enum {
	OPT_ALL = OPT_FILTER_LAST,
	OPT_DRY_RUN,
	OPT_LIMIT,
};

int kill_parse(int argc, char **argv, struct kill_opts *o)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		FILTER_LONGOPTS,
		{ "all", no_argument, NULL, OPT_ALL },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "extended", no_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 }
	};
	int c, r;

	memset(o, 0, sizeof(*o));
	options_reset();
	while ((c = options_next(argc, argv,
				 COMMON_SHORTOPTS FILTER_SHORTOPTS "e",
				 longopts, "kill")) != -1) {
		r = common_or_filter_option("kill", &o->filter, c, argv,
					    &o->help);
		if (r < 0)
			return -1;
		if (r == 0)
			continue;
		switch (c) {
		case OPT_ALL:
			o->all = true;
			break;
		case OPT_DRY_RUN:
			o->dry_run = true;
			break;
		case 'e':
			o->extended = true;
			break;
		case OPT_LIMIT:
			if (parse_count("--limit", optarg, 1, TWCTL_LIMIT_MAX,
					&o->limit))
				return -1;
			break;
		}
	}
	if (common_or_filter_check("kill", &o->filter, argc, argv, o->help))
		return -1;
	if (o->help)
		return 0;
	if (filter_empty(&o->filter) && !o->all)
		return fail(EXIT_USAGE,
			    "kill: refusing to kill every entry without a filter; give a filter, or --all to mean it");
	return 0;
}

void kill_put_request(struct nlmsghdr *req, const struct kill_opts *o)
{
	filter_put(req, &o->filter);
	if (o->limit)
		mnl_attr_put_u32(req, TWCTL_A_LIMIT, o->limit);
}

struct nlmsghdr *kill_request(struct nl *nl, const struct kill_opts *o)
{
	struct nlmsghdr *req;

	req = nl_request(nl, o->dry_run ? TWCTL_CMD_GET_ENTRIES : TWCTL_CMD_KILL,
			 0);
	kill_put_request(req, o);
	if (o->dry_run)
		entry_put_request(req, entry_ext_wanted(output_format(),
							o->extended, false),
				  false);
	return req;
}

/*
 * The entries stream out as list prints them; their number, known only at
 * the end, follows them: a line after the table, the last member of the
 * JSON object.
 */
static int dry_run(struct nl *nl, const struct kill_opts *o)
{
	struct entry_out out;
	int r = -1;

	entry_out_init(&out, stdout, output_format(), false);
	out.extended = o->extended;
	if (out.fmt == OUTPUT_JSON) {
		json_open_object(&out.json, NULL);
		json_bool(&out.json, "dry_run", true);
		/* the array opened by entry_out_begin() is its value */
		json_key(&out.json, "entries");
	}
	entry_out_begin(&out);
	if (nl_dump(nl, kill_request(nl, o), entry_out_msg, NULL, &out))
		goto out;
	entry_out_finish(&out, SORT_NONE, false, 0);

	switch (out.fmt) {
	case OUTPUT_TABLE:
		printf("would kill %lu entries\n", out.count);
		break;
	case OUTPUT_JSON:
		json_u64(&out.json, "matched", out.count);
		json_u64(&out.json, "killed", 0);
		json_close_object(&out.json);
		putchar('\n');
		break;
	case OUTPUT_SCRIPT:
		/* The entries, in list -s format; their number is the count. */
		break;
	}
	r = 0;
out:
	entry_out_free(&out);
	return r;
}

struct kill_result {
	uint32_t matched, killed;
	bool has_matched, has_killed;
};

static int kill_reply_cb(const struct nlmsghdr *nlh, void *data)
{
	struct kill_result *res = data;
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			continue;
		if (mnl_attr_get_type(a) == TWCTL_A_MATCHED) {
			res->matched = mnl_attr_get_u32(a);
			res->has_matched = true;
		} else if (mnl_attr_get_type(a) == TWCTL_A_KILLED) {
			res->killed = mnl_attr_get_u32(a);
			res->has_killed = true;
		}
	}
	return 0;
}

static int real_kill(struct nl *nl, const struct kill_opts *o)
{
	struct kill_result res = { 0 };

	if (nl_do(nl, kill_request(nl, o), kill_reply_cb, &res)) {
		if (nl->err == EPERM)
			return fail(EXIT_FAIL,
				    "kill needs CAP_NET_ADMIN in this network namespace (run as root)");
		if (nl->err == ENOBUFS)
			return fail(EXIT_FAIL,
				    "the kill reply was lost (receive buffer overrun); entries may have been killed, check with 'twctl list'");
		return -1;
	}
	if (!res.has_matched || !res.has_killed)
		return fail(EXIT_FAIL,
			    "the kernel's kill reply lacks the matched/killed counts");

	switch (output_format()) {
	case OUTPUT_TABLE:
		printf("killed %u of %u matching entries\n", res.killed,
		       res.matched);
		break;
	case OUTPUT_JSON:
		printf("{\"matched\":%u,\"killed\":%u,\"dry_run\":false}\n",
		       res.matched, res.killed);
		break;
	case OUTPUT_SCRIPT:
		printf("%u\t%u\n", res.matched, res.killed);
		break;
	}
	return 0;
}

int cmd_kill(int argc, char **argv)
{
	struct kill_opts o;
	struct nl nl;
	int r;

	if (kill_parse(argc, argv, &o))
		return -1;
	if (o.help) {
		command_usage(stdout, command_find("kill"));
		return 0;
	}
	if (nl_open(&nl, g_opts.netns))
		return -1;
	r = o.dry_run ? dry_run(&nl, &o) : real_kill(&nl, &o);
	nl_close(&nl);
	return r;
}

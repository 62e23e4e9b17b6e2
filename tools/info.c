// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * info.c - `twctl version` and `twctl info`: what TWCTL_CMD_GET_INFO says
 * about the module and the sysctls that decide whether TIME_WAIT entries
 * hurt (the ephemeral port range, tcp_tw_reuse).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <linux/genetlink.h>

#include "cli-version.h"
#include "commands.h"
#include "error.h"
#include "netlink.h"

#define INFO_HAS(i, attr) (((i)->present >> (attr)) & 1U)

static int info_attr_cb(const struct nlattr *a, void *data)
{
	struct tw_info *info = data;
	unsigned int type = mnl_attr_get_type(a);
	enum mnl_attr_data_type want;

	switch (type) {
	case TWCTL_A_VERSION:
		want = MNL_TYPE_NUL_STRING; break;
	case TWCTL_A_PORT_RANGE_LO:
	case TWCTL_A_PORT_RANGE_HI:
		want = MNL_TYPE_U16; break;
	case TWCTL_A_TW_REUSE:
	case TWCTL_A_CAPTURE_ACTIVE:
		want = MNL_TYPE_U8; break;
	case TWCTL_A_TW_COUNT:
	case TWCTL_A_TW_REUSE_DELAY_MS:
		want = MNL_TYPE_U32; break;
	default:
		return MNL_CB_OK;
	}
	if (mnl_attr_validate(a, want) < 0) {
		fail(EXIT_FAIL, "malformed info reply: attribute %u", type);
		return MNL_CB_ERROR;
	}
	info->present |= 1U << type;

	switch (type) {
	case TWCTL_A_VERSION:
		snprintf(info->version, sizeof(info->version), "%s",
			 mnl_attr_get_str(a));
		break;
	case TWCTL_A_TW_COUNT:
		info->tw_count = mnl_attr_get_u32(a); break;
	case TWCTL_A_PORT_RANGE_LO:
		info->port_lo = mnl_attr_get_u16(a); break;
	case TWCTL_A_PORT_RANGE_HI:
		info->port_hi = mnl_attr_get_u16(a); break;
	case TWCTL_A_TW_REUSE:
		info->tw_reuse = mnl_attr_get_u8(a); break;
	case TWCTL_A_TW_REUSE_DELAY_MS:
		info->tw_reuse_delay_ms = mnl_attr_get_u32(a); break;
	case TWCTL_A_CAPTURE_ACTIVE:
		info->capture_active = mnl_attr_get_u8(a); break;
	}
	return MNL_CB_OK;
}

int info_parse_msg(const struct nlmsghdr *nlh, struct tw_info *info)
{
	memset(info, 0, sizeof(*info));
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), info_attr_cb,
			   info) != MNL_CB_OK)
		return -1;
	return 0;
}

static int info_cb(const struct nlmsghdr *nlh, void *data)
{
	return info_parse_msg(nlh, data);
}

static int info_parse_args(const char *cmd, int argc, char **argv,
			   bool *help)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	int c;

	*help = false;
	options_reset();
	while ((c = options_next(argc, argv, COMMON_SHORTOPTS, longopts,
				    cmd)) != -1)
		if (common_option(cmd, c, argv, help) < 0)
			return -1;
	if (*help)
		return 0;
	return no_arguments(cmd, argc, argv) || options_check() ? -1 : 0;
}

/* Open, ask, close. On failure nl->err tells whether the module is there. */
static int get_info(struct nl *nl, struct tw_info *info, bool *loaded)
{
	int r;

	*loaded = false;
	memset(info, 0, sizeof(*info));
	if (nl_open(nl, g_opts.netns)) {
		*loaded = nl->err != ENOENT;
		return -1;
	}
	*loaded = true;
	r = nl_do(nl, nl_request(nl, TWCTL_CMD_GET_INFO, 0), info_cb, info);
	nl_close(nl);
	return r;
}

static void info_json_fields(struct json *j, const struct tw_info *i)
{
	if (INFO_HAS(i, TWCTL_A_VERSION))
		json_string(j, "module", i->version);
	if (INFO_HAS(i, TWCTL_A_TW_COUNT))
		json_u64(j, "tw_count", i->tw_count);
	if (INFO_HAS(i, TWCTL_A_PORT_RANGE_LO))
		json_u64(j, "port_range_lo", i->port_lo);
	if (INFO_HAS(i, TWCTL_A_PORT_RANGE_HI))
		json_u64(j, "port_range_hi", i->port_hi);
	if (INFO_HAS(i, TWCTL_A_TW_REUSE))
		json_u64(j, "tw_reuse", i->tw_reuse);
	if (INFO_HAS(i, TWCTL_A_TW_REUSE_DELAY_MS))
		json_u64(j, "tw_reuse_delay_ms", i->tw_reuse_delay_ms);
	if (INFO_HAS(i, TWCTL_A_CAPTURE_ACTIVE))
		json_bool(j, "capture_active", i->capture_active);
}

int cmd_version(int argc, char **argv)
{
	struct tw_info info;
	struct json j;
	struct nl nl;
	bool help, loaded;
	int r;

	if (info_parse_args("version", argc, argv, &help))
		return -1;
	if (help) {
		command_usage(stdout, command_find("version"));
		return 0;
	}
	r = get_info(&nl, &info, &loaded);
	if (r && loaded)
		return -1;	/* a real error, not just a missing module */

	/* Without the module, still say which tool this is (and fail). */
	switch (output_format()) {
	case OUTPUT_TABLE:
		printf("twctl %s (module %s)\n", TWCTL_CLI_VERSION,
		       r ? "not loaded" : INFO_HAS(&info, TWCTL_A_VERSION) ?
		       info.version : "unknown");
		break;
	case OUTPUT_JSON:
		json_init(&j, stdout);
		j.pretty = g_opts.pretty;
		json_open_object(&j, NULL);
		json_string(&j, "cli", TWCTL_CLI_VERSION);
		if (r)
			json_null(&j, "module");
		else
			info_json_fields(&j, &info);
		json_close_object(&j);
		putchar('\n');
		break;
	case OUTPUT_SCRIPT:
		printf("%s\t%s\n", TWCTL_CLI_VERSION,
		       !r && INFO_HAS(&info, TWCTL_A_VERSION) ? info.version
							      : "-");
		break;
	}
	return r;
}

static const char *reuse_meaning(unsigned int v)
{
	switch (v) {
	case 0: return "disabled";
	case 1: return "enabled";
	case 2: return "loopback only";
	}
	return "unknown";
}

static void kv(const char *key, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void kv(const char *key, const char *fmt, ...)
{
	va_list ap;

	printf("%-22s", key);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

int cmd_info(int argc, char **argv)
{
	struct tw_info i;
	struct json j;
	struct nl nl;
	bool help, loaded;

	if (info_parse_args("info", argc, argv, &help))
		return -1;
	if (help) {
		command_usage(stdout, command_find("info"));
		return 0;
	}
	if (get_info(&nl, &i, &loaded))
		return -1;

	switch (output_format()) {
	case OUTPUT_TABLE:
		kv("module version", "%s", INFO_HAS(&i, TWCTL_A_VERSION) ?
		   i.version : "-");
		kv("entries", "%u", i.tw_count);
		kv("ip_local_port_range", "%u-%u (%u ports)", i.port_lo,
		   i.port_hi, i.port_hi >= i.port_lo ?
		   i.port_hi - i.port_lo + 1 : 0);
		kv("tcp_tw_reuse", "%u (%s)", i.tw_reuse,
		   reuse_meaning(i.tw_reuse));
		kv("tw reuse delay", "%ums", i.tw_reuse_delay_ms);
		kv("RTO/age capture", "%s", i.capture_active ?
		   "active" : "inactive (ages from the timer, RTO assumed)");
		break;
	case OUTPUT_JSON:
		json_init(&j, stdout);
		j.pretty = g_opts.pretty;
		json_open_object(&j, NULL);
		json_string(&j, "cli", TWCTL_CLI_VERSION);
		info_json_fields(&j, &i);
		json_close_object(&j);
		putchar('\n');
		break;
	case OUTPUT_SCRIPT:
		/*
		 * module tw_count port_range_lo port_range_hi tw_reuse
		 * tw_reuse_delay_ms capture_active
		 */
		printf("%s\t%u\t%u\t%u\t%u\t%u\t%u\n",
		       INFO_HAS(&i, TWCTL_A_VERSION) ? i.version : "-",
		       i.tw_count, i.port_lo, i.port_hi, i.tw_reuse,
		       i.tw_reuse_delay_ms, i.capture_active);
		break;
	}
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_decode.c - libFuzzer target for everything the CLI reads from the
 * kernel: a receive buffer of netlink messages goes through nl_process()
 * (message walking, NLMSG_ERROR / NLMSG_DONE with extended-ACK TLVs) into
 * the decoder and renderer of one reply kind:
 *   0 entries (list / kill --dry-run)  table, JSON or script output
 *   1 summary groups, by each grouping table, JSON or script output
 *   2 kill events (watch)              table, JSON or script output
 *   3 info / version
 *   4 the CTRL family reply
 * The first byte picks the kind, the second the output format and the
 * grouping; the rest is the buffer, in a heap copy of exactly its size.
 * Output is rendered for real, as the tool streams it to stdout, into
 * memory. Properties: no sanitizer report; a refused reply
 * leaves exit code 1 and one printable line; an accepted one prints valid
 * JSON with -j (one document, or one per line for watch), and nothing a
 * terminal would act on (no control bytes but newline and tab).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/genetlink.h>

#include "commands.h"
#include "error.h"
#include "fuzz.h"
#include "json_check.h"
#include "netlink.h"

static FILE *devnull, *mem;
static char *mem_buf;
static size_t mem_len;
static struct entry_out entry_out;
static struct group_out group_outs[3][4];
static bool group_ready[3][4];
static enum output_format fmt;
static char req_buf[NL_REQ_BUFSIZE];

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct tw_event ev;
	int r = event_parse_msg(nlh, &ev);

	(void)data;
	if (r < 0)
		return -1;
	if (r == 0)
		event_print(mem, fmt, &ev, 1700000000123ULL);
	return 0;
}

static int info_cb(const struct nlmsghdr *nlh, void *data)
{
	struct tw_info info;

	(void)data;
	return info_parse_msg(nlh, &info);
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	return nl_family_parse(nlh, data);
}

/* A real request for extended ACKs to point into: list with a filter. */
static const struct nlmsghdr *request(void)
{
	static struct nlmsghdr *req;
	struct nl nl = { .req = req_buf, .family_id = 0x42 };
	struct list_opts o;
	char *argv[] = { "list", "--lport", "1000-2000", "--raddr",
			 "10.0.0.0/8", "--cookie", "7", "--limit", "5", NULL };

	if (req)
		return req;
	if (list_parse(9, argv, &o))
		abort();
	req = nl_request(&nl, TWCTL_CMD_GET_ENTRIES, 0);
	list_put_request(req, &o);
	req->nlmsg_seq = 0;
	return req;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nl_batch b;
	struct nl fam;
	unsigned int kind, by;
	uint8_t *buf;
	int r;

	if (size < 2)
		return 0;
	if (!devnull) {
		devnull = fopen("/dev/null", "w");
		mem = open_memstream(&mem_buf, &mem_len);
		if (!devnull || !mem)
			abort();
	}
	rewind(mem);	/* a memstream's size follows its position */
	kind = data[0] % 5;
	fmt = (enum output_format)(data[1] % 3);
	by = (data[1] / 3) % 4;
	buf = malloc(size - 2 ? size - 2 : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 2, size - 2);

	memset(&b, 0, sizeof(b));
	b.req = request();
	b.family_id = 0x42;
	b.keep_interrupted = data[1] & 0x80;
	err_clear();

	switch (kind) {
	case 0:
		/* collect for table output: the --sort path */
		if (entry_out_init(&entry_out, mem, fmt, fmt == OUTPUT_TABLE))
			abort();
		entry_out.extended = data[1] & 0x10;
		entry_out_begin(&entry_out);
		b.cb = entry_out_msg;
		b.data = &entry_out;
		r = nl_process(&b, buf, size - 2);
		if (r >= 0)
			entry_out_finish(&entry_out, SORT_REMOTE, data[1] & 0x40,
					 data[1] & 0x20 ? 3 : 0);
		entry_out_free(&entry_out);
		break;
	case 1:
		if (!group_ready[fmt][by]) {
			if (group_out_init(&group_outs[fmt][by], fmt, by))
				abort();
			group_ready[fmt][by] = true;
		}
		if (group_out_reset(&group_outs[fmt][by]))
			abort();
		b.cb = group_out_msg;
		b.data = &group_outs[fmt][by];
		r = nl_process(&b, buf, size - 2);
		if (r >= 0 && group_out_print(&group_outs[fmt][by], mem))
			r = -1;
		break;
	case 2:
		b.cb = event_cb;
		r = nl_process(&b, buf, size - 2);
		break;
	case 3:
		b.cb = info_cb;
		r = nl_process(&b, buf, size - 2);
		break;
	default:
		memset(&fam, 0, sizeof(fam));
		b.cb = family_cb;
		b.data = &fam;
		r = nl_process(&b, buf, size - 2);
		break;
	}
	fflush(mem);
	if (r < 0) {
		if (err_code() != EXIT_FAIL)
			FUZZ_FAIL("a bad reply: exit code %d, not 1", err_code());
		fuzz_check_message(err_msg());
	} else if (kind <= 2) {
		size_t i;

		for (i = 0; i < mem_len; i++)
			if ((unsigned char)mem_buf[i] < 0x20 &&
			    mem_buf[i] != '\n' && mem_buf[i] != '\t')
				FUZZ_FAIL("control byte %#x at %zu in the output: %.*s",
					  mem_buf[i], i, (int)mem_len, mem_buf);
		if (fmt == OUTPUT_JSON && (kind < 2 || mem_len) &&
		    !json_valid(mem_buf, mem_len, kind == 2))
			FUZZ_FAIL("invalid JSON: %.*s", (int)mem_len, mem_buf);
	}
	free(buf);
	return 0;
}

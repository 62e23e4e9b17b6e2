// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_values.c - libFuzzer target for the command-line value parsers:
 * ports, port ranges, prefixes, durations, cookies (decimal, 0x, sk:),
 * states, counts, --by groupings and --sort keys.
 *
 * The first byte picks the parser, the rest is the value (up to its first
 * NUL, as in argv), in a heap copy of exactly that size so a read past the
 * end is caught. Besides the sanitizers' checks, every result must hold:
 * an accepted value written back the way twctl writes it (filter
 * descriptions, kill events) parses to the same value again, and a refused
 * one leaves exit code 2 and a message of one printable line.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "commands.h"
#include "error.h"
#include "format.h"
#include "fuzz.h"
#include "parse.h"

static void check_refusal(int r)
{
	if (r != -1)
		FUZZ_FAIL("a parser returned %d", r);
	if (err_code() != EXIT_USAGE)
		FUZZ_FAIL("bad value: exit code %d, not 2", err_code());
	fuzz_check_message(err_msg());
}

static void ports(const char *s)
{
	char buf[16];
	uint16_t p, q;

	if (parse_port("--lport", s, &p)) {
		check_refusal(-1);
		return;
	}
	snprintf(buf, sizeof(buf), "%u", p);
	if (parse_port("--lport", buf, &q) || p != q)
		FUZZ_FAIL("port %u does not round-trip", p);
}

static void port_ranges(const char *s)
{
	uint16_t lo, hi;

	if (parse_port_range("--rport", s, &lo, &hi)) {
		check_refusal(-1);
		return;
	}
	if (lo > hi)
		FUZZ_FAIL("range %u-%u accepted", lo, hi);
}

static void prefixes(const char *s)
{
	struct tw_prefix p, q;
	char a[ADDR_STRLEN], buf[ADDR_STRLEN + 8];
	unsigned int max, i;

	if (parse_prefix("--raddr", s, &p)) {
		check_refusal(-1);
		return;
	}
	if (p.family != AF_INET && p.family != AF_INET6)
		FUZZ_FAIL("family %u", p.family);
	max = family_addr_len(p.family) * 8;
	if (p.bits > max)
		FUZZ_FAIL("/%u accepted for a %u-bit address", p.bits, max);
	for (i = p.bits; i < max; i++)
		if (p.addr[i / 8] & (0x80 >> (i % 8)))
			FUZZ_FAIL("host bit %u of /%u is set", i, p.bits);
	/* As filter_describe() writes it. */
	format_addr(a, sizeof(a), p.family, p.addr);
	snprintf(buf, sizeof(buf), "%s/%u", a, p.bits);
	if (parse_prefix("--raddr", buf, &q))
		FUZZ_FAIL("'%s' (from '%s') does not parse: %s", buf, s,
			  err_msg());
	if (q.family != p.family || q.bits != p.bits ||
	    memcmp(q.addr, p.addr, sizeof(p.addr)))
		FUZZ_FAIL("'%s' does not round-trip", buf);
}

static void durations(const char *s)
{
	char buf[DURATION_STRLEN];
	uint32_t ms, again;

	if (parse_duration_ms("--older-than", s, &ms)) {
		check_refusal(-1);
		return;
	}
	format_duration_arg(buf, sizeof(buf), ms);
	if (parse_duration_ms("--older-than", buf, &again) || again != ms)
		FUZZ_FAIL("%u ms written as '%s' reads back as %u", ms, buf,
			  again);
}

static void cookies(const char *s)
{
	char buf[32];
	uint64_t c, again;

	if (parse_cookie("--cookie", s, &c)) {
		check_refusal(-1);
		return;
	}
	snprintf(buf, sizeof(buf), "sk:%llx", (unsigned long long)c);
	if (parse_cookie("--cookie", buf, &again) || again != c)
		FUZZ_FAIL("cookie %s does not round-trip", buf);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)c);
	if (parse_cookie("--cookie", buf, &again) || again != c)
		FUZZ_FAIL("cookie %s does not round-trip", buf);
}

static void states(const char *s)
{
	uint32_t m = 0;

	if (parse_state("--state", s, &m)) {
		check_refusal(-1);
		if (m)
			FUZZ_FAIL("a refused state changed the mask");
		return;
	}
	if (!m || (m & ~(uint32_t)TWCTL_STATES_ALL))
		FUZZ_FAIL("state mask %#x", m);
}

static void counts(const char *s)
{
	uint32_t v = 0;

	if (parse_count("--limit", s, 1, TWCTL_LIMIT_MAX, &v)) {
		check_refusal(-1);
		return;
	}
	if (v < 1 || v > TWCTL_LIMIT_MAX)
		FUZZ_FAIL("count %u accepted", v);
}

static void groupings(const char *s)
{
	uint8_t by = 0xff;

	if (group_by_parse(s, &by)) {
		check_refusal(-1);
		return;
	}
	if (by > TWCTL_GROUP_BY_MAX)
		FUZZ_FAIL("grouping %u", by);
}

static void sort_keys(const char *s)
{
	enum sort_key k;

	if (sort_key_parse(s, &k)) {
		check_refusal(-1);
		return;
	}
	if (k == SORT_NONE || k > SORT_STATE)
		FUZZ_FAIL("sort key %d", k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static void (*const parsers[])(const char *) = {
		ports, port_ranges, prefixes, durations, cookies, states,
		counts, groupings, sort_keys,
	};
	char *s;
	size_t n;

	if (size < 1)
		return 0;
	n = strnlen((const char *)data + 1, size - 1);
	s = malloc(n + 1);
	if (!s)
		return 0;
	memcpy(s, data + 1, n);
	s[n] = '\0';
	err_clear();
	parsers[data[0] % (sizeof(parsers) / sizeof(parsers[0]))](s);
	free(s);
	return 0;
}

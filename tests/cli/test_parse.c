// SPDX-License-Identifier: GPL-2.0-or-later
/* test_parse.c - the command-line value parsers. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <linux/twctl.h>

#include "error.h"
#include "harness.h"
#include "parse.h"

/*
 * The message a parser call records, and only that call: the error is
 * cleared first, so a call that fails without recording a message (or does
 * not fail) cannot pass off an earlier call's message as its own.
 */
#define MSG(call) (err_clear(), (void)(call), err_msg())

static void test_ports(void)
{
	static const struct { const char *s; unsigned int v; } good[] = {
		{ "0", 0 }, { "80", 80 }, { "65535", 65535 }, { "00080", 80 },
	};
	static const char *const bad[] = {
		"65536", "-1", "+1", " 80", "80 ", "", "0x50", "8o",
		"99999999999999999999999",
	};
	char name[96];
	unsigned int i;
	uint16_t p, lo, hi;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(name, sizeof(name), "port '%s'", good[i].s);
		t_check(parse_port("--lport", good[i].s, &p) == 0 &&
			p == good[i].v, name, "rc/value wrong (%u)", p);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(name, sizeof(name), "port '%s' rejected", bad[i]);
		t_true(name, parse_port("--lport", bad[i], &p) == -1 &&
		       err_code() == EXIT_USAGE);
	}
	t_str("port error message", MSG(parse_port("--lport", "70000", &p)),
	      "--lport: '70000' is not a port (0-65535)");

	t_check(parse_port_range("--lport", "1000-2000", &lo, &hi) == 0 &&
		lo == 1000 && hi == 2000, "port range 1000-2000", "%u-%u", lo, hi);
	t_check(parse_port_range("--lport", "443", &lo, &hi) == 0 &&
		lo == 443 && hi == 443, "port range single", "%u-%u", lo, hi);
	t_check(parse_port_range("--rport", "0-65535", &lo, &hi) == 0 &&
		lo == 0 && hi == 65535, "port range full", "%u-%u", lo, hi);
	t_check(parse_port_range("--rport", "80-80", &lo, &hi) == 0 &&
		lo == 80 && hi == 80, "port range P-P", "%u-%u", lo, hi);

	t_true("port range reversed rejected",
	       parse_port_range("--rport", "90-80", &lo, &hi) == -1);
	t_str("port range reversed message",
	      MSG(parse_port_range("--rport", "90-80", &lo, &hi)),
	      "--rport: '90-80' is not a port range (90 is above 80)");
	t_true("port range upper bound too big",
	       parse_port_range("--lport", "1-70000", &lo, &hi) == -1);
	t_str("port range bad half message",
	      MSG(parse_port_range("--lport", "1-70000", &lo, &hi)),
	      "--lport: '70000' is not a port (0-65535)");
	t_true("port range '80-' rejected",
	       parse_port_range("--lport", "80-", &lo, &hi) == -1);
	t_true("port range '-80' rejected",
	       parse_port_range("--lport", "-80", &lo, &hi) == -1);
	t_true("port range '1-2-3' rejected",
	       parse_port_range("--lport", "1-2-3", &lo, &hi) == -1);
}

static bool addr_is(const struct tw_prefix *p, int family, const char *text)
{
	uint8_t want[16] = { 0 };

	return inet_pton(family, text, want) == 1 && p->family == family &&
	       !memcmp(p->addr, want, family == AF_INET ? 4 : 16);
}

static void test_prefixes(void)
{
	static const struct {
		const char *in;
		int family;
		const char *addr;	/* after host bits are cleared */
		unsigned int bits;
	} good[] = {
		{ "10.1.2.3", AF_INET, "10.1.2.3", 32 },
		{ "10.1.2.3/8", AF_INET, "10.0.0.0", 8 },
		{ "192.168.1.255/23", AF_INET, "192.168.0.0", 23 },
		{ "0.0.0.0/0", AF_INET, "0.0.0.0", 0 },
		{ "1.2.3.4/08", AF_INET, "1.0.0.0", 8 },
		{ "::1", AF_INET6, "::1", 128 },
		{ "[::1]", AF_INET6, "::1", 128 },
		{ "[2001:db8::1]/32", AF_INET6, "2001:db8::", 32 },
		{ "2001:db8:1:2::1/64", AF_INET6, "2001:db8:1:2::", 64 },
		{ "fe80::1/10", AF_INET6, "fe80::", 10 },
		{ "::ffff:127.0.0.1", AF_INET6, "::ffff:127.0.0.1", 128 },
		{ "[::ffff:10.0.0.1]/120", AF_INET6, "::ffff:10.0.0.0", 120 },
	};
	static const char *const bad[] = {
		"1.2.3", "1.2.3.4/", "/24", "[1.2.3.4]", "[::1", "[::1]x",
		"[::1]/", "1.2.3.4/-1", "1.2.3.4/ 8", "", "localhost",
		"1.2.3.4 ", "::1/129", "::1/1x", "1.2.3.256",
	};
	struct tw_prefix p;
	char name[96];
	unsigned int i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int r = parse_prefix("--raddr", good[i].in, &p);

		snprintf(name, sizeof(name), "prefix '%s'", good[i].in);
		t_check(r == 0 && addr_is(&p, good[i].family, good[i].addr) &&
			p.bits == good[i].bits, name,
			"rc %d family %u bits %u", r, p.family, p.bits);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(name, sizeof(name), "prefix '%s' rejected", bad[i]);
		t_true(name, parse_prefix("--raddr", bad[i], &p) == -1 &&
		       err_code() == EXIT_USAGE);
	}
	/* The mapped form keeps its 16 bytes: it selects IPv6 entries. */
	parse_prefix("--laddr", "::ffff:127.0.0.1", &p);
	t_true("prefix mapped bytes", p.addr[10] == 0xff && p.addr[11] == 0xff &&
	       p.addr[12] == 127 && p.addr[15] == 1 && p.addr[0] == 0);

	t_str("prefix v4 too long message",
	      MSG(parse_prefix("--raddr", "1.2.3.4/33", &p)),
	      "--raddr: '1.2.3.4/33' has a bad prefix length (0-32)");
	t_str("prefix v6 too long message",
	      MSG(parse_prefix("--raddr", "::1/129", &p)),
	      "--raddr: '::1/129' has a bad prefix length (0-128)");
	t_str("prefix garbage message",
	      MSG(parse_prefix("--laddr", "nonsense", &p)),
	      "--laddr: 'nonsense' is not an IPv4 or IPv6 address");
	t_true("prefix scoped rejected",
	       parse_prefix("--laddr", "fe80::1%eth0", &p) == -1);
	t_str("prefix scoped message",
	      MSG(parse_prefix("--laddr", "fe80::1%eth0", &p)),
	      "--laddr: 'fe80::1%eth0': scoped addresses (%IFNAME) are not supported");
}

static void test_durations(void)
{
	static const struct { const char *s; uint32_t ms; } good[] = {
		{ "500ms", 500 }, { "1.5s", 1500 }, { "2m", 120000 },
		{ "30", 30000 }, { "0", 0 }, { "0.25", 250 },
		{ "1.001s", 1001 }, { "0.5m", 30000 }, { "10s", 10000 },
		{ "4294967295ms", 4294967295U }, { "4294967s", 4294967000U },
		{ "71582m", 4294920000U }, { "1.0000000000s", 1000 },
		{ "0.001", 1 }, { "007s", 7000 },
	};
	static const char *const bad[] = {
		"abc", "", "ms", "s", "5x", "1.s", ".5s", "-1s", "1 s",
		"1e3", "5S", "5h", "1..5s", "1.5.2s", "+1s", "1,5s",
	};
	uint32_t ms;
	char name[96];
	unsigned int i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int r = parse_duration_ms("--older-than", good[i].s, &ms);

		snprintf(name, sizeof(name), "duration '%s'", good[i].s);
		t_check(r == 0 && ms == good[i].ms, name, "rc %d, %u ms", r, ms);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(name, sizeof(name), "duration '%s' rejected", bad[i]);
		t_true(name, parse_duration_ms("--older-than", bad[i], &ms) == -1);
	}
	t_str("duration garbage message",
	      MSG(parse_duration_ms("--expiring-within", "5x", &ms)),
	      "--expiring-within: '5x' is not a duration (e.g. 500ms, 1.5s, 2m)");

	t_true("duration overflow ms", parse_duration_ms("--older-than",
	       "4294967296ms", &ms) == -1);
	t_str("duration overflow message", MSG(parse_duration_ms("--older-than",
	       "4294967296ms", &ms)),
	      "--older-than: '4294967296ms' is too long (at most 4294967295ms, about 49 days)");
	t_true("duration overflow s", parse_duration_ms("--older-than",
	       "4294968s", &ms) == -1);
	t_true("duration overflow m", parse_duration_ms("--older-than",
	       "71583m", &ms) == -1);
	t_true("duration overflow u64", parse_duration_ms("--older-than",
	       "99999999999999999999999s", &ms) == -1);
	t_str("duration overflow u64 message",
	      MSG(parse_duration_ms("--older-than", "99999999999999999999999s",
				    &ms)),
	      "--older-than: '99999999999999999999999s' is too long (at most 4294967295ms, about 49 days)");
	t_true("duration finer than ms", parse_duration_ms("--older-than",
	       "1.5ms", &ms) == -1);
	t_str("duration finer message", MSG(parse_duration_ms("--older-than",
	       "1.5ms", &ms)),
	      "--older-than: '1.5ms' is finer than a millisecond");
	t_true("duration 0.0001s finer", parse_duration_ms("--older-than",
	       "0.0001s", &ms) == -1);
	t_true("duration long fraction finer", parse_duration_ms(
	       "--older-than", "1.00000000001s", &ms) == -1);
}

static void test_cookies(void)
{
	static const struct { const char *s; uint64_t v; } good[] = {
		{ "12345", 12345 }, { "0x1f", 31 }, { "0X1F", 31 },
		{ "sk:ffff888012345678", 0xffff888012345678ULL },
		{ "18446744073709551615", UINT64_MAX }, { "sk:0", 0 },
		{ "0xffffffffffffffff", UINT64_MAX },
	};
	static const char *const bad[] = {
		"0x", "sk:", "sk:xyz", "-1", "12a", "0x1g", "", " 1", "SK:1",
		"sk:-1",
	};
	uint64_t c;
	char name[96];
	unsigned int i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int r = parse_cookie("--cookie", good[i].s, &c);

		snprintf(name, sizeof(name), "cookie '%s'", good[i].s);
		t_check(r == 0 && c == good[i].v, name, "rc %d value %llx", r,
			(unsigned long long)c);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(name, sizeof(name), "cookie '%s' rejected", bad[i]);
		t_true(name, parse_cookie("--cookie", bad[i], &c) == -1);
	}
	t_str("cookie garbage message",
	      MSG(parse_cookie("--cookie", "sk:xyz", &c)),
	      "--cookie: 'sk:xyz' is not a socket cookie (decimal, 0xHEX or sk:HEX)");
	t_true("cookie decimal overflow",
	       parse_cookie("--cookie", "18446744073709551616", &c) == -1);
	t_str("cookie overflow message",
	      MSG(parse_cookie("--cookie", "18446744073709551616", &c)),
	      "--cookie: '18446744073709551616' does not fit in 64 bits");
	t_true("cookie hex overflow",
	       parse_cookie("--cookie", "sk:10000000000000000", &c) == -1);
}

static void test_states(void)
{
	static const char *const tw[] = {
		"time-wait", "timewait", "TIME-WAIT", "time_wait", "TIME_WAIT",
	};
	static const char *const fw2[] = {
		"fin-wait2", "fin-wait-2", "finwait2", "FIN_WAIT2", "FIN-WAIT-2",
	};
	static const char *const bad[] = {
		"listen", "", "time-wait-x", "closed", "fin-wait1", "-",
		"timewaittimewait",
	};
	char name[64];
	uint32_t m;
	unsigned int i;

	for (i = 0; i < sizeof(tw) / sizeof(tw[0]); i++) {
		m = 0;
		snprintf(name, sizeof(name), "state '%s'", tw[i]);
		t_check(parse_state("--state", tw[i], &m) == 0 &&
			m == 1U << TWCTL_STATE_TIME_WAIT, name, "mask %#x", m);
	}
	for (i = 0; i < sizeof(fw2) / sizeof(fw2[0]); i++) {
		m = 0;
		snprintf(name, sizeof(name), "state '%s'", fw2[i]);
		t_check(parse_state("--state", fw2[i], &m) == 0 &&
			m == 1U << TWCTL_STATE_FIN_WAIT2, name, "mask %#x", m);
	}
	m = 0;
	parse_state("--state", "time-wait", &m);
	parse_state("--state", "fin-wait2", &m);
	t_u64("state repeated accumulates", m, TWCTL_STATES_ALL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = 0;
		snprintf(name, sizeof(name), "state '%s' rejected", bad[i]);
		t_true(name, parse_state("--state", bad[i], &m) == -1 && m == 0);
	}
	t_str("state message", MSG(parse_state("--state", "listen", &m)),
	      "--state: 'listen' is not a state (time-wait or fin-wait2)");
}

static void test_counts(void)
{
	uint32_t v = 0;

	t_true("count 1", parse_count("--limit", "1", 1, TWCTL_LIMIT_MAX, &v) == 0 && v == 1);
	t_true("count max", parse_count("--limit", "2147483647", 1,
	       TWCTL_LIMIT_MAX, &v) == 0 && v == TWCTL_LIMIT_MAX);
	t_true("count 0 rejected", parse_count("--limit", "0", 1,
	       TWCTL_LIMIT_MAX, &v) == -1);
	t_str("count message", MSG(parse_count("--limit", "0", 1,
	       TWCTL_LIMIT_MAX, &v)),
	      "--limit: '0' is not a number from 1 to 2147483647");
	t_true("count above max rejected", parse_count("--limit", "2147483648",
	       1, TWCTL_LIMIT_MAX, &v) == -1);
	t_true("count negative rejected", parse_count("--top", "-5", 1,
	       TWCTL_LIMIT_MAX, &v) == -1);
	t_true("count suffix rejected", parse_count("--top", "1k", 1,
	       TWCTL_LIMIT_MAX, &v) == -1);
}

/* Found by tests/fuzz/cli: a quoted value must not break the one line. */
static void test_error_lines(void)
{
	uint16_t port;
	uint32_t mask = 0;
	uint64_t cookie;

	t_str("error message: newline in a value",
	      MSG(parse_port("--lport", "8\n0", &port)),
	      "--lport: '8?0' is not a port (0-65535)");
	t_str("error message: escape sequence in a value",
	      MSG(parse_state("--state", "\033[2Jx\t\x7f", &mask)),
	      "--state: '?[2Jx?\?' is not a state (time-wait or fin-wait2)");
	t_str("error message: UTF-8 is kept",
	      MSG(parse_cookie("--cookie", "\xc3\xa9", &cookie)),
	      "--cookie: '\xc3\xa9' is not a socket cookie (decimal, 0xHEX or sk:HEX)");
}

void test_parse(void)
{
	test_ports();
	test_prefixes();
	test_durations();
	test_cookies();
	test_states();
	test_counts();
	test_error_lines();
}

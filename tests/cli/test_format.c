// SPDX-License-Identifier: GPL-2.0-or-later
/* test_format.c - addresses (as ss -n prints them), durations, names. */
#include <arpa/inet.h>
#include <string.h>

#include <linux/twctl.h>

#include "format.h"
#include "harness.h"

static const char *addr(int family, const char *text)
{
	static char out[ADDR_STRLEN];
	uint8_t a[16] = { 0 };

	inet_pton(family, text, a);
	return format_addr(out, sizeof(out), family, a);
}

static const char *addr_port(int family, const char *text, unsigned int port)
{
	static char out[ADDRPORT_STRLEN];
	uint8_t a[16] = { 0 };

	inet_pton(family, text, a);
	return format_addr_port(out, sizeof(out), family, a, port);
}

static const char *dur(uint32_t ms)
{
	static char out[DURATION_STRLEN];

	return format_duration(out, sizeof(out), ms);
}

static const char *dur_arg(uint32_t ms)
{
	static char out[DURATION_STRLEN];

	return format_duration_arg(out, sizeof(out), ms);
}

void test_format(void)
{
	uint8_t zero[16] = { 0 };
	char buf[64];

	t_str("addr v4", addr(AF_INET, "127.0.0.1"), "127.0.0.1");
	t_str("addr v4 zeros", addr(AF_INET, "10.0.0.0"), "10.0.0.0");
	t_str("addr v6 loopback", addr(AF_INET6, "::1"), "::1");
	t_str("addr v6 compressed", addr(AF_INET6, "2001:0db8:0:0:0:0:0:1"),
	      "2001:db8::1");
	t_str("addr v4-mapped as ss", addr(AF_INET6, "::ffff:127.0.0.1"),
	      "::ffff:127.0.0.1");
	t_str("addr unknown family", format_addr(buf, sizeof(buf), 99, zero),
	      "?");

	t_str("addr:port v4", addr_port(AF_INET, "10.0.0.1", 80), "10.0.0.1:80");
	t_str("addr:port v6 bracketed", addr_port(AF_INET6, "::1", 443),
	      "[::1]:443");
	t_str("addr:port mapped bracketed as ss",
	      addr_port(AF_INET6, "::ffff:127.0.0.1", 5000),
	      "[::ffff:127.0.0.1]:5000");
	t_str("addr:port longest v6",
	      addr_port(AF_INET6, "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", 65535),
	      "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535");

	t_str("duration 0", dur(0), "0ms");
	t_str("duration 999ms", dur(999), "999ms");
	t_str("duration 1s", dur(1000), "1.0s");
	t_str("duration truncates 59999", dur(59999), "59.9s");
	t_str("duration 1m", dur(60000), "1m00s");
	t_str("duration 2m05s", dur(125000), "2m05s");
	t_str("duration 59m59s", dur(3599999), "59m59s");
	t_str("duration 1h", dur(3600000), "1h00m");
	t_str("duration u32 max", dur(UINT32_MAX), "1193h02m");

	t_str("duration arg s", dur_arg(10000), "10s");
	t_str("duration arg m", dur_arg(120000), "2m");
	t_str("duration arg ms", dur_arg(1500), "1500ms");
	t_str("duration arg 0", dur_arg(0), "0ms");

	t_str("sanitize controls", sanitize(buf, sizeof(buf), "ab\tc\x1b[31m"),
	      "ab?c?[31m");
	t_str("sanitize non-ascii", sanitize(buf, sizeof(buf), "\xc3\xa9x"),
	      "??x");
	t_str("sanitize truncates", sanitize(buf, 4, "abcdef"), "abc");

	t_str("state name TW", state_name(TWCTL_STATE_TIME_WAIT), "TIME_WAIT");
	t_str("state name FW2", state_name(TWCTL_STATE_FIN_WAIT2), "FIN_WAIT2");
	t_str("state ss name TW", state_ss_name(TWCTL_STATE_TIME_WAIT),
	      "TIME-WAIT");
	t_str("state ss name FW2", state_ss_name(TWCTL_STATE_FIN_WAIT2),
	      "FIN-WAIT-2");
	t_true("state name unknown", state_name(1) == NULL);
	t_str("family inet", family_name(AF_INET), "inet");
	t_str("family inet6", family_name(AF_INET6), "inet6");
	t_true("family unknown", family_name(1) == NULL);
	t_str("recycle reason too-young",
	      recycle_reason_name(TWCTL_RECYCLE_TOO_YOUNG), "too-young");
	t_str("recycle reason fin-wait2",
	      recycle_reason_name(TWCTL_RECYCLE_FIN_WAIT2), "fin-wait2");
	t_true("recycle reason unknown", recycle_reason_name(4) == NULL);
	t_str("reuse reason not-loopback",
	      reuse_reason_name(TWCTL_REUSE_NOT_LOOPBACK), "not-loopback");
	t_str("reuse reason too-recent",
	      reuse_reason_name(TWCTL_REUSE_TOO_RECENT), "too-recent");
	t_true("reuse reason unknown", reuse_reason_name(6) == NULL);
	t_str("age source captured", age_source_name(TWCTL_AGE_SOURCE_CAPTURED),
	      "captured");
	t_str("age source timer", age_source_name(TWCTL_AGE_SOURCE_TIMER),
	      "timer");
	t_str("rto source assumed", rto_source_name(TWCTL_RTO_SOURCE_ASSUMED),
	      "assumed");
}

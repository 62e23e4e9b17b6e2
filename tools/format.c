// SPDX-License-Identifier: GPL-2.0-or-later
/* format.c - addresses, durations and enum names (see format.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/twctl.h>

#include "format.h"

char *fmt_u64(char *p, uint64_t v)
{
	char tmp[U64_STRLEN], *t = tmp + sizeof(tmp);
	size_t n;

	do {
		*--t = '0' + v % 10;
		v /= 10;
	} while (v);
	n = tmp + sizeof(tmp) - t;
	memcpy(p, t, n);
	return p + n;
}

char *fmt_u32(char *p, uint32_t v)
{
	/* The common short cases without the loop's divisions. */
	if (v < 10) {
		*p++ = '0' + v;
		return p;
	}
	return fmt_u64(p, v);
}

char *fmt_hex64(char *p, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[16], *t = tmp + sizeof(tmp);
	size_t n;

	do {
		*--t = digits[v & 15];
		v >>= 4;
	} while (v);
	n = tmp + sizeof(tmp) - t;
	memcpy(p, t, n);
	return p + n;
}

char *fmt_addr(char *p, unsigned int family, const uint8_t *addr)
{
	int i;

	if (family == AF_INET) {
		for (i = 0; i < 4; i++) {
			if (i)
				*p++ = '.';
			p = fmt_u32(p, addr[i]);
		}
		return p;
	}
	/* IPv6's zero compression is inet_ntop()'s; it needs no printf. */
	if (family == AF_INET6 && inet_ntop(AF_INET6, addr, p, ADDR_STRLEN))
		return p + strlen(p);
	*p++ = '?';
	return p;
}

char *fmt_addr_port(char *p, unsigned int family, const uint8_t *addr,
		    unsigned int port)
{
	if (family == AF_INET6)
		*p++ = '[';
	p = fmt_addr(p, family, addr);
	if (family == AF_INET6)
		*p++ = ']';
	*p++ = ':';
	return fmt_u32(p, port);
}

static char *fmt_2digits(char *p, uint32_t v)
{
	*p++ = '0' + v / 10 % 10;
	*p++ = '0' + v % 10;
	return p;
}

char *fmt_duration(char *p, uint32_t ms)
{
	uint32_t s = ms / 1000;

	if (ms < 1000) {
		p = fmt_u32(p, ms);
		*p++ = 'm';
	} else if (s < 60) {
		p = fmt_u32(p, s);
		*p++ = '.';
		*p++ = '0' + ms % 1000 / 100;
	} else if (s < 3600) {
		p = fmt_u32(p, s / 60);
		*p++ = 'm';
		p = fmt_2digits(p, s % 60);
	} else {
		p = fmt_u32(p, s / 3600);
		*p++ = 'h';
		p = fmt_2digits(p, s % 3600 / 60);
		*p++ = 'm';
		return p;
	}
	*p++ = 's';
	return p;
}

/* Copy text of n bytes to buf of len bytes, cut if need be. */
static const char *copy_out(char *buf, size_t len, const char *text,
			    size_t n)
{
	if (!len)
		return buf;
	if (n >= len)
		n = len - 1;
	memcpy(buf, text, n);
	buf[n] = '\0';
	return buf;
}

const char *format_addr(char *buf, size_t len, unsigned int family,
			const uint8_t *addr)
{
	char a[ADDR_STRLEN];

	return copy_out(buf, len, a, fmt_addr(a, family, addr) - a);
}

const char *format_addr_port(char *buf, size_t len, unsigned int family,
			     const uint8_t *addr, unsigned int port)
{
	char a[ADDRPORT_STRLEN];

	return copy_out(buf, len, a, fmt_addr_port(a, family, addr, port) - a);
}

const char *format_duration(char *buf, size_t len, uint32_t ms)
{
	char d[DURATION_STRLEN];

	return copy_out(buf, len, d, fmt_duration(d, ms) - d);
}

const char *format_duration_arg(char *buf, size_t len, uint32_t ms)
{
	if (ms && ms % 60000 == 0)
		snprintf(buf, len, "%um", ms / 60000);
	else if (ms && ms % 1000 == 0)
		snprintf(buf, len, "%us", ms / 1000);
	else
		snprintf(buf, len, "%ums", ms);
	return buf;
}

const char *sanitize(char *buf, size_t len, const char *s)
{
	size_t i;

	if (!len)
		return buf;
	/* Keep terminal escapes in a peer-controlled comm off the screen. */
	for (i = 0; s[i] && i + 1 < len; i++)
		buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

#define NAME(table, v) \
	((v) < sizeof(table) / sizeof(table[0]) ? table[v] : NULL)

const char *family_name(unsigned int family)
{
	if (family == AF_INET)
		return "inet";
	if (family == AF_INET6)
		return "inet6";
	return NULL;
}

const char *state_name(unsigned int state)
{
	if (state == TWCTL_STATE_TIME_WAIT)
		return "TIME_WAIT";
	if (state == TWCTL_STATE_FIN_WAIT2)
		return "FIN_WAIT2";
	return NULL;
}

const char *state_ss_name(unsigned int state)
{
	if (state == TWCTL_STATE_TIME_WAIT)
		return "TIME-WAIT";
	if (state == TWCTL_STATE_FIN_WAIT2)
		return "FIN-WAIT-2";
	return NULL;
}

const char *age_source_name(unsigned int v)
{
	static const char *const names[] = {
		[TWCTL_AGE_SOURCE_TIMER] = "timer",
		[TWCTL_AGE_SOURCE_CAPTURED] = "captured",
		[TWCTL_AGE_SOURCE_ENTRY_STAMP] = "entry_stamp",
	};
	return NAME(names, v);
}

const char *rto_source_name(unsigned int v)
{
	static const char *const names[] = {
		[TWCTL_RTO_SOURCE_ASSUMED] = "assumed",
		[TWCTL_RTO_SOURCE_CAPTURED] = "captured",
	};
	return NAME(names, v);
}

const char *recycle_reason_name(unsigned int v)
{
	static const char *const names[] = {
		[TWCTL_RECYCLE_ELIGIBLE] = "eligible",
		[TWCTL_RECYCLE_NO_TIMESTAMPS] = "no-timestamps",
		[TWCTL_RECYCLE_TOO_YOUNG] = "too-young",
		[TWCTL_RECYCLE_FIN_WAIT2] = "fin-wait2",
	};
	return NAME(names, v);
}

const char *reuse_reason_name(unsigned int v)
{
	static const char *const names[] = {
		[TWCTL_REUSE_ELIGIBLE] = "eligible",
		[TWCTL_REUSE_DISABLED] = "disabled",
		[TWCTL_REUSE_NOT_LOOPBACK] = "not-loopback",
		[TWCTL_REUSE_NO_TIMESTAMPS] = "no-timestamps",
		[TWCTL_REUSE_TOO_RECENT] = "too-recent",
		[TWCTL_REUSE_FIN_WAIT2] = "fin-wait2",
	};
	return NAME(names, v);
}

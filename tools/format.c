// SPDX-License-Identifier: GPL-2.0-or-later
/* format.c - addresses, durations and enum names (see format.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <sys/socket.h>

#include <linux/twctl.h>

#include "format.h"

const char *format_addr(char *buf, size_t len, unsigned int family,
			const uint8_t *addr)
{
	if ((family != AF_INET && family != AF_INET6) ||
	    !inet_ntop(family, addr, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

const char *format_addr_port(char *buf, size_t len, unsigned int family,
			     const uint8_t *addr, unsigned int port)
{
	char a[ADDR_STRLEN];

	format_addr(a, sizeof(a), family, addr);
	if (family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", a, port);
	else
		snprintf(buf, len, "%s:%u", a, port);
	return buf;
}

const char *format_duration(char *buf, size_t len, uint32_t ms)
{
	uint32_t s = ms / 1000;

	if (ms < 1000)
		snprintf(buf, len, "%ums", ms);
	else if (s < 60)
		snprintf(buf, len, "%u.%us", s, ms % 1000 / 100);
	else if (s < 3600)
		snprintf(buf, len, "%um%02us", s / 60, s % 60);
	else
		snprintf(buf, len, "%uh%02um", s / 3600, s % 3600 / 60);
	return buf;
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

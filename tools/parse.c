// SPDX-License-Identifier: GPL-2.0-or-later
/* parse.c - strict parsers for command-line values (see parse.h). */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <linux/twctl.h>

#include "error.h"
#include "parse.h"

/*
 * Digits of the given base in [s, end) to a u64. Returns -1 if there is no
 * digit or anything else, -2 on overflow. No sign, no blanks: strtoull()
 * would quietly accept " -1" as 18446744073709551615.
 */
static int parse_digits(const char *s, const char *end, unsigned int base,
			uint64_t *out)
{
	uint64_t v = 0;

	if (s >= end)
		return -1;
	for (; s < end; s++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return -1;
		if (d >= base)
			return -1;
		if (v > (UINT64_MAX - d) / base)
			return -2;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

static int port_between(const char *opt, const char *s, const char *end,
			uint16_t *port)
{
	uint64_t v;

	if (parse_digits(s, end, 10, &v) < 0 || v > 65535)
		return fail(EXIT_USAGE, "%s: '%.*s' is not a port (0-65535)",
			    opt, (int)(end - s), s);
	*port = v;
	return 0;
}

int parse_port(const char *opt, const char *s, uint16_t *port)
{
	return port_between(opt, s, s + strlen(s), port);
}

int parse_port_range(const char *opt, const char *s, uint16_t *lo,
		     uint16_t *hi)
{
	const char *dash = strchr(s, '-');
	const char *end = s + strlen(s);

	if (!dash) {
		if (port_between(opt, s, end, lo))
			return -1;
		*hi = *lo;
		return 0;
	}
	if (port_between(opt, s, dash, lo) ||
	    port_between(opt, dash + 1, end, hi))
		return -1;
	if (*lo > *hi)
		return fail(EXIT_USAGE,
			    "%s: '%s' is not a port range (%u is above %u)",
			    opt, s, *lo, *hi);
	return 0;
}

int parse_prefix(const char *opt, const char *s, struct tw_prefix *p)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *addr, *slash;
	unsigned int maxbits, i;
	bool bracketed = false;
	size_t alen;

	memset(p, 0, sizeof(*p));
	if (strchr(s, '%'))
		return fail(EXIT_USAGE,
			    "%s: '%s': scoped addresses (%%IFNAME) are not supported",
			    opt, s);

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close)
			goto bad;
		addr = s + 1;
		alen = close - addr;
		slash = close[1] == '/' ? close + 1 : NULL;
		if (close[1] && !slash)
			goto bad;
		bracketed = true;
	} else {
		addr = s;
		slash = strchr(s, '/');
		alen = slash ? (size_t)(slash - s) : strlen(s);
	}
	if (alen == 0 || alen >= sizeof(buf))
		goto bad;
	memcpy(buf, addr, alen);
	buf[alen] = '\0';

	if (!bracketed && inet_pton(AF_INET, buf, p->addr) == 1) {
		p->family = AF_INET;
		maxbits = 32;
	} else if (inet_pton(AF_INET6, buf, p->addr) == 1) {
		p->family = AF_INET6;
		maxbits = 128;
	} else {
		goto bad;
	}

	p->bits = maxbits;
	if (slash) {
		uint64_t v;
		const char *n = slash + 1;

		if (parse_digits(n, n + strlen(n), 10, &v) < 0 || v > maxbits)
			return fail(EXIT_USAGE,
				    "%s: '%s' has a bad prefix length (0-%u)",
				    opt, s, maxbits);
		p->bits = v;
	}

	/* Clear host bits so that 10.1.2.3/8 means exactly 10.0.0.0/8. */
	for (i = 0; i < maxbits / 8; i++) {
		unsigned int keep = p->bits > i * 8 ? p->bits - i * 8 : 0;

		if (keep < 8)
			p->addr[i] &= (uint8_t)(0xff00 >> keep);
	}
	return 0;
bad:
	return fail(EXIT_USAGE, "%s: '%s' is not an IPv4 or IPv6 address",
		    opt, s);
}

int parse_duration_ms(const char *opt, const char *s, uint32_t *ms)
{
	const char *p = s, *int_end, *frac = NULL, *frac_end = NULL;
	uint64_t unit, whole = 0, fraction = 0, scale = 1, total;
	int r;

	while (*p >= '0' && *p <= '9')
		p++;
	int_end = p;
	if (*p == '.') {
		frac = ++p;
		while (*p >= '0' && *p <= '9')
			p++;
		frac_end = p;
		if (frac == frac_end)
			goto bad;
	}

	if (!*p || !strcmp(p, "s"))
		unit = 1000;
	else if (!strcmp(p, "ms"))
		unit = 1;
	else if (!strcmp(p, "m"))
		unit = 60000;
	else
		goto bad;

	r = parse_digits(s, int_end, 10, &whole);
	if (r == -1)
		goto bad;
	if (r == -2 || whole > UINT32_MAX)
		goto too_long;

	if (frac) {
		/* Nine digits are finer than any unit can turn into ms. */
		if (frac_end - frac > 9) {
			const char *q;

			for (q = frac + 9; q < frac_end; q++)
				if (*q != '0')
					goto too_fine;
			frac_end = frac + 9;
		}
		parse_digits(frac, frac_end, 10, &fraction);
		for (p = frac; p < frac_end; p++)
			scale *= 10;
		if (fraction * unit % scale)
			goto too_fine;
	}

	total = whole * unit + fraction * unit / scale;
	if (total > UINT32_MAX)
		goto too_long;
	*ms = total;
	return 0;
bad:
	return fail(EXIT_USAGE,
		    "%s: '%s' is not a duration (e.g. 500ms, 1.5s, 2m)",
		    opt, s);
too_long:
	return fail(EXIT_USAGE,
		    "%s: '%s' is too long (at most 4294967295ms, about 49 days)",
		    opt, s);
too_fine:
	return fail(EXIT_USAGE, "%s: '%s' is finer than a millisecond",
		    opt, s);
}

int parse_cookie(const char *opt, const char *s, uint64_t *cookie)
{
	const char *digits = s;
	unsigned int base = 10;
	int r;

	if (!strncmp(s, "sk:", 3)) {
		digits = s + 3;
		base = 16;
	} else if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2)) {
		digits = s + 2;
		base = 16;
	}
	r = parse_digits(digits, digits + strlen(digits), base, cookie);
	if (r == -2)
		return fail(EXIT_USAGE, "%s: '%s' does not fit in 64 bits",
			    opt, s);
	if (r < 0)
		return fail(EXIT_USAGE,
			    "%s: '%s' is not a socket cookie (decimal, 0xHEX or sk:HEX)",
			    opt, s);
	return 0;
}

int parse_state(const char *opt, const char *s, uint32_t *mask)
{
	char norm[16];
	size_t n = 0;
	const char *p;

	/* Accept ss's TIME-WAIT, the JSON's TIME_WAIT and lazy timewait. */
	for (p = s; *p; p++) {
		if (*p == '-' || *p == '_')
			continue;
		if (n + 1 >= sizeof(norm))
			goto bad;
		norm[n++] = tolower((unsigned char)*p);
	}
	norm[n] = '\0';

	if (!strcmp(norm, "timewait")) {
		*mask |= 1U << TWCTL_STATE_TIME_WAIT;
		return 0;
	}
	if (!strcmp(norm, "finwait2")) {
		*mask |= 1U << TWCTL_STATE_FIN_WAIT2;
		return 0;
	}
bad:
	return fail(EXIT_USAGE,
		    "%s: '%s' is not a state (time-wait or fin-wait2)", opt, s);
}

int parse_count(const char *opt, const char *s, uint32_t min, uint32_t max,
		uint32_t *out)
{
	uint64_t v;

	if (parse_digits(s, s + strlen(s), 10, &v) < 0 || v < min || v > max)
		return fail(EXIT_USAGE,
			    "%s: '%s' is not a number from %u to %u",
			    opt, s, min, max);
	*out = v;
	return 0;
}

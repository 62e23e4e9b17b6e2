/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * parse.h - strict parsers for the values given on the command line.
 *
 * Each parser takes the option name only to word its error message, records
 * the message with fail(EXIT_USAGE, ...) and returns -1 on bad input. They
 * accept nothing that strtoul() would forgive: no sign, no blanks, no
 * trailing garbage, no silent wrap-around.
 */
#ifndef TWCTL_PARSE_H
#define TWCTL_PARSE_H

#include <stdbool.h>
#include <stdint.h>

/* An address with a prefix length, as given to --laddr/--raddr. */
struct tw_prefix {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t bits;		/* prefix length; full length if none given */
	uint8_t addr[16];	/* network order, host bits cleared */
};

static inline unsigned int family_addr_len(unsigned int family)
{
	return family == 2 /* AF_INET */ ? 4 : 16;
}

int parse_port(const char *opt, const char *s, uint16_t *port);
/* "P" gives lo == hi == P; "P-Q" requires P <= Q. */
int parse_port_range(const char *opt, const char *s, uint16_t *lo,
		     uint16_t *hi);
/* "A", "A/N", "[A6]", "[A6]/N"; IPv4 or IPv6. */
int parse_prefix(const char *opt, const char *s, struct tw_prefix *p);
/* NUMBER[.FRACTION][ms|s|m]; a bare number is seconds. */
int parse_duration_ms(const char *opt, const char *s, uint32_t *ms);
/* Decimal, 0xHEX, or ss's sk:HEX. */
int parse_cookie(const char *opt, const char *s, uint64_t *cookie);
/* time-wait, timewait, fin-wait2, fin-wait-2, ...: ORs 1 << state in. */
int parse_state(const char *opt, const char *s, uint32_t *mask);
/* A decimal count in [min, max]. */
int parse_count(const char *opt, const char *s, uint32_t min, uint32_t max,
		uint32_t *out);

#endif

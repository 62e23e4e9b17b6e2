/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * format.h - how addresses, durations and enum values are written.
 *
 * Addresses print exactly as `ss -n` prints them, so that output of the two
 * tools can be compared and grepped together.
 */
#ifndef TWCTL_FORMAT_H
#define TWCTL_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#define ADDR_STRLEN	46	/* INET6_ADDRSTRLEN */
#define ADDRPORT_STRLEN	(ADDR_STRLEN + 8)	/* "[" addr "]:" port */
#define DURATION_STRLEN	24
#define U64_STRLEN	21	/* 18446744073709551615 and a NUL */

/*
 * The fmt_*() writers put their text at p, without a NUL, and return the
 * end: a listing formats every entry with them into one line buffer, as
 * printf() per field would dominate the tool's time at 100,000 entries.
 * p must have room for the longest form (U64_STRLEN, ADDR_STRLEN, ...).
 */
char *fmt_u32(char *p, uint32_t v);
char *fmt_u64(char *p, uint64_t v);
char *fmt_hex64(char *p, uint64_t v);
/* As inet_ntop(), "?" for an unknown family. */
char *fmt_addr(char *p, unsigned int family, const uint8_t *addr);
/* As format_addr_port(). */
char *fmt_addr_port(char *p, unsigned int family, const uint8_t *addr,
		    unsigned int port);
/* As format_duration(). */
char *fmt_duration(char *p, uint32_t ms);

/* inet_ntop(); "?" for an unknown family. */
const char *format_addr(char *buf, size_t len, unsigned int family,
			const uint8_t *addr);
/* addr:port, with IPv6 in brackets as ss does: [::1]:80. */
const char *format_addr_port(char *buf, size_t len, unsigned int family,
			     const uint8_t *addr, unsigned int port);
/* A human duration: 850ms, 59.9s, 2m05s, 3h07m (truncated, never rounded up). */
const char *format_duration(char *buf, size_t len, uint32_t ms);
/* A duration as the command line accepts it, exact: 10s, 2m, 1500ms. */
const char *format_duration_arg(char *buf, size_t len, uint32_t ms);
/* Copy with every byte outside printable ASCII replaced by '?'. */
const char *sanitize(char *buf, size_t len, const char *s);

/* Names; NULL when the value is unknown to this tool. */
const char *family_name(unsigned int family);		/* inet, inet6 */
const char *state_name(unsigned int state);		/* TIME_WAIT */
const char *state_ss_name(unsigned int state);		/* TIME-WAIT, as ss */
const char *age_source_name(unsigned int v);	/* captured, timer, entry_stamp */
const char *rto_source_name(unsigned int v);		/* captured, assumed */
const char *recycle_reason_name(unsigned int v);
const char *reuse_reason_name(unsigned int v);

#endif

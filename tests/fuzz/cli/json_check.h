/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * json_check.h - a strict RFC 8259 validator for the fuzz targets: the
 * JSON twctl prints must parse whatever the kernel sent. Returns the end
 * of one value, or NULL if the text there is not valid JSON.
 */
#ifndef TWCTL_JSON_CHECK_H
#define TWCTL_JSON_CHECK_H

#include <stdbool.h>
#include <string.h>

static const char *jc_value(const char *p, const char *end, int depth);

static const char *jc_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static bool jc_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static const char *jc_string(const char *p, const char *end)
{
	if (p >= end || *p++ != '"')
		return NULL;
	while (p < end && *p != '"') {
		unsigned char c = *p++;

		if (c < 0x20)
			return NULL;
		if (c != '\\')
			continue;
		if (p >= end)
			return NULL;
		c = *p++;
		if (c == 'u') {
			int i;

			for (i = 0; i < 4; i++)
				if (p >= end || !jc_hex(*p++))
					return NULL;
		} else if (!strchr("\"\\/bfnrt", c)) {
			return NULL;
		}
	}
	return p < end ? p + 1 : NULL;
}

static const char *jc_number(const char *p, const char *end)
{
	const char *start;

	if (p < end && *p == '-')
		p++;
	if (p < end && *p == '0') {
		p++;
	} else {
		start = p;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
		if (p == start || *start == '0')
			return NULL;
	}
	if (p < end && *p == '.') {
		start = ++p;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
		if (p == start)
			return NULL;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		start = p;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
		if (p == start)
			return NULL;
	}
	return p;
}

static const char *jc_container(const char *p, const char *end, int depth,
				char close, bool object)
{
	p = jc_ws(p + 1, end);
	if (p < end && *p == close)
		return p + 1;
	for (;;) {
		if (object) {
			p = jc_string(jc_ws(p, end), end);
			if (!p)
				return NULL;
			p = jc_ws(p, end);
			if (p >= end || *p++ != ':')
				return NULL;
		}
		p = jc_value(p, end, depth + 1);
		if (!p)
			return NULL;
		p = jc_ws(p, end);
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		return p < end && *p == close ? p + 1 : NULL;
	}
}

static const char *jc_value(const char *p, const char *end, int depth)
{
	static const char *const words[] = { "true", "false", "null" };
	unsigned int i;

	if (depth > 64)
		return NULL;
	p = jc_ws(p, end);
	if (p >= end)
		return NULL;
	switch (*p) {
	case '{':
		return jc_container(p, end, depth, '}', true);
	case '[':
		return jc_container(p, end, depth, ']', false);
	case '"':
		return jc_string(p, end);
	}
	for (i = 0; i < 3; i++) {
		size_t n = strlen(words[i]);

		if ((size_t)(end - p) >= n && !memcmp(p, words[i], n))
			return p + n;
	}
	return jc_number(p, end);
}

/* The whole text is one JSON value per line (lines: JSON Lines, as watch). */
static inline bool json_valid(const char *s, size_t len, bool lines)
{
	const char *p = s, *end = s + len;

	do {
		p = jc_value(p, end, 0);
		if (!p)
			return false;
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
			p++;
		if (p < end && *p != '\n')
			return false;
		if (p < end)
			p++;
	} while (lines && p < end);
	return jc_ws(p, end) == end;
}

#endif

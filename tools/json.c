// SPDX-License-Identifier: GPL-2.0-or-later
/* json.c - a tiny streaming JSON writer (see json.h). */
#include <inttypes.h>
#include <string.h>

#include "format.h"
#include "json.h"

void json_init(struct json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->has_items = 0;
	j->pretty = false;
	j->after_key = false;
	j->len = 0;
}

void json_flush(struct json *j)
{
	if (j->len)
		fwrite_unlocked(j->buf, 1, j->len, j->f);
	j->len = 0;
}

static void put(struct json *j, const void *s, size_t n)
{
	if (j->len + n > sizeof(j->buf)) {
		json_flush(j);
		if (n > sizeof(j->buf)) {
			fwrite_unlocked(s, 1, n, j->f);
			return;
		}
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
}

static void putch(struct json *j, char c)
{
	if (j->len == sizeof(j->buf))
		json_flush(j);
	j->buf[j->len++] = c;
}

static void json_newline(struct json *j, unsigned int depth)
{
	static const char spaces[] = "                                ";
	unsigned int n = depth * 4;

	putch(j, '\n');
	for (; n > sizeof(spaces) - 1; n -= sizeof(spaces) - 1)
		put(j, spaces, sizeof(spaces) - 1);
	put(j, spaces, n);
}

static void write_string(struct json *j, const char *s);

/* Separator and key before a value at the current depth. */
static void json_begin_value(struct json *j, const char *key)
{
	uint32_t bit = 1U << j->depth;

	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->has_items & bit)
		putch(j, ',');
	j->has_items |= bit;
	if (j->pretty && j->depth)
		json_newline(j, j->depth);
	if (key) {
		/* Keys are this tool's own words: nothing to escape. */
		putch(j, '"');
		put(j, key, strlen(key));
		if (j->pretty)
			put(j, "\": ", 3);
		else
			put(j, "\":", 2);
	}
}

static void json_open(struct json *j, const char *key, char c)
{
	json_begin_value(j, key);
	putch(j, c);
	if (j->depth + 1 < JSON_MAX_DEPTH)
		j->depth++;
	j->has_items &= ~(1U << j->depth);
}

/*
 * A closed top-level value, or a closed element of a top-level array (an
 * entry of a listing), goes to the FILE: whole, and at once.
 */
static void json_close(struct json *j, char c)
{
	if (j->pretty && (j->has_items & (1U << j->depth)) && j->depth)
		json_newline(j, j->depth - 1);
	putch(j, c);
	j->has_items &= ~(1U << j->depth);
	if (j->depth)
		j->depth--;
	if (j->depth <= 1)
		json_flush(j);
}

void json_open_object(struct json *j, const char *key)
{
	json_open(j, key, '{');
}

void json_close_object(struct json *j)
{
	json_close(j, '}');
}

void json_open_array(struct json *j, const char *key)
{
	json_open(j, key, '[');
}

void json_close_array(struct json *j)
{
	json_close(j, ']');
}

void json_key(struct json *j, const char *key)
{
	json_begin_value(j, key);
	j->after_key = true;
}

void json_string(struct json *j, const char *key, const char *s)
{
	json_begin_value(j, key);
	write_string(j, s);
}

void json_u64(struct json *j, const char *key, uint64_t v)
{
	char buf[U64_STRLEN];

	json_begin_value(j, key);
	put(j, buf, fmt_u64(buf, v) - buf);
}

void json_bool(struct json *j, const char *key, bool v)
{
	json_begin_value(j, key);
	if (v)
		put(j, "true", 4);
	else
		put(j, "false", 5);
}

void json_null(struct json *j, const char *key)
{
	json_begin_value(j, key);
	put(j, "null", 4);
}

void json_number(struct json *j, const char *key, const char *text)
{
	json_begin_value(j, key);
	put(j, text, strlen(text));
}

/*
 * Length of the valid UTF-8 sequence at s, or 0. Rejects overlong forms,
 * surrogates and code points above U+10FFFF, as RFC 3629 requires.
 */
static int utf8_len(const unsigned char *s)
{
	unsigned int cp;
	int n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;	/* also stops at the terminating NUL */
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/* Bytes that write_string() writes as they are: printable ASCII. */
static bool is_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

static size_t plain_len(const unsigned char *s)
{
	static bool plain[256];
	const unsigned char *p = s;
	unsigned int c;

	if (!plain['a'])
		for (c = 0; c < 256; c++)
			plain[c] = is_plain(c);
	while (plain[*p])
		p++;
	return p - s;
}

static void write_string(struct json *j, const char *str)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t plain;

	putch(j, '"');
	while (*s) {
		unsigned char c = *s;
		int n;

		/* Keys, addresses and names: all of it at once. */
		plain = plain_len(s);
		if (plain) {
			put(j, s, plain);
			s += plain;
			continue;
		}
		switch (c) {
		case '"':  put(j, "\\\"", 2); s++; continue;
		case '\\': put(j, "\\\\", 2); s++; continue;
		case '\b': put(j, "\\b", 2); s++; continue;
		case '\f': put(j, "\\f", 2); s++; continue;
		case '\n': put(j, "\\n", 2); s++; continue;
		case '\r': put(j, "\\r", 2); s++; continue;
		case '\t': put(j, "\\t", 2); s++; continue;
		}
		if (c < 0x20 || c == 0x7f) {
			char u[6] = { '\\', 'u', '0', '0' };

			u[4] = hex[c >> 4];
			u[5] = hex[c & 15];
			put(j, u, 6);
			s++;
		} else if ((n = utf8_len(s)) > 0) {
			put(j, s, n);
			s += n;
		} else {
			put(j, "\\ufffd", 6);
			s++;
		}
	}
	putch(j, '"');
}

void json_write_string(FILE *f, const char *s)
{
	struct json j;

	json_init(&j, f);
	write_string(&j, s);
	json_flush(&j);
}

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
}

static void json_newline(struct json *j, unsigned int depth)
{
	static const char spaces[] = "                                ";
	unsigned int n = depth * 4;

	putc_unlocked('\n', j->f);
	for (; n > sizeof(spaces) - 1; n -= sizeof(spaces) - 1)
		fwrite_unlocked(spaces, 1, sizeof(spaces) - 1, j->f);
	fwrite_unlocked(spaces, 1, n, j->f);
}

/* Separator and key before a value at the current depth. */
static void json_begin_value(struct json *j, const char *key)
{
	uint32_t bit = 1U << j->depth;

	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->has_items & bit)
		putc_unlocked(',', j->f);
	j->has_items |= bit;
	if (j->pretty && j->depth)
		json_newline(j, j->depth);
	if (key) {
		json_write_string(j->f, key);
		putc_unlocked(':', j->f);
		if (j->pretty)
			putc_unlocked(' ', j->f);
	}
}

static void json_open(struct json *j, const char *key, char c)
{
	json_begin_value(j, key);
	putc_unlocked(c, j->f);
	if (j->depth + 1 < JSON_MAX_DEPTH)
		j->depth++;
	j->has_items &= ~(1U << j->depth);
}

static void json_close(struct json *j, char c)
{
	if (j->pretty && (j->has_items & (1U << j->depth)) && j->depth)
		json_newline(j, j->depth - 1);
	putc_unlocked(c, j->f);
	j->has_items &= ~(1U << j->depth);
	if (j->depth)
		j->depth--;
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
	json_write_string(j->f, s);
}

void json_u64(struct json *j, const char *key, uint64_t v)
{
	char buf[U64_STRLEN];

	json_begin_value(j, key);
	fwrite_unlocked(buf, 1, fmt_u64(buf, v) - buf, j->f);
}

void json_bool(struct json *j, const char *key, bool v)
{
	json_begin_value(j, key);
	if (v)
		fwrite_unlocked("true", 1, 4, j->f);
	else
		fwrite_unlocked("false", 1, 5, j->f);
}

void json_null(struct json *j, const char *key)
{
	json_begin_value(j, key);
	fwrite_unlocked("null", 1, 4, j->f);
}

void json_number(struct json *j, const char *key, const char *text)
{
	json_begin_value(j, key);
	fputs(text, j->f);
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

/* Bytes that json_write_string() writes as they are: printable ASCII. */
static size_t plain_len(const unsigned char *s)
{
	const unsigned char *p = s;

	while (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\')
		p++;
	return p - s;
}

void json_write_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t plain = plain_len(s);

	/* Keys, addresses and names: nothing to escape. */
	if (!s[plain]) {
		putc_unlocked('"', f);
		fwrite_unlocked(s, 1, plain, f);
		putc_unlocked('"', f);
		return;
	}
	fputc('"', f);
	while (*s) {
		unsigned char c = *s;
		int n;

		switch (c) {
		case '"':  fputs("\\\"", f); s++; continue;
		case '\\': fputs("\\\\", f); s++; continue;
		case '\b': fputs("\\b", f); s++; continue;
		case '\f': fputs("\\f", f); s++; continue;
		case '\n': fputs("\\n", f); s++; continue;
		case '\r': fputs("\\r", f); s++; continue;
		case '\t': fputs("\\t", f); s++; continue;
		}
		if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
			s++;
		} else if (c < 0x80) {
			fputc(c, f);
			s++;
		} else if ((n = utf8_len(s)) > 0) {
			fwrite(s, 1, n, f);
			s += n;
		} else {
			fputs("\\ufffd", f);
			s++;
		}
	}
	fputc('"', f);
}

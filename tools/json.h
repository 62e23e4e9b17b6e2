/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * json.h - a tiny streaming JSON writer.
 *
 * It writes compact JSON straight to a FILE (or indented, with pretty set,
 * for -p) and keeps only the comma state of the open containers, so memory
 * does not grow with the output. Numbers and plain keys are written without
 * printf: a listing writes a dozen of them per entry. Strings
 * are escaped per RFC 8259; bytes that are not valid UTF-8 become U+FFFD so
 * the output always parses, whatever a process put in its comm.
 */
#ifndef TWCTL_JSON_H
#define TWCTL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *f;
	unsigned int depth;
	uint32_t has_items;	/* bit d: container at depth d is not empty */
	bool pretty;		/* one member per line, indented 4 per level */
	bool after_key;		/* json_key() wrote the next value's key */
	size_t len;		/* bytes in buf, not yet written to f */
	char buf[4096];
};

/* Compact output; set j->pretty afterwards for indented output. */
void json_init(struct json *j, FILE *f);

/*
 * key is required inside an object and must be NULL inside an array. Keys
 * are written as they are (printable ASCII without '"' or '\\': this
 * tool's own words); string values are escaped.
 */
void json_open_object(struct json *j, const char *key);
void json_close_object(struct json *j);
void json_open_array(struct json *j, const char *key);
void json_close_array(struct json *j);

/* A member's key alone: the next open_array/open_object is its value. */
void json_key(struct json *j, const char *key);
void json_string(struct json *j, const char *key, const char *s);
void json_u64(struct json *j, const char *key, uint64_t v);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);
/* A number already formatted by the caller, e.g. "12.5". */
void json_number(struct json *j, const char *key, const char *text);

/*
 * Write what is buffered to the FILE. Output is gathered in buf and
 * written when a top-level value or an element of a top-level array (one
 * entry of a listing) closes: one write per entry, not one per token.
 * Call it before writing to the FILE directly with a value still open.
 */
void json_flush(struct json *j);

/* Write s as a quoted, escaped JSON string. */
void json_write_string(FILE *f, const char *s);

#endif

// SPDX-License-Identifier: GPL-2.0-or-later
/* test_json.c - the JSON writer: escaping, UTF-8 hygiene, u64, commas. */
#include <stdio.h>

#include "harness.h"
#include "json.h"

static const char *escaped(const char *s)
{
	FILE *f = tmpfile();
	static char out[512];

	json_write_string(f, s);
	snprintf(out, sizeof(out), "%s", t_slurp(f));
	fclose(f);
	return out;
}

void test_json(void)
{
	struct json j;
	FILE *f;

	t_str("json plain", escaped("abc"), "\"abc\"");
	t_str("json empty", escaped(""), "\"\"");
	t_str("json quote and backslash", escaped("a\"b\\c"),
	      "\"a\\\"b\\\\c\"");
	t_str("json short escapes", escaped("\n\t\r\b\f"),
	      "\"\\n\\t\\r\\b\\f\"");
	t_str("json control chars", escaped("\x01\x1f\x7f"),
	      "\"\\u0001\\u001f\\u007f\"");
	t_str("json slash unescaped", escaped("a/b"), "\"a/b\"");
	t_str("json utf8 2-byte kept", escaped("caf\xc3\xa9"),
	      "\"caf\xc3\xa9\"");
	t_str("json utf8 3-byte kept", escaped("\xe2\x82\xac"),
	      "\"\xe2\x82\xac\"");
	t_str("json utf8 4-byte kept", escaped("\xf0\x9f\x98\x80"),
	      "\"\xf0\x9f\x98\x80\"");
	t_str("json invalid byte replaced", escaped("a\xff" "b"),
	      "\"a\\ufffdb\"");
	t_str("json truncated sequence replaced", escaped("x\xc3"),
	      "\"x\\ufffd\"");
	t_str("json overlong replaced", escaped("\xc0\xaf"),
	      "\"\\ufffd\\ufffd\"");
	t_str("json surrogate replaced", escaped("\xed\xa0\x80"),
	      "\"\\ufffd\\ufffd\\ufffd\"");
	t_str("json above U+10FFFF replaced", escaped("\xf4\x90\x80\x80"),
	      "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");

	f = tmpfile();
	json_init(&j, f);
	json_open_object(&j, NULL);
	json_u64(&j, "max", UINT64_MAX);
	json_u64(&j, "zero", 0);
	json_string(&j, "s", "x\"y");
	json_bool(&j, "t", true);
	json_bool(&j, "f", false);
	json_null(&j, "n");
	json_number(&j, "pct", "12.5");
	json_open_array(&j, "a");
	json_u64(&j, NULL, 1);
	json_open_object(&j, NULL);
	json_close_object(&j);
	json_open_array(&j, NULL);
	json_close_array(&j);
	json_string(&j, NULL, "z");
	json_close_array(&j);
	json_open_object(&j, "o");
	json_u64(&j, "k", 2);
	json_close_object(&j);
	json_close_object(&j);
	t_str("json document", t_slurp(f),
	      "{\"max\":18446744073709551615,\"zero\":0,\"s\":\"x\\\"y\","
	      "\"t\":true,\"f\":false,\"n\":null,\"pct\":12.5,"
	      "\"a\":[1,{},[],\"z\"],\"o\":{\"k\":2}}");
	fclose(f);

	f = tmpfile();
	json_init(&j, f);
	json_open_array(&j, NULL);
	json_close_array(&j);
	t_str("json empty array", t_slurp(f), "[]");
	fclose(f);
}

/*
 * test_escape.c - UTF-8 validation and the JSON/logfmt/XML escaping of one
 * string at a time: quotes, backslashes, control characters, valid
 * multi-byte characters and every kind of invalid UTF-8 (stray
 * continuation bytes, overlong forms, surrogates, code points above
 * U+10FFFF, truncated sequences).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lib/escape.h"

/* escape a whole string with escape_unit() */
static void
escape_all(enum escape_style style, const char *s, char *out, size_t outlen)
{
	char u[ESCAPE_UNIT_MAX];
	size_t n = 0;

	while (*s) {
		size_t used = escape_unit(style, s, u), ul = strlen(u);

		assert_true(used >= 1 && used <= 4);
		assert_true(ul < ESCAPE_UNIT_MAX);
		assert_true(n + ul < outlen);
		memcpy(out + n, u, ul);
		n += ul;
		s += used;
	}
	out[n] = '\0';
}

static void
test_utf8_len(void **state)
{
	static const struct {
		const char *in;
		size_t want;
	} cases[] = {
		{ "a", 1 },
		{ "\x7f", 1 },
		{ "\xc3\xa9", 2 },		/* é */
		{ "\xe2\x82\xac", 3 },		/* € */
		{ "\xf0\x9f\x93\xa7", 4 },	/* U+1F4E7 */
		{ "\xf4\x8f\xbf\xbf", 4 },	/* U+10FFFF, the last code point */
		{ "\xed\x9f\xbf", 3 },		/* U+D7FF, just below the surrogates */
		{ "\xee\x80\x80", 3 },		/* U+E000, just above them */
		{ "\x80", 0 },			/* continuation byte alone */
		{ "\xbf", 0 },
		{ "\xc0\x80", 0 },		/* overlong NUL */
		{ "\xc1\xbf", 0 },		/* overlong */
		{ "\xe0\x80\xaf", 0 },		/* overlong '/' */
		{ "\xe0\x9f\xbf", 0 },		/* overlong, 3 bytes */
		{ "\xf0\x8f\xbf\xbf", 0 },	/* overlong, 4 bytes */
		{ "\xed\xa0\x80", 0 },		/* U+D800, a surrogate */
		{ "\xed\xbf\xbf", 0 },		/* U+DFFF */
		{ "\xf4\x90\x80\x80", 0 },	/* U+110000 */
		{ "\xf5\x80\x80\x80", 0 },
		{ "\xff", 0 },
		{ "\xfe", 0 },
		{ "\xc3", 0 },			/* truncated by the end */
		{ "\xe2\x82", 0 },
		{ "\xf0\x9f\x93", 0 },
		{ "\xc3(", 0 },			/* truncated by an ASCII byte */
		{ "\xe2\x28\xa1", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t got = escape_utf8_len((const unsigned char *)cases[i].in, strlen(cases[i].in));

		if (got != cases[i].want)
			fail_msg("case %zu: length %zu, want %zu", i, got, cases[i].want);
	}
	assert_int_equal(escape_utf8_len((const unsigned char *)"", 0), 0);
	/* the length limit is honoured even when more bytes follow in memory */
	assert_int_equal(escape_utf8_len((const unsigned char *)"\xc3\xa9", 1), 0);
}

static void
test_escape(void **state)
{
	static const struct {
		const char *in;
		const char *json;
		const char *logfmt;
	} cases[] = {
		{ "plain", "plain", "plain" },
		{ "a\"b", "a\\\"b", "a\\\"b" },
		{ "back\\slash", "back\\\\slash", "back\\\\slash" },
		{ "two\nlines\r\n", "two\\nlines\\r\\n", "two\\nlines\\r\\n" },
		{ "tab\there", "tab\\there", "tab\\there" },
		{ "\x01\x1f\x7f", "\\u0001\\u001f\\u007f", "\\x01\\x1f\\x7f" },
		{ "\x1b[31mred", "\\u001b[31mred", "\\x1b[31mred" },
		{ "caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac" },
		{ "\xf0\x9f\x93\xa7", "\xf0\x9f\x93\xa7", "\xf0\x9f\x93\xa7" },
		/* Latin-1 bytes in a configuration file: not UTF-8 */
		{ "caf\xe9", "caf\\ufffd", "caf\\xe9" },
		{ "\xff\xfe", "\\ufffd\\ufffd", "\\xff\\xfe" },
		/* a truncated sequence: each byte replaced, the next char kept */
		{ "\xe2\x82x", "\\ufffd\\ufffdx", "\\xe2\\x82x" },
		{ "\xc3\"", "\\ufffd\\\"", "\\xc3\\\"" },
		{ "\xed\xa0\x80", "\\ufffd\\ufffd\\ufffd", "\\xed\\xa0\\x80" },
		{ "\xc0\xaf", "\\ufffd\\ufffd", "\\xc0\\xaf" },
		{ "\xf4\x90\x80\x80", "\\ufffd\\ufffd\\ufffd\\ufffd", "\\xf4\\x90\\x80\\x80" },
		{ "\x80\xc3\xa9", "\\ufffd\xc3\xa9", "\\x80\xc3\xa9" },
	};
	char out[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		escape_all(ESCAPE_JSON, cases[i].in, out, sizeof(out));
		if (strcmp(out, cases[i].json) != 0)
			fail_msg("case %zu json: got \"%s\", want \"%s\"", i, out, cases[i].json);
		escape_all(ESCAPE_LOGFMT, cases[i].in, out, sizeof(out));
		if (strcmp(out, cases[i].logfmt) != 0)
			fail_msg("case %zu logfmt: got \"%s\", want \"%s\"", i, out, cases[i].logfmt);
	}
}

/* XML: markup as entities, whitespace controls as references, what XML 1.0
 * cannot hold as U+FFFD. */
static void
test_escape_xml(void **state)
{
	static const struct {
		const char *in;
		const char *xml;
	} cases[] = {
		{ "plain", "plain" },
		{ "a<b>&\"c\"'d'", "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;" },
		{ "two\nlines\r\n\tx", "two&#10;lines&#13;&#10;&#9;x" },
		{ "back\\slash", "back\\slash" },
		{ "\x01\x1b[31m\x7f", "\xef\xbf\xbd\xef\xbf\xbd[31m\x7f" },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa7", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa7" },
		{ "caf\xe9", "caf\xef\xbf\xbd" },
		{ "\xe2\x82x", "\xef\xbf\xbd\xef\xbf\xbdx" },
		/* U+FFFD itself is kept; U+FFFE and U+FFFF are not XML characters */
		{ "\xef\xbf\xbd\xef\xbf\xbe\xef\xbf\xbf.", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd." },
		{ "\xef\xbf\xbc", "\xef\xbf\xbc" },	/* U+FFFC, just below */
	};
	char out[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		escape_all(ESCAPE_XML, cases[i].in, out, sizeof(out));
		if (strcmp(out, cases[i].xml) != 0)
			fail_msg("case %zu xml: got \"%s\", want \"%s\"", i, out, cases[i].xml);
	}
}

/* Every byte value, alone and before an ASCII byte: the JSON output is ASCII
 * or valid UTF-8 and has no raw control character. */
static void
test_every_byte(void **state)
{
	char in[3], out[64];

	for (int b = 1; b < 256; b++) {
		in[0] = (char)b;
		in[1] = 'x';
		in[2] = '\0';
		escape_all(ESCAPE_JSON, in, out, sizeof(out));
		for (size_t i = 0; out[i]; ) {
			size_t n = escape_utf8_len((const unsigned char *)out + i, strlen(out + i));

			if (n == 0 || (unsigned char)out[i] < 0x20)
				fail_msg("byte 0x%02x: invalid output \"%s\"", b, out);
			i += n;
		}
		assert_int_equal(out[strlen(out) - 1], 'x');
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_len),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_escape_xml),
		cmocka_unit_test(test_every_byte),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

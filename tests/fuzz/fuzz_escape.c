/*
 * fuzz_escape.c - JSON, logfmt and XML escaping of arbitrary bytes
 * (lib/escape.c), with the invariants the log and the audit rely on: every
 * call consumes 1 to 4 bytes, an escaped unit fits ESCAPE_UNIT_MAX, and the
 * output is valid UTF-8 without control characters or bare quotes (XML:
 * no bare markup character either, and no U+FFFE/U+FFFF).  The
 * input is a NUL-terminated copy of the data (a string, as the log gets it).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/escape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(enum escape_style style, const char *s)
{
	char u[ESCAPE_UNIT_MAX];

	while (*s) {
		size_t used = escape_unit(style, s, u), n = strlen(u);

		if (used < 1 || used > 4 || used > strlen(s) || n == 0 || n >= ESCAPE_UNIT_MAX)
			abort();
		for (size_t i = 0; i < n; ) {
			size_t l = escape_utf8_len((const unsigned char *)u + i, n - i);

			if (l == 0 || (unsigned char)u[i] < 0x20)
				abort();
			if (u[i] == '"' && (i == 0 || u[i - 1] != '\\'))
				abort();
			if (style == ESCAPE_XML && (strchr("<>'", u[i]) || (u[i] == '&' && i != 0)
						    || (l == 3 && memcmp(u + i, "\xef\xbf", 2) == 0
							&& (unsigned char)u[i + 2] >= 0xbe)))
				abort();
			i += l;
		}
		s += used;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check(ESCAPE_JSON, s);
	check(ESCAPE_LOGFMT, s);
	check(ESCAPE_XML, s);
	free(s);
	return 0;
}

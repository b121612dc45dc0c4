/*
 * fuzz_postfix_table.c - the table readers of collectors/postfix/
 * postfix_table.h on arbitrary text.  The first byte picks the format
 * (postmap source, inline:, pcre:, regexp:), the first line after it is
 * a key to look up, the rest is the table.  Parsing reports problems and
 * never crashes; lookups return NUL-terminated text that fits the buffer;
 * the pattern analysis of every rule answers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/postfix/postfix_table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct postfix_diags d = { 0 };
	char *buf, *key, *text, *nl, out[64];
	size_t tlen;

	if (size < 1 || size > 65536)
		return 0;
	if ((buf = malloc(size)) == NULL)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	key = buf;
	nl = strchr(buf, '\n');
	text = nl ? nl + 1 : buf + size - 1;
	if (nl)
		*nl = '\0';
	tlen = strlen(text);
	switch (data[0] % 4) {
	case 0:
	case 1: {
		struct postfix_map m = { 0 };

		if (data[0] % 4 == 0)
			postfix_map_parse(&m, text, tlen, "t", &d);
		else
			postfix_map_parse_inline(&m, text, "t", &d);
		for (size_t i = 0; i < m.n; i++)
			if (postfix_map_get(&m, m.v[i].key) != m.v[i].value)
				abort();	/* keys are unique, the first kept */
		(void)postfix_map_get(&m, key);
		postfix_map_free(&m);
		break;
	}
	default: {
		struct postfix_regex_table t;

		if (postfix_regex_table_parse(&t, data[0] % 4 == 2, text, tlen, "t", &d) == 0) {
			const char *v = postfix_regex_table_lookup(&t, key, out, sizeof(out), NULL);

			if (v != NULL && memchr(out, '\0', sizeof(out)) == NULL)
				abort();
			for (size_t i = 0; i < t.n; i++) {
				if (t.v[i].op == POSTFIX_REGEX_IF && t.v[i].endif > t.n)
					abort();
				if (t.v[i].pattern)
					(void)postfix_regex_no_client_name(t.v[i].pattern);
				(void)postfix_regex_rule_accepts(&t, i, key);
			}
		}
		postfix_regex_table_free(&t);
		break;
	}
	}
	postfix_diags_free(&d);
	free(buf);
	return 0;
}

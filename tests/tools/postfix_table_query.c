/*
 * postfix_table_query.c - test driver: look keys up in a Postfix table
 * the way the exporter reads it (collectors/postfix/postfix_table.h), for
 * tests/e2e/postfix_tables.sh to compare with "postmap -q".
 *
 *	postfix_table_query TYPE:NAME KEY...
 *
 * TYPE is hash, btree (NAME is the postmap source), texthash, pcre,
 * regexp or inline.  Prints one line per key: "KEY<TAB>found<TAB>VALUE"
 * or "KEY<TAB>notfound", then the table's warnings on stderr.  Keys of
 * the exact-key types are folded to lower case first, as smtpd and
 * postmap fold them.  Exit 0, or 2 on usage or read errors.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/postfix/postfix_table.h"
#include "lib/fileio.h"

int
main(int argc, char **argv)
{
	struct postfix_table_ref ref;
	struct postfix_map m = { 0 };
	struct postfix_regex_table rx;
	struct postfix_diags d = { 0 };
	char *text = NULL, err[256];
	size_t len = 0;
	bool regex;

	if (argc < 2 || postfix_table_ref(argv[1], &ref) < 0) {
		fprintf(stderr, "usage: postfix_table_query TYPE:NAME KEY...\n");
		return 2;
	}
	regex = ref.kind == POSTFIX_TABLE_PCRE || ref.kind == POSTFIX_TABLE_REGEXP;
	if (ref.kind == POSTFIX_TABLE_INLINE) {
		if (postfix_map_parse_inline(&m, ref.arg, "inline", &d) != 0) {
			fprintf(stderr, "postfix_table_query: inline table unusable\n");
			return 2;
		}
	} else {
		if (fileio_read(NULL, ref.arg, 1u << 24, &text, &len, NULL, err, sizeof(err))
		    != FILEIO_OK) {
			fprintf(stderr, "postfix_table_query: %s\n", err);
			return 2;
		}
		if (regex) {
			if (postfix_regex_table_parse(&rx, ref.kind == POSTFIX_TABLE_PCRE, text, len,
						      ref.arg, &d) < 0)
				return 2;
		} else if (postfix_map_parse(&m, text, len, ref.arg, &d) < 0) {
			return 2;
		}
	}
	for (int i = 2; i < argc; i++) {
		char buf[POSTFIX_TABLE_MAX_VALUE], key[1024];
		const char *v;

		snprintf(key, sizeof(key), "%s", argv[i]);
		if (regex) {
			v = postfix_regex_table_lookup(&rx, key, buf, sizeof(buf), NULL);
		} else {
			for (char *p = key; *p; p++)
				*p = (char)tolower((unsigned char)*p);
			v = postfix_map_get(&m, key);
		}
		if (v)
			printf("%s\tfound\t%s\n", argv[i], v);
		else
			printf("%s\tnotfound\n", argv[i]);
	}
	for (size_t i = 0; i < d.n; i++)
		fprintf(stderr, "%s:%u: %s\n", d.v[i].file, d.v[i].line, d.v[i].msg);
	if (regex)
		postfix_regex_table_free(&rx);
	postfix_map_free(&m);
	postfix_diags_free(&d);
	free(text);
	return 0;
}

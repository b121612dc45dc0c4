/*
 * test_postfix_table.c - Postfix lookup tables: the type of "type:name"
 * (proxy: stripped, compiled-map suffixes), the postmap source format
 * (logical lines, quoted keys, folding, duplicates, bad lines reported
 * with their line), inline:, pcre: and regexp: tables (flags, negation,
 * IF/ENDIF, $n substitution, the rules Postfix skips), and the analysis
 * of which patterns no verified client name can match.  The lookup
 * expectations agree with "postmap -q" of Postfix 3.7 (tests/e2e/
 * postfix_tables.sh compares the two on the same files).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "collectors/postfix/postfix_table.h"

static void
test_ref(void **state)
{
	static const struct {
		const char *spec;
		int rc;
		enum postfix_table_kind kind;
		const char *type, *arg;
		bool proxied;
	} c[] = {
		{ "hash:/etc/postfix/access", 0, POSTFIX_TABLE_INDEXED, "hash", "/etc/postfix/access", false },
		{ "proxy:HASH:/x", 0, POSTFIX_TABLE_INDEXED, "hash", "/x", true },
		{ "proxy:proxy:lmdb:/x", 0, POSTFIX_TABLE_INDEXED, "lmdb", "/x", true },
		{ "btree:/x", 0, POSTFIX_TABLE_INDEXED, "btree", "/x", false },
		{ "cdb:/x", 0, POSTFIX_TABLE_INDEXED, "cdb", "/x", false },
		{ "dbm:/x", 0, POSTFIX_TABLE_INDEXED, "dbm", "/x", false },
		{ "sdbm:/x", 0, POSTFIX_TABLE_INDEXED, "sdbm", "/x", false },
		{ "texthash:/x", 0, POSTFIX_TABLE_TEXTHASH, "texthash", "/x", false },
		{ "cidr:/x", 0, POSTFIX_TABLE_CIDR, "cidr", "/x", false },
		{ "pcre:/x", 0, POSTFIX_TABLE_PCRE, "pcre", "/x", false },
		{ "regexp:/x", 0, POSTFIX_TABLE_REGEXP, "regexp", "/x", false },
		{ "inline:{a=b}", 0, POSTFIX_TABLE_INLINE, "inline", "{a=b}", false },
		{ "static:OK", 0, POSTFIX_TABLE_STATIC, "static", "OK", false },
		{ "fail:x", 0, POSTFIX_TABLE_FAIL, "fail", "x", false },
		{ "mysql:/etc/postfix/m.cf", 0, POSTFIX_TABLE_REMOTE, "mysql", "/etc/postfix/m.cf", false },
		{ "sqlite:/etc/postfix/s.cf", 0, POSTFIX_TABLE_REMOTE, "sqlite", "/etc/postfix/s.cf", false },
		{ "socketmap:inet:127.0.0.1:9:name", 0, POSTFIX_TABLE_REMOTE, "socketmap", "inet:127.0.0.1:9:name", false },
		{ "tcp:127.0.0.1:9", 0, POSTFIX_TABLE_REMOTE, "tcp", "127.0.0.1:9", false },
		{ "ldap:/x", 0, POSTFIX_TABLE_REMOTE, "ldap", "/x", false },
		{ "pipemap:{a,b}", 0, POSTFIX_TABLE_OTHER, "pipemap", "{a,b}", false },
		{ "unix:passwd.byname", 0, POSTFIX_TABLE_OTHER, "unix", "passwd.byname", false },
		{ "permit_mynetworks", -1, POSTFIX_TABLE_CIDR, "", NULL, false },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct postfix_table_ref r;
		int rc = postfix_table_ref(c[i].spec, &r);

		if (rc != c[i].rc)
			fail_msg("%s: rc %d", c[i].spec, rc);
		if (rc < 0)
			continue;
		if (r.kind != c[i].kind || strcmp(r.type, c[i].type) != 0
		    || strcmp(r.arg, c[i].arg) != 0 || r.proxied != c[i].proxied)
			fail_msg("%s: kind %d type %s arg %s proxied %d", c[i].spec, r.kind, r.type,
				 r.arg, r.proxied);
	}
	assert_string_equal(postfix_table_compiled_suffixes("hash")[0], ".db");
	assert_string_equal(postfix_table_compiled_suffixes("btree")[0], ".db");
	assert_string_equal(postfix_table_compiled_suffixes("lmdb")[0], ".lmdb");
	assert_string_equal(postfix_table_compiled_suffixes("cdb")[0], ".cdb");
	assert_string_equal(postfix_table_compiled_suffixes("dbm")[1], ".pag");
	assert_null(postfix_table_compiled_suffixes("texthash")[0]);
}

static bool
has_diag(const struct postfix_diags *d, unsigned line, const char *needle)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].line == line && strstr(d->v[i].msg, needle) != NULL)
			return true;
	return false;
}

static void
test_map(void **state)
{
	static const char text[] =
		"# access(5) as people write it\n"
		"example.com      OK\n"
		"spam.example     REJECT  go away  \n"
		"Upper.Example    DUNNO\n"
		"\n"
		"continued\n"
		"    554 five\n"
		"    lines\n"
		"\"quoted key\" OK\n"
		"a\\ b            RELAY\n"
		"novalue\n"
		"\"open quote     OK\n"
		"example.com      REJECT\n"
		"   # a comment between lines\n"
		"tab\tvalue\twith\ttabs\n";
	static const struct {
		const char *key, *value;
	} want[] = {
		{ "example.com", "OK" },	/* the first of two */
		{ "spam.example", "REJECT  go away" },
		{ "upper.example", "DUNNO" },
		{ "continued", "554 five    lines" },	/* newline gone, blanks kept */
		{ "\"quoted key\"", "OK" },
		{ "a\\ b", "RELAY" },
		{ "tab", "value\twith\ttabs" },
		{ "novalue", NULL },
		{ "Upper.Example", NULL },	/* the caller folds the key */
	};
	struct postfix_map m = { 0 };
	struct postfix_diags d = { 0 };

	assert_int_equal(postfix_map_parse(&m, text, sizeof(text) - 1, "access", &d), 0);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const char *v = postfix_map_get(&m, want[i].key);

		if ((v == NULL) != (want[i].value == NULL)
		    || (v && strcmp(v, want[i].value) != 0))
			fail_msg("%s: got \"%s\", want \"%s\"", want[i].key, v ? v : "(none)",
				 want[i].value ? want[i].value : "(none)");
	}
	assert_int_equal(m.n, 7);
	assert_int_equal(m.duplicates, 1);
	assert_true(has_diag(&d, 11, "expected format: key whitespace value"));
	assert_true(has_diag(&d, 12, "unbalanced"));
	assert_true(has_diag(&d, 13, "duplicate entry"));
	assert_int_equal(m.v[3].line, 6);	/* a logical line: its first line */
	postfix_map_free(&m);
	postfix_diags_free(&d);
}

static void
test_inline(void **state)
{
	static const struct {
		const char *spec;
		int rc;
		const char *key, *value;
	} c[] = {
		{ "{ a=1, b=2 }", 0, "b", "2" },
		{ "{a=one, { b = two words }}", 0, "b", "two words" },
		{ "{ a = one }", 1, NULL, NULL },	/* split at blanks: "a", "=", "one" */
		{ "{ A=1 }", 0, "a", "1" },
		{ "{ a=1, a=2 }", 0, "a", "2" },	/* dict_ht: the last one */
		{ "{ { \"x y\" = 3 } }", 0, "\"x y\"", "3" },
		{ "{ \"x y\" = 3 }", 1, NULL, NULL },
		{ "{ a 1 }", 1, NULL, NULL },		/* missing '=' */
		{ "{ }", 1, NULL, NULL },		/* empty table */
		{ "a=1", 1, NULL, NULL },		/* no braces */
		{ "{ a=1 } x", 1, NULL, NULL },
		{ "{ a=1", 1, NULL, NULL },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct postfix_map m = { 0 };
		struct postfix_diags d = { 0 };
		int rc = postfix_map_parse_inline(&m, c[i].spec, "main.cf", &d);

		if (rc != c[i].rc)
			fail_msg("inline:%s: rc %d", c[i].spec, rc);
		if (rc == 1 && d.n == 0)
			fail_msg("inline:%s: no warning", c[i].spec);
		if (c[i].key && (postfix_map_get(&m, c[i].key) == NULL
				 || strcmp(postfix_map_get(&m, c[i].key), c[i].value) != 0))
			fail_msg("inline:%s: %s is not %s", c[i].spec, c[i].key, c[i].value);
		postfix_map_free(&m);
		postfix_diags_free(&d);
	}
}

/* A table and keys with the answers postmap -q gives ("" = not found). */
struct rx_case {
	const char *what;
	bool pcre;
	const char *text;
	const char *const *keys;	/* key, answer, key, answer, ..., NULL */
	size_t rules;			/* rules kept (IF and ENDIF count) */
	const char *warning;		/* a diagnostic expected, or NULL */
};

static void
test_regex(void **state)
{
	static const char *const k_basic[] = {
		"mail.example.com", "OK", "MAIL.EXAMPLE.COM", "OK", "dsl-1.pool.example.net",
		"REJECT dynamic", "other.example.org", "", NULL,
	};
	static const char *const k_sub[] = {
		"user@example.com", "550 user at example.com refused", "x", "", NULL,
	};
	static const char *const k_if[] = {
		"a.example.com", "first", "b.example.com", "in block", "b.example.org", "", NULL,
	};
	static const char *const k_neg[] = { "x.example.com", "", "x.other", "not example", NULL };
	static const char *const k_case[] = { "ABC", "", "abc", "lower", NULL };
	static const char *const k_re2[] = {
		"mx.example.com", "yes", "dsl.example.com", "", "mx.example.org", "", NULL,
	};
	static const char *const k_skip[] = { "abc", "later", NULL };
	static const char *const k_delim[] = { "a/b", "slash", "a|b", "pipe", NULL };
	static const char *const k_noif[] = { "x", "", "a", "", NULL };
	static const char *const k_dom[] = { "mail.example.com", "ok", "-bad", "", NULL };
	static const struct rx_case c[] = {
		{ "pcre basics", true,
		  "# client checks\n/^mail\\.example\\.com$/ OK\n"
		  "/(dsl|pool)/ REJECT dynamic\n", k_basic, 2, NULL },
		{ "regexp basics", false,
		  "/^mail\\.example\\.com$/ OK\n/(dsl|pool)/ REJECT dynamic\n", k_basic, 2, NULL },
		{ "pcre $1", true, "/^(.*)@(example\\.com)$/ 550 $1 at ${2} refused\n", k_sub, 1, NULL },
		{ "regexp $1", false, "/^(.*)@(example\\.com)$/ 550 $1 at ${2} refused\n", k_sub, 1, NULL },
		{ "pcre if/endif", true,
		  "/^a\\./ first\nif /\\.example\\.com$/\n/^b/ in block\nendif\n/^a/ never\n",
		  k_if, 5, NULL },
		{ "regexp if/endif", false,
		  "/^a\\./ first\nIF /\\.example\\.com$/\n/^b/ in block\nENDIF\n", k_if, 4, NULL },
		{ "pcre negation", true, "!/example\\.com$/ not example\n", k_neg, 1, NULL },
		{ "pcre i toggles caseless off", true, "/abc/i lower\n", k_case, 1, NULL },
		{ "regexp i toggles icase off", false, "/abc/i lower\n", k_case, 1, NULL },
		{ "regexp /p1/!/p2/", false, "/example\\.com$/!/^dsl/ yes\n", k_re2, 1, NULL },
		{ "pcre: a bad pattern is skipped", true, "/(/ bad\n/abc/ later\n", k_skip, 1,
		  "error in regex" },
		{ "pcre: an unknown flag skips the rule", true, "/abc/q bad\n/abc/ later\n", k_skip, 1,
		  "unknown regexp option" },
		{ "pcre: $2 beyond the groups", true, "/(a)bc/ $2\n/abc/ later\n", k_skip, 1,
		  "out of range" },
		{ "pcre: $1 in a negative rule", true, "!/(x)/ $1\n/abc/ later\n", k_skip, 1,
		  "negative match" },
		{ "pcre: no closing delimiter", true, "/abc later\n/abc/ later\n", k_skip, 1,
		  "no closing regexp delimiter" },
		{ "pcre: other delimiters", true, "%a/b% slash\n|a\\|b| pipe\n", k_delim, 2, NULL },
		{ "pcre: ENDIF without IF, IF without ENDIF", true,
		  "endif\nif /^a/\n/^b/ never\n", k_noif, 2, "IF has no matching ENDIF" },
		{ "regexp: 70 '+' in a row (regcomp: > 2 GiB) is skipped", false,
		  "/\\.examp+++++++++++++++++++++++++++++++++++"
		  "+++++++++++++++++++++++++++++++++++le/ bad\n/abc/ later\n", k_skip, 1, "too complex" },
		{ "regexp: nested bounds multiply and are skipped", false,
		  "/((a{200}){200})/ bad\n/abc/ later\n", k_skip, 1, "too complex" },
		{ "regexp: three duplication symbols in a row are skipped", false,
		  "/ab+*?/ bad\n/abc/ later\n", k_skip, 1, "too complex" },
		{ "regexp: a host-name pattern with bounds is kept", false,
		  "/^[a-z]{1,63}(\\.[a-z0-9-]{1,63})*$/ ok\n", k_dom, 1, NULL },
		{ "pcre: garbage line", true, "junk here\n/abc/ later\n", k_skip, 1,
		  "unrecognized request" },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct postfix_regex_table t;
		struct postfix_diags d = { 0 };

		assert_int_equal(postfix_regex_table_parse(&t, c[i].pcre, c[i].text,
							   strlen(c[i].text), "t", &d), 0);
		if (t.n != c[i].rules)
			fail_msg("%s: %zu rules, want %zu", c[i].what, t.n, c[i].rules);
		if (c[i].warning) {
			bool found = false;

			for (size_t k = 0; k < d.n; k++)
				found = found || strstr(d.v[k].msg, c[i].warning) != NULL;
			if (!found)
				fail_msg("%s: no warning \"%s\"", c[i].what, c[i].warning);
		}
		for (size_t k = 0; c[i].keys[k]; k += 2) {
			char buf[256];
			const char *v = postfix_regex_table_lookup(&t, c[i].keys[k], buf, sizeof(buf),
								   NULL);

			if (strcmp(v ? v : "", c[i].keys[k + 1]) != 0)
				fail_msg("%s: %s -> \"%s\", want \"%s\"", c[i].what, c[i].keys[k],
					 v ? v : "", c[i].keys[k + 1]);
		}
		postfix_regex_table_free(&t);
		postfix_diags_free(&d);
	}
}

static void
test_no_client_name(void **state)
{
	static const struct {
		const char *pattern;
		bool none;
	} c[] = {
		{ "\\.example\\.com$", true },
		{ "^mx1\\.example\\.com$", true },
		{ "[a-z0-9-]+\\.example\\.co\\.uk$", true },
		{ "example\\.com$", false },		/* badexample.com */
		{ "\\.com$", false },			/* a top-level domain */
		{ "^com$", false },
		{ "\\.example\\.com", false },		/* .example.com.evil.example */
		{ "^mail\\.", false },
		{ "(a|b)\\.example\\.com$", false },	/* '|': not analysed */
		{ "\\w+\\.example\\.com$", true },
		{ "\\.ex\\wmple\\.com$", false },	/* \w is a class, not a letter */
		{ "^192\\.168\\.[0-9]+\\.[0-9]+$", true },
		{ "^\\d{1,3}(\\.\\d{1,3}){3}$", true },
		{ "^192\\.168\\.", false },		/* 192.168.1.evil.example */
		{ "^[0-9.]+$", true },
		{ "^[0-9a-f.]+$", false },
		{ "\\.10\\.[0-9]+$", true },		/* numeric last label */
		{ "\\.[0-9]+$", true },
		{ "[0-9]+$", false },			/* host5.example5? no: host5 */
		{ "\\.\\d+$", true },
		{ "\\.0*$", false },
		{ ".", false },
		{ "", false },
		{ "$", false },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		if (postfix_regex_no_client_name(c[i].pattern) != c[i].none)
			fail_msg("/%s/: got %d", c[i].pattern, !c[i].none);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ref),
		cmocka_unit_test(test_map),
		cmocka_unit_test(test_inline),
		cmocka_unit_test(test_regex),
		cmocka_unit_test(test_no_client_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

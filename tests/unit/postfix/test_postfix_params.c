/*
 * test_postfix_params.c - the table of Postfix parameters: every symbol
 * has a row with a unique name that finds it again, every row a default
 * for the newest Postfix and ranges that do not overlap, the computed
 * defaults are the ones postfix_lookup() computes, and
 * docs/postfix-defaults.md has a row for every parameter.  Since code
 * asks for parameters only through their symbols, this proves that every
 * name the checks and the relay evaluator ask for exists in the table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "collectors/postfix/postfix_conf.h"
#include "collectors/postfix/postfix_params.h"

static void
test_every_symbol_has_a_row(void **state)
{
	for (int id = 0; id < POSTFIX_P_COUNT; id++) {
		const struct postfix_param_def *p = &postfix_params[id];

		if (p->name == NULL)
			fail_msg("enum postfix_param_id %d has no row in postfix_params[]", id);
		assert_int_equal(postfix_param_by_name(p->name), id);	/* unique, found again */
		assert_string_equal(postfix_param_name((enum postfix_param_id)id), p->name);
		assert_non_null(p->dflt[0].source);
		if (postfix_param_default((enum postfix_param_id)id, POSTFIX_VERSION_NEWEST) == NULL)
			fail_msg("%s: no default for the newest Postfix", p->name);
		for (int a = 0; a < POSTFIX_PARAM_RANGES; a++) {
			if (p->dflt[a].source == NULL)
				continue;
			assert_true(p->dflt[a].min_version <= p->dflt[a].max_version);
			for (int b = a + 1; b < POSTFIX_PARAM_RANGES; b++)
				if (p->dflt[b].source != NULL
				    && p->dflt[a].min_version <= p->dflt[b].max_version
				    && p->dflt[b].min_version <= p->dflt[a].max_version)
					fail_msg("%s: default ranges %d and %d overlap", p->name, a, b);
		}
	}
	assert_int_equal(postfix_param_by_name("no_such_parameter"), -1);
	assert_null(postfix_default_find("no_such_parameter", POSTFIX_VERSION_NEWEST));
	assert_null(postfix_default_find("smtpd_relay_restrictions", POSTFIX_VERSION(2, 9, 0)));
	assert_string_equal(postfix_default_find("inet_protocols", POSTFIX_VERSION(2, 8, 0))->value,
			    "ipv4");
}

/* A NULL default is computed from the host: postfix_lookup() answers for each. */
static void
test_computed_defaults(void **state)
{
	struct postfix_env e = { .version = POSTFIX_VERSION(3, 7, 11), .hostname = "mx.example.org",
				 .mynetworks = "127.0.0.0/8" };
	size_t computed = 0;

	for (int id = 0; id < POSTFIX_P_COUNT; id++) {
		const struct postfix_default *d =
			postfix_param_default((enum postfix_param_id)id, e.version);

		if (d == NULL || d->value != NULL)
			continue;
		computed++;
		assert_non_null(postfix_lookup(&e, postfix_params[id].name, NULL));
	}
	assert_int_equal(computed, 4);	/* mynetworks, myhostname, mydomain, mail_version */
	assert_string_equal(postfix_lookup(&e, "mail_version", NULL), "3.7.11");
	assert_string_equal(postfix_lookup(&e, "mydomain", NULL), "example.org");
}

/* docs/postfix-defaults.md has a row "| `name` |" for every parameter. */
static void
test_documented(void **state)
{
	const char *src = getenv("MTA_SOURCE_DIR");
	char path[4096], *doc;
	FILE *f;
	long len;

	snprintf(path, sizeof(path), "%s/docs/postfix-defaults.md", src ? src : ".");
	assert_non_null(f = fopen(path, "r"));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	rewind(f);
	assert_non_null(doc = calloc(1, (size_t)len + 1));
	assert_int_equal(fread(doc, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	for (int id = 0; id < POSTFIX_P_COUNT; id++) {
		char row[128];

		snprintf(row, sizeof(row), "| `%s` |", postfix_params[id].name);
		if (strstr(doc, row) == NULL)
			fail_msg("docs/postfix-defaults.md has no row for %s", postfix_params[id].name);
	}
	free(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_symbol_has_a_row),
		cmocka_unit_test(test_computed_defaults),
		cmocka_unit_test(test_documented),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

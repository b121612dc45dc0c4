/*
 * test_auth.c - basic-auth verification against bcrypt hashes: right and
 * wrong users and passwords, the cache of successes (and only successes),
 * an unknown user costing a bcrypt like a wrong password (at the highest
 * configured cost), the constant-time comparison, and the Authorization
 * header parser (scheme in any case, strict base64, NUL refused).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "exporter/auth.h"

/* htpasswd -nbBC 10 "" secret */
#define HASH_SECRET "$2y$10$UiDvWFtLFPqRNaEJHmpeh.gOeaHO4R13PCvZokzAS3f4zWMdQuDqi"
/* the PHP documentation's example: password "rasmuslerdorf" */
#define HASH_RASMUS "$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a"
/* password "secret" at cost 12 */
#define HASH_SECRET_12 "$2y$12$abcdefghijklmnopqrstuuT1Iwu6o8Wx7BoOyIMHfgVJq6JO/IJhW"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
test_auth(void **state)
{
	struct webconfig_pair users[] = {
		{ "alice", HASH_SECRET },
		{ "rasmus", HASH_RASMUS },
	};
	struct auth *a = auth_new(users, 2);
	double t0, t_unknown, t_wrong;

	assert_non_null(a);
	assert_true(auth_check(a, "alice", "secret"));
	assert_true(auth_check(a, "rasmus", "rasmuslerdorf"));
	assert_false(auth_check(a, "alice", "rasmuslerdorf"));
	assert_false(auth_check(a, "rasmus", "secret"));
	assert_false(auth_check(a, "alice", ""));
	assert_false(auth_check(a, "alice", "secret "));
	assert_false(auth_check(a, "Alice", "secret"));
	assert_false(auth_check(a, "alic", "secret"));
	assert_false(auth_check(a, "", ""));
	assert_false(auth_check(a, NULL, "secret"));
	/* an unknown user whose password matches the dummy hash's is still refused */
	assert_false(auth_check(a, "nobody", "rasmuslerdorf"));

	/* the cache answers repeated successes, and only successes */
	unsigned long hits = auth_cache_hits(a);
	assert_true(auth_check(a, "alice", "secret"));
	assert_int_equal(auth_cache_hits(a), hits + 1);
	assert_false(auth_check(a, "alice", "secret2"));
	assert_int_equal(auth_cache_hits(a), hits + 1);

	/* an unknown user costs a bcrypt like a wrong password does */
	t0 = now();
	assert_false(auth_check(a, "mallory", "x"));
	t_unknown = now() - t0;
	t0 = now();
	assert_false(auth_check(a, "alice", "x"));
	t_wrong = now() - t0;
	if (t_unknown < t_wrong / 3)
		fail_msg("unknown user took %.4fs, wrong password %.4fs", t_unknown, t_wrong);
	auth_free(a);

	assert_true(auth_ct_equal("abc", "abc", 3));
	assert_false(auth_ct_equal("abc", "abd", 3));
	assert_true(auth_ct_equal("", "x", 0));
}

/* The dummy hash takes the highest configured cost: an unknown user costs as much. */
static void
test_dummy_cost(void **state)
{
	struct webconfig_pair users[] = {
		{ "alice", HASH_SECRET },
		{ "bob", HASH_SECRET_12 },
	};
	struct auth *a = auth_new(users, 2), *b = auth_new(users, 1), *none = auth_new(NULL, 0);
	struct auth_attempt t;
	double t0, t_unknown, t_wrong;

	assert_non_null(a);
	assert_int_equal(auth_dummy_cost(a), 12);
	assert_int_equal(auth_dummy_cost(b), 10);
	assert_int_equal(auth_dummy_cost(none), 10);
	assert_true(auth_check(a, "bob", "secret"));
	auth_lookup(a, "mallory", "secret", &t);
	assert_false(t.known);
	assert_false(t.cached);
	assert_memory_equal(t.hash, "$2y$12$", 7);
	/* a wrong password of the cost-12 user and an unknown user take about as long */
	t0 = now();
	assert_false(auth_check(a, "mallory", "x"));
	t_unknown = now() - t0;
	t0 = now();
	assert_false(auth_check(a, "bob", "x"));
	t_wrong = now() - t0;
	if (t_unknown < t_wrong / 2 || t_unknown > t_wrong * 2)
		fail_msg("unknown user took %.4fs, wrong cost-12 password %.4fs", t_unknown, t_wrong);
	auth_free(a);
	auth_free(b);
	auth_free(none);
}

static void
test_parse_basic(void **state)
{
	static const struct {
		const char *value;	/* the header value; "\0" inside is literal */
		size_t len;
		const char *user, *pass;	/* NULL: refused */
	} cases[] = {
#define V(s) s, sizeof(s) - 1
		{ V("Basic YWxpY2U6c2VjcmV0"), "alice", "secret" },
		{ V("basic YWxpY2U6c2VjcmV0"), "alice", "secret" },	/* any case, as Go */
		{ V("BASIC YWxpY2U6c2VjcmV0"), "alice", "secret" },
		{ V("bAsIc YWxpY2U6c2VjcmV0"), "alice", "secret" },
		{ V("Basic YWxpY2U6c2VjOnJldA=="), "alice", "sec:ret" },	/* the first ':' splits */
		{ V("Basic OnNlY3JldA=="), "", "secret" },		/* empty user: refused later */
		{ V("Basic YWxpY2U6"), "alice", "" },
		{ V("Basic YWxpY2U6c2VjcmV0AGFueXRoaW5n"), NULL, NULL },	/* "secret\0anything" */
		{ V("Basic YWxpY2UAOnNlY3JldA=="), NULL, NULL },	/* "alice\0:secret" */
		{ V("Basic YWxpY2U6c2VjcmV0="), NULL, NULL },		/* bad padding */
		{ V("Basic YWxpY2U6c2VjcmV0\0"), NULL, NULL },		/* NUL in the value */
		{ V("Basic  YWxpY2U6c2VjcmV0"), NULL, NULL },		/* two spaces: not Go's */
		{ V("Basic\tYWxpY2U6c2VjcmV0"), NULL, NULL },
		{ V("Basic YWxpY2U"), NULL, NULL },			/* length not a multiple of 4 */
		{ V("Basic YWxp=2U6"), NULL, NULL },			/* '=' inside */
		{ V("Basic YWxpY2U!c2VjcmV0"), NULL, NULL },
		{ V("Basic YWxpY2U="), NULL, NULL },			/* no ':' */
		{ V("Basic "), NULL, NULL },
		{ V("Basic"), NULL, NULL },
		{ V("Bearer YWxpY2U6c2VjcmV0"), NULL, NULL },
		{ V("Digest username=alice"), NULL, NULL },
		{ V(""), NULL, NULL },
#undef V
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *user = (char *)1, *pass = (char *)1;
		int r = auth_parse_basic(cases[i].value, cases[i].len, &user, &pass);

		if (cases[i].user == NULL) {
			if (r != -1 || user != NULL || pass != NULL)
				fail_msg("case %zu: \"%s\" accepted", i, cases[i].value);
			continue;
		}
		if (r != 0 || strcmp(user, cases[i].user) != 0 || strcmp(pass, cases[i].pass) != 0)
			fail_msg("case %zu: \"%s\": %d \"%s\" \"%s\"", i, cases[i].value, r,
				 r == 0 ? user : "", r == 0 ? pass : "");
		free(user);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auth),
		cmocka_unit_test(test_dummy_cost),
		cmocka_unit_test(test_parse_basic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_auth.c - basic-auth verification against bcrypt hashes: right and
 * wrong users and passwords, the cache of successes (and only successes),
 * an unknown user costing a bcrypt like a wrong password, and the
 * constant-time comparison.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <cmocka.h>

#include "exporter/auth.h"

/* htpasswd -nbBC 10 "" secret */
#define HASH_SECRET "$2y$10$UiDvWFtLFPqRNaEJHmpeh.gOeaHO4R13PCvZokzAS3f4zWMdQuDqi"
/* the PHP documentation's example: password "rasmuslerdorf" */
#define HASH_RASMUS "$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_budget.c - byte budgets (lib/budget.h) and the hash index
 * (lib/hash.h): charges up to and past the cap, a NULL budget, and an index
 * of many items with colliding hashes, found and not found.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lib/budget.h"
#include "lib/hash.h"

static void
test_budget_charges(void **state)
{
	/* charges in order against a cap of 100; want: result and budget_left after */
	static const struct {
		const char *name;
		size_t charges[4];
		size_t n;
		bool want[4];
		size_t left;
	} cases[] = {
		{ "nothing", { 0 }, 0, { false }, 100 },
		{ "exactly the cap", { 60, 40 }, 2, { true, true }, 0 },
		{ "one past the cap", { 60, 41 }, 2, { true, false }, 0 },
		{ "exhausted stays exhausted", { 101, 0, 1 }, 3, { false, false, false }, 0 },
		{ "zero charges", { 0, 0, 100 }, 3, { true, true, true }, 0 },
		{ "huge charge cannot wrap", { 50, SIZE_MAX }, 2, { true, false }, 0 },
		{ "partial", { 30, 30 }, 2, { true, true }, 40 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct budget b;

		budget_init(&b, 100);
		for (size_t k = 0; k < cases[i].n; k++)
			if (budget_charge(&b, cases[i].charges[k]) != cases[i].want[k])
				fail_msg("%s: charge %zu gave %d", cases[i].name, k, !cases[i].want[k]);
		if (budget_left(&b) != cases[i].left)
			fail_msg("%s: left %zu, want %zu", cases[i].name, budget_left(&b), cases[i].left);
		if (b.exhausted != (cases[i].left == 0 && cases[i].n > 0 && !cases[i].want[cases[i].n - 1]))
			fail_msg("%s: exhausted is %d", cases[i].name, b.exhausted);
	}
	assert_true(budget_charge(NULL, SIZE_MAX));
}

/* hash of item i: distinct keys, or all the same to force probing */
static uint64_t
key_of(size_t i, bool collide)
{
	char name[32];

	if (collide)
		return 42;
	snprintf(name, sizeof(name), "p%zu", i);
	return hash_key(name, strlen(name));
}

static void
test_hash_index(void **state)
{
	static const struct {
		size_t n;
		bool collide;
	} cases[] = {
		{ 0, false }, { 1, false }, { 3, true }, { 1000, false }, { 100000, false }, { 300, true },
	};

	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct hash_index ix = { 0 };

		for (size_t i = 0; i < cases[c].n; i++)
			assert_int_equal(hash_index_put(&ix, key_of(i, cases[c].collide), i), 0);
		assert_int_equal(ix.n, cases[c].n);
		assert_true(ix.cap == 0 || 2 * ix.n <= ix.cap);	/* at most half full */
		for (size_t i = 0; i < cases[c].n; i += 1 + cases[c].n / 97) {
			size_t pos = HASH_INDEX_START, at, seen = 0;
			bool found = false;

			while ((at = hash_index_next(&ix, key_of(i, cases[c].collide), &pos))
			       != HASH_INDEX_END) {
				found |= at == i;
				seen++;
			}
			if (!found)
				fail_msg("n=%zu collide=%d: item %zu not found", cases[c].n,
					 cases[c].collide, i);
			/* colliding keys give every item; distinct ones (almost always) one */
			if (cases[c].collide && seen != cases[c].n)
				fail_msg("n=%zu: %zu of the colliding items", cases[c].n, seen);
		}
		{
			size_t pos = HASH_INDEX_START;

			assert_true(hash_index_next(&ix, 7, &pos) == HASH_INDEX_END);
		}
		hash_index_free(&ix);
		assert_null(ix.slot);
	}
}

static void
test_hash_key_int_bijective(void **state)
{
	(void)state;
	/* the splitmix64 finaliser over the seed: distinct small keys, distinct hashes */
	for (uint64_t a = 0; a < 2048; a++)
		for (uint64_t b = a + 1; b < a + 64; b++)
			if (hash_key_int(a) == hash_key_int(b))
				fail_msg("hash_key_int(%llu) == hash_key_int(%llu)",
					 (unsigned long long)a, (unsigned long long)b);
	assert_true(hash_key("ab", 2) == hash_key("ab", 2));	/* one seed per process */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_budget_charges),
		cmocka_unit_test(test_hash_index),
		cmocka_unit_test(test_hash_key_int_bijective),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_arena.c - the per-scrape arena: zeroed, aligned allocations,
 * strings, growth, the cap and its sticky failure, reset.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lib/arena.h"

static void
test_arena(void **state)
{
	struct arena a;
	char *s;

	arena_init(&a, 64 * 1024);
	s = arena_strdup(&a, "abc");
	assert_string_equal(s, "abc");
	assert_string_equal(arena_strndup(&a, "abcdef", 2), "ab");
	assert_string_equal(arena_printf(&a, "%s-%d", "x", 7), "x-7");
	for (int i = 0; i < 100; i++) {
		unsigned char *p = arena_alloc(&a, 33);

		assert_non_null(p);
		assert_int_equal(((uintptr_t)p) % 16, 0);
		for (int j = 0; j < 33; j++)
			assert_int_equal(p[j], 0);
		memset(p, 0xff, 33);
	}
	int *arr = arena_calloc(&a, 4, sizeof(int));
	arr[3] = 9;
	arr = arena_grow(&a, arr, 4 * sizeof(int), 8 * sizeof(int));
	assert_int_equal(arr[3], 9);
	assert_int_equal(arr[7], 0);
	/* Cap: a request beyond it fails and stays failed until reset. */
	assert_null(arena_alloc(&a, 128 * 1024));
	assert_true(a.failed);
	assert_null(arena_alloc(&a, 1));
	arena_reset(&a);
	assert_false(a.failed);
	assert_non_null(arena_alloc(&a, 100));
	assert_null(arena_calloc(&a, SIZE_MAX / 2, 4));
	arena_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arena),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

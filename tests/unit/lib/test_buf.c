/*
 * test_buf.c - capped buffers: appends up to the cap and not one byte
 * beyond, the sticky failure, reset, and stealing the data.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "lib/buf.h"

static void
test_buf(void **state)
{
	struct buf b;

	buf_init(&b, 10);
	assert_int_equal(buf_puts(&b, "hello"), 0);
	assert_int_equal(buf_printf(&b, "%d", 1234), 0);
	assert_string_equal(b.data, "hello1234");
	assert_int_equal(buf_putc(&b, '!'), 0);	/* exactly at the cap */
	assert_int_equal(b.len, 10);
	assert_int_equal(buf_putc(&b, '?'), -1);	/* one past: fails */
	assert_true(b.failed);
	assert_int_equal(buf_puts(&b, ""), -1);	/* sticky */
	assert_string_equal(b.data, "hello1234!");
	buf_reset(&b);
	assert_false(b.failed);
	assert_int_equal(buf_printf(&b, "%s", "0123456789A"), -1);
	assert_int_equal(b.len, 0);
	buf_free(&b);

	buf_init(&b, 1 << 20);
	for (int i = 0; i < 10000; i++)
		buf_printf(&b, "%04d", i % 10000);
	assert_false(b.failed);
	assert_int_equal(b.len, 40000);
	size_t len;
	char *p = buf_steal(&b, &len);
	assert_int_equal(len, 40000);
	assert_memory_equal(p + 39996, "9999", 4);
	free(p);
	assert_null(b.data);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

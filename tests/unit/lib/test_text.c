/*
 * test_text.c - the string predicates the parsers share: text_all_digits
 * on digits, empty text, signs, blanks and bytes beyond ASCII.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/text.h"

static void
test_all_digits(void **state)
{
	static const struct {
		const char *s;
		bool want;
	} cases[] = {
		{ "0", true },
		{ "465", true },
		{ "00012", true },
		{ "", false },
		{ "-1", false },
		{ "+1", false },
		{ "1 ", false },
		{ " 1", false },
		{ "1.5", false },
		{ "12a", false },
		{ "\xd9\xa3", false },	/* ARABIC-INDIC DIGIT THREE is no ASCII digit */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (text_all_digits(cases[i].s) != cases[i].want)
			fail_msg("text_all_digits(\"%s\") != %d", cases[i].s, cases[i].want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_digits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

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

static void
test_duration(void **state)
{
	static const struct {
		const char *s;
		int rc;
		long long ms;
	} cases[] = {
		{ "10m", 0, 600000 }, { "5s", 0, 5000 }, { "500ms", 0, 500 }, { "1h", 0, 3600000 },
		{ "1h30m", 0, 5400000 }, { "0s", 0, 0 }, { "24h", 0, 86400000 },
		{ "25h", -1, 0 }, { "", -1, 0 }, { "10", -1, 0 }, { "m", -1, 0 }, { "5x", -1, 0 },
		{ "-5s", -1, 0 }, { "5 s", -1, 0 }, { "99999999999999999999s", -1, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long long ms = -1;
		int rc = text_duration_ms(cases[i].s, &ms);

		if (rc != cases[i].rc || (rc == 0 && ms != cases[i].ms))
			fail_msg("case %zu \"%s\": rc %d ms %lld", i, cases[i].s, rc, ms);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_digits),
		cmocka_unit_test(test_duration),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

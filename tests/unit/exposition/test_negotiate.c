/*
 * test_negotiate.c - Accept and Accept-Encoding negotiation, including the
 * exact headers Prometheus 2.x and 3.x send.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "exporter/exposition/negotiate.h"

#define OM METRICS_OPENMETRICS_100
#define TXT METRICS_TEXT_004

static void
test_accept(void **state)
{
	static const struct {
		const char *accept;
		enum metrics_format want;
	} cases[] = {
		/* Prometheus 3.x */
		{ "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,"
		  "application/openmetrics-text;version=0.0.1;q=0.5,"
		  "text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,"
		  "text/plain;version=0.0.4;q=0.3,*/*;q=0.2", OM },
		/* Prometheus 2.x */
		{ "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
		  "text/plain;version=0.0.4;q=0.5,*/*;q=0.1", OM },
		/* Prometheus 3.x configured for the text format only */
		{ "text/plain;version=0.0.4;q=0.3,*/*;q=0.2", TXT },
		{ NULL, TXT },
		{ "", TXT },
		{ "*/*", TXT },
		{ "text/plain", TXT },
		{ "application/openmetrics-text", OM },
		{ "application/openmetrics-text; version=1.0.0; charset=utf-8", OM },
		{ "APPLICATION/OpenMetrics-Text;Version=\"1.0.0\"", OM },
		/* only an OpenMetrics version we do not serve: fall back to text */
		{ "application/openmetrics-text;version=0.0.1", TXT },
		{ "application/openmetrics-text;q=0", TXT },
		{ "application/openmetrics-text;q=0.5, text/plain;q=0.6", TXT },
		{ "application/openmetrics-text;q=0.7, text/plain;q=0.6", OM },
		/* equal q: text wins the tie */
		{ "application/openmetrics-text;q=0.5, text/plain;q=0.5", TXT },
		/* more specific range decides, whatever its position */
		{ "*/*;q=1, text/plain;q=0.1, application/*;q=0.9", OM },
		{ "application/*", OM },
		{ "application/json", TXT },
		/* malformed q: element ignored */
		{ "application/openmetrics-text;q=abc", TXT },
		{ "application/openmetrics-text;q=1.5", TXT },
		{ "application/openmetrics-text;q=0.0001", TXT },
		/* quoted comma inside a parameter does not split the element */
		{ "text/plain;foo=\"a,application/openmetrics-text\";q=0.1, application/openmetrics-text;q=0.2", OM },
		{ ",,, ;;; ,", TXT },
		{ "noslash, /, a/, /b", TXT },
		{ "application/openmetrics-text;version=1.0.0;q=0.9 , text/plain ; q = 0.8", OM },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum metrics_format got = negotiate_format(cases[i].accept);

		if (got != cases[i].want)
			fail_msg("case %zu: Accept \"%s\": got %d want %d", i,
				 cases[i].accept ? cases[i].accept : "(null)", got, cases[i].want);
	}
}

static void
test_accept_long(void **state)
{
	/* 64 KiB of q-values: linear, no crash, still correct. */
	size_t n = 64 * 1024, len = 0;
	char *s = malloc(n + 64);
	static const char part[] = "text/plain;q=0.1,";

	assert_non_null(s);
	while (len + sizeof(part) < n) {
		memcpy(s + len, part, sizeof(part) - 1);
		len += sizeof(part) - 1;
	}
	strcpy(s + len, "application/openmetrics-text;q=0.9");
	assert_int_equal(negotiate_format(s), OM);
	free(s);
}

static void
test_gzip(void **state)
{
	static const struct {
		const char *ae;
		bool want;
	} cases[] = {
		{ NULL, false }, { "", false }, { "gzip", true }, { "GZIP", true },
		{ "x-gzip", true }, { "deflate, gzip;q=1.0, *;q=0.5", true },
		{ "gzip;q=0", false }, { "*", true }, { "*;q=0", false },
		{ "gzip;q=0, *", false }, { "identity", false }, { "br, deflate", false },
		{ "gzip;q=bad", false }, { " gzip ; q=0.001", true },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (negotiate_gzip(cases[i].ae) != cases[i].want)
			fail_msg("case %zu: Accept-Encoding \"%s\"", i, cases[i].ae ? cases[i].ae : "(null)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accept),
		cmocka_unit_test(test_accept_long),
		cmocka_unit_test(test_gzip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

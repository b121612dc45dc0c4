/*
 * test_metrics.c - exposition writer: grouping, escaping, special floats,
 * type mapping and failure behaviour, in both formats.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "exporter/exposition/metrics.h"

static void
test_format_double(void **state)
{
	static const struct {
		double v;
		const char *want;
	} cases[] = {
		{ 0, "0" },
		{ -0.0, "0" },
		{ 1, "1" },
		{ -7, "-7" },
		{ 123456789012345.0, "123456789012345" },
		{ 0.1, "0.1" },
		{ 1.5e-7, "1.5e-07" },
		{ 2.5, "2.5" },
		{ 1e300, "1e+300" },
		{ 0.30000000000000004, "0.30000000000000004" },
		{ INFINITY, "+Inf" },
		{ -INFINITY, "-Inf" },
		{ NAN, "NaN" },
	};
	char out[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		metrics_format_double(cases[i].v, out, sizeof(out));
		assert_string_equal(out, cases[i].want);
	}
	/* Round trip for awkward values. */
	static const double rt[] = { 1.0 / 3, 2.0 / 3, 1e-300, 123.456, 9.999999999999999e22 };
	for (size_t i = 0; i < sizeof(rt) / sizeof(rt[0]); i++) {
		metrics_format_double(rt[i], out, sizeof(out));
		assert_true(strtod(out, NULL) == rt[i]);
	}
}

static void
test_valid_name(void **state)
{
	static const struct {
		const char *name;
		bool ok;
	} cases[] = {
		{ "mta_detected", true }, { "a:b", true }, { "_x", true },
		{ "9lives", false }, { "", false }, { "with space", false },
		{ "dash-name", false }, { "ümlaut", false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(metrics_valid_name(cases[i].name), cases[i].ok);
}

static char *
render(struct metrics *m, enum metrics_format fmt)
{
	static char out[8192];
	struct buf b;

	buf_init(&b, 1 << 20);
	assert_int_equal(metrics_render(m, fmt, &b), 0);
	snprintf(out, sizeof(out), "%s", b.data);
	buf_free(&b);
	return out;
}

static void
test_grouping_and_types(void **state)
{
	struct metrics *m = metrics_new(1 << 20);
	struct metric_family *a, *b, *c, *i;

	a = metrics_family(m, "x_ports", "Ports.", METRIC_GAUGE);
	b = metrics_family(m, "x_errors_total", "Errors.", METRIC_COUNTER);
	metrics_add(a, 1, "port", "25", NULL);
	metrics_add(b, 3, NULL);
	c = metrics_family(m, "x_ports", "ignored second help", METRIC_GAUGE);
	assert_ptr_equal(a, c);
	metrics_add(c, 0, "port", "465", NULL);
	i = metrics_family(m, "x_build_info", "Build.", METRIC_INFO);
	metrics_add(i, 1, "version", "1.0", NULL);
	metrics_family(m, "x_empty", "No samples.", METRIC_GAUGE);

	assert_string_equal(render(m, METRICS_TEXT_004),
		"# HELP x_ports Ports.\n# TYPE x_ports gauge\n"
		"x_ports{port=\"25\"} 1\nx_ports{port=\"465\"} 0\n"
		"# HELP x_errors_total Errors.\n# TYPE x_errors_total counter\n"
		"x_errors_total 3\n"
		"# HELP x_build_info Build.\n# TYPE x_build_info gauge\n"
		"x_build_info{version=\"1.0\"} 1\n");
	assert_string_equal(render(m, METRICS_OPENMETRICS_100),
		"# HELP x_ports Ports.\n# TYPE x_ports gauge\n"
		"x_ports{port=\"25\"} 1\nx_ports{port=\"465\"} 0\n"
		"# HELP x_errors Errors.\n# TYPE x_errors counter\n"
		"x_errors_total 3\n"
		"# HELP x_build Build.\n# TYPE x_build info\n"
		"x_build_info{version=\"1.0\"} 1\n# EOF\n");
	metrics_free(m);
}

static void
test_escaping(void **state)
{
	static const struct {
		enum metrics_format fmt;
		const char *want;
	} cases[] = {
		{ METRICS_TEXT_004,
		  "# HELP x_e Back\\\\slash \"quote\" new\\nline.\n# TYPE x_e gauge\n"
		  "x_e{v=\"a\\\\b\\\"c\\nd\"} 1\n" },
		{ METRICS_OPENMETRICS_100,
		  "# HELP x_e Back\\\\slash \\\"quote\\\" new\\nline.\n# TYPE x_e gauge\n"
		  "x_e{v=\"a\\\\b\\\"c\\nd\"} 1\n# EOF\n" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct metrics *m = metrics_new(1 << 20);

		metrics_add(metrics_family(m, "x_e", "Back\\slash \"quote\" new\nline.", METRIC_GAUGE),
			    1, "v", "a\\b\"c\nd", NULL);
		assert_string_equal(render(m, cases[i].fmt), cases[i].want);
		metrics_free(m);
	}
}

/* Label values from configuration files may not be UTF-8; the exposition
 * always is (Prometheus refuses the whole scrape otherwise). */
static void
test_invalid_utf8_labels(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "plain", "plain" },
		{ "caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac" },
		{ "s\xffub", "s\xef\xbf\xbdub" },
		{ "caf\xe9", "caf\xef\xbf\xbd" },
		{ "\xc0\xaf\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xe2\x82", "\xef\xbf\xbd\xef\xbf\xbd" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct metrics *m = metrics_new(1 << 20);
		char want[256];

		metrics_add(metrics_family(m, "x_u", "U.", METRIC_GAUGE), 1, "v", cases[i].in, NULL);
		snprintf(want, sizeof(want), "# HELP x_u U.\n# TYPE x_u gauge\nx_u{v=\"%s\"} 1\n", cases[i].want);
		if (strcmp(render(m, METRICS_TEXT_004), want) != 0)
			fail_msg("case %zu: %s", i, render(m, METRICS_TEXT_004));
		metrics_free(m);
	}
	/* two values that differ only in invalid bytes are one series */
	struct metrics *m = metrics_new(1 << 20);
	struct metric_family *f = metrics_family(m, "x_u", "U.", METRIC_GAUGE);

	assert_int_equal(metrics_add(f, 1, "v", "a\xff", NULL), 0);
	assert_int_equal(metrics_add(f, 2, "v", "a\xfe", NULL), -1);
	assert_false(metrics_failed(m));
	assert_string_equal(render(m, METRICS_TEXT_004), "# HELP x_u U.\n# TYPE x_u gauge\nx_u{v=\"a\xef\xbf\xbd\"} 1\n");
	metrics_free(m);
}

static void
test_special_values_rendered(void **state)
{
	struct metrics *m = metrics_new(1 << 20);
	struct metric_family *f = metrics_family(m, "x_v", "V.", METRIC_GAUGE);

	metrics_add(f, INFINITY, "k", "a", NULL);
	metrics_add(f, -INFINITY, "k", "b", NULL);
	metrics_add(f, NAN, "k", "c", NULL);
	assert_string_equal(render(m, METRICS_TEXT_004),
		"# HELP x_v V.\n# TYPE x_v gauge\nx_v{k=\"a\"} +Inf\nx_v{k=\"b\"} -Inf\nx_v{k=\"c\"} NaN\n");
	metrics_free(m);
}

static void
test_failures(void **state)
{
	struct metrics *m;
	struct buf b;

	/* Duplicate label set: refused, body stays valid. */
	m = metrics_new(1 << 20);
	struct metric_family *f = metrics_family(m, "x_d", "D.", METRIC_GAUGE);
	assert_int_equal(metrics_add(f, 1, "a", "1", NULL), 0);
	assert_int_equal(metrics_add(f, 2, "a", "1", NULL), -1);
	assert_false(metrics_failed(m));
	metrics_free(m);

	/* Bad names, bad label names, wrong suffixes and type clashes fail the body. */
	static const struct {
		const char *name;
		enum metric_type type;
		const char *label;
	} bad[] = {
		{ "bad-name", METRIC_GAUGE, "a" },
		{ "x_c", METRIC_COUNTER, "a" },	/* counter without _total */
		{ "x_i", METRIC_INFO, "a" },		/* info without _info */
		{ "x_ok", METRIC_GAUGE, "__reserved" },
		{ "x_ok", METRIC_GAUGE, "bad label" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = metrics_new(1 << 20);
		metrics_add(metrics_family(m, bad[i].name, "h", bad[i].type), 1, bad[i].label, "v", NULL);
		assert_true(metrics_failed(m));
		buf_init(&b, 1 << 20);
		assert_int_equal(metrics_render(m, METRICS_TEXT_004, &b), -1);
		buf_free(&b);
		metrics_free(m);
	}
	m = metrics_new(1 << 20);
	metrics_family(m, "x_t", "h", METRIC_GAUGE);
	metrics_family(m, "x_t", "h", METRIC_COUNTER);
	assert_true(metrics_failed(m));
	metrics_free(m);

	/* Memory cap: the scrape fails instead of producing a partial set. */
	m = metrics_new(64 * 1024);
	f = metrics_family(m, "x_big", "B.", METRIC_GAUGE);
	char v[32];
	int r = 0;
	for (int i = 0; i < 100000 && r == 0; i++) {
		snprintf(v, sizeof(v), "%d", i);
		r = metrics_add(f, i, "i", v, NULL);
	}
	assert_int_equal(r, -1);
	assert_true(metrics_failed(m));
	metrics_free(m);

	/* Output cap: render fails rather than truncating. */
	m = metrics_new(1 << 20);
	f = metrics_family(m, "x_small", "S.", METRIC_GAUGE);
	for (int i = 0; i < 100; i++) {
		snprintf(v, sizeof(v), "%d", i);
		metrics_add(f, i, "i", v, NULL);
	}
	buf_init(&b, 200);
	assert_int_equal(metrics_render(m, METRICS_TEXT_004, &b), -1);
	assert_true(b.failed);
	buf_free(&b);
	metrics_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_double),
		cmocka_unit_test(test_valid_name),
		cmocka_unit_test(test_grouping_and_types),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_invalid_utf8_labels),
		cmocka_unit_test(test_special_values_rendered),
		cmocka_unit_test(test_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

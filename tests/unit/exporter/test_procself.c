/*
 * test_procself.c - the process_* metrics: the /proc/<pid>/stat parser
 * (command names with spaces, parentheses and newlines, limits, malformed
 * text), the start-time arithmetic, and the families this process exposes.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "exporter/exposition/metrics.h"
#include "exporter/procself.h"
#include "lib/buf.h"

#define TAIL24 " 0 0 20 0 1 0 4242 12345678 987"	/* fields 16..24 */
#define TAIL_MORE " 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0\n"

static void
test_parse(void **state)
{
	static const struct {
		const char *text;
		size_t len;		/* 0: strlen(text) */
		int rc;
		unsigned long long utime, stime, starttime, vsize, rss;
	} cases[] = {
		/* a full line as the kernel writes it */
		{ "1234 (mta_exporter) S 1 1234 1234 0 -1 4194560 900 0 0 0 12 34" TAIL24 TAIL_MORE,
		  0, 0, 12, 34, 4242, 12345678, 987 },
		/* the command name may hold spaces and parentheses: the last ')' ends it */
		{ "1 (a b) c) ((d) R 0 1 1 0 -1 4194560 100 0 0 0 12 34" TAIL24 TAIL_MORE,
		  0, 0, 12, 34, 4242, 12345678, 987 },
		{ "1 ()) ) S 0 1 1 0 -1 0 0 0 0 0 5 6" TAIL24 "\n", 0, 0, 5, 6, 4242, 12345678, 987 },
		{ "1 () S 0 1 1 0 -1 0 0 0 0 0 5 6" TAIL24 "\n", 0, 0, 5, 6, 4242, 12345678, 987 },
		{ "1 (new\nline) S 0 1 1 0 -1 0 0 0 0 0 5 6" TAIL24, 0, 0, 5, 6, 4242, 12345678, 987 },
		/* rss is the last field needed: the line may end right after it */
		{ "1 (x) S 0 1 1 0 -1 0 0 0 0 0 7 8 0 0 20 0 1 0 9 10 11", 0, 0, 7, 8, 9, 10, 11 },
		/* limits */
		{ "1 (x) S 0 1 1 0 -1 0 0 0 0 0 18446744073709551615 0 0 0 20 0 1 0 0 0 0",
		  0, 0, 18446744073709551615ull, 0, 0, 0, 0 },
		{ "1 (x) S 0 1 1 0 -1 0 0 0 0 0 18446744073709551616 0 0 0 20 0 1 0 0 0 0", 0, -1, 0, 0, 0, 0, 0 },
		{ "1 (x) S 0 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 3 4 -1", 0, -1, 0, 0, 0, 0, 0 },	/* negative rss */
		/* malformed */
		{ "1 (x) S 0 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 3 4", 0, -1, 0, 0, 0, 0, 0 },	/* no rss */
		{ "1 (x) S 0 1 1 0 -1 0 0 0 0 0 1x 2 0 0 20 0 1 0 3 4 5", 0, -1, 0, 0, 0, 0, 0 },
		{ "1 (x) S 0 1 1 0 -1 0 0 0 0 0  1 2 0 0 20 0 1 0 3 4 5", 0, -1, 0, 0, 0, 0, 0 },	/* empty field */
		{ "1 (x)S 0 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 3 4 5", 0, -1, 0, 0, 0, 0, 0 },
		{ "1 x) S 0 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 3 4 5", 0, -1, 0, 0, 0, 0, 0 },	/* no '(' */
		{ "1 (x S 0 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 3 4 5", 0, -1, 0, 0, 0, 0, 0 },	/* no ')' */
		{ ") 1 (x S 0 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 3 4 5", 0, -1, 0, 0, 0, 0, 0 },
		{ "1 (x) S 0 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 3 4\n5", 0, -1, 0, 0, 0, 0, 0 },
		{ "", 0, -1, 0, 0, 0, 0, 0 },
		/* the length is honoured: the text is not NUL-terminated */
		{ "1 (x) S 0 1 1 0 -1 0 0 0 0 0 7 8 0 0 20 0 1 0 9 10 11", 50, -1, 0, 0, 0, 0, 0 },
		{ "1 (x) S 0 1 1 0 -1 0 0 0 0 0 7 8 0 0 20 0 1 0 9 10 11", 52, 0, 7, 8, 9, 10, 1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct procself_stat st;
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
		char *buf = malloc(len ? len : 1);	/* exactly len bytes, for ASan */
		int rc;

		assert_non_null(buf);
		memcpy(buf, cases[i].text, len);
		memset(&st, 0xa5, sizeof(st));
		rc = procself_stat_parse(buf, len, &st);
		free(buf);
		if (rc != cases[i].rc)
			fail_msg("case %zu: rc %d, want %d", i, rc, cases[i].rc);
		if (rc != 0)
			continue;
		if (st.utime != cases[i].utime || st.stime != cases[i].stime ||
		    st.starttime != cases[i].starttime || st.vsize != cases[i].vsize ||
		    st.rss != cases[i].rss)
			fail_msg("case %zu: %llu %llu %llu %llu %llu", i, st.utime, st.stime,
				 st.starttime, st.vsize, st.rss);
	}
}

static void
test_start_time(void **state)
{
	/* booted at 900.25 on the wall clock; started 42.42 s after boot */
	assert_true(fabs(procself_start_time(4242, 100, 1000.5, 100.25) - 942.67) < 1e-9);
	assert_true(fabs(procself_start_time(0, 250, 1700000000.0, 5.0) - 1699999995.0) < 1e-6);
}

/* sample value of a family without labels in a text 0.0.4 body, or NAN */
static double
value(const char *body, const char *name)
{
	char key[128];
	const char *p;

	snprintf(key, sizeof(key), "\n%s ", name);
	p = strstr(body, key);
	return p ? strtod(p + strlen(key), NULL) : NAN;
}

/* This process, as the exporter would expose itself. */
static void
test_metrics(void **state)
{
	struct metrics *m = metrics_new(1 << 20);
	struct buf out;
	double now = (double)time(NULL);

	assert_non_null(m);
	buf_init(&out, 1 << 20);
	procself_metrics(m);
	procself_metrics(m);	/* a family is never repeated */
	assert_int_equal(metrics_render(m, METRICS_TEXT_004, &out), 0);
	assert_non_null(strstr(out.data, "# TYPE process_cpu_seconds_total counter\n"));
	assert_non_null(strstr(out.data, "# HELP process_open_fds Number of open file descriptors.\n"));
	assert_true(value(out.data, "process_cpu_seconds_total") >= 0);
	assert_true(value(out.data, "process_open_fds") >= 3);	/* stdin, stdout, stderr */
	assert_true(value(out.data, "process_open_fds") <= value(out.data, "process_max_fds"));
	assert_true(value(out.data, "process_resident_memory_bytes") > 0);
	assert_true(value(out.data, "process_virtual_memory_bytes") >=
		    value(out.data, "process_resident_memory_bytes"));
	assert_true(value(out.data, "process_virtual_memory_max_bytes") > 0);
	assert_true(fabs(value(out.data, "process_start_time_seconds") - now) < 60);
	buf_free(&out);
	metrics_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_start_time),
		cmocka_unit_test(test_metrics),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

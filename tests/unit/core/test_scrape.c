/*
 * test_scrape.c - one collection pass of the framework: only enabled
 * collectors run, each with a success and a duration series; the shared
 * MTA metrics are there even when no MTA collector ran; the program's own
 * metrics (scrape_config.self_metrics) come last, and only when given.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "collectors/core/scrape.h"
#include "lib/buf.h"

static int self_calls;

static void
self_metrics(struct metrics *m)
{
	self_calls++;
	metrics_add(metrics_family(m, "test_self_metric", "The program's own.", METRIC_GAUGE), 1, NULL);
}

/* One pass with only the collector named only (NULL: none); the body in *out. */
static void
pass(const char *only, bool with_self, char **out, bool *failed)
{
	char root[] = "/tmp/mta-test-scrape-XXXXXX";
	struct collector_env env = { .rootfs = root, .procfs = "/proc" };
	struct scrape_config cfg = { .env = &env, .max_body_bytes = 1u << 20 };
	struct scrape s;
	struct buf b;

	assert_non_null(mkdtemp(root));	/* an empty host: no MTA */
	for (size_t i = 0; i < collector_count; i++)
		env.enabled[i] = only && strcmp(collector_table[i]->name, only) == 0;
	if (with_self)
		cfg.self_metrics = self_metrics;
	assert_int_equal(scrape_init(&s, &cfg), 0);
	buf_init(&b, 1u << 20);
	assert_int_equal(scrape_render(&s, METRICS_TEXT_004, &b, failed), 0);
	*out = buf_steal(&b, NULL);
	scrape_fini(&s);
	rmdir(root);
}

static void
test_enabled_only(void **state)
{
	static const struct {
		const char *only;
		const char *want[4];	/* substrings of the body */
		const char *not[3];
	} cases[] = {
		{ NULL,
		  { "mta_exporter_build_info{version=", "mta_detected{mta=\"postfix\"} 0",
		    "mta_exporter_scrape_duration_seconds ", NULL },
		  { "mta_exporter_collector_success{", "mta_exporter_collector_duration_seconds{", NULL } },
		{ "exim",
		  { "mta_exporter_collector_success{collector=\"exim\"} 1",
		    "mta_exporter_collector_duration_seconds{collector=\"exim\"} ",
		    "mta_detected{mta=\"exim\"} 0", NULL },
		  { "collector=\"postfix\"", "collector=\"checks\"", NULL } },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *body;
		bool failed;

		pass(cases[i].only, false, &body, &failed);
		assert_false(failed);
		for (const char *const *w = cases[i].want; *w; w++)
			if (strstr(body, *w) == NULL)
				fail_msg("case %zu: no \"%s\" in:\n%s", i, *w, body);
		for (const char *const *w = cases[i].not; *w; w++)
			if (strstr(body, *w) != NULL)
				fail_msg("case %zu: \"%s\" in:\n%s", i, *w, body);
		free(body);
	}
}

static void
test_self_metrics(void **state)
{
	static const char last[] = "# TYPE test_self_metric gauge\ntest_self_metric 1\n";
	char *body;
	bool failed;
	size_t len;

	self_calls = 0;
	pass(NULL, false, &body, &failed);
	assert_int_equal(self_calls, 0);
	assert_null(strstr(body, "test_self_metric"));
	free(body);

	pass(NULL, true, &body, &failed);
	assert_int_equal(self_calls, 1);
	len = strlen(body);
	assert_true(len > strlen(last));
	assert_string_equal(body + len - strlen(last), last);	/* after everything else */
	free(body);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enabled_only),
		cmocka_unit_test(test_self_metrics),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_audit.c - the audit command: parsing of "audit" and --format, the
 * text and JSON reports, colour only when asked, and the exit status.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "collectors/checks/checks.h"
#include "exporter/audit.h"
#include "exporter/options.h"

static int
parse(struct options *o, const char *const *args)
{
	char *argv[16];
	int argc = 0;

	argv[argc++] = (char *)"mta_exporter";
	for (; *args && argc < 15; args++)
		argv[argc++] = (char *)(uintptr_t)*args;
	argv[argc] = NULL;
	return options_parse(o, argc, argv);
}

static void
test_options(void **state)
{
	struct options o;
	const char *a1[] = { "audit", NULL };
	const char *a2[] = { "audit", "--format=json", "--path.rootfs=/host", NULL };
	const char *a3[] = { "audit", "--format", "text", NULL };
	const char *bad[][4] = {
		{ "--format=json", NULL },		/* not in audit mode */
		{ "audit", "--format=xml", NULL },
		{ "audit", "--once", NULL },
		{ "--once", "audit", NULL },		/* audit must come first */
	};

	assert_int_equal(parse(&o, a1), 0);
	assert_int_equal(o.mode, MODE_AUDIT);
	assert_string_equal(o.audit_format, "text");
	assert_int_equal(parse(&o, a2), 0);
	assert_int_equal(o.mode, MODE_AUDIT);
	assert_string_equal(o.audit_format, "json");
	assert_string_equal(o.env.rootfs, "/host");
	assert_int_equal(parse(&o, a3), 0);
	assert_string_equal(o.audit_format, "text");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse(&o, bad[i]), -1);
}

static struct check_result results[3];
static struct mta_relay relay = { "", "smtp", RELAY_OPEN, "mynetworks_covers_all",
				  "mynetworks = 0.0.0.0/0 \"quoted\"" };

static void
make_facts(struct facts *f, enum check_status s2)
{
	memset(f, 0, sizeof(*f));
	memset(results, 0, sizeof(results));
	results[0] = (struct check_result){ .id = "cis_2_1_21", .info = &checks_find("cis_2_1_21")->info,
					    .status = CHECK_PASS, .detail = "all loopback" };
	results[1] = (struct check_result){ .id = "mta_no_open_relay",
					    .info = &checks_find("mta_no_open_relay")->info, .status = s2,
					    .reasons = { "postfix_open_relay" }, .n_reasons = 1,
					    .detail = "smtp is open" };
	results[2] = (struct check_result){ .id = "sendmail_help_file",
					    .info = &checks_find("sendmail_help_file")->info,
					    .status = CHECK_NOT_APPLICABLE };
	f->checks = results;
	f->n_checks = 3;
	f->mta[MTA_POSTFIX].detected = true;
	f->mta[MTA_POSTFIX].relays = &relay;
	f->mta[MTA_POSTFIX].n_relays = 1;
}

static void
test_text(void **state)
{
	struct facts f;
	struct buf b;

	make_facts(&f, CHECK_FAIL);
	buf_init(&b, 1 << 20);
	assert_int_equal(audit_render(&f, AUDIT_TEXT, false, false, &b), 0);
	assert_non_null(strstr(b.data, "[PASS]  cis_2_1_21"));
	assert_non_null(strstr(b.data, "[FAIL]  mta_no_open_relay"));
	assert_non_null(strstr(b.data, "reasons: postfix_open_relay"));
	assert_non_null(strstr(b.data, "remediation: "));
	assert_non_null(strstr(b.data, "[N/A]   sendmail_help_file"));
	assert_non_null(strstr(b.data, "postfix smtp: OPEN RELAY (mynetworks_covers_all)"));
	assert_non_null(strstr(b.data, "1 passed, 1 failed, 1 not applicable, 0 errors"));
	assert_null(strchr(b.data, '\033'));	/* no colour unless asked */
	buf_reset(&b);
	assert_int_equal(audit_render(&f, AUDIT_TEXT, true, false, &b), 0);
	assert_non_null(strstr(b.data, "\033[1;31m[FAIL]"));
	buf_free(&b);
}

static void
test_json(void **state)
{
	struct facts f;
	struct buf b;

	make_facts(&f, CHECK_ERROR);
	results[0].detail = "caf\xe9 \x01 caf\xc3\xa9";	/* Latin-1 from a config file */
	buf_init(&b, 1 << 20);
	assert_int_equal(audit_render(&f, AUDIT_JSON, true, true, &b), 0);
	assert_non_null(strstr(b.data, "\"detail\":\"caf\\ufffd \\u0001 caf\xc3\xa9\""));
	assert_null(strchr(b.data, '\033'));
	assert_non_null(strstr(b.data, "\"id\":\"mta_no_open_relay\""));
	assert_non_null(strstr(b.data, "\"status\":\"error\""));
	assert_non_null(strstr(b.data, "\"reasons\":[\"postfix_open_relay\"]"));
	assert_non_null(strstr(b.data, "\"detail\":\"mynetworks = 0.0.0.0/0 \\\"quoted\\\"\""));
	assert_non_null(strstr(b.data, "\"verdict\":\"open\""));
	assert_non_null(strstr(b.data, "\"summary\":{\"pass\":1,\"fail\":0,\"not_applicable\":1,\"error\":1}"));
	assert_non_null(strstr(b.data, "\"collectors_failed\":true,\"exit_status\":2}"));
	assert_non_null(strstr(b.data, "\"remediation\":\"Empty or remove the HelpFile"));
	buf_free(&b);
}

static void
test_exit_status(void **state)
{
	struct facts f;

	make_facts(&f, CHECK_PASS);
	assert_int_equal(audit_exit_status(&f, false), 0);
	assert_int_equal(audit_exit_status(&f, true), 2);	/* a collector failed */
	make_facts(&f, CHECK_ERROR);
	assert_int_equal(audit_exit_status(&f, false), 2);
	make_facts(&f, CHECK_FAIL);
	assert_int_equal(audit_exit_status(&f, true), 1);	/* a failure wins */
	f.checks = NULL;
	assert_int_equal(audit_exit_status(&f, false), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_exit_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

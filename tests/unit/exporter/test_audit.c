/*
 * test_audit.c - the audit command: parsing of "audit" and --format, the
 * text, JSON and JUnit reports with their header, waived and not
 * applicable checks, XML escaping, colour only when asked, and the exit
 * status (0 pass, 1 fail, 2 usage, 3 error).
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
	const char *a4[] = { "audit", "--format=junit", NULL };
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
	assert_int_equal(parse(&o, a4), 0);
	assert_string_equal(o.audit_format, "junit");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse(&o, bad[i]), -1);
}

static struct check_result results[4];
static const struct audit_header header = {
	.host = "mx1.example.org", .time = "2026-05-04T03:02:01Z", .version = "9.8.7",
	.revision = "abcdef", .rootfs = "/srv/image & co", .role = "server",
};
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
	results[3] = (struct check_result){ .id = "postfix_vrfy_disabled",
					    .info = &checks_find("postfix_vrfy_disabled")->info,
					    .status = CHECK_WAIVED, .reasons = { "vrfy_enabled" },
					    .n_reasons = 1,
					    .waiver = "helpdesk <tool> (until 2027-06-30)" };
	f->checks = results;
	f->n_checks = 4;
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
	assert_int_equal(audit_render(&f, &header, AUDIT_TEXT, false, false, &b), 0);
	assert_non_null(strstr(b.data, "mta_exporter audit\n  host:    mx1.example.org\n"
					"  time:    2026-05-04T03:02:01Z\n"
					"  version: 9.8.7 (revision abcdef)\n"
					"  rootfs:  /srv/image & co\n  role:    server\n"));
	assert_non_null(strstr(b.data, "[PASS]  cis_2_1_21"));
	assert_non_null(strstr(b.data, "[FAIL]  mta_no_open_relay"));
	assert_non_null(strstr(b.data, "reasons: postfix_open_relay"));
	assert_non_null(strstr(b.data, "remediation: "));
	assert_non_null(strstr(b.data, "[N/A]   sendmail_help_file"));
	assert_non_null(strstr(b.data, "postfix smtp: OPEN RELAY (mynetworks_covers_all)"));
	assert_non_null(strstr(b.data, "[WAIVED] postfix_vrfy_disabled"));
	assert_non_null(strstr(b.data, "waived: helpdesk <tool> (until 2027-06-30)\n"));
	assert_non_null(strstr(b.data, "1 passed, 1 failed, 1 waived, 1 not applicable, 0 in error"));
	assert_null(strstr(b.data, "stderr"));	/* no collector failed */
	assert_null(strchr(b.data, '\033'));	/* no colour unless asked */
	buf_reset(&b);
	assert_int_equal(audit_render(&f, &header, AUDIT_TEXT, true, true, &b), 0);
	assert_non_null(strstr(b.data, "\033[1;31m[FAIL]"));
	assert_non_null(strstr(b.data, "warning: a collector failed; the log on stderr says why\n"));
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
	assert_int_equal(audit_render(&f, &header, AUDIT_JSON, true, true, &b), 0);
	assert_non_null(strstr(b.data, "{\"host\":\"mx1.example.org\",\"time\":\"2026-05-04T03:02:01Z\","
					"\"version\":\"9.8.7\",\"revision\":\"abcdef\","
					"\"rootfs\":\"/srv/image & co\",\"role\":\"server\""));
	assert_non_null(strstr(b.data, "\"status\":\"waived\",\"reasons\":[\"vrfy_enabled\"],\"detail\":null,"
					"\"waiver\":\"helpdesk <tool> (until 2027-06-30)\""));
	assert_non_null(strstr(b.data, "\"detail\":\"caf\\ufffd \\u0001 caf\xc3\xa9\""));
	assert_null(strchr(b.data, '\033'));
	assert_non_null(strstr(b.data, "\"id\":\"mta_no_open_relay\""));
	assert_non_null(strstr(b.data, "\"status\":\"error\""));
	assert_non_null(strstr(b.data, "\"reasons\":[\"postfix_open_relay\"]"));
	assert_non_null(strstr(b.data, "\"detail\":\"mynetworks = 0.0.0.0/0 \\\"quoted\\\"\""));
	assert_non_null(strstr(b.data, "\"verdict\":\"open\""));
	assert_non_null(strstr(b.data, "\"summary\":{\"pass\":1,\"fail\":0,\"waived\":1,"
					"\"not_applicable\":1,\"error\":1}"));
	assert_non_null(strstr(b.data, "\"collectors_failed\":true,\"exit_status\":3}"));
	assert_non_null(strstr(b.data, "\"remediation\":\"Empty or remove the HelpFile"));
	buf_free(&b);
}

/* The JUnit report: one case per check, the right element for each status, escaped. */
static void
test_junit(void **state)
{
	static const struct {
		const char *want;
	} cases[] = {
		{ "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"mta_exporter audit\""
		  " tests=\"4\" failures=\"1\" errors=\"0\" skipped=\"2\" time=\"0\">\n" },
		{ "  <testsuite name=\"mta_exporter.mx1_example_org\" tests=\"4\" failures=\"1\" errors=\"0\""
		  " skipped=\"2\" time=\"0\" hostname=\"mx1.example.org\" timestamp=\"2026-05-04T03:02:01Z\">\n" },
		{ "      <property name=\"rootfs\" value=\"/srv/image &amp; co\"/>\n" },
		{ "      <property name=\"role\" value=\"server\"/>\n" },
		{ "    <testcase name=\"cis_2_1_21\" classname=\"mta_exporter.mx1_example_org\" time=\"0\"/>\n" },
		{ "<failure message=\"fails: postfix_open_relay\" type=\"critical\">No SMTP service relays" },
		{ "smtp is open &lt;1&gt;&#10;more\nremediation: " },
		{ "<skipped message=\"not applicable\"/>" },
		{ "<skipped message=\"waived: helpdesk &lt;tool&gt; (until 2027-06-30); fails: vrfy_enabled\"/>" },
		{ "  </testsuite>\n</testsuites>\n" },
	};
	struct facts f;
	struct buf b;

	make_facts(&f, CHECK_FAIL);
	results[1].detail = "smtp is open <1>\nmore";
	buf_init(&b, 1 << 20);
	assert_int_equal(audit_render(&f, &header, AUDIT_JUNIT, true, false, &b), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (strstr(b.data, cases[i].want) == NULL)
			fail_msg("JUnit report lacks %s:\n%s", cases[i].want, b.data);
	assert_null(strchr(b.data, '\033'));
	/* an error is <error>, with the reasons; not applicable with a reason says it */
	buf_reset(&b);
	make_facts(&f, CHECK_ERROR);
	results[2].reasons[0] = "role_server";
	results[2].n_reasons = 1;
	assert_int_equal(audit_render(&f, &header, AUDIT_JUNIT, false, false, &b), 0);
	assert_non_null(strstr(b.data, "errors=\"1\""));
	assert_non_null(strstr(b.data, "<error message=\"in error: postfix_open_relay\" type=\"critical\">"));
	assert_non_null(strstr(b.data, "<skipped message=\"not applicable: role_server\"/>"));
	buf_free(&b);
}

/* 0 all pass, 1 a failure (it wins), 2 usage (no checks), 3 an error or a failed collector. */
static void
test_exit_status(void **state)
{
	static const struct {
		enum check_status status;
		bool collectors_failed;
		bool no_checks;
		int want;
	} cases[] = {
		{ CHECK_PASS, false, false, AUDIT_EXIT_PASS },
		{ CHECK_WAIVED, false, false, AUDIT_EXIT_PASS },
		{ CHECK_NOT_APPLICABLE, false, false, AUDIT_EXIT_PASS },
		{ CHECK_PASS, true, false, AUDIT_EXIT_ERROR },
		{ CHECK_ERROR, false, false, AUDIT_EXIT_ERROR },
		{ CHECK_FAIL, false, false, AUDIT_EXIT_FAIL },
		{ CHECK_FAIL, true, false, AUDIT_EXIT_FAIL },
		{ CHECK_PASS, false, true, AUDIT_EXIT_USAGE },
	};
	struct facts f;

	assert_int_equal(AUDIT_EXIT_PASS, 0);
	assert_int_equal(AUDIT_EXIT_FAIL, 1);
	assert_int_equal(AUDIT_EXIT_USAGE, 2);
	assert_int_equal(AUDIT_EXIT_ERROR, 3);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		make_facts(&f, cases[i].status);
		if (cases[i].no_checks)
			f.checks = NULL;
		if (audit_exit_status(&f, cases[i].collectors_failed) != cases[i].want)
			fail_msg("case %zu: exit %d, want %d", i,
				 audit_exit_status(&f, cases[i].collectors_failed), cases[i].want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_junit),
		cmocka_unit_test(test_exit_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

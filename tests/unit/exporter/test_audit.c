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
	results[0] = (struct check_result){ .id = "cis_2_1_21", .info = &checks_find("cis_2_1_21", NULL)->info,
					    .status = CHECK_PASS, .detail = "all loopback" };
	results[1] = (struct check_result){ .id = "mta_no_open_relay",
					    .info = &checks_find("mta_no_open_relay", NULL)->info, .status = s2,
					    .reasons = { "postfix_open_relay" }, .n_reasons = 1,
					    .detail = "smtp is open" };
	results[2] = (struct check_result){ .id = "sendmail_help_file",
					    .info = &checks_find("sendmail_help_file", NULL)->info,
					    .status = CHECK_NOT_APPLICABLE };
	results[3] = (struct check_result){ .id = "postfix_vrfy_disabled",
					    .info = &checks_find("postfix_vrfy_disabled", NULL)->info,
					    .status = CHECK_WAIVED, .reasons = { "vrfy_enabled" },
					    .n_reasons = 1,
					    .waiver = "helpdesk <tool> (until 2027-06-30)" };
	f->checks = results;
	f->n_checks = 4;
	f->mta[MTA_POSTFIX].detected = true;
	f->mta[MTA_POSTFIX].relays = &relay;
	f->mta[MTA_POSTFIX].n_relays = 1;
}

/* Render f in fmt into b and require every string of want (NULL-terminated) in it. */
static void
expect_report(const struct facts *f, enum audit_format fmt, bool color, bool failed,
	      const char *const *want, struct buf *b)
{
	buf_reset(b);
	assert_int_equal(audit_render(f, &header, fmt, color, failed, b), 0);
	for (; *want; want++)
		if (strstr(b->data, *want) == NULL)
			fail_msg("the report lacks \"%s\":\n%s", *want, b->data);
}

static void
test_text(void **state)
{
	static const char *const plain[] = {
		"mta_exporter audit\n  host:    mx1.example.org\n  time:    2026-05-04T03:02:01Z\n"
		"  version: 9.8.7 (revision abcdef)\n  rootfs:  /srv/image & co\n  role:    server\n",
		"[PASS]  cis_2_1_21", "[FAIL]  mta_no_open_relay", "reasons: postfix_open_relay",
		"remediation: ", "[N/A]   sendmail_help_file",
		"postfix smtp: OPEN RELAY (mynetworks_covers_all)", "[WAIVED] postfix_vrfy_disabled",
		"waived: helpdesk <tool> (until 2027-06-30)\n",
		"1 passed, 1 failed, 1 waived, 1 not applicable, 0 in error", NULL,
	};
	static const char *const coloured[] = {
		"\033[1;31m[FAIL]", "warning: a collector failed; the log on stderr says why\n", NULL,
	};
	struct facts f;
	struct buf b;

	make_facts(&f, CHECK_FAIL);
	buf_init(&b, 1 << 20);
	expect_report(&f, AUDIT_TEXT, false, false, plain, &b);
	assert_null(strstr(b.data, "stderr"));	/* no collector failed */
	assert_null(strchr(b.data, '\033'));	/* no colour unless asked */
	expect_report(&f, AUDIT_TEXT, true, true, coloured, &b);
	buf_free(&b);
}

static void
test_json(void **state)
{
	static const char *const want[] = {
		"{\"host\":\"mx1.example.org\",\"time\":\"2026-05-04T03:02:01Z\",\"version\":\"9.8.7\","
		"\"revision\":\"abcdef\",\"rootfs\":\"/srv/image & co\",\"role\":\"server\"",
		"\"status\":\"waived\",\"reasons\":[\"vrfy_enabled\"],\"detail\":null,"
		"\"waiver\":\"helpdesk <tool> (until 2027-06-30)\"",
		"\"detail\":\"caf\\ufffd \\u0001 caf\xc3\xa9\"",	/* Latin-1 from a config file */
		"\"id\":\"mta_no_open_relay\"", "\"status\":\"error\"",
		"\"reasons\":[\"postfix_open_relay\"]",
		"\"detail\":\"mynetworks = 0.0.0.0/0 \\\"quoted\\\"\"", "\"verdict\":\"open\"",
		"\"summary\":{\"pass\":1,\"fail\":0,\"waived\":1,\"not_applicable\":1,\"error\":1}",
		"\"collectors_failed\":true,\"exit_status\":3}",
		"\"remediation\":\"Empty or remove the HelpFile", NULL,
	};
	struct facts f;
	struct buf b;

	make_facts(&f, CHECK_ERROR);
	results[0].detail = "caf\xe9 \x01 caf\xc3\xa9";
	buf_init(&b, 1 << 20);
	expect_report(&f, AUDIT_JSON, true, true, want, &b);
	assert_null(strchr(b.data, '\033'));
	buf_free(&b);
}

/* The JUnit report: one case per check, the right element for each status, escaped. */
static void
test_junit(void **state)
{
	static const char *const want[] = {
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"mta_exporter audit\""
		" tests=\"4\" failures=\"1\" errors=\"0\" skipped=\"2\" time=\"0\">\n",
		"  <testsuite name=\"mta_exporter.mx1_example_org\" tests=\"4\" failures=\"1\" errors=\"0\""
		" skipped=\"2\" time=\"0\" hostname=\"mx1.example.org\" timestamp=\"2026-05-04T03:02:01Z\">\n",
		"      <property name=\"rootfs\" value=\"/srv/image &amp; co\"/>\n",
		"      <property name=\"role\" value=\"server\"/>\n",
		"    <testcase name=\"cis_2_1_21\" classname=\"mta_exporter.mx1_example_org\" time=\"0\"/>\n",
		"<failure message=\"fails: postfix_open_relay\" type=\"critical\">No SMTP service relays",
		"smtp is open &lt;1&gt;&#10;more\nremediation: ",
		"<skipped message=\"not applicable\"/>",
		"<skipped message=\"waived: helpdesk &lt;tool&gt; (until 2027-06-30); fails: vrfy_enabled\"/>",
		"  </testsuite>\n</testsuites>\n", NULL,
	};
	/* an error is <error> with the reasons; not applicable with a reason says it */
	static const char *const error[] = {
		"errors=\"1\"", "<error message=\"in error: postfix_open_relay\" type=\"critical\">",
		"<skipped message=\"not applicable: role_server\"/>", NULL,
	};
	struct facts f;
	struct buf b;

	make_facts(&f, CHECK_FAIL);
	results[1].detail = "smtp is open <1>\nmore";
	buf_init(&b, 1 << 20);
	expect_report(&f, AUDIT_JUNIT, true, false, want, &b);
	assert_null(strchr(b.data, '\033'));
	make_facts(&f, CHECK_ERROR);
	results[2].reasons[0] = "role_server";
	results[2].n_reasons = 1;
	expect_report(&f, AUDIT_JUNIT, false, false, error, &b);
	assert_null(strstr(b.data, "remediation"));	/* only failures carry it */
	buf_free(&b);
}

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

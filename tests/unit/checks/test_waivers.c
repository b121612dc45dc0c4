/*
 * test_waivers.c - the waivers file: what parses (the minimal
 * file as it is, scopes, quoting, an empty file), every refusal with its
 * line and key, the calendar, loading through fileio, and which failing
 * results a set of waivers covers at a given time.
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

#include "collectors/checks/waivers.h"
#include "collectors/core/check.h"

/* The file of issue 17, byte for byte: it must work as it is. */
static const char minimal[] =
	"- check: postfix_vrfy_disabled\n"
	"  reason: VRFY needed by the helpdesk tool, ticket 123\n"
	"  expires: 2027-06-30\n";

static void
test_parse_ok(void **state)
{
	static const struct {
		const char *yaml;
		size_t n;
		const char *check;	/* of the last entry */
		int mta;
		const char *service;
		const char *reason;
		const char *expires;
	} cases[] = {
		{ minimal, 1, "postfix_vrfy_disabled", -1, NULL,
		  "VRFY needed by the helpdesk tool, ticket 123", "2027-06-30" },
		{ "", 0, NULL, 0, NULL, NULL, NULL },
		{ "# nothing waived yet\n", 0, NULL, 0, NULL, NULL, NULL },
		{ "[]\n", 0, NULL, 0, NULL, NULL, NULL },
		{ "---\n~\n", 0, NULL, 0, NULL, NULL, NULL },
		{ "- {check: mta_no_open_relay, mta: exim, service: smtp, reason: lab, expires: '2026-02-28'}\n",
		  1, "mta_no_open_relay", MTA_EXIM, "smtp", "lab", "2026-02-28" },
		{ "- check: postfix_smtpd_sasl_noanonymous\n  mta: postfix\n  service: postfix-out/submission\n"
		  "  reason: \"quoted: yes\"\n  expires: 2028-02-29\n",
		  1, "postfix_smtpd_sasl_noanonymous", MTA_POSTFIX, "postfix-out/submission", "quoted: yes",
		  "2028-02-29" },
		/* the same check twice, in different scopes */
		{ "- check: cis_2_1_21\n  mta: postfix\n  reason: a\n  expires: 2030-01-01\n"
		  "- check: cis_2_1_21\n  mta: exim\n  reason: b\n  expires: 2030-01-01\n",
		  2, "cis_2_1_21", MTA_EXIM, NULL, "b", "2030-01-01" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct waivers w;
		char err[256];
		const struct waiver *last;

		if (waivers_parse(cases[i].yaml, strlen(cases[i].yaml), &w, err, sizeof(err)) < 0)
			fail_msg("case %zu: refused: %s", i, err);
		assert_int_equal(w.n, cases[i].n);
		if (w.n) {
			last = &w.v[w.n - 1];
			assert_string_equal(last->check, cases[i].check);
			assert_int_equal(last->mta, cases[i].mta);
			if (cases[i].service)
				assert_string_equal(last->service, cases[i].service);
			else
				assert_null(last->service);
			assert_string_equal(last->reason, cases[i].reason);
			assert_string_equal(last->expires, cases[i].expires);
			assert_int_equal(last->expiry, waivers_date(cases[i].expires) + 86400);
		}
		waivers_free(&w);
	}
}

static void
test_parse_errors(void **state)
{
	static const struct {
		const char *yaml;
		const char *want;
	} cases[] = {
		{ "- check: postfix_vrfy\n  reason: x\n  expires: 2027-06-30\n",
		  "line 1: entry 1: check: unknown check \"postfix_vrfy\"" },
		{ "- check: postfix_vrfy_disabled\n  expires: 2027-06-30\n", "line 1: entry 1: reason: missing" },
		{ "- check: postfix_vrfy_disabled\n  reason: x\n", "line 1: entry 1: expires: missing" },
		{ "- reason: x\n  expires: 2027-06-30\n", "line 1: entry 1: check: missing" },
		{ "- check: postfix_vrfy_disabled\n  reason: \"  \"\n  expires: 2027-06-30\n",
		  "line 2: entry 1: reason: is empty" },
		{ "- check: postfix_vrfy_disabled\n  reason:\n  expires: 2027-06-30\n",
		  "entry 1: reason: expected text, got nothing" },
		{ "- check: postfix_vrfy_disabled\n  reason: [a]\n  expires: 2027-06-30\n",
		  "reason: expected text, got a list" },
		{ "- check: postfix_vrfy_disabled\n  reason: x\n  expires: 2027-02-29\n",
		  "line 3: entry 1: expires: \"2027-02-29\" is not a date YYYY-MM-DD" },
		{ "- check: postfix_vrfy_disabled\n  reason: x\n  expires: 2027-6-30\n", "is not a date" },
		{ "- check: postfix_vrfy_disabled\n  reason: x\n  expires: 2027-06-31\n", "is not a date" },
		{ "- check: postfix_vrfy_disabled\n  reason: x\n  expires: 2027-13-01\n", "is not a date" },
		{ "- check: postfix_vrfy_disabled\n  reason: x\n  expires: 1969-12-31\n", "is not a date" },
		{ "- check: postfix_vrfy_disabled\n  reason: x\n  expires: 2027-06-30T00:00:00Z\n", "is not a date" },
		{ "- check: postfix_vrfy_disabled\n  reason: x\n  expires: 2027-06-30\n  owner: me\n",
		  "line 4: entry 1: owner: unknown key (check, mta, service, reason, expires)" },
		{ "- check: postfix_vrfy_disabled\n  check: postfix_helo_required\n  reason: x\n  expires: 2027-06-30\n",
		  "line 2: entry 1: check: key given twice" },
		{ "- check: postfix_vrfy_disabled\n  mta: qmail\n  reason: x\n  expires: 2027-06-30\n",
		  "entry 1: mta: unknown MTA \"qmail\"" },
		{ "- check: postfix_vrfy_disabled\n  mta: exim\n  reason: x\n  expires: 2027-06-30\n",
		  "entry 1: mta: check postfix_vrfy_disabled is about postfix, not exim" },
		{ "- check: postfix_vrfy_disabled\n  reason: x\n  expires: 2027-06-30\n"
		  "- check: postfix_vrfy_disabled\n  reason: y\n  expires: 2028-06-30\n",
		  "line 4: entry 2: waives what the waiver on line 1 waives" },
		{ "check: postfix_vrfy_disabled\nreason: x\nexpires: 2027-06-30\n",
		  "line 1: expected a list of waivers (- check: ...), got a mapping" },
		{ "- postfix_vrfy_disabled\n", "line 1: entry 1: expected a mapping" },
		{ "- check: postfix_vrfy_disabled\n  reason: x\n  expires: [2027-06-30\n", "invalid YAML" },
		{ "- {}\n---\n- {}\n", "more than one YAML document" },
		{ "- check: \"postfix_vrfy_disabled\\0\"\n  reason: x\n  expires: 2027-06-30\n",
		  "check: contains a NUL byte" },
		{ "- ? [a]\n  : b\n", "keys must be strings" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct waivers w;
		char err[256];

		if (waivers_parse(cases[i].yaml, strlen(cases[i].yaml), &w, err, sizeof(err)) == 0)
			fail_msg("case %zu: accepted %s", i, cases[i].yaml);
		if (strstr(err, cases[i].want) == NULL)
			fail_msg("case %zu: message \"%s\", want \"%s\"", i, err, cases[i].want);
		assert_null(w.v);	/* nothing kept on failure */
		assert_int_equal(w.n, 0);
	}
}

/* Limits: entries, bytes, text length, nesting. */
static void
test_limits(void **state)
{
	size_t cap = (WAIVERS_MAX + 1) * 96 + 1, len = 0;
	char *big = malloc(cap), err[256];
	struct waivers w;

	assert_non_null(big);
	for (int i = 0; i <= WAIVERS_MAX; i++)
		len += (size_t)snprintf(big + len, cap - len,
					"- {check: cis_2_1_21, service: s%d, reason: r, expires: 2030-01-01}\n", i);
	assert_int_equal(waivers_parse(big, len, &w, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "more than 1024 waivers"));
	assert_int_equal(waivers_parse(big, WAIVERS_MAX_BYTES + 1, &w, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "larger than"));
	memset(big, 'x', WAIVERS_MAX_TEXT + 1);
	len = (size_t)snprintf(big, cap, "- check: cis_2_1_21\n  expires: 2030-01-01\n  reason: ");
	memset(big + len, 'x', WAIVERS_MAX_TEXT + 1);
	big[len + WAIVERS_MAX_TEXT + 1] = '\n';
	assert_int_equal(waivers_parse(big, len + WAIVERS_MAX_TEXT + 2, &w, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "reason: longer than 512 bytes"));
	memset(big, '[', 64);
	assert_int_equal(waivers_parse(big, 64, &w, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "nested deeper than"));
	free(big);
}

static void
test_dates(void **state)
{
	static const struct {
		const char *s;
		long long want;		/* -1: refused */
	} cases[] = {
		{ "1970-01-01", 0 },
		{ "1970-01-02", 86400 },
		{ "2000-02-29", 951782400 },	/* divisible by 400: leap */
		{ "2024-02-29", 1709164800 },
		{ "2027-06-30", 1814313600 },
		{ "2100-03-01", 4107542400 },	/* 2100 is not a leap year */
		{ "9999-12-31", 253402214400 },
		{ "2100-02-29", -1 },
		{ "2023-02-29", -1 },
		{ "2024-04-31", -1 },
		{ "2024-00-10", -1 },
		{ "2024-01-00", -1 },
		{ "1969-12-31", -1 },
		{ "2024-1-01", -1 },
		{ "2024-01-011", -1 },
		{ "2024/01/01", -1 },
		{ "", -1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if ((long long)waivers_date(cases[i].s) != cases[i].want)
			fail_msg("%s: %lld, want %lld", cases[i].s, (long long)waivers_date(cases[i].s),
				 cases[i].want);
}

/* Loading names the file; a missing file is an error, not "no waivers". */
static void
test_load(void **state)
{
	char dir[] = "/tmp/test_waivers.XXXXXX", path[64], err[512];
	struct waivers w;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/w.yml", dir);
	assert_int_equal(waivers_load(path, &w, err, sizeof(err)), -1);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "no such file"));
	assert_non_null(f = fopen(path, "w"));
	fputs(minimal, f);
	fputs("- check: nope\n  reason: x\n  expires: 2027-06-30\n", f);
	fclose(f);
	assert_int_equal(waivers_load(path, &w, err, sizeof(err)), -1);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, ": line 4: entry 2: check: unknown check \"nope\""));
	assert_non_null(f = fopen(path, "w"));
	fputs(minimal, f);
	fclose(f);
	assert_int_equal(waivers_load(path, &w, err, sizeof(err)), 0);
	assert_int_equal(w.n, 1);
	waivers_free(&w);
	assert_int_equal(waivers_load(dir, &w, err, sizeof(err)), -1);	/* a directory */
	unlink(path);
	rmdir(dir);
}

/* Which failing results a set of waivers covers, and when. */
static void
test_apply(void **state)
{
	static const char yaml[] =
		"- {check: cis_2_1_21, mta: postfix, reason: mx, expires: 2030-01-01}\n"
		"- {check: mta_no_open_relay, service: smtp, reason: lab relay, expires: 2030-01-01}\n"
		"- {check: mta_no_open_relay, service: submission, reason: old, expires: 2020-01-01}\n"
		"- {check: postfix_vrfy_disabled, reason: a, expires: 2030-01-01}\n"
		"- {check: postfix_vrfy_disabled, mta: postfix, reason: b, expires: 2031-01-01}\n";
	static const struct check_subject s_pf_all = { "postfix_inet_interfaces_all", MTA_POSTFIX, NULL };
	static const struct check_subject s_port = { "port_25_nonloopback", -1, NULL };
	static const struct check_subject s_smtp = { "exim_open_relay", MTA_EXIM, "smtp" };
	static const struct check_subject s_sub = { "exim_open_relay", MTA_EXIM, "submission" };
	static const struct check_subject s_vrfy = { "vrfy_enabled", MTA_POSTFIX, NULL };
	static const struct {
		const char *check;
		enum check_status status;
		const struct check_subject *subj[3];
		bool lost;
		enum check_status want;
		bool expired;		/* waiver_expired added */
		const char *text;	/* CHECK_WAIVED: r->waiver */
	} cases[] = {
		{ "cis_2_1_21", CHECK_FAIL, { &s_pf_all }, false, CHECK_WAIVED, false, "mx (until 2030-01-01)" },
		/* a finding the waiver's MTA does not cover: still failing */
		{ "cis_2_1_21", CHECK_FAIL, { &s_pf_all, &s_port }, false, CHECK_FAIL, false, NULL },
		{ "mta_no_open_relay", CHECK_FAIL, { &s_smtp }, false, CHECK_WAIVED, false,
		  "lab relay (until 2030-01-01)" },
		{ "mta_no_open_relay", CHECK_FAIL, { &s_smtp, &s_sub }, false, CHECK_FAIL, true, NULL },
		{ "mta_no_open_relay", CHECK_FAIL, { &s_sub }, false, CHECK_FAIL, true, NULL },
		/* two waivers cover it: both are named */
		{ "postfix_vrfy_disabled", CHECK_FAIL, { &s_vrfy }, false, CHECK_WAIVED, false,
		  "a (until 2030-01-01); b (until 2031-01-01)" },
		/* more findings than could be recorded: never waived */
		{ "postfix_vrfy_disabled", CHECK_FAIL, { &s_vrfy }, true, CHECK_FAIL, false, NULL },
		/* only failures are waived */
		{ "postfix_vrfy_disabled", CHECK_ERROR, { &s_vrfy }, false, CHECK_ERROR, false, NULL },
		{ "postfix_vrfy_disabled", CHECK_PASS, { NULL }, false, CHECK_PASS, false, NULL },
		/* a failure without any recorded finding is not covered */
		{ "postfix_vrfy_disabled", CHECK_FAIL, { NULL }, false, CHECK_FAIL, false, NULL },
		{ "postfix_helo_required", CHECK_FAIL, { &s_vrfy }, false, CHECK_FAIL, false, NULL },
	};
	struct waivers w;
	struct arena ar;
	char err[256];

	assert_int_equal(waivers_parse(yaml, strlen(yaml), &w, err, sizeof(err)), 0);
	arena_init(&ar, 1 << 16);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct check_result r = { .id = cases[i].check, .status = cases[i].status,
					  .subjects_lost = cases[i].lost };
		bool expired = false;

		for (size_t j = 0; j < 3 && cases[i].subj[j]; j++) {
			r.subjects[r.n_subjects++] = *cases[i].subj[j];
			check_reason(&r, cases[i].subj[j]->code);
		}
		waivers_apply(&w, waivers_date("2029-12-31") + 86399, &r, 1, &ar);
		for (size_t j = 0; j < r.n_reasons; j++)
			expired |= strcmp(r.reasons[j], "waiver_expired") == 0;
		if (r.status != cases[i].want || expired != cases[i].expired)
			fail_msg("case %zu: %s, expired %d; want %s, %d", i, check_status_name(r.status),
				 expired, check_status_name(cases[i].want), cases[i].expired);
		if (cases[i].text)
			assert_string_equal(r.waiver, cases[i].text);
		else
			assert_null(r.waiver);
	}
	/* NULL or empty waivers change nothing */
	{
		struct check_result r = { .id = "cis_2_1_21", .status = CHECK_FAIL };
		struct waivers none = { 0 };

		r.subjects[r.n_subjects++] = s_pf_all;
		waivers_apply(NULL, 0, &r, 1, &ar);
		waivers_apply(&none, 0, &r, 1, &ar);
		assert_int_equal(r.status, CHECK_FAIL);
	}
	arena_free(&ar);
	waivers_free(&w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_apply),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

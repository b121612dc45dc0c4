/*
 * test_sendmail_checks.c - the sendmail_* checks and Sendmail's part of
 * stig_gen004710, decided from hand-built Sendmail facts (the decisions
 * are pure): each check's pass, fail and not-applicable paths and the
 * reason codes, run through the checks framework as the program runs them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "collectors/checks/checks.h"
#include "collectors/sendmail/sendmail.h"
#include "collectors/sendmail/sendmail_checks.h"

static const struct {
	const char *name;
	unsigned privacy;
	const char *greeting;		/* SmtpGreetingMessage; NULL = unset */
	const char *helpfile;		/* NULL = unset */
	bool help_content;
	const char *relay_finding;	/* one sendmail_relay_eval() finding, or NULL */
	bool mc_present;
	const char *mismatch;		/* one .mc/.cf mismatch code, or NULL */
	bool loopback, promiscuous;
	const char *id;
	enum check_status want;
	const char *reason, *not_reason;
} cases[] = {
	{ "no PrivacyOptions", 0, NULL, NULL, false, NULL, false, NULL, false, false,
	  "sendmail_privacy_options", CHECK_FAIL, "expn_allowed", NULL },
	{ "no PrivacyOptions (vrfy)", 0, NULL, NULL, false, NULL, false, NULL, false, false,
	  "sendmail_privacy_options", CHECK_FAIL, "vrfy_allowed", NULL },
	{ "goaway", SENDMAIL_PRIV_GOAWAY, NULL, NULL, false, NULL, false, NULL, false, false,
	  "sendmail_privacy_options", CHECK_PASS, NULL, NULL },
	{ "noexpn only", SENDMAIL_PRIV_NOEXPN, NULL, NULL, false, NULL, false, NULL, false, false,
	  "sendmail_privacy_options", CHECK_FAIL, "vrfy_allowed", "expn_allowed" },
	{ "noexpn,novrfy", SENDMAIL_PRIV_NOEXPN | SENDMAIL_PRIV_NOVRFY, NULL, NULL, false, NULL,
	  false, NULL, false, false, "sendmail_privacy_options", CHECK_PASS, NULL, NULL },
	{ "built-in greeting", 0, NULL, NULL, false, NULL, false, NULL, false, false,
	  "sendmail_greeting_no_version", CHECK_FAIL, "greeting_reveals_version", NULL },
	{ "greeting without version", 0, "$j ESMTP", NULL, false, NULL, false, NULL, false, false,
	  "sendmail_greeting_no_version", CHECK_PASS, NULL, NULL },
	{ "greeting with literal version", 0, "$j ESMTP 8.17.1", NULL, false, NULL, false, NULL,
	  false, false, "sendmail_greeting_no_version", CHECK_FAIL, "greeting_reveals_version", NULL },
	{ "HelpFile with content", 0, NULL, "/etc/mail/helpfile", true, NULL, false, NULL, false,
	  false, "sendmail_help_file", CHECK_FAIL, "help_file_present", NULL },
	{ "HelpFile empty or missing", 0, NULL, "/etc/mail/helpfile", false, NULL, false, NULL,
	  false, false, "sendmail_help_file", CHECK_PASS, NULL, NULL },
	{ "no HelpFile", 0, NULL, NULL, false, NULL, false, NULL, false, false,
	  "sendmail_help_file", CHECK_PASS, NULL, NULL },
	{ "relay_entire_domain", 0, NULL, NULL, false, "relay_entire_domain", false, NULL, false,
	  false, "sendmail_relay_features", CHECK_FAIL, "relay_entire_domain", NULL },
	{ "no relay feature", 0, NULL, NULL, false, NULL, false, NULL, false, false,
	  "sendmail_relay_features", CHECK_PASS, NULL, NULL },
	{ "no sendmail.mc", 0, NULL, NULL, false, NULL, false, NULL, false, false,
	  "sendmail_mc_cf_consistent", CHECK_NOT_APPLICABLE, NULL, NULL },
	{ ".cf rebuilt", 0, NULL, NULL, false, NULL, true, NULL, false, false,
	  "sendmail_mc_cf_consistent", CHECK_PASS, NULL, NULL },
	{ ".cf not rebuilt", 0, NULL, NULL, false, NULL, true, "daemon_options", false, false,
	  "sendmail_mc_cf_consistent", CHECK_FAIL, "daemon_options", NULL },
	{ "STIG: promiscuous beyond loopback", 0, NULL, NULL, false, NULL, false, NULL, false, true,
	  "stig_gen004710", CHECK_FAIL, "sendmail_promiscuous_relay", NULL },
	{ "STIG: promiscuous on loopback only", 0, NULL, NULL, false, NULL, false, NULL, true, true,
	  "stig_gen004710", CHECK_PASS, NULL, NULL },
	{ "STIG: not promiscuous", 0, NULL, NULL, false, NULL, false, NULL, false, false,
	  "stig_gen004710", CHECK_PASS, NULL, NULL },
};

static bool
has_reason(const struct check_result *r, const char *code)
{
	for (size_t i = 0; i < r->n_reasons; i++)
		if (strcmp(r->reasons[i], code) == 0)
			return true;
	return false;
}

static void
test_cases(void **state)
{
	static struct sendmail_cf cf;
	struct sendmail_facts sf;
	struct collector_env env = { .rootfs = "/" };
	struct facts f;
	struct arena ar;
	struct check_result res[64];

	env.enabled[collector_index("sendmail")] = true;
	arena_init(&ar, 1 << 20);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct check_result *r = NULL;
		size_t n;

		memset(&cf, 0, sizeof(cf));
		memset(&sf, 0, sizeof(sf));
		memset(&f, 0, sizeof(f));
		cf.privacy = cases[i].privacy;
		if (cases[i].greeting) {
			cf.greeting_set = true;
			snprintf(cf.greeting, sizeof(cf.greeting), "%s", cases[i].greeting);
		}
		if (cases[i].helpfile) {
			cf.helpfile_set = true;
			snprintf(cf.helpfile, sizeof(cf.helpfile), "%s", cases[i].helpfile);
		}
		sf.cf = &cf;
		sf.help_has_content = cases[i].help_content;
		if (cases[i].relay_finding)
			sf.relay.findings[sf.relay.n_findings++] = cases[i].relay_finding;
		sf.mc_present = cases[i].mc_present;
		if (cases[i].mismatch)
			sf.mismatch.codes[sf.mismatch.n++] = cases[i].mismatch;
		sf.all_daemons_loopback = cases[i].loopback;
		sf.promiscuous_relay = cases[i].promiscuous;
		f.mta[MTA_SENDMAIL].detected = true;
		f.mta[MTA_SENDMAIL].collected = true;
		f.mta[MTA_SENDMAIL].local_only = cases[i].loopback;
		f.mta[MTA_SENDMAIL].priv = &sf;

		n = checks_evaluate(&f, &env, &ar, res, 64);
		for (size_t k = 0; k < n; k++)
			if (strcmp(res[k].id, cases[i].id) == 0)
				r = &res[k];
		assert_non_null(r);
		if (r->status != cases[i].want
		    || (cases[i].reason && !has_reason(r, cases[i].reason))
		    || (cases[i].not_reason && has_reason(r, cases[i].not_reason)))
			fail_msg("%s: %s is %s (%s), want %s %s", cases[i].name, r->id,
				 check_status_name(r->status), r->n_reasons ? r->reasons[0] : "-",
				 check_status_name(cases[i].want), cases[i].reason ? cases[i].reason : "");
	}
	arena_free(&ar);
}

/* sendmail_daemons_listen and sendmail_access_db_current, from the facts they read */
static void
test_listen_and_access_db(void **state)
{
	static const struct {
		const char *name;
		const char *cf;
		bool bindv6only;
		enum sendmail_access_db adb;
		const char *id;
		enum check_status want;
		const char *reason;
	} rows[] = {
		{ "v6 and v4 wildcards", "O DaemonPortOptions=Family=inet6, Name=v6\n"
		  "O DaemonPortOptions=Name=v4\n", false, SENDMAIL_ACCESS_DB_NOT_USED,
		  "sendmail_daemons_listen", CHECK_FAIL, "daemon_bind_conflict" },
		{ "bindv6only=1", "O DaemonPortOptions=Family=inet6, Name=v6\n"
		  "O DaemonPortOptions=Name=v4\n", true, SENDMAIL_ACCESS_DB_NOT_USED,
		  "sendmail_daemons_listen", CHECK_PASS, NULL },
		{ "one daemon", "", false, SENDMAIL_ACCESS_DB_NOT_USED, "sendmail_daemons_listen",
		  CHECK_PASS, NULL },
		{ "no access map", "", false, SENDMAIL_ACCESS_DB_NOT_USED, "sendmail_access_db_current",
		  CHECK_NOT_APPLICABLE, NULL },
		{ "access.db current", "", false, SENDMAIL_ACCESS_DB_CURRENT,
		  "sendmail_access_db_current", CHECK_PASS, NULL },
		{ "access.db older", "", false, SENDMAIL_ACCESS_DB_OLDER, "sendmail_access_db_current",
		  CHECK_FAIL, "access_map_not_rebuilt" },
		{ "access.db missing", "", false, SENDMAIL_ACCESS_DB_MISSING,
		  "sendmail_access_db_current", CHECK_FAIL, "access_map_not_built" },
		{ "a map type we do not check", "", false, SENDMAIL_ACCESS_DB_UNKNOWN,
		  "sendmail_access_db_current", CHECK_NOT_APPLICABLE, NULL },
	};
	struct collector_env env = { .rootfs = "/" };
	struct arena ar;
	struct check_result res[64];

	env.enabled[collector_index("sendmail")] = true;
	arena_init(&ar, 1 << 20);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct sendmail_cf *cf = sendmail_cf_parse(rows[i].cf, strlen(rows[i].cf));
		struct sendmail_facts sf = { 0 };
		struct facts f = { 0 };
		const struct check_result *r = NULL;
		size_t n;

		assert_non_null(cf);
		sf.cf = cf;
		sf.bindv6only = rows[i].bindv6only;
		sendmail_daemons_listen(cf, rows[i].bindv6only, &sf.listen);
		sf.access_db = rows[i].adb;
		sf.access_db_path = "/etc/mail/access.db";
		f.mta[MTA_SENDMAIL].detected = true;
		f.mta[MTA_SENDMAIL].collected = true;
		f.mta[MTA_SENDMAIL].priv = &sf;
		n = checks_evaluate(&f, &env, &ar, res, 64);
		for (size_t k = 0; k < n; k++)
			if (strcmp(res[k].id, rows[i].id) == 0)
				r = &res[k];
		assert_non_null(r);
		if (r->status != rows[i].want || (rows[i].reason && !has_reason(r, rows[i].reason)))
			fail_msg("%s: %s is %s", rows[i].name, r->id, check_status_name(r->status));
		free(cf);
	}
	arena_free(&ar);
}

/* The descriptor: the rows are Sendmail's and the collector is the sendmail collector. */
static void
test_descriptor(void **state)
{
	assert_ptr_equal(mta_table[MTA_SENDMAIL], &mta_sendmail);
	assert_string_equal(mta_name(MTA_SENDMAIL), "sendmail");
	assert_true(mta_sendmail.n_checks > 0);
	for (size_t i = 0; i < mta_sendmail.n_checks; i++)
		assert_int_equal(strncmp(mta_sendmail.checks[i].info.id, "sendmail_", 9), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_listen_and_access_db),
		cmocka_unit_test(test_descriptor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

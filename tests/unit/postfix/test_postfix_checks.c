/*
 * test_postfix_checks.c - the postfix_* checks and Postfix's part of
 * stig_gen004710, decided from what the postfix collector leaves for a
 * main.cf and master.cf written into a scratch root (the facts are the
 * real ones; the decisions are pure): a default configuration, a
 * loopback-only one, a hardened one, and the hardened one broken in one
 * way at a time.  The relay-guard rule of postfix_relay_restrictions is
 * the relay evaluator's: where the check fails, the service's verdict is
 * the startup guard's config error.  Also the STIG rule on
 * smtpd_client_restrictions itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "collectors/checks/checks.h"
#include "collectors/core/scrape.h"
#include "collectors/postfix/postfix.h"
#include "collectors/postfix/postfix_checks.h"
#include "exporter/exposition/metrics.h"

#define HARDENED_MAIN \
	"compatibility_level = 3.6\n" \
	"disable_vrfy_command = yes\n" \
	"smtpd_helo_required = yes\n" \
	"smtpd_banner = $myhostname ESMTP\n" \
	"mynetworks = 127.0.0.0/8 10.0.0.0/8 [::1]/128\n" \
	"smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n" \
	"smtpd_client_restrictions = permit_mynetworks, reject\n" \
	"smtpd_sender_restrictions = check_sender_access hash:/etc/postfix/sender_access\n" \
	"smtpd_tls_security_level = may\n" \
	"smtpd_tls_cert_file = /etc/ssl/certs/mx.pem\n" \
	"smtpd_tls_key_file = /etc/ssl/private/mx.key\n" \
	"relayhost = [smtp.example.net]:587\n" \
	"smtp_sasl_auth_enable = yes\n" \
	"smtp_tls_security_level = encrypt\n" \
	"smtp_sasl_security_options = noanonymous\n" \
	"smtpd_sasl_security_options = noanonymous, noplaintext\n" \
	"smtpd_client_connection_count_limit = 10\n" \
	"smtpd_client_connection_rate_limit = 30\n" \
	"smtpd_tls_loglevel = 1\n" \
	"smtp_tls_loglevel = 1\n"

#define MASTER \
	"smtp      inet  n       -       y       -       -       smtpd\n" \
	"submission inet n       -       y       -       -       smtpd\n" \
	"  -o smtpd_sasl_auth_enable=yes\n"

static char root[] = "/tmp/test_postfix_checks.XXXXXX";

static void
put(const char *rel, const char *text)
{
	char path[512], dir[512], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	for (slash = strchr(path + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
		mkdir(dir, 0755);
	}
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* put(), then set the file's times to mtime (seconds since the epoch). */
static void
put_at(const char *rel, const char *text, time_t mtime)
{
	char path[512];
	struct timespec ts[2] = { { mtime, 0 }, { mtime, 0 } };

	put(rel, text);
	snprintf(path, sizeof(path), "%s%s", root, rel);
	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

static void
drop(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s%s", root, rel);
	unlink(path);
}

/*
 * main.cf = base with every "name = value" line of edits replacing the
 * base's line of that name (or added); master.cf = MASTER + extra.
 */
static void
configure(const char *base, const char *edits, const char *extra_master)
{
	char main_cf[4096] = "", master_cf[2048];
	const char *p = base;

	while (*p) {
		const char *nl = strchr(p, '\n'), *eq = strstr(p, " = ");
		size_t len = nl ? (size_t)(nl - p + 1) : strlen(p);
		bool replaced = false;

		for (const char *e = edits; e && *e && eq && eq < p + len; ) {
			const char *enl = strchr(e, '\n');

			if (strncmp(e, p, (size_t)(eq - p + 3)) == 0)
				replaced = true;
			e = enl ? enl + 1 : e + strlen(e);
		}
		if (!replaced)
			strncat(main_cf, p, len);
		p += len;
	}
	if (edits)
		strcat(main_cf, edits);
	snprintf(master_cf, sizeof(master_cf), "%s%s", MASTER, extra_master ? extra_master : "");
	put("/etc/postfix/main.cf", main_cf);
	put("/etc/postfix/master.cf", master_cf);
}

struct run {
	struct collector_env env;
	struct facts f;
	struct arena ar;
	struct metrics *m;
	struct check_result res[64];
	size_t n;
};

/* The postfix collector on the scratch root, then every check. */
static void
collect(struct run *r)
{
	struct scrape_ctx sc;

	memset(r, 0, sizeof(*r));
	r->env.rootfs = root;
	r->env.procfs = "/proc";
	for (size_t i = 0; i < collector_count; i++)
		r->env.enabled[i] = true;
	arena_init(&r->ar, 4u << 20);
	assert_non_null(r->m = metrics_new(1u << 20));
	sc = (struct scrape_ctx){ .env = &r->env, .m = r->m, .facts = &r->f, .arena = &r->ar };
	r->f.listeners_collected = true;
	for (int k = 0; k < MTA_COUNT; k++)
		r->f.mta[k].collected = true;
	assert_int_equal(scrape_collector(&sc, &collector_postfix), 0);
	assert_true(r->f.mta[MTA_POSTFIX].detected);
	r->n = checks_evaluate(&r->f, &r->env, NULL, &r->ar, r->res, 64);
}

static void
done(struct run *r)
{
	metrics_free(r->m);
	arena_free(&r->ar);
}

static const struct check_result *
result(const struct run *r, const char *id)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->res[i].id, id) == 0)
			return &r->res[i];
	fail_msg("no check %s", id);
	return NULL;
}

static bool
has_reason(const struct check_result *r, const char *code)
{
	for (size_t i = 0; i < r->n_reasons; i++)
		if (strcmp(r->reasons[i], code) == 0)
			return true;
	return false;
}

static void
expect(const struct run *r, const char *label, const char *id, enum check_status st,
       const char *reason)
{
	const struct check_result *c = result(r, id);

	if (c->status != st || (reason != NULL && !has_reason(c, reason)))
		fail_msg("%s: %s is %s (%s), want %s %s", label, id, check_status_name(c->status),
			 c->n_reasons ? c->reasons[0] : "-", check_status_name(st),
			 reason ? reason : "");
}

static int
setup(void **state)
{
	if (mkdtemp(root) == NULL)
		return -1;
	/* Postfix 3.7.11 (mail_version), and the certificate but not yet the key */
	put("/var/lib/dpkg/status",
	    "Package: postfix\nStatus: install ok installed\nVersion: 3.7.11-0+deb12u1\n");
	put("/etc/hostname", "mx.example.org\n");
	put("/etc/ssl/certs/mx.pem", "certificate\n");
	/* the hardened configuration's table, compiled after its source */
	put_at("/etc/postfix/sender_access", "spam.example REJECT\n", 1000);
	put_at("/etc/postfix/sender_access.db", "compiled\n", 2000);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

/* postconf -d at compatibility level 3.6, listening everywhere */
static void
test_defaults(void **state)
{
	static const struct {
		const char *id;
		enum check_status st;
		const char *reason;
	} want[] = {
		{ "postfix_vrfy_disabled", CHECK_FAIL, "vrfy_enabled" },
		{ "postfix_helo_required", CHECK_FAIL, "helo_not_required" },
		{ "postfix_banner_no_version", CHECK_FAIL, "banner_reveals_product" },
		{ "postfix_mynetworks_local", CHECK_PASS, NULL },
		{ "postfix_relay_restrictions", CHECK_PASS, NULL },
		{ "postfix_smtpd_tls", CHECK_FAIL, "smtpd_tls_disabled" },
		{ "postfix_smtp_tls", CHECK_FAIL, "smtp_tls_disabled" },
		{ "postfix_relayhost_sasl_tls", CHECK_NOT_APPLICABLE, NULL },
		{ "postfix_smtpd_sasl_noanonymous", CHECK_PASS, NULL },	/* submission's, default options */
		{ "postfix_connection_limits", CHECK_FAIL, "connection_rate_limit_unset" },
		{ "postfix_tls_loglevel", CHECK_FAIL, "smtpd_tls_loglevel_zero" },
		{ "postfix_config_warnings", CHECK_PASS, NULL },
		{ "postfix_lookup_tables_current", CHECK_NOT_APPLICABLE, NULL },
		{ "stig_gen004710", CHECK_FAIL, "postfix_client_restrictions_missing" },
	};
	struct run r;

	configure("compatibility_level = 3.6\nmynetworks = 127.0.0.0/8 [::1]/128\n", NULL,
		  "smtps inet n - y - - smtpd\n");
	collect(&r);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		expect(&r, "defaults", want[i].id, want[i].st, want[i].reason);
	/* the collector itself filled one verdict per smtpd service */
	assert_int_equal(r.f.mta[MTA_POSTFIX].n_relays, 3);
	assert_string_equal(r.f.mta[MTA_POSTFIX].relays[2].service, "smtps");
	assert_int_equal(r.f.mta[MTA_POSTFIX].relays[0].verdict, RELAY_CLOSED);
	done(&r);

	/* on loopback only, the exposure checks do not apply and the STIG holds */
	configure("compatibility_level = 3.6\nmynetworks = 127.0.0.0/8\n"
		  "inet_interfaces = loopback-only\n", NULL, NULL);
	collect(&r);
	expect(&r, "local", "postfix_smtpd_tls", CHECK_NOT_APPLICABLE, NULL);
	expect(&r, "local", "postfix_connection_limits", CHECK_NOT_APPLICABLE, NULL);
	expect(&r, "local", "stig_gen004710", CHECK_PASS, NULL);
	assert_string_equal(r.f.mta[MTA_POSTFIX].relays[0].reason, "loopback_only");
	done(&r);

	/* a configuration warning (a parameter set twice) */
	configure("compatibility_level = 3.6\ncompatibility_level = 3.6\n", NULL, NULL);
	collect(&r);
	expect(&r, "warnings", "postfix_config_warnings", CHECK_FAIL, "config_warnings");
	done(&r);
}

/* the hardened configuration passes; then each thing broken in turn */
static void
test_hardened(void **state)
{
	static const struct {
		const char *label, *edits, *master;
		const char *id;
		enum check_status st;
		const char *reason;
		bool guard_fails;	/* a service's verdict is the startup guard's */
	} c[] = {
		{ "banner names the product", "smtpd_banner = $myhostname ESMTP Postfix\n", NULL,
		  "postfix_banner_no_version", CHECK_FAIL, "banner_reveals_product", false },
		{ "banner names the version", "smtpd_banner = mx ESMTP 3.7.11\n", NULL,
		  "postfix_banner_no_version", CHECK_FAIL, "banner_reveals_version", false },
		{ "public mynetworks", "mynetworks = 127.0.0.0/8 198.51.100.0/24 8.8.8.0/24\n", NULL,
		  "postfix_mynetworks_local", CHECK_FAIL, "mynetworks_global", false },
		{ "mynetworks everyone", "mynetworks = 0.0.0.0/0\n", NULL,
		  "mta_no_open_relay", CHECK_FAIL, "postfix_open_relay", false },
		{ "final reject", NULL, "  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject\n",
		  "postfix_relay_restrictions", CHECK_PASS, NULL, false },
		{ "no guard", NULL,
		  "  -o smtpd_relay_restrictions=permit_sasl_authenticated,permit_mynetworks\n",
		  "postfix_relay_restrictions", CHECK_FAIL, "relay_list_without_unauth_destination", true },
		/* the evaluator's rule: a guard after a bare permit, or the
		 * one warn_if_reject softens, does not count */
		{ "guard after permit", NULL,
		  "  -o smtpd_relay_restrictions=permit,reject_unauth_destination\n",
		  "postfix_relay_restrictions", CHECK_FAIL, "relay_list_without_unauth_destination", true },
		{ "warn_if_reject guard", NULL,
		  "  -o smtpd_relay_restrictions=warn_if_reject,reject_unauth_destination\n",
		  "postfix_relay_restrictions", CHECK_FAIL, "relay_list_without_unauth_destination", true },
		{ "guard in a class", "smtpd_restriction_classes = guard\n"
		  "guard = reject_unauth_destination\n",
		  "  -o smtpd_relay_restrictions=permit_mynetworks,guard\n",
		  "postfix_relay_restrictions", CHECK_PASS, NULL, false },
		{ "defer_if_permit guard", NULL,
		  "  -o smtpd_relay_restrictions=permit_mynetworks,defer_if_permit\n",
		  "postfix_relay_restrictions", CHECK_PASS, NULL, false },
		{ "no key file", "smtpd_tls_key_file = /etc/ssl/private/none.key\n", NULL,
		  "postfix_smtpd_tls", CHECK_FAIL, "smtpd_tls_key_unreadable", false },
		{ "TLS off", "smtpd_tls_security_level = none\n", NULL,
		  "postfix_smtpd_tls", CHECK_FAIL, "smtpd_tls_disabled", false },
		{ "relayhost over opportunistic TLS", "smtp_tls_security_level = may\n", NULL,
		  "postfix_relayhost_sasl_tls", CHECK_FAIL, "relayhost_sasl_without_tls", false },
		{ "opportunistic TLS out", "smtp_tls_security_level = may\n", NULL,
		  "postfix_smtp_tls", CHECK_PASS, NULL, false },
		{ "no TLS out", "smtp_tls_security_level = none\n", NULL,
		  "postfix_smtp_tls", CHECK_FAIL, "smtp_tls_disabled", false },
		{ "legacy smtp_use_tls", "smtp_tls_security_level = \nsmtp_use_tls = yes\n", NULL,
		  "postfix_smtp_tls", CHECK_PASS, NULL, false },
		{ "anonymous relayhost SASL", "smtp_sasl_security_options = noplaintext\n", NULL,
		  "postfix_relayhost_sasl_tls", CHECK_FAIL, "relayhost_sasl_anonymous", false },
		{ "anonymous SASL on submission", NULL,
		  "  -o smtpd_sasl_security_options=noplaintext\n",
		  "postfix_smtpd_sasl_noanonymous", CHECK_FAIL, "smtpd_sasl_anonymous", false },
		{ "no connection limit", "smtpd_client_connection_count_limit = 0\n", NULL,
		  "postfix_connection_limits", CHECK_FAIL, "connection_count_limit_unset", false },
		{ "no outbound TLS log", "smtp_tls_loglevel = 0\n", NULL,
		  "postfix_tls_loglevel", CHECK_FAIL, "smtp_tls_loglevel_zero", false },
		{ "VRFY on", "disable_vrfy_command = no\n", NULL,
		  "postfix_vrfy_disabled", CHECK_FAIL, "vrfy_enabled", false },
		{ "no HELO", "smtpd_helo_required = no\n", NULL,
		  "postfix_helo_required", CHECK_FAIL, "helo_not_required", false },
		{ "permit before reject", "smtpd_client_restrictions = permit, reject\n", NULL,
		  "stig_gen004710", CHECK_FAIL, "postfix_client_restrictions_permit_before_reject", false },
		{ "no reject", "smtpd_client_restrictions = permit_mynetworks\n", NULL,
		  "stig_gen004710", CHECK_FAIL, "postfix_client_restrictions_no_reject", false },
	};
	struct run r;

	put("/etc/ssl/private/mx.key", "key\n");
	configure(HARDENED_MAIN, NULL, NULL);
	collect(&r);
	for (size_t i = 0; i < r.n; i++)
		if ((strncmp(r.res[i].id, "postfix_", 8) == 0 || strcmp(r.res[i].id, "stig_gen004710") == 0
		     || strcmp(r.res[i].id, "mta_no_open_relay") == 0) && r.res[i].status != CHECK_PASS)
			fail_msg("hardened: %s is %s (%s)", r.res[i].id, check_status_name(r.res[i].status),
				 r.res[i].n_reasons ? r.res[i].reasons[0] : "-");
	done(&r);

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		bool guard = false;

		configure(HARDENED_MAIN, c[i].edits, c[i].master);
		collect(&r);
		expect(&r, c[i].label, c[i].id, c[i].st, c[i].reason);
		for (size_t k = 0; k < r.f.mta[MTA_POSTFIX].n_relays; k++)
			if (strcmp(r.f.mta[MTA_POSTFIX].relays[k].reason, "startup_guard") == 0)
				guard = true;
		if (guard != c[i].guard_fails)
			fail_msg("%s: the relay verdicts %s the startup guard", c[i].label,
				 guard ? "name" : "do not name");
		done(&r);
	}
	drop("/etc/ssl/private/mx.key");
}

/* STIG GEN004710's rule on smtpd_client_restrictions */
static void
test_client_restrictions_rule(void **state)
{
	static const struct {
		const char *value;
		bool ok;
		const char *why;
	} rules[] = {
		{ "permit_mynetworks, reject", true, NULL },
		{ "permit_mynetworks reject", true, NULL },
		{ "permit_sasl_authenticated,REJECT", true, NULL },
		{ "reject_unknown_client_hostname, reject", true, NULL },
		{ "{ reject }", true, NULL },
		{ "permit_mynetworks", false, "postfix_client_restrictions_no_reject" },
		{ "permit, reject", false, "postfix_client_restrictions_permit_before_reject" },
		{ "PERMIT reject", false, "postfix_client_restrictions_permit_before_reject" },
		{ "", false, "postfix_client_restrictions_missing" },
		{ NULL, false, "postfix_client_restrictions_missing" },
	};
	const char *why;

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		assert_int_equal(postfix_client_restrictions_ok(rules[i].value, &why), rules[i].ok);
		if (rules[i].why)
			assert_string_equal(why, rules[i].why);
		else
			assert_null(why);
	}
}

/* The descriptor: Postfix's rows, its collector, its codes' setting. */
static void
test_descriptor(void **state)
{
	assert_ptr_equal(mta_table[MTA_POSTFIX], &mta_postfix);
	assert_string_equal(mta_name(MTA_POSTFIX), "postfix");
	assert_string_equal(mta_postfix.listen_setting, "inet_interfaces");
	assert_true(mta_postfix.n_checks > 0);
	for (size_t i = 0; i < mta_postfix.n_checks; i++)
		assert_int_equal(strncmp(mta_postfix.checks[i].info.id, "postfix_", 8), 0);
}

/*
 * postfix_lookup_tables_current: the hardened sender table's files as
 * postmap and an editor leave them; and tables smtpd cannot open.
 */
static void
test_lookup_tables(void **state)
{
	static const struct {
		const char *label;
		time_t source, compiled;	/* 0 = no such file */
		const char *edits;
		enum check_status st;
		const char *reason;
	} c[] = {
		{ "compiled after its source", 1000, 2000, NULL, CHECK_PASS, NULL },
		{ "compiled in the same second", 1000, 1000, NULL, CHECK_PASS, NULL },
		{ "source edited, postmap not run", 3000, 2000, NULL, CHECK_FAIL, "postmap_not_run" },
		{ "never compiled", 1000, 0, NULL, CHECK_FAIL, "table_not_compiled" },
		{ "a cidr table that is not there", 1000, 2000,
		  "smtpd_client_restrictions = check_client_access cidr:/etc/postfix/none.cidr, "
		  "permit_mynetworks, reject\n", CHECK_FAIL, "table_missing" },
		{ "no table at all", 1000, 2000, "smtpd_sender_restrictions =\n",
		  CHECK_NOT_APPLICABLE, NULL },
	};
	struct run r;

	put("/etc/ssl/private/mx.key", "key\n");
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		drop("/etc/postfix/sender_access.db");
		put_at("/etc/postfix/sender_access", "spam.example REJECT\n", c[i].source);
		if (c[i].compiled)
			put_at("/etc/postfix/sender_access.db", "compiled\n", c[i].compiled);
		configure(HARDENED_MAIN, c[i].edits, NULL);
		collect(&r);
		expect(&r, c[i].label, "postfix_lookup_tables_current", c[i].st, c[i].reason);
		/* where the table matters, the verdict says what smtpd does */
		if (c[i].reason && strcmp(c[i].reason, "postmap_not_run") == 0)
			assert_string_equal(r.f.mta[MTA_POSTFIX].relays[0].reason, "restriction_rejects");
		done(&r);
	}
	put_at("/etc/postfix/sender_access", "spam.example REJECT\n", 1000);
	put_at("/etc/postfix/sender_access.db", "compiled\n", 2000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_restrictions_rule),
		cmocka_unit_test(test_descriptor),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_hardened),
		cmocka_unit_test(test_lookup_tables),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

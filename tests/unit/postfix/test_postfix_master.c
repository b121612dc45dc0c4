/*
 * test_postfix_master.c - table-driven tests of the master.cf parser, the
 * service name / port rules and the -M formatting, with the file:line
 * diagnostics they produce.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "collectors/postfix/postfix_master.h"

static const struct {
	const char *in;
	size_t n;		/* services parsed */
	size_t idx;		/* service checked */
	const char *host;	/* inet host, NULL = not inet */
	const char *port;
	bool valid;
	const char *param;	/* -o name checked, NULL = none */
	const char *value;
	const char *format;	/* -M line */
} master_cases[] = {
	{"smtp inet n - y - - smtpd\n", 1, 0, "", "smtp", true, NULL, NULL,
	 "smtp inet n - y - - smtpd"},
	{"127.0.0.1:submission inet n - - - - smtpd\n  -o smtpd_tls_security_level=encrypt\n",
	 1, 0, "127.0.0.1", "submission", true, "smtpd_tls_security_level", "encrypt",
	 "127.0.0.1:submission inet n - - - - smtpd -o smtpd_tls_security_level=encrypt"},
	{"[::1]:2525 inet n - - - - smtpd -o { smtpd_client_restrictions = permit_sasl_authenticated, reject }\n",
	 1, 0, "::1", "2525", true, "smtpd_client_restrictions", "permit_sasl_authenticated, reject",
	 "[::1]:2525 inet n - - - - smtpd -o {smtpd_client_restrictions=permit_sasl_authenticated, reject}"},
	{"fe80::1:25 inet n - - - - smtpd\n", 1, 0, "fe80::1", "25", true, NULL, NULL, NULL},
	{"smtp inet n - - - - smtpd -osmtpd_banner=x -vo smtpd_helo_required=yes\n", 1, 0, "", "smtp",
	 true, "smtpd_helo_required", "yes",
	 "smtp inet n - - - - smtpd -o smtpd_banner=x -v -o smtpd_helo_required=yes"},
	{"smtp inet n - - - - smtpd -ox=hostname\n", 1, 0, "", "smtp", true, "x", "hostname", NULL},
	{"smtp inet n - - - - smtpd -o a=1 -o a=2\n", 1, 0, "", "smtp", true, "a", "2", NULL},
	{"smtp inet n - - -\n# c\n  - smtpd\n\n  -o a=b\n", 1, 0, "", "smtp", true, "a", "b",
	 "smtp inet n - - - - smtpd -o a=b"},
	{"smtp inet n - - - - smtpd -v x { a b } c\n", 1, 0, "", "smtp", true, NULL, NULL,
	 "smtp inet n - - - - smtpd -v x {a b} c"},
	{"smtp inet - - - - - smtpd\n", 1, 0, "", "smtp", false, NULL, NULL, NULL},
	{"smtp inet y - - - - smtpd\n", 1, 0, "", "smtp", false, NULL, NULL, NULL},
	{"smtp bogus n - - - - smtpd\n", 1, 0, NULL, NULL, false, NULL, NULL, NULL},
	{"smtp inet n - x - - smtpd\n", 1, 0, "", "smtp", false, NULL, NULL, NULL},
	{"pickup unix n - y 60? 1 pickup\n", 1, 0, NULL, NULL, true, NULL, NULL, NULL},
	{"pickup unix n - y 6x 1 pickup\n", 1, 0, NULL, NULL, false, NULL, NULL, NULL},
	{"pickup unix n - y 60 x pickup\n", 1, 0, NULL, NULL, false, NULL, NULL, NULL},
	{"smtp inet n - - -\n", 0, 0, NULL, NULL, false, NULL, NULL, NULL},
	{"smtp inet n - - - - smtpd {unbalanced\n", 0, 0, NULL, NULL, false, NULL, NULL, NULL},
};

static void
test_master(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(master_cases) / sizeof(master_cases[0]); i++) {
		struct postfix_master m;
		struct postfix_diags d = {0};
		const struct postfix_service *s;

		postfix_master_parse(&m, "master.cf", master_cases[i].in, strlen(master_cases[i].in), &d);
		assert_int_equal(m.n, master_cases[i].n);
		if (m.n == 0) {
			assert_true(d.n > 0);
			assert_int_equal(d.v[0].kind, POSTFIX_DIAG_MASTER);
			assert_int_equal(d.v[0].line, 1);
			postfix_master_free(&m);
			postfix_diags_free(&d);
			continue;
		}
		s = &m.v[master_cases[i].idx];
		assert_int_equal(s->valid, master_cases[i].valid);
		if (!s->valid) {
			assert_true(d.n > 0);
			assert_string_equal(d.v[0].file, "master.cf");
			assert_int_equal(d.v[0].line, 1);
		}
		if (master_cases[i].host) {
			assert_non_null(s->host);
			assert_string_equal(s->host, master_cases[i].host);
			assert_string_equal(s->port, master_cases[i].port);
		}
		if (master_cases[i].param) {
			const struct postfix_param *p = postfix_dict_get(&s->params, master_cases[i].param);

			assert_non_null(p);
			assert_string_equal(p->value, master_cases[i].value);
		}
		if (master_cases[i].format) {
			char *f = postfix_service_format(s, NULL);

			assert_string_equal(f, master_cases[i].format);
			free(f);
		}
		postfix_master_free(&m);
		postfix_diags_free(&d);
	}
}

static void
test_master_duplicate(void **state)
{
	const char *in = "smtp inet n - - - - smtpd -o a=1\n\nsmtp inet n - - - - smtpd -o a=2\n";
	struct postfix_master m;
	struct postfix_diags d = {0};

	(void)state;
	postfix_master_parse(&m, "master.cf", in, strlen(in), &d);
	assert_int_equal(m.n, 2);
	assert_true(m.v[0].superseded);
	assert_false(m.v[1].superseded);
	assert_true(postfix_diags_has(&d, POSTFIX_DIAG_MASTER, "duplicate service smtp/inet (line 1)"));
	assert_int_equal(d.v[0].line, 3);
	postfix_master_free(&m);
	postfix_diags_free(&d);
}

static void
test_master_expand(void **state)
{
	const char *in = "smtp inet n - - - - smtpd -o x=svc -o smtpd_banner=$x-$y\n";
	struct postfix_master m;
	struct postfix_diags d = {0};
	struct postfix_dict main = {0};
	struct postfix_env e;
	char *f;

	(void)state;
	postfix_dict_set(&main, "y", "main", "main.cf", 1, NULL);
	postfix_master_parse(&m, "master.cf", in, strlen(in), &d);
	memset(&e, 0, sizeof(e));
	e.main = &main;
	e.version = POSTFIX_VERSION(3, 7, 0);
	e.hostname = "mx";
	f = postfix_service_format(&m.v[0], &e);
	assert_string_equal(f, "smtp inet n - - - - smtpd -o x=svc -o smtpd_banner=svc-main");
	free(f);
	postfix_master_free(&m);
	postfix_dict_free(&main);
	postfix_diags_free(&d);
}

static const struct {
	const char *name;
	int rc;
	const char *host, *port;
	int num;
} hp_cases[] = {
	{"smtp", 0, "", "smtp", 25},
	{"submission", 0, "", "submission", 587},
	{"smtps", 0, "", "smtps", 465},
	{"submissions", 0, "", "submissions", 465},
	{"2525", 0, "", "2525", 2525},
	{"127.0.0.1:25", 0, "127.0.0.1", "25", 25},
	{"[::1]:587", 0, "::1", "587", 587},
	{"[2001:db8::1]:smtp", 0, "2001:db8::1", "smtp", 25},
	{"2001:db8::1:2525", 0, "2001:db8::1", "2525", 2525},
	{"host.example:smtp", 0, "host.example", "smtp", 25},
	{"[::1]", -1, NULL, NULL, -1},
	{"[::1]:", -1, NULL, NULL, -1},
	{"foo:", -1, NULL, NULL, -1},
	{"imap", 0, "", "imap", -1},
	{"99999", 0, "", "99999", -1},
};

static void
test_host_port(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(hp_cases) / sizeof(hp_cases[0]); i++) {
		char *h, *p;
		int rc = postfix_host_port(hp_cases[i].name, &h, &p);

		assert_int_equal(rc, hp_cases[i].rc);
		if (rc == 0) {
			assert_string_equal(h, hp_cases[i].host);
			assert_string_equal(p, hp_cases[i].port);
			assert_int_equal(postfix_port_number(p), hp_cases[i].num);
		}
		free(h);
		free(p);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_master),
		cmocka_unit_test(test_master_duplicate),
		cmocka_unit_test(test_master_expand),
		cmocka_unit_test(test_host_port),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

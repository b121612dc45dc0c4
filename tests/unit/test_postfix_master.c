/*
 * test_postfix_master.c - table-driven tests of the master.cf parser, the
 * service name / port rules, the -M formatting, the mynetworks helpers
 * and the dpkg status lookup, with the file:line diagnostics they produce.
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

#include "collectors/host/dpkg.h"
#include "collectors/postfix/postfix.h"
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

static void test_master(void **state)
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

static void test_master_duplicate(void **state)
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

static void test_master_expand(void **state)
{
	const char *in = "smtp inet n - - - - smtpd -o x=svc -o smtpd_banner=$x-$y\n";
	struct postfix_master m;
	struct postfix_diags d = {0};
	struct postfix_dict main = {NULL, 0, 0};
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

static void test_host_port(void **state)
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

static struct ifaddr mk_ifa(const char *addr, unsigned plen)
{
	struct ifaddr a;

	memset(&a, 0, sizeof(a));
	assert_int_equal(inaddr_parse(addr, &a.addr), 0);
	a.prefixlen = plen;
	return a;
}

static void test_mynetworks_default(void **state)
{
	struct ifaddr ifa[4];
	static const struct {
		const char *style, *ifs, *protos, *want;
	} c[] = {
		{"subnet", "all", "all", "127.0.0.0/8 192.0.2.0/24 [::1]/128 [2001:db8::]/64"},
		{"host", "all", "all", "127.0.0.1/32 192.0.2.7/32 [::1]/128 [2001:db8::7]/128"},
		{"class", "all", "ipv4", "127.0.0.0/8 192.0.2.0/24"},
		{"host", "loopback-only", "all", "127.0.0.1/32 [::1]/128"},
		{"subnet", "192.0.2.7", "all", "192.0.2.0/24"},
		{"host", "", "all", ""},
		{"host", "all", "ipv6", "[::1]/128 [2001:db8::7]/128"},
	};

	(void)state;
	ifa[0] = mk_ifa("127.0.0.1", 8);
	ifa[1] = mk_ifa("192.0.2.7", 24);
	ifa[2] = mk_ifa("::1", 128);
	ifa[3] = mk_ifa("2001:db8::7", 64);
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char *v = postfix_mynetworks_default(c[i].style, c[i].ifs, c[i].protos, ifa, 4);

		assert_non_null(v);
		assert_string_equal(v, c[i].want);
		free(v);
	}
	assert_null(postfix_mynetworks_default("bogus", "all", "all", ifa, 4));
}

static void test_net_parse(void **state)
{
	static const struct {
		const char *in;
		enum postfix_net_kind kind;
		bool negate;
		unsigned plen;
	} c[] = {
		{"127.0.0.0/8", POSTFIX_NET_CIDR, false, 8},
		{"[::1]/128", POSTFIX_NET_CIDR, false, 128},
		{"[2001:db8::]/32", POSTFIX_NET_CIDR, false, 32},
		{"!192.0.2.9", POSTFIX_NET_CIDR, true, 32},
		{"/etc/postfix/networks", POSTFIX_NET_FILE, false, 0},
		{"cidr:/etc/postfix/net.cidr", POSTFIX_NET_TABLE, false, 0},
		{"texthash:/etc/postfix/net", POSTFIX_NET_TABLE, false, 0},
		{"mail.example.com", POSTFIX_NET_HOST, false, 0},
		{"[::1", POSTFIX_NET_BAD, false, 0},
		{"a b", POSTFIX_NET_BAD, false, 0},
		{"[192.0.2.1]/24", POSTFIX_NET_BAD, false, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct postfix_net n;

		postfix_net_parse(c[i].in, &n);
		assert_int_equal(n.kind, c[i].kind);
		assert_int_equal(n.negate, c[i].negate);
		if (n.kind == POSTFIX_NET_CIDR)
			assert_int_equal(n.prefixlen, c[i].plen);
	}
}

/* mynetworks with files and tables read under a fixture rootfs */
static void test_mynetworks_files(void **state)
{
	static const struct {
		enum postfix_net_kind kind;
		bool negate;
		const char *text;
	} want[] = {
		{POSTFIX_NET_CIDR, false, "127.0.0.0/8"},
		{POSTFIX_NET_CIDR, false, "[::1]/128"},
		{POSTFIX_NET_CIDR, true, "!192.0.2.9"},
		{POSTFIX_NET_FILE, false, "/etc/postfix/networks"},
		{POSTFIX_NET_CIDR, false, "198.51.100.0/24"},
		{POSTFIX_NET_CIDR, false, "203.0.113.0/25"},
		{POSTFIX_NET_CIDR, false, "[2001:db8::]/32"},
		{POSTFIX_NET_TABLE, false, "cidr:/etc/postfix/net.cidr"},
		{POSTFIX_NET_CIDR, false, "192.0.2.128/25"},
		{POSTFIX_NET_CIDR, false, "10.0.0.0/8"},
		{POSTFIX_NET_TABLE, false, "texthash:/etc/postfix/net.hash"},
		{POSTFIX_NET_CIDR, false, "203.0.113.7"},
		{POSTFIX_NET_HOST, false, "mail.example.com"},
		{POSTFIX_NET_TABLE, false, "hash:/etc/postfix/opaque"},
		{POSTFIX_NET_FILE, false, "/etc/postfix/missing"},
	};
	const char *fix = getenv("MTA_FIXTURES");
	char rootfs[1024];
	struct postfix_instance in;
	struct postfix_host host;
	struct postfix_net *nets;
	size_t n;
	bool unknown;

	(void)state;
	if (fix == NULL)
		skip();
	snprintf(rootfs, sizeof(rootfs), "%s/postfix/rootfs-mynet", fix);
	memset(&host, 0, sizeof(host));
	host.rootfs = rootfs;
	host.hostname = "mx";
	host.version = POSTFIX_VERSION(3, 7, 11);
	assert_int_equal(postfix_instance_load(&in, "/etc/postfix", "", &host), 0);
	assert_true(in.have_main);
	nets = postfix_mynetworks(&in, &in.master.v[0], rootfs, &n, &unknown);
	assert_false(unknown);
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(nets[i].kind, want[i].kind);
		assert_int_equal(nets[i].negate, want[i].negate);
		assert_string_equal(nets[i].text, want[i].text);
	}
	assert_int_equal(nets[8].prefixlen, 25);
	/* the missing file is reported with its name */
	assert_true(postfix_diags_has(&in.diags, POSTFIX_DIAG_LIST, "cannot read /etc/postfix/missing"));
	free(nets);
	postfix_instance_free(&in);

	/* unset mynetworks and no interface list: unknown, not guessed */
	memset(&host, 0, sizeof(host));
	host.rootfs = rootfs;
	host.hostname = "mx";
	host.version = POSTFIX_VERSION(3, 7, 11);
	assert_int_equal(postfix_instance_load(&in, "/etc/nonexistent", "", &host), 0);
	assert_false(in.have_main);
	nets = postfix_mynetworks(&in, NULL, rootfs, &n, &unknown);
	assert_true(unknown);
	assert_int_equal(n, 0);
	free(nets);
	postfix_instance_free(&in);
}

static void test_dpkg(void **state)
{
	static const char status[] =
		"Package: postfix-pcre\nStatus: install ok installed\nVersion: 9.9\n\n"
		"Package: exim4\nStatus: deinstall ok config-files\nVersion: 4.96-15\n\n"
		"Package: postfix\nStatus: install ok installed\nPriority: optional\n"
		"Description: x\n multi-line\n .\nVersion: 3.7.11-0+deb12u1\n";
	char v[64];

	(void)state;
	assert_int_equal(dpkg_status_version(status, strlen(status), "postfix", v, sizeof(v)), 0);
	assert_string_equal(v, "3.7.11-0+deb12u1");
	assert_int_equal(dpkg_status_version(status, strlen(status), "exim4", v, sizeof(v)), -1);
	assert_int_equal(dpkg_status_version(status, strlen(status), "sendmail", v, sizeof(v)), -1);
	assert_int_equal(dpkg_status_version("", 0, "postfix", v, sizeof(v)), -1);
	assert_int_equal(dpkg_status_version(status, strlen(status), "postfix", v, 4), 0);
	assert_string_equal(v, "3.7");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_master),
		cmocka_unit_test(test_master_duplicate),
		cmocka_unit_test(test_master_expand),
		cmocka_unit_test(test_host_port),
		cmocka_unit_test(test_mynetworks_default),
		cmocka_unit_test(test_net_parse),
		cmocka_unit_test(test_mynetworks_files),
		cmocka_unit_test(test_dpkg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

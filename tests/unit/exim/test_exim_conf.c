/*
 * test_exim_conf.c - Exim configuration model: logical lines, macros and
 * conditionals, options and named lists, the list splitter, listening
 * sockets, the relay judgement of acl_smtp_rcpt, Debian's update-exim4.conf
 * generation, and file:line diagnostics.  Expected values were checked
 * against exim 4.96 (-bP / -bh) where Exim shows them; the same inputs run
 * against the real Exim in tests/e2e/exim_oracle.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "collectors/exim/exim_conf.h"

static void
parse(const char *text, struct exim_conf *c)
{
	struct exim_source s = { "test.conf", text, strlen(text), 1 };
	assert_int_equal(exim_conf_parse(&s, 1, NULL, 0, c), 0);
}

static const char *
opt(const struct exim_conf *c, const char *name)
{
	const char *v = exim_conf_option(c, name);
	return v ? v : "(unset)";
}

/* ---- lists ---- */

static void
test_list_split(void **state)
{
	static const struct {
		const char *in;
		const char *want;	/* items joined by '|' */
	} cases[] = {
		{ "127.0.0.1 : ::::1", "127.0.0.1|::1" },
		{ "<; 127.0.0.1 ; ::1", "127.0.0.1|::1" },
		{ "<; ::0 ; 0.0.0.0", "::0|0.0.0.0" },
		{ "a:b::c", "a|b:c" },
		{ "  a  :  b  ", "a|b" },
		{ ":", "" },
		{ "", "(none)" },
		{ "<, a , b,,c", "a|b,c" },
		{ "<;a;;b", "a;b" },
		{ "a :", "a" },
		{ ": a", "|a" },
		{ "<a", "<a" },	/* '<' + letter is not a separator change */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct exim_list_iter it;
		char item[64], got[256] = "";
		bool any = false;
		exim_list_init(&it, cases[i].in);
		while (exim_list_next(&it, item, sizeof(item))) {
			if (any)
				strcat(got, "|");
			strcat(got, item);
			any = true;
		}
		if (!any)
			strcpy(got, "(none)");
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu \"%s\": got \"%s\", want \"%s\"", i, cases[i].in, got,
				 cases[i].want);
	}
}

/* ---- lines, macros, conditionals ---- */

static void
test_lines_and_macros(void **state)
{
	static const struct {
		const char *text;
		const char *option;
		const char *want;
	} cases[] = {
		/* continuation: whitespace before '\' kept, after it dropped */
		{ "A = x1\\\n    x2\nB = y1 \\   \n    y2\nlocal_interfaces = A|B\n",
		  "local_interfaces", "x1x2|y1 y2" },
		/* comment lines inside a continuation are skipped */
		{ "local_interfaces = a\\\n# c\n   b\n", "local_interfaces", "ab" },
		/* replacement is plain substring, in definition order */
		{ "AB = 2\nA = 1\nlocal_interfaces = AB A XAX\n", "local_interfaces", "2 1 X1X" },
		/* the name of a definition is not replaced, its value is */
		{ "M = 1\nM == M2\nlocal_interfaces = M\n", "local_interfaces", "12" },
		{ ".ifdef NOPE\nlocal_interfaces = 1\n.else\nlocal_interfaces = 2\n.endif\n",
		  "local_interfaces", "2" },
		{ "X = y\n.ifdef X\nlocal_interfaces = 1\n.elifdef X\nlocal_interfaces = 2\n.endif\n",
		  "local_interfaces", "1" },
		{ ".ifndef X\n.ifdef Y\nlocal_interfaces = 1\n.else\nlocal_interfaces = 3\n.endif\n.endif\n",
		  "local_interfaces", "3" },
		/* leading whitespace before directives; ".else\tX" is not a directive (Exim checks 't') */
		{ "  .ifdef NOPE\n.else\tX\nlocal_interfaces = 9\n.endif\n", "local_interfaces", "(unset)" },
		/* quoted values are de-escaped */
		{ "local_interfaces = \"127.0.0.1 \\x3a ::::1\"\n", "local_interfaces", "127.0.0.1 : ::::1" },
		{ "local_interfaces = \"a\\tb\\\\c\\101\"\n", "local_interfaces", "a\tb\\cA" },
		/* '#' after text is not a comment */
		{ "local_interfaces=1.2.3.4 # x\n", "local_interfaces", "1.2.3.4 # x" },
		{ "hide local_interfaces = 1.2.3.4\n", "local_interfaces", "1.2.3.4" },
		/* booleans */
		{ "disable_ipv6\n", "disable_ipv6", "true" },
		{ "no_disable_ipv6\n", "disable_ipv6", "false" },
		{ "disable_ipv6 = yes\n", "disable_ipv6", "yes" },
		/* alias: the later one wins */
		{ "daemon_smtp_ports = 25\ndaemon_smtp_port = 26\n", "daemon_smtp_ports", "26" },
		/* other sections do not set main options */
		{ "begin routers\nlocal_interfaces = 1\n", "local_interfaces", "(unset)" },
		/* CRLF line ends are whitespace */
		{ "local_interfaces = 127.0.0.1\r\n", "local_interfaces", "127.0.0.1" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct exim_conf c;
		parse(cases[i].text, &c);
		const char *got = opt(&c, cases[i].option);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu: %s = \"%s\", want \"%s\"", i, cases[i].option, got, cases[i].want);
		if (c.n_fatal)
			fail_msg("case %zu: unexpected fatal: %s", i, c.diags[0].msg);
		exim_conf_free(&c);
	}
}

static void
test_named_lists(void **state)
{
	struct exim_conf c;
	parse("domainlist local_domains = @ : example.org\n"
	      "hostlist relay_from_hosts = \"127.0.0.1 : ::::1\"\n"
	      "addresslist a = x@y\n"
	      "localpartlist l = postmaster\n", &c);
	const struct exim_named_list *l = exim_conf_list(&c, EXIM_LIST_HOST, "relay_from_hosts");
	assert_non_null(l);
	assert_string_equal(l->value, "127.0.0.1 : ::::1");
	assert_int_equal(l->line, 2);
	assert_non_null(exim_conf_list(&c, EXIM_LIST_DOMAIN, "local_domains"));
	assert_null(exim_conf_list(&c, EXIM_LIST_DOMAIN, "relay_from_hosts"));
	assert_non_null(exim_conf_list(&c, EXIM_LIST_ADDRESS, "a"));
	assert_non_null(exim_conf_list(&c, EXIM_LIST_LOCALPART, "l"));
	exim_conf_free(&c);
}

/* ---- diagnostics with file:line ---- */

static void
test_diagnostics(void **state)
{
	static const struct {
		const char *text;
		unsigned line;
		bool fatal;
		const char *msg;	/* substring */
	} cases[] = {
		{ "local_interfaces = 1\n\nlocal_interfaces = 2\n", 3, true, "set for the second time" },
		{ "hostlist a = 1\nhostlist a = 2\n", 2, true, "duplicate name \"a\"" },
		{ "A = 1\nAB = 2\n", 2, true, "previously defined macro \"A\" is a substring" },
		{ "A = 1\nA = 3\n", 2, true, "already defined" },
		{ "A == 3\n", 1, true, "can't redefine an undefined macro" },
		{ "x\n.endif\n", 2, true, "without matching .ifdef" },
		{ ".ifdef X\nfoo = 1\n", 0, true, ".endif missing" },
		{ "local_interfaces = \"a\" b\n", 1, true, "extra characters" },
		{ "a = 1\n.include /etc/other\n", 2, false, ".include is not followed" },
		{ "begin acl\naccept\n", 2, true, "outside an ACL" },
		{ "begin acl\nacl1:\n  hosts = 1\n", 3, true, "without a verb" },
		{ "= 1\n", 1, true, "main option name expected" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct exim_conf c;
		parse(cases[i].text, &c);
		bool found = false;
		for (size_t k = 0; k < c.n_diags; k++)
			if (strstr(c.diags[k].msg, cases[i].msg) && c.diags[k].line == cases[i].line &&
			    c.diags[k].fatal == cases[i].fatal && strcmp(c.diags[k].file, "test.conf") == 0)
				found = true;
		if (!found)
			fail_msg("case %zu: no %s diag at test.conf:%u containing \"%s\" (%zu diags, first: %u %s)",
				 i, cases[i].fatal ? "fatal" : "warning", cases[i].line, cases[i].msg,
				 c.n_diags, c.n_diags ? c.diags[0].line : 0, c.n_diags ? c.diags[0].msg : "");
		exim_conf_free(&c);
	}
}

static void
test_multi_source_lines(void **state)
{
	const char *a = "# part one\nlocal_interfaces = 127.0.0.1\n";
	const char *b = "\n\nlocal_interfaces = ::1\n";
	struct exim_source s[2] = { { "a.conf", a, strlen(a), 1 }, { "b.conf", b, strlen(b), 10 } };
	struct exim_conf c;
	assert_int_equal(exim_conf_parse(s, 2, NULL, 0, &c), 0);
	assert_int_equal(c.n_fatal, 1);
	assert_string_equal(c.diags[0].file, "b.conf");
	assert_int_equal(c.diags[0].line, 12);
	const struct exim_option *o = exim_conf_option_entry(&c, "local_interfaces");
	assert_string_equal(o->file, "a.conf");
	assert_int_equal(o->line, 2);
	exim_conf_free(&c);
}

static void
test_predefined_macros(void **state)
{
	struct exim_macro d[] = { { (char *)"SPOOLDIR", (char *)"/tmp/s" } };
	const char *t = ".ifndef SPOOLDIR\nSPOOLDIR = /var/spool/exim4\n.endif\nspool_directory = SPOOLDIR\n";
	struct exim_source s = { "t", t, strlen(t), 1 };
	struct exim_conf c;
	assert_int_equal(exim_conf_parse(&s, 1, d, 1, &c), 0);
	assert_string_equal(opt(&c, "spool_directory"), "/tmp/s");
	exim_conf_free(&c);
}

static void
test_acl_parse(void **state)
{
	struct exim_conf c;
	parse("begin acl\n"
	      "check_rcpt:\n"
	      "  accept hosts = :\n"
	      "  deny   message = no\n"
	      "         !hosts = +relay_from_hosts\n"
	      "  set acl_m0 = 1\n"
	      "  accept domains = +local_domains\n"
	      "         endpass\n"
	      "         verify = recipient\n"
	      "other: accept\n", &c);
	assert_int_equal(c.n_fatal, 0);
	const struct exim_acl *a = exim_conf_acl(&c, "check_rcpt");
	assert_non_null(a);
	assert_int_equal(a->n_stmts, 3);
	assert_string_equal(a->stmts[0].verb, "accept");
	assert_string_equal(a->stmts[0].conds[0].name, "hosts");
	assert_string_equal(a->stmts[0].conds[0].value, ":");
	assert_int_equal(a->stmts[1].n_conds, 3);
	assert_true(a->stmts[1].conds[1].negated);
	assert_string_equal(a->stmts[1].conds[2].name, "set");
	assert_string_equal(a->stmts[1].conds[2].value, "acl_m0 = 1");
	assert_string_equal(a->stmts[2].conds[1].name, "endpass");
	assert_int_equal(a->stmts[2].line, 7);
	const struct exim_acl *o = exim_conf_acl(&c, "other");
	assert_non_null(o);
	assert_int_equal(o->n_stmts, 1);
	exim_conf_free(&c);
}

/* ---- listening ---- */

static void
test_listen(void **state)
{
	static const struct {
		const char *text;
		const char *want;	/* "addr port[ tls]" joined by ", " */
	} cases[] = {
		{ "", "::0 25, 0.0.0.0 25" },
		{ "daemon_smtp_ports = 25 : 587 : 465\ntls_on_connect_ports = 465\n",
		  "::0 25, ::0 587, ::0 465 tls, 0.0.0.0 25, 0.0.0.0 587, 0.0.0.0 465 tls" },
		{ "local_interfaces = 127.0.0.1 : ::::1\n", "127.0.0.1 25, ::1 25" },
		{ "local_interfaces = <; [::1]:2525 ; 127.0.0.1.26 ; [192.0.2.5]:587 ; 0.0.0.0\n",
		  "::1 2525, 127.0.0.1 26, 192.0.2.5 587, 0.0.0.0 25" },
		{ "local_interfaces = 127.0.0.1 : ::::1 : 192.0.2.1.2525 : 2001::db8::::1\n"
		  "daemon_smtp_port = smtp : submission\n",
		  "127.0.0.1 25, 127.0.0.1 587, ::1 25, ::1 587, 192.0.2.1 2525, 2001:db8::1 25, 2001:db8::1 587" },
		{ "disable_ipv6\n", "0.0.0.0 25" },
		{ "local_interfaces = <; ::ffff:192.0.2.1\n", "::ffff:192.0.2.1 25" },
		{ "local_interfaces = 127.0.0.1 : 127.0.0.1\n", "127.0.0.1 25" },	/* + a warning */
		{ "local_interfaces = <; ::1.2525 ; 127.0.0.1.2526\n", "::1 2525, 127.0.0.1 2526" },
		{ "local_interfaces = mail.example.org\n", "" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct exim_conf c;
		parse(cases[i].text, &c);
		struct exim_listen_result *r = calloc(1, sizeof(*r));
		assert_non_null(r);
		exim_listen_compute(&c, r);
		char got[1024] = "";
		for (size_t k = 0; k < r->n; k++) {
			char one[96];
			snprintf(one, sizeof(one), "%s%s %u%s", k ? ", " : "", r->ep[k].address,
				 (unsigned)r->ep[k].port, r->ep[k].tls_on_connect ? " tls" : "");
			strcat(got, one);
		}
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, got, cases[i].want);
		free(r);
		exim_conf_free(&c);
	}
	/* classification and warnings */
	struct exim_conf c;
	parse("local_interfaces = <; 127.0.0.2 ; :: ; nonsense ; 192.0.2.1.99999\n", &c);
	struct exim_listen_result *r = calloc(1, sizeof(*r));
	exim_listen_compute(&c, r);
	assert_int_equal(r->n, 2);
	assert_true(r->ep[0].loopback);
	assert_true(r->ep[1].wildcard);
	assert_int_equal(r->warnings, 2);
	free(r);
	exim_conf_free(&c);
}

static void
test_listen_service(void **state)
{
	char b[16];
	assert_string_equal(exim_listen_service(25, false, b, sizeof(b)), "smtp");
	assert_string_equal(exim_listen_service(587, false, b, sizeof(b)), "submission");
	assert_string_equal(exim_listen_service(465, false, b, sizeof(b)), "smtps");
	assert_string_equal(exim_listen_service(2525, true, b, sizeof(b)), "smtps");
	assert_string_equal(exim_listen_service(2525, false, b, sizeof(b)), "port-2525");
	uint16_t p;
	assert_int_equal(exim_port_parse("smtp", &p), 0);
	assert_int_equal(p, 25);
	assert_int_equal(exim_port_parse("65536", &p), -1);
	assert_int_equal(exim_port_parse("0", &p), -1);
	assert_int_equal(exim_port_parse("nosuch", &p), -1);
}

/* ---- relay ---- */

#define STOCK_ACL \
	"acl_smtp_rcpt = acl_check_rcpt\n" \
	"begin acl\n" \
	"acl_check_rcpt:\n" \
	"  accept  hosts = :\n" \
	"  deny    domains = !+local_domains\n" \
	"          local_parts = ^[./|] : ^.*[@%!] : ^.*/\\\\.\\\\./\n" \
	"  accept  local_parts = postmaster\n" \
	"          domains = +local_domains\n" \
	"  require verify = sender\n" \
	"  accept  hosts = +relay_from_hosts\n" \
	"          control = submission\n" \
	"  accept  authenticated = *\n" \
	"  require message = relay not permitted\n" \
	"          domains = +local_domains : +relay_to_domains\n" \
	"  require verify = recipient\n" \
	"  accept\n"

static void
test_relay(void **state)
{
	static const struct {
		const char *text;
		enum relay_verdict verdict;
		const char *reason;
	} cases[] = {
		{ "", RELAY_CLOSED, "acl_rcpt_unset" },
		{ "acl_smtp_rcpt =\n", RELAY_CLOSED, "acl_rcpt_unset" },
		{ "hostlist relay_from_hosts = 127.0.0.1\ndomainlist local_domains = @\n"
		  "domainlist relay_to_domains =\n" STOCK_ACL, RELAY_CLOSED, "relay_denied" },
		{ "hostlist relay_from_hosts = *\ndomainlist local_domains = @\n"
		  "domainlist relay_to_domains =\n" STOCK_ACL, RELAY_OPEN, "relay_hosts_open" },
		{ "hostlist relay_from_hosts = 0.0.0.0/0\ndomainlist local_domains = @\n"
		  "domainlist relay_to_domains =\n" STOCK_ACL, RELAY_OPEN, "relay_hosts_open" },
		{ "hostlist relay_from_hosts = <; ::/0\ndomainlist local_domains = @\n"
		  "domainlist relay_to_domains =\n" STOCK_ACL, RELAY_OPEN, "relay_hosts_open" },
		{ "hostlist relay_from_hosts = 127.0.0.1\ndomainlist local_domains = @\n"
		  "domainlist relay_to_domains = *\n" STOCK_ACL, RELAY_OPEN, "relay_domains_open" },
		{ "hostlist relay_from_hosts = 127.0.0.1\ndomainlist local_domains = @\n"
		  "domainlist relay_to_domains = @mx_any\n" STOCK_ACL, RELAY_OPEN, "relay_domains_open" },
		{ "hostlist relay_from_hosts = ! 192.0.2.1 : *\n" STOCK_ACL, RELAY_OPEN, "relay_hosts_open" },
		{ "hostlist relay_from_hosts = !* : 0.0.0.0/0\ndomainlist local_domains = @\n"
		  "domainlist relay_to_domains =\n" STOCK_ACL, RELAY_CLOSED, "relay_denied" },
		{ "hostlist relay_from_hosts = net-lsearch;/etc/relay\ndomainlist local_domains = @\n"
		  "domainlist relay_to_domains =\n" STOCK_ACL, RELAY_UNDETERMINED, "acl_rcpt_undetermined" },
		/* missing named list: Exim defers, we cannot judge */
		{ STOCK_ACL, RELAY_UNDETERMINED, "acl_rcpt_undetermined" },
		{ "acl_smtp_rcpt = accept\n", RELAY_OPEN, "acl_accepts_any" },
		{ "acl_smtp_rcpt = deny\n", RELAY_CLOSED, "relay_denied" },
		{ "acl_smtp_rcpt = missing\nbegin acl\nother:\n accept\n", RELAY_CONFIG_ERROR,
		  "acl_rcpt_undefined" },
		{ "acl_smtp_rcpt = ${if true{a}}\n", RELAY_UNDETERMINED, "acl_rcpt_undetermined" },
		{ "acl_smtp_rcpt = a\nbegin acl\na:\n accept condition = ${if eq{1}{1}}\n deny\n",
		  RELAY_UNDETERMINED, "acl_rcpt_undetermined" },
		/* a deny the client cannot avoid, before an open accept */
		{ "acl_smtp_rcpt = a\nbegin acl\na:\n deny hosts = *\n accept\n", RELAY_CLOSED, "relay_denied" },
		/* a deny the client avoids (its sender), then accept */
		{ "acl_smtp_rcpt = a\nbegin acl\na:\n deny senders = x@y\n accept\n", RELAY_OPEN,
		  "acl_accepts_any" },
		/* a deny that cannot be judged, then accept: undetermined */
		{ "acl_smtp_rcpt = a\nbegin acl\na:\n deny acl = other\n accept\n", RELAY_UNDETERMINED,
		  "acl_rcpt_undetermined" },
		/* counts are the client's choice */
		{ "acl_smtp_rcpt = a\nbegin acl\na:\n deny condition = ${if >{$rcpt_count}{10}}\n accept\n",
		  RELAY_OPEN, "acl_accepts_any" },
		/* the deny form of the relay check */
		{ "hostlist relay_from_hosts = 192.0.2.0/24\ndomainlist relay_to_domains = example.com\n"
		  "acl_smtp_rcpt = a\nbegin acl\na:\n deny !domains = +relay_to_domains\n"
		  "   !hosts = +relay_from_hosts\n   !authenticated = *\n accept\n",
		  RELAY_CLOSED, "relay_denied" },
		{ "hostlist relay_from_hosts = *\ndomainlist relay_to_domains = example.com\n"
		  "acl_smtp_rcpt = a\nbegin acl\na:\n deny !domains = +relay_to_domains\n"
		  "   !hosts = +relay_from_hosts\n   !authenticated = *\n accept\n",
		  RELAY_OPEN, "relay_hosts_open" },
		/* a list ending in a negative item matches what it does not exclude */
		{ "acl_smtp_rcpt = a\nbegin acl\na:\n accept hosts = !192.0.2.1\n deny\n", RELAY_OPEN,
		  "relay_hosts_open" },
		{ "acl_smtp_rcpt = a\nbegin acl\na:\n accept hosts = !192.0.2.1 : 10.0.0.1\n deny\n",
		  RELAY_CLOSED, "relay_denied" },
		{ "acl_smtp_rcpt = a\nbegin acl\na:\n accept domains = !example.org\n deny\n", RELAY_OPEN,
		  "relay_domains_open" },
		/* endpass: failing the later condition denies */
		{ "domainlist d = *\nacl_smtp_rcpt = a\nbegin acl\na:\n accept domains = +d\n endpass\n"
		  " hosts = 192.0.2.1\n accept\n", RELAY_CLOSED, "relay_denied" },
		/* discard relays nothing */
		{ "acl_smtp_rcpt = a\nbegin acl\na:\n discard hosts = *\n accept\n", RELAY_CLOSED,
		  "relay_denied" },
		{ "acl_smtp_rcpt = a\nbegin acl\na:\n accept authenticated = *\n", RELAY_CLOSED, "relay_denied" },
		{ "acl_smtp_rcpt = a\nbegin acl\na:\n accept local_parts = postmaster\n", RELAY_OPEN,
		  "acl_accepts_any" },
		{ "local_interfaces = 1\nlocal_interfaces = 2\nacl_smtp_rcpt = accept\n", RELAY_CONFIG_ERROR,
		  "config_error" },
		{ ".include /etc/exim4/more\n", RELAY_UNDETERMINED, "acl_rcpt_undetermined" },
		{ ".include_if_exists /etc/exim4/more\nacl_smtp_rcpt = accept\n", RELAY_OPEN,
		  "acl_accepts_any" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct exim_conf c;
		parse(cases[i].text, &c);
		struct exim_relay_result r;
		exim_relay_evaluate(&c, &r);
		if (r.verdict != cases[i].verdict || strcmp(r.reason, cases[i].reason) != 0)
			fail_msg("case %zu: got %s/%s (%s), want %s/%s", i,
				 relay_verdict_name(r.verdict), r.reason, r.detail,
				 relay_verdict_name(cases[i].verdict), cases[i].reason);
		exim_conf_free(&c);
	}
}

static void
test_relay_names_statement(void **state)
{
	struct exim_conf c;
	parse("hostlist relay_from_hosts = *\n" STOCK_ACL, &c);
	struct exim_relay_result r;
	exim_relay_evaluate(&c, &r);
	assert_int_equal(r.verdict, RELAY_OPEN);
	assert_string_equal(r.file, "test.conf");
	assert_int_equal(r.line, 11);	/* accept hosts = +relay_from_hosts */
	assert_non_null(strstr(r.detail, "test.conf:11"));
	exim_conf_free(&c);
}

/* ---- Debian ---- */

static char *
macro_value(const char *block, const char *name)
{
	static char out[256];
	char key[80];
	snprintf(key, sizeof(key), "\n%s=", name);
	const char *p = strstr(block, key);
	if (!p)
		return NULL;
	p += strlen(key);
	size_t n = strcspn(p, "\n");
	snprintf(out, sizeof(out), "%.*s", (int)n, p);
	return out;
}

static void
test_debian_macros(void **state)
{
	static const struct {
		const char *ue4cc;
		const char *macro;
		const char *want;	/* NULL = not defined */
	} cases[] = {
		{ "dc_eximconfig_configtype='internet'\ndc_local_interfaces='127.0.0.1 ; ::1'\n",
		  "MAIN_LOCAL_INTERFACES", "<; 127.0.0.1 ; ::1" },
		{ "dc_eximconfig_configtype='internet'\ndc_local_interfaces=''\n", "MAIN_LOCAL_INTERFACES", NULL },
		{ "dc_eximconfig_configtype='internet'\ndc_relay_nets=''\n", "MAIN_RELAY_NETS",
		  ": 127.0.0.1 : ::::1" },	/* the shell drops the leading blank */
		{ "dc_eximconfig_configtype='internet'\ndc_relay_nets='192.0.2.0/24'\n", "MAIN_RELAY_NETS",
		  "192.0.2.0/24 : 127.0.0.1 : ::::1" },
		{ "dc_eximconfig_configtype='internet'\ndc_relay_nets='192.0.2.0/24;2001:db8::/32'\n",
		  "MAIN_RELAY_NETS", "<; 192.0.2.0/24;2001:db8::/32 ; 127.0.0.1 ; ::1" },
		{ "dc_eximconfig_configtype=\"Internet\"\ndc_relay_domains='Example.COM'\n",
		  "MAIN_RELAY_TO_DOMAINS", "example.com" },
		{ "dc_eximconfig_configtype='internet'\ndc_other_hostnames='a.example;b.example'\n",
		  "MAIN_LOCAL_DOMAINS", "@:localhost:a.example:b.example" },
		{ "dc_eximconfig_configtype='smarthost'\ndc_smarthost='relay.example::587'\n",
		  "DCsmarthost", "relay.example::587" },
		{ "dc_eximconfig_configtype='internet'\n", "DCconfig_internet", "1" },
		{ "dc_eximconfig_configtype='none'\ndc_local_interfaces='127.0.0.1'\n",
		  "MAIN_LOCAL_INTERFACES", NULL },
		{ "dc_eximconfig_configtype='local'\ndc_local_interfaces='127.0.0.1 $x'\n",
		  "MAIN_LOCAL_INTERFACES", "127.0.0.1 _x" },
		{ "dc_eximconfig_configtype='local'\nMAIN_FOO='Bar Baz'\n", "MAIN_FOO", "_bar baz_" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct exim_debian_conf dc;
		assert_int_equal(exim_debian_parse(cases[i].ue4cc, strlen(cases[i].ue4cc), &dc), 0);
		char *m = exim_debian_macros(&dc, "mail.example.org", "4.96");
		assert_non_null(m);
		const char *got = macro_value(m, cases[i].macro);
		if ((got == NULL) != (cases[i].want == NULL) ||
		    (got && strcmp(got, cases[i].want) != 0))
			fail_msg("case %zu: %s = \"%s\", want \"%s\"\n%s", i, cases[i].macro,
				 got ? got : "(undefined)", cases[i].want ? cases[i].want : "(undefined)", m);
		free(m);
		exim_debian_free(&dc);
	}
}

static void
test_debian_assemble(void **state)
{
	const char *tmpl = "# template\nUPEX4CmacrosUPEX4C = 1\n.ifdef MAIN_LOCAL_INTERFACES\n"
			   "local_interfaces = MAIN_LOCAL_INTERFACES\n.endif\nbad line here\n";
	const char *ue = "dc_eximconfig_configtype='internet'\ndc_local_interfaces='127.0.0.1'\n"
			 "dc_use_split_config='false'\n";
	struct exim_debian_conf dc;
	assert_int_equal(exim_debian_parse(ue, strlen(ue), &dc), 0);
	assert_false(exim_debian_split(&dc));
	char *m = exim_debian_macros(&dc, "", "");
	struct exim_source in = { "exim4.conf.template", tmpl, strlen(tmpl), 1 };
	struct exim_source out[4];
	size_t n = exim_debian_assemble(&in, 1, m, "update-exim4.conf.conf", out, 4);
	assert_int_equal(n, 3);
	struct exim_conf c;
	assert_int_equal(exim_conf_parse(out, n, NULL, 0, &c), 0);
	assert_string_equal(opt(&c, "local_interfaces"), "127.0.0.1");
	/* lines after the insertion keep their template line numbers */
	const struct exim_option *o = exim_conf_option_entry(&c, "local_interfaces");
	assert_string_equal(o->file, "exim4.conf.template");
	assert_int_equal(o->line, 4);
	assert_true(c.n_diags >= 1);
	assert_string_equal(c.diags[0].file, "exim4.conf.template");
	assert_int_equal(c.diags[0].line, 6);
	exim_conf_free(&c);
	free(m);
	exim_debian_free(&dc);
}

/* ---- limits ---- */

static void
test_limits(void **state)
{
	/* a very long line is refused with a warning, not a crash */
	size_t n = EXIM_CONF_MAX_LINE + 100;
	char *big = malloc(n + 64);
	assert_non_null(big);
	strcpy(big, "local_interfaces = ");
	memset(big + 19, 'a', n);
	strcpy(big + 19 + n, "\nprimary_hostname = x\n");
	struct exim_conf c;
	parse(big, &c);
	assert_string_equal(opt(&c, "primary_hostname"), "x");
	assert_string_equal(opt(&c, "local_interfaces"), "(unset)");
	assert_true(c.n_warnings >= 1);
	exim_conf_free(&c);
	/* self-growing macros are bounded */
	parse("A = xx\nB = AAAAAAAAAAAAAAAA\nC = BBBBBBBBBBBBBBBB\nD = CCCCCCCCCCCCCCCC\n"
	      "local_interfaces = DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD\n", &c);
	exim_conf_free(&c);
	/* nesting deeper than Exim allows */
	char nest[512] = "";
	for (int i = 0; i < 12; i++)
		strcat(nest, ".ifdef X\n");
	parse(nest, &c);
	assert_true(c.n_fatal >= 1);
	exim_conf_free(&c);
	free(big);
}

static void
test_dhparam(void **state)
{
	static const struct {
		const char *v, *source;
		unsigned bits;
	} cases[] = {
		{ NULL, "builtin", 2048 }, { "", "builtin", 2048 }, { "none", "none", 0 },
		{ "historic", "builtin", 2048 }, { "ike2", "builtin", 1024 },
		{ "ike22", "builtin", 1024 }, { "ffdhe3072", "builtin", 3072 },
		{ "ike1", "builtin", 768 }, { "/etc/exim4/dh.pem", "file", 0 },
		{ "${if true{ike2}}", "unknown", 0 }, { "nosuchprime", "unknown", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *src = NULL;
		unsigned b = exim_dhparam_bits(cases[i].v, &src);

		if (b != cases[i].bits || src == NULL || strcmp(src, cases[i].source) != 0)
			fail_msg("case %zu: %u bits, %s", i, b, src ? src : "(null)");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dhparam),
		cmocka_unit_test(test_list_split),
		cmocka_unit_test(test_lines_and_macros),
		cmocka_unit_test(test_named_lists),
		cmocka_unit_test(test_diagnostics),
		cmocka_unit_test(test_multi_source_lines),
		cmocka_unit_test(test_predefined_macros),
		cmocka_unit_test(test_acl_parse),
		cmocka_unit_test(test_listen),
		cmocka_unit_test(test_listen_service),
		cmocka_unit_test(test_relay),
		cmocka_unit_test(test_relay_names_statement),
		cmocka_unit_test(test_debian_macros),
		cmocka_unit_test(test_debian_assemble),
		cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

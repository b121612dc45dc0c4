/*
 * test_exim_conf.c - Exim configuration model: logical lines, macros and
 * conditionals, options and named lists, the list splitter, listening
 * sockets, the relay judgement of acl_smtp_rcpt, Debian's update-exim4.conf
 * generation, and file:line diagnostics; .include following, lookups and
 * file lists in host and domain lists, and "condition" values an
 * unauthenticated client cannot make true, with the files served from
 * tables.  Expected values were checked against exim 4.96 (-bP / -bh, the
 * daemon) where Exim shows them; the same inputs run against the real
 * Exim in tests/e2e/exim_oracle.sh.
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
#include "lib/buf.h"

static void
parse(const char *text, struct exim_conf *c)
{
	struct exim_source s = { "test.conf", text, strlen(text), 1, NULL };
	assert_int_equal(exim_conf_parse(&s, 1, NULL, 0, NULL, c), 0);
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
		/* a later macro sees what an earlier one put in, not the reverse */
		{ "A = B\nB = 2\nlocal_interfaces = A\n", "local_interfaces", "2" },
		{ "B = A\nA = 1\nlocal_interfaces = B\n", "local_interfaces", "1" },
		/* the value of a definition is expanded as it is read */
		{ "A = x\nB = A\nlocal_interfaces = B\n", "local_interfaces", "x" },
		/* an earlier macro wins where names overlap, wherever it starts */
		{ "BC = 2\nAB = 1\nlocal_interfaces = ABC\n", "local_interfaces", "A2" },
		{ "AB = 1\nBC = 2\nlocal_interfaces = ABC\n", "local_interfaces", "1C" },
		/* a replacement is not searched again for the same macro ... */
		{ "AB = xA\nlocal_interfaces = ABB\n", "local_interfaces", "xAB" },
		/* ... but later macros find names it forms with the text around it */
		{ "AB = xA\nAC = 9\nlocal_interfaces = ABC\n", "local_interfaces", "x9" },
		{ "A = \nBC = 7\nlocal_interfaces = BAC\n", "local_interfaces", "7" },
		/* names start at an uppercase letter anywhere, lowercase text around them */
		{ "FOO = 1\nlocal_interfaces = xFOOy_FOO\n", "local_interfaces", "x1y_1" },
		/* a line that is a comment stays one, whatever its macros */
		{ "C = local_interfaces = 5\n# C\nlocal_interfaces = 6\n", "local_interfaces", "6" },
		/* a macro whose value starts with '#' makes a comment */
		{ "H = #\nH local_interfaces = 5\nlocal_interfaces = 6\n", "local_interfaces", "6" },
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
	struct exim_source s[2] = { { "a.conf", a, strlen(a), 1, NULL }, { "b.conf", b, strlen(b), 10, NULL } };
	struct exim_conf c;
	assert_int_equal(exim_conf_parse(s, 2, NULL, 0, NULL, &c), 0);
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
	struct exim_source s = { "t", t, strlen(t), 1, NULL };
	struct exim_conf c;
	assert_int_equal(exim_conf_parse(&s, 1, d, 1, NULL, &c), 0);
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
		  RELAY_OPEN, "acl_accepts_any" },
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


/* ---- files the configuration names, served from a table ---- */

struct served_file {
	const char *path;
	const char *text;	/* NULL: absent; "!": unreadable */
};

static const struct served_file *served;
static unsigned served_reads;

/* "/chain/N" includes "/chain/N+1": any depth without a table */
static char chain_text[64];
static char chain_names[64][16];

static int
serve(void *ctx, const char *path, const char **text, size_t *len, const char **name, char *err,
      size_t errlen)
{
	(void)ctx;
	served_reads++;
	if (strncmp(path, "/chain/", 7) == 0) {
		int n = atoi(path + 7);

		snprintf(chain_text, sizeof(chain_text), ".include /chain/%d\n", n + 1);
		snprintf(chain_names[n % 64], sizeof(chain_names[0]), "/chain/%d", n);
		*text = chain_text;
		*len = strlen(chain_text);
		*name = chain_names[n % 64];
		return 0;
	}
	for (const struct served_file *f = served; f && f->path; f++) {
		if (strcmp(f->path, path) != 0)
			continue;
		if (!f->text)
			return 1;
		if (strcmp(f->text, "!") == 0) {
			snprintf(err, errlen, "permission denied");
			return -1;
		}
		*text = f->text;
		*len = strlen(f->text);
		*name = f->path;
		return 0;
	}
	return 1;
}

static void
parse_served(const char *text, const struct served_file *files, struct exim_conf *c)
{
	struct exim_source s = { "/etc/exim4/exim4.conf", text, strlen(text), 1, NULL };
	struct exim_files fs = { serve, NULL };

	served = files;
	served_reads = 0;
	assert_int_equal(exim_conf_parse(&s, 1, NULL, 0, &fs, c), 0);
}

static bool
has_diag(const struct exim_conf *c, const char *file, unsigned line, bool fatal, const char *text)
{
	for (size_t i = 0; i < c->n_diags; i++)
		if (strcmp(c->diags[i].file, file) == 0 && c->diags[i].line == line &&
		    c->diags[i].fatal == fatal && strstr(c->diags[i].msg, text))
			return true;
	return false;
}

#define RELAY_ALL "hostlist relay_from_hosts = 0.0.0.0/0\n"
#define DENY_ACL "acl_smtp_rcpt = a\nbegin acl\na:\n accept hosts = +relay_from_hosts\n deny\n"

static void
test_include(void **state)
{
	static const struct served_file files[] = {
		{ "/etc/exim4/relay.conf", RELAY_ALL },
		{ "/etc/exim4/q t.conf", RELAY_ALL },
		{ "/etc/exim4/twice.conf", "\nkeep_environment =\nkeep_environment =\n" },
		{ "/etc/exim4/loop-a", ".include /etc/exim4/loop-b\n" },
		{ "/etc/exim4/loop-b", "# b\n.include /etc/exim4/loop-a\n" },
		{ "/etc/exim4/self", ".include /etc/exim4/self\n" },
		{ "/etc/exim4/secret.conf", "!" },
		{ "/etc/exim4/macro.conf", "RELAYNETS = 0.0.0.0/0\n" },
		{ "/etc/exim4/endif.conf", ".endif\n" },
		{ NULL, NULL },
	};
	static const struct {
		const char *name;
		const char *text;
		enum relay_verdict verdict;
		unsigned fatal;
		const char *diag_file;	/* a diagnostic there (NULL: none wanted) */
		unsigned diag_line;
		const char *diag;
	} cases[] = {
		{ "a relay list in an included file", ".include /etc/exim4/relay.conf\n" DENY_ACL,
		  RELAY_OPEN, 0, NULL, 0, NULL },
		{ "relative to the including file", ".include relay.conf\n" DENY_ACL, RELAY_OPEN, 0,
		  NULL, 0, NULL },
		{ "quoted, blanks around", ".include   \"/etc/exim4/q t.conf\"  \n" DENY_ACL, RELAY_OPEN, 0,
		  NULL, 0, NULL },
		{ "_if_exists, present", ".include_if_exists /etc/exim4/relay.conf\n" DENY_ACL, RELAY_OPEN,
		  0, NULL, 0, NULL },
		{ "_if_exists, absent: fine",
		  ".include_if_exists /etc/exim4/none.conf\nhostlist relay_from_hosts = 192.0.2.1\n" DENY_ACL,
		  RELAY_CLOSED, 0, NULL, 0, NULL },
		{ "_if_exists, relative: fatal", ".include_if_exists relay.conf\n" DENY_ACL,
		  RELAY_CONFIG_ERROR, 1, "/etc/exim4/exim4.conf", 1, "non-absolute" },
		{ "absent: fatal", ".include /etc/exim4/none.conf\n" DENY_ACL, RELAY_CONFIG_ERROR, 1,
		  "/etc/exim4/exim4.conf", 1, "failed to open included configuration file" },
		{ "a loop: fatal", "\n.include /etc/exim4/loop-a\n" DENY_ACL, RELAY_CONFIG_ERROR, 1,
		  "/etc/exim4/loop-b", 2, "includes itself" },
		{ "itself: fatal", ".include /etc/exim4/self\n" DENY_ACL, RELAY_CONFIG_ERROR, 1,
		  "/etc/exim4/self", 1, "includes itself" },
		{ "too deep: not followed", ".include /chain/1\nhostlist relay_from_hosts = 192.0.2.1\n"
		  DENY_ACL, RELAY_UNDETERMINED, 0, "/chain/31", 1, "nested deeper than 32" },
		{ "unreadable: not followed", ".include /etc/exim4/secret.conf\n"
		  "hostlist relay_from_hosts = 192.0.2.1\n" DENY_ACL, RELAY_UNDETERMINED, 0,
		  "/etc/exim4/exim4.conf", 1, "permission denied" },
		{ "diagnostics name the included file", ".include /etc/exim4/twice.conf\n" DENY_ACL,
		  RELAY_CONFIG_ERROR, 1, "/etc/exim4/twice.conf", 3, "second time" },
		{ "macros carry over", ".include /etc/exim4/macro.conf\n"
		  "hostlist relay_from_hosts = RELAYNETS\n" DENY_ACL, RELAY_OPEN, 0, NULL, 0, NULL },
		{ "skipped by a conditional: not read", ".ifdef NOPE\n.include /etc/exim4/none.conf\n.endif\n"
		  "hostlist relay_from_hosts = 192.0.2.1\n" DENY_ACL, RELAY_CLOSED, 0, NULL, 0, NULL },
		{ "a conditional closed in the included file", ".ifndef NOPE\n.include /etc/exim4/endif.conf\n"
		  RELAY_ALL DENY_ACL, RELAY_OPEN, 0, NULL, 0, NULL },
		{ "one .endif too many, in the included file", ".include /etc/exim4/endif.conf\n"
		  RELAY_ALL DENY_ACL, RELAY_CONFIG_ERROR, 1, "/etc/exim4/endif.conf", 1,
		  "without matching" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct exim_conf c;
		struct exim_relay_result r;

		parse_served(cases[i].text, files, &c);
		exim_relay_evaluate(&c, &r);
		if (r.verdict != cases[i].verdict || c.n_fatal != cases[i].fatal)
			fail_msg("%s: %s (%s), %u fatal", cases[i].name, relay_verdict_name(r.verdict),
				 r.detail, c.n_fatal);
		if (cases[i].diag && !has_diag(&c, cases[i].diag_file, cases[i].diag_line,
					       cases[i].fatal > 0, cases[i].diag)) {
			for (size_t k = 0; k < c.n_diags; k++)
				print_message("  %s:%u %s\n", c.diags[k].file, c.diags[k].line,
					      c.diags[k].msg);
			fail_msg("%s: no diagnostic \"%s\" at %s:%u", cases[i].name, cases[i].diag,
				 cases[i].diag_file, cases[i].diag_line);
		}
		if (!cases[i].diag && c.n_diags)
			fail_msg("%s: unexpected diagnostic %s", cases[i].name, c.diags[0].msg);
		exim_conf_free(&c);
	}
	/* without a way to read files, .include is recorded and not followed */
	{
		struct exim_conf c;
		struct exim_relay_result r;

		parse(".include /etc/exim4/relay.conf\nhostlist relay_from_hosts = 192.0.2.1\n" DENY_ACL, &c);
		assert_int_equal(c.n_includes_unread, 1);
		exim_relay_evaluate(&c, &r);
		assert_int_equal(r.verdict, RELAY_UNDETERMINED);
		exim_conf_free(&c);
	}
}

static void
test_lookups(void **state)
{
	static const struct served_file files[] = {
		{ "/e/all4", "# relay everyone\n0.0.0.0/0:   everyone\n" },
		{ "/e/all6", "\"::/0\" everyone\n" },
		{ "/e/nets", "192.0.2.0/24\n\"2001:db8::/32\"\n10.0.0.0/8: lan\n" },
		{ "/e/names", "mail.example.org\nsmtp.example.org: x\n  continued *\n" },
		{ "/e/star", "mail.example.org\n*\n" },
		{ "/e/ipstar", "192.0.2.1\n*: everyone else\n" },
		{ "/e/wild", "*.example.org\n" },
		{ "/e/wildstar", "*\n" },
		{ "/e/wildre", "^mail[0-9]+\\.example\\.org$\n" },
		{ "/e/wildtld", "*.com\n" },
		{ "/e/x.cdb", "\x01\x02 binary" },
		{ "/e/x.db", "binary" },
		{ "/e/list", "# hosts\n192.0.2.1 # one\n\n0.0.0.0/0\n" },
		{ "/e/listneg", "!0.0.0.0/0\n! ::/0\n" },
		{ "/e/empty", "# nothing\n" },
		{ "/e/secret", "!" },
		{ "/e/domains", "example.org\n*\n" },
		{ "/e/tlds", "*.com\n" },
		{ NULL, NULL },
	};
	static const struct {
		const char *hosts;	/* relay_from_hosts */
		const char *domains;	/* relay_to_domains (NULL: none) */
		enum relay_verdict verdict;
	} cases[] = {
		{ "net-iplsearch;/e/all4", NULL, RELAY_OPEN },
		{ "net-iplsearch;/e/all6", NULL, RELAY_OPEN },
		{ "net-iplsearch;/e/nets", NULL, RELAY_CLOSED },
		{ "net-iplsearch;/e/missing", NULL, RELAY_UNDETERMINED },
		{ "net-iplsearch;/e/secret", NULL, RELAY_UNDETERMINED },
		{ "net-iplsearch*;/e/ipstar", NULL, RELAY_OPEN },
		{ "net24-iplsearch;/e/all4", NULL, RELAY_UNDETERMINED },
		/* an iplsearch keyed by the host name matches no address key */
		{ "iplsearch;/e/all4", NULL, RELAY_CLOSED },
		/* exact keys: the client's address text, never "0.0.0.0/0" */
		{ "net-lsearch;/e/all4", NULL, RELAY_CLOSED },
		{ "net-lsearch;/e/names", NULL, RELAY_CLOSED },
		{ "net-lsearch*;/e/ipstar", NULL, RELAY_OPEN },
		{ "net-lsearch*;/e/names", NULL, RELAY_CLOSED },
		{ "net0-lsearch;/e/all4", NULL, RELAY_UNDETERMINED },
		{ "net-cdb;/e/x.cdb", NULL, RELAY_CLOSED },
		{ "net-cdb*;/e/x.cdb", NULL, RELAY_UNDETERMINED },
		{ "net-dbm;/e/x", NULL, RELAY_CLOSED },
		{ "net-cdb;/e/missing.cdb", NULL, RELAY_UNDETERMINED },
		/* keyed by the client's verified host name, which it does not choose */
		{ "lsearch;/e/names", NULL, RELAY_CLOSED },
		{ "dbm;/e/x", NULL, RELAY_CLOSED },
		{ "lsearch*;/e/star", NULL, RELAY_OPEN },
		{ "wildlsearch;/e/wild", NULL, RELAY_CLOSED },
		{ "wildlsearch;/e/wildstar", NULL, RELAY_OPEN },
		{ "wildlsearch;/e/wildtld", NULL, RELAY_OPEN },
		{ "nwildlsearch;/e/wildre", NULL, RELAY_UNDETERMINED },
		{ "partial-lsearch;/e/wildtld", NULL, RELAY_CLOSED },
		{ "partial1-lsearch;/e/wildtld", NULL, RELAY_OPEN },
		{ "mysql;select 1", NULL, RELAY_UNDETERMINED },
		/* file lists: each line an item */
		{ "/e/list", NULL, RELAY_OPEN },
		{ "/e/listneg", NULL, RELAY_CLOSED },
		{ "!/e/listneg", NULL, RELAY_OPEN },
		{ "/e/empty", NULL, RELAY_CLOSED },
		{ "/e/missing", NULL, RELAY_UNDETERMINED },
		/* names: the client may have no name (+include_unknown) or one of its own */
		{ "*.example.org", NULL, RELAY_CLOSED },
		{ "+include_unknown : *.example.org", NULL, RELAY_OPEN },
		{ "+include_unknown : +ignore_unknown : *.example.org", NULL, RELAY_CLOSED },
		{ "*.example.org : 0.0.0.0/0", NULL, RELAY_OPEN },
		{ "*.com", NULL, RELAY_OPEN },
		/* "malformed IPv4 address" fails the whole list, for everyone */
		{ "10.1.2 : 0.0.0.0/0", NULL, RELAY_CLOSED },
		{ "+ignore_unknown : 10.1.2/24 : 0.0.0.0/0", NULL, RELAY_OPEN },
		{ "+include_unknown : 10.1.2", NULL, RELAY_OPEN },
		/* domain lists: the attacker picks the domain */
		{ "127.0.0.1", "lsearch;/e/domains", RELAY_CLOSED },
		{ "127.0.0.1", "lsearch*;/e/domains", RELAY_OPEN },
		{ "127.0.0.1", "partial-lsearch;/e/tlds", RELAY_CLOSED },
		{ "127.0.0.1", "partial1-lsearch;/e/tlds", RELAY_OPEN },
		{ "127.0.0.1", "/e/domains", RELAY_OPEN },
		{ "127.0.0.1", "partial-dbm;/e/x", RELAY_UNDETERMINED },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[1024];
		struct exim_conf c;
		struct exim_relay_result r;

		snprintf(text, sizeof(text),
			 "hostlist relay_from_hosts = %s\ndomainlist local_domains = @\n"
			 "domainlist relay_to_domains = %s\n%s",
			 cases[i].hosts, cases[i].domains ? cases[i].domains : "", STOCK_ACL);
		parse_served(text, files, &c);
		exim_relay_evaluate(&c, &r);
		if (r.verdict != cases[i].verdict)
			fail_msg("case %zu (%s / %s): %s (%s)", i, cases[i].hosts,
				 cases[i].domains ? cases[i].domains : "", relay_verdict_name(r.verdict),
				 r.detail);
		exim_conf_free(&c);
	}
	/* each file is read once per judgement, for both client families */
	{
		struct exim_conf c;
		struct exim_relay_result r;

		parse_served("hostlist relay_from_hosts = net-iplsearch;/e/nets : net-iplsearch;/e/nets\n"
			     STOCK_ACL, files, &c);
		exim_relay_evaluate(&c, &r);
		assert_int_equal(served_reads, 1);
		exim_conf_free(&c);
	}
}

static void
test_conditions(void **state)
{
	static const struct {
		const char *acl;	/* statements of ACL "a" */
		enum relay_verdict verdict;
	} cases[] = {
		{ " accept condition = ${if def:authenticated_id}\n", RELAY_CLOSED },
		{ " accept condition = ${if !def:authenticated_id}\n", RELAY_OPEN },
		{ " accept condition = ${if eq{$authenticated_id}{}{no}{yes}}\n", RELAY_CLOSED },
		{ " accept condition = ${if eq {$authenticated_id} {} {yes}{no}}\n", RELAY_OPEN },
		{ " accept condition = ${if def:sender_host_authenticated {yes}{no}}\n", RELAY_CLOSED },
		{ " accept condition = ${if eqi{${authenticated_sender}}{a@example.org}}\n", RELAY_CLOSED },
		{ " accept condition = ${if and{{def:authenticated_id}{eq{$sender_address}{a@b}}}}\n",
		  RELAY_CLOSED },
		{ " accept condition = ${if or{{def:authenticated_id}{eq{$sender_address}{a@b}}}}\n",
		  RELAY_OPEN },
		{ " accept condition = ${if or {{def:authenticated_id}{eq{$sender_host_address}{a}}}}\n",
		  RELAY_UNDETERMINED },
		{ " accept condition = ${if eq{$sender_host_address}{192.0.2.1}}\n", RELAY_UNDETERMINED },
		{ " accept condition = ${lookup{$authenticated_id}lsearch{/etc/x}}\n", RELAY_UNDETERMINED },
		{ " accept condition = true\n", RELAY_OPEN },
		{ " accept condition = 0\n", RELAY_CLOSED },
		{ " accept condition = ${if def:authenticated_id{1}{0}}\n", RELAY_CLOSED },
		{ " accept condition = maybe\n", RELAY_UNDETERMINED },
		{ " accept condition = ${if bool{$authenticated_id}}\n", RELAY_CLOSED },
		{ " accept condition = ${if <{$rcpt_count}{${eval:$recipients_count/2}}}\n", RELAY_OPEN },
		{ " accept condition = ${if def:authenticated_id{a}{a}}\n", RELAY_UNDETERMINED },
		{ " accept condition = ${if def:sender_host_address {yes}{yes}}\n", RELAY_OPEN },
		/* a deny on what the client cannot set holds */
		{ " deny condition = ${if !def:authenticated_id}\n accept\n", RELAY_CLOSED },
		{ " deny condition = ${if def:authenticated_id}\n accept\n", RELAY_OPEN },
		{ " accept condition = ${if def:authenticated_id\n", RELAY_UNDETERMINED },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[1024];
		struct exim_conf c;
		struct exim_relay_result r;

		snprintf(text, sizeof(text), "acl_smtp_rcpt = a\nbegin acl\na:\n%s", cases[i].acl);
		parse(text, &c);
		exim_relay_evaluate(&c, &r);
		if (r.verdict != cases[i].verdict)
			fail_msg("case %zu: %s: %s (%s)", i, cases[i].acl, relay_verdict_name(r.verdict),
				 r.detail);
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
	struct exim_source in = { "exim4.conf.template", tmpl, strlen(tmpl), 1, NULL };
	struct exim_source out[4];
	size_t n = exim_debian_assemble(&in, 1, m, "update-exim4.conf.conf", out, 4);
	assert_int_equal(n, 3);
	struct exim_conf c;
	assert_int_equal(exim_conf_parse(out, n, NULL, 0, NULL, &c), 0);
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
	/* a limit: reported, and the rest is not read (the collector fails) */
	assert_int_equal(c.n_limits, 1);
	assert_true(c.diags[c.n_diags - 1].limit);
	assert_int_equal(c.diags[c.n_diags - 1].line, 1);
	assert_string_equal(opt(&c, "primary_hostname"), "(unset)");
	assert_string_equal(opt(&c, "local_interfaces"), "(unset)");
	exim_conf_free(&c);
	/* self-growing macros are bounded */
	parse("A = xx\nB = AAAAAAAAAAAAAAAA\nC = BBBBBBBBBBBBBBBB\nD = CCCCCCCCCCCCCCCC\n"
	      "local_interfaces = DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD\n", &c);
	assert_int_equal(c.n_limits, 1);
	assert_non_null(strstr(c.diags[c.n_diags - 1].msg, "after macro expansion"));
	assert_int_equal(c.diags[c.n_diags - 1].line, 5);
	exim_conf_free(&c);
	/* nesting deeper than Exim allows */
	char nest[512] = "";
	for (int i = 0; i < 12; i++)
		strcat(nest, ".ifdef X\n");
	parse(nest, &c);
	assert_true(c.n_fatal >= 1);
	assert_int_equal(c.n_limits, 0);	/* Exim's own limit, not ours */
	exim_conf_free(&c);
	free(big);
}

/*
 * Macro substitution costs what the lines hold, not lines x macros: 1,000
 * macros and 20,000 lines that name one each (and 20,000 comments) take
 * a few bytes of work per byte of input; a line naming every macro costs
 * each of them one pass, and the budget stops that with a limit.
 */
static void
test_macro_work(void **state)
{
	struct buf b;
	struct exim_conf c;

	(void)state;
	buf_init(&b, 16u << 20);
	for (int i = 0; i < 1000; i++)
		buf_printf(&b, "MAC%04d = v%d\n", i, i);
	for (int i = 0; i < 20000; i++)
		buf_printf(&b, "# MAC%04d comment\nx%d = MAC%04d\n", i % 1000, i, i % 1000);
	buf_printf(&b, "local_interfaces = MAC0999\n");
	assert_false(b.failed);
	parse(b.data, &c);
	assert_int_equal(c.n_limits, 1);	/* more than EXIM_CONF_MAX_ITEMS settings */
	exim_conf_free(&c);
	buf_reset(&b);
	for (int i = 0; i < 1000; i++)
		buf_printf(&b, "MAC%04d = v%d\n", i, i);
	for (int i = 0; i < 3000; i++)
		buf_printf(&b, "# MAC%04d comment\nx%d = MAC%04d\n", i % 1000, i, i % 1000);
	buf_printf(&b, "local_interfaces = MAC0999\n");
	parse(b.data, &c);
	assert_int_equal(c.n_limits, 0);
	assert_string_equal(opt(&c, "x2500"), "v500");
	assert_string_equal(opt(&c, "local_interfaces"), "v999");
	exim_conf_free(&c);
	/* every macro named on every line: the work budget ends it */
	buf_reset(&b);
	for (int i = 0; i < 1000; i++)
		buf_printf(&b, "MAC%04d = %0200d\n", i, i);
	for (int i = 0; i < 500; i++) {
		buf_printf(&b, "x%d =", i);
		for (int k = 0; k < 1000; k += 4)
			buf_printf(&b, " MAC%04d", k);
		buf_printf(&b, "\n");
	}
	parse(b.data, &c);
	assert_int_equal(c.n_limits, 1);
	assert_non_null(strstr(c.diags[c.n_diags - 1].msg, "bytes of work"));
	exim_conf_free(&c);
	buf_free(&b);
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
		cmocka_unit_test(test_include),
		cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_conditions),
		cmocka_unit_test(test_relay_names_statement),
		cmocka_unit_test(test_debian_macros),
		cmocka_unit_test(test_debian_assemble),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_macro_work),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

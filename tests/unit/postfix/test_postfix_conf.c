/*
 * test_postfix_conf.c - table-driven tests of the Postfix configuration
 * model: logical lines, name = value, duplicates, expansion, lists,
 * defaults by version and compatibility level, each with the file:line
 * diagnostic it must produce.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collectors/postfix/postfix_conf.h"

#define V37 POSTFIX_VERSION(3, 7, 11)

/* Parse text as main.cf and evaluate name. */
static char *
eval_in(const char *text, const char *name, unsigned version,
	struct postfix_diags *d)
{
	struct postfix_dict dict = {0};
	struct postfix_env e;
	char *v;

	postfix_conf_parse(&dict, "main.cf", text, strlen(text), d);
	memset(&e, 0, sizeof(e));
	e.main = &dict;
	e.version = version;
	e.hostname = "mx";
	e.file = "main.cf";
	e.diags = d;
	v = postfix_eval(&e, name);
	postfix_dict_free(&dict);
	return v;
}

/* ---- logical lines ---- */

static const struct {
	const char *in;
	const char *lines;	/* logical lines, "|"-separated */
	const char *first;	/* first physical line of each, "|"-separated */
} lline_cases[] = {
	{"", "", ""},
	{"a=1\nb=2\n", "a=1|b=2", "1|2"},
	{"a=1\n  x\n\ty\nb=2", "a=1  x\ty|b=2", "1|4"},
	{"a=1\n# c\n  x\n", "a=1  x", "1"},
	{"a=1\n   # indented comment\n  x\n", "a=1  x", "1"},
	{"a=1\n\n  x\n", "a=1  x", "1"},
	{"a=1 # not a comment\n", "a=1 # not a comment", "1"},
	{"\n\n# only\n   \n", "", ""},
	{"  lead=1\nb=2\n", "b=2", "2"},
	{"a=1\r\n", "a=1\r", "1"},
	{"a=1", "a=1", "1"},
};

static void
test_lline(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(lline_cases) / sizeof(lline_cases[0]); i++) {
		struct postfix_lline r;
		struct postfix_diags d = {0};
		char got[256] = "", firsts[64] = "";
		const char *text;
		unsigned line;

		postfix_lline_init(&r, lline_cases[i].in, strlen(lline_cases[i].in));
		while (postfix_lline_next(&r, "f", &d, &text, &line) == 1) {
			char num[16];

			if (*got)
				strcat(got, "|");
			strcat(got, text);
			snprintf(num, sizeof(num), "%s%u", *firsts ? "|" : "", line);
			strcat(firsts, num);
		}
		postfix_lline_free(&r);
		assert_string_equal(got, lline_cases[i].lines);
		assert_string_equal(firsts, lline_cases[i].first);
		postfix_diags_free(&d);
	}
}

/* ---- name = value, duplicates ---- */

static const struct {
	const char *text;
	const char *name;
	const char *want;
} value_cases[] = {
	{"inet_interfaces = loopback-only\ninet_interfaces = all\n", "inet_interfaces", "all"},
	{"inet_interfaces = all\ninet_interfaces=127.0.0.1\n", "inet_interfaces", "127.0.0.1"},
	{"", "inet_interfaces", "all"},
	{"relayhost=[192.0.2.1]:587\n", "relayhost", "[192.0.2.1]:587"},
	{"relayhost\t=\t x \t\n", "relayhost", "x"},
	{"smtpd_banner = a # b\n", "smtpd_banner", "a # b"},
	{"smtpd_client_restrictions = permit_mynetworks,\n    reject\n", "smtpd_client_restrictions",
	 "permit_mynetworks,    reject"},
	{"smtpd_client_restrictions = a,\n# c\n  b\n", "smtpd_client_restrictions", "a,  b"},
	{"relayhost =\n", "relayhost", ""},
};

static void
test_values(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(value_cases) / sizeof(value_cases[0]); i++) {
		struct postfix_diags d = {0};
		char *v = eval_in(value_cases[i].text, value_cases[i].name, V37, &d);

		assert_non_null(v);
		assert_string_equal(v, value_cases[i].want);
		free(v);
		postfix_diags_free(&d);
	}
}

/* ---- diagnostics with file:line ---- */

static const struct {
	const char *text;
	const char *name;	/* evaluated to trigger expansion diagnostics */
	enum postfix_diag_kind kind;
	unsigned line;
	const char *needle;
} diag_cases[] = {
	{"a = 1\nb = 2\na = 3\n", "a", POSTFIX_DIAG_DUPLICATE, 3, "overriding earlier entry for \"a\" (line 1)"},
	{"x\n", "relayhost", POSTFIX_DIAG_SYNTAX, 1, "missing '=' after attribute name"},
	{"a=1\n= value\n", "relayhost", POSTFIX_DIAG_SYNTAX, 2, "missing attribute name"},
	{"  lead = 1\n", "relayhost", POSTFIX_DIAG_SYNTAX, 1, "must not start with whitespace"},
	{"\n\nsmtpd_banner = $nosuch\n", "smtpd_banner", POSTFIX_DIAG_UNDEFINED, 3, "undefined parameter: nosuch"},
	{"smtpd_banner = x ${oops\n", "smtpd_banner", POSTFIX_DIAG_EXPAND, 1, "truncated macro reference"},
	{"smtpd_banner = $ x\n", "smtpd_banner", POSTFIX_DIAG_EXPAND, 1, "empty macro name"},
	{"\nsmtpd_banner = $smtpd_banner\n", "smtpd_banner", POSTFIX_DIAG_EXPAND, 2, "unreasonable macro call nesting"},
	{"x=1\nsmtpd_banner = ${x?{a}b}\n", "smtpd_banner", POSTFIX_DIAG_EXPAND, 2, "\":\" expected"},
	{"smtpd_banner = ${{a} = {a}}\n", "smtpd_banner", POSTFIX_DIAG_EXPAND, 1, "relational operator expected"},
	{"smtpd_banner = ${{a} == b}\n", "smtpd_banner", POSTFIX_DIAG_EXPAND, 1, "{expression}"},
	{"smtpd_banner = ${{a} == {a} x}\n", "smtpd_banner", POSTFIX_DIAG_EXPAND, 1, "\"?\" or \":\" expected"},
	{"smtpd_banner = ${a b}\n", "smtpd_banner", POSTFIX_DIAG_EXPAND, 1, "attribute name syntax error"},
	{"smtpd_banner = ${{a} == {a}?{x}\n", "smtpd_banner", POSTFIX_DIAG_EXPAND, 1, "truncated macro reference"},
	{"smtpd_banner = $( {a == {a} )\n", "smtpd_banner", POSTFIX_DIAG_EXPAND, 1, "unbalanced {}"},
};

static void
test_diags(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(diag_cases) / sizeof(diag_cases[0]); i++) {
		struct postfix_diags d = {0};
		char *v = eval_in(diag_cases[i].text, diag_cases[i].name, V37, &d);
		bool found = false;

		for (size_t k = 0; k < d.n; k++) {
			if (d.v[k].kind == diag_cases[i].kind && d.v[k].line == diag_cases[i].line &&
			    strcmp(d.v[k].file, "main.cf") == 0 &&
			    strstr(d.v[k].msg, diag_cases[i].needle) != NULL)
				found = true;
		}
		if (!found) {
			for (size_t k = 0; k < d.n; k++)
				print_message("case %zu: got %s:%u: %s\n", i, d.v[k].file,
					      d.v[k].line, d.v[k].msg);
		}
		assert_true(found);
		free(v);
		postfix_diags_free(&d);
	}
}

/* ---- expansion ---- */

static const struct {
	const char *defs;
	const char *expr;
	const char *want;	/* NULL = error, reported at the expression's line (9) */
} exp_cases[] = {
	{"x = mail", "$x ESMTP", "mail ESMTP"},
	{"x = mail", "${x}ESMTP", "mailESMTP"},
	{"x = mail", "$(x)ESMTP", "mailESMTP"},
	{"", "cost $$5", "cost $5"},
	{"", "$$$mail_name", "$Postfix"},
	{"x = 1", "${x?defined}", "defined"},
	{"", "[${nosuch?defined}]", "[]"},
	{"x = 1", "[${x:fallback}]", "[]"},
	{"", "[${nosuch:fallback}]", "[fallback]"},
	{"x =", "[${x?set}${x:unset}]", "[unset]"},
	{"x = 1", "${x?{yes}:{no}} ${nosuch?{yes}:{no}}", "yes no"},
	{"x = 1", "${x ? { yes } : {no}}|", "yes |"},
	{"x = 1", "${x?a:b}", "a:b"},
	{"", "${{abc} == {abc} ? {same} : {diff}}", "same"},
	{"a = x", "${{$a} != {y} ? {ne} : {eq}}", "ne"},
	{"a = 9\nb = 10", "${{$a} < {$b} ? {lt} : {ge}}", "lt"},
	{"", "${{abc} < {abd} ? {lt} : {ge}}", "lt"},
	{"", "${{007} <= {7} ? {le} : {gt}}", "le"},
	{"", "${{10} > {9} ? {gt} : {le}} ${{10} > {9x} ? {gt} : {le}}", "gt le"},
	{"", "${{5} >= {5} ? {ge} : {lt}}", "ge"},
	{"", "[${{a} == {a}}][${{a} == {b}}]", "[true][]"},
	{"", "${{3.6} <level {3.10} ? {older} : {newer}}", "older"},
	{"", "${{3.10} <=level {3.6} ? {older} : {newer}}", "newer"},
	{"", "${{2} >level {1} ? {y} : {n}}${{2} >=level {2} ? {y} : {n}}", "yy"},
	{"a = $b\nb = $c\nc = ${d?{$e}:{none}}\nd = 1\ne = deep", "$a", "deep"},
	{"", "<$nosuch_param>", "<>"},
	{"", "x ${oops", NULL},
	{"", "$ x", NULL},
	{"", "${}", NULL},
	{"x = 1", "${x?{a}b}", NULL},
	{"", "${{a} = {a} ? {y} : {n}}", NULL},
	{"", "$a{", "{"},
	{"a = 5", "$a{", "5{"},
	{"", "${{12345678901234567890} > {9} ? {big} : {small}}", "big"},
};

static void
test_expand(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(exp_cases) / sizeof(exp_cases[0]); i++) {
		struct postfix_dict dict = {0};
		struct postfix_diags d = {0};
		struct postfix_env e;
		char *v;

		postfix_conf_parse(&dict, "main.cf", exp_cases[i].defs, strlen(exp_cases[i].defs), &d);
		memset(&e, 0, sizeof(e));
		e.main = &dict;
		e.version = V37;
		e.hostname = "mx";
		e.file = "main.cf";
		e.diags = &d;
		v = postfix_expand(&e, exp_cases[i].expr, 9);
		if (exp_cases[i].want == NULL) {
			assert_null(v);
			assert_true(d.total > 0);
			assert_int_equal(d.v[d.n - 1].line, 9);
		} else {
			if (v == NULL)
				print_message("case %zu: %s\n", i, d.n ? d.v[0].msg : "?");
			assert_non_null(v);
			assert_string_equal(v, exp_cases[i].want);
		}
		free(v);
		postfix_dict_free(&dict);
		postfix_diags_free(&d);
	}
}

/*
 * A problem inside the value of a parameter names that parameter's
 * setting (file and line), not the text that referenced it.
 */
static const struct {
	const char *main, *master_o;	/* main.cf; one -o value (NULL = none) */
	const char *expr;
	const char *file;
	unsigned line;
	const char *msg;
} err_at_cases[] = {
	{"x = $x", NULL, "$x", "main.cf", 1, "unreasonable macro call nesting"},
	{"\n\ny = ${oops\nx = $y", NULL, "$x", "main.cf", 3, "truncated macro reference"},
	{"x = ${{a} == {a} ? {y}", NULL, "<$x>", "main.cf", 1, "truncated macro reference"},
	{"a = 1\nx = $nosuch", NULL, "$a $x", "main.cf", 2, "undefined parameter: nosuch"},
	{"x = $y", "y=${oops", "$x", "master.cf", 7, "truncated macro reference"},
	{"x = ${oops", "y=$x", "$y", "main.cf", 1, "truncated macro reference"},
	{"x = 1", NULL, "${x?{a}b}", "expr", 9, "\":\" expected"},
};

static void
test_expand_error_location(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(err_at_cases) / sizeof(err_at_cases[0]); i++) {
		struct postfix_dict main = {0}, local = {0};
		struct postfix_diags d = {0};
		struct postfix_env e;
		const char *mo = err_at_cases[i].master_o;
		char *v;

		postfix_conf_parse(&main, "main.cf", err_at_cases[i].main,
				   strlen(err_at_cases[i].main), &d);
		if (mo != NULL) {
			char name[64];

			snprintf(name, sizeof(name), "%.*s", (int)strcspn(mo, "="), mo);
			assert_int_equal(postfix_dict_set(&local, name, strchr(mo, '=') + 1,
							  "master.cf", 7, &d), 0);
		}
		memset(&e, 0, sizeof(e));
		e.main = &main;
		e.local = mo ? &local : NULL;
		e.version = V37;
		e.hostname = "mx";
		e.file = "expr";
		e.diags = &d;
		v = postfix_expand(&e, err_at_cases[i].expr, 9);
		if (strstr(err_at_cases[i].msg, "undefined") == NULL)
			assert_null(v);
		free(v);
		assert_true(d.n > 0);
		if (strcmp(d.v[d.n - 1].file, err_at_cases[i].file) != 0
		    || d.v[d.n - 1].line != err_at_cases[i].line
		    || strstr(d.v[d.n - 1].msg, err_at_cases[i].msg) == NULL)
			fail_msg("case %zu: %s:%u %s", i, d.v[d.n - 1].file, d.v[d.n - 1].line,
				 d.v[d.n - 1].msg);
		postfix_dict_free(&main);
		postfix_dict_free(&local);
		postfix_diags_free(&d);
	}
}

/* exponential blow-up is cut off, not run */
static void
test_expand_budget(void **state)
{
	struct postfix_diags d = {0};
	char text[4096] = "";
	char *v;

	(void)state;
	for (int i = 0; i < 40; i++) {
		char line[64];

		snprintf(line, sizeof(line), "p%d = $p%d$p%d\n", i, i + 1, i + 1);
		strcat(text, line);
	}
	strcat(text, "p40 = x\nsmtpd_banner = $p0\n");
	v = eval_in(text, "smtpd_banner", V37, &d);
	assert_null(v);
	assert_true(postfix_diags_has(&d, POSTFIX_DIAG_EXPAND, "expan"));
	postfix_diags_free(&d);
}

/*
 * Work is counted in bytes: a value of big bytes behind b (taken or not:
 * "${b?{...}}" with b set or unset), referenced refs times in x, within or
 * past the 4 MiB of one expansion, and against a shared budget of shared
 * bytes (0: none) that an earlier expansion of the same value used first.
 */
static const struct {
	size_t big, refs;
	bool taken;		/* the operand is expanded (output), not only scanned */
	size_t shared;
	bool ok_first, ok_second;	/* x expands (twice, on the same env) */
	const char *msg;	/* of the first failure */
} work_cases[] = {
	{ 1000, 100, true, 0, true, true, NULL },		/* ~400 KB of work, 100 KB out */
	{ 100000, 15, false, 0, true, true, NULL },		/* ~3 MB scanned */
	{ 100000, 25, false, 0, false, false, "this value needs more than 4194304" },
	{ 20000, 20, true, 0, false, false, "longer than 262144" },	/* output cap */
	{ 100000, 8, false, 2u << 20, true, false, "this configuration needs more than 2097152" },
	{ 10, 1000, false, 8u << 20, true, true, NULL },	/* references cost 32 bytes */
};

static void
test_expand_work_bytes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(work_cases) / sizeof(work_cases[0]); i++) {
		size_t big = work_cases[i].big, refs = work_cases[i].refs;
		size_t cap = big + 3 * refs + 64;
		char *text = malloc(cap), *v;
		struct postfix_dict dict = {0};
		struct postfix_diags d = {0};
		struct budget shared;
		struct postfix_env e;
		size_t o = 0;
		bool ok;

		assert_non_null(text);
		o += (size_t)snprintf(text + o, cap - o, "%sb = ${%s?{",
				      work_cases[i].taken ? "t = 1\n" : "", work_cases[i].taken ? "t" : "u");
		memset(text + o, 'y', big);
		o += big;
		o += (size_t)snprintf(text + o, cap - o, "}}\nx =");
		for (size_t k = 0; k < refs; k++)
			o += (size_t)snprintf(text + o, cap - o, " $b");
		text[o++] = '\n';
		postfix_conf_parse(&dict, "main.cf", text, o, &d);
		memset(&e, 0, sizeof(e));
		e.main = &dict;
		e.version = V37;
		e.hostname = "mx";
		e.file = "main.cf";
		e.diags = &d;
		if (work_cases[i].shared) {
			budget_init(&shared, work_cases[i].shared);
			e.budget = &shared;
		}
		for (int round = 0; round < 2; round++) {
			v = postfix_eval(&e, "x");
			ok = round == 0 ? work_cases[i].ok_first : work_cases[i].ok_second;
			if ((v != NULL) != ok)
				fail_msg("case %zu round %d: %s, want %s", i, round, v ? "expanded" : "error",
					 ok ? "expanded" : "error");
			if (v != NULL && work_cases[i].taken && strlen(v) != refs * (big + 1) - 1)
				fail_msg("case %zu: %zu bytes out", i, strlen(v));
			free(v);
		}
		if (work_cases[i].msg != NULL
		    && !postfix_diags_has(&d, POSTFIX_DIAG_EXPAND, work_cases[i].msg))
			fail_msg("case %zu: no diagnostic \"%s\"", i, work_cases[i].msg);
		if (work_cases[i].msg == NULL && postfix_diags_has(&d, POSTFIX_DIAG_EXPAND, ""))
			fail_msg("case %zu: unexpected expansion error: %s", i, d.n ? d.v[0].msg : "");
		postfix_dict_free(&dict);
		postfix_diags_free(&d);
		free(text);
	}
}

/* The dictionary is hashed and capped: the cap is a limit, and reading stops. */
static void
test_dict_limit(void **state)
{
	static const size_t counts[] = { 100, POSTFIX_CONF_MAX_PARAMS, POSTFIX_CONF_MAX_PARAMS + 1, 50000 };

	(void)state;
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		size_t n = counts[i], cap = n * 24 + 1, o = 0, got;
		char *text = malloc(cap), name[32];
		struct postfix_dict dict = {0};
		struct postfix_diags d = {0};
		bool over = n > POSTFIX_CONF_MAX_PARAMS;

		assert_non_null(text);
		for (size_t k = 0; k < n; k++)
			o += (size_t)snprintf(text + o, cap - o, "p%zu = v%zu\n", k, k);
		got = postfix_conf_parse(&dict, "main.cf", text, o, &d);
		assert_int_equal(got, over ? POSTFIX_CONF_MAX_PARAMS : n);
		assert_int_equal(postfix_diags_has(&d, POSTFIX_DIAG_LIMIT, ""), over);
		for (size_t k = 0; k < n; k += 1 + n / 50) {
			const struct postfix_param *p;

			snprintf(name, sizeof(name), "p%zu", k);
			p = postfix_dict_get(&dict, name);
			if ((p != NULL) != (k < POSTFIX_CONF_MAX_PARAMS))
				fail_msg("n=%zu: p%zu %s", n, k, p ? "found" : "missing");
			if (p != NULL && (strcmp(p->value + 1, name + 1) != 0 || p->line != k + 1))
				fail_msg("n=%zu: p%zu = %s at line %u", n, k, p->value, p->line);
		}
		postfix_dict_free(&dict);
		postfix_diags_free(&d);
		free(text);
	}
}

/* ---- defaults by version and compatibility level ---- */

static const struct {
	unsigned version;
	const char *compat;	/* NULL = unset */
	const char *name;
	const char *want;	/* NULL = not a parameter of that version */
} def_cases[] = {
	{V37, NULL, "mynetworks_style", "subnet"},
	{V37, "1", "mynetworks_style", "subnet"},
	{V37, "2", "mynetworks_style", "host"},
	{V37, "3.6", "mynetworks_style", "host"},
	{POSTFIX_VERSION(2, 11, 0), NULL, "mynetworks_style", "subnet"},
	{V37, NULL, "relay_domains", "mx.localdomain, localhost.localdomain, localhost"},
	{V37, "2", "relay_domains", ""},
	{V37, "0", "smtpd_relay_restrictions", ""},
	{V37, "1", "smtpd_relay_restrictions",
	 "permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination"},
	{POSTFIX_VERSION(2, 10, 0), NULL, "smtpd_relay_restrictions",
	 "permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination"},
	{POSTFIX_VERSION(2, 9, 0), NULL, "smtpd_relay_restrictions", NULL},
	{POSTFIX_VERSION(2, 9, 0), NULL, "smtpd_recipient_restrictions",
	 "permit_mynetworks, reject_unauth_destination"},
	{V37, NULL, "smtpd_recipient_restrictions", ""},
	{V37, NULL, "smtpd_relay_before_recipient_restrictions", "no"},
	{V37, "3.6", "smtpd_relay_before_recipient_restrictions", "yes"},
	{POSTFIX_VERSION(3, 5, 0), "3.6", "smtpd_relay_before_recipient_restrictions", NULL},
	{V37, "3.11", "smtp_tls_security_level", ""},
	{POSTFIX_VERSION(3, 11, 0), "3.11", "smtp_tls_security_level", "may"},
	{POSTFIX_VERSION(3, 11, 0), "3.10", "smtp_tls_security_level", ""},
	{POSTFIX_VERSION_NEWEST, "3.11", "smtp_tls_security_level", "may"},
	{V37, NULL, "inet_interfaces", "all"},
	{V37, NULL, "inet_protocols", "all"},
	{POSTFIX_VERSION(2, 8, 0), NULL, "inet_protocols", "ipv4"},
	{V37, NULL, "smtpd_delay_reject", "yes"},
	{V37, NULL, "disable_vrfy_command", "no"},
	{V37, NULL, "smtpd_helo_required", "no"},
	{V37, NULL, "smtpd_banner", "mx.localdomain ESMTP Postfix"},
	{V37, NULL, "smtpd_tls_key_file", ""},
	{V37, NULL, "smtp_sasl_security_options", "noplaintext, noanonymous"},
	{V37, NULL, "smtpd_sasl_security_options", "noanonymous"},
	{V37, NULL, "smtpd_client_connection_count_limit", "50"},
	{V37, NULL, "smtpd_client_connection_rate_limit", "0"},
	{V37, NULL, "anvil_rate_time_unit", "60s"},
	{V37, NULL, "mail_version", "3.7.11"},
	{V37, NULL, "no_such_parameter", NULL},
};

static void
test_defaults(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(def_cases) / sizeof(def_cases[0]); i++) {
		struct postfix_diags d = {0};
		char text[128] = "";
		char *v;

		if (def_cases[i].compat)
			snprintf(text, sizeof(text), "compatibility_level = %s\n", def_cases[i].compat);
		v = eval_in(text, def_cases[i].name, def_cases[i].version, &d);
		if (def_cases[i].want == NULL) {
			assert_null(v);
		} else {
			if (v == NULL)
				print_message("case %zu\n", i);
			assert_non_null(v);
			assert_string_equal(v, def_cases[i].want);
		}
		free(v);
		postfix_diags_free(&d);
	}
}

static void
test_hostnames(void **state)
{
	static const struct {
		const char *text, *name, *want;
	} c[] = {
		{"", "myhostname", "mx.localdomain"},
		{"", "mydomain", "localdomain"},
		{"myhostname = mail.example.com\n", "mydomain", "example.com"},
		{"myhostname = mail\n", "mydomain", "localdomain"},
		{"mydomain = example.net\n", "myhostname", "mx.example.net"},
		{"mydomain = example.net\n", "mydestination",
		 "mx.example.net, localhost.example.net, localhost"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct postfix_diags d = {0};
		char *v = eval_in(c[i].text, c[i].name, V37, &d);

		assert_non_null(v);
		assert_string_equal(v, c[i].want);
		free(v);
		postfix_diags_free(&d);
	}
}

/* ---- lists ---- */

static const struct {
	const char *in;
	enum postfix_split how;
	int rc;
	const char *want;	/* "|"-joined */
} list_cases[] = {
	{"permit_mynetworks, reject", POSTFIX_SPLIT_LIST, 0, "permit_mynetworks|reject"},
	{" a,,b\tc\n d ", POSTFIX_SPLIT_LIST, 0, "a|b|c|d"},
	{"a, { check_client_access hash:/x }, b", POSTFIX_SPLIT_LIST, 0, "a|check_client_access hash:/x|b"},
	{"a{b c}d e", POSTFIX_SPLIT_LIST, 0, "a{b c}d|e"},
	{"{a}b, c", POSTFIX_SPLIT_LIST, 0, "{a}b|c"},
	{"static:{REJECT go away}, {\tx\n}", POSTFIX_SPLIT_LIST, 0, "static:{REJECT go away}|x"},
	{"a, {b", POSTFIX_SPLIT_LIST, -1, "a"},
	{"a, b}", POSTFIX_SPLIT_LIST, -1, "a"},
	{"", POSTFIX_SPLIT_LIST, 0, ""},
	{"127.0.0.1, ::1\t[::2]", POSTFIX_SPLIT_INET, 0, "127.0.0.1|::1|[::2]"},
	{"a{b c}", POSTFIX_SPLIT_INET, 0, "a{b|c}"},
	{"all\n", POSTFIX_SPLIT_INET, 0, "all\n"},
};

static void
test_lists(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(list_cases) / sizeof(list_cases[0]); i++) {
		struct postfix_list l;
		struct postfix_diags d = {0};
		char got[256] = "";
		int rc = postfix_list_split(list_cases[i].in, list_cases[i].how, &l, "main.cf", 4, &d);

		for (size_t k = 0; k < l.n; k++) {
			if (k)
				strcat(got, "|");
			strcat(got, l.item[k]);
		}
		assert_int_equal(rc, list_cases[i].rc);
		assert_string_equal(got, list_cases[i].want);
		if (rc < 0) {
			assert_int_equal(d.v[0].kind, POSTFIX_DIAG_LIST);
			assert_int_equal(d.v[0].line, 4);
			assert_string_equal(d.v[0].file, "main.cf");
		}
		postfix_list_free(&l);
		postfix_diags_free(&d);
	}
}

/* postfix_list_has: the same splitter, words compared ignoring case */
static void
test_list_has(void **state)
{
	static const struct {
		const char *list, *word;
		bool want;
	} c[] = {
		{"noplaintext, noanonymous", "noanonymous", true},
		{"noplaintext,NOANONYMOUS", "noanonymous", true},
		{"noplaintext", "noanonymous", false},
		{"noanonymousx", "noanonymous", false},
		{"{ noanonymous }", "noanonymous", true},
		{"a, {noanonymous", "noanonymous", false},	/* unbalanced: stops before */
		{"", "noanonymous", false},
		{NULL, "noanonymous", false},
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		if (postfix_list_has(c[i].list, c[i].word) != c[i].want)
			fail_msg("postfix_list_has(\"%s\", %s) != %d", c[i].list ? c[i].list : "(null)",
				 c[i].word, c[i].want);
}

/* ---- versions, levels, booleans ---- */

static void
test_versions(void **state)
{
	unsigned v = 0;

	(void)state;
	assert_int_equal(postfix_version_parse("3.7.11-0+deb12u1", &v), 0);
	assert_int_equal(v, POSTFIX_VERSION(3, 7, 11));
	assert_int_equal(postfix_version_parse("1:3.10.2-1", &v), 0);
	assert_int_equal(v, POSTFIX_VERSION(3, 10, 2));
	assert_int_equal(postfix_version_parse("3.6", &v), 0);
	assert_int_equal(v, POSTFIX_VERSION(3, 6, 0));
	assert_int_equal(postfix_version_parse("x3", &v), -1);
	assert_int_equal(postfix_version_parse("", &v), -1);
	assert_true(postfix_level_cmp("3.10", "3.6") > 0);
	assert_true(postfix_level_cmp("2", "3.6") < 0);
	assert_int_equal(postfix_level_cmp("3.6", "3.6.0"), 0);
	assert_true(postfix_bool("YES", false));
	assert_false(postfix_bool("no", true));
	assert_true(postfix_bool("maybe", true));
	assert_false(postfix_bool(NULL, false));
	assert_true(postfix_bool(NULL, true));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lline),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_diags),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_expand_error_location),
		cmocka_unit_test(test_expand_work_bytes),
		cmocka_unit_test(test_dict_limit),
		cmocka_unit_test(test_expand_budget),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_hostnames),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_list_has),
		cmocka_unit_test(test_versions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

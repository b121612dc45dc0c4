/*
 * test_sendmail_conf.c - the sendmail.cf / .mc / access model: logical
 * lines, option-name matching, DaemonPortOptions (keys by first letter, any
 * order, defaults, host names), rulesets and markers, the relay verdict,
 * .mc/.cf disagreement and the hardening decisions, with file:line
 * diagnostics.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "collectors/sendmail/sendmail_conf.h"

/* The relay part of a compiled .cf (abridged from cf/m4/proto.m4 output). */
#define RELAY_RULES \
	"Scheck_rcpt\n" \
	"R$*\t\t\t$: $1 $| $>\"Local_check_rcpt\" $1\n" \
	"R$* $| $*\t\t$@ $>\"Basic_check_rcpt\" $1\n" \
	"SBasic_check_rcpt\n" \
	"# empty address?\n" \
	"R<>\t\t\t$#error $@ nouser $: \"553 User address required\"\n" \
	"R$* $| RELAY\t\t$@ RELAY\n" \
	"# anything else is bogus\n" \
	"R$*\t\t\t$#error $@ 5.7.1 $: \"550 Relaying denied\"\n" \
	"SRcpt_ok\n" \
	"R$*\t\t\t$: $>ParseRecipient $1\t\tstrip relayable hosts\n" \
	"R$+ < @ $=w >\t\t$@ RELAY\n" \
	"SRelay_ok\n" \
	"R$*\t\t\t$: $&{client_addr}\n" \
	"R127.0.0.1\t\t$@ RELAY\t\toriginated locally\n"

static struct sendmail_cf *
parse(const char *text)
{
	struct sendmail_cf *cf = sendmail_cf_parse(text, strlen(text));

	assert_non_null(cf);
	return cf;
}

static const char *
fmt_addr(const struct sendmail_daemon *d, char *buf, size_t n)
{
	switch (d->addr_kind) {
	case SENDMAIL_ADDR_ANY:
		snprintf(buf, n, "*");
		break;
	case SENDMAIL_ADDR_NUMERIC:
		inaddr_format(&d->inaddr, buf, n);
		break;
	case SENDMAIL_ADDR_HOSTNAME:
		snprintf(buf, n, "host:%s", d->addr);
		break;
	case SENDMAIL_ADDR_PATH:
		snprintf(buf, n, "path:%s", d->addr);
		break;
	}
	return buf;
}

/* diags contain one mentioning line and substring */
static bool
has_diag(const struct sendmail_diags *dg, unsigned line, const char *sub)
{
	for (size_t i = 0; i < dg->n; i++)
		if (dg->d[i].line == line && strstr(dg->d[i].msg, sub) != NULL)
			return true;
	return false;
}

static void
test_daemons(void **state)
{
	static const struct {
		const char *cf;
		const char *want;	/* "name family addr port;..." */
		unsigned diag_line;	/* 0 = expect no diagnostics */
		const char *diag;
	} cases[] = {
		/* no lines at all: IPv4 INADDR_ANY port 25 */
		{ "# nothing\n", "Daemon0 0 * 25;", 0, NULL },
		{ "O DaemonPortOptions=Name=MTA\nO DaemonPortOptions=Port=587, Name=MSA, M=E\n",
		  "MTA 0 * 25;MSA 0 * 587;", 0, NULL },
		/* keys by first letter, any order, case of the first letter */
		{ "O DaemonPortOptions=addr=127.0.0.1,port=smtp,name=lo\n", "lo 0 127.0.0.1 25;", 0, NULL },
		{ "O DaemonPortOptions=Nm=X, Prt=2525, A=192.0.2.7\n", "X 0 192.0.2.7 2525;", 0, NULL },
		/* the family is applied before the address, wherever it is */
		{ "O DaemonPortOptions=Addr=::1, Family=inet6, Name=v6\n", "v6 1 ::1 25;", 0, NULL },
		{ "O DaemonPortOptions=Family=inet6, Port=submission\n", "Daemon0 1 * 587;", 0, NULL },
		{ "O DaemonPortOptions=Family=10, Addr=IPv6:::1\n", "Daemon0 1 ::1 25;", 0, NULL },
		{ "O DaemonPortOptions=Port=smtps, M=s\n", "Daemon0 0 * 465;", 0, NULL },
		{ "O DaemonPortOptions=Addr=0.0.0.0\n", "Daemon0 0 * 25;", 0, NULL },
		/* inet_addr() forms */
		{ "O DaemonPortOptions=Addr=127.1\n", "Daemon0 0 127.0.0.1 25;", 0, NULL },
		/* names: no resolver offline */
		{ "O DaemonPortOptions=Addr=localhost, Name=MTA\n", "MTA 0 host:localhost 25;", 1, "host name" },
		{ "O DaemonPortOptions=Family=inet6, Addr=127.0.0.1\n", "Daemon0 1 host:127.0.0.1 25;", 1, "host name" },
		{ "O DaemonPortOptions=Family=local, Addr=/run/sm.sock\n", "Daemon0 2 path:/run/sm.sock 25;", 0, NULL },
		/* continuation lines, comments between, every line a daemon */
		{ "# c\nO DaemonPortOptions=Port=25,\n\tAddr=127.0.0.1, Name=A\n#O DaemonPortOptions=Name=B\n"
		  "O DaemonPortOptions=Name=C\n", "A 0 127.0.0.1 25;C 0 * 25;", 0, NULL },
		/* option names: case-insensitive, unique prefixes, old style */
		{ "O daemonportoptions=Name=a\nO DaemonPort=Name=b\nOOName=c\n", "a 0 * 25;b 0 * 25;c 0 * 25;", 0, NULL },
		{ "O Da=Name=x\n", "Daemon0 0 * 25;", 1, "ambiguous" },
		{ "O DaemonPortOptions=Name=x, Port=foo\n", "x 0 * 25;", 1, "not a known service" },
		{ "O DaemonPortOptions=Name=x, Port=70000\n", "x 0 * 4464;", 1, "out of range" },
		{ "\n\nO DaemonPortOptions=Name=x, Zap=1\n", "x 0 * 25;", 3, "unknown" },
		{ "O DaemonPortOptions=Name=x, Family=appletalk\n", "x 0 * 25;", 1, "unknown address family" },
		{ "O DaemonPortOptions=Name=x, garbage\n", "x 0 * 25;", 1, "without '='" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sendmail_cf *cf = parse(cases[i].cf);
		char got[1024] = "", a[300];
		size_t o = 0;

		for (size_t j = 0; j < cf->n_daemons; j++) {
			const struct sendmail_daemon *d = &cf->daemons[j];
			o += (size_t)snprintf(got + o, sizeof(got) - o, "%s %d %s %u;", d->name,
					      (int)d->family, fmt_addr(d, a, sizeof(a)), d->port);
		}
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, got, cases[i].want);
		if (cases[i].diag == NULL && cf->diags.n != 0)
			fail_msg("case %zu: unexpected diag %u: %s", i, cf->diags.d[0].line,
				 cf->diags.d[0].msg);
		if (cases[i].diag != NULL && !has_diag(&cf->diags, cases[i].diag_line, cases[i].diag))
			fail_msg("case %zu: no diag \"%s\" at line %u (have %zu)", i, cases[i].diag,
				 cases[i].diag_line, cf->diags.n);
		free(cf);
	}
}

static void
test_implicit_and_lines(void **state)
{
	struct sendmail_cf *cf = parse("O DaemonPortOptions=Name=A\n\nO DaemonPortOptions=Name=B,\n"
				       "  Port=26\nO DaemonPortOptions=Name=C\n");

	assert_false(cf->daemons_implicit);
	assert_int_equal(cf->n_daemons, 3);
	assert_int_equal(cf->daemons[0].line, 1);
	assert_int_equal(cf->daemons[1].line, 3);
	assert_int_equal(cf->daemons[1].port, 26);
	assert_int_equal(cf->daemons[2].line, 5);
	free(cf);

	cf = parse("");
	assert_true(cf->daemons_implicit);
	assert_int_equal(cf->n_daemons, 1);
	assert_int_equal(cf->daemons[0].line, 0);
	free(cf);
}

static void
test_option_lookup(void **state)
{
	static const struct {
		const char *name;
		const char *want;
		bool ambiguous;
	} cases[] = {
		{ "DaemonPortOptions", "DaemonPortOptions", false },
		{ "daemonportoptions", "DaemonPortOptions", false },
		{ "DaemonP", "DaemonPortOptions", false },
		{ "Privacy", "PrivacyOptions", false },
		{ "SmtpGreeting", "SmtpGreetingMessage", false },
		{ "HelpFile", "HelpFile", false },
		{ "He", NULL, true },		/* HeloName, HelpFile */
		{ "D", NULL, true },
		{ "NoSuchOption", NULL, false },
		{ "", NULL, false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool amb;
		const char *got = sendmail_option_lookup(cases[i].name, strlen(cases[i].name), &amb);
		if ((got == NULL) != (cases[i].want == NULL) ||
		    (got != NULL && strcmp(got, cases[i].want) != 0) || amb != cases[i].ambiguous)
			fail_msg("case %zu \"%s\": got %s amb %d", i, cases[i].name,
				 got ? got : "NULL", amb);
	}
}

static void
test_relay(void **state)
{
	static const struct {
		const char *cf;
		enum sendmail_relay verdict;
		const char *reason;
		bool promiscuous;
		const char *finding;	/* one expected finding, or NULL */
	} cases[] = {
		{ RELAY_RULES, SENDMAIL_RELAY_CLOSED, "relay_denied", false, NULL },
		/* the three promiscuous signs */
		{ "#####  $Id: promiscuous_relay.m4,v 8.13 2013-11-22 20:51:11 ca Exp $  #####\n" RELAY_RULES,
		  SENDMAIL_RELAY_OPEN, "promiscuous_relay", true, "promiscuous_relay" },
		{ "Scheck_rcpt\nSBasic_check_rcpt\nR$*\t$#error $@ 5.7.1 $: \"550 Relaying denied\"\n",
		  SENDMAIL_RELAY_OPEN, "relay_ok_missing", true, "promiscuous_relay" },
		{ "SBasic_check_rcpt\nR<>\t$#error $@ nouser\nR$* $| RELAY\t$@ RELAY\nSRelay_ok\nR$*\t$: $1\n",
		  SENDMAIL_RELAY_OPEN, "no_final_relay_denied", true, NULL },
		{ "SRelay_ok\nR$*\t$: $1\n", SENDMAIL_RELAY_OPEN, "no_final_relay_denied", true, NULL },
		{ "", SENDMAIL_RELAY_OPEN, "relay_ok_missing", true, NULL },
		/* other exposure, by marker or by rule */
		{ RELAY_RULES "#####  $Id: relay_entire_domain.m4,v 8.11 $ #####\n",
		  SENDMAIL_RELAY_CLOSED, "relay_denied", false, "relay_entire_domain" },
		{ RELAY_RULES "SRcpt_ok\nR$+ < @ $* $=m >\t$@ RELAY\n",
		  SENDMAIL_RELAY_CLOSED, "relay_denied", false, "relay_entire_domain" },
		{ RELAY_RULES "Kmxserved bestmx -z: -T<TEMP>\n",
		  SENDMAIL_RELAY_UNDETERMINED, "relay_based_on_MX", false, "relay_based_on_MX" },
		{ RELAY_RULES "SRelay_ok\nR$*\t\t$: <?> $>CanonAddr $&f\nR<?> $+ < @ $=w >\t$@ RELAY\t\tFROM local\n",
		  SENDMAIL_RELAY_OPEN, "relay_local_from", false, "relay_local_from" },
		/* the same $=w rule without the sender lookup before it is not the feature */
		{ RELAY_RULES "SRelay_ok\nR<?> $+ < @ $=w >\t$@ RELAY\n",
		  SENDMAIL_RELAY_CLOSED, "relay_denied", false, NULL },
		{ RELAY_RULES "SRcpt_ok\nR$*\t\t\t$: $>CanonAddr $1\n",
		  SENDMAIL_RELAY_CLOSED, "relay_denied", false, "loose_relay_check" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sendmail_cf *cf = parse(cases[i].cf);
		struct sendmail_relay_result r;
		bool found = cases[i].finding == NULL;

		sendmail_relay_eval(cf, NULL, &r);
		for (size_t j = 0; j < r.n_findings; j++)
			if (cases[i].finding != NULL && strcmp(r.findings[j], cases[i].finding) == 0)
				found = true;
		if (r.verdict != cases[i].verdict || strcmp(r.reason, cases[i].reason) != 0 ||
		    r.promiscuous != cases[i].promiscuous || !found)
			fail_msg("case %zu: verdict %d reason %s promiscuous %d (%s)", i, r.verdict,
				 r.reason, r.promiscuous, r.detail);
		free(cf);
	}
}

static void
test_access(void **state)
{
	static const char text[] =
		"# comment\n"
		"Connect:127.0.0.1\tRELAY\n"
		"Connect:192.168.10  RELAY\n"
		"Connect:203\t\tRELAY\n"
		"10\tRELAY\n"
		"Connect:IPv6:2001:db8\tRELAY\n"
		"Connect:example.org\tRELAY\n"
		"To:example.org\tRELAY\n"
		"Connect:198.51.100\tREJECT\n"
		"lonely\n"
		"Srv_Features:\tV l\n"
		"Srv_Features:192.0.2\tL\n";
	struct sendmail_access *ac = sendmail_access_parse(text, sizeof(text) - 1);
	static const struct {
		const char *net;
		unsigned plen, line;
		bool tagged, broad, internal;
	} want[] = {
		{ "127.0.0.1", 32, 2, true, false, true },
		{ "192.168.10.0", 24, 3, true, false, true },
		{ "203.0.0.0", 8, 4, true, true, false },
		{ "10.0.0.0", 8, 5, false, true, true },
		{ "2001:db8::", 32, 6, true, true, true },
	};

	assert_non_null(ac);
	assert_int_equal(ac->n_relay, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < ac->n_relay; i++) {
		char a[INADDR_STRLEN];
		inaddr_format(&ac->relay[i].net, a, sizeof(a));
		if (strcmp(a, want[i].net) != 0 || ac->relay[i].prefixlen != want[i].plen ||
		    ac->relay[i].line != want[i].line || ac->relay[i].tagged != want[i].tagged ||
		    ac->relay[i].broad != want[i].broad || ac->relay[i].internal != want[i].internal)
			fail_msg("entry %zu: %s/%u line %u", i, a, ac->relay[i].prefixlen,
				 ac->relay[i].line);
	}
	assert_true(has_diag(&ac->diags, 10, "without a value"));
	/* the first Srv_Features: value with an upper-case L (lower case requires AUTH) */
	assert_int_equal(ac->srv_features_no_auth, 12);

	/* a broad RELAY entry matters only when the .cf uses the access map */
	struct sendmail_cf *cf = parse(RELAY_RULES);
	struct sendmail_relay_result r;
	sendmail_relay_eval(cf, ac, &r);
	assert_int_equal(r.verdict, SENDMAIL_RELAY_CLOSED);
	free(cf);
	cf = parse("Kaccess hash -T<TMPF> -o /etc/mail/access\n" RELAY_RULES);
	assert_string_equal(cf->access_map_type, "hash");
	sendmail_relay_eval(cf, ac, &r);
	assert_int_equal(r.verdict, SENDMAIL_RELAY_UNDETERMINED);
	assert_string_equal(r.reason, "access_relay_broad");
	assert_non_null(strstr(r.detail, "line 4"));
	free(ac);

	/*
	 * private, loopback and reserved networks hold no Internet client:
	 * closed; a whole private /8 (or IPv6 /32) is a finding
	 */
	static const struct {
		const char *access;
		enum sendmail_relay verdict;
		const char *finding;	/* or NULL: no access_relay_* finding */
	} nets[] = {
		{ "Connect:10\tRELAY\n", SENDMAIL_RELAY_CLOSED, "access_relay_private" },
		{ "Connect:127\tRELAY\n", SENDMAIL_RELAY_CLOSED, NULL },
		{ "Connect:192.168\tRELAY\nConnect:172.16\tRELAY\n", SENDMAIL_RELAY_CLOSED, NULL },
		{ "Connect:169.254\tRELAY\n", SENDMAIL_RELAY_CLOSED, NULL },
		{ "Connect:IPv6:fd00\tRELAY\n", SENDMAIL_RELAY_CLOSED, "access_relay_private" },
		{ "Connect:IPv6:fe80\tRELAY\n", SENDMAIL_RELAY_CLOSED, "access_relay_private" },
		{ "Connect:172\tRELAY\n", SENDMAIL_RELAY_UNDETERMINED, "access_relay_broad" },
		{ "10\tRELAY\nConnect:203\tRELAY\n", SENDMAIL_RELAY_UNDETERMINED, "access_relay_broad" },
	};
	for (size_t i = 0; i < sizeof(nets) / sizeof(nets[0]); i++) {
		bool found = false;

		ac = sendmail_access_parse(nets[i].access, strlen(nets[i].access));
		sendmail_relay_eval(cf, ac, &r);
		for (size_t j = 0; j < r.n_findings; j++)
			if (strncmp(r.findings[j], "access_relay_", 13) == 0)
				found = nets[i].finding && strcmp(r.findings[j], nets[i].finding) == 0;
		if (r.verdict != nets[i].verdict || found != (nets[i].finding != NULL))
			fail_msg("access %zu: %d %s", i, r.verdict, r.detail);
		free(ac);
	}
	free(cf);
}

/* which daemons get their socket (daemon.c: bind all, then listen in order) */
static void
test_listen(void **state)
{
	static const struct {
		const char *name;
		const char *cf;
		bool bindv6only;
		const char *want;	/* per daemon: 'L' listens, 'x' clashes, '-' never gets there */
		bool wedged;
	} cases[] = {
		{ "v6 wildcard takes IPv4", "O DaemonPortOptions=Family=inet6, Name=v6\n"
		  "O DaemonPortOptions=Family=inet, Name=v4\n", false, "Lx", true },
		{ "the same with bindv6only=1", "O DaemonPortOptions=Family=inet6, Name=v6\n"
		  "O DaemonPortOptions=Family=inet, Name=v4\n", true, "LL", false },
		{ "v4 first: the v6 wildcard cannot listen", "O DaemonPortOptions=Family=inet, Name=v4\n"
		  "O DaemonPortOptions=Family=inet6, Name=v6\n", false, "Lx", true },
		{ "v4 loopback then v4 wildcard", "O DaemonPortOptions=Addr=127.0.0.1, Name=a\n"
		  "O DaemonPortOptions=Name=b\n", false, "Lx", true },
		{ "::1 and 0.0.0.0 do not clash", "O DaemonPortOptions=Family=inet6, Addr=::1, Name=a\n"
		  "O DaemonPortOptions=Name=b\n", false, "LL", false },
		{ "v4-mapped v6 and its v4", "O DaemonPortOptions=Family=inet6, Addr=::ffff:127.0.0.1, Name=a\n"
		  "O DaemonPortOptions=Addr=127.0.0.1, Name=b\n", true, "Lx", true },
		{ "other ports", "O DaemonPortOptions=Family=inet6, Name=a\n"
		  "O DaemonPortOptions=Port=587, Name=b\n", false, "LL", false },
		{ "a wedged sendmail never reaches later daemons", "O DaemonPortOptions=Name=a\n"
		  "O DaemonPortOptions=Name=b\nO DaemonPortOptions=Port=587, Name=c\n", false, "Lx-", true },
		{ "an optional daemon is disabled, the rest go on", "O DaemonPortOptions=Name=a\n"
		  "O DaemonPortOptions=Name=b, M=O\nO DaemonPortOptions=Port=587, Name=c\n", false, "LxL",
		  false },
		{ "host names are not compared", "O DaemonPortOptions=Addr=mail.example.org, Name=a\n"
		  "O DaemonPortOptions=Name=b\n", false, "LL", false },
		{ "a UNIX socket", "O DaemonPortOptions=Family=local, Addr=/run/s, Name=a\n"
		  "O DaemonPortOptions=Name=b\n", false, "LL", false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sendmail_cf *cf = parse(cases[i].cf);
		struct sendmail_listen ls;
		char got[8] = "";

		sendmail_daemons_listen(cf, cases[i].bindv6only, &ls);
		for (size_t j = 0; j < cf->n_daemons && j + 1 < sizeof(got); j++)
			got[j] = ls.listens[j] ? 'L' : ls.clash[j] ? 'x' : '-';
		if (strcmp(got, cases[i].want) != 0 || ls.wedged != cases[i].wedged)
			fail_msg("%s: %s wedged %d", cases[i].name, got, ls.wedged);
		for (size_t j = 0; j < cf->n_daemons; j++)
			if (ls.clash[j])
				assert_true(ls.clash_with[j] < j);
		free(cf);
	}
}

/* one daemon's verdict: bind conflicts, M=a */
static void
test_daemon_relay(void **state)
{
#define PROMISC "#####  $Id: promiscuous_relay.m4,v 8.13 2013-11-22 20:51:11 ca Exp $  #####\n" RELAY_RULES
	static const struct {
		const char *name;
		const char *cf;
		const char *access;	/* NULL: none */
		size_t daemon;
		enum sendmail_relay verdict;
		const char *reason;
	} cases[] = {
		{ "MTA under promiscuous_relay", PROMISC "O DaemonPortOptions=Name=MTA\n"
		  "O DaemonPortOptions=Port=587, Name=MSA, M=Ea\n", NULL, 0, SENDMAIL_RELAY_OPEN,
		  "promiscuous_relay" },
		{ "MSA with M=Ea", PROMISC "O DaemonPortOptions=Name=MTA\n"
		  "O DaemonPortOptions=Port=587, Name=MSA, M=Ea\n", NULL, 1, SENDMAIL_RELAY_CLOSED,
		  "auth_required" },
		{ "M=E alone", PROMISC "O DaemonPortOptions=Port=587, Name=MSA, M=E\n", NULL, 0,
		  SENDMAIL_RELAY_OPEN, "promiscuous_relay" },
		{ "ANONYMOUS authenticates anybody", PROMISC "O AuthMechanisms=PLAIN ANONYMOUS\n"
		  "O DaemonPortOptions=Port=587, Name=MSA, M=a\n", NULL, 0, SENDMAIL_RELAY_OPEN,
		  "promiscuous_relay" },
		{ "ANONYMOUSX is another name", PROMISC "O AuthMechanisms=PLAIN ANONYMOUSX\n"
		  "O DaemonPortOptions=Port=587, Name=MSA, M=a\n", NULL, 0, SENDMAIL_RELAY_CLOSED,
		  "auth_required" },
		{ "a Srv_Features: L lifts it", PROMISC "O DaemonPortOptions=Port=587, Name=MSA, M=a\n",
		  "Srv_Features:\tL\n", 0, SENDMAIL_RELAY_OPEN, "promiscuous_relay" },
		{ "Local_srv_features may lift it", PROMISC "SLocal_srv_features\nR$*\t$#L\n"
		  "O DaemonPortOptions=Port=587, Name=MSA, M=a\n", NULL, 0, SENDMAIL_RELAY_OPEN,
		  "promiscuous_relay" },
		{ "closed stays closed", RELAY_RULES "O DaemonPortOptions=Port=587, Name=MSA, M=a\n", NULL,
		  0, SENDMAIL_RELAY_CLOSED, "relay_denied" },
		{ "the daemon that cannot listen", PROMISC "O DaemonPortOptions=Family=inet6, Name=v6\n"
		  "O DaemonPortOptions=Family=inet, Name=v4\n", NULL, 1, SENDMAIL_RELAY_CONFIG_ERROR,
		  "daemon_bind_conflict" },
		{ "the one that listens answers nobody either", PROMISC
		  "O DaemonPortOptions=Family=inet6, Name=v6\nO DaemonPortOptions=Family=inet, Name=v4\n",
		  NULL, 0, SENDMAIL_RELAY_CONFIG_ERROR, "daemon_bind_conflict" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sendmail_cf *cf = parse(cases[i].cf);
		struct sendmail_access *ac = cases[i].access
			? sendmail_access_parse(cases[i].access, strlen(cases[i].access)) : NULL;
		struct sendmail_relay_result global, r;
		struct sendmail_listen ls;

		sendmail_relay_eval(cf, ac, &global);
		sendmail_daemons_listen(cf, false, &ls);
		sendmail_daemon_relay(cf, ac, &global, &ls, cases[i].daemon, &r);
		if (r.verdict != cases[i].verdict || strcmp(r.reason, cases[i].reason) != 0)
			fail_msg("%s: %d %s (%s)", cases[i].name, r.verdict, r.reason, r.detail);
		free(cf);
		free(ac);
	}
#undef PROMISC
}

static void
test_mc(void **state)
{
	static const char mc[] =
		"divert(-1)dnl\n"
		"# FEATURE(`relay_entire_domain') in a comment before cf.m4\n"
		"divert(0)dnl\n"
		"include(`/usr/share/sendmail/cf/m4/cf.m4')dnl\n"
		"dnl FEATURE(`relay_local_from')\n"
		"FEATURE(`no_default_msa')dnl\n"
		"FEATURE(promiscuous_relay)dnl\n"
		"DAEMON_OPTIONS(`Family=inet,  Name=MTA-v4, Port=smtp, Addr=127.0.0.1')dnl\n"
		"FEATURE(`access_db', , `skip')dnl\n"
		"DAEMON_OPTIONS(`Name=x,\n Port=26')\n"
		"define(`q', `FEATURE(`loose_relay_check')')\n";
	struct sendmail_mc *m = sendmail_mc_parse(mc, sizeof(mc) - 1);

	assert_non_null(m);
	assert_int_equal(sendmail_mc_feature(m, "relay_entire_domain"), 0);
	assert_int_equal(sendmail_mc_feature(m, "relay_local_from"), 0);
	assert_int_equal(sendmail_mc_feature(m, "no_default_msa"), 6);
	assert_int_equal(sendmail_mc_feature(m, "promiscuous_relay"), 7);
	assert_int_equal(sendmail_mc_feature(m, "access_db"), 9);
	assert_int_equal(sendmail_mc_feature(m, "loose_relay_check"), 0);	/* quoted */
	assert_int_equal(m->n_daemon_options, 2);
	assert_string_equal(m->daemon_options[0].name,
			    "Family=inet,  Name=MTA-v4, Port=smtp, Addr=127.0.0.1");
	assert_int_equal(m->daemon_options[1].line, 10);

	/* after changecom() (no include: "m4 cf.m4 x.mc"), '#' is no comment */
	static const char mc2[] = "# FEATURE(`promiscuous_relay')\n";
	struct sendmail_mc *m2 = sendmail_mc_parse(mc2, sizeof(mc2) - 1);
	assert_int_equal(sendmail_mc_feature(m2, "promiscuous_relay"), 1);
	free(m2);

	/* .mc says promiscuous and loopback; the .cf was built from defaults */
	struct sendmail_cf *cf = parse("O DaemonPortOptions=Name=MTA\n" RELAY_RULES);
	struct sendmail_mismatch mm;
	sendmail_mc_cf_compare(m, cf, &mm);
	assert_int_equal(mm.n, 2);
	assert_string_equal(mm.codes[0], "promiscuous_relay");
	assert_string_equal(mm.codes[1], "daemon_options");
	free(cf);

	cf = parse("#####  $Id: promiscuous_relay.m4,v 8.13 $ #####\n"
		   "O DaemonPortOptions=Family=inet, Name=MTA-v4, Port=smtp, Addr=127.0.0.1\n"
		   "O DaemonPortOptions=Name=x, Port=26\n" RELAY_RULES);
	sendmail_mc_cf_compare(m, cf, &mm);
	assert_int_equal(mm.n, 0);
	free(cf);
	free(m);

	static const char bad[] = "dnl\nFEATURE(`x\n";
	m = sendmail_mc_parse(bad, sizeof(bad) - 1);
	assert_true(has_diag(&m->diags, 2, "unterminated FEATURE("));
	free(m);
	static const char bad2[] = "`open\n";
	m = sendmail_mc_parse(bad2, sizeof(bad2) - 1);
	assert_true(has_diag(&m->diags, 0, "unbalanced"));
	free(m);
}

static void
test_hardening(void **state)
{
	static const struct {
		const char *cf;
		bool privacy_ok, greeting_version, help;
	} cases[] = {
		{ "O PrivacyOptions=authwarnings\nO HelpFile=/etc/mail/helpfile\n"
		  "O SmtpGreetingMessage=$j Sendmail $v/$Z; $b\n", false, true, true },
		{ "O PrivacyOptions=goaway\nO HelpFile=\nO SmtpGreetingMessage=$j ESMTP\n",
		  true, false, false },
		{ "O PrivacyOptions=noexpn\nO PrivacyOptions=novrfy\n", true, true, false },
		{ "O PrivacyOptions=noexpn, authwarnings\n", false, true, false },
		{ "Op noexpn novrfy\nDe$j mailer 8.17.1 ready\n", true, true, false },
		{ "De$j mailer ready\nOH/x\n", false, false, true },
		{ "O SmtpGreetingMessage=$j ESMTP\nDe$j Sendmail $v\n", false, false, false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sendmail_cf *cf = parse(cases[i].cf);
		const char *g;
		if (sendmail_privacy_ok(cf->privacy) != cases[i].privacy_ok ||
		    sendmail_greeting_reveals_version(cf, &g) != cases[i].greeting_version ||
		    sendmail_help_enabled(cf, true) != cases[i].help)
			fail_msg("case %zu: privacy %#x greeting \"%s\" help %d", i, cf->privacy, g,
				 cf->helpfile_set);
		assert_false(sendmail_help_enabled(cf, false));
		free(cf);
	}
	struct sendmail_cf *cf = parse("\nO PrivacyOptions=noexpn,bogus\n");
	assert_true(has_diag(&cf->diags, 2, "unknown PrivacyOptions value bogus"));
	free(cf);
}

static void
test_bounds(void **state)
{
	/* an over-long line, NUL bytes, 70 daemons, stray rules */
	size_t n = SENDMAIL_MAX_LINE + 100;
	char *big = malloc(n + 4096);
	size_t o;

	assert_non_null(big);
	memcpy(big, "O SmtpGreetingMessage=", 22);
	memset(big + 22, 'x', n - 22);
	o = n;
	big[o++] = '\n';
	big[o++] = 'R';
	big[o++] = '\0';
	big[o++] = '\n';
	for (int i = 0; i < 70; i++)
		o += (size_t)sprintf(big + o, "O DaemonPortOptions=Name=d%d\n", i);
	struct sendmail_cf *cf = sendmail_cf_parse(big, o);
	assert_non_null(cf);
	assert_int_equal(cf->n_daemons, SENDMAIL_MAX_DAEMONS);
	assert_true(has_diag(&cf->diags, 1, "longer than"));
	assert_true(has_diag(&cf->diags, 2, "outside any ruleset"));
	assert_true(has_diag(&cf->diags, 3 + SENDMAIL_MAX_DAEMONS, "more than 64"));
	assert_true(strlen(cf->greeting) < sizeof(cf->greeting));
	free(cf);
	free(big);
}

static void
test_tls_options(void **state)
{
	static const struct {
		const char *v, *source;
		unsigned bits;
	} dh[] = {
		{ "", "builtin", 2048 }, { "i", "builtin", 2048 }, { "1024", "builtin", 1024 },
		{ "2048", "builtin", 2048 }, { "512", "builtin", 512 }, { "none", "none", 0 },
		{ "/etc/mail/dh.pem", "file", 0 }, { "bogus", "builtin", 2048 },
	};
	static const struct {
		const char *opts;
		unsigned mask;
	} ssl[] = {
		{ "", 0x1e },
		{ "+SSL_OP_NO_TLSv1 +SSL_OP_NO_TLSv1_1", 0x18 },
		{ "+SSL_OP_NO_TLSv1,+SSL_OP_NO_TLSv1_1,-SSL_OP_NO_TLSv1", 0x1a },
		{ "+SSL_OP_NO_SSLv2 +SSL_OP_CIPHER_SERVER_PREFERENCE", 0x1e },
		{ "+SSL_OP_NO_TLSv1_3", 0x0e },
	};
	char text[512];
	struct sendmail_cf *cf;

	for (size_t i = 0; i < sizeof(dh) / sizeof(dh[0]); i++) {
		const char *src = NULL;
		unsigned b = sendmail_dh_bits(dh[i].v, &src);

		if (b != dh[i].bits || strcmp(src, dh[i].source) != 0)
			fail_msg("dh case %zu: %u %s", i, b, src);
	}
	for (size_t i = 0; i < sizeof(ssl) / sizeof(ssl[0]); i++)
		if (sendmail_ssl_versions(ssl[i].opts) != ssl[i].mask)
			fail_msg("ssl case %zu: %#x", i, sendmail_ssl_versions(ssl[i].opts));
	snprintf(text, sizeof(text), "Dj mail.example.org\nO ServerCertFile=/etc/mail/tls/c.pem\n"
		 "O ServerKeyFile=/etc/mail/tls/k.pem\nO DHParameters=1024\n"
		 "O ServerSSLOptions=+SSL_OP_NO_TLSv1\n");
	cf = sendmail_cf_parse(text, strlen(text));
	assert_non_null(cf);
	assert_string_equal(cf->server_cert, "/etc/mail/tls/c.pem");
	assert_string_equal(cf->server_key, "/etc/mail/tls/k.pem");
	assert_string_equal(cf->dh_parameters, "1024");
	assert_string_equal(cf->server_ssl_options, "+SSL_OP_NO_TLSv1");
	assert_string_equal(cf->macro_j, "mail.example.org");
	free(cf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tls_options),
		cmocka_unit_test(test_daemons),
		cmocka_unit_test(test_implicit_and_lines),
		cmocka_unit_test(test_option_lookup),
		cmocka_unit_test(test_relay),
		cmocka_unit_test(test_access),
		cmocka_unit_test(test_listen),
		cmocka_unit_test(test_daemon_relay),
		cmocka_unit_test(test_mc),
		cmocka_unit_test(test_hardening),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

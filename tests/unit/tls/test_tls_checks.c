/*
 * test_tls_checks.c - the tls_* checks and mta_runtime_matches_config's
 * TLS part, decided over hand-built facts (static struct mta_tls and live
 * struct mta_tls_live; f->now fixed): each check's pass, fail, error and
 * not-applicable paths, loopback-only and TLS-less MTAs, and the
 * static-vs-live disagreement.  Also the tls collector's target selection.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "collectors/core/mta.h"
#include "collectors/tls/tls.h"
#include "collectors/tls/tls_checks.h"

#define NOW 2000000000LL
#define DAY 86400

struct world {
	struct facts f;
	struct collector_env env;
	struct mta_endpoint ep[2];
	struct mta_tls tls[1];
	struct mta_tls_live live[1];
	struct listener l[2];
	struct arena ar;
	struct check_result r;
};

static void
cert(struct tlsfile *f, const char *alg, unsigned bits, int64_t not_after, int names, int id)
{
	memset(f, 0, sizeof(*f));
	f->state = TLSFILE_OK;
	f->have_cert = true;
	snprintf(f->cert.key_alg, sizeof(f->cert.key_alg), "%s", alg);
	f->cert.key_bits = bits;
	f->cert.not_before = NOW - 30 * DAY;
	f->cert.not_after = not_after;
	f->cert.names_host = names;
	memset(f->cert.key_sha256, id, sizeof(f->cert.key_sha256));
	memset(f->cert.der_sha256, id, sizeof(f->cert.der_sha256));
}

static void
key(struct tlsfile *f, int id)
{
	memset(f, 0, sizeof(*f));
	f->state = TLSFILE_OK;
	f->have_key = true;
	memset(f->key.key_sha256, id, sizeof(f->key.key_sha256));
}

/* Postfix on 0.0.0.0:25, service smtp offering TLS with a good RSA 2048 certificate. */
static void
world_init(struct world *w)
{
	struct mta_facts *m = &w->f.mta[MTA_POSTFIX];

	memset(w, 0, sizeof(*w));
	arena_init(&w->ar, 1 << 20);
	for (size_t i = 0; i < collector_count; i++)
		w->env.enabled[i] = true;
	w->f.now = NOW;
	for (int k = 0; k < MTA_COUNT; k++)
		w->f.mta[k].collected = true;
	m->detected = true;
	w->ep[0] = (struct mta_endpoint){ .instance = "", .service = "smtp", .address = "0.0.0.0",
					  .numeric = true, .wildcard = true, .port = 25 };
	inaddr_parse("0.0.0.0", &w->ep[0].addr);
	m->endpoints = w->ep;
	m->n_endpoints = 1;
	m->bound_all = true;
	w->tls[0] = (struct mta_tls){ .service = "smtp", .offered = true, .hostname = "mx.example.org",
				      .dh_bits = 2048, .dh_source = "auto", .versions_known = true,
				      .versions = TLSINFO_BIT(TLSINFO_TLS1_2) | TLSINFO_BIT(TLSINFO_TLS1_3),
				      .versions_setting = "smtpd_tls_protocols = >=TLSv1.2" };
	w->tls[0].n_certs = 1;
	w->tls[0].certs[0].cert_path = "/etc/ssl/certs/mx.pem";
	w->tls[0].certs[0].key_path = "/etc/ssl/private/mx.key";
	cert(&w->tls[0].certs[0].cert, "rsa", 2048, NOW + 90 * DAY, 1, 7);
	key(&w->tls[0].certs[0].key, 7);
	m->tls = w->tls;
	m->n_tls = 1;
}

/* A live result for smtp that presents certificate id, DHE group dh bits. */
static void
live(struct world *w, int id, unsigned dh, int tls10)
{
	struct mta_tls_live *l = &w->live[0];

	memset(l, 0, sizeof(*l));
	l->mta = MTA_POSTFIX;
	l->service = "smtp";
	l->main.outcome = TLSCLIENT_OK;
	l->main.version = TLSINFO_TLS1_3;
	l->main.have_peer = true;
	l->main.peer = w->tls[0].certs[0].cert.cert;
	memset(l->main.peer.der_sha256, id, sizeof(l->main.peer.der_sha256));
	l->dhe.outcome = dh ? TLSCLIENT_OK : TLSCLIENT_REFUSED;
	l->dhe.kx_dh = dh != 0;
	l->dhe.kx_bits = dh;
	for (int v = 0; v < TLSINFO_V_COUNT; v++)
		l->accepted[v] = -1;
	l->accepted[TLSINFO_TLS1_0] = tls10;
	l->accepted[TLSINFO_TLS1_1] = 0;
	w->f.tls_live = w->live;
	w->f.n_tls_live = 1;
}

static const struct check_row *
row_of(const char *id)
{
	for (size_t i = 0; i < tls_check_count; i++)
		if (strcmp(tls_check_rows[i].info.id, id) == 0)
			return &tls_check_rows[i];
	fail_msg("no row %s", id);
	return NULL;
}

/* Decide one row as the framework does (check.h status rules). */
static enum check_status
run(struct world *w, const char *id)
{
	struct check_ctx c = { .f = &w->f, .env = &w->env, .ar = &w->ar, .r = &w->r,
			       .applicable = true };

	memset(&w->r, 0, sizeof(w->r));
	row_of(id)->decide(&c);
	for (size_t i = 0; i < c.n_problems && !c.n_findings; i++)
		check_reason(&w->r, c.problems[i]);
	if (c.n_findings)
		return CHECK_FAIL;
	if (c.n_problems)
		return CHECK_ERROR;
	return c.applicable ? CHECK_PASS : CHECK_NOT_APPLICABLE;
}

static bool
has(const struct world *w, const char *code)
{
	for (size_t i = 0; i < w->r.n_reasons; i++)
		if (strcmp(w->r.reasons[i], code) == 0)
			return true;
	return false;
}

/* One mutation of the good world per row; what each check then says. */
static void
test_checks(void **state)
{
	static const struct {
		const char *what;
		int mutation;
		const char *check;
		enum check_status want;
		const char *code;
	} cases[] = {
		{ "good", 0, "tls_certificate_valid", CHECK_PASS, NULL },
		{ "good", 0, "tls_certificate_key_strong", CHECK_PASS, NULL },
		{ "good", 0, "tls_dh_strong", CHECK_PASS, NULL },
		{ "good", 0, "tls_legacy_protocols_disabled", CHECK_PASS, NULL },
		{ "good", 0, "tls_certificate_matches_key", CHECK_PASS, NULL },
		{ "good", 0, "tls_certificate_names_host", CHECK_PASS, NULL },
		{ "expired", 1, "tls_certificate_valid", CHECK_FAIL, "postfix_certificate_expired" },
		{ "3 days left", 2, "tls_certificate_valid", CHECK_FAIL, "postfix_certificate_expires_soon" },
		{ "15 days left", 3, "tls_certificate_valid", CHECK_PASS, NULL },
		{ "file gone", 4, "tls_certificate_valid", CHECK_FAIL, "postfix_certificate_missing" },
		{ "unreadable", 5, "tls_certificate_valid", CHECK_ERROR, "postfix_certificate_unreadable" },
		{ "RSA 1024", 6, "tls_certificate_key_strong", CHECK_FAIL, "postfix_rsa_key_below_2048" },
		{ "EC 256", 7, "tls_certificate_key_strong", CHECK_PASS, NULL },
		{ "EC 224", 8, "tls_certificate_key_strong", CHECK_FAIL, "postfix_ec_key_below_256" },
		{ "DH file 1024", 9, "tls_dh_strong", CHECK_FAIL, "postfix_dh_below_2048" },
		{ "live DHE 1024", 10, "tls_dh_strong", CHECK_FAIL, "postfix_dh_below_2048" },
		{ "live no DHE", 11, "tls_dh_strong", CHECK_PASS, NULL },
		{ ">=TLSv1", 12, "tls_legacy_protocols_disabled", CHECK_FAIL, "postfix_config_allows_tls1_0" },
		{ "live TLS 1.0", 13, "tls_legacy_protocols_disabled", CHECK_FAIL, "postfix_accepts_tls1_0" },
		{ "mismatched key", 14, "tls_certificate_matches_key", CHECK_FAIL, "postfix_key_mismatch" },
		{ "key unreadable", 15, "tls_certificate_matches_key", CHECK_ERROR, "postfix_key_unreadable" },
		{ "key unreadable, served", 16, "tls_certificate_matches_key", CHECK_PASS, NULL },
		{ "wrong name", 17, "tls_certificate_names_host", CHECK_FAIL, "postfix_certificate_name_mismatch" },
		{ "loopback only", 18, "tls_certificate_valid", CHECK_NOT_APPLICABLE, NULL },
		{ "no TLS", 19, "tls_certificate_key_strong", CHECK_NOT_APPLICABLE, NULL },
		{ "live expired", 20, "tls_certificate_valid", CHECK_FAIL, "postfix_certificate_expired" },
		{ "collector failed", 21, "tls_dh_strong", CHECK_ERROR, "collector_failed_postfix" },
		{ "live only (no static)", 22, "tls_certificate_key_strong", CHECK_FAIL,
		  "postfix_rsa_key_below_2048" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct world w;
		struct mta_tls *t;
		enum check_status st;

		world_init(&w);
		t = &w.tls[0];
		switch (cases[i].mutation) {
		case 1: t->certs[0].cert.cert.not_after = NOW - DAY; break;
		case 2: t->certs[0].cert.cert.not_after = NOW + 3 * DAY; break;
		case 3: t->certs[0].cert.cert.not_after = NOW + 15 * DAY; break;
		case 4: t->certs[0].cert.state = TLSFILE_ABSENT; break;
		case 5: t->certs[0].cert.state = TLSFILE_UNREADABLE; break;
		case 6: t->certs[0].cert.cert.key_bits = 1024; break;
		case 7: cert(&t->certs[0].cert, "ec", 256, NOW + 90 * DAY, 1, 7); break;
		case 8: cert(&t->certs[0].cert, "ec", 224, NOW + 90 * DAY, 1, 7); break;
		case 9: t->dh_bits = 1024; t->dh_source = "file"; t->dh_path = "/etc/dh.pem"; break;
		case 10: live(&w, 7, 1024, 0); break;
		case 11: live(&w, 7, 0, 0); break;
		case 12: t->versions |= TLSINFO_BIT(TLSINFO_TLS1_0) | TLSINFO_BIT(TLSINFO_TLS1_1); break;
		case 13: live(&w, 7, 2048, 1); break;
		case 14: key(&t->certs[0].key, 8); break;
		case 15: t->certs[0].key.state = TLSFILE_UNREADABLE; break;
		case 16: t->certs[0].key.state = TLSFILE_UNREADABLE; live(&w, 7, 2048, 0); break;
		case 17: t->certs[0].cert.cert.names_host = 0; break;
		case 18: w.ep[0].loopback = true; w.ep[0].wildcard = false;
			 w.f.mta[MTA_POSTFIX].local_only = true; break;
		case 19: t->offered = false; break;
		case 20: live(&w, 7, 2048, 0); w.live[0].main.peer.not_after = NOW - 1; break;
		case 21: w.f.mta[MTA_POSTFIX].collected = false; break;
		case 22: w.f.mta[MTA_POSTFIX].n_tls = 0; live(&w, 7, 0, 0);
			 w.live[0].main.peer.key_bits = 1024; break;
		default: break;
		}
		st = run(&w, cases[i].check);
		if (st != cases[i].want || (cases[i].code && !has(&w, cases[i].code)))
			fail_msg("case %zu (%s) %s: status %s, %zu reasons, first %s", i, cases[i].what,
				 cases[i].check, check_status_name(st), w.r.n_reasons,
				 w.r.n_reasons ? w.r.reasons[0] : "-");
		arena_free(&w.ar);
	}
}

static void
test_runtime_mismatch(void **state)
{
	static const struct {
		int served;		/* certificate id the server presents */
		unsigned dh_live, dh_file;
		const char *code;	/* NULL: no finding */
	} cases[] = {
		{ 7, 2048, 0, NULL },
		{ 9, 2048, 0, "postfix_tls_certificate_not_loaded" },
		{ 7, 1024, 2048, "postfix_tls_dh_not_loaded" },
		{ 7, 2048, 2048, NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct world w;
		struct check_ctx c;

		world_init(&w);
		live(&w, cases[i].served, cases[i].dh_live, 0);
		if (cases[i].dh_file) {
			w.tls[0].dh_source = "file";
			w.tls[0].dh_path = "/etc/postfix/dh.pem";
			w.tls[0].dh_bits = cases[i].dh_file;
		}
		memset(&w.r, 0, sizeof(w.r));
		c = (struct check_ctx){ .f = &w.f, .env = &w.env, .ar = &w.ar, .r = &w.r,
					.applicable = true };
		tls_runtime_mismatch(&c, MTA_POSTFIX);
		if (cases[i].code == NULL ? c.n_findings != 0 : !has(&w, cases[i].code))
			fail_msg("case %zu: %zu findings", i, c.n_findings);
		arena_free(&w.ar);
	}
}

static void
test_targets(void **state)
{
	struct world w;
	struct tls_target t[4];
	size_t n;

	world_init(&w);
	w.f.listeners = w.l;
	/* the MTA's wildcard socket, and one of another program on 25 */
	inaddr_parse("0.0.0.0", &w.l[0].addr);
	w.l[0].port = 25;
	snprintf(w.l[0].process, sizeof(w.l[0].process), "master");
	inaddr_parse("::", &w.l[1].addr);
	w.l[1].port = 25;
	snprintf(w.l[1].process, sizeof(w.l[1].process), "haproxy");
	w.f.n_listeners = 2;
	n = tls_targets(&w.f, t, 4);
	assert_int_equal(n, 1);
	assert_int_equal(t[0].mta, MTA_POSTFIX);
	assert_string_equal(t[0].service, "smtp");
	assert_string_equal(t[0].address, "127.0.0.1");
	assert_int_equal(t[0].t.mode, TLSCLIENT_STARTTLS_SMTP);
	assert_string_equal(t[0].t.ehlo, "mx.example.org");
	/* 465 is implicit TLS; a second socket of the same service is one target */
	w.ep[1] = w.ep[0];
	w.ep[1].service = "smtps";
	w.ep[1].port = 465;
	w.f.mta[MTA_POSTFIX].n_endpoints = 2;
	w.l[1].port = 465;
	snprintf(w.l[1].process, sizeof(w.l[1].process), "%s", "");
	n = tls_targets(&w.f, t, 4);
	assert_int_equal(n, 2);
	assert_string_equal(t[1].service, "smtps");
	assert_string_equal(t[1].address, "::1");
	assert_int_equal(t[1].t.mode, TLSCLIENT_IMPLICIT);
	/* an MTA that is not detected has no targets */
	w.f.mta[MTA_POSTFIX].detected = false;
	assert_int_equal(tls_targets(&w.f, t, 4), 0);
	arena_free(&w.ar);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_runtime_mismatch),
		cmocka_unit_test(test_targets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * tls_checks.c - the tls_* checks and mta_runtime_matches_config's TLS
 * part (see tls_checks.h, docs/checks.md).  Pure: they read the facts
 * (c->f: each MTA's struct mta_tls and the tls collector's live results)
 * and the scrape's time (f->now).  Diagnostics: none.
 */
#include "collectors/tls/tls_checks.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "collectors/core/mta.h"

#define DAY 86400

/* A decision over one exposed TLS service (t may be NULL: live only; l may be NULL). */
typedef void (*tls_decide_fn)(struct check_ctx *c, enum mta_kind k, const struct mta_tls *t,
			      const struct mta_tls_live *l);

static const char *
code(struct check_ctx *c, enum mta_kind k, const char *what)
{
	return arena_printf(c->ar, "%s_%s", mta_name(k), what);
}

/* Does service listen on a non-loopback endpoint (unknown: as the MTA does)? */
static bool
exposed(const struct mta_facts *m, const char *service)
{
	bool named = false;

	for (size_t i = 0; i < m->n_endpoints; i++) {
		if (strcmp(m->endpoints[i].service, service) != 0)
			continue;
		named = true;
		if (!m->endpoints[i].loopback)
			return true;
	}
	return !named && !m->local_only;
}

static const struct mta_tls_live *
live_of(const struct facts *f, enum mta_kind k, const char *service)
{
	for (size_t i = 0; i < f->n_tls_live; i++)
		if (f->tls_live[i].mta == k && strcmp(f->tls_live[i].service, service) == 0)
			return &f->tls_live[i];
	return NULL;
}

static const struct mta_tls *
static_of(const struct mta_facts *m, const char *service)
{
	for (size_t i = 0; i < m->n_tls; i++)
		if (strcmp(m->tls[i].service, service) == 0)
			return &m->tls[i];
	return NULL;
}

static bool
live_up(const struct mta_tls_live *l)
{
	return l != NULL && l->main.outcome == TLSCLIENT_OK;
}

/*
 * Run fn over every service that offers TLS beyond loopback: configured
 * (t) or seen live (l).  Not applicable when there is none.
 */
static void
each_service(struct check_ctx *c, tls_decide_fn fn)
{
	c->applicable = false;
	for (int k = 0; k < MTA_COUNT; k++) {
		const struct mta_facts *m = &c->f->mta[k];

		if (!check_mta_audited(c, (enum mta_kind)k) || !m->detected || m->local_only)
			continue;
		for (size_t i = 0; i < m->n_tls; i++) {
			const struct mta_tls *t = &m->tls[i];
			const struct mta_tls_live *l = live_of(c->f, (enum mta_kind)k, t->service);

			if (!(t->offered || live_up(l)) || !exposed(m, t->service))
				continue;
			c->applicable = true;
			fn(c, (enum mta_kind)k, t, l);
		}
		for (size_t i = 0; i < c->f->n_tls_live; i++) {
			const struct mta_tls_live *l = &c->f->tls_live[i];

			if (l->mta != (enum mta_kind)k || !live_up(l) || static_of(m, l->service)
			    || !exposed(m, l->service))
				continue;
			c->applicable = true;
			fn(c, (enum mta_kind)k, NULL, l);
		}
	}
	if (!c->applicable)
		check_note(c, "no MTA service offers TLS beyond loopback");
}

static const char *
date_of(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, len, "%Y-%m-%d", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)t);
	return buf;
}

/* ---- tls_certificate_valid ---- */

static void
validity(struct check_ctx *c, enum mta_kind k, const char *service, const char *where,
	 const struct tlsinfo_cert *cert)
{
	char d[32];

	if (cert->not_after < c->f->now) {
		check_finding(c, code(c, k, "certificate_expired"));
		check_note(c, "%s service %s: %s expired on %s", mta_name(k), service, where,
			   date_of(cert->not_after, d, sizeof(d)));
	} else if (cert->not_after - c->f->now < TLS_EXPIRY_WARN_DAYS * DAY) {
		check_finding(c, code(c, k, "certificate_expires_soon"));
		check_note(c, "%s service %s: %s expires on %s", mta_name(k), service, where,
			   date_of(cert->not_after, d, sizeof(d)));
	}
	if (cert->not_before > c->f->now) {
		check_finding(c, code(c, k, "certificate_not_yet_valid"));
		check_note(c, "%s service %s: %s is valid only from %s", mta_name(k), service, where,
			   date_of(cert->not_before, d, sizeof(d)));
	}
}

static void
valid(struct check_ctx *c, enum mta_kind k, const struct mta_tls *t, const struct mta_tls_live *l)
{
	for (size_t i = 0; t && i < t->n_certs; i++) {
		const struct mta_tls_cert *mc = &t->certs[i];
		const char *where = arena_printf(c->ar, "certificate %s", mc->cert_path);

		if (mc->cert.state == TLSFILE_ABSENT) {
			check_finding(c, code(c, k, "certificate_missing"));
			check_note(c, "%s service %s: %s does not exist", mta_name(k), t->service, where);
		} else if (mc->cert.state == TLSFILE_UNREADABLE) {
			check_problem(c, code(c, k, "certificate_unreadable"));
			check_note(c, "%s service %s: %s cannot be read: %s", mta_name(k), t->service,
				   where, mc->cert.error);
		} else if (!mc->cert.have_cert) {
			check_finding(c, code(c, k, "certificate_invalid"));
			check_note(c, "%s service %s: %s holds no certificate: %s", mta_name(k),
				   t->service, where, mc->cert.error);
		} else {
			validity(c, k, t->service, where, &mc->cert.cert);
		}
	}
	if (t && t->certs_note)
		check_note(c, "%s service %s: %s", mta_name(k), t->service, t->certs_note);
	if (live_up(l) && l->main.have_peer)
		validity(c, k, l->service, "the certificate it presents", &l->main.peer);
}

/* ---- tls_certificate_key_strong ---- */

static void
key_size(struct check_ctx *c, enum mta_kind k, const char *service, const char *where,
	 const char *alg, unsigned bits)
{
	if ((strcmp(alg, "rsa") == 0 || strcmp(alg, "dsa") == 0) && bits < 2048) {
		check_finding(c, code(c, k, "rsa_key_below_2048"));
		check_note(c, "%s service %s: %s has a %u-bit %s key", mta_name(k), service, where,
			   bits, alg);
	} else if (strcmp(alg, "ec") == 0 && bits < 256) {
		check_finding(c, code(c, k, "ec_key_below_256"));
		check_note(c, "%s service %s: %s has a %u-bit EC key", mta_name(k), service, where,
			   bits);
	}
}

static void
key_strong(struct check_ctx *c, enum mta_kind k, const struct mta_tls *t,
	   const struct mta_tls_live *l)
{
	for (size_t i = 0; t && i < t->n_certs; i++) {
		const struct tlsfile *f = &t->certs[i].cert;

		if (f->state == TLSFILE_OK && f->have_cert)
			key_size(c, k, t->service,
				 arena_printf(c->ar, "certificate %s", t->certs[i].cert_path),
				 f->cert.key_alg, f->cert.key_bits);
	}
	if (live_up(l) && l->main.have_peer)
		key_size(c, k, l->service, "the certificate it presents", l->main.peer.key_alg,
			 l->main.peer.key_bits);
}

/* ---- tls_dh_strong ---- */

static void
dh_strong(struct check_ctx *c, enum mta_kind k, const struct mta_tls *t,
	  const struct mta_tls_live *l)
{
	if (t && t->dh_bits && t->dh_bits < 2048) {
		check_finding(c, code(c, k, "dh_below_2048"));
		check_note(c, "%s service %s: the configured DH group (%s%s%s) has %u bits",
			   mta_name(k), t->service, t->dh_source, t->dh_path ? " " : "",
			   t->dh_path ? t->dh_path : "", t->dh_bits);
	}
	if (live_up(l) && l->dhe.outcome == TLSCLIENT_OK && l->dhe.kx_dh && l->dhe.kx_bits < 2048) {
		check_finding(c, code(c, k, "dh_below_2048"));
		check_note(c, "%s service %s: the server's DHE group has %u bits", mta_name(k),
			   l->service, l->dhe.kx_bits);
	}
}

/* ---- tls_legacy_protocols_disabled ---- */

static const char *
version_code(enum tlsinfo_version v)
{
	return v == TLSINFO_SSL3 ? "sslv3" : v == TLSINFO_TLS1_0 ? "tls1_0" : "tls1_1";
}

static void
legacy(struct check_ctx *c, enum mta_kind k, const struct mta_tls *t, const struct mta_tls_live *l)
{
	for (int v = TLSINFO_SSL3; v <= TLSINFO_TLS1_1; v++) {
		if (t && t->versions_known && (t->versions & TLSINFO_BIT(v))) {
			check_finding(c, code(c, k, arena_printf(c->ar, "config_allows_%s",
								  version_code((enum tlsinfo_version)v))));
			check_note(c, "%s service %s: %s allows %s", mta_name(k), t->service,
				   t->versions_setting ? t->versions_setting : "the configuration",
				   tlsinfo_version_name((enum tlsinfo_version)v));
		}
		if (live_up(l) && l->accepted[v] == 1) {
			check_finding(c, code(c, k, arena_printf(c->ar, "accepts_%s",
								  version_code((enum tlsinfo_version)v))));
			check_note(c, "%s service %s accepts a %s handshake", mta_name(k), l->service,
				   tlsinfo_version_name((enum tlsinfo_version)v));
		}
	}
	if (t && !t->versions_known && !live_up(l))
		check_note(c, "%s service %s: the protocol versions are not known offline",
			   mta_name(k), t->service);
}

/* ---- tls_certificate_matches_key ---- */

static bool
presented(const struct mta_tls_live *l, const struct tlsinfo_cert *cert)
{
	return live_up(l) && l->main.have_peer
	       && memcmp(l->main.peer.der_sha256, cert->der_sha256, TLSINFO_HASH_LEN) == 0;
}

static void
matches_key(struct check_ctx *c, enum mta_kind k, const struct mta_tls *t,
	    const struct mta_tls_live *l)
{
	for (size_t i = 0; t && i < t->n_certs; i++) {
		const struct mta_tls_cert *mc = &t->certs[i];

		if (mc->cert.state != TLSFILE_OK || !mc->cert.have_cert)
			continue;	/* tls_certificate_valid says why */
		if (mc->key.state == TLSFILE_ABSENT) {
			check_finding(c, code(c, k, "key_missing"));
			check_note(c, "%s service %s: key %s does not exist", mta_name(k), t->service,
				   mc->key_path);
		} else if (mc->key.state == TLSFILE_UNREADABLE) {
			if (presented(l, &mc->cert.cert)) {
				check_note(c, "%s service %s: key %s is not readable here; the server "
					      "proves it holds the key of %s", mta_name(k), t->service,
					   mc->key_path, mc->cert_path);
				continue;
			}
			check_problem(c, code(c, k, "key_unreadable"));
			check_note(c, "%s service %s: key %s cannot be read: %s", mta_name(k), t->service,
				   mc->key_path, mc->key.error);
		} else if (!mc->key.have_key) {
			check_finding(c, code(c, k, "key_invalid"));
			check_note(c, "%s service %s: %s holds no private key", mta_name(k), t->service,
				   mc->key_path);
		} else if (!tlsinfo_key_matches(&mc->cert.cert, &mc->key.key)) {
			check_finding(c, code(c, k, "key_mismatch"));
			check_note(c, "%s service %s: key %s does not belong to certificate %s",
				   mta_name(k), t->service, mc->key_path, mc->cert_path);
		}
	}
}

/* ---- tls_certificate_names_host ---- */

static void
names_host(struct check_ctx *c, enum mta_kind k, const struct mta_tls *t,
	   const struct mta_tls_live *l)
{
	for (size_t i = 0; t && i < t->n_certs; i++) {
		const struct tlsfile *f = &t->certs[i].cert;

		if (f->state != TLSFILE_OK || !f->have_cert)
			continue;
		if (f->cert.names_host == 0) {
			check_finding(c, code(c, k, "certificate_name_mismatch"));
			check_note(c, "%s service %s: certificate %s (CN %s) does not name %s",
				   mta_name(k), t->service, t->certs[i].cert_path,
				   f->cert.subject_cn[0] ? f->cert.subject_cn : "none", t->hostname);
		} else if (f->cert.names_host < 0) {
			check_note(c, "%s service %s: the host name is not known", mta_name(k),
				   t->service);
		}
	}
}

static void
certificate_valid(struct check_ctx *c)
{
	each_service(c, valid);
}

static void
certificate_key_strong(struct check_ctx *c)
{
	each_service(c, key_strong);
}

static void
tls_dh_strong(struct check_ctx *c)
{
	each_service(c, dh_strong);
}

static void
legacy_protocols_disabled(struct check_ctx *c)
{
	each_service(c, legacy);
}

static void
certificate_matches_key(struct check_ctx *c)
{
	each_service(c, matches_key);
}

static void
certificate_names_host(struct check_ctx *c)
{
	each_service(c, names_host);
}

/* ---- mta_runtime_matches_config's TLS part ---- */

void
tls_runtime_mismatch(struct check_ctx *c, enum mta_kind k)
{
	const struct mta_facts *m = &c->f->mta[k];

	for (size_t i = 0; i < c->f->n_tls_live; i++) {
		const struct mta_tls_live *l = &c->f->tls_live[i];
		const struct mta_tls *t;
		bool any = false, loaded = false;

		if (l->mta != k || !live_up(l) || (t = static_of(m, l->service)) == NULL)
			continue;
		for (size_t j = 0; j < t->n_certs; j++) {
			const struct tlsfile *f = &t->certs[j].cert;

			if (f->state != TLSFILE_OK || !f->have_cert)
				continue;
			any = true;
			if (presented(l, &f->cert))
				loaded = true;
		}
		if (any && l->main.have_peer && !loaded) {
			check_finding(c, code(c, k, "tls_certificate_not_loaded"));
			check_note(c, "%s service %s presents a certificate (CN %s, expires %lld) that "
				      "is not the configured one: reload the MTA", mta_name(k),
				   l->service, l->main.peer.subject_cn, (long long)l->main.peer.not_after);
		}
		if (t->dh_source && strcmp(t->dh_source, "file") == 0 && t->dh_bits
		    && l->dhe.outcome == TLSCLIENT_OK && l->dhe.kx_dh && l->dhe.kx_bits != t->dh_bits) {
			check_finding(c, code(c, k, "tls_dh_not_loaded"));
			check_note(c, "%s service %s uses a %u-bit DH group, its file %s has %u bits",
				   mta_name(k), l->service, l->dhe.kx_bits, t->dh_path, t->dh_bits);
		}
	}
}

/* ---- the rows ---- */

const struct check_row tls_check_rows[] = {
	{ .info = { "tls_certificate_valid", "TLS certificates are valid and not about to expire",
		    "Postfix hardening guide (Testing keys); mta_exporter", "critical",
		    "Renew the certificate (e.g. certbot renew), point the MTA at it (Postfix: "
		    "smtpd_tls_chain_files or smtpd_tls_cert_file/key_file; Exim: tls_certificate/"
		    "tls_privatekey; Sendmail: confSERVER_CERT/confSERVER_KEY) and reload the MTA." },
	  .decide = certificate_valid },
	{ .info = { "tls_certificate_key_strong", "TLS certificate keys are strong (RSA >= 2048, EC >= 256)",
		    "Postfix hardening guide (Testing keys: server public key)", "warning",
		    "Issue a new certificate for a 2048-bit (or larger) RSA key or a P-256 EC key, "
		    "install it and reload the MTA." },
	  .decide = certificate_key_strong },
	{ .info = { "tls_dh_strong", "Finite-field DH groups have at least 2048 bits",
		    "Postfix hardening guide (Testing keys: Server Temp Key); Logjam", "warning",
		    "Postfix: remove smtpd_tls_dh1024_param_file (3.7 picks a group to match the key) "
		    "or point it at openssl dhparam 2048 output; Exim: tls_dhparam = ffdhe2048 (or "
		    "unset); Sendmail: DHParameters unset or a 2048-bit file; reload the MTA." },
	  .decide = tls_dh_strong },
	{ .info = { "tls_legacy_protocols_disabled", "SSLv3, TLS 1.0 and TLS 1.1 are disabled",
		    "RFC 8996; Postfix hardening guide", "warning",
		    "Postfix: smtpd_tls_protocols = >=TLSv1.2 and smtpd_tls_mandatory_protocols = "
		    ">=TLSv1.2; Exim (GnuTLS): tls_require_ciphers = NORMAL:-VERS-ALL:+VERS-TLS1.2:"
		    "+VERS-TLS1.3; Sendmail: O CipherList and O ServerSSLOptions=+SSL_OP_NO_TLSv1 "
		    "+SSL_OP_NO_TLSv1_1; reload the MTA." },
	  .decide = legacy_protocols_disabled },
	{ .info = { "tls_certificate_matches_key", "Each TLS certificate's key is the configured key",
		    "mta_exporter", "critical",
		    "Point the key setting at the key the certificate was issued for (openssl x509 "
		    "-noout -pubkey -in CERT and openssl pkey -pubout -in KEY must print the same key)." },
	  .decide = certificate_matches_key },
	{ .info = { "tls_certificate_names_host", "TLS certificates name the MTA's host name",
		    "mta_exporter", "info",
		    "Issue the certificate with the host name (Postfix myhostname, Exim "
		    "primary_hostname, Sendmail $j) in its subjectAltName." },
	  .decide = certificate_names_host },
};

const size_t tls_check_count = sizeof(tls_check_rows) / sizeof(tls_check_rows[0]);

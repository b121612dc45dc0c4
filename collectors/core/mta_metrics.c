/*
 * mta_metrics.c - shared MTA metrics from struct facts (see mta_metrics.h).
 * Pure: facts in, samples out.  Diagnostics: none; a failed sample fails
 * the whole struct metrics, which the scrape then refuses to serve.
 */
#include "collectors/core/mta_metrics.h"

#include <stdio.h>
#include <string.h>

#include "collectors/core/mta.h"

static bool
relay_seen(const struct mta_relay *r, size_t n, const char *service)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(r[i].service, service) == 0)
			return true;
	return false;
}

void
mta_metrics_tls_families(struct metrics *m, struct mta_tls_families *out)
{
	out->not_after = metrics_family(m, "mta_tls_certificate_not_after_timestamp_seconds",
					"When the service's certificate expires (source: config = the "
					"configured file, the first to expire; live = what the server "
					"presents).", METRIC_GAUGE);
	out->key_bits = metrics_family(m, "mta_tls_certificate_key_bits",
				       "Size of the service certificate's public key, by algorithm "
				       "(RSA modulus, EC curve).", METRIC_GAUGE);
	out->dh_bits = metrics_family(m, "mta_tls_dh_bits",
				      "Bits of the service's finite-field DH group (config: its file or "
				      "default; live: a TLS 1.2 DHE handshake).", METRIC_GAUGE);
}

/* The static TLS series of one MTA. */
static void
tls_config_emit(const struct mta_tls_families *tf, const char *mta, const struct mta_facts *mf)
{
	for (size_t i = 0; i < mf->n_tls; i++) {
		const struct mta_tls *t = &mf->tls[i];
		const struct tlsinfo_cert *first = NULL;

		if (!t->offered)
			continue;
		for (size_t j = 0; j < t->n_certs; j++) {
			const struct tlsfile *c = &t->certs[j].cert;
			bool dup = false;

			if (c->state != TLSFILE_OK || !c->have_cert)
				continue;
			if (first == NULL || c->cert.not_after < first->not_after)
				first = &c->cert;
			for (size_t k = 0; k < j; k++)
				if (t->certs[k].cert.have_cert
				    && strcmp(t->certs[k].cert.cert.key_alg, c->cert.key_alg) == 0)
					dup = true;
			if (!dup)
				metrics_add(tf->key_bits, c->cert.key_bits, "mta", mta, "service",
					    t->service, "source", "config", "algorithm", c->cert.key_alg,
					    NULL);
		}
		if (first != NULL)
			metrics_add(tf->not_after, (double)first->not_after, "mta", mta, "service",
				    t->service, "source", "config", NULL);
		if (t->dh_bits)
			metrics_add(tf->dh_bits, t->dh_bits, "mta", mta, "service", t->service,
				    "source", "config", NULL);
	}
}

void
mta_metrics_emit(struct metrics *m, const struct facts *f)
{
	struct mta_tls_families tf;
	struct metric_family *det, *all, *local, *svc, *risk, *und;

	det = metrics_family(m, "mta_detected",
			     "1 if the MTA's configuration was found under --path.rootfs.",
			     METRIC_GAUGE);
	all = metrics_family(m, "mta_bound_all_interfaces",
			     "1 if the MTA's effective configuration listens on all interfaces (a wildcard address).",
			     METRIC_GAUGE);
	local = metrics_family(m, "mta_local_only",
			       "1 if every configured listening address of the MTA is loopback.",
			       METRIC_GAUGE);
	svc = metrics_family(m, "mta_service_info",
			     "A configured listening endpoint of an MTA service.", METRIC_GAUGE);
	risk = metrics_family(m, "mta_open_relay_risk",
			      "1 if the service relays for an unauthenticated client outside the trusted networks; omitted when undetermined.",
			      METRIC_GAUGE);
	und = metrics_family(m, "mta_open_relay_undetermined",
			     "1 if whether the service is an open relay cannot be decided offline (see the checks' findings).",
			     METRIC_GAUGE);
	mta_metrics_tls_families(m, &tf);

	for (int k = 0; k < MTA_COUNT; k++) {
		const struct mta_facts *mf = &f->mta[k];
		const char *mta = mta_name((enum mta_kind)k);

		metrics_add(det, mf->detected ? 1 : 0, "mta", mta, NULL);
		if (!mf->detected || !mf->collected)
			continue;
		metrics_add(all, mf->bound_all ? 1 : 0, "mta", mta, NULL);
		metrics_add(local, mf->local_only ? 1 : 0, "mta", mta, NULL);
		for (size_t i = 0; i < mf->n_endpoints; i++) {
			const struct mta_endpoint *e = &mf->endpoints[i];
			char port[8];

			snprintf(port, sizeof(port), "%u", (unsigned)e->port);
			metrics_add(svc, 1, "mta", mta, "service", e->service, "address",
				    e->address, "port", port, NULL);
		}
		for (size_t i = 0; i < mf->n_relays; i++) {
			const struct mta_relay *r = &mf->relays[i];

			if (relay_seen(mf->relays, i, r->service))
				continue;
			if (r->verdict != RELAY_UNDETERMINED)
				metrics_add(risk, r->verdict == RELAY_OPEN ? 1 : 0, "mta", mta,
					    "service", r->service, NULL);
			metrics_add(und, r->verdict == RELAY_UNDETERMINED ? 1 : 0, "mta", mta,
				    "service", r->service, NULL);
		}
		tls_config_emit(&tf, mta, mf);
	}
}

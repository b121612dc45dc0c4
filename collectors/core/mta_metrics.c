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
mta_metrics_emit(struct metrics *m, const struct facts *f)
{
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
	}
}

/*
 * mta_relay.c - the relay rules every MTA shares (see mta_relay.h,
 * docs/relay-model.md "Rules every MTA shares").  Pure: facts in, facts
 * out.  Diagnostics: none.
 */
#include "collectors/core/mta_relay.h"

#include <string.h>

#define LOOPBACK_DETAIL "the service listens on loopback addresses only: no outside client can connect"

static bool
same_text(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

bool
mta_relay_loopback_only(const struct mta_facts *mf, const struct mta_relay *r)
{
	size_t n = 0;

	for (size_t i = 0; i < mf->n_endpoints; i++) {
		const struct mta_endpoint *e = &mf->endpoints[i];

		if (!same_text(e->instance, r->instance) || !same_text(e->service, r->service))
			continue;
		if (!e->loopback)
			return false;
		n++;
	}
	return n > 0;
}

void
mta_relay_settle(struct mta_facts *mf, struct arena *ar)
{
	for (size_t i = 0; i < mf->n_relays; i++) {
		struct mta_relay *r = &mf->relays[i];
		const char *detail;

		if (r->verdict == RELAY_CONFIG_ERROR || !mta_relay_loopback_only(mf, r))
			continue;
		detail = arena_printf(ar, LOOPBACK_DETAIL " (its configuration alone: %s, %s: %s)",
				      relay_verdict_name(r->verdict), r->reason ? r->reason : "",
				      r->detail ? r->detail : "");
		r->verdict = RELAY_CLOSED;
		r->reason = "loopback_only";
		r->detail = detail != NULL ? detail : LOOPBACK_DETAIL;
	}
}

/*
 * exim_checks.c - Exim's part of stig_gen004710 and the Exim descriptor
 * (see exim_checks.h).  Pure: it reads facts->mta[MTA_EXIM] (the relay
 * verdicts of the exim collector).  Diagnostics: none.
 */
#include "collectors/exim/exim_checks.h"

#include "collectors/exim/exim.h"

void
exim_stig_gen004710(struct check_ctx *c)
{
	for (size_t i = 0; i < c->m->n_relays; i++)
		if (c->m->relays[i].verdict == RELAY_OPEN && !c->m->local_only) {
			check_finding_about(c, MTA_EXIM, c->m->relays[i].service, "exim_open_relay");
			check_note(c, "exim service %s relays for anyone", c->m->relays[i].service);
		}
}

static const char *const exim_processes[] = { "exim4", "exim", NULL };

const struct mta_desc mta_exim = {
	.collector = &collector_exim,
	.listen_setting = "local_interfaces",
	.processes = exim_processes,
	.stig_gen004710 = exim_stig_gen004710,
	.checks = NULL,
	.n_checks = 0,
};

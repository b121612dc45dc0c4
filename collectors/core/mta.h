/*
 * mta.h - the MTA descriptor: everything the rest of the program needs to
 * know about one MTA, so that adding an MTA means adding one descriptor
 * (docs/development.md, "Adding an MTA").
 *
 * Each MTA module defines its struct mta_desc (next to its collector);
 * the program lists them in mta_table[] (exporter/registry.c), indexed by
 * enum mta_kind with designated initialisers and a _Static_assert on the
 * count.  The name of an MTA (the mta="..." label, the <mta> of reason
 * codes) is its collector's name.  What the cross-MTA checks derive from
 * a descriptor (collectors/checks/checks.c):
 *   collector_failed_<mta>                     its collector failed
 *   <mta>_<listen_setting>_all, _nonloopback   cis_2_1_21
 *   <mta>_open_relay, <mta>_relay_undetermined mta_no_open_relay
 *   <mta>_listener_not_configured,
 *   <mta>_endpoint_not_listening               mta_runtime_matches_config
 *
 * No diagnostics: a hole in mta_table[] is an assertion failure.
 */
#ifndef MTA_MTA_H
#define MTA_MTA_H

#include <stdbool.h>
#include <stddef.h>

#include "collectors/core/check.h"
#include "collectors/core/collector.h"

struct mta_desc {
	const struct collector *collector;	/* fills facts->mta[k]; its name is the MTA's */
	const char *listen_setting;		/* what says where it listens, for cis_2_1_21's codes */
	const char *const *processes;		/* command names (prefixes) of its listening
						 * daemons, NULL-terminated: mta_runtime_matches_config */
	/*
	 * Its part of stig_gen004710 ("mail relaying is restricted"), called
	 * when it is detected and collected, with c->m its facts: findings,
	 * problems and notes as in a check row.  NULL: no rule of its own.
	 */
	void (*stig_gen004710)(struct check_ctx *c);
	const struct check_row *checks;		/* its own checks, in catalogue order */
	size_t n_checks;
};

/* The program's MTAs, indexed by enum mta_kind (exporter/registry.c). */
extern const struct mta_desc *const mta_table[MTA_COUNT];

/* mta_name - the MTA's name ("postfix"): its collector's. */
const char *mta_name(enum mta_kind k);
/* mta_process_is - is comm one of MTA k's daemons?  An unknown owner ("") is not excluded. */
bool mta_process_is(const char *comm, enum mta_kind k);

/*
 * mta_unresolved_endpoint - when every endpoint of m beyond loopback is a
 * host name its collector could not resolve offline (not numeric), the
 * first such one: where the MTA listens is then not known (cis_2_1_21 and
 * stig_gen004710 say so instead of failing).  NULL when some numeric
 * endpoint is beyond loopback, or none is a name.
 */
const struct mta_endpoint *mta_unresolved_endpoint(const struct mta_facts *m);

#endif

/*
 * registry.c - which collectors and which MTAs this program has.
 *
 * collector_table: table order is execution order, data sources first,
 * "checks" last (it only reads what the others left in struct facts).
 * mta_table: one descriptor per enum mta_kind (collectors/core/mta.h),
 * defined by each MTA module next to its collector and checks.  Both live
 * at the program's top because they name every module: the framework
 * (collectors/core/) only declares them.  No diagnostics: a table longer
 * than COLLECTOR_MAX, or an mta_table of another size than MTA_COUNT,
 * does not compile.
 */
#include "collectors/checks/checks.h"
#include "collectors/core/collector.h"
#include "collectors/core/mta.h"
#include "collectors/exim/exim.h"
#include "collectors/exim/exim_checks.h"
#include "collectors/host/listeners.h"
#include "collectors/postfix/postfix.h"
#include "collectors/postfix/postfix_checks.h"
#include "collectors/sendmail/sendmail.h"
#include "collectors/sendmail/sendmail_checks.h"
#include "collectors/tls/tls.h"

const struct collector *const collector_table[] = {
	&collector_listeners,
	&collector_postfix,
	&collector_exim,
	&collector_sendmail,
	&collector_tls,		/* after the MTAs: probes the sockets they name */
	&collector_checks,	/* last: reads the others' facts */
	NULL,
};

const size_t collector_count = sizeof(collector_table) / sizeof(collector_table[0]) - 1;

_Static_assert(sizeof(collector_table) / sizeof(collector_table[0]) - 1 <= COLLECTOR_MAX,
	       "collector_table has more entries than COLLECTOR_MAX");

const struct mta_desc *const mta_table[] = {
	[MTA_POSTFIX] = &mta_postfix,
	[MTA_EXIM] = &mta_exim,
	[MTA_SENDMAIL] = &mta_sendmail,
};

_Static_assert(sizeof(mta_table) / sizeof(mta_table[0]) == MTA_COUNT,
	       "mta_table needs one descriptor for every enum mta_kind");

/*
 * registry.c - the collector table: which collectors this program runs.
 *
 * Table order is execution order: data sources first, "checks" last (it
 * only reads what the others left in struct facts).  Each collector is
 * defined in its own module; this file only lists them.  It lives at the
 * program's top because it names every collector: the framework
 * (collectors/core/) only declares the table (collector.h).  No
 * diagnostics: a table longer than COLLECTOR_MAX does not compile.
 */
#include "collectors/checks/checks.h"
#include "collectors/core/collector.h"
#include "collectors/exim/exim.h"
#include "collectors/host/listeners.h"
#include "collectors/postfix/postfix.h"
#include "collectors/sendmail/sendmail.h"

const struct collector *const collector_table[] = {
	&collector_listeners,
	&collector_postfix,
	&collector_exim,
	&collector_sendmail,
	&collector_checks,	/* last: reads the others' facts */
	NULL,
};

const size_t collector_count = sizeof(collector_table) / sizeof(collector_table[0]) - 1;

_Static_assert(sizeof(collector_table) / sizeof(collector_table[0]) - 1 <= COLLECTOR_MAX,
	       "collector_table has more entries than COLLECTOR_MAX");

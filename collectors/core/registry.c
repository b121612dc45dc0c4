/*
 * registry.c - the collector table.
 *
 * Table order is execution order: data sources first, "checks" last (it
 * only reads what the others left in struct facts).  Each collector is
 * defined in its own module; this file only lists them.
 */
#include <string.h>

#include "collectors/checks/checks.h"
#include "collectors/core/collector.h"
#include "collectors/host/listeners.h"
#include "collectors/postfix/postfix.h"
#include "collectors/sendmail/sendmail.h"

extern const struct collector collector_exim;

const struct collector *const collector_table[] = {
	&collector_listeners,
	&collector_postfix,
	&collector_exim,
	&collector_sendmail,
	&collector_checks,	/* last: reads the others' facts */
	NULL,
};

const size_t collector_count = sizeof(collector_table) / sizeof(collector_table[0]) - 1;

const struct collector *
collector_find(const char *name)
{
	for (size_t i = 0; i < collector_count; i++)
		if (strcmp(collector_table[i]->name, name) == 0)
			return collector_table[i];
	return NULL;
}

const char *
mta_name(enum mta_kind k)
{
	static const char *const names[MTA_COUNT] = { "postfix", "exim", "sendmail" };

	return (unsigned)k < MTA_COUNT ? names[k] : "unknown";
}

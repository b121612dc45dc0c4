/*
 * collector.c - lookups over the collector table and the MTA names (see
 * collector.h).  The table itself is the program's (exporter/registry.c).
 * No diagnostics: an unknown name is NULL or "unknown" for the caller.
 */
#include "collectors/core/collector.h"

#include <string.h>

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

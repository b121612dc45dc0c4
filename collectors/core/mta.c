/*
 * mta.c - lookups over the MTA descriptors (see mta.h).  The table itself
 * is the program's (exporter/registry.c).  No diagnostics: a hole in the
 * table is an assertion failure.
 */
#include "collectors/core/mta.h"

#include <assert.h>
#include <string.h>

const char *
mta_name(enum mta_kind k)
{
	assert((unsigned)k < MTA_COUNT && mta_table[k] != NULL && mta_table[k]->collector != NULL);
	return mta_table[k]->collector->name;
}

bool
mta_process_is(const char *comm, enum mta_kind k)
{
	if (comm == NULL || comm[0] == '\0')
		return true;
	for (const char *const *p = mta_table[k]->processes; p && *p; p++)
		if (strncmp(comm, *p, strlen(*p)) == 0)
			return true;
	return false;
}

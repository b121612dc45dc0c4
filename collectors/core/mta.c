/*
 * mta.c - lookups over the MTA descriptors and the facts they describe
 * (see mta.h).  The table itself
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

const struct mta_endpoint *
mta_unresolved_endpoint(const struct mta_facts *m)
{
	const struct mta_endpoint *name = NULL;

	for (size_t i = 0; i < m->n_endpoints; i++) {
		const struct mta_endpoint *ep = &m->endpoints[i];

		if (ep->numeric && !ep->loopback)
			return NULL;
		if (!ep->numeric && name == NULL)
			name = ep;
	}
	return name;
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

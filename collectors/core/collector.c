/*
 * collector.c - lookups over the collector table (see collector.h).  The
 * table itself is the program's (exporter/registry.c).  No diagnostics:
 * an unknown name is -1 for the caller.
 */
#include "collectors/core/collector.h"

#include <string.h>

int
collector_index(const char *name)
{
	for (size_t i = 0; i < collector_count; i++)
		if (strcmp(collector_table[i]->name, name) == 0)
			return (int)i;
	return -1;
}

bool
collector_enabled(const struct collector_env *env, const struct collector *c)
{
	for (size_t i = 0; env != NULL && i < collector_count; i++)
		if (collector_table[i] == c)
			return env->enabled[i];
	return false;
}

/*
 * collector.c - lookups over the collector table (see collector.h), and
 * the names of relay verdicts.  The table itself is the program's
 * (exporter/registry.c).  No diagnostics: an unknown name is -1 for the
 * caller; collector_flag_absolute() logs which flag is wrong.
 */
#include "collectors/core/collector.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "lib/log.h"

int
collector_index(const char *name)
{
	for (size_t i = 0; i < collector_count; i++)
		if (strcmp(collector_table[i]->name, name) == 0)
			return (int)i;
	return -1;
}

int
collector_flag_absolute(const struct collector_flag *f)
{
	char flag[128];

	if (*f->value != NULL && (*f->value)[0] == '/')
		return 0;
	snprintf(flag, sizeof(flag), "--%s", f->name);
	log_error("the flag must be an absolute path", "flag", flag, NULL);
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

const char *
relay_verdict_name(enum relay_verdict v)
{
	switch (v) {
	case RELAY_CLOSED: return "closed";
	case RELAY_OPEN: return "open";
	case RELAY_UNDETERMINED: return "undetermined";
	case RELAY_CONFIG_ERROR: return "config_error";
	}
	assert(!"relay_verdict_name: not an enum relay_verdict");
	return "undetermined";
}

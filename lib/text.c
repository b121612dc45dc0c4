/*
 * text.c - small pure predicates over C strings (see text.h).  No
 * diagnostics.
 */
#include "lib/text.h"

#include <string.h>

bool
text_all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int
text_duration_ms(const char *s, long long *ms)
{
	static const struct {
		const char *unit;
		long long ms;
	} units[] = { { "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 } };
	long long total = 0;

	if (s == NULL || *s == '\0')
		return -1;
	while (*s) {
		long long n = 0;
		size_t u, len;

		if (*s < '0' || *s > '9')
			return -1;
		while (*s >= '0' && *s <= '9') {
			n = n * 10 + (*s++ - '0');
			if (n > 86400000LL)
				return -1;
		}
		for (u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
			len = strlen(units[u].unit);
			if (strncmp(s, units[u].unit, len) == 0
			    && !(len == 1 && units[u].unit[0] == 'm' && s[1] == 's'))
				break;
		}
		if (u == sizeof(units) / sizeof(units[0]))
			return -1;
		s += strlen(units[u].unit);
		total += n * units[u].ms;
		if (total > 86400000LL)
			return -1;
	}
	*ms = total;
	return 0;
}

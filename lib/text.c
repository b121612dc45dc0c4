/*
 * text.c - small pure predicates over C strings (see text.h).  No
 * diagnostics.
 */
#include "lib/text.h"

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

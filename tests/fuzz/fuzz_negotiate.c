/*
 * fuzz_negotiate.c - Accept / Accept-Encoding parsing on arbitrary bytes.
 * The input is split at the first NUL: Accept, then Accept-Encoding.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exporter/exposition/negotiate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 2);
	enum metrics_format f;
	size_t n;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	s[size + 1] = '\0';
	f = negotiate_format(s);
	if (f != METRICS_TEXT_004 && f != METRICS_OPENMETRICS_100)
		abort();
	n = strlen(s);
	(void)negotiate_gzip(n < size ? s + n + 1 : s + size);
	free(s);
	return 0;
}

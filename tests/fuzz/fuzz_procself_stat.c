/*
 * fuzz_procself_stat.c - the /proc/<pid>/stat parser (exporter/procself.c).
 * The input is the file text, unterminated, in a buffer of its exact size so
 * that any read past the end is caught.  The file is written by the kernel,
 * but its command name is set by the process (prctl PR_SET_NAME) and may
 * hold spaces, parentheses and any byte.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exporter/procself.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct procself_stat st;
	char *buf = malloc(size ? size : 1);

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	if (procself_stat_parse(buf, size, &st) == 0 && size < 40)
		abort();	/* "1 (c) S" and 21 more fields cannot be shorter */
	free(buf);
	return 0;
}

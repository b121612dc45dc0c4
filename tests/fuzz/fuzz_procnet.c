/*
 * fuzz_procnet.c - the /proc/net/tcp{,6} parser.  The first byte picks the
 * family (even: tcp, odd: tcp6); the rest is the file text, unterminated.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "collectors/host/procnet.h"
#include "lib/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t ports[] = {25, 465, 587};
	struct listener v[8];
	struct procnet_result r = {.v = v, .max = 8};
	char *buf;

	if (size < 1)
		return 0;
	log_setup(LOG_LEVEL_ERROR, LOG_FORMAT_LOGFMT);	/* keep warnings quiet */
	buf = malloc(size - 1 ? size - 1 : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	procnet_parse(buf, size - 1, data[0] & 1 ? AF_INET6 : AF_INET, "fuzz",
		      data[0] & 2 ? NULL : ports, 3, &r);
	free(buf);
	return 0;
}

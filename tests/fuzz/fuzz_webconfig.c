/*
 * fuzz_webconfig.c - the web config YAML parser and validator on arbitrary
 * bytes; for every accepted input the GnuTLS priority string must build.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exporter/webconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct webconfig wc;
	char err[512], prio[512];

	if (webconfig_parse((const char *)data, size, &wc, err, sizeof(err)) == 0) {
		if (wc.tls && webconfig_priority(&wc, prio, sizeof(prio)) < 0 && wc.n_cipher_suites < 20)
			abort();
		webconfig_free(&wc);
	} else if (err[0] == '\0') {
		abort();	/* every refusal says why */
	}
	return 0;
}

/*
 * fuzz_postfix_tls.c - Postfix's TLS protocol lists (smtpd_tls_protocols,
 * smtpd_tls_mandatory_protocols: "!SSLv2, !SSLv3", ">=TLSv1.2", hex
 * versions) and security levels, on arbitrary text.  A list that parses
 * must enable only versions TLSINFO knows, and an invalid one none.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/postfix/postfix_tls.h"
#include "lib/tlsinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	unsigned mask = ~0u;
	int rc;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	rc = postfix_tls_protocols(s, &mask);
	if (rc == 0 && (mask & ~TLSINFO_ALL))
		abort();
	if (rc != 0 && (rc != -1 || mask != 0))
		abort();
	(void)postfix_tls_enabled(s, size & 1, size & 2);
	free(s);
	return 0;
}

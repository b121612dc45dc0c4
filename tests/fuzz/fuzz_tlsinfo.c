/*
 * fuzz_tlsinfo.c - the certificate, private-key and DH-parameter readers
 * and the priority-string reader (lib/tlsinfo.h).  The first byte picks
 * the reader (0 certificate, 1 key, 2 DH, 3 priority string); the rest is
 * the file's bytes.  A certificate that parses must describe itself
 * consistently (chain_len >= 1, a known key algorithm name).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/tlsinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlsinfo_cert c;
	struct tlsinfo_key k;
	unsigned bits, mask;
	char err[200], *s;

	if (size < 1)
		return 0;
	switch (data[0] & 3) {
	case 0:
		if (tlsinfo_cert_parse(data + 1, size - 1, "mx.example.org", &c, err, sizeof(err)) == 0
		    && (c.chain_len < 1 || c.key_alg[0] == '\0' || c.names_host < 0))
			abort();
		break;
	case 1:
		if (tlsinfo_key_parse(data + 1, size - 1, &k, err, sizeof(err)) == 0
		    && k.key_alg[0] == '\0')
			abort();
		break;
	case 2:
		if (tlsinfo_dh_parse(data + 1, size - 1, &bits, err, sizeof(err)) == 0 && bits == 0)
			abort();
		break;
	default:
		/* a priority string is text: NUL-terminate it */
		if ((s = malloc(size)) == NULL)
			return 0;
		memcpy(s, data + 1, size - 1);
		s[size - 1] = '\0';
		if (tlsinfo_priority_versions(s, &mask, err, sizeof(err)) == 0 && (mask & ~TLSINFO_ALL))
			abort();
		free(s);
		break;
	}
	return 0;
}

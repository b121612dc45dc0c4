/*
 * fuzz_hostsfile.c - /etc/hosts lookups (lib/hostsfile.h) and Postfix's
 * use of them (postfix_resolve): the input's first line is the name, the
 * rest the hosts text.  Every address returned must be of the family
 * asked for, and no more than asked for.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "collectors/postfix/postfix_resolve.h"
#include "lib/hostsfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int families[] = { AF_UNSPEC, AF_INET, AF_INET6 };
	const uint8_t *nl = memchr(data, '\n', size);
	size_t nlen = nl ? (size_t)(nl - data) : size;
	char *name = malloc(nlen + 1);
	const char *text = nl ? (const char *)nl + 1 : "";
	size_t tlen = nl ? size - nlen - 1 : 0;
	struct inaddr out[4];

	if (name == NULL)
		return 0;
	memcpy(name, data, nlen);
	name[nlen] = '\0';
	for (size_t f = 0; f < 3; f++) {
		size_t n = hostsfile_lookup(text, tlen, name, families[f], out, 4);

		if (n > 4)
			abort();
		for (size_t i = 0; i < n; i++)
			if (families[f] != AF_UNSPEC && out[i].family != families[f])
				abort();
	}
	{
		struct postfix_hosts h = { text, tlen };

		if (postfix_resolve(&h, name, size & 1, size & 2, out, 4) > 4)
			abort();
	}
	free(name);
	return 0;
}

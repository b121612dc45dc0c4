/*
 * postfix_resolve.c - Postfix's host names at start, from /etc/hosts only
 * (see postfix_resolve.h).  No diagnostics.
 */
#include "collectors/postfix/postfix_resolve.h"

#include <strings.h>
#include <sys/socket.h>

#include "lib/hostsfile.h"

size_t
postfix_resolve(const struct postfix_hosts *h, const char *host, bool v4, bool v6,
		struct inaddr *out, size_t max)
{
	int family = v4 && v6 ? AF_UNSPEC : v4 ? AF_INET : AF_INET6;
	size_t n = 0;

	if (max == 0 || (!v4 && !v6))
		return 0;
	if (inaddr_parse(host, &out[0]) == 0)
		return 1;
	if (h != NULL && h->text != NULL)
		n = hostsfile_lookup(h->text, h->len, host, family, out, max);
	if (n == 0 && strcasecmp(host, "localhost") == 0) {
		if (v4)
			inaddr_parse("127.0.0.1", &out[n++]);
		if (v6 && n < max)
			inaddr_parse("::1", &out[n++]);
	}
	return n;
}

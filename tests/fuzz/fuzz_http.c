/*
 * fuzz_http.c - the request decision on arbitrary bytes: routing (method,
 * path, telemetry path; a target holding NUL bytes, as a raw NUL in the
 * request line gives), Accept and Accept-Encoding negotiation, the
 * listen-address and LISTEN_FDS parsers, and the Authorization header
 * parser.  The input is split at NULs: method, url, Accept,
 * Accept-Encoding (missing fields are empty); the url field and all that
 * follows it, NULs included, is also routed as one raw target, and the
 * whole input is parsed as an Authorization value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exporter/auth.h"
#include "exporter/exposition/negotiate.h"
#include "exporter/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *f[4] = { "", "", "", "" }, *p, host[128], err[256], *user, *pass;
	size_t raw_len = 0;
	enum http_route r;
	unsigned port;
	int n;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	p = s;
	for (int i = 0; i < 4 && p <= s + size; i++) {
		f[i] = p;
		if (i == 1)
			raw_len = size - (size_t)(p - s);
		p += strlen(p) + 1;
	}
	r = http_route(f[0], f[1], strlen(f[1]), "/metrics");
	if ((unsigned)r > HTTP_ROUTE_BAD_REQUEST)
		abort();
	if (r == HTTP_ROUTE_METRICS && strcmp(f[1], "/metrics") != 0)
		abort();
	/* the raw target: served as /metrics only when it is exactly that, no NUL after it */
	r = http_route(f[0], f[1], raw_len, "/metrics");
	if (r == HTTP_ROUTE_METRICS && (raw_len != 8 || memcmp(f[1], "/metrics", 8) != 0))
		abort();
	(void)http_route(f[0], f[1], strlen(f[1]), f[2][0] ? f[2] : "/x");
	if (negotiate_format(f[2]) > METRICS_OPENMETRICS_100)
		abort();
	(void)negotiate_gzip(f[3]);
	if (http_parse_listen_address(f[1], host, sizeof(host), &port) == 0 && port > 65535)
		abort();
	if (http_systemd_fds(f[2], f[3], 1, &n, err, sizeof(err)) == 0 && (n < 1 || n > OPTIONS_MAX_LISTEN))
		abort();
	/* credentials: never with a NUL in them, never with a ':' in the user */
	if (auth_parse_basic((const char *)data, size, &user, &pass) == 0) {
		if (strchr(user, ':') != NULL || pass != user + strlen(user) + 1 ||
		    strlen(user) + 1 + strlen(pass) > size)
			abort();
		free(user);
	} else if (user != NULL || pass != NULL) {
		abort();
	}
	free(s);
	return 0;
}

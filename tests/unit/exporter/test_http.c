/*
 * test_http.c - the pure parts of the HTTP front end: routing, listen
 * address parsing and systemd socket-activation variables.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "exporter/http.h"

static void
test_route(void **state)
{
	static const struct {
		const char *method, *url, *tpath;
		enum http_route want;
		size_t len;	/* of url, when it holds a NUL; else strlen */
	} cases[] = {
		{ "GET", "/metrics", "/metrics", HTTP_ROUTE_METRICS, 0 },
		{ "HEAD", "/metrics", "/metrics", HTTP_ROUTE_METRICS, 0 },
		{ "POST", "/metrics", "/metrics", HTTP_ROUTE_METHOD_NOT_ALLOWED, 0 },
		{ "get", "/metrics", "/metrics", HTTP_ROUTE_METHOD_NOT_ALLOWED, 0 },
		{ "BREW", "/metrics", "/metrics", HTTP_ROUTE_METHOD_NOT_ALLOWED, 0 },
		{ "GET", "/metrics/", "/metrics", HTTP_ROUTE_NOT_FOUND, 0 },
		{ "GET", "/metrics/../metrics", "/metrics", HTTP_ROUTE_NOT_FOUND, 0 },
		{ "GET", "/../../etc/passwd", "/metrics", HTTP_ROUTE_NOT_FOUND, 0 },
		{ "GET", "//metrics", "/metrics", HTTP_ROUTE_NOT_FOUND, 0 },
		{ "GET", "/METRICS", "/metrics", HTTP_ROUTE_NOT_FOUND, 0 },
		{ "GET", "", "/metrics", HTTP_ROUTE_NOT_FOUND, 0 },
		{ "GET", "/", "/metrics", HTTP_ROUTE_LANDING, 0 },
		{ "DELETE", "/", "/metrics", HTTP_ROUTE_METHOD_NOT_ALLOWED, 0 },
		{ "GET", "/-/healthy", "/metrics", HTTP_ROUTE_HEALTHY, 0 },
		{ "PUT", "/-/healthy", "/metrics", HTTP_ROUTE_METHOD_NOT_ALLOWED, 0 },
		{ "GET", "/x/y", "/x/y", HTTP_ROUTE_METRICS, 0 },
		{ "GET", "/metrics", "/x/y", HTTP_ROUTE_NOT_FOUND, 0 },
		{ "DELETE", "/nope", "/metrics", HTTP_ROUTE_NOT_FOUND, 0 },
		{ "\x01\x02", "/metrics", "/metrics", HTTP_ROUTE_BAD_REQUEST, 0 },
		{ "G T", "/nope", "/metrics", HTTP_ROUTE_BAD_REQUEST, 0 },
		{ "", "/", "/metrics", HTTP_ROUTE_BAD_REQUEST, 0 },
		{ "GET\xff", "/", "/metrics", HTTP_ROUTE_BAD_REQUEST, 0 },
		{ "M-SEARCH", "/", "/metrics", HTTP_ROUTE_METHOD_NOT_ALLOWED, 0 },
		/* a raw NUL in the request target: never routed (as %00 is not) */
		{ "GET", "/metrics\0junk", "/metrics", HTTP_ROUTE_NOT_FOUND, 13 },
		{ "GET", "/metrics\0", "/metrics", HTTP_ROUTE_NOT_FOUND, 9 },
		{ "GET", "/\0", "/metrics", HTTP_ROUTE_NOT_FOUND, 2 },
		{ "HEAD", "/-/healthy\0x", "/metrics", HTTP_ROUTE_NOT_FOUND, 12 },
		{ "GET", "/metrics%00", "/metrics", HTTP_ROUTE_NOT_FOUND, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].url);

		if (http_route(cases[i].method, cases[i].url, len, cases[i].tpath) != cases[i].want)
			fail_msg("case %zu: %s %s", i, cases[i].method, cases[i].url);
	}
}

static void
test_listen_address(void **state)
{
	static const struct {
		const char *in, *host;
		unsigned port;
		int rc;
	} cases[] = {
		{ "127.0.0.1:10425", "127.0.0.1", 10425, 0 },
		{ ":9100", "", 9100, 0 },
		{ "[::1]:80", "::1", 80, 0 },
		{ "localhost:0", "localhost", 0, 0 },
		{ "::1:80", NULL, 0, -1 },
		{ "127.0.0.1", NULL, 0, -1 },
		{ "127.0.0.1:65536", NULL, 0, -1 },
		{ "127.0.0.1:-1", NULL, 0, -1 },
		{ "127.0.0.1:80x", NULL, 0, -1 },
		{ "[::1]80", NULL, 0, -1 },
		{ "[::1:80", NULL, 0, -1 },
	};
	char host[128];
	unsigned port;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = http_parse_listen_address(cases[i].in, host, sizeof(host), &port);

		if (rc != cases[i].rc)
			fail_msg("case %zu (%s): rc %d", i, cases[i].in, rc);
		if (rc == 0 && (strcmp(host, cases[i].host) != 0 || port != cases[i].port))
			fail_msg("case %zu (%s): %s %u", i, cases[i].in, host, port);
	}
}

static void
test_systemd_fds(void **state)
{
	static const struct {
		const char *pid, *fds;
		int rc, n;
		const char *err;
	} cases[] = {
		{ "4242", "1", 0, 1, NULL },
		{ "4242", "8", 0, 8, NULL },
		{ "4242", "9", -1, 0, "expected 1 to 8" },
		{ "4242", "0", -1, 0, "expected 1 to 8" },
		{ "4242", "-1", -1, 0, "expected 1 to 8" },
		{ "4242", "1x", -1, 0, "LISTEN_FDS" },
		{ "4242", "", -1, 0, "LISTEN_FDS" },
		/* Not meant for this process: 1, so that without
		 * --web.systemd-socket the exporter binds instead. */
		{ "4243", "1", 1, 0, "not this process" },
		{ "4243", "junk", 1, 0, "not this process" },
		{ "0", "1", 1, 0, "not a process id" },
		{ "abc", "1", 1, 0, "not a process id" },
		{ "99999999999999999999", "1", 1, 0, "not a process id" },
		{ NULL, "1", 1, 0, "not set" },
		{ "4242", NULL, 1, 0, "not set" },
		{ NULL, NULL, 1, 0, "not set" },
	};
	char err[256];
	int n;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = 0;
		err[0] = '\0';
		int rc = http_systemd_fds(cases[i].pid, cases[i].fds, 4242, &n, err, sizeof(err));

		if (rc != cases[i].rc)
			fail_msg("case %zu: rc %d (%s)", i, rc, err);
		if (rc == 0 && n != cases[i].n)
			fail_msg("case %zu: n %d", i, n);
		if (cases[i].err && strstr(err, cases[i].err) == NULL)
			fail_msg("case %zu: error \"%s\" lacks \"%s\"", i, err, cases[i].err);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route),
		cmocka_unit_test(test_listen_address),
		cmocka_unit_test(test_systemd_fds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

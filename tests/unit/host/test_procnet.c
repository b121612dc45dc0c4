/*
 * test_procnet.c - the /proc/net/tcp{,6} parser: the recorded files of the
 * basic fixture scenario (same sockets as basic.rec) and malformed lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "collectors/host/procnet.h"

static char *
load(const char *name, size_t *len)
{
	const char *dir = getenv("MTA_FIXTURES");
	char path[1024];
	char *p;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/listeners/%s", dir ? dir : "tests/fixtures", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc((size_t)n + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	p[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return p;
}

static const uint16_t audited[] = {25, 465, 587};

static bool
has(const struct procnet_result *r, const char *addr, uint16_t port)
{
	for (size_t i = 0; i < r->n; i++) {
		char b[INET6_ADDRSTRLEN];

		inet_ntop(r->v[i].addr.family, r->v[i].addr.a, b, sizeof(b));
		if (strcmp(b, addr) == 0 && r->v[i].port == port && r->v[i].inode)
			return true;
	}
	return false;
}

static void
test_fixture(void **state)
{
	struct listener v[16];
	struct procnet_result r = {.v = v, .max = 16};
	size_t len;
	char *t = load("procfs/net/tcp", &len);

	procnet_parse(t, len, AF_INET, "basic.tcp", audited, 3, &r);
	free(t);
	assert_int_equal(r.bad_lines, 0);
	assert_int_equal(r.n, 3);
	assert_true(has(&r, "0.0.0.0", 25));
	assert_true(has(&r, "127.0.0.2", 465));
	assert_true(has(&r, "0.0.0.0", 587));	/* no device in this file */

	t = load("procfs/net/tcp6", &len);
	procnet_parse(t, len, AF_INET6, "basic.tcp6", audited, 3, &r);
	free(t);
	assert_int_equal(r.bad_lines, 0);
	assert_int_equal(r.n, 8);
	assert_true(has(&r, "2001:db8::10", 25));
	assert_true(has(&r, "::", 465));
	assert_true(has(&r, "::ffff:127.0.0.1", 465));
	assert_true(has(&r, "::ffff:192.0.2.10", 465));
	assert_true(has(&r, "::1", 587));
	assert_false(has(&r, "::", 25565));

	/* all ports: the decoys appear */
	r = (struct procnet_result){.v = v, .max = 16};
	t = load("procfs/net/tcp", &len);
	procnet_parse(t, len, AF_INET, "basic.tcp", NULL, 0, &r);
	free(t);
	assert_int_equal(r.n, 4);
	assert_true(has(&r, "0.0.0.0", 2525));
	/* overflow counted */
	r = (struct procnet_result){.v = v, .max = 1};
	t = load("procfs/net/tcp", &len);
	procnet_parse(t, len, AF_INET, "basic.tcp", NULL, 0, &r);
	free(t);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.overflow, 3);
}

#define HDR "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
#define GOOD4 "   0: 0100007F:0019 00000000:0000 0A 00000000:00000000 00:00000000 00000000   105        0 4242 1 0000000000000000 100 0 0 10 0\n"

static void
test_lines(void **state)
{
	static const struct {
		const char *text;
		size_t n, bad;
	} cases[] = {
		{HDR GOOD4, 1, 0},
		{HDR, 0, 0},
		{"", 0, 0},
		{GOOD4, 0, 0},			/* the first line is always the header */
		{HDR GOOD4 "\n", 1, 0},		/* empty line */
		{HDR "   0: 0100007F:0019 00000000:0000 01 00000000:00000000 00:00000000 00000000 0 0 1 1\n", 0, 0}, /* ESTABLISHED */
		{HDR "   0: 0100007F:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1 1\n", 0, 0}, /* port 80 */
		{HDR "   0: 0100007G:0019 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1\n", 0, 1},
		{HDR "   0: 0100007F:019 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1\n", 0, 1},
		{HDR "   0: 0100007F:00190 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1\n", 0, 1},
		{HDR "   0: 0100007F:0019 00000000:000 0A 00000000:00000000 00:00000000 00000000 0 0 1\n", 0, 1},
		{HDR "   0: 0100007F:0019 00000000:0000 0A\n", 0, 1},
		{HDR "   0: 0100007F:0019 00000000:0000 0A 00000000:00000000 00:00000000 00000000 x 0 1\n", 0, 1},
		{HDR "   0: 0100007F:0019 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 99999999999\n", 0, 1},
		{HDR "   0: 0100007F:0019 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0\n", 0, 1},
		{HDR "0100007F:0019\n", 0, 1},
		{HDR "   0: ", 0, 1},
		{HDR GOOD4 "garbage\n" GOOD4, 2, 1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct listener v[4];
		struct procnet_result r = {.v = v, .max = 4};

		procnet_parse(cases[i].text, strlen(cases[i].text), AF_INET, "t", audited, 3, &r);
		if (r.n != cases[i].n || r.bad_lines != cases[i].bad)
			fail_msg("case %zu: n=%zu bad=%zu", i, r.n, r.bad_lines);
		if (r.n) {
			assert_int_equal(v[0].port, 25);
			assert_int_equal(v[0].uid, 105);
			assert_int_equal(v[0].inode, 4242);
			assert_int_equal(v[0].addr.a[0], 127);
			assert_int_equal(v[0].addr.a[3], 1);
		}
	}
	/* a line over the limit */
	{
		size_t n = strlen(HDR) + PROCNET_MAX_LINE + 10;
		char *t = malloc(n + 1);
		struct listener v[1];
		struct procnet_result r = {.v = v, .max = 1};

		memset(t, ' ', n);
		memcpy(t, HDR, strlen(HDR));
		t[n - 1] = '\n';
		t[n] = '\0';
		procnet_parse(t, n, AF_INET, "t", audited, 3, &r);
		assert_int_equal(r.bad_lines, 1);
		free(t);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture),
		cmocka_unit_test(test_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

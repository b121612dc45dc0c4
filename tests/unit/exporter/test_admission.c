/*
 * test_admission.c - the connection-slot and response-byte policy:
 * scripts of connections opening, requesting, responding and closing, and
 * which connections the table closes (or refuses) at each step; and which
 * addresses count as one client (IPv4, IPv6 /64, v4-mapped).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "exporter/admission.h"

enum op { OPEN, REQ, RESP, DONE, HOLD, UNHOLD, CLOSE, MAY };

struct step {
	enum op op;
	int fd;			/* the connection (OPEN: its new fd) */
	int client;		/* OPEN, MAY: 10.0.0.<client> */
	double now;
	size_t bytes;		/* RESP */
	bool ok;		/* OPEN: admitted; RESP: within the budget; MAY: may connect */
	int evicted[3];		/* fds closed by this step, 0-terminated */
};

#define MAXFD 128
static int evicted[8], n_evicted;

static void
on_evict(void *cls, int fd)
{
	(void)cls;
	if (n_evicted < 8)
		evicted[n_evicted++] = fd;
}

static struct admission_client
client(int n)
{
	struct sockaddr_in sin;
	struct admission_client c;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(0x0a000000u + (unsigned)n);
	admission_client_of((struct sockaddr *)&sin, &c);
	return c;
}

static void
run(const char *name, const struct admission_limits *lim, const struct step *steps, size_t n)
{
	struct admission *a = admission_new(lim, on_evict, NULL);
	struct admission_conn *conn[MAXFD] = { 0 };

	assert_non_null(a);
	for (size_t i = 0; i < n; i++) {
		const struct step *s = &steps[i];
		struct admission_client c = client(s->client);
		bool ok = true;
		int k = 0;

		n_evicted = 0;
		switch (s->op) {
		case OPEN:
			conn[s->fd] = admission_open(a, &c, s->fd, s->now);
			ok = conn[s->fd] != NULL;
			break;
		case REQ:
			admission_request(a, conn[s->fd], s->now);
			break;
		case RESP:
			ok = admission_respond(a, conn[s->fd], s->bytes, s->now);
			break;
		case DONE:
			admission_done(a, conn[s->fd], s->now);
			break;
		case HOLD:
		case UNHOLD:
			admission_hold(a, conn[s->fd], s->op == HOLD);
			break;
		case CLOSE:
			admission_close(a, conn[s->fd]);
			conn[s->fd] = NULL;
			break;
		case MAY:
			ok = admission_may_connect(a, &c, s->now);
			break;
		}
		if ((s->op == OPEN || s->op == RESP || s->op == MAY) && ok != s->ok)
			fail_msg("%s, step %zu (fd %d): %s, want %s", name, i, s->fd, ok ? "ok" : "refused",
				 s->ok ? "ok" : "refused");
		for (k = 0; k < 3 && s->evicted[k]; k++)
			if (k >= n_evicted || evicted[k] != s->evicted[k])
				fail_msg("%s, step %zu: evicted #%d is %d, want %d", name, i, k,
					 k < n_evicted ? evicted[k] : -1, s->evicted[k]);
		if (n_evicted != k)
			fail_msg("%s, step %zu: %d evicted (first fd %d), want %d", name, i, n_evicted,
				 evicted[0], k);
		/* an evicted connection is reported closed by the HTTP layer later */
		for (int e = 0; e < n_evicted; e++) {
			admission_close(a, conn[evicted[e]]);
			conn[evicted[e]] = NULL;
		}
	}
	admission_free(a);
}

/* Slots: 4 in all, 2 per client. */
static void
test_slots(void **state)
{
	static const struct admission_limits lim = { .max_conns = 4, .max_per_client = 2, .max_bytes = 1000 };
	static const struct step flood[] = {
		{ OPEN, 10, 1, 0.0, 0, true, { 0 } },
		{ OPEN, 11, 1, 0.1, 0, true, { 0 } },
		{ MAY, 0, 1, 0.1, 0, false, { 0 } },	/* client 1 is at its limit */
		{ OPEN, 12, 1, 0.1, 0, false, { 0 } },
		{ OPEN, 20, 2, 0.2, 0, true, { 0 } },
		{ OPEN, 21, 2, 0.3, 0, true, { 0 } },	/* the table is full */
		{ MAY, 0, 3, 0.3, 0, true, { 0 } },
		/* a newcomer: the heaviest clients hold 2 > 1; the longest idle of them goes */
		{ OPEN, 30, 3, 0.4, 0, true, { 10 } },
		/* client 2 still holds 2 > 1: its longest idle goes */
		{ OPEN, 40, 4, 0.5, 0, true, { 20 } },
		/* everyone holds 1 now; none idle for a second: a newcomer is refused */
		{ MAY, 0, 5, 0.6, 0, false, { 0 } },	/* the accept policy says so first */
		{ OPEN, 50, 5, 0.6, 0, false, { 0 } },
		/* and a client already present never takes another's slot by age */
		{ MAY, 0, 3, 5.0, 0, false, { 0 } },
		{ OPEN, 31, 3, 5.0, 0, false, { 0 } },
		/* after a second of idleness the longest idle goes for a newcomer */
		{ MAY, 0, 5, 5.0, 0, true, { 0 } },	/* asking closes nothing */
		{ OPEN, 51, 5, 5.0, 0, true, { 11 } },
		/* a request refreshes a connection: 21 (0.3) is older than 30 (now 5.1) */
		{ REQ, 30, 0, 5.1, 0, true, { 0 } },
		{ OPEN, 60, 6, 6.0, 0, true, { 21 } },
		/* held connections are never chosen: 40 (0.5) is, 51 (5.0) goes */
		{ HOLD, 40, 0, 6.0, 0, true, { 0 } },
		{ OPEN, 70, 7, 7.5, 0, true, { 51 } },
		{ UNHOLD, 40, 0, 7.5, 0, true, { 0 } },
		{ OPEN, 80, 8, 9.0, 0, true, { 40 } },
		/* a closed connection frees its slot */
		{ CLOSE, 80, 0, 9.0, 0, true, { 0 } },
		{ OPEN, 81, 8, 9.0, 0, true, { 0 } },
	};
	static const struct step one_heavy[] = {
		/* one client fills the table by itself (per-client limit = table size) */
		{ OPEN, 1, 1, 0.0, 0, true, { 0 } },
		{ OPEN, 2, 1, 0.05, 0, true, { 0 } },
		{ OPEN, 3, 1, 0.1, 0, true, { 0 } },
		{ OPEN, 4, 1, 0.2, 0, true, { 0 } },
		{ OPEN, 5, 2, 0.2, 0, true, { 1 } },
		{ OPEN, 6, 2, 0.3, 0, true, { 2 } },	/* 3 > 2 */
		{ MAY, 0, 2, 0.3, 0, false, { 0 } },
		{ OPEN, 7, 2, 0.3, 0, false, { 0 } },	/* client 2 would hold 3 > client 1's 2: refused */
		{ MAY, 0, 3, 0.3, 0, true, { 0 } },	/* a new client: client 2 holds 2 > 1 */
	};
	static const struct admission_limits wide = { .max_conns = 4, .max_per_client = 4, .max_bytes = 1000 };

	run("flood", &lim, flood, sizeof(flood) / sizeof(flood[0]));
	run("one heavy client", &wide, one_heavy, sizeof(one_heavy) / sizeof(one_heavy[0]));
}

/* Bytes: 100 in flight in all. */
static void
test_bytes(void **state)
{
	static const struct admission_limits lim = { .max_conns = 16, .max_per_client = 8, .max_bytes = 100 };
	static const struct step s[] = {
		{ OPEN, 10, 1, 0.0, 0, true, { 0 } },
		{ OPEN, 11, 1, 0.0, 0, true, { 0 } },
		{ OPEN, 20, 2, 0.0, 0, true, { 0 } },
		{ OPEN, 30, 3, 0.0, 0, true, { 0 } },
		{ RESP, 10, 0, 0.1, 40, true, { 0 } },
		{ RESP, 11, 0, 0.2, 40, true, { 0 } },	/* client 1: 80 in flight */
		/* client 2 asks for 40: client 1 holds 80 > 40, its oldest body goes */
		{ RESP, 20, 0, 0.3, 40, true, { 10 } },
		/* client 3 asks for 40: 80 in flight, no client heavier than 40, none stale: 503 */
		{ RESP, 30, 0, 0.4, 40, false, { 0 } },
		/* a second later the stalled body (11, since 0.2) goes */
		{ RESP, 30, 0, 1.5, 40, true, { 11 } },
		/* a finished response no longer counts */
		{ DONE, 20, 0, 1.6, 0, true, { 0 } },
		{ OPEN, 40, 4, 1.6, 0, true, { 0 } },
		{ RESP, 40, 0, 1.7, 60, true, { 0 } },	/* 40 + 60 = 100: fits */
		/* a body larger than the whole budget is refused, nothing is closed for it in vain */
		{ OPEN, 50, 5, 1.8, 0, true, { 0 } },
		{ RESP, 50, 0, 9.0, 101, false, { 0 } },
		/* held connections keep their bodies */
		{ HOLD, 40, 0, 1.8, 0, true, { 0 } },
		{ RESP, 50, 0, 5.0, 40, true, { 30 } },	/* 30 is stale; 40 (held) is not chosen */
	};

	run("bytes", &lim, s, sizeof(s) / sizeof(s[0]));
}

static void
test_client_of(void **state)
{
	static const struct {
		int family;
		const char *a, *b;
		bool same;
	} cases[] = {
		{ AF_INET, "192.0.2.1", "192.0.2.1", true },
		{ AF_INET, "192.0.2.1", "192.0.2.2", false },
		{ AF_INET6, "2001:db8:1:2::1", "2001:db8:1:2:ffff::9", true },	/* one /64 */
		{ AF_INET6, "2001:db8:1:2::1", "2001:db8:1:3::1", false },
		{ AF_INET6, "::ffff:192.0.2.1", "192.0.2.1", true },	/* v4-mapped is IPv4 */
		{ AF_INET6, "::ffff:192.0.2.1", "::ffff:192.0.2.2", false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct admission_client x, y;
		const char *addr[2] = { cases[i].a, cases[i].b };
		struct admission_client *out[2] = { &x, &y };

		for (int k = 0; k < 2; k++) {
			struct sockaddr_in sin;
			struct sockaddr_in6 sin6;

			memset(&sin, 0, sizeof(sin));
			memset(&sin6, 0, sizeof(sin6));
			if (inet_pton(AF_INET, addr[k], &sin.sin_addr) == 1) {
				sin.sin_family = AF_INET;
				admission_client_of((struct sockaddr *)&sin, out[k]);
			} else {
				assert_int_equal(inet_pton(AF_INET6, addr[k], &sin6.sin6_addr), 1);
				sin6.sin6_family = AF_INET6;
				admission_client_of((struct sockaddr *)&sin6, out[k]);
			}
		}
		if ((memcmp(&x, &y, sizeof(x)) == 0) != cases[i].same)
			fail_msg("case %zu: %s and %s", i, cases[i].a, cases[i].b);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slots),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_client_of),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_verifier.c - bcrypt verifications off the HTTP threads: results,
 * clients taken in turn (a client with many pending verifications does
 * not hold the others back), the per-client limit, and cancellation
 * (verifier_close: every pending and the running one is told, new ones
 * are refused until verifier_open).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "exporter/verifier.h"

/* password "pw" at cost 4 (fast) and at cost 11 (tens of ms: keeps the thread busy) */
#define PW_FAST "$2y$04$abcdefghijklmnopqrstuuyvPXIbu7xe6/CED2DzX8z6Si09MlzlW"
#define PW_SLOW "$2y$11$abcdefghijklmnopqrstuuqJ5WcbJn6VrSBjKHA6dmnncoKTHmT5C"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static char order[32][8];	/* the names of the jobs, in the order they finished */
static enum verifier_result results[32];
static int n_done;

static void
done(void *cls, enum verifier_result r)
{
	pthread_mutex_lock(&lock);
	snprintf(order[n_done], sizeof(order[0]), "%s", (const char *)cls);
	results[n_done++] = r;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
}

static void
wait_done(int n)
{
	pthread_mutex_lock(&lock);
	while (n_done < n)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
}

static struct admission_client
client(int n)
{
	struct sockaddr_in sin;
	struct admission_client c;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(0xc0000200u + (unsigned)n);	/* 192.0.2.n */
	admission_client_of((struct sockaddr *)&sin, &c);
	return c;
}

static void
test_turns(void **state)
{
	static const struct {
		const char *name;
		int client;
		const char *pass;
		enum verifier_refusal want;
	} submit[] = {
		{ "Z", 9, "pw", VERIFIER_QUEUED },	/* slow: the others queue meanwhile */
		{ "A1", 1, "bad", VERIFIER_QUEUED },
		{ "A2", 1, "bad", VERIFIER_QUEUED },
		{ "A3", 1, "bad", VERIFIER_QUEUED },
		{ "A4", 1, "bad", VERIFIER_QUEUED },
		{ "A5", 1, "bad", VERIFIER_BUSY },	/* VERIFIER_PER_CLIENT pending */
		{ "B1", 2, "pw", VERIFIER_QUEUED },
		{ "C1", 3, "bad", VERIFIER_QUEUED },
		{ "B2", 2, "pw", VERIFIER_QUEUED },
	};
	/* after Z, the clients in turn */
	static const char *const want[] = { "Z", "A1", "B1", "C1", "A2", "B2", "A3", "A4" };
	struct verifier *v = verifier_new();

	assert_non_null(v);
	n_done = 0;
	for (size_t i = 0; i < sizeof(submit) / sizeof(submit[0]); i++) {
		struct admission_client c = client(submit[i].client);
		const char *hash = submit[i].client == 9 ? PW_SLOW : PW_FAST;

		assert_int_equal(verifier_submit(v, &c, submit[i].pass, hash, done, (void *)submit[i].name),
				 submit[i].want);
	}
	wait_done(8);
	for (int i = 0; i < 8; i++) {
		if (strcmp(order[i], want[i]) != 0)
			fail_msg("verification %d was %s, want %s", i, order[i], want[i]);
		assert_int_equal(results[i], order[i][0] == 'B' || order[i][0] == 'Z' ? VERIFIER_MATCH
										       : VERIFIER_MISMATCH);
	}
	verifier_free(v);
}

static void
test_close(void **state)
{
	struct verifier *v = verifier_new();
	struct admission_client a = client(1), b = client(2);

	assert_non_null(v);
	n_done = 0;
	assert_int_equal(verifier_submit(v, &a, "pw", PW_SLOW, done, "run"), VERIFIER_QUEUED);
	assert_int_equal(verifier_submit(v, &a, "pw", PW_FAST, done, "q1"), VERIFIER_QUEUED);
	assert_int_equal(verifier_submit(v, &b, "pw", PW_FAST, done, "q2"), VERIFIER_QUEUED);
	verifier_close(v);
	/* everything was told at once, the running one included */
	assert_int_equal(n_done, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(results[i], VERIFIER_CANCELLED);
	assert_int_equal(verifier_submit(v, &a, "pw", PW_FAST, done, "late"), VERIFIER_CLOSED);
	verifier_open(v);
	assert_int_equal(verifier_submit(v, &a, "pw", PW_FAST, done, "again"), VERIFIER_QUEUED);
	wait_done(4);
	assert_string_equal(order[3], "again");
	assert_int_equal(results[3], VERIFIER_MATCH);
	/* freeing with work pending tells it too */
	assert_int_equal(verifier_submit(v, &a, "pw", PW_SLOW, done, "r2"), VERIFIER_QUEUED);
	assert_int_equal(verifier_submit(v, &b, "pw", PW_SLOW, done, "r3"), VERIFIER_QUEUED);
	verifier_free(v);
	assert_int_equal(n_done, 6);
	assert_int_equal(results[5], VERIFIER_CANCELLED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_turns),
		cmocka_unit_test(test_close),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

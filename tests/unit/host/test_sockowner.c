/*
 * test_sockowner.c - inode -> process name on a fake procfs tree built in a
 * temporary directory: resolution, the caches (no scan when cached), the
 * rescan back-off for unknown inodes, and invalidation when a pid goes away
 * or closes the socket.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "collectors/host/sockowner.h"

static char root[256];

static void
mkproc(int pid, const char *comm)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%d", root, pid);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/%d/fd", root, pid);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/%d/comm", root, pid);
	f = fopen(p, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", comm);
	fclose(f);
}

static void
mkfd(int pid, int fd, const char *target)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%d/fd/%d", root, pid, fd);
	assert_int_equal(symlink(target, p), 0);
}

static void
rmfd(int pid, int fd)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%d/fd/%d", root, pid, fd);
	assert_int_equal(unlink(p), 0);
}

static int
setup(void **state)
{
	snprintf(root, sizeof(root), "/tmp/test_sockowner.XXXXXX");
	assert_non_null(mkdtemp(root));
	mkproc(1, "init");
	mkfd(1, 0, "/dev/null");
	mkfd(1, 1, "socket:[999]");
	mkproc(100, "master");
	mkfd(100, 3, "pipe:[5]");
	mkfd(100, 4, "socket:[111]");
	mkproc(200, "exim4");
	for (int fd = 0; fd < 50; fd++) {
		char t[32];

		snprintf(t, sizeof(t), "socket:[%d]", 5000 + fd);	/* connections */
		mkfd(200, fd, t);
	}
	mkfd(200, 77, "socket:[222]");
	mkproc(300, "a-very-long-command-name");
	mkfd(300, 9, "socket:[333]");
	{
		char p[512];

		snprintf(p, sizeof(p), "%s/self", root);	/* not a pid */
		assert_int_equal(mkdir(p, 0755), 0);
	}
	return 0;
}

static int
teardown(void **state)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void
test_resolve(void **state)
{
	struct sockowner *so = sockowner_new();
	uint32_t inodes[] = {111, 222, 333, 444};
	char comm[4][SOCKOWNER_COMMLEN];
	struct sockowner_stats st;
	time_t now = 1000;

	sockowner_resolve(so, root, inodes, 4, comm, now, &st);
	assert_string_equal(comm[0], "master");
	assert_string_equal(comm[1], "exim4");
	assert_string_equal(comm[2], "a-very-long-com");	/* comm is what the file says, cut to 15 */
	assert_string_equal(comm[3], "");
	assert_int_equal(st.full_scans, 1);
	assert_int_equal(st.resolved, 3);

	/* Cached: no scan, even though 444 is still unknown (back-off). */
	sockowner_resolve(so, root, inodes, 4, comm, now + 1, &st);
	assert_int_equal(st.full_scans, 0);
	assert_int_equal(st.cache_hits, 3);
	assert_string_equal(comm[1], "exim4");

	/* After the back-off the unknown inode is searched again, and found. */
	mkfd(300, 10, "socket:[444]");
	sockowner_resolve(so, root, inodes, 4, comm, now + SOCKOWNER_RESCAN_S + 1, &st);
	assert_int_equal(st.full_scans, 1);
	assert_string_equal(comm[3], "a-very-long-com");

	/* The owner closes the socket and another process holds it: rescan. */
	rmfd(200, 77);
	mkfd(1, 5, "socket:[222]");
	sockowner_resolve(so, root, inodes, 4, comm, now + 200, &st);
	assert_int_equal(st.full_scans, 1);
	assert_string_equal(comm[1], "init");

	/* Only the inodes asked for: no scan for a subset that is cached. */
	sockowner_resolve(so, root, inodes, 1, comm, now + 201, &st);
	assert_int_equal(st.full_scans, 0);
	assert_string_equal(comm[0], "master");

	/* An unreadable procfs: empty names, no crash. */
	sockowner_resolve(so, "/nonexistent/proc", inodes, 2, comm, now + 500, &st);
	assert_string_equal(comm[0], "");
	assert_string_equal(comm[1], "");
	sockowner_free(so);
}

static void
test_zero_and_many(void **state)
{
	struct sockowner *so = sockowner_new();
	uint32_t *inodes = calloc(SOCKOWNER_CACHE + 10, sizeof(*inodes));
	char (*comm)[SOCKOWNER_COMMLEN] = calloc(SOCKOWNER_CACHE + 10, sizeof(*comm));
	struct sockowner_stats st;

	for (size_t i = 0; i < SOCKOWNER_CACHE + 10; i++)
		inodes[i] = (uint32_t)(100000 + i);
	inodes[0] = 0;			/* /proc/net/tcp can show inode 0 */
	inodes[1] = 111;
	sockowner_resolve(so, root, inodes, SOCKOWNER_CACHE + 10, comm, 1, &st);
	assert_string_equal(comm[0], "");
	assert_string_equal(comm[1], "master");
	sockowner_free(so);
	free(inodes);
	free(comm);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_resolve, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zero_and_many, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

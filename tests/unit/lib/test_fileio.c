/*
 * test_fileio.c - bounded file reads (too large, absent, directories,
 * symlink loops, FIFOs, empty and unreadable files), rootfs path joining,
 * the identities fileio records (logging: test_log.c), resolution inside a
 * root (absolute and relative symlinks, "..", link limits, types) with
 * openat2 and with the user-space fallback (MTA_EXPORTER_NO_OPENAT2), and
 * atomic writes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

#include "lib/fileio.h"

static char tmpdir[64];

static int
setup_tmp(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/mta-test-fileio-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int
teardown_tmp(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
write_file(const char *path, const char *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
}

static void
test_fileio(void **state)
{
	char p[256], q[256], full[512], err[256], *data;
	size_t len;
	struct fileio_stat st, st2;

	/* path joining */
	assert_string_equal(fileio_path("/", "/etc/postfix/main.cf", full, sizeof(full)), "/etc/postfix/main.cf");
	assert_string_equal(fileio_path("/host/", "/etc/x", full, sizeof(full)), "/host/etc/x");
	assert_string_equal(fileio_path("", "etc/x", full, sizeof(full)), "/etc/x");
	assert_null(fileio_path("/host", "/etc/x", full, 8));

	snprintf(p, sizeof(p), "%s/main.cf", tmpdir);
	write_file(p, "a = b\n\0c\n", 9);
	assert_int_equal(fileio_read(NULL, p, 100, &data, &len, &st, err, sizeof(err)), FILEIO_OK);
	assert_int_equal(len, 9);
	assert_memory_equal(data, "a = b\n\0c\n", 9);
	assert_int_equal(data[9], '\0');
	free(data);
	assert_int_equal(fileio_stat(NULL, p, &st2, err, sizeof(err)), FILEIO_OK);
	assert_true(fileio_stat_equal(&st, &st2));

	/* the identity is remembered per path, without I/O */
	{
		struct fileio_stat id;
		struct timespec ts[2];

		assert_true(fileio_identity(p, &id));
		assert_true(fileio_stat_equal(&id, &st));
		/* same content, size and mtime rewritten: ctime tells them apart
		 * (file times advance in clock ticks: wait more than one) */
		usleep(30000);
		write_file(p, "a = b\n\0c\n", 9);
		ts[0] = st.mtime;
		ts[1] = st.mtime;
		assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0);
		assert_int_equal(fileio_stat(NULL, p, &st2, err, sizeof(err)), FILEIO_OK);
		assert_int_equal(st2.size, st.size);
		assert_int_equal(st2.mtime.tv_nsec, st.mtime.tv_nsec);
		assert_false(st2.ctime.tv_sec == st.ctime.tv_sec && st2.ctime.tv_nsec == st.ctime.tv_nsec);
		assert_false(fileio_stat_equal(&st, &st2));
		assert_true(fileio_identity(p, &id));
		assert_true(fileio_stat_equal(&id, &st2));
		/* a failed read forgets the path; an unknown path is unknown */
		assert_int_equal(fileio_read(NULL, p, 4, &data, &len, NULL, err, sizeof(err)), FILEIO_ERROR);
		assert_false(fileio_identity(p, &id));
		assert_false(fileio_identity("/nonexistent/never/read", &id));
		assert_int_equal(fileio_stat(NULL, p, &st2, err, sizeof(err)), FILEIO_OK);
		assert_true(fileio_identity(p, &id));
	}

	/* too large */
	assert_int_equal(fileio_read(NULL, p, 8, &data, &len, NULL, err, sizeof(err)), FILEIO_ERROR);
	assert_non_null(strstr(err, "too large"));
	assert_null(data);

	/* absent, and a missing parent directory */
	snprintf(q, sizeof(q), "%s/nope", tmpdir);
	assert_int_equal(fileio_read(NULL, q, 100, &data, &len, NULL, err, sizeof(err)), FILEIO_ABSENT);
	snprintf(q, sizeof(q), "%s/main.cf/below", tmpdir);
	assert_int_equal(fileio_read(NULL, q, 100, &data, &len, NULL, err, sizeof(err)), FILEIO_ABSENT);

	/* a directory in place of a file */
	snprintf(q, sizeof(q), "%s/dir", tmpdir);
	assert_int_equal(mkdir(q, 0700), 0);
	assert_int_equal(fileio_read(NULL, q, 100, &data, &len, NULL, err, sizeof(err)), FILEIO_ERROR);
	assert_non_null(strstr(err, "directory"));

	/* a symlink loop */
	snprintf(q, sizeof(q), "%s/loop", tmpdir);
	assert_int_equal(symlink(q, q), 0);
	assert_int_equal(fileio_read(NULL, q, 100, &data, &len, NULL, err, sizeof(err)), FILEIO_ERROR);
	assert_non_null(strstr(err, "symbolic links"));

	/* a FIFO does not block */
	snprintf(q, sizeof(q), "%s/fifo", tmpdir);
	assert_int_equal(mkfifo(q, 0600), 0);
	assert_int_equal(fileio_read(NULL, q, 100, &data, &len, NULL, err, sizeof(err)), FILEIO_ERROR);
	assert_non_null(strstr(err, "regular"));

	/* empty file */
	snprintf(q, sizeof(q), "%s/empty", tmpdir);
	write_file(q, "", 0);
	assert_int_equal(fileio_read(NULL, q, 100, &data, &len, NULL, err, sizeof(err)), FILEIO_OK);
	assert_int_equal(len, 0);
	assert_string_equal(data, "");
	free(data);

	/* unreadable (only meaningful when not root) */
	if (geteuid() != 0) {
		snprintf(q, sizeof(q), "%s/secret", tmpdir);
		write_file(q, "x", 1);
		chmod(q, 0);
		assert_int_equal(fileio_read(NULL, q, 100, &data, &len, NULL, err, sizeof(err)), FILEIO_ERROR);
		assert_non_null(strstr(err, "Permission denied"));
	}
}

/* ------------------------------------------------------------ inside a root */

static char root[128];

static void
mk(const char *rel, const char *content)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	write_file(p, content, strlen(content));
}

static void
ln(const char *target, const char *rel)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	assert_int_equal(symlink(target, p), 0);
}

static void
md(const char *rel)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

/*
 * The tree: <tmp>/outside/secret ("OUTSIDE") is the host's, never to be
 * reached; <tmp>/root is the root, with etc/secret ("INSIDE") and
 * etc/postfix/main.cf ("MAIN") and symlinks of every kind next to them.
 */
static int
setup_root(void **state)
{
	char p[256], target[256];

	if (setup_tmp(state) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/outside", tmpdir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/outside/secret", tmpdir);
	write_file(p, "OUTSIDE", 7);
	snprintf(root, sizeof(root), "%s/root", tmpdir);
	mkdir(root, 0755);
	md("etc");
	md("etc/postfix");
	md("etc/postfix/dir");
	mk("etc/secret", "INSIDE");
	mk("etc/postfix/main.cf", "MAIN");
	ln("/etc/secret", "etc/postfix/abs");
	ln("../../../../../../../../etc/secret", "etc/postfix/rel");
	snprintf(target, sizeof(target), "%s/outside/secret", tmpdir);
	ln(target, "etc/postfix/hostabs");		/* a host path: not inside the root */
	ln("/etc", "etc/postfix/dirlink");
	ln("chain2", "etc/postfix/chain1");
	ln("/etc/postfix/abs", "etc/postfix/chain2");
	ln("..", "etc/postfix/up");
	ln("loop", "etc/postfix/loop");
	ln("/nope", "etc/postfix/dangling");
	snprintf(p, sizeof(p), "%s/etc/postfix/fifo", root);
	mkfifo(p, 0600);
	/* l0 -> l1 -> ... -> l40 -> main.cf: "l1" takes 40 links, "l0" 41 */
	for (int i = 0; i <= 40; i++) {
		char name[64], to[64];

		snprintf(name, sizeof(name), "etc/postfix/l%d", i);
		if (i == 40)
			snprintf(to, sizeof(to), "main.cf");
		else
			snprintf(to, sizeof(to), "l%d", i + 1);
		ln(to, name);
	}
	return 0;
}

enum want { W_READ, W_ABSENT, W_ERROR, W_DIR };

static const struct root_case {
	const char *path;
	enum want want;
	const char *what;	/* W_READ: the content; W_ERROR: part of the reason */
} root_cases[] = {
	{ "/etc/postfix/main.cf", W_READ, "MAIN" },
	{ "etc/postfix/main.cf", W_READ, "MAIN" },
	{ "/etc/./postfix//main.cf", W_READ, "MAIN" },
	{ "/etc/postfix/../postfix/main.cf", W_READ, "MAIN" },
	{ "/etc/postfix/abs", W_READ, "INSIDE" },		/* absolute symlink: from the root */
	{ "/etc/postfix/rel", W_READ, "INSIDE" },		/* "../" past the root stops at it */
	{ "/../../etc/secret", W_READ, "INSIDE" },
	{ "/etc/../../../../etc/secret", W_READ, "INSIDE" },
	{ "/etc/postfix/up/../../../etc/secret", W_READ, "INSIDE" },
	{ "/etc/postfix/dirlink/secret", W_READ, "INSIDE" },
	{ "/etc/postfix/dirlink/postfix/abs", W_READ, "INSIDE" },
	{ "/etc/postfix/chain1", W_READ, "INSIDE" },
	{ "/etc/postfix/l1", W_READ, "MAIN" },			/* 40 symlinks: allowed */
	{ "/etc/postfix/l0", W_ERROR, "symbolic links" },	/* 41: ELOOP, as the kernel */
	{ "/etc/postfix/hostabs", W_ABSENT, NULL },		/* <root>/<tmp>/outside/secret */
	{ "/etc/postfix/dangling", W_ABSENT, NULL },
	{ "/etc/postfix/nope", W_ABSENT, NULL },
	{ "/etc/postfix/main.cf/", W_ABSENT, NULL },		/* ENOTDIR */
	{ "/etc/postfix/main.cf/x", W_ABSENT, NULL },
	{ "/etc/postfix/chain1/", W_ABSENT, NULL },		/* a symlink to a file, with "/" */
	{ "/etc/postfix/loop", W_ERROR, "symbolic links" },
	{ "/etc/postfix/fifo", W_ERROR, "regular" },		/* and it did not block */
	{ "/etc/postfix/dir", W_ERROR, "directory" },
	{ "/etc/postfix/dirlink", W_DIR, NULL },
	{ "/etc/postfix/up", W_DIR, NULL },
	{ "/", W_DIR, NULL },
	{ "/..", W_DIR, NULL },
};

static void
check_root_cases(const char *mode)
{
	for (size_t i = 0; i < sizeof(root_cases) / sizeof(root_cases[0]); i++) {
		const struct root_case *c = &root_cases[i];
		char err[256] = "", *data = NULL, full[512];
		enum fileio_result r;
		struct fileio_stat id;
		size_t len = 0;
		DIR *d = NULL;

		if (c->want == W_DIR) {
			r = fileio_opendir(root, c->path, &d, err, sizeof(err));
			if (r != FILEIO_OK)
				fail_msg("%s: opendir %s: %d %s", mode, c->path, r, err);
			closedir(d);
			r = fileio_read(root, c->path, 100, &data, &len, NULL, err, sizeof(err));
			if (r != FILEIO_ERROR || strstr(err, "directory") == NULL)
				fail_msg("%s: read of directory %s: %d %s", mode, c->path, r, err);
			continue;
		}
		r = fileio_read(root, c->path, 100, &data, &len, NULL, err, sizeof(err));
		switch (c->want) {
		case W_READ:
			if (r != FILEIO_OK || strcmp(data, c->what) != 0)
				fail_msg("%s: %s: %d %s, want \"%s\"", mode, c->path, r,
					 r == FILEIO_OK ? data : err, c->what);
			/* the identity is keyed by the joined path the log shows */
			assert_non_null(fileio_path(root, c->path, full, sizeof(full)));
			assert_true(fileio_identity(full, &id));
			free(data);
			break;
		case W_ABSENT:
			if (r != FILEIO_ABSENT)
				fail_msg("%s: %s: %d %s, want absent", mode, c->path, r, err);
			break;
		case W_ERROR:
			if (r != FILEIO_ERROR || strstr(err, c->what) == NULL)
				fail_msg("%s: %s: %d \"%s\", want error \"%s\"", mode, c->path, r, err,
					 c->what);
			break;
		case W_DIR:
			break;
		}
		if (c->want == W_DIR)
			continue;
		/* fileio_stat resolves the same way */
		r = fileio_stat(root, c->path, &id, err, sizeof(err));
		if ((c->want == W_READ) != (r == FILEIO_OK))
			fail_msg("%s: stat %s: %d %s", mode, c->path, r, err);
	}
}

static void
test_root_openat2(void **state)
{
	unsetenv("MTA_EXPORTER_NO_OPENAT2");
	check_root_cases("openat2");
}

static void
test_root_userspace(void **state)
{
	setenv("MTA_EXPORTER_NO_OPENAT2", "1", 1);
	check_root_cases("user space");
	unsetenv("MTA_EXPORTER_NO_OPENAT2");
}

/* Root "/" and "" join like fileio_path and follow symlinks on the host, as before. */
static void
test_root_slash(void **state)
{
	char p[256], err[256], *data;
	size_t len;

	snprintf(p, sizeof(p), "%s/etc/postfix/hostabs", root);
	assert_int_equal(fileio_read("/", p, 100, &data, &len, NULL, err, sizeof(err)), FILEIO_OK);
	assert_string_equal(data, "OUTSIDE");
	free(data);
	assert_int_equal(fileio_read("", p + 1, 100, &data, &len, NULL, err, sizeof(err)), FILEIO_OK);
	assert_string_equal(data, "OUTSIDE");
	free(data);
	/* an absent root is an absent file */
	assert_int_equal(fileio_read("/nonexistent-root", "/etc/x", 100, &data, &len, NULL, err,
				     sizeof(err)), FILEIO_ABSENT);
}

static void
test_write_atomic(void **state)
{
	char p[256], tmp[300], err[256], *data;
	size_t len;

	snprintf(p, sizeof(p), "%s/out.prom", tmpdir);
	assert_int_equal(fileio_write_atomic(p, "one\n", 4), 0);
	assert_int_equal(fileio_write_atomic(p, "two\n", 4), 0);
	assert_int_equal(fileio_read(NULL, p, 100, &data, &len, NULL, err, sizeof(err)), FILEIO_OK);
	assert_string_equal(data, "two\n");
	free(data);
	/* a FIFO planted where the temporary file goes neither blocks nor is written */
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", p, (long)getpid());
	assert_int_equal(mkfifo(tmp, 0600), 0);
	assert_int_equal(fileio_write_atomic(p, "three\n", 6), 0);
	assert_int_equal(fileio_read(NULL, p, 100, &data, &len, NULL, err, sizeof(err)), FILEIO_OK);
	assert_string_equal(data, "three\n");
	free(data);
	/* a directory that does not exist */
	snprintf(p, sizeof(p), "%s/no/such/dir/out.prom", tmpdir);
	assert_int_equal(fileio_write_atomic(p, "x", 1), -1);
	assert_int_equal(errno, ENOENT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fileio, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_root_openat2, setup_root, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_root_userspace, setup_root, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_root_slash, setup_root, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_write_atomic, setup_tmp, teardown_tmp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

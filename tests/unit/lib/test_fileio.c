/*
 * test_fileio.c - bounded file reads (too large, absent, directories,
 * symlink loops, FIFOs, empty and unreadable files), rootfs path joining,
 * and the identities fileio records (logging: test_log.c).
 */
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
	assert_int_equal(fileio_read(p, 100, &data, &len, &st, err, sizeof(err)), FILEIO_OK);
	assert_int_equal(len, 9);
	assert_memory_equal(data, "a = b\n\0c\n", 9);
	assert_int_equal(data[9], '\0');
	free(data);
	assert_int_equal(fileio_stat(p, &st2, err, sizeof(err)), FILEIO_OK);
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
		assert_int_equal(fileio_stat(p, &st2, err, sizeof(err)), FILEIO_OK);
		assert_int_equal(st2.size, st.size);
		assert_int_equal(st2.mtime.tv_nsec, st.mtime.tv_nsec);
		assert_false(st2.ctime.tv_sec == st.ctime.tv_sec && st2.ctime.tv_nsec == st.ctime.tv_nsec);
		assert_false(fileio_stat_equal(&st, &st2));
		assert_true(fileio_identity(p, &id));
		assert_true(fileio_stat_equal(&id, &st2));
		/* a failed read forgets the path; an unknown path is unknown */
		assert_int_equal(fileio_read(p, 4, &data, &len, NULL, err, sizeof(err)), FILEIO_ERROR);
		assert_false(fileio_identity(p, &id));
		assert_false(fileio_identity("/nonexistent/never/read", &id));
		assert_int_equal(fileio_stat(p, &st2, err, sizeof(err)), FILEIO_OK);
		assert_true(fileio_identity(p, &id));
	}

	/* too large */
	assert_int_equal(fileio_read(p, 8, &data, &len, NULL, err, sizeof(err)), FILEIO_ERROR);
	assert_non_null(strstr(err, "too large"));
	assert_null(data);

	/* absent, and a missing parent directory */
	snprintf(q, sizeof(q), "%s/nope", tmpdir);
	assert_int_equal(fileio_read(q, 100, &data, &len, NULL, err, sizeof(err)), FILEIO_ABSENT);
	snprintf(q, sizeof(q), "%s/main.cf/below", tmpdir);
	assert_int_equal(fileio_read(q, 100, &data, &len, NULL, err, sizeof(err)), FILEIO_ABSENT);

	/* a directory in place of a file */
	snprintf(q, sizeof(q), "%s/dir", tmpdir);
	assert_int_equal(mkdir(q, 0700), 0);
	assert_int_equal(fileio_read(q, 100, &data, &len, NULL, err, sizeof(err)), FILEIO_ERROR);
	assert_non_null(strstr(err, "directory"));

	/* a symlink loop */
	snprintf(q, sizeof(q), "%s/loop", tmpdir);
	assert_int_equal(symlink(q, q), 0);
	assert_int_equal(fileio_read(q, 100, &data, &len, NULL, err, sizeof(err)), FILEIO_ERROR);
	assert_non_null(strstr(err, "symbolic links"));

	/* a FIFO does not block */
	snprintf(q, sizeof(q), "%s/fifo", tmpdir);
	assert_int_equal(mkfifo(q, 0600), 0);
	assert_int_equal(fileio_read(q, 100, &data, &len, NULL, err, sizeof(err)), FILEIO_ERROR);
	assert_non_null(strstr(err, "regular"));

	/* empty file */
	snprintf(q, sizeof(q), "%s/empty", tmpdir);
	write_file(q, "", 0);
	assert_int_equal(fileio_read(q, 100, &data, &len, NULL, err, sizeof(err)), FILEIO_OK);
	assert_int_equal(len, 0);
	assert_string_equal(data, "");
	free(data);

	/* unreadable (only meaningful when not root) */
	if (geteuid() != 0) {
		snprintf(q, sizeof(q), "%s/secret", tmpdir);
		write_file(q, "x", 1);
		chmod(q, 0);
		assert_int_equal(fileio_read(q, 100, &data, &len, NULL, err, sizeof(err)), FILEIO_ERROR);
		assert_non_null(strstr(err, "Permission denied"));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fileio, setup_tmp, teardown_tmp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

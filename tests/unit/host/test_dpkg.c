/*
 * test_dpkg.c - a package's version from dpkg's status text: installed
 * and held stanzas, removed ones, case-insensitive field names,
 * continuation lines, prefixes of other names, empty text and a short
 * output buffer; and dpkg_version() on a fixture root: the status file is
 * read again only when its identity changes or for a package not asked
 * for yet, "not installed" is remembered too, and the cache stays bounded.
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

#include "collectors/host/dpkg.h"

static const char exim_status[] =
	"Package: exim4-base\nStatus: install ok installed\nVersion: 4.96-15+deb12u10\n"
	"Description: x\n continuation\n\n"
	"Package: exim4-daemon-light\nStatus: deinstall ok config-files\nVersion: 4.94\n\n"
	"Package: exim4-config\nstatus: hold ok installed\nversion: 4.96-15\n";

static const char postfix_status[] =
	"Package: postfix-pcre\nStatus: install ok installed\nVersion: 9.9\n\n"
	"Package: exim4\nStatus: deinstall ok config-files\nVersion: 4.96-15\n\n"
	"Package: postfix\nStatus: install ok installed\nPriority: optional\n"
	"Description: x\n multi-line\n .\nVersion: 3.7.11-0+deb12u1\n";

static void
test_status_version(void **state)
{
	static const struct {
		const char *status;
		const char *package;
		size_t outlen;
		int rc;
		const char *version;	/* when rc is 0 */
	} cases[] = {
		{ exim_status, "exim4-base", 64, 0, "4.96-15+deb12u10" },
		{ exim_status, "exim4-daemon-light", 64, -1, NULL },	/* config-files only */
		{ exim_status, "exim4-config", 64, 0, "4.96-15" },	/* held; lower-case fields */
		{ exim_status, "exim4", 64, -1, NULL },			/* a prefix of other names */
		{ postfix_status, "postfix", 64, 0, "3.7.11-0+deb12u1" },	/* after a continuation */
		{ postfix_status, "exim4", 64, -1, NULL },
		{ postfix_status, "sendmail", 64, -1, NULL },
		{ "", "postfix", 64, -1, NULL },
		{ postfix_status, "postfix", 4, 0, "3.7" },		/* cut to the buffer */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char v[64];
		int rc = dpkg_status_version(cases[i].status, strlen(cases[i].status),
					     cases[i].package, v, cases[i].outlen);

		if (rc != cases[i].rc)
			fail_msg("case %zu (%s): rc %d, want %d", i, cases[i].package, rc, cases[i].rc);
		if (rc == 0 && strcmp(v, cases[i].version) != 0)
			fail_msg("case %zu (%s): version \"%s\", want \"%s\"", i, cases[i].package, v,
				 cases[i].version);
	}
}

/* Write root/var/lib/dpkg/status anew (a new inode: a new identity). */
static void
put_status(const char *root, const char *text)
{
	char path[512], tmp[512];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s/var/lib/dpkg/status.new", root);
	snprintf(path, sizeof(path), "%s/var/lib/dpkg/status", root);
	assert_non_null(f = fopen(tmp, "w"));
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(rename(tmp, path), 0);
}

static void
test_version_cache(void **state)
{
	char root[] = "/tmp/test_dpkg.XXXXXX", path[512], v[64];
	unsigned long r0;

	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/var", root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/var/lib", root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/var/lib/dpkg", root);
	assert_int_equal(mkdir(path, 0755), 0);
	dpkg_cache_clear();
	r0 = dpkg_reads();

	assert_int_equal(dpkg_version(root, "postfix", v, sizeof(v)), -1);	/* no status file */
	assert_int_equal(dpkg_reads(), r0);
	put_status(root, postfix_status);
	assert_int_equal(dpkg_version(root, "postfix", v, sizeof(v)), 0);
	assert_string_equal(v, "3.7.11-0+deb12u1");
	assert_int_equal(dpkg_reads(), r0 + 1);
	assert_int_equal(dpkg_version(root, "postfix", v, sizeof(v)), 0);	/* unchanged: cached */
	assert_int_equal(dpkg_reads(), r0 + 1);
	assert_int_equal(dpkg_version(root, "exim4", v, sizeof(v)), -1);	/* new package: read */
	assert_int_equal(dpkg_reads(), r0 + 2);
	assert_int_equal(dpkg_version(root, "exim4", v, sizeof(v)), -1);	/* "not installed" kept */
	assert_int_equal(dpkg_reads(), r0 + 2);

	put_status(root, exim_status);	/* changed: everything read again */
	assert_int_equal(dpkg_version(root, "postfix", v, sizeof(v)), -1);
	assert_int_equal(dpkg_version(root, "exim4-base", v, sizeof(v)), 0);
	assert_string_equal(v, "4.96-15+deb12u10");
	assert_int_equal(dpkg_reads(), r0 + 4);

	/* more packages than the cache holds: still right, still bounded */
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < DPKG_CACHE_PACKAGES + 4; i++) {
			char pkg[32];

			snprintf(pkg, sizeof(pkg), "nosuch%d", i);
			assert_int_equal(dpkg_version(root, pkg, v, sizeof(v)), -1);
		}
	assert_int_equal(dpkg_version(root, "exim4-config", v, sizeof(v)), 0);
	assert_string_equal(v, "4.96-15");

	snprintf(path, sizeof(path), "%s/var/lib/dpkg/status", root);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(dpkg_version(root, "exim4-config", v, sizeof(v)), -1);	/* removed */
	dpkg_cache_clear();
	snprintf(path, sizeof(path), "%s/var/lib/dpkg", root);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/var/lib", root);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/var", root);
	rmdir(path);
	rmdir(root);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_version),
		cmocka_unit_test(test_version_cache),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

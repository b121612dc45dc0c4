/*
 * test_dpkg.c - a package's version from dpkg's status text: installed
 * and held stanzas, removed ones, case-insensitive field names,
 * continuation lines, prefixes of other names, empty text and a short
 * output buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_version),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

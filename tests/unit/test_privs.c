/*
 * test_privs.c - the web-security and privilege flags (--web.config.file,
 * --web.systemd-socket, --runas, the connection-limit default) and the
 * capability set derived from the enabled collectors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <linux/capability.h>

#include "collectors/core/collector.h"
#include "exporter/options.h"
#include "exporter/privs.h"

static int
parse(struct options *o, int argc, const char **args)
{
	char *argv[8];

	argv[0] = (char *)"mta_exporter";
	for (int i = 0; i < argc; i++)
		argv[i + 1] = (char *)(uintptr_t)args[i];
	argv[argc + 1] = NULL;
	return options_parse(o, argc + 1, argv);
}

static void
test_flags(void **state)
{
	static const struct {
		const char *args[3];
		int argc, rc;
		const char *cfg, *runas, *err;
		bool sd;
	} cases[] = {
		{ { NULL }, 0, 0, NULL, NULL, NULL, false },
		{ { "--web.config.file=/etc/w.yml" }, 1, 0, "/etc/w.yml", NULL, NULL, false },
		{ { "--web.config.file", "w.yml" }, 2, 0, "w.yml", NULL, NULL, false },
		{ { "--web.config.file=" }, 1, -1, NULL, NULL, "--web.config.file: empty file name", false },
		{ { "--web.config.file" }, 1, -1, NULL, NULL, "--web.config.file needs a value", false },
		{ { "--web.systemd-socket" }, 1, 0, NULL, NULL, NULL, true },
		{ { "--web.systemd-socket=true" }, 1, -1, NULL, NULL, "--web.systemd-socket takes no value", false },
		{ { "--runas=mta" }, 1, 0, NULL, "mta", NULL, false },
		{ { "--runas", "nobody" }, 2, 0, NULL, "nobody", NULL, false },
		{ { "--runas=" }, 1, -1, NULL, NULL, "--runas: empty user name", false },
	};
	struct options o;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = parse(&o, cases[i].argc, (const char **)cases[i].args);

		if (rc != cases[i].rc)
			fail_msg("case %zu: rc %d (%s)", i, rc, o.error);
		if (rc < 0) {
			if (strstr(o.error, cases[i].err) == NULL)
				fail_msg("case %zu: error \"%s\" lacks \"%s\"", i, o.error, cases[i].err);
			continue;
		}
		if ((cases[i].cfg == NULL) != (o.web_config_file == NULL) ||
		    (cases[i].cfg && strcmp(cases[i].cfg, o.web_config_file) != 0))
			fail_msg("case %zu: web_config_file", i);
		if ((cases[i].runas == NULL) != (o.runas == NULL) ||
		    (cases[i].runas && strcmp(cases[i].runas, o.runas) != 0))
			fail_msg("case %zu: runas", i);
		if (o.systemd_socket != cases[i].sd)
			fail_msg("case %zu: systemd_socket", i);
		assert_int_equal(o.max_connections, 4096);
		assert_int_equal(o.max_connections_per_ip, 16);
	}
}

static void
test_caps(void **state)
{
	struct options o;
	const char *none[] = { "--collector.disable-defaults" };
	uint64_t want = 0;

	assert_int_equal(parse(&o, 1, none), 0);
	assert_int_equal(privs_needed_caps(&o), 0);	/* nothing enabled: nothing kept */
	assert_int_equal(parse(&o, 0, none), 0);
	for (size_t i = 0; i < collector_count; i++)
		if (o.env.enabled[i] && strcmp(collector_table[i]->name, "listeners") == 0)
			want = (1ull << CAP_SYS_PTRACE) | (1ull << CAP_DAC_READ_SEARCH);
	assert_int_equal(privs_needed_caps(&o), want);
}

static void
test_drop_errors(void **state)
{
	char err[256];

	if (geteuid() != 0) {
		assert_int_equal(privs_drop("nobody", 0, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "needs to be started as root"));
	}
	/* privs_drop(NULL) would set no_new_privs on the test process; the
	 * e2e test (privileges.sh) checks it on the real binary. */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_drop_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

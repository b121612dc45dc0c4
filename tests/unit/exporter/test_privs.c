/*
 * test_privs.c - the capability set derived from the enabled collectors,
 * and privs_drop()'s refusal when not started as root (parsing of the
 * privilege flags: test_options.c).
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
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_drop_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

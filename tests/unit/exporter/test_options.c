/*
 * test_options.c - command-line parsing: defaults, every flag form, the
 * web-security and privilege flags (--web.config.file,
 * --web.systemd-socket, --runas, the connection-limit defaults), and
 * errors that must exit 2 with a message naming the flag.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "collectors/core/collector.h"
#include "exporter/options.h"

#define MAXARGS 16

static int
parse(struct options *o, const char *const *args)
{
	char *argv[MAXARGS + 1];
	int argc = 0;

	argv[argc++] = (char *)"mta_exporter";
	for (; *args && argc < MAXARGS; args++)
		argv[argc++] = (char *)(uintptr_t)*args;
	argv[argc] = NULL;
	return options_parse(o, argc, argv);
}

static void
test_defaults(void **state)
{
	struct options o;
	const char *none[] = { NULL };

	assert_int_equal(parse(&o, none), 0);
	assert_int_equal(o.mode, MODE_SERVE);
	assert_int_equal(o.n_listen, 1);
	assert_string_equal(o.listen[0], OPTIONS_DEFAULT_LISTEN);
	assert_string_equal(o.telemetry_path, "/metrics");
	assert_string_equal(o.env.rootfs, "/");
	assert_string_equal(o.env.procfs, "/proc");
	assert_int_equal(o.log_level, LOG_LEVEL_INFO);
	assert_int_equal(o.log_format, LOG_FORMAT_LOGFMT);
	assert_false(o.disable_exporter_metrics);
	for (size_t i = 0; i < collector_count; i++)
		assert_int_equal(o.env.enabled[i], collector_table[i]->default_enabled);
}

static void
test_valid(void **state)
{
	struct options o;
	const char *a1[] = { "--web.listen-address=127.0.0.1:1", "--web.listen-address", "[::1]:2",
			     "--web.telemetry-path=/m", "--path.rootfs", "/host", "--path.procfs=/host/proc",
			     "--log.level=debug", "--log.format", "json", NULL };
	const char *a2[] = { "--once", NULL };
	const char *a3[] = { "--once=/tmp/x.prom", NULL };
	const char *a4[] = { "--version", "--bogus-ignored?", NULL };
	const char *a5[] = { "-h", NULL };
	const char *a6[] = { "--web.max-connections=10", "--web.max-connections-per-ip=2",
			     "--web.connection-timeout=3", "--web.max-body-bytes=4096", NULL };
	const char *a7[] = { "--web.disable-exporter-metrics", NULL };

	assert_int_equal(parse(&o, a1), 0);
	assert_int_equal(o.n_listen, 2);
	assert_string_equal(o.listen[0], "127.0.0.1:1");
	assert_string_equal(o.listen[1], "[::1]:2");
	assert_string_equal(o.telemetry_path, "/m");
	assert_string_equal(o.env.rootfs, "/host");
	assert_string_equal(o.env.procfs, "/host/proc");
	assert_int_equal(o.log_level, LOG_LEVEL_DEBUG);
	assert_int_equal(o.log_format, LOG_FORMAT_JSON);

	assert_int_equal(parse(&o, a2), 0);
	assert_int_equal(o.mode, MODE_ONCE);
	assert_null(o.once_file);
	assert_int_equal(parse(&o, a3), 0);
	assert_int_equal(o.mode, MODE_ONCE);
	assert_string_equal(o.once_file, "/tmp/x.prom");
	/* an unknown flag is still an error even next to --version */
	assert_int_equal(parse(&o, a4), -1);
	assert_int_equal(parse(&o, a5), 0);
	assert_int_equal(o.mode, MODE_HELP);
	assert_int_equal(parse(&o, a6), 0);
	assert_int_equal(o.max_connections, 10);
	assert_int_equal(o.max_connections_per_ip, 2);
	assert_int_equal(o.connection_timeout_s, 3);
	assert_int_equal(o.max_body_bytes, 4096);
	assert_int_equal(parse(&o, a7), 0);
	assert_true(o.disable_exporter_metrics);
}

static void
test_errors(void **state)
{
	static const struct {
		const char *args[4];
		const char *msg_part;
	} cases[] = {
		{ { "--nope", NULL }, "--nope" },
		{ { "positional", NULL }, "positional" },
		{ { "--log.level=loud", NULL }, "log.level" },
		{ { "--log.format=xml", NULL }, "log.format" },
		{ { "--web.telemetry-path=metrics", NULL }, "web.telemetry-path" },
		{ { "--web.telemetry-path=/", NULL }, "web.telemetry-path" },
		{ { "--web.listen-address", NULL }, "needs a value" },
		{ { "--web.max-connections=0", NULL }, "web.max-connections" },
		{ { "--web.max-connections=12x", NULL }, "web.max-connections" },
		{ { "--web.connection-timeout=-1", NULL }, "web.connection-timeout" },
		{ { "--collector.nonexistent", NULL }, "nonexistent" },
		{ { "--no-collector.nonexistent", NULL }, "nonexistent" },
		{ { "--version=1", NULL }, "takes no value" },
		{ { "--web.disable-exporter-metrics=true", NULL }, "takes no value" },
		{ { "--once=", NULL }, "once" },
		{ { "--", NULL }, "--" },
	};
	struct options o;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(&o, cases[i].args), -1);
		if (strstr(o.error, cases[i].msg_part) == NULL)
			fail_msg("case %zu: error \"%s\" does not mention \"%s\"", i, o.error, cases[i].msg_part);
	}
}

static void
test_collector_switches(void **state)
{
	struct options o;
	char on[64], off[64];
	const char *dd[] = { "--collector.disable-defaults", NULL };

	assert_int_equal(parse(&o, dd), 0);
	for (size_t i = 0; i < collector_count; i++)
		assert_false(o.env.enabled[i]);
	for (size_t i = 0; i < collector_count; i++) {
		const char *a1[] = { on, "--collector.disable-defaults", NULL };
		const char *a2[] = { off, NULL };

		snprintf(on, sizeof(on), "--collector.%s", collector_table[i]->name);
		snprintf(off, sizeof(off), "--no-collector.%s", collector_table[i]->name);
		/* explicit enable wins over disable-defaults, whatever the order */
		assert_int_equal(parse(&o, a1), 0);
		for (size_t j = 0; j < collector_count; j++)
			assert_int_equal(o.env.enabled[j], j == i);
		assert_int_equal(parse(&o, a2), 0);
		assert_false(o.env.enabled[i]);
	}
	/* Collector flags: defaults restored, both forms accepted, unknown refused. */
	for (size_t i = 0; i < collector_count; i++) {
		for (const struct collector_flag *f = collector_table[i]->flags; f && f->name; f++) {
			char eq[160], name[160];
			const char *a1[] = { eq, NULL };
			const char *a2[] = { name, "v2", NULL };
			const char *none[] = { NULL };

			snprintf(eq, sizeof(eq), "--%s=v1", f->name);
			snprintf(name, sizeof(name), "--%s", f->name);
			assert_int_equal(parse(&o, a1), 0);
			assert_string_equal(*f->value, "v1");
			assert_int_equal(parse(&o, a2), 0);
			assert_string_equal(*f->value, "v2");
			assert_int_equal(parse(&o, none), 0);
			assert_string_equal(*f->value, f->defval);
		}
	}
}

static void
test_privilege_flags(void **state)
{
	static const struct {
		const char *args[3];	/* at most 2, NULL-terminated */
		int rc;
		const char *cfg, *runas, *err;
		bool sd;
	} cases[] = {
		{ { NULL }, 0, NULL, NULL, NULL, false },
		{ { "--web.config.file=/etc/w.yml" }, 0, "/etc/w.yml", NULL, NULL, false },
		{ { "--web.config.file", "w.yml" }, 0, "w.yml", NULL, NULL, false },
		{ { "--web.config.file=" }, -1, NULL, NULL, "--web.config.file: empty file name", false },
		{ { "--web.config.file" }, -1, NULL, NULL, "--web.config.file needs a value", false },
		{ { "--web.systemd-socket" }, 0, NULL, NULL, NULL, true },
		{ { "--web.systemd-socket=true" }, -1, NULL, NULL, "--web.systemd-socket takes no value", false },
		{ { "--runas=mta" }, 0, NULL, "mta", NULL, false },
		{ { "--runas", "nobody" }, 0, NULL, "nobody", NULL, false },
		{ { "--runas=" }, -1, NULL, NULL, "--runas: empty user name", false },
	};
	struct options o;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = parse(&o, cases[i].args);

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
		assert_int_equal(o.max_connections, 512);
		assert_int_equal(o.max_connections_per_ip, 16);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_privilege_flags),
		cmocka_unit_test(test_collector_switches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

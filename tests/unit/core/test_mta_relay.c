/*
 * test_mta_relay.c - the relay rules every MTA shares: a service whose
 * endpoints are all loopback is closed whatever its configuration answers,
 * a config_error stays, a service reachable elsewhere (or with no known
 * endpoint) keeps its MTA's verdict; and the framework applies the rule to
 * the MTA a collector fills (scrape_collector()).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "collectors/core/mta.h"
#include "collectors/core/mta_relay.h"
#include "collectors/core/scrape.h"

struct ep {
	const char *service;
	const char *addr;	/* NULL: a host name (not numeric) */
};

static void
fill(struct mta_facts *mf, const struct ep *eps, struct mta_endpoint *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].instance = "";
		out[i].service = eps[i].service;
		out[i].address = eps[i].addr ? eps[i].addr : "mail.example.org";
		if (eps[i].addr) {
			assert_int_equal(inaddr_parse(eps[i].addr, &out[i].addr), 0);
			out[i].numeric = true;
			out[i].loopback = inaddr_is_loopback(&out[i].addr);
			out[i].wildcard = inaddr_is_wildcard(&out[i].addr);
		}
		out[i].port = 25;
	}
	mf->endpoints = out;
	mf->n_endpoints = n;
}

static void
test_loopback_rule(void **state)
{
	static const struct {
		const char *name;
		struct ep eps[3];
		size_t n_eps;
		enum relay_verdict own;
		enum relay_verdict want;
		const char *want_reason;	/* NULL: the MTA's own */
	} cases[] = {
		{ "open on 127.0.0.1 and ::1", { { "smtp", "127.0.0.1" }, { "smtp", "::1" } }, 2,
		  RELAY_OPEN, RELAY_CLOSED, "loopback_only" },
		{ "undetermined on 127.0.0.2", { { "smtp", "127.0.0.2" } }, 1,
		  RELAY_UNDETERMINED, RELAY_CLOSED, "loopback_only" },
		{ "closed stays closed, reason loopback", { { "smtp", "::ffff:127.0.0.1" } }, 1,
		  RELAY_CLOSED, RELAY_CLOSED, "loopback_only" },
		{ "a config error stays", { { "smtp", "127.0.0.1" } }, 1,
		  RELAY_CONFIG_ERROR, RELAY_CONFIG_ERROR, NULL },
		{ "one endpoint beyond loopback", { { "smtp", "127.0.0.1" }, { "smtp", "192.0.2.1" } },
		  2, RELAY_OPEN, RELAY_OPEN, NULL },
		{ "the wildcard", { { "smtp", "0.0.0.0" } }, 1, RELAY_OPEN, RELAY_OPEN, NULL },
		{ "a host name is not known to be loopback", { { "smtp", NULL } }, 1,
		  RELAY_OPEN, RELAY_OPEN, NULL },
		{ "no endpoint of that service", { { "submission", "127.0.0.1" } }, 1,
		  RELAY_OPEN, RELAY_OPEN, NULL },
	};
	struct arena ar;

	(void)state;
	arena_init(&ar, 1u << 20);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mta_facts mf = { .detected = true, .collected = true };
		struct mta_endpoint eps[3];
		struct mta_relay rl = { "", "smtp", cases[i].own, "own_reason", "own detail" };

		fill(&mf, cases[i].eps, eps, cases[i].n_eps);
		mf.relays = &rl;
		mf.n_relays = 1;
		mta_relay_settle(&mf, &ar);
		if (rl.verdict != cases[i].want)
			fail_msg("%s: verdict %s, want %s", cases[i].name, relay_verdict_name(rl.verdict),
				 relay_verdict_name(cases[i].want));
		assert_string_equal(rl.reason, cases[i].want_reason ? cases[i].want_reason : "own_reason");
		if (cases[i].want_reason) {
			/* the MTA's own verdict is kept for the operator */
			assert_non_null(strstr(rl.detail, "loopback addresses only"));
			assert_non_null(strstr(rl.detail, relay_verdict_name(cases[i].own)));
			assert_non_null(strstr(rl.detail, "own detail"));
		} else {
			assert_string_equal(rl.detail, "own detail");
		}
	}
	arena_free(&ar);
}

/* Exim's collector on a loopback-only configuration that relays for '*':
 * closed through the framework, open when the collector runs alone. */
static void
test_framework_applies_it(void **state)
{
	char root[] = "/tmp/mta-test-mta-relay-XXXXXX";
	char path[256];
	struct collector_env env = { .rootfs = root, .procfs = "/proc" };
	struct facts f;
	struct arena ar;
	struct metrics *m = metrics_new(1 << 20);
	struct scrape_ctx sc = { .env = &env, .m = m, .facts = &f, .arena = &ar };
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/etc", root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/etc/exim4", root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/etc/exim4/exim4.conf", root);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("local_interfaces = <; 127.0.0.1 ; ::1\nacl_smtp_rcpt = a\nbegin acl\na:\n  accept\n", fp);
	fclose(fp);
	arena_init(&ar, 4u << 20);

	memset(&f, 0, sizeof(f));
	assert_int_equal(mta_table[MTA_EXIM]->collector->collect(&sc), 0);
	assert_int_equal(f.mta[MTA_EXIM].n_relays, 1);
	assert_int_equal(f.mta[MTA_EXIM].relays[0].verdict, RELAY_OPEN);

	arena_reset(&ar);
	memset(&f, 0, sizeof(f));
	assert_int_equal(scrape_collector(&sc, mta_table[MTA_EXIM]->collector), 0);
	assert_int_equal(f.mta[MTA_EXIM].relays[0].verdict, RELAY_CLOSED);
	assert_string_equal(f.mta[MTA_EXIM].relays[0].reason, "loopback_only");

	metrics_free(m);
	arena_free(&ar);
	unlink(path);
	snprintf(path, sizeof(path), "%s/etc/exim4", root);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/etc", root);
	rmdir(path);
	rmdir(root);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loopback_rule),
		cmocka_unit_test(test_framework_applies_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

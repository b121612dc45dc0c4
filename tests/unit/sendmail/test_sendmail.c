/*
 * test_sendmail.c - the sendmail collector on the committed fixture roots:
 * the facts it leaves (endpoints, relays, struct sendmail_facts), the
 * Sendmail checks decided from them (through the checks framework, as the
 * program does), and its file:line warnings, logged once per version of a
 * file (lib/log.h) and counted at every scrape; daemons that cannot
 * listen beside each other (bindv6only from --path.procfs), M=a, and an
 * access.db older than its text, on a tree built in a temporary directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <cmocka.h>

#include "collectors/checks/checks.h"
#include "collectors/sendmail/sendmail.h"
#include "collectors/sendmail/sendmail_checks.h"
#include "exporter/exposition/metrics.h"
#include "lib/arena.h"
#include "lib/log.h"

struct capture {
	int count;
	char lines[16][512];
};

static void
hook(enum log_level level, const char *line, void *arg)
{
	struct capture *c = arg;

	if (c->count < 16)
		snprintf(c->lines[c->count], sizeof(c->lines[0]), "%s", line);
	c->count++;
}

static bool
logged(const struct capture *c, const char *a, const char *b)
{
	for (int i = 0; i < c->count && i < 16; i++)
		if (strstr(c->lines[i], a) != NULL && (b == NULL || strstr(c->lines[i], b) != NULL))
			return true;
	return false;
}

struct run {
	struct collector_env env;
	struct facts facts;
	struct arena arena;
	struct metrics *m;
	struct scrape_ctx sc;
	char root[1024];
	int rc;
};

static void
run_collector(struct run *r, const char *root, const char *config)
{
	const char *fixtures = getenv("MTA_FIXTURES");

	memset(r, 0, sizeof(*r));
	snprintf(r->root, sizeof(r->root), "%s/sendmail/%s", fixtures ? fixtures : "tests/fixtures", root);
	r->env.rootfs = r->root;
	r->env.enabled[collector_index("sendmail")] = true;
	*collector_sendmail.flags[0].value = config;
	arena_init(&r->arena, 1u << 20);
	r->m = metrics_new(1u << 20);
	assert_non_null(r->m);
	r->sc.env = &r->env;
	r->sc.m = r->m;
	r->sc.facts = &r->facts;
	r->sc.arena = &r->arena;
	assert_int_equal(collector_sendmail.init(&r->env), 0);
	r->rc = collector_sendmail.collect(&r->sc);
}

/* the collector on the tree dir/root, with procfs */
static void
run_tree(struct run *r, const char *dir, const char *procfs)
{
	run_collector(r, "", "/etc/mail/sendmail.cf");
	metrics_free(r->m);
	arena_free(&r->arena);
	memset(&r->facts, 0, sizeof(r->facts));
	snprintf(r->root, sizeof(r->root), "%s/root", dir);
	r->env.procfs = procfs;
	arena_init(&r->arena, 1u << 20);
	r->m = metrics_new(1u << 20);
	assert_non_null(r->m);
	r->sc.m = r->m;
	r->rc = collector_sendmail.collect(&r->sc);
}

static void
done(struct run *r)
{
	metrics_free(r->m);
	arena_free(&r->arena);
}

/* A check's result over the collector's facts. */
static const struct check_result *
check(struct run *r, const char *id)
{
	static struct check_result res[64];
	size_t n = checks_evaluate(&r->facts, &r->env, &r->arena, res, 64);

	for (size_t i = 0; i < n; i++)
		if (strcmp(res[i].id, id) == 0)
			return &res[i];
	fail_msg("no check %s", id);
	return NULL;
}

static bool
has_reason(const struct check_result *c, const char *code)
{
	for (size_t i = 0; i < c->n_reasons; i++)
		if (strcmp(c->reasons[i], code) == 0)
			return true;
	return false;
}

static void
test_bad_root(void **state)
{
	struct capture cap = {0};
	struct run r;

	log_set_hook(hook, &cap);
	log_setup(LOG_LEVEL_WARN, LOG_FORMAT_LOGFMT);
	run_collector(&r, "rootfs-bad", "/etc/mail/sendmail.cf");
	const struct mta_facts *mf = &r.facts.mta[MTA_SENDMAIL];
	const struct sendmail_facts *sf = mf->priv;

	assert_int_equal(r.rc, 0);
	assert_true(mf->detected && mf->collected);
	assert_int_equal(mf->config_warnings, 3);
	assert_true(logged(&cap, "rootfs-bad/etc/mail/sendmail.cf line=2", "host name"));
	assert_true(logged(&cap, "line=3", "\\\"Zap\\\" unknown"));
	assert_true(logged(&cap, "line=4", "unknown option name NoSuchOption"));

	assert_int_equal(mf->n_endpoints, 2);
	assert_string_equal(mf->endpoints[0].service, "MTA");
	assert_string_equal(mf->endpoints[0].address, "mail.example.org");
	assert_false(mf->endpoints[0].numeric);
	assert_false(mf->endpoints[0].loopback);
	assert_true(mf->endpoints[1].loopback);
	assert_false(mf->bound_all);
	assert_false(mf->local_only);

	assert_int_equal(mf->n_relays, 2);
	assert_int_equal(mf->relays[0].verdict, RELAY_OPEN);
	assert_string_equal(mf->relays[0].reason, "no_final_relay_denied");
	assert_non_null(sf);
	assert_true(sf->promiscuous_relay);
	assert_false(sf->all_daemons_loopback);
	assert_false(sf->mc_present);
	assert_non_null(sf->cf);
	assert_false(sf->help_has_content);

	assert_int_equal(check(&r, "sendmail_relay_features")->status, CHECK_FAIL);
	assert_true(has_reason(check(&r, "sendmail_relay_features"), "promiscuous_relay"));
	assert_int_equal(check(&r, "sendmail_mc_cf_consistent")->status, CHECK_NOT_APPLICABLE);
	assert_int_equal(check(&r, "sendmail_privacy_options")->status, CHECK_FAIL);
	assert_true(has_reason(check(&r, "sendmail_privacy_options"), "vrfy_allowed"));
	assert_int_equal(check(&r, "sendmail_greeting_no_version")->status, CHECK_FAIL);
	assert_int_equal(check(&r, "sendmail_help_file")->status, CHECK_PASS);
	done(&r);

	/* the same file in the next scrape: counted again, not logged again */
	int before = cap.count;
	log_file_warn_pass_end();
	run_collector(&r, "rootfs-bad", "/etc/mail/sendmail.cf");
	assert_int_equal(r.rc, 0);
	assert_int_equal(cap.count, before);
	assert_int_equal(r.facts.mta[MTA_SENDMAIL].config_warnings, 3);
	done(&r);
	log_set_hook(NULL, NULL);
}

static void
test_hardened_root(void **state)
{
	struct run r;

	run_collector(&r, "rootfs-hardened", "/opt/sm/sendmail.cf");
	const struct mta_facts *mf = &r.facts.mta[MTA_SENDMAIL];
	const struct sendmail_facts *sf = mf->priv;

	assert_int_equal(r.rc, 0);
	assert_int_equal(mf->config_warnings, 0);
	assert_true(mf->local_only);
	assert_false(mf->bound_all);
	assert_int_equal(mf->n_endpoints, 2);
	assert_string_equal(mf->endpoints[1].service, "MTA-v6");
	assert_string_equal(mf->endpoints[1].address, "::1");
	assert_int_equal(mf->endpoints[1].port, 25);
	assert_int_equal(mf->relays[0].verdict, RELAY_CLOSED);
	assert_true(sf->all_daemons_loopback);
	assert_false(sf->promiscuous_relay);
	for (size_t i = 0; i < mta_sendmail.n_checks; i++) {
		const char *id = mta_sendmail.checks[i].info.id;

		if (strcmp(id, "sendmail_mc_cf_consistent") != 0 &&
		    strcmp(id, "sendmail_access_db_current") != 0 && check(&r, id)->status != CHECK_PASS)
			fail_msg("%s: %s", id, check_status_name(check(&r, id)->status));
	}
	/* no access text: nothing to compare */
	assert_int_equal(check(&r, "sendmail_access_db_current")->status, CHECK_NOT_APPLICABLE);
	done(&r);
}

/* write root+rel, making its directories; mtime set when sec != 0 */
static void
put(const char *root, const char *rel, const char *text, time_t sec)
{
	char path[2048];
	FILE *fp;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	for (char *p = path + strlen(root) + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	if (sec) {
		struct timespec ts[2] = { { sec, 0 }, { sec, 0 } };
		assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
	}
}

/*
 * An IPv6 and an IPv4 wildcard daemon on port 25 (bindv6only from the
 * procfs given), an MSA with M=Ea, promiscuous relaying, and an access
 * text changed after access.db was built.
 */
static void
test_daemons_and_access_db(void **state)
{
	char tmp[] = "/tmp/test_sendmail.XXXXXX", proc[1100];
	struct capture cap = { 0 };
	struct run r;
	const struct mta_facts *mf;
	const struct sendmail_facts *sf;

	assert_non_null(mkdtemp(tmp));
	put(tmp, "/root/etc/mail/sendmail.cf",
	    "#####  $Id: promiscuous_relay.m4,v 8.13 2013-11-22 20:51:11 ca Exp $  #####\n"
	    "Kaccess hash -T<TMPF> -o /etc/mail/access\n"
	    "O DaemonPortOptions=Family=inet6, Name=MTA-v6\n"
	    "O DaemonPortOptions=Family=inet, Name=MTA-v4\n"
	    "O DaemonPortOptions=Port=587, Name=MSA, M=Ea\n", 0);
	put(tmp, "/root/etc/mail/access", "Connect:127.0.0.1\tRELAY\n", 2000000000);
	put(tmp, "/root/etc/mail/access.db", "binary", 1900000000);
	put(tmp, "/proc1/sys/net/ipv6/bindv6only", "1\n", 0);
	put(tmp, "/proc0/sys/net/ipv6/bindv6only", "0\n", 0);
	log_set_hook(hook, &cap);

	/* bindv6only=1: every daemon listens; the MSA refuses MAIL before AUTH */
	snprintf(proc, sizeof(proc), "%s/proc1", tmp);
	run_tree(&r, tmp, proc);
	mf = &r.facts.mta[MTA_SENDMAIL];
	sf = mf->priv;
	assert_int_equal(r.rc, 0);
	assert_int_equal(mf->n_endpoints, 3);
	assert_int_equal(mf->n_relays, 3);
	assert_int_equal(mf->relays[0].verdict, RELAY_OPEN);
	assert_int_equal(mf->relays[1].verdict, RELAY_OPEN);
	assert_string_equal(mf->relays[2].service, "MSA");
	assert_int_equal(mf->relays[2].verdict, RELAY_CLOSED);
	assert_string_equal(mf->relays[2].reason, "auth_required");
	assert_true(sf->bindv6only);
	assert_int_equal(sf->access_db, SENDMAIL_ACCESS_DB_OLDER);
	assert_non_null(strstr(mf->relays[0].detail, "from the access text"));
	assert_int_equal(check(&r, "sendmail_daemons_listen")->status, CHECK_PASS);
	assert_true(has_reason(check(&r, "sendmail_access_db_current"), "access_map_not_rebuilt"));
	assert_true(logged(&cap, "the access map was not rebuilt", "access.db is older"));
	done(&r);

	/* bindv6only=0: the IPv4 daemon cannot listen, sendmail answers nobody */
	snprintf(proc, sizeof(proc), "%s/proc0", tmp);
	run_tree(&r, tmp, proc);
	mf = &r.facts.mta[MTA_SENDMAIL];
	sf = mf->priv;
	assert_int_equal(r.rc, 0);
	assert_false(sf->bindv6only);
	assert_int_equal(mf->n_endpoints, 1);	/* [::]:25 only */
	assert_string_equal(mf->endpoints[0].service, "MTA-v6");
	assert_int_equal(mf->n_relays, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(mf->relays[i].verdict, RELAY_CONFIG_ERROR);
		assert_string_equal(mf->relays[i].reason, "daemon_bind_conflict");
	}
	assert_true(has_reason(check(&r, "sendmail_daemons_listen"), "daemon_bind_conflict"));
	assert_true(logged(&cap, "daemon MTA-v4 cannot listen", "line=4"));
	done(&r);
	log_set_hook(NULL, NULL);

	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	assert_int_equal(system(cmd), 0);
}

static void
test_absent(void **state)
{
	struct run r;

	run_collector(&r, "no-such-root", "/etc/mail/sendmail.cf");
	assert_int_equal(r.rc, 0);
	assert_false(r.facts.mta[MTA_SENDMAIL].detected);
	assert_true(r.facts.mta[MTA_SENDMAIL].collected);
	assert_int_equal(r.facts.mta[MTA_SENDMAIL].n_endpoints, 0);
	done(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_root),
		cmocka_unit_test(test_hardened_root),
		cmocka_unit_test(test_absent),
		cmocka_unit_test(test_daemons_and_access_db),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

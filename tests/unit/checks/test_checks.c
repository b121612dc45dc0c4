/*
 * test_checks.c - the checks framework and the cross-MTA checks, decided
 * from hand-built facts (checks_evaluate is pure): every cross-MTA
 * check's pass, fail, not-applicable and error paths; what the framework
 * settles before an MTA's own row is called (disabled, failed, not
 * detected); the catalogue assembled from the descriptors, in exposition
 * order, each id documented in docs/checks.md; the collector's metrics.
 * The MTAs' own rows are tested with their modules (test_postfix_checks,
 * test_sendmail_checks).
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

#include "collectors/checks/checks.h"
#include "collectors/postfix/postfix.h"
#include "collectors/sendmail/sendmail.h"
#include "exporter/exposition/metrics.h"
#include "lib/buf.h"

/* ---- fixtures ---- */

struct world {
	struct facts f;
	struct collector_env env;
	struct listener l[4];
	struct mta_endpoint ep[4];
	struct mta_relay relays[2];
	struct sendmail_cf cf;
	struct sendmail_facts sf;
	struct postfix_instance pinst;	/* an empty main.cf: the defaults */
	struct postfix_facts pf;
	uint16_t ports[3];
	struct arena ar;
	struct check_result res[64];
	size_t n;
};

/* --collector.NAME / --no-collector.NAME */
static void
enable(struct world *w, const char *name, bool on)
{
	int i = collector_index(name);

	assert_true(i >= 0);
	w->env.enabled[i] = on;
}

static void
world_init(struct world *w)
{
	memset(w, 0, sizeof(*w));
	arena_init(&w->ar, 1 << 20);
	for (size_t i = 0; i < collector_count; i++)
		w->env.enabled[i] = true;
	w->env.rootfs = "/";
	w->f.listeners_collected = true;
	for (int k = 0; k < MTA_COUNT; k++)
		w->f.mta[k].collected = true;
	w->ports[0] = 25;
	w->ports[1] = 465;
	w->ports[2] = 587;
	w->f.ports = w->ports;
	w->f.n_ports = 3;
	w->sf.cf = &w->cf;
	w->pinst.have_main = true;
	w->pinst.label = (char *)"";
	w->pinst.env.main = &w->pinst.main;
	w->pinst.env.version = POSTFIX_VERSION_NEWEST;
	w->pf.main_inst = &w->pinst;
}

/*
 * A detected MTA has the facts its own rows read (a collector that
 * succeeded always leaves them): Postfix with an empty main.cf, Sendmail
 * with an empty sendmail.cf.
 */
static void
attach_priv(struct world *w, enum mta_kind k)
{
	w->f.mta[k].detected = true;
	if (k == MTA_POSTFIX)
		w->f.mta[k].priv = &w->pf;
	else if (k == MTA_SENDMAIL)
		w->f.mta[k].priv = &w->sf;
}

static void
world_free(struct world *w)
{
	arena_free(&w->ar);
}

static void
add_listener(struct world *w, const char *addr, uint16_t port, const char *proc)
{
	struct listener *l = &w->l[w->f.n_listeners++];

	assert_int_equal(inaddr_parse(addr, &l->addr), 0);
	l->port = port;
	l->loopback = inaddr_is_loopback(&l->addr);
	snprintf(l->addrstr, sizeof(l->addrstr), "%s", addr);
	snprintf(l->process, sizeof(l->process), "%s", proc);
	w->f.listeners = w->l;
}

static void
add_endpoint(struct world *w, enum mta_kind k, const char *service, const char *addr, uint16_t port)
{
	struct mta_facts *m = &w->f.mta[k];
	struct mta_endpoint *ep = &w->ep[m->n_endpoints];

	ep->instance = "";
	ep->service = service;
	ep->address = addr;
	ep->numeric = inaddr_parse(addr, &ep->addr) == 0;
	ep->wildcard = ep->numeric && inaddr_is_wildcard(&ep->addr);
	ep->loopback = ep->numeric && inaddr_is_loopback(&ep->addr);
	ep->port = port;
	m->endpoints = w->ep;
	m->n_endpoints++;
	attach_priv(w, k);
}

/* An MTA detected with its collector's facts as said (no endpoints). */
static void
detected(struct world *w, enum mta_kind k, bool local_only, bool bound_all)
{
	attach_priv(w, k);
	w->f.mta[k].local_only = local_only;
	w->f.mta[k].bound_all = bound_all;
}

static const struct check_result *
run(struct world *w, const char *id)
{
	w->n = checks_evaluate(&w->f, &w->env, &w->ar, w->res, 64);
	assert_int_equal(w->n, checks_catalogue_count());
	for (size_t i = 0; i < w->n; i++)
		if (strcmp(w->res[i].id, id) == 0)
			return &w->res[i];
	fail_msg("check %s not evaluated", id);
	return NULL;
}

static bool
has_reason(const struct check_result *r, const char *code)
{
	for (size_t i = 0; i < r->n_reasons; i++)
		if (strcmp(r->reasons[i], code) == 0)
			return true;
	return false;
}

#define expect(r, st, code) do { \
	const struct check_result *r_ = (r); \
	if (r_->status != (st) || ((code) != NULL && !has_reason(r_, (code)))) \
		fail_msg("%s: status %s (%s), want %s %s", r_->id, check_status_name(r_->status), \
			 r_->n_reasons ? r_->reasons[0] : "-", check_status_name(st), \
			 (code) ? (const char *)(code) : ""); \
} while (0)

/* ---- cis_2_1_21 ---- */

static void
test_cis(void **state)
{
	struct world w;

	world_init(&w);
	expect(run(&w, "cis_2_1_21"), CHECK_PASS, NULL);	/* nothing at all */
	add_listener(&w, "127.0.0.1", 25, "master");
	add_listener(&w, "::1", 25, "master");
	expect(run(&w, "cis_2_1_21"), CHECK_PASS, NULL);
	add_listener(&w, "0.0.0.0", 587, "master");
	expect(run(&w, "cis_2_1_21"), CHECK_FAIL, "port_587_nonloopback");
	world_free(&w);

	/* the MTA codes are <mta>_<listen_setting>_all / _nonloopback */
	world_init(&w);
	detected(&w, MTA_POSTFIX, false, true);
	expect(run(&w, "cis_2_1_21"), CHECK_FAIL, "postfix_inet_interfaces_all");
	w.f.mta[MTA_POSTFIX].bound_all = false;
	expect(run(&w, "cis_2_1_21"), CHECK_FAIL, "postfix_inet_interfaces_nonloopback");
	w.f.mta[MTA_POSTFIX].local_only = true;
	expect(run(&w, "cis_2_1_21"), CHECK_PASS, NULL);
	detected(&w, MTA_EXIM, false, true);
	expect(run(&w, "cis_2_1_21"), CHECK_FAIL, "exim_local_interfaces_all");
	detected(&w, MTA_SENDMAIL, false, false);
	expect(run(&w, "cis_2_1_21"), CHECK_FAIL, "sendmail_daemon_nonloopback");
	world_free(&w);

	world_init(&w);
	/* 127.0.0.2 is loopback too (the listeners collector decides) */
	add_listener(&w, "127.0.0.2", 25, "master");
	expect(run(&w, "cis_2_1_21"), CHECK_PASS, NULL);
	/* an offline audit (listeners disabled): the configuration alone */
	enable(&w, "listeners", false);
	w.f.listeners_collected = false;
	{
		const struct check_result *r = run(&w, "cis_2_1_21");

		expect(r, CHECK_PASS, NULL);
		assert_non_null(strstr(r->detail, "sockets not inspected"));
	}
	detected(&w, MTA_POSTFIX, false, true);
	expect(run(&w, "cis_2_1_21"), CHECK_FAIL, "postfix_inet_interfaces_all");
	w.f.mta[MTA_POSTFIX].detected = false;
	enable(&w, "listeners", true);
	expect(run(&w, "cis_2_1_21"), CHECK_ERROR, "collector_failed_listeners");
	w.f.listeners_collected = true;
	w.f.mta[MTA_EXIM].collected = false;
	expect(run(&w, "cis_2_1_21"), CHECK_ERROR, "collector_failed_exim");
	add_listener(&w, "192.0.2.1", 25, "exim4");	/* a certain failure wins */
	expect(run(&w, "cis_2_1_21"), CHECK_FAIL, "port_25_nonloopback");
	world_free(&w);

	/* a disabled MTA collector is an MTA not audited, not an error */
	world_init(&w);
	enable(&w, "sendmail", false);
	w.f.mta[MTA_SENDMAIL].collected = false;
	expect(run(&w, "cis_2_1_21"), CHECK_PASS, NULL);
	world_free(&w);
}

/* ---- stig_gen004710: each MTA's part comes from its descriptor ---- */

static void
test_stig(void **state)
{
	struct world w;

	world_init(&w);
	expect(run(&w, "stig_gen004710"), CHECK_NOT_APPLICABLE, NULL);
	/* Postfix on loopback only: its part decides without reading main.cf
	 * (the rest of Postfix's rule: test_postfix_checks) */
	detected(&w, MTA_POSTFIX, true, false);
	expect(run(&w, "stig_gen004710"), CHECK_PASS, NULL);
	world_free(&w);

	world_init(&w);
	detected(&w, MTA_SENDMAIL, false, false);
	w.sf.all_daemons_loopback = true;
	w.sf.promiscuous_relay = true;
	expect(run(&w, "stig_gen004710"), CHECK_PASS, NULL);
	w.sf.all_daemons_loopback = false;
	expect(run(&w, "stig_gen004710"), CHECK_FAIL, "sendmail_promiscuous_relay");
	w.sf.promiscuous_relay = false;
	expect(run(&w, "stig_gen004710"), CHECK_PASS, NULL);
	w.f.mta[MTA_SENDMAIL].collected = false;
	expect(run(&w, "stig_gen004710"), CHECK_ERROR, "collector_failed_sendmail");
	world_free(&w);

	world_init(&w);
	detected(&w, MTA_EXIM, false, true);
	w.relays[0] = (struct mta_relay){ "", "smtp", RELAY_OPEN, "acl_accepts_any", "x" };
	w.f.mta[MTA_EXIM].relays = w.relays;
	w.f.mta[MTA_EXIM].n_relays = 1;
	expect(run(&w, "stig_gen004710"), CHECK_FAIL, "exim_open_relay");
	w.f.mta[MTA_EXIM].local_only = true;
	expect(run(&w, "stig_gen004710"), CHECK_PASS, NULL);
	world_free(&w);
}

/* ---- mta_no_open_relay ---- */

static void
test_open_relay(void **state)
{
	struct world w;

	world_init(&w);
	expect(run(&w, "mta_no_open_relay"), CHECK_NOT_APPLICABLE, NULL);
	attach_priv(&w, MTA_EXIM);
	expect(run(&w, "mta_no_open_relay"), CHECK_PASS, NULL);
	w.relays[0] = (struct mta_relay){ "", "exim", RELAY_CLOSED, "acl_denies", "x" };
	w.relays[1] = (struct mta_relay){ "", "exim2", RELAY_UNDETERMINED, "expansion", "y" };
	w.f.mta[MTA_EXIM].relays = w.relays;
	w.f.mta[MTA_EXIM].n_relays = 2;
	expect(run(&w, "mta_no_open_relay"), CHECK_ERROR, "exim_relay_undetermined");
	w.relays[0].verdict = RELAY_OPEN;
	expect(run(&w, "mta_no_open_relay"), CHECK_FAIL, "exim_open_relay");
	w.relays[0].verdict = RELAY_CONFIG_ERROR;
	w.relays[1].verdict = RELAY_CLOSED;
	expect(run(&w, "mta_no_open_relay"), CHECK_PASS, NULL);
	/* problems keep the MTAs' order: a failed collector, then a later MTA's verdict */
	w.relays[1].verdict = RELAY_UNDETERMINED;
	w.f.mta[MTA_POSTFIX].collected = false;
	{
		const struct check_result *r = run(&w, "mta_no_open_relay");

		expect(r, CHECK_ERROR, "collector_failed_postfix");
		assert_int_equal(r->n_reasons, 2);
		assert_string_equal(r->reasons[0], "collector_failed_postfix");
		assert_string_equal(r->reasons[1], "exim_relay_undetermined");
	}
	w.f.mta[MTA_POSTFIX].collected = true;
	w.f.mta[MTA_EXIM].collected = false;
	expect(run(&w, "mta_no_open_relay"), CHECK_ERROR, "collector_failed_exim");
	world_free(&w);
}

/* ---- mta_runtime_matches_config ---- */

static void
test_runtime(void **state)
{
	struct world w;

	world_init(&w);
	expect(run(&w, "mta_runtime_matches_config"), CHECK_NOT_APPLICABLE, NULL);
	add_endpoint(&w, MTA_POSTFIX, "smtp", "0.0.0.0", 25);
	/* configured but not running: nothing to compare */
	expect(run(&w, "mta_runtime_matches_config"), CHECK_NOT_APPLICABLE, NULL);
	add_listener(&w, "0.0.0.0", 25, "master");
	expect(run(&w, "mta_runtime_matches_config"), CHECK_PASS, NULL);
	/* inet_interfaces changed to loopback-only, only reloaded */
	w.ep[0].address = "127.0.0.1";
	inaddr_parse("127.0.0.1", &w.ep[0].addr);
	w.ep[0].wildcard = false;
	w.ep[0].loopback = true;
	expect(run(&w, "mta_runtime_matches_config"), CHECK_FAIL, "postfix_listener_not_configured");
	w.f.n_listeners = 0;
	add_listener(&w, "127.0.0.1", 25, "master");
	expect(run(&w, "mta_runtime_matches_config"), CHECK_PASS, NULL);
	/* a configured service that does not listen */
	add_endpoint(&w, MTA_POSTFIX, "submission", "127.0.0.1", 587);
	expect(run(&w, "mta_runtime_matches_config"), CHECK_FAIL, "postfix_endpoint_not_listening");
	/* a listener of another program on an MTA port is not the MTA's */
	w.f.mta[MTA_POSTFIX].n_endpoints = 1;
	add_listener(&w, "0.0.0.0", 25, "haproxy");
	expect(run(&w, "mta_runtime_matches_config"), CHECK_PASS, NULL);
	/* a host name cannot be compared offline */
	w.f.n_listeners = 0;
	add_listener(&w, "192.0.2.7", 25, "master");
	w.ep[0].numeric = false;
	w.ep[0].address = "mail.example.com";
	expect(run(&w, "mta_runtime_matches_config"), CHECK_PASS, NULL);
	/* without the listeners there is nothing to compare: only that problem */
	w.f.mta[MTA_EXIM].collected = false;
	w.f.listeners_collected = false;
	{
		const struct check_result *r = run(&w, "mta_runtime_matches_config");

		expect(r, CHECK_ERROR, "collector_failed_listeners");
		assert_int_equal(r->n_reasons, 1);
	}
	/* an offline audit (listeners disabled): nothing to compare, not an error */
	enable(&w, "listeners", false);
	{
		const struct check_result *r = run(&w, "mta_runtime_matches_config");

		expect(r, CHECK_NOT_APPLICABLE, NULL);
		assert_non_null(strstr(r->detail, "sockets not inspected"));
	}
	world_free(&w);

	/* the daemons' names come from the descriptors */
	world_init(&w);
	add_endpoint(&w, MTA_SENDMAIL, "MTA", "127.0.0.1", 25);
	add_listener(&w, "192.0.2.7", 25, "sendmail-mta");
	expect(run(&w, "mta_runtime_matches_config"), CHECK_FAIL, "sendmail_listener_not_configured");
	w.f.n_listeners = 0;
	add_listener(&w, "192.0.2.7", 25, "exim4");	/* not Sendmail's: Sendmail is not running */
	expect(run(&w, "mta_runtime_matches_config"), CHECK_NOT_APPLICABLE, NULL);
	world_free(&w);
}

/* ---- what the framework settles before an MTA's own row runs ---- */

static void
test_mta_rows(void **state)
{
	struct world w;

	world_init(&w);
	/* not detected: not applicable, and the row is not called (no facts) */
	expect(run(&w, "sendmail_help_file"), CHECK_NOT_APPLICABLE, NULL);
	expect(run(&w, "postfix_vrfy_disabled"), CHECK_NOT_APPLICABLE, NULL);
	/* detected: the row decides from the MTA's facts */
	detected(&w, MTA_SENDMAIL, false, false);
	w.cf.helpfile_set = true;
	snprintf(w.cf.helpfile, sizeof(w.cf.helpfile), "/etc/mail/helpfile");
	w.sf.help_has_content = true;
	expect(run(&w, "sendmail_help_file"), CHECK_FAIL, "help_file_present");
	/* failed: error, before the row reads anything */
	w.f.mta[MTA_SENDMAIL].collected = false;
	w.f.mta[MTA_SENDMAIL].priv = NULL;
	expect(run(&w, "sendmail_privacy_options"), CHECK_ERROR, "collector_failed_sendmail");
	w.f.mta[MTA_POSTFIX].detected = true;
	w.f.mta[MTA_POSTFIX].collected = false;
	expect(run(&w, "postfix_tls_loglevel"), CHECK_ERROR, "collector_failed_postfix");
	/* disabled: not audited by choice */
	enable(&w, "sendmail", false);
	expect(run(&w, "sendmail_privacy_options"), CHECK_NOT_APPLICABLE, NULL);
	enable(&w, "postfix", false);
	expect(run(&w, "postfix_vrfy_disabled"), CHECK_NOT_APPLICABLE, NULL);
	world_free(&w);
}

/* ---- the collector's metrics ---- */

static void
test_collector_metrics(void **state)
{
	struct collector_env env = { .rootfs = "/", .procfs = "/proc" };
	struct world w;
	struct scrape_ctx sc;
	struct metrics *m = metrics_new(1 << 20);
	struct buf b;
	size_t ones = 0, checks = 0;

	for (size_t i = 0; i < collector_count; i++)	/* the defaults, as without flags */
		env.enabled[i] = collector_table[i]->default_enabled;
	world_init(&w);
	add_listener(&w, "0.0.0.0", 25, "master");
	sc = (struct scrape_ctx){ .env = &env, .m = m, .facts = &w.f, .arena = &w.ar };
	assert_int_equal(collector_checks.collect(&sc), 0);
	assert_non_null(w.f.checks);
	assert_int_equal(w.f.n_checks, checks_catalogue_count());
	buf_init(&b, 1 << 20);
	assert_int_equal(metrics_render(m, METRICS_TEXT_004, &b), 0);
	for (char *line = strtok(b.data, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, "mta_check_status{", 17) == 0 && strcmp(line + strlen(line) - 2, " 1") == 0)
			ones++;
		if (strncmp(line, "mta_check_info{", 15) == 0) {
			checks++;
			assert_non_null(strstr(line, "severity=\""));
		}
		if (strncmp(line, "mta_check_finding{", 18) == 0 && strstr(line, "cis_2_1_21"))
			assert_non_null(strstr(line, "reason=\"port_25_nonloopback\""));
		/* the checks collector reads facts only: it adds no other family */
		assert_true(line[0] == '#' || strncmp(line, "mta_check_", 10) == 0);
	}
	assert_int_equal(checks, checks_catalogue_count());
	assert_int_equal(ones, checks_catalogue_count());	/* exactly one status per check */
	assert_int_equal(w.f.mta[MTA_POSTFIX].n_relays, 0);
	buf_free(&b);
	metrics_free(m);
	world_free(&w);
}

/* ---- the catalogue ---- */

/* The exposition's order: the cross-MTA rows, the tls_* rows, then each MTA's in mta_table order. */
static void
test_catalogue(void **state)
{
	static const char *const first[] = {
		"cis_2_1_21", "stig_gen004710", "mta_no_open_relay", "mta_runtime_matches_config",
		"tls_certificate_valid", "tls_certificate_key_strong", "tls_dh_strong",
		"tls_legacy_protocols_disabled", "tls_certificate_matches_key",
		"tls_certificate_names_host", "postfix_vrfy_disabled",
	};
	size_t n = checks_catalogue_count(), per_mta[MTA_COUNT] = { 0 };
	int last_owner = -1;

	for (size_t i = 0; i < n; i++) {
		int owner;
		const struct check_row *row = checks_catalogue_row(i, &owner);
		const struct check_info *d = &row->info;

		if (i < sizeof(first) / sizeof(first[0]))
			assert_string_equal(d->id, first[i]);
		assert_non_null(d->title);
		assert_non_null(d->source);
		assert_non_null(d->remediation);
		assert_non_null(row->decide);
		assert_true(strcmp(d->severity, "critical") == 0 || strcmp(d->severity, "warning") == 0
			    || strcmp(d->severity, "info") == 0);
		assert_ptr_equal(checks_find(d->id), row);	/* ids are unique */
		assert_true(owner >= last_owner);		/* grouped by MTA, in table order */
		last_owner = owner;
		if (owner >= 0) {
			char prefix[64];

			per_mta[owner]++;
			snprintf(prefix, sizeof(prefix), "%s_", mta_name((enum mta_kind)owner));
			assert_int_equal(strncmp(d->id, prefix, strlen(prefix)), 0);
			assert_int_equal(row->needs, 0);
		}
	}
	for (int k = 0; k < MTA_COUNT; k++)
		assert_int_equal(per_mta[k], mta_table[k]->n_checks);
	assert_null(checks_catalogue_row(n, &last_owner));
	assert_null(checks_find("no_such_check"));
}

/* Every MTA has a descriptor whose collector is in the collector table. */
static void
test_descriptors(void **state)
{
	for (int k = 0; k < MTA_COUNT; k++) {
		const struct mta_desc *d = mta_table[k];

		assert_non_null(d);
		assert_non_null(d->collector);
		assert_true(collector_index(d->collector->name) >= 0);
		assert_ptr_equal(collector_table[collector_index(mta_name((enum mta_kind)k))],
				 d->collector);
		assert_non_null(d->listen_setting);
		assert_non_null(d->processes);
		assert_non_null(d->processes[0]);
		assert_true(d->n_checks == 0 || d->checks != NULL);
	}
}

/* Every catalogue id has its section in docs/checks.md (the runbook anchors). */
static void
test_documented(void **state)
{
	const char *src = getenv("MTA_SOURCE_DIR");
	char path[4096], *doc;
	FILE *f;
	long len;

	snprintf(path, sizeof(path), "%s/docs/checks.md", src ? src : ".");
	assert_non_null(f = fopen(path, "r"));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	rewind(f);
	assert_non_null(doc = calloc(1, (size_t)len + 1));
	assert_int_equal(fread(doc, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	for (size_t i = 0; i < checks_catalogue_count(); i++) {
		int owner;
		const char *id = checks_catalogue_row(i, &owner)->info.id;
		char anchor[128], heading[128];

		snprintf(anchor, sizeof(anchor), "<a id=\"%s\"></a>", id);
		snprintf(heading, sizeof(heading), "\n### `%s`\n", id);
		if (strstr(doc, anchor) == NULL && strstr(doc, heading) == NULL)
			fail_msg("docs/checks.md has no section for %s", id);
	}
	free(doc);
}

/*
 * A result's notes are appended in place up to CHECK_DETAIL_MAX; the ones
 * beyond are counted (600 smtpd services used to exhaust the 16 MiB arena
 * by copying the whole detail for every note).
 */
static void
test_notes_bounded(void **state)
{
	static const struct {
		unsigned notes;
		unsigned dropped;	/* want: notes not shown */
	} cases[] = {
		{ 0, 0 }, { 1, 0 }, { 3, 0 }, { 655, 0 }, { 656, 1 }, { 2000, 1345 }, { 20000, 19345 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct arena ar;
		struct check_result r;
		struct check_ctx c;
		char want_end[64];
		size_t len;

		arena_init(&ar, 1u << 20);	/* far below 20,000 notes copied each time */
		memset(&r, 0, sizeof(r));
		memset(&c, 0, sizeof(c));
		c.ar = &ar;
		c.r = &r;
		for (unsigned k = 0; k < cases[i].notes; k++)
			check_note(&c, "service smtp%05u: open", k);	/* 23 bytes + "; " */
		check_notes_done(&c);
		if (cases[i].notes == 0) {
			assert_null(r.detail);
			arena_free(&ar);
			continue;
		}
		assert_non_null(r.detail);
		len = strlen(r.detail);
		assert_true(strncmp(r.detail, "service smtp00000: open", 23) == 0);
		if (cases[i].dropped == 0) {
			assert_int_equal(len, cases[i].notes * 25 - 2);
			assert_null(strstr(r.detail, "more not shown"));
		} else {
			snprintf(want_end, sizeof(want_end), " (%u more not shown)", cases[i].dropped);
			assert_true(len > strlen(want_end));
			assert_string_equal(r.detail + len - strlen(want_end), want_end);
			assert_true(len - strlen(want_end) < CHECK_DETAIL_MAX);
		}
		arena_free(&ar);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalogue),
		cmocka_unit_test(test_descriptors),
		cmocka_unit_test(test_documented),
		cmocka_unit_test(test_cis),
		cmocka_unit_test(test_stig),
		cmocka_unit_test(test_open_relay),
		cmocka_unit_test(test_runtime),
		cmocka_unit_test(test_mta_rows),
		cmocka_unit_test(test_collector_metrics),
		cmocka_unit_test(test_notes_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

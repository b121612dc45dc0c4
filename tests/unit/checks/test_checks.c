/*
 * test_checks.c - every check's pass, fail, not-applicable and error paths,
 * decided from hand-built facts (checks_evaluate is pure).
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
#include "collectors/sendmail/sendmail.h"

/* ---- fixtures ---- */

struct kv {
	const char *service;	/* NULL = main.cf */
	const char *name, *value;
};

struct pview {
	const struct kv *kv;
	size_t n;
	const char *unreadable;	/* a path readable() refuses */
};

static const char *
kv_param(const void *ctx, const char *service, const char *name)
{
	const struct pview *v = ctx;

	if (service != NULL)	/* -o override first */
		for (size_t i = 0; i < v->n; i++)
			if (v->kv[i].service && strcmp(v->kv[i].service, service) == 0
			    && strcmp(v->kv[i].name, name) == 0)
				return v->kv[i].value;
	for (size_t i = 0; i < v->n; i++)
		if (v->kv[i].service == NULL && strcmp(v->kv[i].name, name) == 0)
			return v->kv[i].value;
	return NULL;
}

static bool
kv_set(const void *ctx, const char *name)
{
	return kv_param(ctx, NULL, name) != NULL;
}

static bool
kv_readable(const void *ctx, const char *path)
{
	const struct pview *v = ctx;

	return v->unreadable == NULL || strcmp(path, v->unreadable) != 0;
}

/* Postfix defaults the checks look at (postconf -d, 3.7, level 3.6). */
static const struct kv pf_defaults[] = {
	{ NULL, "disable_vrfy_command", "no" },
	{ NULL, "smtpd_helo_required", "no" },
	{ NULL, "smtpd_banner", "mx.example.com ESMTP Postfix" },
	{ NULL, "mail_version", "3.7.11" },
	{ NULL, "mynetworks", "127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128" },
	{ NULL, "smtpd_relay_restrictions", "permit_mynetworks permit_sasl_authenticated defer_unauth_destination" },
	{ NULL, "smtpd_recipient_restrictions", "" },
	{ NULL, "smtpd_tls_security_level", "" },
	{ NULL, "smtpd_tls_cert_file", "" },
	{ NULL, "smtpd_tls_key_file", "$smtpd_tls_cert_file" },
	{ NULL, "smtp_tls_security_level", "" },
	{ NULL, "relayhost", "" },
	{ NULL, "smtpd_sasl_auth_enable", "no" },
	{ NULL, "smtpd_sasl_security_options", "noanonymous" },
	{ NULL, "smtp_sasl_security_options", "noplaintext, noanonymous" },
	{ NULL, "smtpd_client_connection_count_limit", "50" },
	{ NULL, "smtpd_client_connection_rate_limit", "0" },
	{ NULL, "smtpd_tls_loglevel", "0" },
	{ NULL, "smtp_tls_loglevel", "0" },
};

static const struct kv pf_hardened[] = {
	{ NULL, "disable_vrfy_command", "yes" },
	{ NULL, "smtpd_helo_required", "yes" },
	{ NULL, "smtpd_banner", "mx.example.com ESMTP" },
	{ NULL, "mail_version", "3.7.11" },
	{ NULL, "mynetworks", "127.0.0.0/8 10.0.0.0/8 [::1]/128" },
	{ NULL, "smtpd_relay_restrictions", "permit_mynetworks, reject_unauth_destination" },
	{ NULL, "smtpd_client_restrictions", "permit_mynetworks, reject" },
	{ NULL, "smtpd_tls_security_level", "may" },
	{ NULL, "smtpd_tls_cert_file", "/etc/ssl/certs/mx.pem" },
	{ NULL, "smtpd_tls_key_file", "/etc/ssl/private/mx.key" },
	{ NULL, "relayhost", "[smtp.example.net]:587" },
	{ NULL, "smtp_sasl_auth_enable", "yes" },
	{ NULL, "smtp_tls_security_level", "encrypt" },
	{ NULL, "smtp_sasl_security_options", "noanonymous" },
	{ NULL, "smtpd_sasl_auth_enable", "no" },
	{ "submission", "smtpd_sasl_auth_enable", "yes" },
	{ NULL, "smtpd_sasl_security_options", "noanonymous, noplaintext" },
	{ NULL, "smtpd_client_connection_count_limit", "10" },
	{ NULL, "smtpd_client_connection_rate_limit", "30" },
	{ NULL, "smtpd_tls_loglevel", "1" },
	{ NULL, "smtp_tls_loglevel", "1" },
};

struct world {
	struct facts f;
	struct checks_env env;
	struct checks_postfix pf;
	struct pview pv;
	struct kv kv[64];
	struct checks_postfix_service svc[2];
	struct listener l[4];
	struct mta_endpoint ep[4];
	struct mta_relay relays[2];
	struct mta_check mchecks[2];
	struct sendmail_facts sf;
	uint16_t ports[3];
	struct arena ar;
	struct check_result res[64];
	size_t n;
};

static void
world_init(struct world *w)
{
	memset(w, 0, sizeof(*w));
	arena_init(&w->ar, 1 << 20);
	w->env.listeners_enabled = true;
	for (int k = 0; k < MTA_COUNT; k++)
		w->env.mta_enabled[k] = true;
	w->f.listeners_collected = true;
	for (int k = 0; k < MTA_COUNT; k++)
		w->f.mta[k].collected = true;
	w->ports[0] = 25;
	w->ports[1] = 465;
	w->ports[2] = 587;
	w->f.ports = w->ports;
	w->f.n_ports = 3;
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
	m->detected = true;
}

/* Postfix detected with the given parameters; local_only / bound_all as said. */
static void
postfix(struct world *w, const struct kv *kv, size_t n, bool local_only, bool bound_all)
{
	memcpy(w->kv, kv, n * sizeof(*kv));
	w->pv.kv = w->kv;
	w->pv.n = n;
	w->pf.available = true;
	w->pf.param = kv_param;
	w->pf.set = kv_set;
	w->pf.readable = kv_readable;
	w->pf.ctx = &w->pv;
	w->svc[0].instance = "";
	w->svc[0].service = "smtp";
	w->svc[0].relay.verdict = RELAY_CLOSED;
	w->pf.services = w->svc;
	w->pf.n_services = 1;
	w->env.postfix = &w->pf;
	w->f.mta[MTA_POSTFIX].detected = true;
	w->f.mta[MTA_POSTFIX].local_only = local_only;
	w->f.mta[MTA_POSTFIX].bound_all = bound_all;
}

static void
pset(struct world *w, const char *service, const char *name, const char *value)
{
	w->kv[w->pv.n++] = (struct kv){ service, name, value };
	/* later entries must win: move it to the front */
	struct kv t = w->kv[w->pv.n - 1];

	memmove(&w->kv[1], &w->kv[0], (w->pv.n - 1) * sizeof(*w->kv));
	w->kv[0] = t;
}

static const struct check_result *
run(struct world *w, const char *id)
{
	w->n = checks_evaluate(&w->f, &w->env, &w->ar, w->res, 64);
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

	world_init(&w);
	postfix(&w, pf_defaults, sizeof(pf_defaults) / sizeof(pf_defaults[0]), false, true);
	expect(run(&w, "cis_2_1_21"), CHECK_FAIL, "postfix_inet_interfaces_all");
	w.f.mta[MTA_POSTFIX].bound_all = false;
	expect(run(&w, "cis_2_1_21"), CHECK_FAIL, "postfix_inet_interfaces_nonloopback");
	w.f.mta[MTA_POSTFIX].local_only = true;
	expect(run(&w, "cis_2_1_21"), CHECK_PASS, NULL);
	/* 127.0.0.2 is loopback too (the listeners collector decides) */
	add_listener(&w, "127.0.0.2", 25, "master");
	expect(run(&w, "cis_2_1_21"), CHECK_PASS, NULL);
	world_free(&w);

	world_init(&w);
	w.env.listeners_enabled = false;
	expect(run(&w, "cis_2_1_21"), CHECK_ERROR, "collector_disabled_listeners");
	w.env.listeners_enabled = true;
	w.f.listeners_collected = false;
	expect(run(&w, "cis_2_1_21"), CHECK_ERROR, "collector_failed_listeners");
	w.f.listeners_collected = true;
	w.f.mta[MTA_EXIM].collected = false;
	expect(run(&w, "cis_2_1_21"), CHECK_ERROR, "collector_failed_exim");
	add_listener(&w, "192.0.2.1", 25, "exim4");	/* a certain failure wins */
	expect(run(&w, "cis_2_1_21"), CHECK_FAIL, "port_25_nonloopback");
	world_free(&w);

	/* a disabled MTA collector is an MTA not audited, not an error */
	world_init(&w);
	w.env.mta_enabled[MTA_SENDMAIL] = false;
	w.f.mta[MTA_SENDMAIL].collected = false;
	expect(run(&w, "cis_2_1_21"), CHECK_PASS, NULL);
	world_free(&w);
}

/* ---- stig_gen004710 ---- */

static void
test_stig(void **state)
{
	static const struct {
		const char *value;
		bool ok;
		const char *why;
	} rules[] = {
		{ "permit_mynetworks, reject", true, NULL },
		{ "permit_mynetworks reject", true, NULL },
		{ "permit_sasl_authenticated,REJECT", true, NULL },
		{ "reject_unknown_client_hostname, reject", true, NULL },
		{ "permit_mynetworks", false, "postfix_client_restrictions_no_reject" },
		{ "permit, reject", false, "postfix_client_restrictions_permit_before_reject" },
		{ "", false, "postfix_client_restrictions_missing" },
		{ NULL, false, "postfix_client_restrictions_missing" },
	};
	struct world w;
	const char *why;

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		assert_int_equal(checks_postfix_client_restrictions_ok(rules[i].value, &why), rules[i].ok);
		if (rules[i].why)
			assert_string_equal(why, rules[i].why);
	}

	world_init(&w);
	expect(run(&w, "stig_gen004710"), CHECK_NOT_APPLICABLE, NULL);
	postfix(&w, pf_defaults, sizeof(pf_defaults) / sizeof(pf_defaults[0]), true, false);
	expect(run(&w, "stig_gen004710"), CHECK_PASS, NULL);
	w.f.mta[MTA_POSTFIX].local_only = false;
	expect(run(&w, "stig_gen004710"), CHECK_FAIL, "postfix_client_restrictions_missing");
	pset(&w, NULL, "smtpd_client_restrictions", "permit, reject");
	expect(run(&w, "stig_gen004710"), CHECK_FAIL, "postfix_client_restrictions_permit_before_reject");
	pset(&w, NULL, "smtpd_client_restrictions", "permit_mynetworks, reject");
	expect(run(&w, "stig_gen004710"), CHECK_PASS, NULL);
	w.env.postfix = NULL;
	expect(run(&w, "stig_gen004710"), CHECK_ERROR, "postfix_model_unavailable");
	world_free(&w);

	world_init(&w);
	w.f.mta[MTA_SENDMAIL].detected = true;
	w.f.mta[MTA_SENDMAIL].priv = &w.sf;
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
}

/* ---- mta_no_open_relay ---- */

static void
test_open_relay(void **state)
{
	struct world w;

	world_init(&w);
	expect(run(&w, "mta_no_open_relay"), CHECK_NOT_APPLICABLE, NULL);
	w.f.mta[MTA_EXIM].detected = true;
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
	w.env.listeners_enabled = false;
	expect(run(&w, "mta_runtime_matches_config"), CHECK_ERROR, "collector_disabled_listeners");
	world_free(&w);
}

/* ---- postfix_* ---- */

static void
test_postfix_defaults(void **state)
{
	static const struct {
		const char *id;
		enum check_status st;
		const char *reason;
	} want[] = {
		{ "postfix_vrfy_disabled", CHECK_FAIL, "vrfy_enabled" },
		{ "postfix_helo_required", CHECK_FAIL, "helo_not_required" },
		{ "postfix_banner_no_version", CHECK_FAIL, "banner_reveals_product" },
		{ "postfix_mynetworks_local", CHECK_PASS, NULL },
		{ "postfix_relay_restrictions", CHECK_PASS, NULL },
		{ "postfix_smtpd_tls", CHECK_FAIL, "smtpd_tls_disabled" },
		{ "postfix_smtp_tls", CHECK_FAIL, "smtp_tls_disabled" },
		{ "postfix_relayhost_sasl_tls", CHECK_NOT_APPLICABLE, NULL },
		{ "postfix_smtpd_sasl_noanonymous", CHECK_NOT_APPLICABLE, NULL },
		{ "postfix_connection_limits", CHECK_FAIL, "connection_rate_limit_unset" },
		{ "postfix_tls_loglevel", CHECK_FAIL, "smtpd_tls_loglevel_zero" },
		{ "postfix_config_warnings", CHECK_PASS, NULL },
	};
	struct world w;

	world_init(&w);
	postfix(&w, pf_defaults, sizeof(pf_defaults) / sizeof(pf_defaults[0]), false, true);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		expect(run(&w, want[i].id), want[i].st, want[i].reason);
	/* local only: exposure-related checks do not apply */
	w.f.mta[MTA_POSTFIX].local_only = true;
	w.f.mta[MTA_POSTFIX].bound_all = false;
	expect(run(&w, "postfix_smtpd_tls"), CHECK_NOT_APPLICABLE, NULL);
	expect(run(&w, "postfix_connection_limits"), CHECK_NOT_APPLICABLE, NULL);
	w.f.mta[MTA_POSTFIX].config_warnings = 3;
	expect(run(&w, "postfix_config_warnings"), CHECK_FAIL, "config_warnings");
	world_free(&w);
}

static void
test_postfix_hardened(void **state)
{
	struct world w;

	world_init(&w);
	postfix(&w, pf_hardened, sizeof(pf_hardened) / sizeof(pf_hardened[0]), false, false);
	w.svc[1] = (struct checks_postfix_service){ "", "submission", { RELAY_CLOSED, "x", "" } };
	w.pf.n_services = 2;
	w.n = checks_evaluate(&w.f, &w.env, &w.ar, w.res, 64);
	for (size_t i = 0; i < w.n; i++) {
		if (strncmp(w.res[i].id, "postfix_", 8) != 0)
			continue;
		if (w.res[i].status != CHECK_PASS)
			fail_msg("%s: %s (%s)", w.res[i].id, check_status_name(w.res[i].status),
				 w.res[i].n_reasons ? w.res[i].reasons[0] : "-");
	}

	/* each one broken in turn */
	pset(&w, NULL, "smtpd_banner", "$myhostname ESMTP Postfix 3.7.11");
	pset(&w, NULL, "smtpd_banner", "mx ESMTP 3.7.11");
	expect(run(&w, "postfix_banner_no_version"), CHECK_FAIL, "banner_reveals_version");
	pset(&w, NULL, "mynetworks", "127.0.0.0/8 198.51.100.0/24 8.8.8.0/24");
	expect(run(&w, "postfix_mynetworks_local"), CHECK_FAIL, "mynetworks_global");
	pset(&w, NULL, "mynetworks", "0.0.0.0/0");
	expect(run(&w, "postfix_mynetworks_local"), CHECK_FAIL, "mynetworks_global");
	pset(&w, "submission", "smtpd_relay_restrictions", "permit_sasl_authenticated, reject");
	expect(run(&w, "postfix_relay_restrictions"), CHECK_PASS, NULL);	/* a final reject is stricter */
	pset(&w, "submission", "smtpd_relay_restrictions", "permit_sasl_authenticated, permit_mynetworks");
	expect(run(&w, "postfix_relay_restrictions"), CHECK_FAIL, "relay_list_without_unauth_destination");
	w.pv.unreadable = "/etc/ssl/private/mx.key";
	expect(run(&w, "postfix_smtpd_tls"), CHECK_FAIL, "smtpd_tls_key_unreadable");
	pset(&w, NULL, "smtp_tls_security_level", "may");
	expect(run(&w, "postfix_relayhost_sasl_tls"), CHECK_FAIL, "relayhost_sasl_without_tls");
	expect(run(&w, "postfix_smtp_tls"), CHECK_PASS, NULL);
	pset(&w, NULL, "smtp_tls_security_level", "none");
	expect(run(&w, "postfix_smtp_tls"), CHECK_FAIL, "smtp_tls_disabled");
	pset(&w, NULL, "smtp_sasl_security_options", "noplaintext");
	expect(run(&w, "postfix_relayhost_sasl_tls"), CHECK_FAIL, "relayhost_sasl_anonymous");
	pset(&w, "submission", "smtpd_sasl_security_options", "noplaintext");
	expect(run(&w, "postfix_smtpd_sasl_noanonymous"), CHECK_FAIL, "smtpd_sasl_anonymous");
	pset(&w, NULL, "smtp_tls_loglevel", "0");
	expect(run(&w, "postfix_tls_loglevel"), CHECK_FAIL, "smtp_tls_loglevel_zero");
	world_free(&w);
}

static void
test_postfix_unavailable(void **state)
{
	struct world w;

	world_init(&w);
	expect(run(&w, "postfix_vrfy_disabled"), CHECK_NOT_APPLICABLE, NULL);
	w.f.mta[MTA_POSTFIX].detected = true;
	expect(run(&w, "postfix_vrfy_disabled"), CHECK_ERROR, "postfix_model_unavailable");
	w.env.mta_enabled[MTA_POSTFIX] = false;	/* not audited by choice */
	expect(run(&w, "postfix_vrfy_disabled"), CHECK_NOT_APPLICABLE, NULL);
	w.env.mta_enabled[MTA_POSTFIX] = true;
	w.f.mta[MTA_POSTFIX].collected = false;
	expect(run(&w, "postfix_tls_loglevel"), CHECK_ERROR, "collector_failed_postfix");
	world_free(&w);
}

/* ---- MTA-specific checks from other collectors ---- */

static void
test_mta_specific(void **state)
{
	struct world w;
	size_t count;

	world_init(&w);
	expect(run(&w, "sendmail_help_file"), CHECK_NOT_APPLICABLE, NULL);
	w.f.mta[MTA_SENDMAIL].detected = true;
	w.mchecks[0] = (struct mta_check){ .id = "sendmail_help_file", .status = CHECK_FAIL,
					   .reasons = { "help_file_present" }, .n_reasons = 1 };
	w.mchecks[1] = (struct mta_check){ .id = "exim_future_check", .status = CHECK_PASS };
	w.f.mta[MTA_SENDMAIL].checks = &w.mchecks[0];
	w.f.mta[MTA_SENDMAIL].n_checks = 1;
	w.f.mta[MTA_EXIM].checks = &w.mchecks[1];
	w.f.mta[MTA_EXIM].n_checks = 1;
	w.f.mta[MTA_EXIM].detected = true;
	expect(run(&w, "sendmail_help_file"), CHECK_FAIL, "help_file_present");
	expect(run(&w, "exim_future_check"), CHECK_PASS, NULL);
	assert_null(run(&w, "exim_future_check")->def);
	count = w.n;
	assert_int_equal(count, checks_catalogue_count + 1);
	w.f.mta[MTA_SENDMAIL].collected = false;
	w.f.mta[MTA_SENDMAIL].n_checks = 0;
	expect(run(&w, "sendmail_privacy_options"), CHECK_ERROR, "collector_failed_sendmail");
	w.env.mta_enabled[MTA_SENDMAIL] = false;
	expect(run(&w, "sendmail_privacy_options"), CHECK_NOT_APPLICABLE, NULL);
	world_free(&w);
}


/* ---- table loading for the relay evaluator ---- */

static void
test_load_tables(void **state)
{
	char root[] = "/tmp/test_checks.XXXXXX", path[256];
	const char *relay[] = { "permit_mynetworks", "check_client_access",
				"proxy:cidr:/etc/postfix/all.cidr", "check_sender_access",
				"texthash:/etc/postfix/missing", "reject_unauth_destination" };
	struct postfix_relay_input in;
	struct postfix_relay_verdict v;
	struct arena ar;
	FILE *f;

	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/etc", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/etc/postfix", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/etc/postfix/all.cidr", root);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("# everyone\n0.0.0.0/0 OK\n", f);
	fclose(f);

	arena_init(&ar, 1 << 20);
	memset(&in, 0, sizeof(in));
	in.relay = (struct postfix_relay_list){ relay, 6 };
	in.ipv4 = true;
	assert_int_equal(checks_postfix_load_tables(root, &ar, &in), 0);
	assert_int_equal(in.n_tables, 2);
	assert_string_equal(in.tables[0].name, "proxy:cidr:/etc/postfix/all.cidr");
	assert_non_null(in.tables[0].text);
	assert_null(in.tables[1].text);	/* missing: unreadable */
	postfix_relay_evaluate(&in, &v);
	assert_int_equal(v.verdict, RELAY_OPEN);	/* decided before the missing table */
	relay[2] = "cidr:/etc/postfix/none.cidr";
	memset(&in, 0, sizeof(in));
	in.relay = (struct postfix_relay_list){ relay, 6 };
	in.ipv4 = true;
	assert_int_equal(checks_postfix_load_tables(root, &ar, &in), 0);
	postfix_relay_evaluate(&in, &v);
	assert_int_equal(v.verdict, RELAY_UNDETERMINED);
	assert_string_equal(v.reason, "table_unreadable");
	arena_free(&ar);
	unlink(path);
	snprintf(path, sizeof(path), "%s/etc/postfix", root);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/etc", root);
	rmdir(path);
	rmdir(root);
}


/* ---- building the Postfix view from per-service parameters ---- */

static const char *
src_param(const void *ctx, const char *service, const char *name)
{
	return kv_param(ctx, service, name);
}

static bool
src_is_set(const void *ctx, const char *service, const char *name)
{
	return kv_param(ctx, service, name) != NULL;
}

static void
test_postfix_build(void **state)
{
	static const struct kv kv[] = {
		{ "submission", "mynetworks", "0.0.0.0/0" },
		{ "local", "mynetworks", "0.0.0.0/0" },
		{ NULL, "compatibility_level", "3.6" },
		{ NULL, "mynetworks", "127.0.0.0/8" },
		{ NULL, "smtpd_relay_restrictions", "permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination" },
		{ NULL, "inet_protocols", "ipv4" },
	};
	static const char *const names[] = { "smtp", "submission", "local" };
	static const char *const inst[] = { "", "", "postfix-out" };
	static const bool lo[] = { false, false, true };
	struct pview pv = { kv, sizeof(kv) / sizeof(kv[0]), NULL };
	struct checks_postfix_source src = {
		.param = src_param, .is_set = src_is_set, .ctx = &pv,
		.instances = inst, .services = names, .loopback_only = lo, .n_services = 3,
	};
	struct checks_postfix view;
	struct world w;

	world_init(&w);
	assert_int_equal(checks_postfix_build(&src, "/nonexistent", &w.ar, &view), 0);
	assert_true(view.available);
	assert_int_equal(view.n_services, 3);
	assert_int_equal(view.services[0].relay.verdict, RELAY_CLOSED);
	assert_int_equal(view.services[1].relay.verdict, RELAY_OPEN);
	assert_string_equal(view.services[1].relay.reason, "mynetworks_covers_all");
	assert_int_equal(view.services[2].relay.verdict, RELAY_CLOSED);	/* loopback only */
	assert_string_equal(view.services[2].instance, "postfix-out");
	assert_string_equal(view.param(view.ctx, "submission", "mynetworks"), "0.0.0.0/0");
	assert_true(view.set(view.ctx, "mynetworks"));
	assert_false(view.set(view.ctx, "smtpd_client_restrictions"));
	/* the checks read it */
	w.f.mta[MTA_POSTFIX].detected = true;
	w.env.postfix = &view;
	expect(run(&w, "postfix_relay_restrictions"), CHECK_PASS, NULL);
	expect(run(&w, "postfix_mynetworks_local"), CHECK_PASS, NULL);
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
	assert_int_equal(w.f.n_checks, checks_catalogue_count);
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
	}
	assert_int_equal(checks, checks_catalogue_count);
	assert_int_equal(ones, checks_catalogue_count);	/* exactly one status per check */
	buf_free(&b);
	metrics_free(m);
	world_free(&w);
}

static void
test_catalogue(void **state)
{
	for (size_t i = 0; i < checks_catalogue_count; i++) {
		const struct check_def *d = &checks_catalogue[i];

		assert_non_null(d->title);
		assert_non_null(d->source);
		assert_non_null(d->remediation);
		assert_true(strcmp(d->severity, "critical") == 0 || strcmp(d->severity, "warning") == 0
			    || strcmp(d->severity, "info") == 0);
		assert_ptr_equal(checks_find(d->id), d);
	}
	assert_null(checks_find("no_such_check"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalogue),
		cmocka_unit_test(test_cis),
		cmocka_unit_test(test_stig),
		cmocka_unit_test(test_open_relay),
		cmocka_unit_test(test_runtime),
		cmocka_unit_test(test_postfix_defaults),
		cmocka_unit_test(test_postfix_hardened),
		cmocka_unit_test(test_postfix_unavailable),
		cmocka_unit_test(test_mta_specific),
		cmocka_unit_test(test_load_tables),
		cmocka_unit_test(test_postfix_build),
		cmocka_unit_test(test_collector_metrics),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

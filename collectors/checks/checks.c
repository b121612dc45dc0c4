/*
 * checks.c - the compliance checks (see checks.h and docs/checks.md).
 *
 * Interface: checks_evaluate() (pure: facts + which collectors ran ->
 * results), checks_postfix_client_restrictions_ok(), the catalogue,
 * checks_postfix_build() (per-service Postfix parameters -> relay verdicts
 * and the parameter view), checks_postfix_load_tables() (the module's only
 * file reads, through fileio), and collector_checks ("checks", default on,
 * last in the table).
 *
 * Status rules shared by every check:
 *   - a definite failure found in what was collected is FAIL, even when
 *     another input is missing (the failure is certain);
 *   - otherwise, a missing input (its collector disabled or failed) is
 *     ERROR with reason collector_disabled_<name> / collector_failed_<name>;
 *   - otherwise PASS, or NOT_APPLICABLE when the check's subject (an MTA,
 *     a feature) is absent.
 *
 * Diagnostics: an unreadable table is logged with its path; otherwise
 * none.  The collector fails only when per-scrape memory runs out (a
 * missing input is an "error" status, visible in the metrics and audit).
 */
#include "collectors/checks/checks.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "collectors/sendmail/sendmail.h"
#include "lib/fileio.h"
#include "lib/log.h"

/* ---- catalogue ---- */

const struct check_def checks_catalogue[] = {
	{ "cis_2_1_21", "MTA is configured for local-only mode",
	  "CIS Debian Linux Benchmark 2.1.21", "warning",
	  "If the host is not a mail server, set inet_interfaces = loopback-only in "
	  "/etc/postfix/main.cf (Exim: dc_local_interfaces='127.0.0.1 ; ::1'; Sendmail: "
	  "DAEMON_OPTIONS(`Addr=127.0.0.1, ...') for every daemon) and restart the MTA "
	  "(a reload does not rebind)." },
	{ "stig_gen004710", "Mail relaying is restricted", "DISA STIG GEN004710 (V-23952)",
	  "critical",
	  "Postfix: set inet_interfaces = loopback-only, or smtpd_client_restrictions = "
	  "permit_mynetworks, reject (no bare permit before reject). Sendmail: remove "
	  "FEATURE(`promiscuous_relay') from sendmail.mc, rebuild sendmail.cf, restart; or "
	  "bind every DaemonPortOptions to a loopback address." },
	{ "mta_no_open_relay", "No SMTP service relays for unauthenticated outside clients",
	  "mta_exporter relay model (docs/relay-model.md)", "critical",
	  "Make the relay restrictions end in reject_unauth_destination (Postfix: "
	  "smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, "
	  "reject_unauth_destination), keep mynetworks to trusted networks, and check "
	  "every master.cf -o override." },
	{ "mta_runtime_matches_config", "Listening sockets match the configuration",
	  "mta_exporter", "warning",
	  "Restart the MTA so that it listens where its configuration says (Postfix: "
	  "systemctl restart postfix; postfix reload does not change inet_interfaces)." },
	{ "postfix_vrfy_disabled", "VRFY is disabled", "DISA STIG GEN004680; Postfix hardening guide",
	  "warning", "postconf -e disable_vrfy_command=yes; postfix reload" },
	{ "postfix_helo_required", "Clients must send HELO/EHLO", "Postfix hardening guide",
	  "info", "postconf -e smtpd_helo_required=yes; postfix reload" },
	{ "postfix_banner_no_version", "SMTP banner reveals neither product nor version",
	  "CaC postfix_server_banner; Lynis MAIL-8818", "info",
	  "postconf -e 'smtpd_banner = $myhostname ESMTP'; postfix reload" },
	{ "postfix_mynetworks_local", "mynetworks trusts no globally routable address",
	  "Postfix hardening guide", "warning",
	  "List only loopback and internal networks: postconf -e 'mynetworks = 127.0.0.0/8 "
	  "[::1]/128' (plus your private networks); postfix reload" },
	{ "postfix_relay_restrictions", "Relay lists reject unauthorised destinations",
	  "Postfix hardening guide; Postfix SMTPD_ACCESS_README", "warning",
	  "End smtpd_relay_restrictions (and every -o override of it) with "
	  "reject_unauth_destination or defer_unauth_destination." },
	{ "postfix_smtpd_tls", "Inbound TLS is enabled with a readable certificate and key",
	  "Postfix hardening guide", "warning",
	  "Set smtpd_tls_security_level = may, smtpd_tls_cert_file and smtpd_tls_key_file "
	  "to a readable certificate and key; postfix reload" },
	{ "postfix_smtp_tls", "Outbound TLS is at least opportunistic", "Postfix hardening guide",
	  "warning", "postconf -e smtp_tls_security_level=may; postfix reload" },
	{ "postfix_relayhost_sasl_tls", "Relayhost credentials are sent only over TLS",
	  "Postfix hardening guide", "warning",
	  "With relayhost and smtp_sasl_auth_enable = yes, set smtp_tls_security_level = "
	  "encrypt (or stronger) and smtp_sasl_security_options = noanonymous." },
	{ "postfix_smtpd_sasl_noanonymous", "Inbound SASL refuses anonymous mechanisms",
	  "Postfix hardening guide", "warning",
	  "postconf -e smtpd_sasl_security_options=noanonymous; postfix reload" },
	{ "postfix_connection_limits", "Connection count and rate limits are set",
	  "Postfix hardening guide (anvil)", "info",
	  "Set smtpd_client_connection_count_limit and smtpd_client_connection_rate_limit "
	  "to non-zero values (with anvil_rate_time_unit); postfix reload" },
	{ "postfix_tls_loglevel", "TLS activity is logged", "Postfix hardening guide", "info",
	  "postconf -e smtpd_tls_loglevel=1 smtp_tls_loglevel=1; postfix reload" },
	{ "postfix_config_warnings", "Configuration has no warnings",
	  "Postfix hardening guide (postconf 1>/dev/null); Lynis MAIL-8817", "warning",
	  "Run postconf 1>/dev/null and fix every warning it prints." },
	{ "sendmail_privacy_options", "PrivacyOptions disable EXPN and VRFY",
	  "DISA STIG GEN004660/GEN004680 (Sendmail)", "warning",
	  "define(`confPRIVACY_FLAGS', `goaway')dnl in sendmail.mc, rebuild sendmail.cf, restart" },
	{ "sendmail_greeting_no_version", "SMTP greeting reveals no version",
	  "DISA STIG GEN004560 (Sendmail)", "info",
	  "define(`confSMTP_LOGIN_MSG', `$j ESMTP')dnl in sendmail.mc, rebuild sendmail.cf, restart" },
	{ "sendmail_help_file", "SMTP HELP is disabled", "DISA STIG GEN004540 (Sendmail)", "info",
	  "Empty or remove the HelpFile (define(`HELP_FILE', `')dnl), rebuild, restart" },
	{ "sendmail_relay_features", "No relay-widening features", "Sendmail cf/README",
	  "warning",
	  "Remove promiscuous_relay, relay_entire_domain, relay_based_on_MX, "
	  "relay_local_from and loose_relay_check from sendmail.mc; rebuild, restart" },
	{ "sendmail_mc_cf_consistent", "sendmail.cf was rebuilt from sendmail.mc", "mta_exporter",
	  "warning", "Rebuild sendmail.cf from sendmail.mc (make -C /etc/mail) and restart" },
};

const size_t checks_catalogue_count = sizeof(checks_catalogue) / sizeof(checks_catalogue[0]);

const struct check_def *
checks_find(const char *id)
{
	for (size_t i = 0; i < checks_catalogue_count; i++)
		if (strcmp(checks_catalogue[i].id, id) == 0)
			return &checks_catalogue[i];
	return NULL;
}

const char *
check_status_name(enum check_status s)
{
	switch (s) {
	case CHECK_PASS: return "pass";
	case CHECK_FAIL: return "fail";
	case CHECK_NOT_APPLICABLE: return "not_applicable";
	case CHECK_ERROR: return "error";
	}
	return "error";
}

/* ---- helpers ---- */

struct ev {
	const struct facts *f;
	const struct checks_env *env;
	struct arena *ar;
	struct check_result *out;
	size_t n, max;
};

static void
add_reason(struct check_result *r, const char *code)
{
	for (size_t i = 0; i < r->n_reasons; i++)
		if (strcmp(r->reasons[i], code) == 0)
			return;
	if (r->n_reasons < CHECK_MAX_REASONS)
		r->reasons[r->n_reasons++] = code;
}

static struct check_result *
begin(struct ev *e, const char *id)
{
	struct check_result *r;

	if (e->n >= e->max)
		return NULL;
	r = &e->out[e->n++];
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->def = checks_find(id);
	r->status = CHECK_PASS;
	return r;
}

/* Append text to the result's detail (arena). */
static void __attribute__((format(printf, 3, 4)))
note(struct ev *e, struct check_result *r, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	r->detail = r->detail ? arena_printf(e->ar, "%s; %s", r->detail, buf)
			      : arena_strdup(e->ar, buf);
}

/* Problem with the listeners collector, or NULL. */
static const char *
listeners_problem(const struct ev *e)
{
	if (!e->env->listeners_enabled)
		return "collector_disabled_listeners";
	if (!e->f->listeners_collected)
		return "collector_failed_listeners";
	return NULL;
}

/* A failed MTA collector, or NULL (a disabled one: that MTA is not audited). */
static const char *
mta_problem(const struct ev *e, enum mta_kind k)
{
	static const char *const failed[MTA_COUNT] = {
		"collector_failed_postfix", "collector_failed_exim", "collector_failed_sendmail",
	};

	if (!e->env->mta_enabled[k])
		return NULL;
	if (!e->f->mta[k].collected)
		return failed[k];
	return NULL;
}

/* Final status: FAIL if findings, else ERROR if problems, else pass/na. */
static void
finish(struct check_result *r, size_t n_findings, const char *const *problems, size_t n_problems,
       bool applicable)
{
	if (n_findings) {
		r->status = CHECK_FAIL;
		return;
	}
	if (n_problems) {
		r->status = CHECK_ERROR;
		for (size_t i = 0; i < n_problems; i++)
			add_reason(r, problems[i]);
		return;
	}
	r->status = applicable ? CHECK_PASS : CHECK_NOT_APPLICABLE;
}

static bool
any_detected(const struct facts *f)
{
	for (int k = 0; k < MTA_COUNT; k++)
		if (f->mta[k].detected)
			return true;
	return false;
}

/* ---- cis_2_1_21 ---- */

static void
check_cis(struct ev *e)
{
	static const char *const all_code[MTA_COUNT] = {
		"postfix_inet_interfaces_all", "exim_local_interfaces_all", "sendmail_daemon_all",
	};
	static const char *const nonlo_code[MTA_COUNT] = {
		"postfix_inet_interfaces_nonloopback", "exim_local_interfaces_nonloopback",
		"sendmail_daemon_nonloopback",
	};
	struct check_result *r = begin(e, "cis_2_1_21");
	const char *problems[1 + MTA_COUNT];
	size_t np = 0, nf = 0;
	const char *lp;

	if (r == NULL)
		return;
	if ((lp = listeners_problem(e)) != NULL) {
		problems[np++] = lp;
	} else {
		for (size_t i = 0; i < e->f->n_listeners; i++) {
			const struct listener *l = &e->f->listeners[i];

			if (l->loopback)
				continue;
			add_reason(r, arena_printf(e->ar, "port_%u_nonloopback", (unsigned)l->port));
			note(e, r, "port %u listens on %s%s%s", (unsigned)l->port, l->addrstr,
			     l->process[0] ? " by " : "", l->process);
			nf++;
		}
	}
	for (int k = 0; k < MTA_COUNT; k++) {
		const struct mta_facts *m = &e->f->mta[k];
		const char *mp = mta_problem(e, (enum mta_kind)k);

		if (mp != NULL && e->env->mta_enabled[k]) {
			problems[np++] = mp;	/* failed: we cannot see its config */
			continue;
		}
		if (!m->detected)
			continue;
		if (m->bound_all) {
			add_reason(r, all_code[k]);
			note(e, r, "%s is configured to listen on all interfaces", mta_name((enum mta_kind)k));
			nf++;
		} else if (!m->local_only) {
			add_reason(r, nonlo_code[k]);
			note(e, r, "%s is configured to listen on a non-loopback address",
			     mta_name((enum mta_kind)k));
			nf++;
		}
	}
	if (!nf && !np)
		note(e, r, any_detected(e->f) ? "every MTA listens on loopback only"
					      : "no MTA detected and no audited port listens beyond loopback");
	finish(r, nf, problems, np, true);
}

/* ---- stig_gen004710 ---- */

bool
checks_postfix_client_restrictions_ok(const char *value, const char **why)
{
	char buf[4096];
	const char *tok[256];
	size_t n = 0;
	char *p, *save = NULL;

	if (value == NULL || value[0] == '\0') {
		*why = "postfix_client_restrictions_missing";
		return false;
	}
	snprintf(buf, sizeof(buf), "%s", value);
	for (p = strtok_r(buf, ", \t\r\n", &save); p && n < 256; p = strtok_r(NULL, ", \t\r\n", &save))
		tok[n++] = p;
	for (size_t i = 0; i < n; i++) {
		if (strcasecmp(tok[i], "reject") == 0) {
			*why = NULL;
			return true;
		}
		if (strcasecmp(tok[i], "permit") == 0) {
			*why = "postfix_client_restrictions_permit_before_reject";
			return false;
		}
	}
	*why = "postfix_client_restrictions_no_reject";
	return false;
}

static void
check_stig(struct ev *e)
{
	struct check_result *r = begin(e, "stig_gen004710");
	const char *problems[MTA_COUNT];
	size_t np = 0, nf = 0;
	bool applicable = false;

	if (r == NULL)
		return;
	for (int k = 0; k < MTA_COUNT; k++) {
		const struct mta_facts *m = &e->f->mta[k];
		const char *mp = mta_problem(e, (enum mta_kind)k);

		if (mp != NULL && e->env->mta_enabled[k]) {
			problems[np++] = mp;
			continue;
		}
		if (!m->detected)
			continue;
		applicable = true;
		if (k == MTA_POSTFIX) {
			const struct checks_postfix *pf = e->env->postfix;
			const char *why, *v;

			if (m->local_only) {
				note(e, r, "postfix: inet_interfaces is loopback only");
				continue;
			}
			if (pf == NULL || !pf->available) {
				problems[np++] = "postfix_model_unavailable";
				continue;
			}
			v = pf->param(pf->ctx, NULL, "smtpd_client_restrictions");
			if (pf->set && !pf->set(pf->ctx, "smtpd_client_restrictions"))
				v = NULL;
			if (!checks_postfix_client_restrictions_ok(v, &why)) {
				add_reason(r, why);
				note(e, r, "postfix listens beyond loopback and smtpd_client_restrictions = %s",
				     v && *v ? v : "(not set)");
				nf++;
			} else {
				note(e, r, "postfix: smtpd_client_restrictions = %s", v);
			}
		} else if (k == MTA_SENDMAIL) {
			const struct sendmail_facts *sf = m->priv;

			if (sf == NULL) {
				problems[np++] = "collector_failed_sendmail";
				continue;
			}
			if (sf->all_daemons_loopback) {
				note(e, r, "sendmail: every DaemonPortOptions is loopback");
				continue;
			}
			if (sf->promiscuous_relay) {
				add_reason(r, "sendmail_promiscuous_relay");
				note(e, r, "sendmail listens beyond loopback with promiscuous relaying");
				nf++;
			}
		} else {
			/* Exim: the STIG defers to the product's documentation. */
			for (size_t i = 0; i < m->n_relays; i++)
				if (m->relays[i].verdict == RELAY_OPEN && !m->local_only) {
					add_reason(r, "exim_open_relay");
					note(e, r, "exim service %s relays for anyone", m->relays[i].service);
					nf++;
				}
		}
	}
	finish(r, nf, problems, np, applicable);
}

/* ---- mta_no_open_relay ---- */

static void
check_open_relay(struct ev *e)
{
	static const char *const open_code[MTA_COUNT] = {
		"postfix_open_relay", "exim_open_relay", "sendmail_open_relay",
	};
	static const char *const und_code[MTA_COUNT] = {
		"postfix_relay_undetermined", "exim_relay_undetermined", "sendmail_relay_undetermined",
	};
	struct check_result *r = begin(e, "mta_no_open_relay");
	const char *problems[2 * MTA_COUNT];
	size_t np = 0, nf = 0;
	bool applicable = false;

	if (r == NULL)
		return;
	for (int k = 0; k < MTA_COUNT; k++) {
		const struct mta_facts *m = &e->f->mta[k];
		const char *mp = mta_problem(e, (enum mta_kind)k);

		if (mp != NULL && e->env->mta_enabled[k]) {
			problems[np++] = mp;
			continue;
		}
		if (!m->detected)
			continue;
		applicable = true;
		for (size_t i = 0; i < m->n_relays; i++) {
			const struct mta_relay *rl = &m->relays[i];

			if (rl->verdict == RELAY_OPEN) {
				add_reason(r, open_code[k]);
				note(e, r, "%s service %s%s%s is an open relay: %s", mta_name((enum mta_kind)k),
				     rl->instance && *rl->instance ? rl->instance : "",
				     rl->instance && *rl->instance ? "/" : "", rl->service,
				     rl->detail ? rl->detail : rl->reason);
				nf++;
			} else if (rl->verdict == RELAY_UNDETERMINED) {
				problems[np < 2 * MTA_COUNT ? np++ : np - 1] = und_code[k];
				note(e, r, "%s service %s: undetermined (%s)", mta_name((enum mta_kind)k),
				     rl->service, rl->detail ? rl->detail : rl->reason);
			}
		}
	}
	finish(r, nf, problems, np, applicable);
}

/* ---- mta_runtime_matches_config ---- */

static bool
process_is(const char *comm, enum mta_kind k)
{
	static const char *const names[MTA_COUNT][3] = {
		{ "master", NULL, NULL },
		{ "exim4", "exim", NULL },
		{ "sendmail", "sendmail-mta", NULL },
	};

	if (comm == NULL || comm[0] == '\0')
		return true;	/* owner unknown: do not exclude */
	for (int i = 0; i < 3 && names[k][i]; i++)
		if (strncmp(comm, names[k][i], strlen(names[k][i])) == 0)
			return true;
	return false;
}

static bool
endpoint_matches(const struct mta_endpoint *ep, const struct listener *l)
{
	struct inaddr a, b;

	if (ep->port != l->port || !ep->numeric)
		return false;
	a = inaddr_unmap(&ep->addr);
	b = inaddr_unmap(&l->addr);
	return inaddr_equal(&a, &b);
}

static void
check_runtime(struct ev *e)
{
	static const char *const extra_code[MTA_COUNT] = {
		"postfix_listener_not_configured", "exim_listener_not_configured",
		"sendmail_listener_not_configured",
	};
	static const char *const missing_code[MTA_COUNT] = {
		"postfix_endpoint_not_listening", "exim_endpoint_not_listening",
		"sendmail_endpoint_not_listening",
	};
	struct check_result *r = begin(e, "mta_runtime_matches_config");
	const char *problems[1 + MTA_COUNT];
	size_t np = 0, nf = 0;
	bool applicable = false;
	const char *lp;

	if (r == NULL)
		return;
	if ((lp = listeners_problem(e)) != NULL)
		problems[np++] = lp;
	for (int k = 0; k < MTA_COUNT && lp == NULL; k++) {
		const struct mta_facts *m = &e->f->mta[k];
		const char *mp = mta_problem(e, (enum mta_kind)k);
		size_t running = 0;

		if (mp != NULL && e->env->mta_enabled[k]) {
			problems[np++] = mp;
			continue;
		}
		if (!m->detected || m->n_endpoints == 0)
			continue;
		/* listeners this MTA owns: on one of its ports, by its process */
		for (size_t i = 0; i < e->f->n_listeners; i++) {
			const struct listener *l = &e->f->listeners[i];
			bool port_known = false, explained = false;

			for (size_t j = 0; j < m->n_endpoints; j++) {
				if (m->endpoints[j].port == l->port)
					port_known = true;
				if (endpoint_matches(&m->endpoints[j], l))
					explained = true;
			}
			if (!port_known || !process_is(l->process, (enum mta_kind)k))
				continue;
			running++;
			if (!explained) {
				bool any_symbolic = false;

				for (size_t j = 0; j < m->n_endpoints; j++)
					if (m->endpoints[j].port == l->port && !m->endpoints[j].numeric)
						any_symbolic = true;
				if (any_symbolic)
					continue;	/* a host name: cannot compare offline */
				add_reason(r, extra_code[k]);
				note(e, r, "%s listens on %s port %u, which its configuration does not name",
				     mta_name((enum mta_kind)k), l->addrstr, (unsigned)l->port);
				nf++;
			}
		}
		if (running == 0)
			continue;	/* not running: nothing to compare */
		applicable = true;
		for (size_t j = 0; j < m->n_endpoints; j++) {
			const struct mta_endpoint *ep = &m->endpoints[j];
			bool found = false;
			bool port_listed = false;

			if (!ep->numeric)
				continue;
			for (size_t i = 0; i < e->f->n_ports; i++)
				if (e->f->ports[i] == ep->port)
					port_listed = true;
			if (!port_listed && e->f->n_ports)
				continue;	/* not an audited port: no listener data */
			for (size_t i = 0; i < e->f->n_listeners; i++)
				if (endpoint_matches(ep, &e->f->listeners[i]))
					found = true;
			if (!found) {
				add_reason(r, missing_code[k]);
				note(e, r, "%s service %s should listen on %s port %u but does not",
				     mta_name((enum mta_kind)k), ep->service, ep->address, (unsigned)ep->port);
				nf++;
			}
		}
	}
	if (nf)
		note(e, r, "the running MTA was not restarted after its configuration changed");
	finish(r, nf, problems, np, applicable);
}

/* ---- postfix_* ---- */

static const char *
pget(const struct checks_postfix *pf, const char *service, const char *name)
{
	const char *v = pf->param(pf->ctx, service, name);

	return v ? v : "";
}

static bool
pyes(const struct checks_postfix *pf, const char *service, const char *name)
{
	return strcasecmp(pget(pf, service, name), "yes") == 0;
}

static bool
has_word(const char *list, const char *word)
{
	char buf[2048];
	char *p, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	for (p = strtok_r(buf, ", \t\r\n", &save); p; p = strtok_r(NULL, ", \t\r\n", &save))
		if (strcasecmp(p, word) == 0)
			return true;
	return false;
}

/* Does a mynetworks item name a network holding a globally routable address? */
static bool
network_global(const char *item)
{
	struct inaddr net;
	unsigned plen;
	const char *p = item;

	if (*p == '!')
		return false;
	if (inaddr_parse_cidr(p, &net, &plen) < 0)
		return false;
	if (inaddr_is_global(&net))
		return true;
	/* a short prefix spans public space whatever its first address */
	return plen < 8;
}

static const char *const tls_levels_on[] = {
	"may", "encrypt", "dane", "dane-only", "fingerprint", "verify", "secure", NULL,
};

static bool
level_in(const char *v, const char *const *set)
{
	for (size_t i = 0; set[i]; i++)
		if (strcasecmp(v, set[i]) == 0)
			return true;
	return false;
}

static void
postfix_checks(struct ev *e)
{
	static const char *const ids[] = {
		"postfix_vrfy_disabled", "postfix_helo_required", "postfix_banner_no_version",
		"postfix_mynetworks_local", "postfix_relay_restrictions", "postfix_smtpd_tls",
		"postfix_smtp_tls", "postfix_relayhost_sasl_tls", "postfix_smtpd_sasl_noanonymous",
		"postfix_connection_limits", "postfix_tls_loglevel", "postfix_config_warnings",
	};
	const struct mta_facts *m = &e->f->mta[MTA_POSTFIX];
	const struct checks_postfix *pf = e->env->postfix;
	const char *mp = mta_problem(e, MTA_POSTFIX);
	struct check_result *r;

	if (!e->env->mta_enabled[MTA_POSTFIX])
		mp = NULL;	/* not audited by choice: not applicable */
	if (mp != NULL || !m->detected || pf == NULL || !pf->available) {
		for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
			if ((r = begin(e, ids[i])) == NULL)
				return;
			if (!e->env->mta_enabled[MTA_POSTFIX]) {
				r->status = CHECK_NOT_APPLICABLE;
				note(e, r, "the postfix collector is disabled");
			} else if (mp != NULL) {
				r->status = CHECK_ERROR;
				add_reason(r, mp);
			} else if (!m->detected) {
				r->status = CHECK_NOT_APPLICABLE;
				note(e, r, "Postfix not detected");
			} else {
				r->status = CHECK_ERROR;
				add_reason(r, "postfix_model_unavailable");
			}
		}
		return;
	}

	/* VRFY (STIG GEN004680) */
	if ((r = begin(e, "postfix_vrfy_disabled")) == NULL)
		return;
	if (!pyes(pf, NULL, "disable_vrfy_command")) {
		r->status = CHECK_FAIL;
		add_reason(r, "vrfy_enabled");
		note(e, r, "disable_vrfy_command = %s", pget(pf, NULL, "disable_vrfy_command"));
	}

	if ((r = begin(e, "postfix_helo_required")) == NULL)
		return;
	if (!pyes(pf, NULL, "smtpd_helo_required")) {
		r->status = CHECK_FAIL;
		add_reason(r, "helo_not_required");
	}

	if ((r = begin(e, "postfix_banner_no_version")) == NULL)
		return;
	{
		const char *b = pget(pf, NULL, "smtpd_banner");
		const char *ver = pget(pf, NULL, "mail_version");

		if (strcasestr(b, "postfix") != NULL) {
			r->status = CHECK_FAIL;
			add_reason(r, "banner_reveals_product");
		}
		if (*ver && strstr(b, ver) != NULL) {
			r->status = CHECK_FAIL;
			add_reason(r, "banner_reveals_version");
		}
		note(e, r, "smtpd_banner = %s", b);
	}

	if ((r = begin(e, "postfix_mynetworks_local")) == NULL)
		return;
	{
		char buf[2048];
		char *p, *save = NULL;

		snprintf(buf, sizeof(buf), "%s", pget(pf, NULL, "mynetworks"));
		for (p = strtok_r(buf, ", \t\r\n", &save); p; p = strtok_r(NULL, ", \t\r\n", &save))
			if (network_global(p)) {
				r->status = CHECK_FAIL;
				add_reason(r, "mynetworks_global");
				note(e, r, "mynetworks includes %s", p);
			}
	}

	if ((r = begin(e, "postfix_relay_restrictions")) == NULL)
		return;
	for (size_t i = 0; i < pf->n_services; i++) {
		const char *svc = pf->services[i].service;
		const char *relay = pget(pf, svc, "smtpd_relay_restrictions");
		const char *rcpt = pget(pf, svc, "smtpd_recipient_restrictions");

		static const char *const guards[] = {
			"reject_unauth_destination", "defer_unauth_destination", "reject", "defer",
		};
		bool ok = false;

		for (size_t g = 0; g < sizeof(guards) / sizeof(guards[0]); g++)
			ok = ok || has_word(relay, guards[g]) || has_word(rcpt, guards[g]);
		if (!ok) {
			r->status = CHECK_FAIL;
			add_reason(r, "relay_list_without_unauth_destination");
			note(e, r, "service %s: neither list has reject_unauth_destination "
				     "(or a final reject)", svc);
		}
	}
	if (pf->n_services == 0)
		r->status = CHECK_NOT_APPLICABLE;

	if ((r = begin(e, "postfix_smtpd_tls")) == NULL)
		return;
	if (m->local_only) {
		r->status = CHECK_NOT_APPLICABLE;
		note(e, r, "Postfix listens on loopback only");
	} else {
		const char *lvl = pget(pf, NULL, "smtpd_tls_security_level");
		bool on = *lvl ? level_in(lvl, tls_levels_on) : pyes(pf, NULL, "smtpd_use_tls")
								    || pyes(pf, NULL, "smtpd_enforce_tls");
		const char *cert = pget(pf, NULL, "smtpd_tls_cert_file");
		const char *key = pget(pf, NULL, "smtpd_tls_key_file");

		if (!*key)
			key = cert;	/* the key may live in the certificate file */
		if (!on) {
			r->status = CHECK_FAIL;
			add_reason(r, "smtpd_tls_disabled");
		}
		if (!*cert || (pf->readable && !pf->readable(pf->ctx, cert))) {
			r->status = CHECK_FAIL;
			add_reason(r, "smtpd_tls_cert_unreadable");
			note(e, r, "certificate \"%s\" is not readable", cert);
		}
		if (!*key || (pf->readable && !pf->readable(pf->ctx, key))) {
			r->status = CHECK_FAIL;
			add_reason(r, "smtpd_tls_key_unreadable");
			note(e, r, "key \"%s\" is not readable", key);
		}
	}

	if ((r = begin(e, "postfix_smtp_tls")) == NULL)
		return;
	{
		const char *lvl = pget(pf, NULL, "smtp_tls_security_level");
		bool on = *lvl ? level_in(lvl, tls_levels_on)
			       : pyes(pf, NULL, "smtp_use_tls") || pyes(pf, NULL, "smtp_enforce_tls");

		if (!on) {
			r->status = CHECK_FAIL;
			add_reason(r, "smtp_tls_disabled");
			note(e, r, "smtp_tls_security_level = %s", *lvl ? lvl : "(empty)");
		}
	}

	if ((r = begin(e, "postfix_relayhost_sasl_tls")) == NULL)
		return;
	if (!*pget(pf, NULL, "relayhost") || !pyes(pf, NULL, "smtp_sasl_auth_enable")) {
		r->status = CHECK_NOT_APPLICABLE;
	} else {
		static const char *const strong[] = {
			"encrypt", "dane-only", "fingerprint", "verify", "secure", NULL,
		};
		const char *lvl = pget(pf, NULL, "smtp_tls_security_level");

		if (!(*lvl ? level_in(lvl, strong) : pyes(pf, NULL, "smtp_enforce_tls"))) {
			r->status = CHECK_FAIL;
			add_reason(r, "relayhost_sasl_without_tls");
			note(e, r, "smtp_tls_security_level = %s", *lvl ? lvl : "(empty)");
		}
		if (!has_word(pget(pf, NULL, "smtp_sasl_security_options"), "noanonymous")) {
			r->status = CHECK_FAIL;
			add_reason(r, "relayhost_sasl_anonymous");
		}
	}

	if ((r = begin(e, "postfix_smtpd_sasl_noanonymous")) == NULL)
		return;
	{
		bool on = pyes(pf, NULL, "smtpd_sasl_auth_enable");

		for (size_t i = 0; i < pf->n_services; i++)
			if (pyes(pf, pf->services[i].service, "smtpd_sasl_auth_enable"))
				on = true;
		if (!on) {
			r->status = CHECK_NOT_APPLICABLE;
		} else {
			if (!has_word(pget(pf, NULL, "smtpd_sasl_security_options"), "noanonymous")) {
				r->status = CHECK_FAIL;
				add_reason(r, "smtpd_sasl_anonymous");
			}
			for (size_t i = 0; i < pf->n_services; i++) {
				const char *s = pf->services[i].service;

				if (pyes(pf, s, "smtpd_sasl_auth_enable")
				    && !has_word(pget(pf, s, "smtpd_sasl_security_options"), "noanonymous")) {
					r->status = CHECK_FAIL;
					add_reason(r, "smtpd_sasl_anonymous");
					note(e, r, "service %s allows anonymous SASL", s);
				}
			}
		}
	}

	if ((r = begin(e, "postfix_connection_limits")) == NULL)
		return;
	if (m->local_only) {
		r->status = CHECK_NOT_APPLICABLE;
	} else {
		if (atol(pget(pf, NULL, "smtpd_client_connection_count_limit")) <= 0) {
			r->status = CHECK_FAIL;
			add_reason(r, "connection_count_limit_unset");
		}
		if (atol(pget(pf, NULL, "smtpd_client_connection_rate_limit")) <= 0) {
			r->status = CHECK_FAIL;
			add_reason(r, "connection_rate_limit_unset");
		}
	}

	if ((r = begin(e, "postfix_tls_loglevel")) == NULL)
		return;
	if (atol(pget(pf, NULL, "smtpd_tls_loglevel")) < 1) {
		r->status = CHECK_FAIL;
		add_reason(r, "smtpd_tls_loglevel_zero");
	}
	if (atol(pget(pf, NULL, "smtp_tls_loglevel")) < 1) {
		r->status = CHECK_FAIL;
		add_reason(r, "smtp_tls_loglevel_zero");
	}

	if ((r = begin(e, "postfix_config_warnings")) == NULL)
		return;
	if (m->config_warnings) {
		r->status = CHECK_FAIL;
		add_reason(r, "config_warnings");
		note(e, r, "%u configuration warnings (see the exporter log)", m->config_warnings);
	}
}

/* ---- MTA-specific checks from the other collectors ---- */

static void
mta_specific(struct ev *e)
{
	static const struct {
		enum mta_kind k;
		const char *prefix;
	} owners[] = { { MTA_SENDMAIL, "sendmail_" }, { MTA_EXIM, "exim_" } };

	/* catalogue entries first, in catalogue order */
	for (size_t c = 0; c < checks_catalogue_count; c++) {
		const struct check_def *d = &checks_catalogue[c];

		for (size_t o = 0; o < sizeof(owners) / sizeof(owners[0]); o++) {
			const struct mta_facts *m = &e->f->mta[owners[o].k];
			const struct mta_check *found = NULL;
			struct check_result *r;
			const char *mp;

			if (strncmp(d->id, owners[o].prefix, strlen(owners[o].prefix)) != 0)
				continue;
			for (size_t i = 0; i < m->n_checks; i++)
				if (m->checks[i].id && strcmp(m->checks[i].id, d->id) == 0)
					found = &m->checks[i];
			if ((r = begin(e, d->id)) == NULL)
				return;
			mp = e->env->mta_enabled[owners[o].k] ? mta_problem(e, owners[o].k) : NULL;
			if (found) {
				r->status = found->status;
				for (size_t i = 0; i < found->n_reasons; i++)
					add_reason(r, found->reasons[i]);
				r->detail = found->detail;
			} else if (mp != NULL) {
				r->status = CHECK_ERROR;
				add_reason(r, mp);
			} else {
				r->status = CHECK_NOT_APPLICABLE;
			}
		}
	}
	/* then anything not in the catalogue, as the collector decided it */
	for (int k = 0; k < MTA_COUNT; k++) {
		const struct mta_facts *m = &e->f->mta[k];

		for (size_t i = 0; i < m->n_checks; i++) {
			const struct mta_check *c = &m->checks[i];
			struct check_result *r;
			bool dup = false;

			if (c->id == NULL || checks_find(c->id) != NULL)
				continue;
			for (size_t j = 0; j < e->n; j++)
				if (strcmp(e->out[j].id, c->id) == 0)
					dup = true;
			if (dup || (r = begin(e, c->id)) == NULL)
				continue;
			r->status = c->status;
			for (size_t j = 0; j < c->n_reasons; j++)
				add_reason(r, c->reasons[j]);
			r->detail = c->detail;
		}
	}
}

size_t
checks_evaluate(const struct facts *f, const struct checks_env *env, struct arena *ar,
		struct check_result *out, size_t max)
{
	struct ev e = { .f = f, .env = env, .ar = ar, .out = out, .max = max };

	check_cis(&e);
	check_stig(&e);
	check_open_relay(&e);
	check_runtime(&e);
	postfix_checks(&e);
	mta_specific(&e);
	return e.n;
}

/* ---- Postfix table loading (the only file reads of this module) ---- */

#define CHECKS_MAX_TABLES 64
#define CHECKS_MAX_TABLE_BYTES (1u << 20)

struct table_refs {
	const char *name[CHECKS_MAX_TABLES];
	size_t n;
};

static void
collect_ref(const char *name, void *arg)
{
	struct table_refs *r = arg;

	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->name[i], name) == 0)
			return;
	if (r->n < CHECKS_MAX_TABLES)
		r->name[r->n++] = name;
}

int
checks_postfix_load_tables(const char *rootfs, struct arena *ar, struct postfix_relay_input *in)
{
	struct table_refs refs = { .n = 0 };
	struct postfix_relay_table *t;

	postfix_relay_table_refs(in, collect_ref, &refs);
	if (refs.n == 0)
		return 0;
	t = arena_calloc(ar, refs.n, sizeof(*t));
	if (t == NULL)
		return -1;
	for (size_t i = 0; i < refs.n; i++) {
		const char *path = refs.name[i];
		char full[4096], err[256];
		char *data = NULL;
		size_t len = 0;
		enum fileio_result fr;

		t[i].name = refs.name[i];
		if (strncasecmp(path, "proxy:", 6) == 0)
			path += 6;
		if (path[0] != '/')
			path = strchr(path, ':') ? strchr(path, ':') + 1 : path;
		if (path[0] != '/' || fileio_path(rootfs, path, full, sizeof(full)) == NULL)
			continue;	/* relative or too long: unreadable */
		fr = fileio_read(rootfs, path, CHECKS_MAX_TABLE_BYTES, &data, &len, NULL, err, sizeof(err));
		if (fr != FILEIO_OK) {
			log_file_warn(full, 0, "cannot read table %s: %s", refs.name[i],
				      fr == FILEIO_ABSENT ? "no such file" : err);
			continue;
		}
		t[i].text = arena_strndup(ar, data, len);
		free(data);
		if (t[i].text == NULL)
			return -1;
	}
	in->tables = t;
	in->n_tables = refs.n;
	return 0;
}

/* One service's parameters, as postfix_relay_params wants them. */
struct svc_params {
	const struct checks_postfix_source *src;
	const char *service;
};

static const char *
svc_get(const void *ctx, const char *name)
{
	const struct svc_params *sp = ctx;

	return sp->src->param(sp->src->ctx, sp->service, name);
}

static bool
svc_is_set(const void *ctx, const char *name)
{
	const struct svc_params *sp = ctx;

	return sp->src->is_set && sp->src->is_set(sp->src->ctx, sp->service, name);
}

/* Adapters from checks_postfix's callbacks to the source's. */
static const char *
view_param(const void *ctx, const char *service, const char *name)
{
	const struct checks_postfix_source *src = ctx;

	return src->param(src->ctx, service, name);
}

static bool
view_set(const void *ctx, const char *name)
{
	const struct checks_postfix_source *src = ctx;

	return src->is_set && src->is_set(src->ctx, NULL, name);
}

static bool
view_readable(const void *ctx, const char *path)
{
	const struct checks_postfix_source *src = ctx;

	return src->readable == NULL || src->readable(src->ctx, path);
}

int
checks_postfix_build(const struct checks_postfix_source *src, const char *rootfs,
		     struct arena *ar, struct checks_postfix *out)
{
	struct checks_postfix_service *svc;

	memset(out, 0, sizeof(*out));
	svc = arena_calloc(ar, src->n_services + 1, sizeof(*svc));
	if (svc == NULL)
		return -1;
	for (size_t i = 0; i < src->n_services; i++) {
		struct svc_params sp = { src, src->services[i] };
		struct postfix_relay_params p = { svc_get, svc_is_set, &sp };
		struct postfix_relay_input in;

		if (postfix_relay_input_from_params(&p, ar, &in) < 0
		    || checks_postfix_load_tables(rootfs, ar, &in) < 0)
			return -1;
		in.loopback_only = src->loopback_only && src->loopback_only[i];
		svc[i].instance = src->instances ? src->instances[i] : "";
		svc[i].service = src->services[i];
		postfix_relay_evaluate(&in, &svc[i].relay);
	}
	out->available = true;
	out->param = view_param;
	out->set = view_set;
	out->readable = view_readable;
	out->ctx = src;
	out->services = svc;
	out->n_services = src->n_services;
	return 0;
}

/* ---- the collector ---- */

static int
collector_index(const char *name)
{
	for (size_t i = 0; i < collector_count; i++)
		if (strcmp(collector_table[i]->name, name) == 0)
			return (int)i;
	return -1;
}

static bool
enabled(const struct collector_env *cenv, const char *name)
{
	int i = collector_index(name);

	return i >= 0 && cenv != NULL && cenv->enabled[i];
}

static int
checks_collect(struct scrape_ctx *sc)
{
	struct facts *f = sc->facts;
	struct checks_env env;
	struct check_result *res;
	size_t max = checks_catalogue_count, n;
	struct metric_family *fi, *fs, *ff;

	memset(&env, 0, sizeof(env));
	env.listeners_enabled = enabled(sc->env, "listeners");
	for (int k = 0; k < MTA_COUNT; k++) {
		env.mta_enabled[k] = enabled(sc->env, mta_name((enum mta_kind)k));
		max += f->mta[k].n_checks;
	}
	env.postfix = checks_postfix_view(sc);	/* checks_postfix.c */
	if (env.postfix && env.postfix->available && f->mta[MTA_POSTFIX].n_relays == 0) {
		const struct checks_postfix *pf = env.postfix;
		struct mta_relay *rl = arena_calloc(sc->arena, pf->n_services + 1, sizeof(*rl));

		if (rl == NULL)
			return -1;
		for (size_t i = 0; i < pf->n_services; i++) {
			const char *in = pf->services[i].instance;

			rl[i].instance = in;
			/* other instances: "<instance>/<service>" (docs/metrics.md) */
			rl[i].service = in && *in ? arena_printf(sc->arena, "%s/%s", in,
								 pf->services[i].service)
						  : pf->services[i].service;
			if (rl[i].service == NULL)
				return -1;
			rl[i].verdict = pf->services[i].relay.verdict;
			rl[i].reason = pf->services[i].relay.reason;
			rl[i].detail = pf->services[i].relay.detail;
		}
		f->mta[MTA_POSTFIX].relays = rl;
		f->mta[MTA_POSTFIX].n_relays = pf->n_services;
	}
	res = arena_calloc(sc->arena, max, sizeof(*res));
	if (res == NULL)
		return -1;
	n = checks_evaluate(f, &env, sc->arena, res, max);
	f->checks = res;
	f->n_checks = n;

	fi = metrics_family(sc->m, "mta_check_info",
			    "A compliance check: title, source document and severity.", METRIC_INFO);
	fs = metrics_family(sc->m, "mta_check_status",
			    "Status of a compliance check: exactly one of pass, fail, not_applicable, "
			    "error is 1.", METRIC_GAUGE);
	ff = metrics_family(sc->m, "mta_check_finding",
			    "One series per reason a check fails or errs (codes in docs/checks.md).",
			    METRIC_GAUGE);
	for (size_t i = 0; i < n; i++) {
		const struct check_result *r = &res[i];
		static const enum check_status all[] = {
			CHECK_PASS, CHECK_FAIL, CHECK_NOT_APPLICABLE, CHECK_ERROR,
		};

		metrics_add(fi, 1, "check", r->id, "title", r->def ? r->def->title : r->id,
			    "source", r->def ? r->def->source : "", "severity",
			    r->def ? r->def->severity : "warning", NULL);
		for (size_t s = 0; s < 4; s++)
			metrics_add(fs, r->status == all[s] ? 1 : 0, "check", r->id, "status",
				    check_status_name(all[s]), NULL);
		if (r->status == CHECK_FAIL || r->status == CHECK_ERROR)
			for (size_t j = 0; j < r->n_reasons; j++)
				metrics_add(ff, 1, "check", r->id, "reason", r->reasons[j], NULL);
	}

	return 0;
}

const struct collector collector_checks = {
	.name = "checks",
	.help = "Compliance checks (CIS 2.1.21, STIG GEN004710, open relay, hardening) from the other collectors' facts.",
	.default_enabled = true,
	.collect = checks_collect,
};

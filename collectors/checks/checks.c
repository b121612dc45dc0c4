/*
 * checks.c - the catalogue, the framework that decides every row, the
 * cross-MTA checks and the "checks" collector (see checks.h, check.h and
 * docs/checks.md).
 *
 * The framework settles, once for every row, what its inputs allow before
 * it calls the row's decision (check.h): an MTA's own row sees a detected
 * MTA whose collector succeeded, or is not_applicable / error without
 * being called; a cross-MTA row gets the listeners' state it asked for
 * and reads the MTAs through check_mta_audited() (check.c), which skips an MTA whose
 * collector is disabled (not audited on this host) and counts a failed
 * one as a problem (collector_failed_<mta>).  Reason codes about an MTA
 * are derived from its descriptor (collectors/core/mta.h).  Before all
 * that, a row meant for other host roles is not_applicable (role_<role>);
 * after it, the waivers in force turn covered failures into "waived"
 * (collectors/checks/waivers.h).
 *
 * Offline audit (a mounted image, a golden image in CI): with the
 * listeners collector disabled, the rows that use the sockets are judged
 * on the configuration alone and say "sockets not inspected"; a row that
 * cannot do without them is not_applicable.  A listeners collector that
 * ran and failed is an error, as any failed input.
 *
 * The collector's flags: --checks.role (client, server) and
 * --checks.waivers=FILE, loaded by init() (a bad file is fatal: exit 2)
 * and again by reload() on SIGHUP (a bad file is logged and the waivers
 * in force are kept).  reload() runs under the scrape lock, so a scrape
 * never sees a half-replaced set.
 *
 * Diagnostics: the waivers file's errors (log, with the file and line).
 * The collector fails only when per-scrape memory runs out (a missing
 * input is an "error" status, visible in the metrics and the audit).
 */
#include "collectors/checks/checks.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "collectors/checks/waivers.h"
#include "collectors/host/listeners.h"
#include "collectors/tls/tls_checks.h"
#include "lib/log.h"

/* ---- what the cross-MTA rows read through ---- */

/* An MTA-specific reason code, "<mta>_<what>" (per-scrape memory). */
static const char *
mta_code(const struct check_ctx *c, enum mta_kind k, const char *what)
{
	return arena_printf(c->ar, "%s_%s", mta_name(k), what);
}

/* A relay's service as waivers name it: "<instance>/<service>", or the service. */
static const char *
service_of(struct arena *ar, const struct mta_relay *rl)
{
	if (rl->instance && *rl->instance)
		return arena_printf(ar, "%s/%s", rl->instance, rl->service);
	return rl->service;
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
cis_2_1_21(struct check_ctx *c)
{
	if (!c->listeners)
		check_note(c, "sockets not inspected (the listeners collector is disabled): judged on "
			   "the configuration alone");
	for (size_t i = 0; c->listeners && i < c->f->n_listeners; i++) {
		const struct listener *l = &c->f->listeners[i];

		if (l->loopback)
			continue;
		check_finding(c, arena_printf(c->ar, "port_%u_nonloopback", (unsigned)l->port));
		check_note(c, "port %u listens on %s%s%s", (unsigned)l->port, l->addrstr,
			   l->process[0] ? " by " : "", l->process);
	}
	for (int k = 0; k < MTA_COUNT; k++) {
		const struct mta_facts *m = &c->f->mta[k];
		const char *setting = mta_table[k]->listen_setting;
		const struct mta_endpoint *ep;

		if (!check_mta_audited(c, (enum mta_kind)k) || !m->detected)
			continue;
		if (m->bound_all) {
			check_finding_about(c, k, NULL, arena_printf(c->ar, "%s_%s_all",
								     mta_name((enum mta_kind)k), setting));
			check_note(c, "%s is configured to listen on all interfaces",
				   mta_name((enum mta_kind)k));
		} else if (!m->local_only && (ep = mta_unresolved_endpoint(m)) != NULL) {
			check_problem(c, arena_printf(c->ar, "%s_%s_unresolved",
						      mta_name((enum mta_kind)k), setting));
			check_note(c, "%s service %s listens on %s, a host name the audited root's "
				   "/etc/hosts does not list: DNS decides where at start",
				   mta_name((enum mta_kind)k), ep->service, ep->address);
		} else if (!m->local_only) {
			check_finding_about(c, k, NULL, arena_printf(c->ar, "%s_%s_nonloopback",
								     mta_name((enum mta_kind)k), setting));
			check_note(c, "%s is configured to listen on a non-loopback address",
				   mta_name((enum mta_kind)k));
		}
	}
	if (!c->n_findings && !c->n_problems)
		check_note(c, "%s", any_detected(c->f) ? "every MTA listens on loopback only"
			   : c->listeners ? "no MTA detected and no audited port listens beyond loopback"
			   : "no MTA detected");
}

/* ---- stig_gen004710: each MTA's own rule (its descriptor's) ---- */

static void
stig_gen004710(struct check_ctx *c)
{
	c->applicable = false;
	for (int k = 0; k < MTA_COUNT; k++) {
		if (!check_mta_audited(c, (enum mta_kind)k) || !c->f->mta[k].detected)
			continue;
		c->applicable = true;
		if (mta_table[k]->stig_gen004710 == NULL)
			continue;
		c->mta = (enum mta_kind)k;
		c->m = &c->f->mta[k];
		mta_table[k]->stig_gen004710(c);
		c->m = NULL;
	}
}

/* ---- mta_no_open_relay ---- */

static void
no_open_relay(struct check_ctx *c)
{
	c->applicable = false;
	for (int k = 0; k < MTA_COUNT; k++) {
		const struct mta_facts *m = &c->f->mta[k];
		const char *name = mta_name((enum mta_kind)k);

		if (!check_mta_audited(c, (enum mta_kind)k) || !m->detected)
			continue;
		c->applicable = true;
		for (size_t i = 0; i < m->n_relays; i++) {
			const struct mta_relay *rl = &m->relays[i];

			if (rl->verdict == RELAY_OPEN) {
				check_finding_about(c, k, service_of(c->ar, rl),
						    mta_code(c, (enum mta_kind)k, "open_relay"));
				check_note(c, "%s service %s%s%s is an open relay: %s", name,
					   rl->instance && *rl->instance ? rl->instance : "",
					   rl->instance && *rl->instance ? "/" : "", rl->service,
					   rl->detail ? rl->detail : rl->reason);
			} else if (rl->verdict == RELAY_UNDETERMINED) {
				check_problem(c, mta_code(c, (enum mta_kind)k, "relay_undetermined"));
				check_note(c, "%s service %s: undetermined (%s)", name, rl->service,
					   rl->detail ? rl->detail : rl->reason);
			}
		}
	}
}

/* ---- mta_runtime_matches_config ---- */

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

/* Sockets on the MTA's ports, by its process, that its configuration does not name. */
static size_t
runtime_extra(struct check_ctx *c, enum mta_kind k)
{
	const struct mta_facts *m = &c->f->mta[k];
	size_t running = 0;

	for (size_t i = 0; i < c->f->n_listeners; i++) {
		const struct listener *l = &c->f->listeners[i];
		bool port_known = false, explained = false, any_symbolic = false;

		for (size_t j = 0; j < m->n_endpoints; j++) {
			if (m->endpoints[j].port != l->port)
				continue;
			port_known = true;
			if (endpoint_matches(&m->endpoints[j], l))
				explained = true;
			if (!m->endpoints[j].numeric)
				any_symbolic = true;
		}
		if (!port_known || !mta_process_is(l->process, k))
			continue;
		running++;
		if (explained || any_symbolic)
			continue;	/* a host name: cannot compare offline */
		check_finding(c, mta_code(c, k, "listener_not_configured"));
		check_note(c, "%s listens on %s port %u, which its configuration does not name",
			   mta_name(k), l->addrstr, (unsigned)l->port);
	}
	return running;
}

/* Numeric endpoints on audited ports that have no socket. */
static void
runtime_missing(struct check_ctx *c, enum mta_kind k)
{
	const struct mta_facts *m = &c->f->mta[k];

	for (size_t j = 0; j < m->n_endpoints; j++) {
		const struct mta_endpoint *ep = &m->endpoints[j];
		bool found = false, port_listed = false;

		if (!ep->numeric)
			continue;
		for (size_t i = 0; i < c->f->n_ports; i++)
			if (c->f->ports[i] == ep->port)
				port_listed = true;
		if (!port_listed && c->f->n_ports)
			continue;	/* not an audited port: no listener data */
		for (size_t i = 0; i < c->f->n_listeners; i++)
			if (endpoint_matches(ep, &c->f->listeners[i]))
				found = true;
		if (!found) {
			check_finding(c, mta_code(c, k, "endpoint_not_listening"));
			check_note(c, "%s service %s should listen on %s port %u but does not",
				   mta_name(k), ep->service, ep->address, (unsigned)ep->port);
		}
	}
}

static void
runtime_matches_config(struct check_ctx *c)
{
	c->applicable = false;
	for (int k = 0; k < MTA_COUNT; k++) {
		const struct mta_facts *m = &c->f->mta[k];

		if (!check_mta_audited(c, (enum mta_kind)k) || !m->detected || m->n_endpoints == 0)
			continue;
		if (runtime_extra(c, (enum mta_kind)k) == 0)
			continue;	/* not running: nothing to compare */
		c->applicable = true;
		runtime_missing(c, (enum mta_kind)k);
		tls_runtime_mismatch(c, (enum mta_kind)k);
	}
	if (c->n_findings)
		check_note(c, "the running MTA was not restarted after its configuration changed");
}

/* ---- the catalogue ---- */

static const struct check_row cross_rows[] = {
	{ .info = { "cis_2_1_21", "MTA is configured for local-only mode",
		    "CIS Debian Linux Benchmark 2.1.21", "warning",
		    "If the host is not a mail server, set inet_interfaces = loopback-only in "
		    "/etc/postfix/main.cf (Exim: dc_local_interfaces='127.0.0.1 ; ::1'; Sendmail: "
		    "DAEMON_OPTIONS(`Addr=127.0.0.1, ...') for every daemon) and restart the MTA "
		    "(a reload does not rebind)." },
	  .needs = CHECK_USES_LISTENERS, .roles = CHECK_FOR_ROLE(CHECK_ROLE_CLIENT),
	  .decide = cis_2_1_21 },
	/* warning: the STIG's rule on smtpd_client_restrictions; whether mail
	 * is relayed is mta_no_open_relay's verdict, the critical one */
	{ .info = { "stig_gen004710", "Mail relaying is restricted", "DISA STIG GEN004710 (V-23952)",
		    "warning",
		    "Postfix: set inet_interfaces = loopback-only, or smtpd_client_restrictions = "
		    "permit_mynetworks, reject (no bare permit before reject). Sendmail: remove "
		    "FEATURE(`promiscuous_relay') from sendmail.mc, rebuild sendmail.cf, restart; or "
		    "bind every DaemonPortOptions to a loopback address." },
	  .decide = stig_gen004710 },
	{ .info = { "mta_no_open_relay", "No SMTP service relays for unauthenticated outside clients",
		    "mta_exporter relay model (docs/relay-model.md)", "critical",
		    "Make the relay restrictions end in reject_unauth_destination (Postfix: "
		    "smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, "
		    "reject_unauth_destination), keep mynetworks to trusted networks, and check "
		    "every master.cf -o override." },
	  .decide = no_open_relay },
	{ .info = { "mta_runtime_matches_config", "Listening sockets match the configuration",
		    "mta_exporter", "warning",
		    "Restart the MTA so that it listens where its configuration says (Postfix: "
		    "systemctl restart postfix; postfix reload does not change inet_interfaces)." },
	  .needs = CHECK_REQUIRES_LISTENERS, .decide = runtime_matches_config },
};

#define N_CROSS (sizeof(cross_rows) / sizeof(cross_rows[0]))

size_t
checks_catalogue_count(void)
{
	size_t n = N_CROSS + tls_check_count;

	for (int k = 0; k < MTA_COUNT; k++)
		n += mta_table[k]->n_checks;
	return n;
}

const struct check_row *
checks_catalogue_row(size_t i, int *owner)
{
	*owner = -1;
	if (i < N_CROSS)
		return &cross_rows[i];
	i -= N_CROSS;
	if (i < tls_check_count)
		return &tls_check_rows[i];
	i -= tls_check_count;
	for (int k = 0; k < MTA_COUNT; k++) {
		if (i < mta_table[k]->n_checks) {
			*owner = k;
			return &mta_table[k]->checks[i];
		}
		i -= mta_table[k]->n_checks;
	}
	return NULL;
}

const struct check_row *
checks_find(const char *id, int *owner)
{
	const struct check_row *row;
	int k;

	for (size_t i = 0; (row = checks_catalogue_row(i, &k)) != NULL; i++)
		if (strcmp(row->info.id, id) == 0) {
			if (owner)
				*owner = k;
			return row;
		}
	return NULL;
}

/* ---- the framework ---- */

/* An MTA's own row: settle its MTA's state; true when decide() may run. */
static bool
mta_row_inputs(struct check_ctx *c, enum mta_kind k)
{
	const char *name = mta_name(k);

	c->mta = k;
	c->m = &c->f->mta[k];
	if (!collector_enabled(c->env, mta_table[k]->collector)) {
		c->r->status = CHECK_NOT_APPLICABLE;	/* not audited by choice */
		check_note(c, "the %s collector is disabled", name);
		return false;
	}
	if (!c->m->collected) {
		c->r->status = CHECK_ERROR;
		check_reason(c->r, arena_printf(c->ar, "collector_failed_%s", name));
		return false;
	}
	if (!c->m->detected) {
		c->r->status = CHECK_NOT_APPLICABLE;
		check_note(c, "%s not detected", name);
		return false;
	}
	return true;
}

/*
 * A cross-MTA row: the listeners it uses; true when decide() may run.
 * Disabled listeners are an offline audit: a row that uses them decides
 * without them (c->listeners false), one that requires them does not
 * apply.  Failed listeners are a problem (error).
 */
static bool
cross_row_inputs(struct check_ctx *c, unsigned needs)
{
	bool enabled = collector_enabled(c->env, &collector_listeners);

	c->listeners = enabled && c->f->listeners_collected;
	if (c->listeners || !(needs & (CHECK_USES_LISTENERS | CHECK_REQUIRES_LISTENERS)))
		return true;
	if (!enabled) {
		if (!(needs & CHECK_REQUIRES_LISTENERS))
			return true;
		c->r->status = CHECK_NOT_APPLICABLE;
		check_note(c, "sockets not inspected (the listeners collector is disabled)");
		return false;
	}
	if (needs & CHECK_REQUIRES_LISTENERS) {
		c->r->status = CHECK_ERROR;
		check_reason(c->r, "collector_failed_listeners");
		return false;
	}
	check_problem(c, "collector_failed_listeners");
	return true;
}

/* The status from what decide() reported (docs/checks.md, "Status rules"). */
static void
finish(struct check_ctx *c)
{
	check_notes_done(c);
	if (c->n_findings) {
		c->r->status = CHECK_FAIL;
		return;
	}
	if (c->n_problems) {
		c->r->status = CHECK_ERROR;
		for (size_t i = 0; i < c->n_problems; i++)
			check_reason(c->r, c->problems[i]);
		return;
	}
	assert(c->r->n_reasons == 0);	/* a reason without a finding or problem */
	c->r->status = c->applicable ? CHECK_PASS : CHECK_NOT_APPLICABLE;
}

/* A row meant for other roles: not applicable, reason role_<role>; true when it applies. */
static bool
role_applies(struct check_ctx *c, unsigned roles, enum check_role role)
{
	if (roles == 0 || (roles & CHECK_FOR_ROLE(role)))
		return true;
	c->r->status = CHECK_NOT_APPLICABLE;
	check_reason(c->r, arena_printf(c->ar, "role_%s", check_role_name(role)));
	check_note(c, "the host's role is %s (--checks.role)", check_role_name(role));
	return false;
}

size_t
checks_evaluate(const struct facts *f, const struct collector_env *env,
		const struct checks_policy *policy, struct arena *ar, struct check_result *out,
		size_t max)
{
	static const struct checks_policy defaults = { .role = CHECK_ROLE_CLIENT };
	const struct check_row *row;
	size_t n = 0;
	int owner;

	if (policy == NULL)
		policy = &defaults;
	for (size_t i = 0; n < max && (row = checks_catalogue_row(i, &owner)) != NULL; i++) {
		struct check_ctx c = { .f = f, .env = env, .ar = ar, .r = &out[n++],
				       .applicable = true };

		memset(c.r, 0, sizeof(*c.r));
		c.r->id = row->info.id;
		c.r->info = &row->info;
		if (!role_applies(&c, row->roles, policy->role))
			continue;
		if (owner >= 0 ? mta_row_inputs(&c, (enum mta_kind)owner)
			       : cross_row_inputs(&c, row->needs)) {
			row->decide(&c);
			finish(&c);
		}
	}
	waivers_apply(policy->waivers, policy->now, out, n, ar);
	return n;
}

/* ---- the collector ---- */

static const char *role_flag, *waivers_flag;
static enum check_role role;
static struct waivers waivers;		/* in force */
static bool waivers_reload_ok = true;

static const struct collector_flag checks_flags[] = {
	{ "checks.role", "The host's role: client (sends or submits mail locally only; the CIS "
	  "local-only rule applies) or server (receives mail from the network; cis_2_1_21 does "
	  "not apply).", "client", &role_flag },
	{ "checks.waivers", "YAML file of accepted risks: check, optional mta and service, reason, "
	  "expires (docs/waivers.md); re-read on SIGHUP. Empty: none.", "", &waivers_flag },
	{ NULL, NULL, NULL, NULL },
};

const char *
checks_role(void)
{
	return role_flag ? role_flag : "client";
}

static int
checks_init(const struct collector_env *env)
{
	char err[512], count[24];

	if (check_role_parse(checks_role(), &role) < 0) {
		log_error("--checks.role: expected client or server", "value", role_flag, NULL);
		return -1;
	}
	if (waivers_flag == NULL || *waivers_flag == '\0')
		return 0;
	if (waivers_load(waivers_flag, &waivers, err, sizeof(err)) < 0) {
		log_error("cannot load the waivers file", "file", waivers_flag, "err", err, NULL);
		return -1;
	}
	snprintf(count, sizeof(count), "%zu", waivers.n);
	log_info("waivers loaded", "file", waivers_flag, "count", count, NULL);
	return 0;
}

static int
checks_reload(const struct collector_env *env)
{
	struct waivers fresh;
	char err[512], count[24];

	if (waivers_flag == NULL || *waivers_flag == '\0')
		return 0;
	if (waivers_load(waivers_flag, &fresh, err, sizeof(err)) < 0) {
		log_error("waivers reload failed; keeping the waivers in force", "file", waivers_flag,
			  "err", err, NULL);
		waivers_reload_ok = false;
		return -1;
	}
	waivers_free(&waivers);
	waivers = fresh;
	waivers_reload_ok = true;
	snprintf(count, sizeof(count), "%zu", waivers.n);
	log_info("waivers reloaded", "file", waivers_flag, "count", count, NULL);
	return 0;
}

static void
checks_fini(void)
{
	waivers_free(&waivers);
	waivers_reload_ok = true;
}

/* The waivers loaded: what they say, and when each ends. */
static void
emit_waivers(struct metrics *m)
{
	struct metric_family *wi, *we;

	wi = metrics_family(m, "mta_check_waiver_info",
			    "A waiver of the --checks.waivers file: the check, its scope (mta, service; "
			    "empty: any), the accepted risk's reason and its last day.", METRIC_INFO);
	we = metrics_family(m, "mta_check_waiver_expiry_timestamp_seconds",
			    "When a waiver stops holding (00:00 UTC after its expires day), seconds "
			    "since the epoch.", METRIC_GAUGE);
	for (size_t i = 0; i < waivers.n; i++) {
		const struct waiver *w = &waivers.v[i];
		const char *mta = w->mta >= 0 ? mta_name((enum mta_kind)w->mta) : "";
		const char *svc = w->service ? w->service : "";

		metrics_add(wi, 1, "check", w->check, "mta", mta, "service", svc, "reason", w->reason,
			    "expires", w->expires, NULL);
		metrics_add(we, (double)w->expiry, "check", w->check, "mta", mta, "service", svc, NULL);
	}
	metrics_add(metrics_family(m, "mta_check_waivers_last_reload_successful",
				   "1 if the waivers file was read the last time it was asked to "
				   "(startup, SIGHUP), 0 if that failed and older waivers are in force.",
				   METRIC_GAUGE),
		    waivers_reload_ok ? 1 : 0, NULL);
}

static int
checks_collect(struct scrape_ctx *sc)
{
	static const enum check_status all[CHECK_STATUS_COUNT] = {
		CHECK_PASS, CHECK_FAIL, CHECK_NOT_APPLICABLE, CHECK_ERROR, CHECK_WAIVED,
	};
	struct checks_policy policy = { .role = role, .waivers = &waivers, .now = time(NULL) };
	struct facts *f = sc->facts;
	size_t max = checks_catalogue_count(), n;
	struct check_result *res;
	struct metric_family *fi, *fs, *ff;

	res = arena_calloc(sc->arena, max, sizeof(*res));
	if (res == NULL)
		return -1;
	n = checks_evaluate(f, sc->env, &policy, sc->arena, res, max);
	f->checks = res;
	f->n_checks = n;

	metrics_add(metrics_family(sc->m, "mta_exporter_role_info",
				   "The host's role the checks judge it by (--checks.role): client or "
				   "server.", METRIC_INFO),
		    1, "role", check_role_name(role), NULL);
	fi = metrics_family(sc->m, "mta_check_info",
			    "A compliance check: title, source document and severity.", METRIC_INFO);
	fs = metrics_family(sc->m, "mta_check_status",
			    "Status of a compliance check: exactly one of pass, fail, not_applicable, "
			    "error, waived is 1.", METRIC_GAUGE);
	ff = metrics_family(sc->m, "mta_check_finding",
			    "One series per reason a check fails, is waived or errs (codes in "
			    "docs/checks.md).", METRIC_GAUGE);
	for (size_t i = 0; i < n; i++) {
		const struct check_result *r = &res[i];

		metrics_add(fi, 1, "check", r->id, "title", r->info->title, "source", r->info->source,
			    "severity", r->info->severity, NULL);
		for (size_t s = 0; s < CHECK_STATUS_COUNT; s++)
			metrics_add(fs, r->status == all[s] ? 1 : 0, "check", r->id, "status",
				    check_status_name(all[s]), NULL);
		if (r->status == CHECK_FAIL || r->status == CHECK_ERROR || r->status == CHECK_WAIVED)
			for (size_t j = 0; j < r->n_reasons; j++)
				metrics_add(ff, 1, "check", r->id, "reason", r->reasons[j], NULL);
	}
	if (waivers_flag && *waivers_flag)
		emit_waivers(sc->m);
	return 0;
}

const struct collector collector_checks = {
	.name = "checks",
	.help = "Compliance checks (CIS 2.1.21, STIG GEN004710, open relay, hardening) from the other collectors' facts.",
	.default_enabled = true,
	.flags = checks_flags,
	.init = checks_init,
	.reload = checks_reload,
	.collect = checks_collect,
	.fini = checks_fini,
};

/*
 * postfix_checks.c - the postfix_* checks, Postfix's part of
 * stig_gen004710 and the Postfix descriptor (see postfix_checks.h,
 * docs/checks.md).
 *
 * Every decision is pure: it reads the postfix collector's facts
 * (c->m->priv, a struct postfix_facts) and the effective parameters
 * through their symbols; values are copied into the per-scrape arena.
 * Diagnostics: none.
 */
#include "collectors/postfix/postfix_checks.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "collectors/postfix/postfix.h"
#include "collectors/postfix/postfix_table.h"
#include "collectors/postfix/postfix_tls.h"
#include "lib/inaddr.h"

/* ---- helpers ---- */

static const struct postfix_facts *
facts_of(const struct check_ctx *c)
{
	const struct postfix_facts *pf = c->m->priv;

	/* decided only for a detected Postfix whose collector succeeded */
	assert(pf != NULL && pf->main_inst != NULL);
	return pf;
}

/* The effective value for service s (NULL: main.cf), "" when unknown. */
static const char *
pget(struct check_ctx *c, const struct postfix_smtpd *s, enum postfix_param_id id)
{
	const struct postfix_facts *pf = facts_of(c);
	char *v = postfix_param(s ? s->inst : pf->main_inst, s ? s->svc : NULL, id);
	const char *copy;

	if (v == NULL)
		return "";
	copy = arena_strdup(c->ar, v);
	free(v);
	return copy ? copy : "";
}

static bool
pyes(struct check_ctx *c, const struct postfix_smtpd *s, enum postfix_param_id id)
{
	return postfix_bool(pget(c, s, id), false);
}

static bool
level_in(const char *v, const char *const *set)
{
	for (size_t i = 0; set[i]; i++)
		if (strcasecmp(v, set[i]) == 0)
			return true;
	return false;
}

/* Does a mynetworks item name a network holding a globally routable address? */
static bool
network_global(const char *item)
{
	struct inaddr net;
	unsigned plen;

	if (*item == '!' || inaddr_parse_cidr(item, &net, &plen) < 0)
		return false;
	if (inaddr_is_global(&net))
		return true;
	/* a short prefix spans public space whatever its first address */
	return plen < 8;
}

/* ---- stig_gen004710 ---- */

bool
postfix_client_restrictions_ok(const char *value, const char **why)
{
	const char *p = value, *item;
	size_t len;

	if (value == NULL || value[0] == '\0') {
		*why = "postfix_client_restrictions_missing";
		return false;
	}
	while (postfix_list_next(&p, POSTFIX_SPLIT_LIST, &item, &len) == 1) {
		if (len == 6 && strncasecmp(item, "reject", 6) == 0) {
			*why = NULL;
			return true;
		}
		if (len == 6 && strncasecmp(item, "permit", 6) == 0) {
			*why = "postfix_client_restrictions_permit_before_reject";
			return false;
		}
	}
	*why = "postfix_client_restrictions_no_reject";
	return false;
}

void
postfix_stig_gen004710(struct check_ctx *c)
{
	const struct postfix_facts *pf;
	const struct mta_endpoint *ep;
	const char *why, *v = NULL;

	if (c->m->local_only) {
		check_note(c, "postfix: inet_interfaces is loopback only");
		return;
	}
	pf = facts_of(c);
	/* as set in main.cf: the STIG reads the file */
	if (postfix_dict_get(&pf->main_inst->main,
			     postfix_param_name(POSTFIX_P_SMTPD_CLIENT_RESTRICTIONS)) != NULL)
		v = pget(c, NULL, POSTFIX_P_SMTPD_CLIENT_RESTRICTIONS);
	if (!postfix_client_restrictions_ok(v, &why) && (ep = mta_unresolved_endpoint(c->m)) != NULL) {
		/* local-only unless a name resolves elsewhere: not known offline */
		check_problem(c, "postfix_inet_interfaces_unresolved");
		check_note(c, "postfix service %s listens on %s, a host name /etc/hosts does not "
			   "list, and smtpd_client_restrictions = %s", ep->service, ep->address,
			   v && *v ? v : "(not set)");
	} else if (!postfix_client_restrictions_ok(v, &why)) {
		check_finding(c, why);
		check_note(c, "postfix listens beyond loopback and smtpd_client_restrictions = %s",
			   v && *v ? v : "(not set)");
	} else {
		check_note(c, "postfix: smtpd_client_restrictions = %s", v);
	}
}

/* ---- the postfix_* checks ---- */

/* VRFY (STIG GEN004680) */
static void
vrfy_disabled(struct check_ctx *c)
{
	if (!pyes(c, NULL, POSTFIX_P_DISABLE_VRFY_COMMAND)) {
		check_finding(c, "vrfy_enabled");
		check_note(c, "disable_vrfy_command = %s", pget(c, NULL, POSTFIX_P_DISABLE_VRFY_COMMAND));
	}
}

static void
helo_required(struct check_ctx *c)
{
	if (!pyes(c, NULL, POSTFIX_P_SMTPD_HELO_REQUIRED))
		check_finding(c, "helo_not_required");
}

static void
banner_no_version(struct check_ctx *c)
{
	const char *b = pget(c, NULL, POSTFIX_P_SMTPD_BANNER);
	const char *ver = pget(c, NULL, POSTFIX_P_MAIL_VERSION);

	if (strcasestr(b, "postfix") != NULL)
		check_finding(c, "banner_reveals_product");
	if (*ver && strstr(b, ver) != NULL)
		check_finding(c, "banner_reveals_version");
	check_note(c, "smtpd_banner = %s", b);
}

/*
 * A host name in mynetworks trusts the clients whose verified name it is
 * (namadr_list): those at the addresses its forward lookup gives, which
 * smtpd asks /etc/hosts for first.  "unknown" is the name of every client
 * without one (smtpd_peer.c).
 */
static void
mynetworks_name(struct check_ctx *c, const char *name)
{
	const struct postfix_facts *pf = facts_of(c);
	const struct postfix_hosts h = { pf->hosts_text, pf->hosts_len };
	struct inaddr a[POSTFIX_RESOLVE_MAX];
	size_t n;

	if (strcasecmp(name, "unknown") == 0) {
		check_finding(c, "mynetworks_unverified_clients");
		check_note(c, "mynetworks includes \"unknown\", the name of every client whose "
			   "address has no verified name");
		return;
	}
	n = postfix_resolve(&h, name, true, true, a, POSTFIX_RESOLVE_MAX);
	if (n == 0) {
		check_problem(c, "mynetworks_name_unresolved");
		check_note(c, "mynetworks includes %s, a host name /etc/hosts does not list: "
			   "DNS decides which clients it trusts", name);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (inaddr_is_global(&a[i])) {
			char text[INADDR_STRLEN];

			inaddr_format(&a[i], text, sizeof(text));
			check_finding(c, "mynetworks_global");
			check_note(c, "mynetworks includes %s (%s in /etc/hosts)", name, text);
		}
}

static void
mynetworks_local(struct check_ctx *c)
{
	const char *p = pget(c, NULL, POSTFIX_P_MYNETWORKS), *item;
	size_t len;

	while (postfix_list_next(&p, POSTFIX_SPLIT_LIST, &item, &len) == 1) {
		const char *net = arena_strndup(c->ar, item, len);
		struct postfix_net x;

		if (net == NULL)
			continue;
		postfix_net_parse(net, &x);
		if (x.kind == POSTFIX_NET_HOST && !x.negate) {
			mynetworks_name(c, net);
		} else if (network_global(net)) {
			check_finding(c, "mynetworks_global");
			check_note(c, "mynetworks includes %s", net);
		}
	}
}

/* The relay-guard rule is the evaluator's: smtpd would refuse to start. */
static void
relay_restrictions(struct check_ctx *c)
{
	const struct postfix_facts *pf = facts_of(c);

	if (pf->n_smtpd == 0) {
		c->applicable = false;
		return;
	}
	for (size_t i = 0; i < pf->n_smtpd; i++)
		if (!postfix_relay_has_required(&pf->smtpd[i].relay_in)) {
			check_finding_about(c, MTA_POSTFIX, pf->smtpd[i].name,
					    "relay_list_without_unauth_destination");
			check_note(c, "service %s: neither smtpd_relay_restrictions nor "
				      "smtpd_recipient_restrictions has a working "
				      "reject_unauth_destination (or defer_unauth_destination, reject, "
				      "defer)", pf->smtpd[i].name);
		}
}

/*
 * The tables the smtpd services' restrictions name, as the relay loader
 * found them (postfix_relay_load_tables): smtpd reads the compiled map of
 * an indexed table (hash:, lmdb: ...), so a source newer than it is not in
 * force yet, and a table smtpd cannot open answers 451 to every client
 * that reaches it.
 */
static void
lookup_tables(struct check_ctx *c)
{
	const struct postfix_facts *pf = facts_of(c);
	size_t n = 0;

	for (size_t i = 0; i < pf->n_smtpd; i++) {
		const struct postfix_relay_input *in = &pf->smtpd[i].relay_in;

		for (size_t k = 0; k < in->n_tables; k++) {
			const struct postfix_relay_table *t = &in->tables[k];
			struct postfix_table_ref ref;
			bool seen = false, indexed;

			if (t->name[0] == '/')
				continue;	/* a mynetworks pattern file, not a table */
			for (size_t j = 0; j < i && !seen; j++)
				for (size_t m = 0; m < pf->smtpd[j].relay_in.n_tables && !seen; m++)
					seen = strcmp(pf->smtpd[j].relay_in.tables[m].name, t->name) == 0;
			if (seen)
				continue;
			n++;
			indexed = postfix_table_ref(t->name, &ref) == 0
				  && ref.kind == POSTFIX_TABLE_INDEXED;
			if (t->state == POSTFIX_RELAY_TABLE_STALE) {
				check_finding(c, "postmap_not_run");
				check_note(c, "%s: the source is newer than the compiled map smtpd "
					   "reads (service %s)", t->name, pf->smtpd[i].name);
			} else if (t->state == POSTFIX_RELAY_TABLE_MISSING) {
				check_finding(c, indexed ? "table_not_compiled" : "table_missing");
				check_note(c, "%s: %s: smtpd answers 451 when it is reached (service %s)",
					   t->name, indexed ? "no compiled map" : "no such file",
					   pf->smtpd[i].name);
			}
		}
	}
	if (n == 0)
		c->applicable = false;
}

static void
smtpd_tls(struct check_ctx *c)
{
	const struct postfix_facts *pf = facts_of(c);
	const char *lvl, *cert, *key;
	bool on;

	if (c->m->local_only) {
		c->applicable = false;
		check_note(c, "Postfix listens on loopback only");
		return;
	}
	lvl = pget(c, NULL, POSTFIX_P_SMTPD_TLS_SECURITY_LEVEL);
	on = postfix_tls_enabled(lvl, pyes(c, NULL, POSTFIX_P_SMTPD_USE_TLS),
				 pyes(c, NULL, POSTFIX_P_SMTPD_ENFORCE_TLS));
	cert = pget(c, NULL, POSTFIX_P_SMTPD_TLS_CERT_FILE);
	key = pget(c, NULL, POSTFIX_P_SMTPD_TLS_KEY_FILE);
	if (!*key)
		key = cert;	/* the key may live in the certificate file */
	if (!on)
		check_finding(c, "smtpd_tls_disabled");
	if (!pf->tls_cert_present) {
		check_finding(c, "smtpd_tls_cert_unreadable");
		check_note(c, "certificate \"%s\" is not readable", cert);
	}
	if (!pf->tls_key_present) {
		check_finding(c, "smtpd_tls_key_unreadable");
		check_note(c, "key \"%s\" is not readable", key);
	}
}

static void
smtp_tls(struct check_ctx *c)
{
	const char *lvl = pget(c, NULL, POSTFIX_P_SMTP_TLS_SECURITY_LEVEL);
	bool on = postfix_tls_enabled(lvl, pyes(c, NULL, POSTFIX_P_SMTP_USE_TLS),
				      pyes(c, NULL, POSTFIX_P_SMTP_ENFORCE_TLS));

	if (!on) {
		check_finding(c, "smtp_tls_disabled");
		check_note(c, "smtp_tls_security_level = %s", *lvl ? lvl : "(empty)");
	}
}

static void
relayhost_sasl_tls(struct check_ctx *c)
{
	static const char *const strong[] = {
		"encrypt", "dane-only", "fingerprint", "verify", "secure", NULL,
	};
	const char *lvl;

	if (!*pget(c, NULL, POSTFIX_P_RELAYHOST) || !pyes(c, NULL, POSTFIX_P_SMTP_SASL_AUTH_ENABLE)) {
		c->applicable = false;
		return;
	}
	lvl = pget(c, NULL, POSTFIX_P_SMTP_TLS_SECURITY_LEVEL);
	if (!(*lvl ? level_in(lvl, strong) : pyes(c, NULL, POSTFIX_P_SMTP_ENFORCE_TLS))) {
		check_finding(c, "relayhost_sasl_without_tls");
		check_note(c, "smtp_tls_security_level = %s", *lvl ? lvl : "(empty)");
	}
	if (!postfix_list_has(pget(c, NULL, POSTFIX_P_SMTP_SASL_SECURITY_OPTIONS), "noanonymous"))
		check_finding(c, "relayhost_sasl_anonymous");
}

static void
smtpd_sasl_noanonymous(struct check_ctx *c)
{
	const struct postfix_facts *pf = facts_of(c);
	bool on = pyes(c, NULL, POSTFIX_P_SMTPD_SASL_AUTH_ENABLE);

	for (size_t i = 0; i < pf->n_smtpd; i++)
		if (pyes(c, &pf->smtpd[i], POSTFIX_P_SMTPD_SASL_AUTH_ENABLE))
			on = true;
	if (!on) {
		c->applicable = false;
		return;
	}
	if (!postfix_list_has(pget(c, NULL, POSTFIX_P_SMTPD_SASL_SECURITY_OPTIONS), "noanonymous"))
		check_finding(c, "smtpd_sasl_anonymous");
	for (size_t i = 0; i < pf->n_smtpd; i++) {
		const struct postfix_smtpd *s = &pf->smtpd[i];

		if (pyes(c, s, POSTFIX_P_SMTPD_SASL_AUTH_ENABLE)
		    && !postfix_list_has(pget(c, s, POSTFIX_P_SMTPD_SASL_SECURITY_OPTIONS),
					 "noanonymous")) {
			check_finding_about(c, MTA_POSTFIX, s->name, "smtpd_sasl_anonymous");
			check_note(c, "service %s allows anonymous SASL", s->name);
		}
	}
}

static void
connection_limits(struct check_ctx *c)
{
	if (c->m->local_only) {
		c->applicable = false;
		return;
	}
	if (atol(pget(c, NULL, POSTFIX_P_SMTPD_CLIENT_CONNECTION_COUNT_LIMIT)) <= 0)
		check_finding(c, "connection_count_limit_unset");
	if (atol(pget(c, NULL, POSTFIX_P_SMTPD_CLIENT_CONNECTION_RATE_LIMIT)) <= 0)
		check_finding(c, "connection_rate_limit_unset");
}

static void
tls_loglevel(struct check_ctx *c)
{
	if (atol(pget(c, NULL, POSTFIX_P_SMTPD_TLS_LOGLEVEL)) < 1)
		check_finding(c, "smtpd_tls_loglevel_zero");
	if (atol(pget(c, NULL, POSTFIX_P_SMTP_TLS_LOGLEVEL)) < 1)
		check_finding(c, "smtp_tls_loglevel_zero");
}

static void
config_warnings(struct check_ctx *c)
{
	if (c->m->config_warnings) {
		check_finding(c, "config_warnings");
		check_note(c, "%u configuration warning%s, each logged on stderr with its file and "
			   "line (log level warn)", c->m->config_warnings,
			   c->m->config_warnings == 1 ? "" : "s");
	}
}

static const struct check_row postfix_checks[] = {
	{ .info = { "postfix_vrfy_disabled", "VRFY is disabled",
		    "DISA STIG GEN004680; Postfix hardening guide", "warning",
		    "postconf -e disable_vrfy_command=yes; postfix reload" },
	  .decide = vrfy_disabled },
	{ .info = { "postfix_helo_required", "Clients must send HELO/EHLO", "Postfix hardening guide",
		    "info", "postconf -e smtpd_helo_required=yes; postfix reload" },
	  .decide = helo_required },
	{ .info = { "postfix_banner_no_version", "SMTP banner reveals neither product nor version",
		    "CaC postfix_server_banner; Lynis MAIL-8818", "info",
		    "postconf -e 'smtpd_banner = $myhostname ESMTP'; postfix reload" },
	  .decide = banner_no_version },
	{ .info = { "postfix_mynetworks_local", "mynetworks trusts no globally routable address",
		    "Postfix hardening guide", "warning",
		    "List only loopback and internal networks: postconf -e 'mynetworks = 127.0.0.0/8 "
		    "[::1]/128' (plus your private networks); postfix reload" },
	  .decide = mynetworks_local },
	{ .info = { "postfix_relay_restrictions", "Relay lists reject unauthorised destinations",
		    "Postfix hardening guide; Postfix SMTPD_ACCESS_README", "warning",
		    "End smtpd_relay_restrictions (and every -o override of it) with "
		    "reject_unauth_destination or defer_unauth_destination." },
	  .decide = relay_restrictions },
	{ .info = { "postfix_lookup_tables_current", "Lookup tables in use are compiled from their current source",
		    "Postfix DATABASE_README, postmap(1)", "warning",
		    "Run postmap on each table named (postmap hash:/etc/postfix/access); smtpd "
		    "picks up the rebuilt map by itself. Create missing table files." },
	  .decide = lookup_tables },
	{ .info = { "postfix_smtpd_tls", "Inbound TLS is enabled with a readable certificate and key",
		    "Postfix hardening guide", "warning",
		    "Set smtpd_tls_security_level = may, smtpd_tls_cert_file and smtpd_tls_key_file "
		    "to a readable certificate and key; postfix reload" },
	  .decide = smtpd_tls },
	{ .info = { "postfix_smtp_tls", "Outbound TLS is at least opportunistic",
		    "Postfix hardening guide", "warning",
		    "postconf -e smtp_tls_security_level=may; postfix reload" },
	  .decide = smtp_tls },
	{ .info = { "postfix_relayhost_sasl_tls", "Relayhost credentials are sent only over TLS",
		    "Postfix hardening guide", "warning",
		    "With relayhost and smtp_sasl_auth_enable = yes, set smtp_tls_security_level = "
		    "encrypt (or stronger) and smtp_sasl_security_options = noanonymous." },
	  .decide = relayhost_sasl_tls },
	{ .info = { "postfix_smtpd_sasl_noanonymous", "Inbound SASL refuses anonymous mechanisms",
		    "Postfix hardening guide", "warning",
		    "postconf -e smtpd_sasl_security_options=noanonymous; postfix reload" },
	  .decide = smtpd_sasl_noanonymous },
	{ .info = { "postfix_connection_limits", "Connection count and rate limits are set",
		    "Postfix hardening guide (anvil)", "info",
		    "Set smtpd_client_connection_count_limit and smtpd_client_connection_rate_limit "
		    "to non-zero values (with anvil_rate_time_unit); postfix reload" },
	  .decide = connection_limits },
	{ .info = { "postfix_tls_loglevel", "TLS activity is logged", "Postfix hardening guide", "info",
		    "postconf -e smtpd_tls_loglevel=1 smtp_tls_loglevel=1; postfix reload" },
	  .decide = tls_loglevel },
	{ .info = { "postfix_config_warnings", "Configuration has no warnings",
		    "Postfix hardening guide (postconf 1>/dev/null); Lynis MAIL-8817", "warning",
		    "Run postconf 1>/dev/null and fix every warning it prints." },
	  .decide = config_warnings },
};

static const char *const postfix_processes[] = { "master", NULL };

const struct mta_desc mta_postfix = {
	.collector = &collector_postfix,
	.listen_setting = "inet_interfaces",
	.processes = postfix_processes,
	.stig_gen004710 = postfix_stig_gen004710,
	.checks = postfix_checks,
	.n_checks = sizeof(postfix_checks) / sizeof(postfix_checks[0]),
};

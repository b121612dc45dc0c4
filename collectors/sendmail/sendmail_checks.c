/*
 * sendmail_checks.c - the sendmail_* checks, Sendmail's part of
 * stig_gen004710 and the Sendmail descriptor (see sendmail_checks.h,
 * docs/checks.md).
 *
 * Every decision is pure: it reads the sendmail collector's facts
 * (c->m->priv, a struct sendmail_facts) and applies the rules of
 * sendmail_conf.c to them.  Diagnostics: none.
 */
#include "collectors/sendmail/sendmail_checks.h"

#include <assert.h>

#include "collectors/sendmail/sendmail.h"

static const struct sendmail_facts *
facts_of(const struct check_ctx *c)
{
	const struct sendmail_facts *sf = c->m->priv;

	/* decided only for a detected Sendmail whose collector succeeded */
	assert(sf != NULL && sf->cf != NULL);
	return sf;
}

void
sendmail_stig_gen004710(struct check_ctx *c)
{
	const struct sendmail_facts *sf = facts_of(c);

	if (sf->all_daemons_loopback) {
		check_note(c, "sendmail: every DaemonPortOptions is loopback");
		return;
	}
	if (sf->promiscuous_relay) {
		check_finding(c, "sendmail_promiscuous_relay");
		check_note(c, "sendmail listens beyond loopback with promiscuous relaying");
	}
}

/* GEN004660/GEN004680: goaway, or both noexpn and novrfy. */
static void
privacy_options(struct check_ctx *c)
{
	const struct sendmail_cf *cf = facts_of(c)->cf;

	if (cf->privacy_line)
		check_note(c, "PrivacyOptions at line %u", cf->privacy_line);
	else
		check_note(c, "PrivacyOptions not set");
	if (sendmail_privacy_ok(cf->privacy))
		return;
	if (!(cf->privacy & SENDMAIL_PRIV_NOEXPN))
		check_finding(c, "expn_allowed");
	if (!(cf->privacy & SENDMAIL_PRIV_NOVRFY))
		check_finding(c, "vrfy_allowed");
}

static void
greeting_no_version(struct check_ctx *c)
{
	const char *greeting;
	bool reveals = sendmail_greeting_reveals_version(facts_of(c)->cf, &greeting);

	check_note(c, "greeting \"%s\"", greeting);
	if (reveals)
		check_finding(c, "greeting_reveals_version");
}

static void
help_file(struct check_ctx *c)
{
	const struct sendmail_facts *sf = facts_of(c);
	const struct sendmail_cf *cf = sf->cf;

	if (cf->helpfile_set)
		check_note(c, "HelpFile=%s (line %u)", cf->helpfile, cf->helpfile_line);
	else
		check_note(c, "HelpFile not set");
	if (sendmail_help_enabled(cf, sf->help_has_content))
		check_finding(c, "help_file_present");
}

static void
relay_features(struct check_ctx *c)
{
	const struct sendmail_facts *sf = facts_of(c);

	check_note(c, "%s", sf->relay.detail);
	for (size_t i = 0; i < sf->relay.n_findings; i++)
		check_finding(c, sf->relay.findings[i]);
}

static void
mc_cf_consistent(struct check_ctx *c)
{
	const struct sendmail_facts *sf = facts_of(c);

	if (!sf->mc_present) {
		c->applicable = false;
		check_note(c, "no sendmail.mc");
		return;
	}
	if (sf->mismatch.n)
		check_note(c, "%s", sf->mismatch.detail);
	for (size_t i = 0; i < sf->mismatch.n; i++)
		check_finding(c, sf->mismatch.codes[i]);
}

/* every network daemon gets its socket (no two share a port) */
static void
daemons_listen(struct check_ctx *c)
{
	const struct sendmail_facts *sf = facts_of(c);
	const struct sendmail_cf *cf = sf->cf;

	for (size_t i = 0; i < cf->n_daemons; i++) {
		const struct sendmail_daemon *with = &cf->daemons[sf->listen.clash_with[i]];

		if (!sf->listen.clash[i])
			continue;
		check_finding(c, "daemon_bind_conflict");
		check_note(c, "daemon %s (line %u) cannot listen on port %u, held by daemon %s (line %u)%s",
			   cf->daemons[i].name, cf->daemons[i].line, (unsigned)cf->daemons[i].port,
			   with->name, with->line,
			   cf->daemons[i].family != with->family && !sf->bindv6only
			   ? " (bindv6only=0: the IPv6 wildcard takes IPv4 too)" : "");
	}
	if (sf->listen.wedged)
		check_note(c, "sendmail retries for about 50 s, answering nobody, then exits");
	else if (!c->n_findings)
		check_note(c, "no two daemons share a port%s", sf->bindv6only ? " (bindv6only=1)" : "");
}

/* the compiled access map is not older than its text */
static void
access_db_current(struct check_ctx *c)
{
	const struct sendmail_facts *sf = facts_of(c);

	switch (sf->access_db) {
	case SENDMAIL_ACCESS_DB_NOT_USED:
		c->applicable = false;
		check_note(c, "no access text, or sendmail.cf declares no access map");
		break;
	case SENDMAIL_ACCESS_DB_UNKNOWN:
		c->applicable = false;
		check_note(c, "access map type \"%s\": its compiled file is not checked",
			   sf->cf->access_map_type);
		break;
	case SENDMAIL_ACCESS_DB_CURRENT:
		check_note(c, "%s is not older than access", sf->access_db_path);
		break;
	case SENDMAIL_ACCESS_DB_OLDER:
		check_finding(c, "access_map_not_rebuilt");
		check_note(c, "%s is older than access: sendmail uses the database, and the relay "
			   "verdict is taken from the text", sf->access_db_path);
		break;
	case SENDMAIL_ACCESS_DB_MISSING:
		check_finding(c, "access_map_not_built");
		check_note(c, "%s does not exist: sendmail has no access entries", sf->access_db_path);
		break;
	}
}

static const struct check_row sendmail_checks[] = {
	{ .info = { "sendmail_privacy_options", "PrivacyOptions disable EXPN and VRFY",
		    "DISA STIG GEN004660/GEN004680 (Sendmail)", "warning",
		    "define(`confPRIVACY_FLAGS', `goaway')dnl in sendmail.mc, rebuild sendmail.cf, "
		    "restart" },
	  .decide = privacy_options },
	{ .info = { "sendmail_greeting_no_version", "SMTP greeting reveals no version",
		    "DISA STIG GEN004560 (Sendmail)", "info",
		    "define(`confSMTP_LOGIN_MSG', `$j ESMTP')dnl in sendmail.mc, rebuild sendmail.cf, "
		    "restart" },
	  .decide = greeting_no_version },
	{ .info = { "sendmail_help_file", "SMTP HELP is disabled", "DISA STIG GEN004540 (Sendmail)",
		    "info", "Empty or remove the HelpFile (define(`HELP_FILE', `')dnl), rebuild, restart" },
	  .decide = help_file },
	{ .info = { "sendmail_relay_features", "No relay-widening features", "Sendmail cf/README",
		    "warning",
		    "Remove promiscuous_relay, relay_entire_domain, relay_based_on_MX, "
		    "relay_local_from and loose_relay_check from sendmail.mc; rebuild, restart" },
	  .decide = relay_features },
	{ .info = { "sendmail_mc_cf_consistent", "sendmail.cf was rebuilt from sendmail.mc",
		    "mta_exporter", "warning",
		    "Rebuild sendmail.cf from sendmail.mc (make -C /etc/mail) and restart" },
	  .decide = mc_cf_consistent },
	{ .info = { "sendmail_daemons_listen", "Every daemon can listen on its socket",
		    "mta_exporter (sendmail daemon.c)", "warning",
		    "Give daemons on one port distinct addresses: drop the IPv4 wildcard daemon "
		    "when an IPv6 wildcard daemon (Family=inet6 without Addr=) takes IPv4 too, or "
		    "bind them to specific addresses (DAEMON_OPTIONS(`..., Addr=192.0.2.1')); "
		    "rebuild sendmail.cf and restart" },
	  .decide = daemons_listen },
	{ .info = { "sendmail_access_db_current", "The access database was rebuilt from its text",
		    "mta_exporter", "warning",
		    "makemap hash /etc/mail/access < /etc/mail/access (or make -C /etc/mail); "
		    "sendmail reads the new map without a restart" },
	  .decide = access_db_current },
};

static const char *const sendmail_processes[] = { "sendmail", "sendmail-mta", NULL };

const struct mta_desc mta_sendmail = {
	.collector = &collector_sendmail,
	.listen_setting = "daemon",
	.processes = sendmail_processes,
	.stig_gen004710 = sendmail_stig_gen004710,
	.checks = sendmail_checks,
	.n_checks = sizeof(sendmail_checks) / sizeof(sendmail_checks[0]),
};

/*
 * sendmail.h - the sendmail collector and the Sendmail-specific facts it
 * leaves for the Sendmail checks (sendmail_checks.c).
 *
 * collector_sendmail reads --sendmail.config (default /etc/mail/sendmail.cf)
 * under --path.rootfs, the sendmail.mc and the access text source beside
 * it, the HelpFile it names and the dpkg status database; the decisions
 * themselves are made by the pure code in sendmail_conf.c.  It fills
 * facts->mta[MTA_SENDMAIL] and points .priv at a struct sendmail_facts.
 *
 * Diagnostics: every problem found in those files is logged with its file
 * and line (log_file_warn) and counted in sendmail_config_warnings; a
 * sendmail.cf that exists but cannot be read fails the collector.
 */
#ifndef MTA_SENDMAIL_H
#define MTA_SENDMAIL_H

#include <stdbool.h>

#include "collectors/core/collector.h"
#include "collectors/sendmail/sendmail_conf.h"

/* The compiled access map against its text source. */
enum sendmail_access_db {
	SENDMAIL_ACCESS_DB_NOT_USED,	/* no access text, or the .cf has no access map */
	SENDMAIL_ACCESS_DB_CURRENT,	/* access.db is not older than access */
	SENDMAIL_ACCESS_DB_OLDER,	/* access was changed after access.db was built */
	SENDMAIL_ACCESS_DB_MISSING,	/* no access.db beside access */
	SENDMAIL_ACCESS_DB_UNKNOWN,	/* a map type whose file we do not know */
};

/*
 * What the Sendmail checks and its part of stig_gen004710 read beyond
 * struct mta_facts (sendmail_checks.c).  Per-scrape memory (sc->arena).
 */
struct sendmail_facts {
	bool all_daemons_loopback;	/* every network daemon has a numeric loopback Addr */
	bool promiscuous_relay;		/* the .cf relays for anyone (any of the three signs) */
	const char *promiscuous_reason;	/* stable code (docs/sendmail.md), NULL if not */
	bool mc_present;
	bool mc_promiscuous_relay;	/* FEATURE(promiscuous_relay) in sendmail.mc */
	bool mc_cf_mismatch;		/* the .cf was not rebuilt from the .mc */
	const char *mc_cf_detail;	/* human text, NULL if no mismatch */
	const char *cf_path;		/* as read (rootfs-joined) */
	const struct sendmail_cf *cf;	/* the parsed sendmail.cf */
	struct sendmail_relay_result relay;	/* sendmail_relay_eval() of cf and access */
	struct sendmail_mismatch mismatch;	/* .mc against .cf (none without a .mc) */
	bool help_has_content;		/* the HelpFile the .cf names is a non-empty file */
	bool bindv6only;		/* the kernel's IPV6_V6ONLY default (listeners_bindv6only) */
	struct sendmail_listen listen;	/* which daemons get their socket */
	enum sendmail_access_db access_db;	/* access.db against the access text */
	const char *access_db_path;	/* as checked (rootfs-joined), NULL if not */
};

extern const struct collector collector_sendmail;

#endif

/*
 * checks.h - compliance checks: the catalogue, the pure decisions and the
 * "checks" collector that renders them.
 *
 * Every check has a stable id, a title, a source (CIS, STIG, hardening
 * guide), a severity and a remediation (docs/checks.md has each one's
 * rationale, pass condition, reason codes and divergences).  Cross-MTA
 * checks (cis_2_1_21, stig_gen004710, mta_no_open_relay,
 * mta_runtime_matches_config) are decided here from struct facts; the
 * postfix_* checks are decided here from a struct checks_postfix view of
 * the Postfix model; MTA-specific checks decided by other collectors
 * (sendmail_*, exim_*) arrive as struct mta_check in facts->mta[k].checks
 * and are rendered as they are.
 *
 * The decision functions are pure: facts in, struct check_result out.
 * The collector (checks.c) runs last, keeps the results in facts->checks
 * for the audit report, and emits mta_check_info, mta_check_status and
 * mta_check_finding; the Postfix services' relay verdicts go into
 * facts->mta[MTA_POSTFIX].relays (rendered by collectors/core/mta_metrics.c).
 */
#ifndef MTA_CHECKS_H
#define MTA_CHECKS_H

#include <stdbool.h>
#include <stddef.h>

#include "collectors/core/collector.h"
#include "collectors/postfix/postfix_relay.h"

#define CHECK_MAX_REASONS 16

struct check_def {
	const char *id;
	const char *title;
	const char *source;
	const char *severity;	/* "critical", "warning", "info" */
	const char *remediation;
};

struct check_result {
	const char *id;
	const struct check_def *def;	/* NULL for an id not in the catalogue */
	enum check_status status;
	const char *reasons[CHECK_MAX_REASONS];	/* stable finding codes */
	size_t n_reasons;
	const char *detail;	/* human text, may be NULL */
};

extern const struct check_def checks_catalogue[];
extern const size_t checks_catalogue_count;
const struct check_def *checks_find(const char *id);
const char *check_status_name(enum check_status s);

/* One Postfix service with its relay verdict (from postfix_relay). */
struct checks_postfix_service {
	const char *instance;
	const char *service;
	struct postfix_relay_verdict relay;
};

/*
 * What the postfix_* checks read.  param() returns the effective, expanded
 * value of a parameter for a service (service NULL = main.cf and defaults),
 * or NULL when it is unknown; set() says whether main.cf sets it;
 * readable() whether a file can be read (cert/key).
 */
struct checks_postfix {
	bool available;
	const char *(*param)(const void *ctx, const char *service, const char *name);
	bool (*set)(const void *ctx, const char *name);
	bool (*readable)(const void *ctx, const char *path);
	const void *ctx;
	const struct checks_postfix_service *services;	/* smtpd inet services */
	size_t n_services;
};

/* Which collectors ran, for "error" statuses. */
struct checks_env {
	bool listeners_enabled;
	bool mta_enabled[MTA_COUNT];
	const struct checks_postfix *postfix;	/* may be NULL */
};

/*
 * Decide every check of the catalogue plus every MTA-specific check found
 * in facts.  out must hold checks_catalogue_count + the facts' MTA checks;
 * returns the count.  Strings point to static text, the facts, or ar.
 */
size_t checks_evaluate(const struct facts *f, const struct checks_env *env, struct arena *ar,
		       struct check_result *out, size_t max);

/* STIG GEN004710's Postfix rule on smtpd_client_restrictions; codes in *why. */
bool checks_postfix_client_restrictions_ok(const char *value, const char **why);

/*
 * Read the tables a relay input names (cidr:, texthash:, mynetworks
 * /file/name) under rootfs through fileio, into ar, and point in->tables at
 * them.  An unreadable table stays in the list with text NULL (the
 * evaluator then says "undetermined") and is logged.  -1 on memory.
 */
int checks_postfix_load_tables(const char *rootfs, struct arena *ar,
			       struct postfix_relay_input *in);

/*
 * What the Postfix collector offers, in the shape the checks need.  param()
 * and is_set() as in struct checks_postfix; services are the smtpd inet
 * services of all instances, with their endpoints' loopback-ness.
 */
struct checks_postfix_source {
	const char *(*param)(const void *ctx, const char *service, const char *name);
	bool (*is_set)(const void *ctx, const char *service, const char *name);
	bool (*readable)(const void *ctx, const char *path);
	const void *ctx;
	const char *const *instances;	/* per service, "" = default */
	const char *const *services;	/* master.cf names */
	const bool *loopback_only;	/* per service */
	size_t n_services;
};

/*
 * Build the view: for each service, the relay input from its effective
 * parameters (postfix_relay_input_from_params), its tables read under
 * rootfs, and its verdict.  -1 on memory.
 */
int checks_postfix_build(const struct checks_postfix_source *src, const char *rootfs,
			 struct arena *ar, struct checks_postfix *out);

/*
 * The view from the postfix collector's facts (checks_postfix.c), in
 * sc->arena; NULL when Postfix is absent, failed, or not built in.
 */
const struct checks_postfix *checks_postfix_view(struct scrape_ctx *sc);

extern const struct collector collector_checks;

#endif

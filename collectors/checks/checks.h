/*
 * checks.h - the compliance checks: the catalogue, the framework that
 * decides every row, the cross-MTA checks and the "checks" collector.
 *
 * The catalogue is the cross-MTA rows of checks.c (cis_2_1_21,
 * stig_gen004710, mta_no_open_relay, mta_runtime_matches_config), the
 * tls_* rows (collectors/tls/tls_checks.h), then each MTA's own rows in
 * mta_table order (collectors/core/mta.h): the order of the exposition and the audit.  A row is an id with its title,
 * source, severity and remediation, and a pure decision
 * (collectors/core/check.h, which also states the status rules); every
 * check is documented in docs/checks.md.
 *
 * checks_evaluate() is pure: facts and which collectors ran in, one
 * struct check_result per row out.  The collector ("checks", default on,
 * last in the table) keeps the results in facts->checks for the audit
 * report and emits mta_check_info, mta_check_status and mta_check_finding.
 * It reads facts only: disabling it changes no other metric.
 */
#ifndef MTA_CHECKS_H
#define MTA_CHECKS_H

#include <stddef.h>

#include "collectors/core/check.h"
#include "collectors/core/collector.h"
#include "collectors/core/mta.h"

/* The catalogue's size, and its i-th row (*owner: its MTA, or -1 for a cross-MTA row). */
size_t checks_catalogue_count(void);
const struct check_row *checks_catalogue_row(size_t i, int *owner);
/* The row with that id, or NULL. */
const struct check_row *checks_find(const char *id);

/*
 * Decide every row of the catalogue into out (at most max; the catalogue's
 * size is enough) and return the count.  env says which collectors ran.
 * Strings point to static text, the facts, or ar.
 */
size_t checks_evaluate(const struct facts *f, const struct collector_env *env, struct arena *ar,
		       struct check_result *out, size_t max);

extern const struct collector collector_checks;

#endif

/*
 * postfix_checks.h - Postfix's own compliance checks (the postfix_* rows
 * of the catalogue), its part of stig_gen004710 and its MTA descriptor.
 *
 * Each check is a row (collectors/core/check.h) whose decision is a small
 * pure function over the postfix collector's facts (struct postfix_facts,
 * postfix.h): effective parameters through their symbols, the smtpd
 * services with their relay inputs and verdicts, what the collector found
 * about the TLS files.  The checks framework (collectors/checks/) calls
 * them only when Postfix was detected and its collector succeeded.
 * docs/checks.md documents every check and reason code.
 *
 * Diagnostics: none (findings are reason codes of the results).
 */
#ifndef MTA_POSTFIX_CHECKS_H
#define MTA_POSTFIX_CHECKS_H

#include <stdbool.h>

#include "collectors/core/mta.h"

/*
 * STIG GEN004710's rule on smtpd_client_restrictions (value NULL = not
 * set): it contains reject with no bare permit before it.  Used by the
 * stig_gen004710 check and the postfix_client_restrictions_ok metric.
 * *why gets the reason code when it fails, NULL when it holds.
 */
bool postfix_client_restrictions_ok(const char *value, const char **why);

/* Postfix's part of stig_gen004710 (struct mta_desc). */
void postfix_stig_gen004710(struct check_ctx *c);

/* The descriptor: the postfix collector, its checks, its reason codes. */
extern const struct mta_desc mta_postfix;

#endif

/*
 * exim_checks.h - Exim's part of the cross-MTA checks and its MTA
 * descriptor.  Exim has no checks of its own yet: a future exim_* check
 * is a row in exim_checks.c (docs/development.md, "Adding a check").
 *
 * Diagnostics: none (findings are reason codes of the results).
 */
#ifndef MTA_EXIM_CHECKS_H
#define MTA_EXIM_CHECKS_H

#include "collectors/core/mta.h"

/*
 * Exim's part of stig_gen004710: the STIG defers to the product's
 * documentation, so a service listening beyond loopback that the exim
 * collector judges an open relay fails it.
 */
void exim_stig_gen004710(struct check_ctx *c);

/* The descriptor: the exim collector and its reason codes. */
extern const struct mta_desc mta_exim;

#endif

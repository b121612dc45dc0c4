/*
 * sendmail_checks.h - Sendmail's own compliance checks (the sendmail_*
 * rows of the catalogue), its part of stig_gen004710 and its MTA
 * descriptor.
 *
 * Each check is a row (collectors/core/check.h) whose decision is a small
 * pure function over the sendmail collector's facts (struct
 * sendmail_facts, sendmail.h) and the pure rules of sendmail_conf.c.  The
 * checks framework (collectors/checks/) calls them only when Sendmail was
 * detected and its collector succeeded.  docs/checks.md documents every
 * check and reason code; docs/sendmail.md the model behind them.
 *
 * Diagnostics: none (findings are reason codes of the results).
 */
#ifndef MTA_SENDMAIL_CHECKS_H
#define MTA_SENDMAIL_CHECKS_H

#include "collectors/core/mta.h"

/* Sendmail's part of stig_gen004710 (struct mta_desc). */
void sendmail_stig_gen004710(struct check_ctx *c);

/* The descriptor: the sendmail collector, its checks, its reason codes. */
extern const struct mta_desc mta_sendmail;

#endif

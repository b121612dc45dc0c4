/*
 * check.h - a compliance check: one catalogue row plus one small pure
 * decision over the facts.
 *
 * A row (struct check_row) is what the exposition and the audit show
 * (struct check_info: id, title, source, severity, remediation) and the
 * function that decides it.  Rows live next to what they audit: an MTA's
 * own checks in its module, listed by its descriptor (struct mta_desc,
 * collectors/core/mta.h); the cross-MTA checks in collectors/checks/.  The
 * checks collector (collectors/checks/checks.c) assembles the catalogue
 * from those tables and, before it calls a row's decide(), settles once
 * for every row what the row's inputs allow:
 *   - an MTA's own row: that MTA's collector disabled -> not_applicable
 *     (the MTA is not audited on this host); failed -> error with reason
 *     collector_failed_<mta>; MTA not detected -> not_applicable.  Only
 *     then decide() runs, over that MTA's complete facts (c->m, c->m->priv);
 *   - a cross-MTA row: a listeners collector that failed is a problem
 *     (collector_failed_listeners) when the row says it uses the
 *     listeners (CHECK_USES_LISTENERS), and the whole answer when it
 *     cannot do without them (CHECK_REQUIRES_LISTENERS: error, decide()
 *     does not run).  A disabled one is an offline audit of a
 *     configuration tree: the row decides without sockets (c->listeners
 *     false; it says so in its note), or, when it requires them, is
 *     not_applicable without being called.  The row reads the MTAs
 *     through the framework (checks.c), which skips a disabled MTA
 *     collector and counts a failed one as a problem.
 * decide() reports with check_finding() (a definite failure and its
 * reason code), check_problem() (an input it cannot judge), check_note()
 * (human text for the audit) and c->applicable (false: the subject is
 * absent).  The status then follows the rules of docs/checks.md: fail if
 * any finding, even when an input is missing; else error, with the
 * problems as reasons; else pass, or not_applicable.
 *
 * Diagnostics: none; a reason beyond CHECK_MAX_REASONS is dropped.  The
 * notes of one result are appended in place (the work and memory grow with
 * their total length, not its square) up to CHECK_DETAIL_MAX bytes; the
 * notes beyond are counted and the detail ends "(N more not shown)".
 */
#ifndef MTA_CHECK_H
#define MTA_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "collectors/core/collector.h"
#include "lib/arena.h"

/* What one decision sees, and what it has found so far. */
struct check_ctx {
	const struct facts *f;
	const struct collector_env *env;	/* which collectors ran */
	struct arena *ar;			/* per-scrape memory for codes and notes */
	enum mta_kind mta;			/* the MTA an MTA's own row (or part) is about */
	const struct mta_facts *m;		/* its facts; NULL in a cross-MTA row */
	bool listeners;				/* f->listeners can be read (collected) */
	struct check_result *r;
	bool applicable;			/* starts true */
	size_t n_findings;
	const char *problems[CHECK_MAX_REASONS];
	size_t n_problems;
	char *note;				/* r->detail as it grows (in ar) */
	size_t note_len, note_cap;
	unsigned notes_dropped;			/* past CHECK_DETAIL_MAX */
};

#define CHECK_DETAIL_MAX (16u << 10)	/* a result's detail, bytes */

#define CHECK_USES_LISTENERS 0x1u	/* failed listeners are a problem; disabled: judged without */
#define CHECK_REQUIRES_LISTENERS 0x2u	/* failed: the only answer (error); disabled: not_applicable */

struct check_row {
	struct check_info info;
	unsigned needs;			/* cross-MTA rows: CHECK_*_LISTENERS */
	void (*decide)(struct check_ctx *c);
};

/* A definite failure: code becomes a reason of the result (once). */
void check_finding(struct check_ctx *c, const char *code);
/* An input the check cannot judge: error, unless there is a finding. */
void check_problem(struct check_ctx *c, const char *code);
/* Append human text to the result's detail (in c->ar). */
void check_note(struct check_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* End the detail: the count of notes that did not fit (the framework calls it). */
void check_notes_done(struct check_ctx *c);
/* Add a reason to a result (once; none beyond CHECK_MAX_REASONS; NULL ignored). */
void check_reason(struct check_result *r, const char *code);
/*
 * Can a cross-MTA row read MTA k's facts?  Its collector disabled: no, and
 * no problem (not audited here); failed: no, and collector_failed_<mta>
 * is a problem.
 */
bool check_mta_audited(struct check_ctx *c, enum mta_kind k);
/* "pass", "fail", "not_applicable", "error". */
const char *check_status_name(enum check_status s);

#endif

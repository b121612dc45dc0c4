/*
 * audit.h - "mta_exporter audit": one collection pass, a report for people
 * and pipelines.
 *
 * audit_render() is pure: the facts of one pass (with the checks
 * collector's results in facts->checks) and a header (host, time, version,
 * rootfs, role) in, the report into a buf out:
 *   - text: the header, then every check as PASS, FAIL, WAIVED, N/A or
 *     ERROR with its reasons, details, waiver and (for failures)
 *     remediation, then the relay verdict of every service; colour (ANSI)
 *     only when asked (main passes isatty && !NO_COLOR);
 *   - JSON: the same content (schema in docs/audit.md);
 *   - JUnit XML: one test case per check, for CI systems: a failure
 *     carries its reasons and remediation, an error its reasons, a waived
 *     or not applicable check is skipped with why (docs/audit.md; the
 *     schema is tests/fixtures/audit/junit.xsd).
 *
 * audit_exit_status(): AUDIT_EXIT_FAIL when any check fails, else
 * AUDIT_EXIT_ERROR when a check is in error or a collector failed, else
 * AUDIT_EXIT_PASS.  AUDIT_EXIT_USAGE is the command line's (a bad flag,
 * a bad waivers file, the checks collector disabled).
 *
 * audit_run() does the pass and writes the report to stdout; it returns
 * the exit status.  Log messages go to stderr, never into the report.
 */
#ifndef MTA_AUDIT_H
#define MTA_AUDIT_H

#include <stdbool.h>

#include "collectors/core/collector.h"
#include "lib/buf.h"

enum audit_format { AUDIT_TEXT, AUDIT_JSON, AUDIT_JUNIT };

enum {
	AUDIT_EXIT_PASS = 0,	/* every check passes, is waived or does not apply */
	AUDIT_EXIT_FAIL = 1,	/* a check fails */
	AUDIT_EXIT_USAGE = 2,	/* the command line (or a file it names) is wrong */
	AUDIT_EXIT_ERROR = 3,	/* no failure, but a check in error or a collector failed */
};

/* Who audited what, when: the report's header. */
struct audit_header {
	const char *host;	/* the auditing machine's host name */
	const char *time;	/* RFC 3339, UTC */
	const char *version;
	const char *revision;
	const char *rootfs;	/* --path.rootfs: what was audited */
	const char *role;	/* --checks.role */
};

struct scrape;
struct options;

int audit_render(const struct facts *f, const struct audit_header *h, enum audit_format fmt,
		 bool color, bool collectors_failed, struct buf *out);
int audit_exit_status(const struct facts *f, bool collectors_failed);
int audit_run(struct scrape *s, const struct options *opts);

#endif

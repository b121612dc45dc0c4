/*
 * audit.h - "mta_exporter audit": one collection pass, a human report.
 *
 * audit_render() is pure: the facts of one pass (with the checks
 * collector's results in facts->checks) in, text or JSON into a buf out.
 * Text lists every check as PASS, FAIL, N/A or ERROR with its reasons,
 * details and (for failures) remediation, then the relay verdict of every
 * service; colour (ANSI) only when asked (main passes isatty && !NO_COLOR).
 * JSON carries the same content (schema in docs/audit.md).
 *
 * audit_exit_status(): 1 when any check fails, else 2 when any check is in
 * error or a collector failed, else 0.
 *
 * audit_run() does the pass and writes the report to stdout; it returns
 * the exit status.
 */
#ifndef MTA_AUDIT_H
#define MTA_AUDIT_H

#include <stdbool.h>

#include "collectors/core/collector.h"
#include "lib/buf.h"

enum audit_format { AUDIT_TEXT, AUDIT_JSON };

struct scrape;
struct options;

int audit_render(const struct facts *f, enum audit_format fmt, bool color,
		 bool collectors_failed, struct buf *out);
int audit_exit_status(const struct facts *f, bool collectors_failed);
int audit_run(struct scrape *s, const struct options *opts);

#endif

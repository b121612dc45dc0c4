/*
 * waivers.h - accepted risk: the --checks.waivers file (docs/waivers.md).
 *
 * A waiver says that a check's failure on this host is known and
 * accepted until a date, for a recorded reason:
 *
 *	- check: postfix_vrfy_disabled		(required: a catalogue id)
 *	  mta: postfix				(optional: postfix, exim, sendmail)
 *	  service: submission			(optional: an MTA service name)
 *	  reason: VRFY needed by the helpdesk tool, ticket 123	(required)
 *	  expires: 2027-06-30			(required: the last day it holds)
 *
 * waivers_parse() is pure: a YAML buffer (libyaml) in, struct waivers out,
 * and on bad input -1 with a message naming the line and the key.  It
 * refuses what would silently waive nothing or too much: an unknown check
 * id, an unknown MTA, an MTA other than the one an MTA's own check is
 * about, an unknown key, a missing or empty reason, a date that is not a
 * calendar date, two entries with the same check, MTA and service.  An
 * empty file holds no waivers.
 *
 * waivers_load() reads the file (lib/fileio, WAIVERS_MAX_BYTES) and parses
 * it; its messages start with the path.
 *
 * waivers_apply() is pure: given the time, it turns a failing result into
 * CHECK_WAIVED when every one of its findings (struct check_subject) is
 * covered by a waiver that has not expired.  A waiver covers a finding
 * when its check is the result's, and its MTA and service, when given,
 * are the finding's.  A finding covered only by expired waivers keeps the
 * check failing and adds the reason waiver_expired.  Checks that pass,
 * do not apply or are in error are left alone.
 *
 * A waiver holds through its expiry date and expires at the start of the
 * next day, 00:00 UTC (expiry, seconds since the epoch).
 *
 * Diagnostics: none here; the checks collector logs what
 * waivers_load() reports (at startup: fatal, exit 2; on SIGHUP: the
 * waivers in force are kept).
 */
#ifndef MTA_WAIVERS_H
#define MTA_WAIVERS_H

#include <stddef.h>
#include <time.h>

#include "collectors/core/collector.h"
#include "lib/arena.h"

#define WAIVERS_MAX_BYTES (1u << 20)	/* the file */
#define WAIVERS_MAX 1024		/* entries */
#define WAIVERS_MAX_TEXT 512		/* bytes of a reason or a service name */

struct waiver {
	const char *check;	/* a catalogue id (static text of the catalogue) */
	int mta;		/* enum mta_kind, or -1: any */
	char *service;		/* NULL: any */
	char *reason;
	char expires[11];	/* "YYYY-MM-DD", as written */
	time_t expiry;		/* 00:00:00 UTC of the day after expires */
	unsigned line;		/* in the file, for messages */
};

struct waivers {
	struct waiver *v;
	size_t n;
};

/* waivers_parse - parse and validate a YAML buffer; -1 with err set ("line N: ..."). */
int waivers_parse(const char *data, size_t len, struct waivers *w, char *err, size_t errlen);
/* waivers_load - read and parse path; -1 with err set ("PATH: line N: ..."). */
int waivers_load(const char *path, struct waivers *w, char *err, size_t errlen);
void waivers_free(struct waivers *w);

/* waivers_apply - waive what w covers among r[0..n) at time now (texts in ar). */
void waivers_apply(const struct waivers *w, time_t now, struct check_result *r, size_t n,
		   struct arena *ar);

/* waivers_date - "YYYY-MM-DD" to the epoch second its day starts (UTC); -1 if no such day. */
time_t waivers_date(const char *s);

#endif

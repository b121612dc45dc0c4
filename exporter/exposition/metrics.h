/*
 * metrics.h - exposition writer for Prometheus text 0.0.4 and OpenMetrics 1.0.
 *
 * A struct metrics collects the samples of one scrape.  Families are created
 * (or found again) by name, so a family's samples are grouped and get one
 * HELP and one TYPE line however the collectors interleave their calls.
 * All memory is bounded by the cap given to metrics_new(); running out sets
 * a sticky failure and metrics_render() then fails, so a partial body is
 * never served (the HTTP layer answers 500).
 *
 *	struct metric_family *f = metrics_family(m, "mta_detected",
 *		"1 if the MTA is installed.", METRIC_GAUGE);
 *	metrics_add(f, 1, "mta", "postfix", NULL);
 *
 * Label values are arbitrary bytes and escaped on output.  Names are checked
 * against the Prometheus name grammar (a bad name is a programming error and
 * fails the scrape).
 */
#ifndef MTA_METRICS_H
#define MTA_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/buf.h"

enum metric_type {
	METRIC_GAUGE,
	METRIC_COUNTER,	/* name must end in _total */
	METRIC_INFO,	/* name must end in _info, value 1; OpenMetrics "info", 0.0.4 gauge */
};

enum metrics_format {
	METRICS_TEXT_004,
	METRICS_OPENMETRICS_100,
};

#define METRICS_CONTENT_TYPE_TEXT "text/plain; version=0.0.4; charset=utf-8"
#define METRICS_CONTENT_TYPE_OPENMETRICS \
	"application/openmetrics-text; version=1.0.0; charset=utf-8"

struct metrics;
struct metric_family;

struct metrics *metrics_new(size_t max_bytes);
void metrics_free(struct metrics *m);
bool metrics_failed(const struct metrics *m);

struct metric_family *metrics_family(struct metrics *m, const char *name,
				     const char *help, enum metric_type type);
/* Labels: name/value string pairs, NULL-terminated.  Returns 0 or -1. */
int metrics_add(struct metric_family *f, double value, ...) __attribute__((sentinel));
int metrics_addv(struct metric_family *f, double value, size_t nlabels,
		 const char *const *names, const char *const *values);

/* Render everything; returns 0, or -1 if the metrics or the buffer failed. */
int metrics_render(const struct metrics *m, enum metrics_format fmt, struct buf *out);

/* Helpers exposed for tests. */
void metrics_format_double(double v, char *out, size_t outlen);
bool metrics_valid_name(const char *name);

#endif

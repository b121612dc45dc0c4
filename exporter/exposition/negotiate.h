/*
 * negotiate.h - HTTP content negotiation for the telemetry endpoint.
 *
 * Pure functions over header values (no I/O, no allocation), bounded in time
 * by the header length, safe on arbitrary bytes.
 *
 * negotiate_format() parses Accept (RFC 9110 media ranges with parameters
 * and q-values) and picks OpenMetrics 1.0.0 or text 0.0.4: each offer gets
 * the q of the most specific range that matches it (type/subtype with a
 * matching version parameter > type/subtype > type/ * > * / *), the higher q
 * wins, a tie goes to text 0.0.4, and when nothing matches text 0.0.4 is
 * served anyway (a scraper that sends Accept but cannot read text should
 * still get a well-formed body rather than 406).
 *
 * negotiate_gzip() says whether Accept-Encoding allows gzip (gzip, x-gzip
 * or * with q > 0, unless gzip is explicitly q=0).
 *
 * Diagnostics: none: a malformed header is no error, its bad elements are
 * skipped (negotiate.c) and text 0.0.4 is the fallback.
 */
#ifndef MTA_NEGOTIATE_H
#define MTA_NEGOTIATE_H

#include <stdbool.h>

#include "exporter/exposition/metrics.h"

enum metrics_format negotiate_format(const char *accept);
bool negotiate_gzip(const char *accept_encoding);

#endif

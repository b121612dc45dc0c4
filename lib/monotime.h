/*
 * monotime.h - the monotonic clock, in the two units the exporter measures
 * with: seconds as a double (scrape and collector durations, HTTP
 * admission) and whole milliseconds (deadlines of TLS handshakes and the
 * tls collector's schedule).  One place reads CLOCK_MONOTONIC for timing.
 *
 *	double t0 = monotime_s(); ...; double took = monotime_s() - t0;
 *	long long deadline = monotime_ms() + 5000;
 *
 * No diagnostics: CLOCK_MONOTONIC cannot fail on Linux.
 */
#ifndef MTA_MONOTIME_H
#define MTA_MONOTIME_H

/* monotime_s - seconds since an arbitrary fixed point, never going back. */
double monotime_s(void);
/* monotime_ms - the same clock in whole milliseconds. */
long long monotime_ms(void);

#endif

/*
 * mta_metrics.h - the metrics every MTA shares, emitted in one place.
 *
 * The MTA collectors (postfix, exim, sendmail) and the relay evaluation only
 * fill struct mta_facts; after all collectors have run, the scrape loop calls
 * mta_metrics_emit(), which renders for each MTA:
 *   mta_detected{mta}                          always, for all three
 *   mta_bound_all_interfaces{mta}              detected and collected
 *   mta_local_only{mta}                        detected and collected
 *   mta_service_info{mta,service,address,port} one per configured endpoint
 *   mta_open_relay_risk{mta,service}           1 open, 0 closed or config
 *                                              error; omitted if undetermined
 *   mta_open_relay_undetermined{mta,service}   1 undetermined, else 0
 *   mta_tls_certificate_not_after_timestamp_seconds{mta,service,source="config"}
 *                                              the configured certificate that
 *                                              expires first, per TLS service
 *   mta_tls_certificate_key_bits{mta,service,source="config",algorithm}
 *   mta_tls_dh_bits{mta,service,source="config"} when known
 * A service listed twice in the relays keeps its first verdict.  The TLS
 * families are shared with the live series of the tls collector
 * (source="live"), through mta_metrics_tls_families(): one HELP text each.
 */
#ifndef MTA_MTA_METRICS_H
#define MTA_MTA_METRICS_H

#include "collectors/core/collector.h"

void mta_metrics_emit(struct metrics *m, const struct facts *f);

struct mta_tls_families {
	struct metric_family *not_after, *key_bits, *dh_bits;
};

/* The families static (config) and live TLS series share. */
void mta_metrics_tls_families(struct metrics *m, struct mta_tls_families *out);

#endif

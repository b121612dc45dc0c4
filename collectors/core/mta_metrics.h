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
 * A service listed twice in the relays keeps its first verdict.
 */
#ifndef MTA_MTA_METRICS_H
#define MTA_MTA_METRICS_H

#include "collectors/core/collector.h"

void mta_metrics_emit(struct metrics *m, const struct facts *f);

#endif

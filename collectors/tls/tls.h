/*
 * tls.h - the "tls" collector: live TLS handshakes with the MTAs' own
 * listening sockets, in the background, and the series they give.
 *
 * Targets: each scrape (under the scrape lock) derives, from the listeners
 * collector's sockets and the MTA collectors' endpoints, one socket per
 * (MTA, service) on an audited port: the socket's owner must be one of
 * the MTA's daemons (mta_process_is) and the MTA must name that port.  A
 * wildcard socket is reached on the loopback address of its family.  Port
 * 465 (or a service named smtps/submissions) is implicit TLS, every other
 * port STARTTLS.  Nothing is taken from a request; at most TLS_MAX_TARGETS.
 *
 * Schedule: a background thread (started by the first scrape of a
 * server, never with --once, audit or --netlink.replay) runs a round at
 * start, then every --tls.interval (default 10m), and sooner (at most
 * once a minute) when the targets change.  Per target a round makes the
 * default handshake, a TLS 1.2 DHE-only one, and one pinned to each of
 * TLS 1.0 and TLS 1.1 (lib/tlsclient.h), each within --tls.timeout
 * (default 5s).  The thread holds only the collector's own mutex, and
 * only to copy targets and results, never during a handshake; a scrape
 * copies the last results and never waits.
 *
 * Facts: facts->tls_live (a per-scrape copy), for the tls_* checks
 * (tls_checks.h) and mta_runtime_matches_config.
 *
 * Metrics (docs/metrics.md, "tls"): mta_tls_probe_success{mta,service},
 * mta_tls_probe_timestamp_seconds{mta,service}, mta_tls_probe_info{mta,
 * service,version,cipher,group}, mta_tls_protocol_accepted{mta,service,
 * version}, and the source="live" series of the shared TLS families
 * (collectors/core/mta_metrics.h).
 *
 * Diagnostics: a failed handshake is logged at debug level with its
 * reason (and shows as mta_tls_probe_success 0); a version this GnuTLS
 * cannot offer is logged once as a warning and its series is omitted.
 * Bad flag values make init() fail (exit 2).
 */
#ifndef MTA_TLS_H
#define MTA_TLS_H

#include <stddef.h>

#include "collectors/core/collector.h"

#define TLS_MAX_TARGETS 16

/*
 * tls_targets - the sockets to probe from the facts (pure; exposed for
 * tests).  Returns how many were written to out (at most max).
 */
struct tls_target {
	enum mta_kind mta;
	const char *service;		/* points into the facts */
	char address[INADDR_STRLEN];
	uint16_t port;
	struct tlsclient_target t;
};
size_t tls_targets(const struct facts *f, struct tls_target *out, size_t max);

extern const struct collector collector_tls;

#endif

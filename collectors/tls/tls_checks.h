/*
 * tls_checks.h - the tls_* checks: certificates, keys, DH groups and
 * protocol versions of every MTA service that offers TLS beyond loopback,
 * from the configuration (struct mta_tls, filled by each MTA's collector)
 * and from the last live handshakes (struct mta_tls_live, the tls
 * collector's).  Catalogue rows plus pure decisions (check.h); the checks
 * collector lists them after the cross-MTA rows.
 *
 *   tls_certificate_valid          not expired, not expiring within 14 days
 *   tls_certificate_key_strong     RSA >= 2048 bits, EC >= 256
 *   tls_dh_strong                  finite-field DH >= 2048 bits
 *   tls_legacy_protocols_disabled  no SSLv3, TLS 1.0 or 1.1 configured or accepted
 *   tls_certificate_matches_key    the configured key belongs to the certificate
 *   tls_certificate_names_host     SAN (else CN) covers the MTA's host name
 *
 * Each is not_applicable when no MTA service offers TLS on a non-loopback
 * endpoint (docs/checks.md).  Reason codes are "<mta>_<what>"; the
 * service and the file are in the note.
 *
 * tls_runtime_mismatch() is mta_runtime_matches_config's TLS part: the
 * live certificate or DH group is not the configured one (a file changed,
 * the MTA not reloaded).
 *
 * Diagnostics: none.
 */
#ifndef MTA_TLS_CHECKS_H
#define MTA_TLS_CHECKS_H

#include <stddef.h>

#include "collectors/core/check.h"

#define TLS_EXPIRY_WARN_DAYS 14

extern const struct check_row tls_check_rows[];
extern const size_t tls_check_count;

/* Findings <mta>_tls_certificate_not_loaded, <mta>_tls_dh_not_loaded for MTA k. */
void tls_runtime_mismatch(struct check_ctx *c, enum mta_kind k);

#endif

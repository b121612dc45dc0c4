/*
 * postfix_tls.h - Postfix's TLS settings as smtpd applies them: the
 * protocol list (both syntaxes), the versions the TLS library then lets it
 * speak, and the DH group it uses.  Pure: values in, answers out.
 *
 *   postfix_tls_protocols() - src/tls/tls_misc.c tls_proto_mask_lims():
 *     a list separated by spaces, commas or colons of "name" (include),
 *     "!name" (exclude), ">=name" (floor) and "<=name" (ceiling); names
 *     are SSLv2, SSLv3, TLSv1, TLSv1.1, TLSv1.2, TLSv1.3 (case-sensitive)
 *     or a hex version (0x0303).  With any include, everything else is
 *     excluded.  An unknown name makes the list invalid, and smtpd then
 *     disables TLS ("Invalid TLS protocol list").
 *   postfix_tls_library_versions() - what the TLS library then lets
 *     smtpd speak: Debian's OpenSSL (1.1 and 3.0) has no SSLv3 and, as a
 *     server at its default security level, still negotiates TLS 1.0 and
 *     1.1 with RSA and ECDSA certificates alike (tests/e2e/tls.sh shows it
 *     against openssl s_client and sslscan), so the protocol list decides.
 *   postfix_tls_dh_auto_bits() - Postfix 3.7 on OpenSSL 3 without
 *     smtpd_tls_dh1024_param_file lets OpenSSL pick the DH group
 *     (SSL_CTX_set_dh_auto): its size follows the RSA key's strength
 *     (1024-bit key: 1024, 2048: 2048, 3072: 3072, 4096: 4096, 7680+:
 *     8192); older Postfix uses its built-in 2048-bit group.
 *
 *   postfix_tls_enabled() - whether a *_tls_security_level (else the
 *     obsolete *_use_tls / *_enforce_tls) turns TLS on.
 *
 * No diagnostics: an invalid list returns -1 and the caller reports it.
 */
#ifndef MTA_POSTFIX_TLS_H
#define MTA_POSTFIX_TLS_H

#include <stdbool.h>

/* TLS on at that security level ("" = unset: use_tls or enforce_tls decide). */
bool postfix_tls_enabled(const char *level, bool use_tls, bool enforce_tls);

/* The TLSINFO_BIT mask a protocol list enables; 0, or -1 when it is invalid. */
int postfix_tls_protocols(const char *value, unsigned *mask);
/* The versions the TLS library of a Postfix version can speak at all. */
unsigned postfix_tls_library_versions(unsigned postfix_version);
/* DH bits without a parameter file, for a certificate key (0: no finite-field DHE). */
unsigned postfix_tls_dh_auto_bits(unsigned postfix_version, const char *key_alg,
				  unsigned key_bits);

#endif

/*
 * tlsinfo.h - what a certificate, a private key, DH parameters and a
 * GnuTLS priority string say, from their bytes alone (GnuTLS parses).
 *
 * Pure: buffers in, structs out, no I/O.  The static side of the TLS audit
 * (each MTA module reading the files its configuration names, through
 * lib/tlsfile.h) and the live side (the peer certificate of a handshake,
 * lib/tlsclient.h) describe certificates with the same struct, so the two
 * compare field by field.
 *
 *   tlsinfo_cert_parse() - the first certificate of PEM text (blocks that
 *     are not CERTIFICATE, such as a private key in the same file, are
 *     skipped) or of DER bytes: key algorithm and bits, signature
 *     algorithm, notBefore/notAfter, SHA-256 of the DER and of the public
 *     key, how many certificates the input holds, and whether its names
 *     (subjectAltName dNSName, else the subject CN; RFC 6125 wildcards)
 *     cover a host name.
 *   tlsinfo_key_parse() - an unencrypted private key (PKCS#1, SEC1, PKCS#8,
 *     PEM or DER, anywhere in a PEM file): algorithm, bits, and the same
 *     public-key hash, so tlsinfo_key_matches() says whether a key belongs
 *     to a certificate.
 *   tlsinfo_dh_parse() - PKCS#3 DH parameters ("BEGIN DH PARAMETERS"): the
 *     bits of the prime.
 *   tlsinfo_priority_versions() - the protocol versions a GnuTLS priority
 *     string enables (after the system-wide configuration, if any).
 *
 * Versions are one enum with one spelling each ("SSLv3", "TLSv1.0", ...,
 * the version="..." label); a set of them is a bit mask (TLSINFO_BIT).
 *
 * Diagnostics: the parsers return -1 and put a one-line reason in err
 * (GnuTLS's text); the caller names the file.  Inputs beyond
 * TLSINFO_MAX_BYTES are refused.
 */
#ifndef MTA_TLSINFO_H
#define MTA_TLSINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TLSINFO_MAX_BYTES (1u << 20)
#define TLSINFO_HASH_LEN 32

enum tlsinfo_version {
	TLSINFO_SSL3,
	TLSINFO_TLS1_0,
	TLSINFO_TLS1_1,
	TLSINFO_TLS1_2,
	TLSINFO_TLS1_3,
	TLSINFO_V_COUNT,
};

#define TLSINFO_BIT(v) (1u << (v))
#define TLSINFO_ALL ((1u << TLSINFO_V_COUNT) - 1u)
/* Versions no server should accept any more (RFC 8996, RFC 7568). */
#define TLSINFO_LEGACY (TLSINFO_BIT(TLSINFO_SSL3) | TLSINFO_BIT(TLSINFO_TLS1_0) | \
			TLSINFO_BIT(TLSINFO_TLS1_1))

/* "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3". */
const char *tlsinfo_version_name(enum tlsinfo_version v);
/*
 * The version a name stands for: the names above, and the spellings
 * OpenSSL and Postfix use ("TLSv1" = TLSv1.0), case-insensitive; n is the
 * name's length.  -1 for anything else (also "SSLv2", which no current
 * library speaks: callers treat it as known and empty).
 */
int tlsinfo_version_parse(const char *name, size_t n);

struct tlsinfo_cert {
	char key_alg[12];		/* "rsa", "ec", "ed25519", "ed448", "dsa", "other" */
	unsigned key_bits;		/* RSA/DSA modulus, EC curve size */
	char sig_alg[40];		/* "RSA-SHA256", "ECDSA-SHA256", ... */
	int64_t not_before;		/* seconds since the epoch */
	int64_t not_after;
	unsigned char der_sha256[TLSINFO_HASH_LEN];	/* the certificate's fingerprint */
	unsigned char key_sha256[TLSINFO_HASH_LEN];	/* its public key's */
	unsigned chain_len;		/* certificates in the input, the first one described */
	int names_host;			/* 1 the names cover host, 0 they do not, -1 not asked */
	char subject_cn[64];		/* for notes; "" if none */
};

struct tlsinfo_key {
	char key_alg[12];
	unsigned key_bits;
	unsigned char key_sha256[TLSINFO_HASH_LEN];
};

/* The first certificate of data (PEM or DER); host may be NULL.  0, or -1 with err. */
int tlsinfo_cert_parse(const void *data, size_t len, const char *host, struct tlsinfo_cert *out,
		       char *err, size_t errlen);
/* The private key in data (PEM or DER, unencrypted).  0, or -1 with err. */
int tlsinfo_key_parse(const void *data, size_t len, struct tlsinfo_key *out, char *err,
		      size_t errlen);
bool tlsinfo_key_matches(const struct tlsinfo_cert *c, const struct tlsinfo_key *k);
/* The prime's bits of PKCS#3 DH parameters (PEM or DER).  0, or -1 with err. */
int tlsinfo_dh_parse(const void *data, size_t len, unsigned *bits, char *err, size_t errlen);
/* The versions (TLSINFO_BIT mask) a GnuTLS priority string enables.  0, or -1 with err. */
int tlsinfo_priority_versions(const char *priority, unsigned *mask, char *err, size_t errlen);
/* "SSLv3 TLSv1.0" for a mask (out gets "" for none). */
void tlsinfo_versions_format(unsigned mask, char *out, size_t outlen);

#endif

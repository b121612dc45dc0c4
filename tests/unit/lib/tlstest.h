/*
 * tlstest.h - test certificates made at test time with GnuTLS (no key
 * material is committed): a key of a given algorithm and size, a
 * self-signed certificate with a CN, an optional dNSName and a validity,
 * all as PEM; DH parameters from a known prime.  For the tlsinfo and
 * tlsclient unit tests.  Failures abort the test (fail_msg).
 */
#ifndef MTA_TLSTEST_H
#define MTA_TLSTEST_H

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct tlstest_pem {
	char cert[8192];
	size_t cert_len;
	char key[8192];
	size_t key_len;
	char der[4096];		/* the certificate as DER */
	size_t der_len;
};

static __attribute__((unused)) void
tlstest_make(gnutls_pk_algorithm_t pk, unsigned bits, const char *cn, const char *dns,
	     time_t not_before, time_t not_after, struct tlstest_pem *out)
{
	gnutls_x509_privkey_t key;
	gnutls_x509_crt_t crt;
	unsigned char serial[4] = { 1, 2, 3, 4 };

	memset(out, 0, sizeof(*out));
	if (gnutls_x509_privkey_init(&key) < 0
	    || gnutls_x509_privkey_generate(key, pk, bits, 0) < 0)
		fail_msg("cannot generate a %u-bit key", bits);
	if (gnutls_x509_crt_init(&crt) < 0)
		fail_msg("gnutls_x509_crt_init");
	gnutls_x509_crt_set_version(crt, 3);
	gnutls_x509_crt_set_serial(crt, serial, sizeof(serial));
	gnutls_x509_crt_set_activation_time(crt, not_before);
	gnutls_x509_crt_set_expiration_time(crt, not_after);
	if (cn)
		gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn, strlen(cn));
	if (dns)
		gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, dns, strlen(dns),
						     GNUTLS_FSAN_SET);
	gnutls_x509_crt_set_key(crt, key);
	if (gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0) < 0)
		fail_msg("cannot sign the test certificate");
	out->cert_len = sizeof(out->cert);
	out->key_len = sizeof(out->key);
	out->der_len = sizeof(out->der);
	if (gnutls_x509_crt_export(crt, GNUTLS_X509_FMT_PEM, out->cert, &out->cert_len) < 0
	    || gnutls_x509_crt_export(crt, GNUTLS_X509_FMT_DER, out->der, &out->der_len) < 0
	    || gnutls_x509_privkey_export(key, GNUTLS_X509_FMT_PEM, out->key, &out->key_len) < 0)
		fail_msg("cannot export the test certificate");
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(key);
}

/* PKCS#3 PEM for a known prime (generator 2). */
static __attribute__((unused)) size_t
tlstest_dh_pem(const gnutls_datum_t *prime, const gnutls_datum_t *gen, char *out, size_t cap)
{
	gnutls_dh_params_t dh;
	size_t len = cap;

	if (gnutls_dh_params_init(&dh) < 0 || gnutls_dh_params_import_raw(dh, prime, gen) < 0
	    || gnutls_dh_params_export_pkcs3(dh, GNUTLS_X509_FMT_PEM, (unsigned char *)out, &len) < 0)
		fail_msg("cannot make DH parameters");
	gnutls_dh_params_deinit(dh);
	return len;
}

#endif

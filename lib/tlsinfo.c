/*
 * tlsinfo.c - certificates, keys, DH parameters and priority strings
 * described from their bytes with GnuTLS (see tlsinfo.h).
 *
 * Diagnostics: none logged; every failure returns -1 with GnuTLS's reason
 * (or ours: too large, no certificate, encrypted key) in err.
 */
#include "lib/tlsinfo.h"

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const version_names[TLSINFO_V_COUNT] = {
	[TLSINFO_SSL3] = "SSLv3",
	[TLSINFO_TLS1_0] = "TLSv1.0",
	[TLSINFO_TLS1_1] = "TLSv1.1",
	[TLSINFO_TLS1_2] = "TLSv1.2",
	[TLSINFO_TLS1_3] = "TLSv1.3",
};

const char *
tlsinfo_version_name(enum tlsinfo_version v)
{
	return (unsigned)v < TLSINFO_V_COUNT ? version_names[v] : "unknown";
}

int
tlsinfo_version_parse(const char *name, size_t n)
{
	if (n == 5 && strncasecmp(name, "TLSv1", 5) == 0)
		return TLSINFO_TLS1_0;
	for (int v = 0; v < TLSINFO_V_COUNT; v++)
		if (strlen(version_names[v]) == n && strncasecmp(name, version_names[v], n) == 0)
			return v;
	return -1;
}

void
tlsinfo_versions_format(unsigned mask, char *out, size_t outlen)
{
	size_t used = 0;

	if (outlen == 0)
		return;
	out[0] = '\0';
	for (int v = 0; v < TLSINFO_V_COUNT; v++) {
		int n;

		if (!(mask & TLSINFO_BIT(v)))
			continue;
		n = snprintf(out + used, outlen - used, "%s%s", used ? " " : "", version_names[v]);
		if (n < 0 || (size_t)n >= outlen - used)
			return;
		used += (size_t)n;
	}
}

static int
fail(char *err, size_t errlen, const char *what, int gnutls_rc)
{
	if (gnutls_rc)
		snprintf(err, errlen, "%s: %s", what, gnutls_strerror(gnutls_rc));
	else
		snprintf(err, errlen, "%s", what);
	return -1;
}

/* PEM when the bytes hold a "-----BEGIN " line, else DER. */
static gnutls_x509_crt_fmt_t
format_of(const void *data, size_t len)
{
	return memmem(data, len, "-----BEGIN ", 11) != NULL ? GNUTLS_X509_FMT_PEM
							   : GNUTLS_X509_FMT_DER;
}

static void
alg_name(gnutls_pk_algorithm_t pk, char *out, size_t outlen)
{
	const char *s = "other";

	switch (pk) {
	case GNUTLS_PK_RSA:
	case GNUTLS_PK_RSA_PSS:
		s = "rsa";
		break;
	case GNUTLS_PK_ECDSA:
		s = "ec";
		break;
	case GNUTLS_PK_EDDSA_ED25519:
		s = "ed25519";
		break;
	case GNUTLS_PK_EDDSA_ED448:
		s = "ed448";
		break;
	case GNUTLS_PK_DSA:
		s = "dsa";
		break;
	default:
		break;
	}
	snprintf(out, outlen, "%s", s);
}

static int
datum_of(const void *data, size_t len, gnutls_datum_t *d, char *err, size_t errlen)
{
	if (len == 0)
		return fail(err, errlen, "empty input", 0);
	if (len > TLSINFO_MAX_BYTES)
		return fail(err, errlen, "larger than 1 MiB", 0);
	d->data = (unsigned char *)(uintptr_t)data;
	d->size = (unsigned)len;
	return 0;
}

int
tlsinfo_cert_parse(const void *data, size_t len, const char *host, struct tlsinfo_cert *out,
		   char *err, size_t errlen)
{
	gnutls_x509_crt_t *list = NULL;
	unsigned n = 0, bits = 0;
	gnutls_datum_t d;
	size_t size;
	int rc, pk, sig;

	memset(out, 0, sizeof(*out));
	out->names_host = -1;
	if (datum_of(data, len, &d, err, errlen) < 0)
		return -1;
	rc = gnutls_x509_crt_list_import2(&list, &n, &d, format_of(data, len), 0);
	if (rc < 0)
		return fail(err, errlen, "no certificate", rc);
	if (n == 0) {
		gnutls_free(list);
		return fail(err, errlen, "no certificate", 0);
	}
	out->chain_len = n;
	pk = gnutls_x509_crt_get_pk_algorithm(list[0], &bits);
	alg_name(pk < 0 ? GNUTLS_PK_UNKNOWN : (gnutls_pk_algorithm_t)pk, out->key_alg,
		 sizeof(out->key_alg));
	out->key_bits = bits;
	sig = gnutls_x509_crt_get_signature_algorithm(list[0]);
	snprintf(out->sig_alg, sizeof(out->sig_alg), "%s",
		 sig > 0 && gnutls_sign_get_name((gnutls_sign_algorithm_t)sig)
			 ? gnutls_sign_get_name((gnutls_sign_algorithm_t)sig) : "unknown");
	out->not_before = (int64_t)gnutls_x509_crt_get_activation_time(list[0]);
	out->not_after = (int64_t)gnutls_x509_crt_get_expiration_time(list[0]);
	size = sizeof(out->der_sha256);
	if (gnutls_x509_crt_get_fingerprint(list[0], GNUTLS_DIG_SHA256, out->der_sha256, &size) < 0)
		memset(out->der_sha256, 0, sizeof(out->der_sha256));
	size = sizeof(out->key_sha256);
	if (gnutls_x509_crt_get_key_id(list[0], GNUTLS_KEYID_USE_SHA256, out->key_sha256, &size) < 0)
		memset(out->key_sha256, 0, sizeof(out->key_sha256));
	size = sizeof(out->subject_cn);
	if (gnutls_x509_crt_get_dn_by_oid(list[0], GNUTLS_OID_X520_COMMON_NAME, 0, 0,
					  out->subject_cn, &size) < 0)
		out->subject_cn[0] = '\0';
	out->subject_cn[sizeof(out->subject_cn) - 1] = '\0';
	for (char *p = out->subject_cn; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f)
			*p = '?';
	if (host != NULL && *host)
		out->names_host = gnutls_x509_crt_check_hostname2(list[0], host, 0) ? 1 : 0;
	for (unsigned i = 0; i < n; i++)
		gnutls_x509_crt_deinit(list[i]);
	gnutls_free(list);
	return 0;
}

int
tlsinfo_key_parse(const void *data, size_t len, struct tlsinfo_key *out, char *err,
		  size_t errlen)
{
	gnutls_x509_privkey_t key;
	gnutls_datum_t d;
	unsigned bits = 0;
	size_t size;
	int rc, pk;

	memset(out, 0, sizeof(*out));
	if (datum_of(data, len, &d, err, errlen) < 0)
		return -1;
	if ((rc = gnutls_x509_privkey_init(&key)) < 0)
		return fail(err, errlen, "private key", rc);
	rc = gnutls_x509_privkey_import2(key, &d, format_of(data, len), NULL,
					 GNUTLS_PKCS_PLAIN | GNUTLS_PKCS_NULL_PASSWORD);
	if (rc < 0) {
		gnutls_x509_privkey_deinit(key);
		if (rc == GNUTLS_E_DECRYPTION_FAILED)
			return fail(err, errlen, "private key is encrypted", 0);
		return fail(err, errlen, "no private key", rc);
	}
	pk = gnutls_x509_privkey_get_pk_algorithm2(key, &bits);
	alg_name(pk < 0 ? GNUTLS_PK_UNKNOWN : (gnutls_pk_algorithm_t)pk, out->key_alg,
		 sizeof(out->key_alg));
	out->key_bits = bits;
	size = sizeof(out->key_sha256);
	rc = gnutls_x509_privkey_get_key_id(key, GNUTLS_KEYID_USE_SHA256, out->key_sha256, &size);
	gnutls_x509_privkey_deinit(key);
	if (rc < 0)
		return fail(err, errlen, "private key", rc);
	return 0;
}

bool
tlsinfo_key_matches(const struct tlsinfo_cert *c, const struct tlsinfo_key *k)
{
	static const unsigned char zero[TLSINFO_HASH_LEN];

	return memcmp(c->key_sha256, zero, sizeof(zero)) != 0
	       && memcmp(c->key_sha256, k->key_sha256, sizeof(zero)) == 0;
}

int
tlsinfo_dh_parse(const void *data, size_t len, unsigned *bits, char *err, size_t errlen)
{
	gnutls_dh_params_t dh;
	gnutls_datum_t d, p = { NULL, 0 }, g = { NULL, 0 };
	unsigned b = 0;
	int rc;

	*bits = 0;
	if (datum_of(data, len, &d, err, errlen) < 0)
		return -1;
	if ((rc = gnutls_dh_params_init(&dh)) < 0)
		return fail(err, errlen, "DH parameters", rc);
	rc = gnutls_dh_params_import_pkcs3(dh, &d, format_of(data, len));
	if (rc >= 0)
		rc = gnutls_dh_params_export_raw(dh, &p, &g, &b);
	gnutls_dh_params_deinit(dh);
	if (rc < 0)
		return fail(err, errlen, "no DH parameters", rc);
	/* the prime's length, leading zero bytes of the integer aside */
	{
		size_t i = 0;

		while (i < p.size && p.data[i] == 0)
			i++;
		b = 0;
		if (i < p.size) {
			unsigned top = p.data[i];

			b = (unsigned)(p.size - i - 1) * 8;
			while (top) {
				b++;
				top >>= 1;
			}
		}
	}
	gnutls_free(p.data);
	gnutls_free(g.data);
	if (b == 0)
		return fail(err, errlen, "DH parameters with an empty prime", 0);
	*bits = b;
	return 0;
}

int
tlsinfo_priority_versions(const char *priority, unsigned *mask, char *err, size_t errlen)
{
	gnutls_priority_t prio;
	const unsigned *list = NULL;
	const char *where = NULL;
	int rc, n;

	*mask = 0;
	rc = gnutls_priority_init(&prio, priority, &where);
	if (rc < 0) {
		snprintf(err, errlen, "priority string: %s%s%.40s", gnutls_strerror(rc),
			 where ? " at " : "", where ? where : "");
		return -1;
	}
	n = gnutls_priority_protocol_list(prio, &list);
	for (int i = 0; i < n; i++) {
		switch (list[i]) {
		case GNUTLS_SSL3:
			*mask |= TLSINFO_BIT(TLSINFO_SSL3);
			break;
		case GNUTLS_TLS1_0:
			*mask |= TLSINFO_BIT(TLSINFO_TLS1_0);
			break;
		case GNUTLS_TLS1_1:
			*mask |= TLSINFO_BIT(TLSINFO_TLS1_1);
			break;
		case GNUTLS_TLS1_2:
			*mask |= TLSINFO_BIT(TLSINFO_TLS1_2);
			break;
		case GNUTLS_TLS1_3:
			*mask |= TLSINFO_BIT(TLSINFO_TLS1_3);
			break;
		default:
			break;
		}
	}
	gnutls_priority_deinit(prio);
	return 0;
}

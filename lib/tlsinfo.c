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

/* Names of the set bits of mask, separated by blanks ("" for none). */
static void
names_format(unsigned mask, const char *const *names, size_t stride, int count, char *out,
	     size_t outlen)
{
	size_t used = 0;

	if (outlen == 0)
		return;
	out[0] = '\0';
	for (int i = 0; i < count; i++) {
		int n;

		if (!(mask & (1u << i)))
			continue;
		n = snprintf(out + used, outlen - used, "%s%s", used ? " " : "",
			     names[(size_t)i * stride]);
		if (n < 0 || (size_t)n >= outlen - used)
			return;
		used += (size_t)n;
	}
}

void
tlsinfo_versions_format(unsigned mask, char *out, size_t outlen)
{
	names_format(mask, version_names, 1, TLSINFO_V_COUNT, out, outlen);
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

/* GnuTLS's reading of a priority string.  0, or -1 with err. */
static int
priority_open(const char *priority, gnutls_priority_t *prio, char *err, size_t errlen)
{
	const char *where = NULL;
	int rc = gnutls_priority_init(prio, priority, &where);

	if (rc < 0) {
		snprintf(err, errlen, "priority string: %s%s%.40s", gnutls_strerror(rc),
			 where ? " at " : "", where ? where : "");
		return -1;
	}
	return 0;
}

int
tlsinfo_priority_versions(const char *priority, unsigned *mask, char *err, size_t errlen)
{
	gnutls_priority_t prio;
	const unsigned *list = NULL;
	int n;

	*mask = 0;
	if (priority_open(priority, &prio, err, errlen) < 0)
		return -1;
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

/* ---- weak cipher classes ---- */

static const char *const class_names[TLSINFO_C_COUNT][2] = {
	[TLSINFO_C_NULL] = { "NULL", "null" },
	[TLSINFO_C_ANON] = { "anonymous", "anon" },
	[TLSINFO_C_EXPORT] = { "EXPORT", "export" },
	[TLSINFO_C_LOW] = { "LOW/DES", "low" },
	[TLSINFO_C_RC4] = { "RC4", "rc4" },
	[TLSINFO_C_3DES] = { "3DES", "3des" },
};

const char *
tlsinfo_cipher_class_name(enum tlsinfo_cipher_class c)
{
	return (unsigned)c < TLSINFO_C_COUNT ? class_names[c][0] : "unknown";
}

const char *
tlsinfo_cipher_class_code(enum tlsinfo_cipher_class c)
{
	return (unsigned)c < TLSINFO_C_COUNT ? class_names[c][1] : "unknown";
}

void
tlsinfo_ciphers_format(unsigned mask, char *out, size_t outlen)
{
	names_format(mask, &class_names[0][0], 2, TLSINFO_C_COUNT, out, outlen);
}

int
tlsinfo_priority_weak_ciphers(const char *priority, unsigned *mask, char *err, size_t errlen)
{
	gnutls_priority_t prio;
	const unsigned *list = NULL;
	int n;

	*mask = 0;
	if (priority_open(priority, &prio, err, errlen) < 0)
		return -1;
	n = gnutls_priority_cipher_list(prio, &list);
	for (int i = 0; i < n; i++) {
		switch (list[i]) {
		case GNUTLS_CIPHER_NULL:
			*mask |= TLSINFO_CBIT(TLSINFO_C_NULL);
			break;
		case GNUTLS_CIPHER_ARCFOUR_40:
		case GNUTLS_CIPHER_RC2_40_CBC:
		case GNUTLS_CIPHER_DES_CBC:
			*mask |= TLSINFO_CBIT(list[i] == GNUTLS_CIPHER_DES_CBC ? TLSINFO_C_LOW
										: TLSINFO_C_EXPORT);
			break;
		case GNUTLS_CIPHER_ARCFOUR_128:
			*mask |= TLSINFO_CBIT(TLSINFO_C_RC4);
			break;
		case GNUTLS_CIPHER_3DES_CBC:
			*mask |= TLSINFO_CBIT(TLSINFO_C_3DES);
			break;
		default:
			break;
		}
	}
	n = gnutls_priority_kx_list(prio, &list);
	for (int i = 0; i < n; i++)
		if (list[i] == GNUTLS_KX_ANON_DH || list[i] == GNUTLS_KX_ANON_ECDH)
			*mask |= TLSINFO_CBIT(TLSINFO_C_ANON);
	gnutls_priority_deinit(prio);
	return 0;
}

/*
 * The OpenSSL reader works on finer bits than the classes: anonymous DH
 * and anonymous ECDH apart, so "!ADH:!AECDH" removes every anonymous suite.
 * Each suite counts in one bit only, the first of: anonymous, EXPORT,
 * NULL, RC4, 3DES, LOW (ADH-RC4-MD5 is anonymous, EXP-RC4-MD5 EXPORT), so
 * that removing a word takes all of its suites away ("aNULL:-aNULL").
 */
enum { W_NULL, W_ADH, W_AECDH, W_EXPORT, W_LOW, W_RC4, W_3DES };
#define W(x) (1u << W_##x)
#define W_ANON (W(ADH) | W(AECDH))
#define W_ALLW (W(NULL) | W_ANON | W(EXPORT) | W(LOW) | W(RC4) | W(3DES))

struct cipher_word {
	const char *name;
	unsigned has;		/* it holds some suites of these */
	unsigned covers;	/* it holds every suite of these */
};

/* OpenSSL's aliases (ciphers(1)), by their full table; case-sensitive as OpenSSL. */
static const struct cipher_word cipher_words[] = {
	{ "ALL", W_ALLW & ~W(NULL), W_ALLW & ~W(NULL) },
	{ "COMPLEMENTOFALL", W(NULL), W(NULL) },
	{ "COMPLEMENTOFDEFAULT", W_ANON | W(RC4) | W(EXPORT) | W(LOW) | W(3DES), W_ANON },
	{ "DEFAULT", 0, 0 },
	{ "HIGH", 0, 0 },
	{ "MEDIUM", W(RC4) | W(3DES) | W_ANON, 0 },
	{ "LOW", W(LOW) | W_ANON, W(LOW) },
	{ "EXPORT", W(EXPORT) | W_ANON, W(EXPORT) },
	{ "EXP", W(EXPORT) | W_ANON, W(EXPORT) },
	{ "EXPORT40", W(EXPORT) | W_ANON, 0 },
	{ "EXPORT56", W(EXPORT) | W_ANON, 0 },
	{ "eNULL", W(NULL) | W(AECDH), W(NULL) },
	{ "NULL", W(NULL) | W(AECDH), W(NULL) },
	{ "aNULL", W_ANON, W_ANON },
	{ "ADH", W(ADH), W(ADH) },
	{ "AECDH", W(AECDH), W(AECDH) },
	{ "RC4", W(RC4) | W(EXPORT) | W_ANON, W(RC4) },
	{ "DES", W(LOW) | W(EXPORT) | W_ANON, W(LOW) },
	{ "3DES", W(3DES) | W_ANON, W(3DES) },
	/* key exchange, authentication, MAC and version selectors with weak suites */
	{ "kRSA", W_ALLW & ~W_ANON, 0 },
	{ "RSA", W_ALLW & ~W_ANON, 0 },
	{ "aRSA", W_ALLW & ~W_ANON, 0 },
	{ "kDHE", W(ADH) | W(EXPORT) | W(LOW) | W(3DES) | W(RC4), 0 },
	{ "kEDH", W(ADH) | W(EXPORT) | W(LOW) | W(3DES) | W(RC4), 0 },
	{ "DH", W(ADH) | W(EXPORT) | W(LOW) | W(3DES) | W(RC4), 0 },
	{ "DHE", W(EXPORT) | W(LOW) | W(3DES), 0 },
	{ "EDH", W(EXPORT) | W(LOW) | W(3DES), 0 },
	{ "kECDHE", W(AECDH) | W(NULL) | W(RC4) | W(3DES), 0 },
	{ "kEECDH", W(AECDH) | W(NULL) | W(RC4) | W(3DES), 0 },
	{ "ECDH", W(AECDH) | W(NULL) | W(RC4) | W(3DES), 0 },
	{ "ECDHE", W(NULL) | W(RC4) | W(3DES), 0 },
	{ "EECDH", W(NULL) | W(RC4) | W(3DES), 0 },
	{ "aECDSA", W(NULL) | W(RC4) | W(3DES), 0 },
	{ "ECDSA", W(NULL) | W(RC4) | W(3DES), 0 },
	{ "PSK", W(NULL) | W(RC4) | W(3DES), 0 },
	{ "SHA1", W_ALLW, 0 },
	{ "SHA", W_ALLW, 0 },
	{ "MD5", W_ALLW, 0 },
	{ "SSLv3", W_ALLW, 0 },
	{ "TLSv1", W_ALLW, 0 },
	{ "TLSv1.0", W_ALLW, 0 },
	{ "TLSv1.2", W(NULL) | W_ANON, 0 },
};

static bool
has_sub(const char *s, size_t n, const char *sub)
{
	size_t k = strlen(sub);

	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(s + i, sub, k) == 0)
			return true;
	return false;
}

/* One word: an alias from the table, else a suite name ("EXP-RC4-MD5", "ADH-AES128-SHA"). */
static void
cipher_word(const char *s, size_t n, unsigned *has, unsigned *covers)
{
	*has = *covers = 0;
	for (size_t i = 0; i < sizeof(cipher_words) / sizeof(cipher_words[0]); i++)
		if (strlen(cipher_words[i].name) == n && memcmp(s, cipher_words[i].name, n) == 0) {
			*has = cipher_words[i].has;
			*covers = cipher_words[i].covers;
			return;
		}
	if (n < 4 || !has_sub(s, n, "-"))
		return;	/* an alias with no weak suites, or unknown */
	if (n > 4 && memcmp(s, "ADH-", 4) == 0)
		*has = W(ADH);
	else if (n > 6 && memcmp(s, "AECDH-", 6) == 0)
		*has = W(AECDH);
	else if (memcmp(s, "EXP", 3) == 0)
		*has = W(EXPORT);
	else if (has_sub(s, n, "NULL"))
		*has = W(NULL);
	else if (has_sub(s, n, "RC4"))
		*has = W(RC4);
	else if (has_sub(s, n, "DES-CBC3") || has_sub(s, n, "3DES"))
		*has = W(3DES);
	else if (has_sub(s, n, "DES"))
		*has = W(LOW);
}

unsigned
tlsinfo_openssl_weak_ciphers(const char *cipherlist)
{
	unsigned enabled = 0, killed = 0, out = 0;
	const char *p = cipherlist;

	while (p && *p) {
		size_t n;
		char op = '\0';
		unsigned has = W_ALLW, covers = W_ALLW;
		const char *w, *end;

		p += strspn(p, ": ,\t\r\n");
		n = strcspn(p, ": ,\t\r\n");
		if (n == 0)
			break;
		w = p;
		end = p + n;
		p += n;
		if (*w == '!' || *w == '-' || *w == '+')
			op = *w++;
		if (w == end || *w == '@' || op == '+')
			continue;	/* @STRENGTH, @SECLEVEL=n, reordering */
		/* "A+B": the suites in every part */
		while (w < end) {
			size_t k = strcspn(w, "+");
			unsigned h, c;

			if (k > (size_t)(end - w))
				k = (size_t)(end - w);
			cipher_word(w, k, &h, &c);
			has &= h;
			covers &= c;
			w += k;
			if (w < end)
				w++;
		}
		if (op == '\0') {
			enabled |= has & ~killed;
		} else {
			enabled &= ~covers;
			if (op == '!')
				killed |= covers;
		}
	}
	if (enabled & W(NULL))
		out |= TLSINFO_CBIT(TLSINFO_C_NULL);
	if (enabled & W_ANON)
		out |= TLSINFO_CBIT(TLSINFO_C_ANON);
	if (enabled & W(EXPORT))
		out |= TLSINFO_CBIT(TLSINFO_C_EXPORT);
	if (enabled & W(LOW))
		out |= TLSINFO_CBIT(TLSINFO_C_LOW);
	if (enabled & W(RC4))
		out |= TLSINFO_CBIT(TLSINFO_C_RC4);
	if (enabled & W(3DES))
		out |= TLSINFO_CBIT(TLSINFO_C_3DES);
	return out;
}

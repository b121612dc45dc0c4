/*
 * test_tlsinfo.c - certificates (RSA 1024/2048, EC P-256, expired, names
 * by SAN and by CN), key matching, PEM bundles and DER, DH parameters,
 * priority strings and version names, against test material made at test
 * time (tlstest.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lib/tlsinfo.h"
#include "tests/unit/lib/tlstest.h"

#define DAY 86400

static void
test_certificates(void **state)
{
	time_t now = time(NULL);
	static const struct {
		gnutls_pk_algorithm_t pk;
		unsigned bits;
		const char *cn, *dns, *host;
		long from_days, to_days;
		const char *alg;
		unsigned want_bits;
		int names_host;
		const char *sig_prefix;
	} cases[] = {
		{ GNUTLS_PK_RSA, 1024, "mx.example.org", "mx.example.org", "mx.example.org", -1, 3,
		  "rsa", 1024, 1, "RSA-SHA256" },
		{ GNUTLS_PK_RSA, 2048, "mx.example.org", "*.example.org", "mx.example.org", -10, 365,
		  "rsa", 2048, 1, "RSA-SHA256" },
		{ GNUTLS_PK_ECDSA, 256, "mx.example.org", NULL, "mx.example.org", -1, 90, "ec", 256, 1,
		  "ECDSA-SHA256" },
		/* SAN present: the CN no longer counts (RFC 6125) */
		{ GNUTLS_PK_ECDSA, 256, "mx.example.org", "other.example.org", "mx.example.org", -1, 90,
		  "ec", 256, 0, "ECDSA-SHA256" },
		{ GNUTLS_PK_ECDSA, 384, "a.example.org", NULL, "b.example.org", -30, -1, "ec", 384, 0,
		  "ECDSA-SHA256" },
		{ GNUTLS_PK_RSA, 1024, "mx.example.org", NULL, NULL, -1, 1, "rsa", 1024, -1,
		  "RSA-SHA256" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tlstest_pem pem;
		struct tlsinfo_cert c, d;
		struct tlsinfo_key k;
		char err[200];

		tlstest_make(cases[i].pk, cases[i].bits, cases[i].cn, cases[i].dns,
			     now + cases[i].from_days * DAY, now + cases[i].to_days * DAY, &pem);
		if (tlsinfo_cert_parse(pem.cert, pem.cert_len, cases[i].host, &c, err, sizeof(err)) < 0)
			fail_msg("case %zu: %s", i, err);
		if (strcmp(c.key_alg, cases[i].alg) != 0 || c.key_bits != cases[i].want_bits
		    || c.names_host != cases[i].names_host || c.chain_len != 1
		    || strcmp(c.sig_alg, cases[i].sig_prefix) != 0)
			fail_msg("case %zu: %s %u names %d chain %u sig %s", i, c.key_alg, c.key_bits,
				 c.names_host, c.chain_len, c.sig_alg);
		if (c.not_after != (int64_t)(now + cases[i].to_days * DAY)
		    || c.not_before != (int64_t)(now + cases[i].from_days * DAY))
			fail_msg("case %zu: validity %lld..%lld", i, (long long)c.not_before,
				 (long long)c.not_after);
		if (strcmp(c.subject_cn, cases[i].cn) != 0)
			fail_msg("case %zu: cn %s", i, c.subject_cn);
		/* the key matches; DER gives the same description */
		if (tlsinfo_key_parse(pem.key, pem.key_len, &k, err, sizeof(err)) < 0)
			fail_msg("case %zu: key: %s", i, err);
		if (!tlsinfo_key_matches(&c, &k) || strcmp(k.key_alg, c.key_alg) != 0
		    || k.key_bits != c.key_bits)
			fail_msg("case %zu: key %s %u does not match", i, k.key_alg, k.key_bits);
		if (tlsinfo_cert_parse(pem.der, pem.der_len, cases[i].host, &d, err, sizeof(err)) < 0
		    || memcmp(d.der_sha256, c.der_sha256, sizeof(c.der_sha256)) != 0
		    || d.key_bits != c.key_bits || d.not_after != c.not_after)
			fail_msg("case %zu: DER differs", i);
	}
}

static void
test_bundles_and_mismatch(void **state)
{
	time_t now = time(NULL);
	struct tlstest_pem a, b;
	struct tlsinfo_cert c;
	struct tlsinfo_key k;
	char bundle[32768], err[200];
	int n;

	tlstest_make(GNUTLS_PK_ECDSA, 256, "a.example.org", "a.example.org", now - DAY, now + DAY, &a);
	tlstest_make(GNUTLS_PK_ECDSA, 256, "b.example.org", "b.example.org", now - DAY, now + DAY, &b);
	/* key first, then the chain (Postfix smtpd_tls_chain_files) */
	n = snprintf(bundle, sizeof(bundle), "%.*s%.*s%.*s", (int)a.key_len, a.key, (int)a.cert_len,
		     a.cert, (int)b.cert_len, b.cert);
	assert_true(n > 0 && (size_t)n < sizeof(bundle));
	assert_int_equal(tlsinfo_cert_parse(bundle, (size_t)n, "a.example.org", &c, err, sizeof(err)), 0);
	assert_int_equal(c.chain_len, 2);
	assert_string_equal(c.subject_cn, "a.example.org");
	assert_int_equal(c.names_host, 1);
	assert_int_equal(tlsinfo_key_parse(bundle, (size_t)n, &k, err, sizeof(err)), 0);
	assert_true(tlsinfo_key_matches(&c, &k));
	/* another certificate's key */
	assert_int_equal(tlsinfo_key_parse(b.key, b.key_len, &k, err, sizeof(err)), 0);
	assert_false(tlsinfo_key_matches(&c, &k));
	/* a certificate file holds no key; a key file no certificate */
	assert_int_equal(tlsinfo_key_parse(a.cert, a.cert_len, &k, err, sizeof(err)), -1);
	assert_int_equal(tlsinfo_cert_parse(a.key, a.key_len, NULL, &c, err, sizeof(err)), -1);
}

static void
test_bad_input(void **state)
{
	static const char *const bad[] = {
		"",
		"not a certificate",
		"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
		"-----BEGIN CERTIFICATE-----\n",
		"\x30\x82\x01\x00",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tlsinfo_cert c;
		struct tlsinfo_key k;
		unsigned bits;
		char err[200] = "";

		if (tlsinfo_cert_parse(bad[i], strlen(bad[i]) + (i == 4 ? 0 : 0), NULL, &c, err,
				       sizeof(err)) != -1 || err[0] == '\0')
			fail_msg("case %zu: certificate accepted", i);
		err[0] = '\0';
		if (tlsinfo_key_parse(bad[i], strlen(bad[i]), &k, err, sizeof(err)) != -1 || !err[0])
			fail_msg("case %zu: key accepted", i);
		err[0] = '\0';
		if (tlsinfo_dh_parse(bad[i], strlen(bad[i]), &bits, err, sizeof(err)) != -1 || !err[0])
			fail_msg("case %zu: DH accepted", i);
	}
}

static void
test_dh(void **state)
{
	static const struct {
		const gnutls_datum_t *prime, *gen;
		unsigned bits;
	} cases[] = {
		{ &gnutls_srp_1024_group_prime, &gnutls_srp_1024_group_generator, 1024 },
		{ &gnutls_ffdhe_2048_group_prime, &gnutls_ffdhe_2048_group_generator, 2048 },
		{ &gnutls_ffdhe_3072_group_prime, &gnutls_ffdhe_3072_group_generator, 3072 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char pem[4096], err[200];
		size_t len = tlstest_dh_pem(cases[i].prime, cases[i].gen, pem, sizeof(pem));
		unsigned bits = 0;

		if (tlsinfo_dh_parse(pem, len, &bits, err, sizeof(err)) < 0 || bits != cases[i].bits)
			fail_msg("case %zu: %u bits (%s)", i, bits, err);
	}
}

static void
test_versions(void **state)
{
	static const struct {
		const char *name;
		int v;
	} names[] = {
		{ "TLSv1", TLSINFO_TLS1_0 }, { "tlsv1.0", TLSINFO_TLS1_0 },
		{ "TLSv1.1", TLSINFO_TLS1_1 }, { "TLSv1.2", TLSINFO_TLS1_2 },
		{ "TLSv1.3", TLSINFO_TLS1_3 }, { "SSLv3", TLSINFO_SSL3 },
		{ "SSLv2", -1 }, { "TLSv1.4", -1 }, { "", -1 }, { "TLSv1.", -1 },
	};
	static const struct {
		const char *prio;
		int rc;
		unsigned mask;
	} prios[] = {
		{ "NORMAL:-VERS-ALL:+VERS-TLS1.2", 0, TLSINFO_BIT(TLSINFO_TLS1_2) },
		{ "NORMAL:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.3", 0,
		  TLSINFO_BIT(TLSINFO_TLS1_2) | TLSINFO_BIT(TLSINFO_TLS1_3) },
		{ "NORMAL:-VERS-ALL:+VERS-TLS1.0:+VERS-TLS1.1", 0,
		  TLSINFO_BIT(TLSINFO_TLS1_0) | TLSINFO_BIT(TLSINFO_TLS1_1) },
		{ "NORMAL:+FOO", -1, 0 },
	};
	char out[80];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (tlsinfo_version_parse(names[i].name, strlen(names[i].name)) != names[i].v)
			fail_msg("name %s", names[i].name);
	for (int v = 0; v < TLSINFO_V_COUNT; v++) {
		const char *n = tlsinfo_version_name((enum tlsinfo_version)v);

		assert_int_equal(tlsinfo_version_parse(n, strlen(n)), v);
	}
	for (size_t i = 0; i < sizeof(prios) / sizeof(prios[0]); i++) {
		unsigned mask = 0;
		char err[200];

		if (tlsinfo_priority_versions(prios[i].prio, &mask, err, sizeof(err)) != prios[i].rc
		    || mask != prios[i].mask)
			fail_msg("priority %s: mask %#x", prios[i].prio, mask);
	}
	tlsinfo_versions_format(TLSINFO_LEGACY, out, sizeof(out));
	assert_string_equal(out, "SSLv3 TLSv1.0 TLSv1.1");
	tlsinfo_versions_format(0, out, sizeof(out));
	assert_string_equal(out, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_certificates),
		cmocka_unit_test(test_bundles_and_mismatch),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_dh),
		cmocka_unit_test(test_versions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_postfix_tls.c - Postfix's protocol lists in both syntaxes (as
 * tls_proto_mask_lims() reads them), the TLS library's versions, the DH group without a parameter file, and the
 * TLS-level rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "collectors/postfix/postfix_params.h"
#include "collectors/postfix/postfix_tls.h"
#include "lib/tlsinfo.h"

#define B(x) TLSINFO_BIT(TLSINFO_##x)
#define ALL (B(SSL3) | B(TLS1_0) | B(TLS1_1) | B(TLS1_2) | B(TLS1_3))

static void
test_protocols(void **state)
{
	static const struct {
		const char *value;
		int rc;
		unsigned mask;
	} cases[] = {
		{ "", 0, ALL },
		{ ">=TLSv1", 0, B(TLS1_0) | B(TLS1_1) | B(TLS1_2) | B(TLS1_3) },
		{ ">=TLSv1.2", 0, B(TLS1_2) | B(TLS1_3) },
		{ ">=TLSv1.2, <=TLSv1.2", 0, B(TLS1_2) },
		{ "!SSLv2, !SSLv3", 0, B(TLS1_0) | B(TLS1_1) | B(TLS1_2) | B(TLS1_3) },
		{ "!SSLv2:!SSLv3:!TLSv1:!TLSv1.1", 0, B(TLS1_2) | B(TLS1_3) },
		{ "!SSLv2 !SSLv3 !TLSv1 !TLSv1.1", 0, B(TLS1_2) | B(TLS1_3) },
		{ "TLSv1.2 TLSv1.3", 0, B(TLS1_2) | B(TLS1_3) },
		{ "TLSv1.2, !TLSv1.2", 0, 0 },
		{ ">=0x0303", 0, B(TLS1_2) | B(TLS1_3) },
		{ "<=TLSv1.1", 0, B(SSL3) | B(TLS1_0) | B(TLS1_1) },
		{ "SSLv2", 0, 0 },
		{ "tlsv1.2", -1, 0 },		/* names are case-sensitive */
		{ ">=TLSv1.4", -1, 0 },
		{ ">=0x0305", -1, 0 },
		{ "!TLSv9", -1, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned mask = 0xdead;
		int rc = postfix_tls_protocols(cases[i].value, &mask);

		if (rc != cases[i].rc || (rc == 0 && mask != cases[i].mask))
			fail_msg("case %zu \"%s\": rc %d mask %#x", i, cases[i].value, rc, mask);
	}
}

static void
test_library_and_dh(void **state)
{
	static const struct {
		unsigned version;
		const char *alg;
		unsigned bits, dh;
	} dh[] = {
		{ POSTFIX_VERSION(3, 7, 11), "rsa", 1024, 1024 },
		{ POSTFIX_VERSION(3, 7, 11), "rsa", 2048, 2048 },
		{ POSTFIX_VERSION(3, 7, 11), "rsa", 3072, 3072 },
		{ POSTFIX_VERSION(3, 7, 11), "rsa", 4096, 4096 },
		{ POSTFIX_VERSION(3, 7, 11), "rsa", 8192, 8192 },
		{ POSTFIX_VERSION(3, 7, 11), "ec", 256, 0 },
		{ POSTFIX_VERSION(3, 6, 0), "rsa", 1024, 2048 },
	};

	assert_int_equal(postfix_tls_library_versions(POSTFIX_VERSION(3, 7, 11)),
			 B(TLS1_0) | B(TLS1_1) | B(TLS1_2) | B(TLS1_3));
	for (size_t i = 0; i < sizeof(dh) / sizeof(dh[0]); i++)
		if (postfix_tls_dh_auto_bits(dh[i].version, dh[i].alg, dh[i].bits) != dh[i].dh)
			fail_msg("dh case %zu", i);
	assert_true(postfix_tls_enabled("may", false, false));
	assert_true(postfix_tls_enabled("ENCRYPT", false, false));
	assert_false(postfix_tls_enabled("none", true, true));
	assert_false(postfix_tls_enabled("", false, false));
	assert_true(postfix_tls_enabled("", true, false));
	assert_true(postfix_tls_enabled(NULL, false, true));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_protocols),
		cmocka_unit_test(test_library_and_dh),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

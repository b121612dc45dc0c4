/*
 * test_webconfig.c - the web config parser and validator (exporter-toolkit
 * format) and the GnuTLS priority strings it derives (basic-auth
 * verification: test_auth.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "exporter/webconfig.h"

/* htpasswd -nbBC 10 "" secret */
#define HASH_SECRET "$2y$10$UiDvWFtLFPqRNaEJHmpeh.gOeaHO4R13PCvZokzAS3f4zWMdQuDqi"
/* the PHP documentation's example: password "rasmuslerdorf" */
#define HASH_RASMUS "$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a"

static int
parse(const char *yaml, struct webconfig *wc, char *err, size_t errlen)
{
	return webconfig_parse(yaml, strlen(yaml), wc, err, errlen);
}

static void
test_valid(void **state)
{
	struct webconfig wc;
	char err[512];

	/* empty file, or only comments: plain HTTP, no auth */
	assert_int_equal(parse("", &wc, err, sizeof(err)), 0);
	assert_false(wc.tls);
	assert_int_equal(wc.n_users, 0);
	webconfig_free(&wc);
	assert_int_equal(parse("# nothing\n", &wc, err, sizeof(err)), 0);
	webconfig_free(&wc);
	assert_int_equal(parse("tls_server_config:\nbasic_auth_users:\n", &wc, err, sizeof(err)), 0);
	assert_false(wc.tls);
	webconfig_free(&wc);

	assert_int_equal(parse("tls_server_config:\n"
			       "  cert_file: server.crt\n"
			       "  key_file: server.key\n"
			       "  client_auth_type: RequireAndVerifyClientCert\n"
			       "  client_ca_file: ca.crt\n"
			       "  client_allowed_sans: [client.example, 192.0.2.7]\n"
			       "  min_version: TLS13\n"
			       "  max_version: TLS13\n"
			       "  prefer_server_cipher_suites: false\n"
			       "  curve_preferences: [X25519, CurveP256]\n"
			       "http_server_config:\n"
			       "  http2: false\n"
			       "  headers:\n"
			       "    X-Frame-Options: SameOrigin\n"
			       "    Strict-Transport-Security: max-age=31536000\n"
			       "basic_auth_users:\n"
			       "  alice: " HASH_SECRET "\n"
			       "  \"bob\": '" HASH_RASMUS "'\n",
			       &wc, err, sizeof(err)), 0);
	assert_true(wc.tls);
	assert_string_equal(wc.cert_file, "server.crt");
	assert_string_equal(wc.key_file, "server.key");
	assert_string_equal(wc.client_ca_file, "ca.crt");
	assert_int_equal(wc.client_auth, WEBCONFIG_REQUIRE_AND_VERIFY_CLIENT_CERT);
	assert_int_equal(wc.n_allowed_sans, 2);
	assert_string_equal(wc.allowed_sans[1], "192.0.2.7");
	assert_int_equal(wc.min_version, WEBCONFIG_TLS13);
	assert_false(wc.prefer_server_cipher_suites);
	assert_false(wc.http2);
	assert_int_equal(wc.n_curves, 2);
	assert_int_equal(wc.n_headers, 2);
	assert_string_equal(wc.headers[0].name, "X-Frame-Options");
	assert_string_equal(wc.headers[0].value, "SameOrigin");
	assert_int_equal(wc.n_users, 2);
	assert_string_equal(wc.users[1].name, "bob");
	assert_string_equal(wc.users[1].value, HASH_RASMUS);
	webconfig_free(&wc);

	/* inline cert/key, flow style */
	assert_int_equal(parse("{tls_server_config: {cert: \"-----BEGIN CERTIFICATE-----\\n\", key: k}}",
			       &wc, err, sizeof(err)), 0);
	assert_true(wc.tls);
	assert_string_equal(wc.cert, "-----BEGIN CERTIFICATE-----\n");
	webconfig_free(&wc);
}

static void
test_errors(void **state)
{
	static const struct {
		const char *yaml;
		const char *want;	/* substring of the error */
	} cases[] = {
		{ "tls_server_config: [\n", "invalid YAML" },
		{ "a: b: c\n", "line 1: invalid YAML" },
		{ "- a\n- b\n", "(top level): expected a mapping" },
		{ "tls_server_confg:\n  cert_file: x\n", "line 1: tls_server_confg: unknown key" },
		{ "tls_server_config:\n  cert_fil: x\n", "line 2: tls_server_config.cert_fil: unknown key" },
		{ "tls_server_config: yes\n", "tls_server_config: expected a mapping, got a scalar" },
		{ "tls_server_config:\n  cert_file: [a]\n", "tls_server_config.cert_file: expected a string, got a list" },
		{ "tls_server_config:\n  cert_file: a\n", "tls_server_config.key_file: missing" },
		{ "tls_server_config:\n  key_file: a\n", "tls_server_config.cert_file: missing" },
		{ "tls_server_config:\n  cert_file: a\n  cert: b\n  key: c\n", "mutually exclusive" },
		{ "tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS9\n",
		  "line 4: tls_server_config.min_version: unknown TLS version \"TLS9\"" },
		{ "tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS13\n  max_version: TLS12\n",
		  "min_version: is above max_version" },
		{ "tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: Sometimes\n",
		  "tls_server_config.client_auth_type: unknown client auth type" },
		{ "tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: RequireAndVerifyClientCert\n",
		  "tls_server_config.client_ca_file: missing" },
		{ "tls_server_config:\n  cert_file: a\n  key_file: b\n  client_ca_file: c\n",
		  "client_auth_type: client CAs are configured without a client auth type" },
		{ "tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: RequireAnyClientCert\n"
		  "  client_allowed_sans: [x]\n", "client_allowed_sans: needs client_auth_type" },
		{ "tls_server_config:\n  client_auth_type: RequireAnyClientCert\n", "cert_file: missing (client" },
		{ "tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]\n",
		  "unsupported cipher suite \"TLS_RSA_WITH_RC4_128_SHA\"" },
		{ "tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: TLS_RSA_WITH_AES_128_CBC_SHA\n",
		  "cipher_suites: expected a list" },
		{ "tls_server_config:\n  cert_file: a\n  key_file: b\n  curve_preferences: [P256]\n", "unknown curve" },
		{ "tls_server_config:\n  cert_file: a\n  key_file: b\n  prefer_server_cipher_suites: maybe\n",
		  "expected true or false" },
		{ "tls_server_config:\n  cert_file: a\n  key_file: b\n  prefer_server_cipher_suites: \"true\"\n",
		  "expected true or false, got a quoted string" },
		{ "tls_server_config:\n  cert_file: a\n  cert_file: b\n", "line 3: tls_server_config.cert_file: key given twice" },
		{ "http_server_config:\n  headers:\n    Server: nginx\n", "http_server_config.headers.Server: this header can not be configured" },
		{ "http_server_config:\n  headers:\n    x-frame-options: deny\n", "can not be configured" },
		{ "http_server_config:\n  headers:\n    X-Frame-Options: allow\n", "invalid value \"allow\" (expected one of: deny, sameorigin)" },
		{ "http_server_config:\n  headers:\n    X-Content-Type-Options: sniff\n", "expected one of: nosniff" },
		{ "http_server_config:\n  headers:\n    Content-Security-Policy: \"a\\r\\nSet-Cookie: x\"\n", "control character" },
		{ "http_server_config:\n  http2: 2\n", "http_server_config.http2: expected true or false" },
		{ "http_server_config:\n  headers: [a]\n", "headers: expected a mapping, got a list" },
		{ "basic_auth_users:\n  alice: secret\n", "line 2: basic_auth_users.alice: not a bcrypt hash" },
		{ "basic_auth_users:\n  alice: $1$abc$def\n", "not a bcrypt hash" },
		{ "basic_auth_users:\n  alice: $2y$03$UiDvWFtLFPqRNaEJHmpeh.gOeaHO4R13PCvZokzAS3f4zWMdQuDqi\n", "not a bcrypt hash" },
		{ "basic_auth_users:\n  \"a:b\": " HASH_SECRET "\n", "contain no ':'" },
		{ "basic_auth_users:\n  alice: [x]\n", "expected a string, got a list" },
		{ "basic_auth_users:\n  [a]: " HASH_SECRET "\n", "keys must be strings" },
		{ "basic_auth_users:\n  alice: " HASH_SECRET "\n  alice: " HASH_SECRET "\n", "basic_auth_users.alice: key given twice" },
		{ "basic_auth_users: {}\n---\nx: y\n", "more than one YAML document" },
		{ "x: &a [*a]\n", "x: unknown key" },
		{ "basic_auth_users:\n  alice: \"" "\\0" "\"\n", "NUL byte" },
		{ "tls_server_config:\n  cert_file: \"\xff\xfe\"\n", "invalid YAML" },
	};
	struct webconfig wc;
	char err[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (parse(cases[i].yaml, &wc, err, sizeof(err)) == 0)
			fail_msg("case %zu accepted: %s", i, cases[i].yaml);
		if (strstr(err, cases[i].want) == NULL)
			fail_msg("case %zu: error \"%s\" lacks \"%s\"", i, err, cases[i].want);
		/* a failed parse leaves nothing to free, and freeing again is harmless */
		webconfig_free(&wc);
	}
}

static void
test_limits(void **state)
{
	struct webconfig wc;
	char err[512], *big;
	size_t n = 0, cap = 64 * 1024;

	/* more users than allowed */
	big = malloc(cap);
	assert_non_null(big);
	n += (size_t)sprintf(big, "basic_auth_users:\n");
	for (int i = 0; i <= WEBCONFIG_MAX_ITEMS && n + 100 < cap; i++)
		n += (size_t)sprintf(big + n, "  u%d: " HASH_SECRET "\n", i);
	assert_int_equal(webconfig_parse(big, n, &wc, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "more than 256 entries"));
	free(big);

	/* over the size cap */
	big = calloc(1, WEBCONFIG_MAX_BYTES + 2);
	assert_non_null(big);
	memset(big, '#', WEBCONFIG_MAX_BYTES + 1);
	assert_int_equal(webconfig_parse(big, WEBCONFIG_MAX_BYTES + 1, &wc, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "larger than"));
	free(big);

	/* deep nesting is refused quickly (libyaml's scanner is O(depth) per token) */
	big = malloc(1000001);
	assert_non_null(big);
	memcpy(big, "a: ", 3);
	memset(big + 3, '[', 499998);
	memset(big + 500001, ']', 499998);
	big[999999] = '\n';
	big[1000000] = '\0';
	double t0 = (double)clock() / CLOCKS_PER_SEC;
	assert_int_equal(webconfig_parse(big, 1000000, &wc, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "line 1: nested deeper than 16 levels"));
	assert_true((double)clock() / CLOCKS_PER_SEC - t0 < 1.0);
	free(big);

	/* embedded NUL in the buffer is not silently accepted */
	assert_int_equal(webconfig_parse("basic_auth_users:\0x", 19, &wc, err, sizeof(err)), -1);
}

static void
test_priority(void **state)
{
	static const struct {
		const char *yaml;
		const char *want;
	} cases[] = {
		{ "", "NORMAL:%SERVER_PRECEDENCE:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.3" },
		{ "prefer_server_cipher_suites: false\n  min_version: TLS10\n  max_version: TLS11\n",
		  "NORMAL:-VERS-ALL:+VERS-TLS1.0:+VERS-TLS1.1" },
		{ "max_version: TLS12\n  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "
		  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA]\n",
		  "NORMAL:%SERVER_PRECEDENCE:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+ECDHE-RSA:+ECDHE-ECDSA"
		  ":-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:+AES-128-CBC:-MAC-ALL:+AEAD:+SHA1" },
		{ "cipher_suites: [TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305]\n  curve_preferences: [X25519, CurveP384]\n",
		  "NORMAL:%SERVER_PRECEDENCE:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.3:-KX-ALL:+ECDHE-RSA"
		  ":-CIPHER-ALL:+CHACHA20-POLY1305:-MAC-ALL:+AEAD"
		  ":+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:+AEAD:-GROUP-ALL:+GROUP-X25519:+GROUP-SECP384R1" },
	};
	struct webconfig wc;
	char yaml[1024], err[512], prio[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(yaml, sizeof(yaml), "tls_server_config:\n  cert_file: a\n  key_file: b\n  %s", cases[i].yaml);
		if (parse(yaml, &wc, err, sizeof(err)) < 0)
			fail_msg("case %zu: %s", i, err);
		assert_int_equal(webconfig_priority(&wc, prio, sizeof(prio)), 0);
		if (strcmp(prio, cases[i].want) != 0)
			fail_msg("case %zu: got %s\nwant %s", i, prio, cases[i].want);
		assert_int_equal(webconfig_priority(&wc, prio, 10), -1);	/* does not fit: refused */
		webconfig_free(&wc);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_priority),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * webconfig.h - the --web.config.file (Prometheus exporter-toolkit format).
 *
 * webconfig_parse() is pure: a YAML buffer in, a struct webconfig out, and
 * on error -1 with a message naming the key (dotted path) and the line.
 * It validates everything that can be checked without I/O: known keys only,
 * no duplicate keys, types, enum values, the restricted header set, bcrypt
 * hash syntax, cert/key pairing and client-auth consistency.
 *
 * webconfig_load() reads the file, parses it, resolves relative file names
 * against the file's directory (as exporter-toolkit does), reads the PEM
 * files and checks them and the resulting GnuTLS priority string with
 * GnuTLS, so a configuration it accepts can be served.
 *
 * The accepted format:
 *   tls_server_config: cert_file/key_file or cert/key, client_ca_file or
 *     client_ca, client_auth_type, client_allowed_sans, min_version,
 *     max_version, cipher_suites, prefer_server_cipher_suites,
 *     curve_preferences
 *   http_server_config: http2 (accepted, HTTP/2 is not offered), headers
 *   basic_auth_users: user -> bcrypt hash
 */
#ifndef MTA_WEBCONFIG_H
#define MTA_WEBCONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define WEBCONFIG_MAX_BYTES (1u << 20)	/* config file and each PEM file */
#define WEBCONFIG_MAX_ITEMS 256		/* users, headers, list entries */

enum webconfig_client_auth {
	WEBCONFIG_NO_CLIENT_CERT,
	WEBCONFIG_REQUEST_CLIENT_CERT,
	WEBCONFIG_REQUIRE_ANY_CLIENT_CERT,
	WEBCONFIG_VERIFY_CLIENT_CERT_IF_GIVEN,
	WEBCONFIG_REQUIRE_AND_VERIFY_CLIENT_CERT,
};

enum webconfig_tls_version { WEBCONFIG_TLS10 = 10, WEBCONFIG_TLS11, WEBCONFIG_TLS12, WEBCONFIG_TLS13 };

struct webconfig_pair {
	char *name;
	char *value;
};

struct webconfig {
	bool tls;			/* a certificate is configured */
	char *cert_file, *key_file, *cert, *key;
	char *client_ca_file, *client_ca;
	enum webconfig_client_auth client_auth;
	enum webconfig_tls_version min_version, max_version;
	char **cipher_suites;
	size_t n_cipher_suites;
	bool prefer_server_cipher_suites;
	char **curves;
	size_t n_curves;
	char **allowed_sans;
	size_t n_allowed_sans;
	bool http2;
	struct webconfig_pair *users;	/* name -> bcrypt hash */
	size_t n_users;
	struct webconfig_pair *headers;	/* canonical name -> value */
	size_t n_headers;
	/* Filled by webconfig_load(): PEM text of the certificate chain, key and client CAs. */
	char *cert_pem, *key_pem, *ca_pem;
};

/* webconfig_parse - parse and validate a YAML buffer; -1 with err set. */
int webconfig_parse(const char *data, size_t len, struct webconfig *wc, char *err, size_t errlen);
/* webconfig_load - read, parse and check PATH and the files it names; -1 with err set. */
int webconfig_load(const char *path, struct webconfig *wc, char *err, size_t errlen);
void webconfig_free(struct webconfig *wc);

/* webconfig_priority - the GnuTLS priority string for the TLS settings; -1 if it does not fit. */
int webconfig_priority(const struct webconfig *wc, char *out, size_t outlen);

/* webconfig_client_auth_name - "RequireAndVerifyClientCert" etc. */
const char *webconfig_client_auth_name(enum webconfig_client_auth a);

#endif

/*
 * webconfig.c - parse, validate and load the web configuration file (see
 * webconfig.h).
 *
 * The YAML is read with libyaml's document loader into a node tree and then
 * walked against the schema; the walk only descends into the mappings and
 * sequences the schema expects, so an alias-heavy document costs no more
 * than its node count.  Every error names the dotted key and its line, e.g.
 *   line 4: tls_server_config.min_version: unknown TLS version "TLS9"
 *
 * DIAGNOSTICS: the caller logs the message (startup: fatal; reload: the last
 * good configuration stays in force).
 */
#include "exporter/webconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "lib/fileio.h"

struct wc_ctx {
	yaml_document_t *doc;
	struct webconfig *wc;
	char *err;
	size_t errlen;
};

static int __attribute__((format(printf, 4, 5)))
wc_fail(struct wc_ctx *c, const yaml_node_t *n, const char *key, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n)
		snprintf(c->err, c->errlen, "line %lu: %s: %s", (unsigned long)n->start_mark.line + 1, key, msg);
	else
		snprintf(c->err, c->errlen, "%s: %s", key, msg);
	return -1;
}

static bool
is_null(const yaml_node_t *n)
{
	const char *v;

	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	v = (const char *)n->data.scalar.value;
	return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
	       strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

static const char *
node_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE: return "a scalar";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_MAPPING_NODE: return "a mapping";
	default: return "nothing";
	}
}

/* get_string - a scalar as a NUL-free string; -1 (reported) otherwise. */
static int
get_string(struct wc_ctx *c, const yaml_node_t *n, const char *key, char **out)
{
	char *s;

	if (n->type != YAML_SCALAR_NODE)
		return wc_fail(c, n, key, "expected a string, got %s", node_kind(n));
	if (memchr(n->data.scalar.value, '\0', n->data.scalar.length) != NULL)
		return wc_fail(c, n, key, "contains a NUL byte");
	s = strndup((const char *)n->data.scalar.value, n->data.scalar.length);
	if (s == NULL)
		return wc_fail(c, n, key, "out of memory");
	free(*out);
	*out = s;
	return 0;
}

static int
get_bool(struct wc_ctx *c, const yaml_node_t *n, const char *key, bool *out)
{
	static const char *const yes[] = { "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON" };
	static const char *const no[] = { "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF" };
	const char *v;

	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return wc_fail(c, n, key, "expected true or false, got %s", n->type == YAML_SCALAR_NODE ? "a quoted string" : node_kind(n));
	v = (const char *)n->data.scalar.value;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcmp(v, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcmp(v, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return wc_fail(c, n, key, "expected true or false, got \"%.40s\"", v);
}

static int
get_list(struct wc_ctx *c, const yaml_node_t *n, const char *key, char ***out, size_t *nout)
{
	yaml_node_item_t *it;
	size_t cnt;

	if (is_null(n))
		return 0;
	if (n->type != YAML_SEQUENCE_NODE)
		return wc_fail(c, n, key, "expected a list, got %s", node_kind(n));
	cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (cnt > WEBCONFIG_MAX_ITEMS)
		return wc_fail(c, n, key, "more than %d entries", WEBCONFIG_MAX_ITEMS);
	if (*out != NULL)
		return wc_fail(c, n, key, "given twice");
	*out = calloc(cnt + 1, sizeof(char *));
	if (*out == NULL)
		return wc_fail(c, n, key, "out of memory");
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *v = yaml_document_get_node(c->doc, *it);

		if (v == NULL || get_string(c, v, key, &(*out)[*nout]) < 0)
			return -1;
		(*nout)++;
	}
	return 0;
}

/* Walk a mapping, calling fn for each key; unknown and repeated keys are errors there. */
typedef int (*wc_entry_fn)(struct wc_ctx *c, const char *key, const yaml_node_t *k, const yaml_node_t *v,
			   const char *path);

static int
walk_mapping(struct wc_ctx *c, const yaml_node_t *n, const char *path, wc_entry_fn fn)
{
	yaml_node_pair_t *p, *q;

	if (is_null(n))
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return wc_fail(c, n, path, "expected a mapping, got %s", node_kind(n));
	if (n->data.mapping.pairs.top - n->data.mapping.pairs.start > WEBCONFIG_MAX_ITEMS)
		return wc_fail(c, n, path, "more than %d entries", WEBCONFIG_MAX_ITEMS);
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
		char full[160];
		const char *ks;

		if (k == NULL || v == NULL)
			return wc_fail(c, n, path, "malformed entry");
		if (k->type != YAML_SCALAR_NODE)
			return wc_fail(c, k, path, "keys must be strings, got %s", node_kind(k));
		ks = (const char *)k->data.scalar.value;
		if (memchr(ks, '\0', k->data.scalar.length) != NULL)
			return wc_fail(c, k, path, "key contains a NUL byte");
		for (q = n->data.mapping.pairs.start; q < p; q++) {
			yaml_node_t *k2 = yaml_document_get_node(c->doc, q->key);

			if (k2 && k2->type == YAML_SCALAR_NODE && strcmp((const char *)k2->data.scalar.value, ks) == 0) {
				snprintf(full, sizeof(full), "%s%s%.80s", path, *path ? "." : "", ks);
				return wc_fail(c, k, full, "key given twice");
			}
		}
		snprintf(full, sizeof(full), "%s%s%.80s", path, *path ? "." : "", ks);
		if (fn(c, ks, k, v, full) < 0)
			return -1;
	}
	return 0;
}

static const char *const client_auth_names[] = {
	[WEBCONFIG_NO_CLIENT_CERT] = "NoClientCert",
	[WEBCONFIG_REQUEST_CLIENT_CERT] = "RequestClientCert",
	[WEBCONFIG_REQUIRE_ANY_CLIENT_CERT] = "RequireAnyClientCert",
	[WEBCONFIG_VERIFY_CLIENT_CERT_IF_GIVEN] = "VerifyClientCertIfGiven",
	[WEBCONFIG_REQUIRE_AND_VERIFY_CLIENT_CERT] = "RequireAndVerifyClientCert",
};

const char *
webconfig_client_auth_name(enum webconfig_client_auth a)
{
	return (unsigned)a < sizeof(client_auth_names) / sizeof(client_auth_names[0]) ? client_auth_names[a] : "?";
}

static int
parse_version(struct wc_ctx *c, const yaml_node_t *v, const char *key, enum webconfig_tls_version *out)
{
	static const char *const names[] = { "TLS10", "TLS11", "TLS12", "TLS13" };
	char *s = NULL;

	if (get_string(c, v, key, &s) < 0)
		return -1;
	for (int i = 0; i < 4; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum webconfig_tls_version)(WEBCONFIG_TLS10 + i);
			free(s);
			return 0;
		}
	}
	wc_fail(c, v, key, "unknown TLS version \"%.40s\" (TLS10, TLS11, TLS12, TLS13)", s);
	free(s);
	return -1;
}

/*
 * Go cipher suite names and the GnuTLS key exchange, cipher and MAC that
 * make them up.  GnuTLS composes suites from these parts, so listing
 * suites enables their parts (see docs/security.md).  TLS 1.3 suites are
 * accepted (Go lists them) and enable their cipher.
 */
struct suite_map {
	const char *go;
	const char *kx, *cipher, *mac;
};

static const struct suite_map suites[] = {
	{ "TLS_RSA_WITH_AES_128_CBC_SHA", "RSA", "AES-128-CBC", "SHA1" },
	{ "TLS_RSA_WITH_AES_256_CBC_SHA", "RSA", "AES-256-CBC", "SHA1" },
	{ "TLS_RSA_WITH_AES_128_GCM_SHA256", "RSA", "AES-128-GCM", "AEAD" },
	{ "TLS_RSA_WITH_AES_256_GCM_SHA384", "RSA", "AES-256-GCM", "AEAD" },
	{ "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA", "AES-128-CBC", "SHA1" },
	{ "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA", "AES-256-CBC", "SHA1" },
	{ "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA", "AES-128-CBC", "SHA1" },
	{ "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA", "AES-256-CBC", "SHA1" },
	{ "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA", "AES-128-GCM", "AEAD" },
	{ "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA", "AES-256-GCM", "AEAD" },
	{ "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA", "AES-128-GCM", "AEAD" },
	{ "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA", "AES-256-GCM", "AEAD" },
	{ "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "ECDHE-RSA", "CHACHA20-POLY1305", "AEAD" },
	{ "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA", "CHACHA20-POLY1305", "AEAD" },
	{ "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "ECDHE-ECDSA", "CHACHA20-POLY1305", "AEAD" },
	{ "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA", "CHACHA20-POLY1305", "AEAD" },
	{ "TLS_AES_128_GCM_SHA256", NULL, "AES-128-GCM", "AEAD" },
	{ "TLS_AES_256_GCM_SHA384", NULL, "AES-256-GCM", "AEAD" },
	{ "TLS_CHACHA20_POLY1305_SHA256", NULL, "CHACHA20-POLY1305", "AEAD" },
};

static const struct suite_map *
find_suite(const char *name)
{
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		if (strcmp(suites[i].go, name) == 0)
			return &suites[i];
	return NULL;
}

static const struct {
	const char *go, *gnutls;
} curves[] = {
	{ "CurveP256", "GROUP-SECP256R1" },
	{ "CurveP384", "GROUP-SECP384R1" },
	{ "CurveP521", "GROUP-SECP521R1" },
	{ "X25519", "GROUP-X25519" },
};

static const char *
find_curve(const char *name)
{
	for (size_t i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
		if (strcmp(curves[i].go, name) == 0)
			return curves[i].gnutls;
	return NULL;
}

static int
tls_entry(struct wc_ctx *c, const char *key, const yaml_node_t *k, const yaml_node_t *v, const char *path)
{
	struct webconfig *wc = c->wc;
	char *s = NULL;

	if (strcmp(key, "cert_file") == 0)
		return is_null(v) ? 0 : get_string(c, v, path, &wc->cert_file);
	if (strcmp(key, "key_file") == 0)
		return is_null(v) ? 0 : get_string(c, v, path, &wc->key_file);
	if (strcmp(key, "cert") == 0)
		return is_null(v) ? 0 : get_string(c, v, path, &wc->cert);
	if (strcmp(key, "key") == 0)
		return is_null(v) ? 0 : get_string(c, v, path, &wc->key);
	if (strcmp(key, "client_ca_file") == 0)
		return is_null(v) ? 0 : get_string(c, v, path, &wc->client_ca_file);
	if (strcmp(key, "client_ca") == 0)
		return is_null(v) ? 0 : get_string(c, v, path, &wc->client_ca);
	if (strcmp(key, "client_auth_type") == 0) {
		if (is_null(v))
			return 0;
		if (get_string(c, v, path, &s) < 0)
			return -1;
		for (size_t i = 0; i < sizeof(client_auth_names) / sizeof(client_auth_names[0]); i++) {
			if (strcmp(s, client_auth_names[i]) == 0) {
				wc->client_auth = (enum webconfig_client_auth)i;
				free(s);
				return 0;
			}
		}
		wc_fail(c, v, path, "unknown client auth type \"%.60s\" (NoClientCert, RequestClientCert, "
			"RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert)", s);
		free(s);
		return -1;
	}
	if (strcmp(key, "client_allowed_sans") == 0)
		return get_list(c, v, path, &wc->allowed_sans, &wc->n_allowed_sans);
	if (strcmp(key, "min_version") == 0)
		return is_null(v) ? 0 : parse_version(c, v, path, &wc->min_version);
	if (strcmp(key, "max_version") == 0)
		return is_null(v) ? 0 : parse_version(c, v, path, &wc->max_version);
	if (strcmp(key, "cipher_suites") == 0) {
		if (get_list(c, v, path, &wc->cipher_suites, &wc->n_cipher_suites) < 0)
			return -1;
		for (size_t i = 0; i < wc->n_cipher_suites; i++)
			if (find_suite(wc->cipher_suites[i]) == NULL)
				return wc_fail(c, v, path, "unsupported cipher suite \"%.60s\"", wc->cipher_suites[i]);
		return 0;
	}
	if (strcmp(key, "prefer_server_cipher_suites") == 0)
		return is_null(v) ? 0 : get_bool(c, v, path, &wc->prefer_server_cipher_suites);
	if (strcmp(key, "curve_preferences") == 0) {
		if (get_list(c, v, path, &wc->curves, &wc->n_curves) < 0)
			return -1;
		for (size_t i = 0; i < wc->n_curves; i++)
			if (find_curve(wc->curves[i]) == NULL)
				return wc_fail(c, v, path, "unknown curve \"%.60s\" (CurveP256, CurveP384, CurveP521, X25519)",
					       wc->curves[i]);
		return 0;
	}
	return wc_fail(c, k, path, "unknown key");
}

/* The headers exporter-toolkit lets a user set, and the values it allows (NULL = any). */
static const struct {
	const char *name;
	const char *values[3];
} allowed_headers[] = {
	{ "Strict-Transport-Security", { NULL } },
	{ "X-Content-Type-Options", { "nosniff", NULL } },
	{ "X-Frame-Options", { "deny", "sameorigin", NULL } },
	{ "X-XSS-Protection", { NULL } },
	{ "Content-Security-Policy", { NULL } },
};

static int
header_entry(struct wc_ctx *c, const char *key, const yaml_node_t *k, const yaml_node_t *v, const char *path)
{
	struct webconfig *wc = c->wc;
	struct webconfig_pair *p;
	size_t i;
	bool ok;

	for (i = 0; i < sizeof(allowed_headers) / sizeof(allowed_headers[0]); i++)
		if (strcmp(key, allowed_headers[i].name) == 0)
			break;
	if (i == sizeof(allowed_headers) / sizeof(allowed_headers[0]))
		return wc_fail(c, k, path, "this header can not be configured (allowed: Strict-Transport-Security, "
			       "X-Content-Type-Options, X-Frame-Options, X-XSS-Protection, Content-Security-Policy)");
	p = &wc->headers[wc->n_headers];
	if (get_string(c, v, path, &p->value) < 0)
		return -1;
	wc->n_headers++;
	p->name = strdup(allowed_headers[i].name);
	if (p->name == NULL)
		return wc_fail(c, v, path, "out of memory");
	for (const char *s = p->value; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return wc_fail(c, v, path, "control character in header value");
	ok = allowed_headers[i].values[0] == NULL;
	for (size_t j = 0; !ok && allowed_headers[i].values[j]; j++)
		ok = strcasecmp(p->value, allowed_headers[i].values[j]) == 0;
	if (!ok)
		return wc_fail(c, v, path, "invalid value \"%.60s\" (expected one of: %s%s%s)", p->value,
			       allowed_headers[i].values[0], allowed_headers[i].values[1] ? ", " : "",
			       allowed_headers[i].values[1] ? allowed_headers[i].values[1] : "");
	return 0;
}

static int
http_entry(struct wc_ctx *c, const char *key, const yaml_node_t *k, const yaml_node_t *v, const char *path)
{
	struct webconfig *wc = c->wc;

	if (strcmp(key, "http2") == 0)
		return is_null(v) ? 0 : get_bool(c, v, path, &wc->http2);
	if (strcmp(key, "headers") == 0) {
		if (wc->headers == NULL) {
			wc->headers = calloc(WEBCONFIG_MAX_ITEMS, sizeof(*wc->headers));
			if (wc->headers == NULL)
				return wc_fail(c, v, path, "out of memory");
		}
		return walk_mapping(c, v, path, header_entry);
	}
	return wc_fail(c, k, path, "unknown key");
}

/* bcrypt: $2a$/$2b$/$2y$, two-digit cost 04-31, '$', 53 characters of ./A-Za-z0-9. */
static bool
is_bcrypt(const char *h)
{
	size_t n = strlen(h);
	int cost;

	if (n != 60 || h[0] != '$' || h[1] != '2' || (h[2] != 'a' && h[2] != 'b' && h[2] != 'y') || h[3] != '$')
		return false;
	if (h[4] < '0' || h[4] > '3' || h[5] < '0' || h[5] > '9' || h[6] != '$')
		return false;
	cost = (h[4] - '0') * 10 + (h[5] - '0');
	if (cost < 4 || cost > 31)
		return false;
	for (size_t i = 7; i < n; i++)
		if (strchr("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", h[i]) == NULL)
			return false;
	return true;
}

static int
user_entry(struct wc_ctx *c, const char *key, const yaml_node_t *k, const yaml_node_t *v, const char *path)
{
	struct webconfig *wc = c->wc;
	struct webconfig_pair *p = &wc->users[wc->n_users];

	if (key[0] == '\0' || strchr(key, ':') != NULL)
		return wc_fail(c, k, path, "a user name must be non-empty and contain no ':'");
	p->name = strdup(key);
	wc->n_users++;
	if (p->name == NULL)
		return wc_fail(c, k, path, "out of memory");
	if (get_string(c, v, path, &p->value) < 0)
		return -1;
	if (!is_bcrypt(p->value))
		return wc_fail(c, v, path, "not a bcrypt hash ($2y$, $2b$ or $2a$; generate one with htpasswd -nBC 10 \"\")");
	return 0;
}

static int
top_entry(struct wc_ctx *c, const char *key, const yaml_node_t *k, const yaml_node_t *v, const char *path)
{
	struct webconfig *wc = c->wc;

	if (strcmp(key, "tls_server_config") == 0)
		return walk_mapping(c, v, path, tls_entry);
	if (strcmp(key, "http_server_config") == 0)
		return walk_mapping(c, v, path, http_entry);
	if (strcmp(key, "basic_auth_users") == 0) {
		if (wc->users == NULL) {
			wc->users = calloc(WEBCONFIG_MAX_ITEMS, sizeof(*wc->users));
			if (wc->users == NULL)
				return wc_fail(c, v, path, "out of memory");
		}
		return walk_mapping(c, v, path, user_entry);
	}
	return wc_fail(c, k, path, "unknown key (tls_server_config, http_server_config, basic_auth_users)");
}

/* Cross-key rules, after the whole file is read. */
static int
validate(struct wc_ctx *c)
{
	struct webconfig *wc = c->wc;
	bool have_cert = wc->cert_file || wc->cert, have_key = wc->key_file || wc->key;
	bool have_ca = wc->client_ca_file || wc->client_ca;

	if (wc->cert_file && wc->cert)
		return wc_fail(c, NULL, "tls_server_config.cert", "cert and cert_file are mutually exclusive");
	if (wc->key_file && wc->key)
		return wc_fail(c, NULL, "tls_server_config.key", "key and key_file are mutually exclusive");
	if (wc->client_ca_file && wc->client_ca)
		return wc_fail(c, NULL, "tls_server_config.client_ca", "client_ca and client_ca_file are mutually exclusive");
	if (have_cert && !have_key)
		return wc_fail(c, NULL, "tls_server_config.key_file", "missing (a certificate is configured)");
	if (have_key && !have_cert)
		return wc_fail(c, NULL, "tls_server_config.cert_file", "missing (a key is configured)");
	wc->tls = have_cert;
	if (!wc->tls && (have_ca || wc->client_auth != WEBCONFIG_NO_CLIENT_CERT || wc->n_allowed_sans))
		return wc_fail(c, NULL, "tls_server_config.cert_file", "missing (client certificate settings need TLS)");
	if (have_ca && wc->client_auth == WEBCONFIG_NO_CLIENT_CERT)
		return wc_fail(c, NULL, "tls_server_config.client_auth_type",
			       "client CAs are configured without a client auth type");
	if ((wc->client_auth == WEBCONFIG_VERIFY_CLIENT_CERT_IF_GIVEN ||
	     wc->client_auth == WEBCONFIG_REQUIRE_AND_VERIFY_CLIENT_CERT) && !have_ca)
		return wc_fail(c, NULL, "tls_server_config.client_ca_file", "missing (%s verifies client certificates)",
			       webconfig_client_auth_name(wc->client_auth));
	if (wc->n_allowed_sans && wc->client_auth != WEBCONFIG_VERIFY_CLIENT_CERT_IF_GIVEN &&
	    wc->client_auth != WEBCONFIG_REQUIRE_AND_VERIFY_CLIENT_CERT)
		return wc_fail(c, NULL, "tls_server_config.client_allowed_sans",
			       "needs client_auth_type VerifyClientCertIfGiven or RequireAndVerifyClientCert");
	if (wc->min_version > wc->max_version)
		return wc_fail(c, NULL, "tls_server_config.min_version", "is above max_version");
	return 0;
}

/*
 * prescan - walk the event stream once and refuse documents nested deeper
 * than WEBCONFIG_MAX_DEPTH or with more than WEBCONFIG_MAX_EVENTS events
 * before building the tree: libyaml's scanner costs O(depth) per token, so
 * a 1 MiB "[[[[…" would otherwise take minutes.  The format needs depth 3.
 */
#define WEBCONFIG_MAX_DEPTH 16
#define WEBCONFIG_MAX_EVENTS 100000

static int
prescan(const char *data, size_t len, char *err, size_t errlen)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int depth = 0, rc = 0;
	unsigned long events = 0;

	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	for (;;) {
		yaml_event_type_t t;

		if (!yaml_parser_parse(&parser, &ev)) {
			snprintf(err, errlen, "line %lu: invalid YAML: %s%s%s", (unsigned long)parser.problem_mark.line + 1,
				 parser.problem ? parser.problem : "syntax error",
				 parser.context ? " " : "", parser.context ? parser.context : "");
			rc = -1;
			break;
		}
		t = ev.type;
		if (t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT)
			depth++;
		else if (t == YAML_SEQUENCE_END_EVENT || t == YAML_MAPPING_END_EVENT)
			depth--;
		if (depth > WEBCONFIG_MAX_DEPTH) {
			snprintf(err, errlen, "line %lu: nested deeper than %d levels",
				 (unsigned long)ev.start_mark.line + 1, WEBCONFIG_MAX_DEPTH);
			rc = -1;
		} else if (++events > WEBCONFIG_MAX_EVENTS) {
			snprintf(err, errlen, "line %lu: more than %d YAML nodes",
				 (unsigned long)ev.start_mark.line + 1, WEBCONFIG_MAX_EVENTS);
			rc = -1;
		}
		yaml_event_delete(&ev);
		if (rc < 0 || t == YAML_STREAM_END_EVENT)
			break;
	}
	yaml_parser_delete(&parser);
	return rc;
}

int
webconfig_parse(const char *data, size_t len, struct webconfig *wc, char *err, size_t errlen)
{
	struct wc_ctx c = { .wc = wc, .err = err, .errlen = errlen };
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	int rc = -1;

	memset(wc, 0, sizeof(*wc));
	wc->min_version = WEBCONFIG_TLS12;
	wc->max_version = WEBCONFIG_TLS13;
	wc->prefer_server_cipher_suites = true;
	wc->http2 = true;
	err[0] = '\0';
	if (len > WEBCONFIG_MAX_BYTES) {
		snprintf(err, errlen, "file larger than %u bytes", WEBCONFIG_MAX_BYTES);
		return -1;
	}
	if (prescan(data, len, err, errlen) < 0)
		return -1;
	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, errlen, "line %lu: invalid YAML: %s%s%s", (unsigned long)parser.problem_mark.line + 1,
			 parser.problem ? parser.problem : "syntax error",
			 parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return -1;
	}
	c.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (root == NULL || is_null(root))
		rc = 0;	/* an empty file: plain HTTP, no auth */
	else if (root->type != YAML_MAPPING_NODE)
		rc = wc_fail(&c, root, "(top level)", "expected a mapping, got %s", node_kind(root));
	else
		rc = walk_mapping(&c, root, "", top_entry);
	if (rc == 0) {
		yaml_document_t next;

		/* A second document is not part of the format. */
		if (!yaml_parser_load(&parser, &next)) {
			snprintf(err, errlen, "line %lu: invalid YAML: %s", (unsigned long)parser.problem_mark.line + 1,
				 parser.problem ? parser.problem : "syntax error");
			rc = -1;
		} else {
			if (yaml_document_get_root_node(&next) != NULL) {
				snprintf(err, errlen, "more than one YAML document");
				rc = -1;
			}
			yaml_document_delete(&next);
		}
	}
	if (rc == 0)
		rc = validate(&c);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (rc < 0)
		webconfig_free(wc);
	return rc;
}

static void
free_list(char **l, size_t n)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

void
webconfig_free(struct webconfig *wc)
{
	free(wc->cert_file);
	free(wc->key_file);
	free(wc->cert);
	if (wc->key)
		explicit_bzero(wc->key, strlen(wc->key));
	free(wc->key);
	free(wc->client_ca_file);
	free(wc->client_ca);
	free_list(wc->cipher_suites, wc->n_cipher_suites);
	free_list(wc->curves, wc->n_curves);
	free_list(wc->allowed_sans, wc->n_allowed_sans);
	for (size_t i = 0; wc->users && i < wc->n_users; i++) {
		free(wc->users[i].name);
		free(wc->users[i].value);
	}
	free(wc->users);
	for (size_t i = 0; wc->headers && i < wc->n_headers; i++) {
		free(wc->headers[i].name);
		free(wc->headers[i].value);
	}
	free(wc->headers);
	free(wc->cert_pem);
	if (wc->key_pem)
		explicit_bzero(wc->key_pem, strlen(wc->key_pem));
	free(wc->key_pem);
	free(wc->ca_pem);
	memset(wc, 0, sizeof(*wc));
}

static int
append(char *out, size_t outlen, size_t *pos, const char *s)
{
	size_t n = strlen(s);

	if (*pos + n + 1 > outlen)
		return -1;
	memcpy(out + *pos, s, n + 1);
	*pos += n;
	return 0;
}

static bool
listed_before(const struct webconfig *wc, size_t i, const char *(*part)(const struct suite_map *))
{
	const char *mine = part(find_suite(wc->cipher_suites[i]));

	if (mine == NULL)
		return true;
	for (size_t j = 0; j < i; j++) {
		const char *other = part(find_suite(wc->cipher_suites[j]));

		if (other && strcmp(other, mine) == 0)
			return true;
	}
	return false;
}

static const char *
part_kx(const struct suite_map *s)
{
	return s->kx;
}

static const char *
part_cipher(const struct suite_map *s)
{
	return s->cipher;
}

static const char *
part_mac(const struct suite_map *s)
{
	return s->mac;
}

int
webconfig_priority(const struct webconfig *wc, char *out, size_t outlen)
{
	static const char *const vers[] = { "VERS-TLS1.0", "VERS-TLS1.1", "VERS-TLS1.2", "VERS-TLS1.3" };
	const char *(*parts[3])(const struct suite_map *) = { part_kx, part_cipher, part_mac };
	size_t pos = 0;
	int rc = 0;

	if (outlen == 0)
		return -1;
	out[0] = '\0';
	rc |= append(out, outlen, &pos, "NORMAL");
	if (wc->prefer_server_cipher_suites)
		rc |= append(out, outlen, &pos, ":%SERVER_PRECEDENCE");
	rc |= append(out, outlen, &pos, ":-VERS-ALL");
	for (int v = wc->min_version; v <= (int)wc->max_version; v++) {
		rc |= append(out, outlen, &pos, ":+");
		rc |= append(out, outlen, &pos, vers[v - WEBCONFIG_TLS10]);
	}
	if (wc->n_cipher_suites) {
		static const char *const all[3] = { ":-KX-ALL", ":-CIPHER-ALL", ":-MAC-ALL" };

		for (int p = 0; p < 3; p++) {
			rc |= append(out, outlen, &pos, all[p]);
			for (size_t i = 0; i < wc->n_cipher_suites; i++) {
				if (listed_before(wc, i, parts[p]))
					continue;
				rc |= append(out, outlen, &pos, ":+");
				rc |= append(out, outlen, &pos, parts[p](find_suite(wc->cipher_suites[i])));
			}
		}
		/* TLS 1.3 suites are not configurable in Go; keep them whole here too. */
		if (wc->max_version >= WEBCONFIG_TLS13)
			rc |= append(out, outlen, &pos, ":+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:+AEAD");
	}
	if (wc->n_curves) {
		rc |= append(out, outlen, &pos, ":-GROUP-ALL");
		for (size_t i = 0; i < wc->n_curves; i++) {
			rc |= append(out, outlen, &pos, ":+");
			rc |= append(out, outlen, &pos, find_curve(wc->curves[i]));
		}
	}
	return rc ? -1 : 0;
}

/* ---- loading: file I/O and GnuTLS checks ---- */

static char *
read_small_file(const char *path, char *err, size_t errlen, const char *what, size_t *lenp)
{
	char why[128];
	char *data;
	size_t len = 0;
	int fd;

	if (fileio_open(NULL, path, FILEIO_FILE, &fd, NULL, why, sizeof(why)) != FILEIO_OK) {
		snprintf(err, errlen, "%s %s: %s", what, path,
			 errno == EINVAL ? "not a regular file" : strerror(errno));
		return NULL;
	}
	data = malloc(WEBCONFIG_MAX_BYTES + 1);
	if (data == NULL) {
		snprintf(err, errlen, "%s %s: out of memory", what, path);
		close(fd);
		return NULL;
	}
	for (;;) {
		ssize_t r = read(fd, data + len, WEBCONFIG_MAX_BYTES + 1 - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > WEBCONFIG_MAX_BYTES) {
			snprintf(err, errlen, "%s %s: larger than %u bytes", what, path, WEBCONFIG_MAX_BYTES);
			goto fail;
		}
	}
	close(fd);
	data[len] = '\0';
	if (lenp)
		*lenp = len;
	return data;
fail:
	close(fd);
	explicit_bzero(data, len);
	free(data);
	return NULL;
}

/* resolve - a relative name is taken relative to the config file's directory. */
static void
resolve(const char *cfgpath, const char *name, char *out, size_t outlen)
{
	const char *slash = strrchr(cfgpath, '/');

	if (name[0] == '/' || slash == NULL)
		snprintf(out, outlen, "%s", name);
	else
		snprintf(out, outlen, "%.*s/%s", (int)(slash - cfgpath), cfgpath, name);
}

static int
load_pem(const char *cfgpath, const char *file, const char *inline_pem, char **out, const char *what,
	 char *err, size_t errlen)
{
	char path[PATH_MAX];

	if (inline_pem) {
		*out = strdup(inline_pem);
		if (*out == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		return 0;
	}
	if (file == NULL)
		return 0;
	resolve(cfgpath, file, path, sizeof(path));
	*out = read_small_file(path, err, errlen, what, NULL);
	return *out ? 0 : -1;
}

static int
check_tls(struct webconfig *wc, char *err, size_t errlen)
{
	gnutls_certificate_credentials_t cred;
	gnutls_priority_t prio;
	gnutls_datum_t c, k;
	const char *where = NULL;
	char pstr[512];
	int r;

	if (gnutls_certificate_allocate_credentials(&cred) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	c.data = (unsigned char *)wc->cert_pem;
	c.size = (unsigned)strlen(wc->cert_pem);
	k.data = (unsigned char *)wc->key_pem;
	k.size = (unsigned)strlen(wc->key_pem);
	r = gnutls_certificate_set_x509_key_mem2(cred, &c, &k, GNUTLS_X509_FMT_PEM, NULL, 0);
	if (r < 0) {
		snprintf(err, errlen, "tls_server_config.cert_file/key_file: %s", gnutls_strerror(r));
		gnutls_certificate_free_credentials(cred);
		return -1;
	}
	if (wc->ca_pem) {
		c.data = (unsigned char *)wc->ca_pem;
		c.size = (unsigned)strlen(wc->ca_pem);
		r = gnutls_certificate_set_x509_trust_mem(cred, &c, GNUTLS_X509_FMT_PEM);
		if (r <= 0) {
			snprintf(err, errlen, "tls_server_config.client_ca_file: %s",
				 r < 0 ? gnutls_strerror(r) : "no certificate found");
			gnutls_certificate_free_credentials(cred);
			return -1;
		}
	}
	gnutls_certificate_free_credentials(cred);
	if (webconfig_priority(wc, pstr, sizeof(pstr)) < 0) {
		snprintf(err, errlen, "tls_server_config: too many cipher settings");
		return -1;
	}
	r = gnutls_priority_init(&prio, pstr, &where);
	if (r < 0) {
		snprintf(err, errlen, "tls_server_config: GnuTLS rejects the TLS settings (%s) near \"%.40s\"",
			 gnutls_strerror(r), where ? where : "");
		return -1;
	}
	gnutls_priority_deinit(prio);
	return 0;
}

int
webconfig_load(const char *path, struct webconfig *wc, char *err, size_t errlen)
{
	char *data, perr[384];
	size_t len;

	memset(wc, 0, sizeof(*wc));
	data = read_small_file(path, err, errlen, "web config", &len);
	if (data == NULL)
		return -1;
	if (webconfig_parse(data, len, wc, perr, sizeof(perr)) < 0) {
		snprintf(err, errlen, "%s: %s", path, perr);
		free(data);
		return -1;
	}
	free(data);
	if (!wc->tls)
		return 0;
	if (load_pem(path, wc->cert_file, wc->cert, &wc->cert_pem, "tls_server_config.cert_file", perr, sizeof(perr)) < 0 ||
	    load_pem(path, wc->key_file, wc->key, &wc->key_pem, "tls_server_config.key_file", perr, sizeof(perr)) < 0 ||
	    load_pem(path, wc->client_ca_file, wc->client_ca, &wc->ca_pem, "tls_server_config.client_ca_file",
		     perr, sizeof(perr)) < 0 ||
	    check_tls(wc, perr, sizeof(perr)) < 0) {
		snprintf(err, errlen, "%s: %s", path, perr);
		webconfig_free(wc);
		return -1;
	}
	return 0;
}

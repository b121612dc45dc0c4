/*
 * postfix_tls.c - Postfix's protocol lists, the TLS library's limits and
 * its DH group (see postfix_tls.h).  Pure; no diagnostics.
 */
#include "collectors/postfix/postfix_tls.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "collectors/postfix/postfix_params.h"
#include "lib/tlsinfo.h"

bool
postfix_tls_enabled(const char *level, bool use_tls, bool enforce_tls)
{
	static const char *const on[] = {
		"may", "encrypt", "dane", "dane-only", "fingerprint", "verify", "secure", NULL,
	};

	if (level == NULL || *level == '\0')
		return use_tls || enforce_tls;
	for (size_t i = 0; on[i]; i++)
		if (strcasecmp(level, on[i]) == 0)
			return true;
	return false;
}

/* Postfix's protocol_table: name -> TLSINFO version; SSLv2 = -2 (known, not spoken). */
static int
proto_name(const char *s, size_t n)
{
	static const struct {
		const char *name;
		int v;
	} names[] = {
		{ "SSLv2", -2 }, { "SSLv3", TLSINFO_SSL3 }, { "TLSv1", TLSINFO_TLS1_0 },
		{ "TLSv1.1", TLSINFO_TLS1_1 }, { "TLSv1.2", TLSINFO_TLS1_2 },
		{ "TLSv1.3", TLSINFO_TLS1_3 },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i].name) == n && strncmp(s, names[i].name, n) == 0)
			return names[i].v;
	return -1;
}

/* parse_tls_version(): a name or a hex wire version (0x0300..0x0304). */
static int
proto_version(const char *s, size_t n)
{
	char buf[16], *end;
	long x;

	if (n > 2 && n < sizeof(buf) && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		memcpy(buf, s, n);
		buf[n] = '\0';
		x = strtol(buf, &end, 16);
		if (*end != '\0' || x < 0x0300 || x > 0x0304)
			return -1;
		return TLSINFO_SSL3 + (int)(x - 0x0300);
	}
	return proto_name(s, n);
}

int
postfix_tls_protocols(const char *value, unsigned *mask)
{
	const char *p = value;
	unsigned include = 0, exclude = 0;
	bool any_include = false;
	int floor = TLSINFO_SSL3, ceiling = TLSINFO_TLS1_3;

	*mask = 0;
	while (*p) {
		size_t n;
		int v;

		p += strspn(p, " \t\r\n,:");
		n = strcspn(p, " \t\r\n,:");
		if (n == 0)
			break;
		if (n > 2 && (strncmp(p, ">=", 2) == 0 || strncmp(p, "<=", 2) == 0)) {
			if ((v = proto_version(p + 2, n - 2)) == -1)
				return -1;
			if (p[0] == '>')
				floor = v < 0 ? TLSINFO_SSL3 : v;
			else
				ceiling = v < 0 ? -1 : v;
		} else if (p[0] == '!') {
			if ((v = proto_name(p + 1, n - 1)) == -1)
				return -1;
			if (v >= 0)
				exclude |= TLSINFO_BIT(v);
		} else {
			if ((v = proto_name(p, n)) == -1)
				return -1;
			any_include = true;
			if (v >= 0)
				include |= TLSINFO_BIT(v);
		}
		p += n;
	}
	for (int v = TLSINFO_SSL3; v < TLSINFO_V_COUNT; v++) {
		if (v < floor || v > ceiling || (exclude & TLSINFO_BIT(v)))
			continue;
		if (any_include && !(include & TLSINFO_BIT(v)))
			continue;
		*mask |= TLSINFO_BIT(v);
	}
	return 0;
}

unsigned
postfix_tls_library_versions(unsigned postfix_version)
{
	(void)postfix_version;	/* OpenSSL 1.1 and 3.0 alike */
	return TLSINFO_BIT(TLSINFO_TLS1_0) | TLSINFO_BIT(TLSINFO_TLS1_1) | TLSINFO_BIT(TLSINFO_TLS1_2)
	       | TLSINFO_BIT(TLSINFO_TLS1_3);
}

unsigned
postfix_tls_dh_auto_bits(unsigned postfix_version, const char *key_alg, unsigned key_bits)
{
	if (strcmp(key_alg, "rsa") != 0 && strcmp(key_alg, "dsa") != 0)
		return 0;	/* DHE-RSA/DSS need such a certificate */
	if (postfix_version < POSTFIX_VERSION(3, 7, 0))
		return 2048;	/* the compiled-in group */
	/* ssl_get_auto_dh(): by the key's security bits (80, 112, 128, 152, 192) */
	if (key_bits >= 7680)
		return 8192;
	if (key_bits >= 4096)
		return 4096;
	if (key_bits >= 3072)
		return 3072;
	if (key_bits >= 2048)
		return 2048;
	return 1024;
}

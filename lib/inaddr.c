/*
 * inaddr.c - IPv4/IPv6 address values (see inaddr.h).
 *
 * Pure functions, no I/O.  inet_pton/inet_ntop do the text work; the
 * classification rules are the project's single definition of "loopback",
 * "wildcard" and "globally routable".  Diagnostics: none; text that is
 * no address is a -1 from the parsers, for the caller to report.
 */
#include "lib/inaddr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t v4mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

int
inaddr_parse(const char *s, struct inaddr *out)
{
	char tmp[INADDR_STRLEN];
	size_t n = strlen(s);

	memset(out, 0, sizeof(*out));
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		if (n - 2 >= sizeof(tmp))
			return -1;
		memcpy(tmp, s + 1, n - 2);
		tmp[n - 2] = '\0';
		if (inet_pton(AF_INET6, tmp, out->a) != 1)
			return -1;
		out->family = AF_INET6;
		return 0;
	}
	if (inet_pton(AF_INET, s, out->a) == 1) {
		out->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, out->a) == 1) {
		out->family = AF_INET6;
		return 0;
	}
	return -1;
}

int
inaddr_parse_cidr(const char *s, struct inaddr *net, unsigned *prefixlen)
{
	char tmp[INADDR_STRLEN + 8];
	const char *slash = strrchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	char *end;
	unsigned long len;

	if (alen >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, alen);
	tmp[alen] = '\0';
	if (inaddr_parse(tmp, net) < 0)
		return -1;
	if (slash == NULL) {
		*prefixlen = inaddr_bits(net);
		return 0;
	}
	if (slash[1] < '0' || slash[1] > '9')
		return -1;
	len = strtoul(slash + 1, &end, 10);
	if (*end != '\0' || len > inaddr_bits(net))
		return -1;
	*prefixlen = (unsigned)len;
	return 0;
}

void
inaddr_format(const struct inaddr *a, char *out, size_t outlen)
{
	if (outlen == 0)
		return;
	if ((a->family != AF_INET && a->family != AF_INET6) ||
	    inet_ntop(a->family, a->a, out, (socklen_t)outlen) == NULL)
		snprintf(out, outlen, "?");
}

unsigned
inaddr_bits(const struct inaddr *a)
{
	return a->family == AF_INET ? 32 : 128;
}

struct inaddr
inaddr_unmap(const struct inaddr *a)
{
	struct inaddr r = *a;

	if (a->family == AF_INET6 && memcmp(a->a, v4mapped_prefix, 12) == 0) {
		memset(&r, 0, sizeof(r));
		r.family = AF_INET;
		memcpy(r.a, a->a + 12, 4);
	}
	return r;
}

bool
inaddr_is_loopback(const struct inaddr *a)
{
	static const uint8_t v6lo[16] = { [15] = 1 };
	struct inaddr u = inaddr_unmap(a);

	if (u.family == AF_INET)
		return u.a[0] == 127;
	return u.family == AF_INET6 && memcmp(u.a, v6lo, 16) == 0;
}

bool
inaddr_is_wildcard(const struct inaddr *a)
{
	static const uint8_t zero[16];

	if (a->family == AF_INET)
		return memcmp(a->a, zero, 4) == 0;
	return a->family == AF_INET6 && memcmp(a->a, zero, 16) == 0;
}

enum inaddr_class
inaddr_classify(const struct inaddr *a)
{
	if (inaddr_is_loopback(a))
		return INADDR_CLASS_LOOPBACK;
	if (inaddr_is_wildcard(a))
		return INADDR_CLASS_WILDCARD;
	return INADDR_CLASS_SPECIFIC;
}

bool
inaddr_in_prefix(const struct inaddr *a, const struct inaddr *net, unsigned prefixlen)
{
	struct inaddr x = inaddr_unmap(a), n = *net;
	unsigned full, rem;

	/* A v4-mapped network compares as IPv4 (prefix shrinks by 96). */
	if (n.family == AF_INET6 && memcmp(n.a, v4mapped_prefix, 12) == 0 && prefixlen >= 96) {
		n = inaddr_unmap(&n);
		prefixlen -= 96;
	}
	if (x.family != n.family || prefixlen > inaddr_bits(&n))
		return false;
	full = prefixlen / 8;
	rem = prefixlen % 8;
	if (memcmp(x.a, n.a, full) != 0)
		return false;
	if (rem) {
		uint8_t mask = (uint8_t)(0xff << (8 - rem));

		if ((x.a[full] & mask) != (n.a[full] & mask))
			return false;
	}
	return true;
}

bool
inaddr_equal(const struct inaddr *x, const struct inaddr *y)
{
	return x->family == y->family &&
	       memcmp(x->a, y->a, x->family == AF_INET ? 4 : 16) == 0;
}

struct special_net {
	int family;
	const char *net;
	unsigned len;
};

/* Not globally routable: RFC 6890 special-purpose registries (abridged). */
static const struct special_net special_nets[] = {
	{ AF_INET, "0.0.0.0", 8 },	   /* this network */
	{ AF_INET, "10.0.0.0", 8 },	   /* private */
	{ AF_INET, "100.64.0.0", 10 },	   /* shared address space (CGN) */
	{ AF_INET, "127.0.0.0", 8 },	   /* loopback */
	{ AF_INET, "169.254.0.0", 16 },	   /* link local */
	{ AF_INET, "172.16.0.0", 12 },	   /* private */
	{ AF_INET, "192.0.0.0", 24 },	   /* IETF protocol assignments */
	{ AF_INET, "192.0.2.0", 24 },	   /* TEST-NET-1 */
	{ AF_INET, "192.168.0.0", 16 },	   /* private */
	{ AF_INET, "198.18.0.0", 15 },	   /* benchmarking */
	{ AF_INET, "198.51.100.0", 24 },   /* TEST-NET-2 */
	{ AF_INET, "203.0.113.0", 24 },	   /* TEST-NET-3 */
	{ AF_INET, "224.0.0.0", 4 },	   /* multicast */
	{ AF_INET, "240.0.0.0", 4 },	   /* reserved, broadcast */
	{ AF_INET6, "::", 128 },	   /* unspecified */
	{ AF_INET6, "::1", 128 },	   /* loopback */
	{ AF_INET6, "64:ff9b:1::", 48 },   /* local-use translation */
	{ AF_INET6, "100::", 64 },	   /* discard-only */
	{ AF_INET6, "2001:db8::", 32 },	   /* documentation */
	{ AF_INET6, "fc00::", 7 },	   /* unique local */
	{ AF_INET6, "fe80::", 10 },	   /* link local */
	{ AF_INET6, "ff00::", 8 },	   /* multicast */
};

bool
inaddr_prefix_is_internal(const struct inaddr *net, unsigned prefixlen)
{
	struct inaddr u = *net, range;

	/* a v4-mapped network is the IPv4 one */
	if (u.family == AF_INET6 && memcmp(u.a, v4mapped_prefix, 12) == 0 && prefixlen >= 96) {
		u = inaddr_unmap(&u);
		prefixlen -= 96;
	}
	if ((u.family != AF_INET && u.family != AF_INET6) || prefixlen > inaddr_bits(&u))
		return false;
	for (size_t i = 0; i < sizeof(special_nets) / sizeof(special_nets[0]); i++) {
		if (special_nets[i].family != u.family || special_nets[i].len > prefixlen)
			continue;
		if (inet_pton(u.family, special_nets[i].net, range.a) != 1)
			continue;
		range.family = u.family;
		if (inaddr_in_prefix(&u, &range, special_nets[i].len))
			return true;
	}
	return false;
}

bool
inaddr_is_global(const struct inaddr *a)
{
	struct inaddr u = inaddr_unmap(a), net;

	if (u.family != AF_INET && u.family != AF_INET6)
		return false;
	for (size_t i = 0; i < sizeof(special_nets) / sizeof(special_nets[0]); i++) {
		if (special_nets[i].family != u.family)
			continue;
		if (inet_pton(u.family, special_nets[i].net, net.a) != 1)
			continue;
		net.family = u.family;
		if (inaddr_in_prefix(&u, &net, special_nets[i].len))
			return false;
	}
	return true;
}

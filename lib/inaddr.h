/*
 * inaddr.h - IPv4/IPv6 address values: parse, format, classify, match.
 *
 * One place for every address decision the collectors and checks make:
 *   - loopback: 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104;
 *   - wildcard: 0.0.0.0 and ::;
 *   - prefix matching treats an IPv4-mapped IPv6 address as the IPv4 one.
 * IPv4 addresses are stored in a[0..3] with family AF_INET.
 *
 * Diagnostics: none; the parsers return -1 on text that is no address
 * (or prefix) and the caller names the file and line.
 */
#ifndef MTA_INADDR_H
#define MTA_INADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define INADDR_STRLEN 48	/* enough for any IPv6 text form */

struct inaddr {
	int family;		/* AF_INET or AF_INET6, 0 = unset */
	uint8_t a[16];
};

enum inaddr_class { INADDR_CLASS_LOOPBACK, INADDR_CLASS_WILDCARD, INADDR_CLASS_SPECIFIC };

/* Parse "192.0.2.1", "2001:db8::1" or "[2001:db8::1]".  0 or -1. */
int inaddr_parse(const char *s, struct inaddr *out);
/* Parse "net/len" (also "[v6]/len"); without "/len" the full length. 0 or -1. */
int inaddr_parse_cidr(const char *s, struct inaddr *net, unsigned *prefixlen);
void inaddr_format(const struct inaddr *a, char *out, size_t outlen);
enum inaddr_class inaddr_classify(const struct inaddr *a);
bool inaddr_is_loopback(const struct inaddr *a);
bool inaddr_is_wildcard(const struct inaddr *a);
/* IPv4-mapped IPv6 (::ffff:a.b.c.d) -> AF_INET; anything else unchanged. */
struct inaddr inaddr_unmap(const struct inaddr *a);
/* a within net/prefixlen (mapped addresses compare as IPv4). */
bool inaddr_in_prefix(const struct inaddr *a, const struct inaddr *net, unsigned prefixlen);
/* Globally routable (not private, loopback, link-local, documentation, ...). */
bool inaddr_is_global(const struct inaddr *a);
/*
 * Every address of net/prefixlen lies in one range that is not globally
 * routable (the ranges of inaddr_is_global()): no client on the Internet
 * comes from it.  10.0.0.0/8 and fd00::/16 are; 8.0.0.0/7, which holds
 * global addresses, is not.
 */
bool inaddr_prefix_is_internal(const struct inaddr *net, unsigned prefixlen);
/* Number of address bits for the family (32/128). */
unsigned inaddr_bits(const struct inaddr *a);
bool inaddr_equal(const struct inaddr *x, const struct inaddr *y);

#endif

/*
 * listeners.h - the "listeners" collector's pure helpers, and the interface
 * address API other collectors use (facts->ifaddrs).
 *
 * Ports: listeners_parse_ports() reads the --listeners.ports value, a comma
 * list of numbers (1-65535) or service names (smtp=25, submissions=smtps=465,
 * submission=587), without duplicates.  Ports compare as numbers, so 25
 * never matches 2525 or 25565.
 *
 * Classification: listeners_is_loopback() applies inaddr_is_loopback() to
 * the bound address, and also calls a socket bound (SO_BINDTODEVICE) to the
 * loopback device loopback whatever its address.  The loopback device is
 * ifindex 1 in every network namespace (the kernel's LOOPBACK_IFINDEX).
 * listeners_format_address() writes the address as bound, with "%ifname"
 * appended when the socket is bound to a device, as ss(8) does.
 *
 * Interface addresses (for Postfix mynetworks_style and loopback-only):
 * listeners_ifaddr_network() gives the network an interface address stands
 * for under a style; listeners_ifaddr_loopback() says whether it belongs to
 * what Postfix's "inet_interfaces = loopback-only" selects;
 * listeners_ifaddr_find() finds the interface address equal to a (mapped
 * addresses compare as IPv4), NULL if a is not local.
 *
 * Diagnostics: listeners_parse_ports() fills err naming the bad item; the
 * collector (listeners.c) logs why a dump failed and when it falls back
 * to /proc/net/tcp.
 */
#ifndef MTA_LISTENERS_H
#define MTA_LISTENERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/core/collector.h"

#define LISTENERS_MAX_PORTS 32
#define LISTENERS_MAX 1024		/* sockets on audited ports per scrape */
#define LISTENERS_MAX_IFADDRS 1024
#define LISTENERS_LOOPBACK_IFINDEX 1
#define LISTENERS_ADDRLEN (INADDR_STRLEN + 17)	/* address + "%" + ifname */

/* 0, or -1 with err set. */
int listeners_parse_ports(const char *spec, uint16_t *out, size_t max,
			  size_t *n, char *err, size_t errlen);
/* Port of a service name, -1 if unknown. */
int listeners_service_port(const char *name);

bool listeners_is_loopback(const struct listener *l);
void listeners_format_address(const struct listener *l, char *out, size_t outlen);

enum listeners_net_style {
	LISTENERS_NET_HOST,	/* the address itself: /32, /128 */
	LISTENERS_NET_SUBNET,	/* address/prefixlen of the interface */
	LISTENERS_NET_CLASS,	/* IPv4 class A/B/C (D: /4); IPv6 as subnet */
};

void listeners_ifaddr_network(const struct ifaddr *ifa, enum listeners_net_style style,
			      struct inaddr *net, unsigned *prefixlen);
bool listeners_ifaddr_loopback(const struct ifaddr *ifa);
const struct ifaddr *listeners_ifaddr_find(const struct facts *f, const struct inaddr *a);

/*
 * listeners_bindv6only - the kernel's default for IPV6_V6ONLY on new
 * sockets: <proc>/sys/net/ipv6/bindv6only, proc being --path.procfs (the
 * value of the reader's network namespace).  With false (the Linux
 * default) an IPv6 wildcard socket also takes IPv4, so an IPv4 socket on
 * the same port cannot listen beside it.  A missing or unreadable file is
 * the default, false.
 */
bool listeners_bindv6only(const char *proc);

extern const struct collector collector_listeners;

#endif

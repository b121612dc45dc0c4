/*
 * postfix_resolve.h - the addresses Postfix gives a host name at start
 * (inet_interfaces, the host part of a master.cf service), from files only.
 *
 * master resolves each inet_interfaces item and each master.cf "host:port"
 * with inet_addr_host() (util/inet_addr_host.c), that is getaddrinfo()
 * with the family inet_protocols allows and no flags: a numeric address is
 * itself, a name is looked up through nsswitch ("hosts: files dns" on
 * Debian).  The exporter never asks DNS on the scrape path, so it answers
 * from the audited root's /etc/hosts only:
 *   - "[addr]" and "addr": the address;
 *   - a name listed in /etc/hosts: its addresses there (lib/hostsfile.h),
 *     of the families inet_protocols enables;
 *   - "localhost" not listed: the loopback address of each enabled family
 *     (RFC 6761; what every resolver answers);
 *   - any other name: not resolved (0): Postfix would ask DNS, so where it
 *     listens is not known offline.  The caller reports it as undetermined.
 * Documented in docs/postfix.md ("Host names").
 *
 * Pure: the caller reads /etc/hosts (fileio) and passes its text.
 * Diagnostics: none; 0 addresses is the caller's to report.
 */
#ifndef MTA_POSTFIX_RESOLVE_H
#define MTA_POSTFIX_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/inaddr.h"

#define POSTFIX_RESOLVE_MAX 16	/* addresses kept per name */

/* The audited root's /etc/hosts: text NULL (or len 0) = none. */
struct postfix_hosts {
	const char *text;
	size_t len;
};

/*
 * postfix_resolve - the addresses host stands for, of the families v4/v6
 * (numeric addresses are kept whatever their family, as before), at most
 * max into out.  Returns the count; 0 = a name /etc/hosts does not list.
 */
size_t postfix_resolve(const struct postfix_hosts *h, const char *host, bool v4, bool v6,
		       struct inaddr *out, size_t max);

#endif

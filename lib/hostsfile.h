/*
 * hostsfile.h - the addresses an /etc/hosts text gives a host name, as
 * glibc's "files" source answers getaddrinfo() (hosts(5); Debian's
 * /etc/host.conf says "multi on"): every line that lists the name, as its
 * canonical name or an alias, compared without regard to case, in file
 * order, duplicates removed, of the family asked for.
 *
 *	hostsfile_lookup(text, len, "localhost", AF_UNSPEC, out, 8)
 *	    -> 2: 127.0.0.1, ::1 (for Debian's file)
 *
 * Pure: the caller reads the file (lib/fileio.h) and hands over its text;
 * nothing here resolves anything else (no DNS, no nsswitch).  Lines are
 * "address name [alias...]" with '#' starting a comment anywhere; a line
 * whose first field is no address is ignored, as glibc ignores it.  Work
 * is linear in the text; at most max addresses are stored.
 *
 * Diagnostics: none (a line glibc would skip is skipped).
 */
#ifndef MTA_HOSTSFILE_H
#define MTA_HOSTSFILE_H

#include <stddef.h>

#include "lib/inaddr.h"

/*
 * hostsfile_lookup - the addresses text gives name, of family AF_INET,
 * AF_INET6 or AF_UNSPEC (both), into out (at most max, file order,
 * without duplicates).  Returns how many were stored; 0 = the file does
 * not know the name.
 */
size_t hostsfile_lookup(const char *text, size_t len, const char *name, int family,
			struct inaddr *out, size_t max);

#endif

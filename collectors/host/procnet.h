/*
 * procnet.h - parser for /proc/net/tcp and /proc/net/tcp6 (the fallback when
 * the kernel has no sock_diag).
 *
 * procnet_parse() takes the text of one file and appends a struct listener
 * for every socket in LISTEN state (st 0A) whose local port is in ports[]
 * (all ports when ports is NULL).  The kernel prints each 32-bit word of
 * the address as a host-order hex number, so the parser is correct for files
 * produced by the host it runs on.  The file has no bound device and no
 * IPV6_V6ONLY: ifindex is 0 and v6only false (an IPv6 wildcard is assumed to
 * accept IPv4 too, the conservative reading).
 *
 * Diagnostics: a malformed line is reported with log_file_warn(path, line)
 * (at most PROCNET_MAX_WARNINGS per call) and skipped; lines longer than
 * PROCNET_MAX_LINE are malformed.
 */
#ifndef MTA_PROCNET_H
#define MTA_PROCNET_H

#include <stddef.h>
#include <stdint.h>

#include "collectors/core/collector.h"

#define PROCNET_MAX_LINE 512
#define PROCNET_MAX_WARNINGS 5

struct procnet_result {
	struct listener *v;	/* caller's array */
	size_t n, max;
	size_t overflow;	/* matching sockets beyond max */
	size_t bad_lines;
};

/* family is AF_INET (tcp) or AF_INET6 (tcp6); path is only used in messages. */
void procnet_parse(const char *text, size_t len, int family, const char *path,
		   const uint16_t *ports, size_t n_ports, struct procnet_result *out);

#endif

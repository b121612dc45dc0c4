/*
 * procnet.c - parse /proc/net/tcp{,6} text into struct listener.
 *
 * Interface and diagnostics: see procnet.h.  Line format (net/ipv4/tcp_ipv4.c
 * get_tcp4_sock, net/ipv6/tcp_ipv6.c get_tcp6_sock):
 *   "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu ..."
 *   sl local rem st tx:rx tr:when retrnsmt uid timeout inode
 * IPv6 addresses are four %08X words.  The first line is a header.
 */
#include "collectors/host/procnet.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/log.h"

#define TCP_STATE_LISTEN 0x0A

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Exactly n hex digits at *p into *out; advances *p.  0 or -1. */
static int
hexn(const char **p, const char *end, size_t n, uint32_t *out)
{
	uint32_t v = 0;

	if ((size_t)(end - *p) < n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int h = hexval((*p)[i]);

		if (h < 0)
			return -1;
		v = v << 4 | (uint32_t)h;
	}
	*p += n;
	*out = v;
	return 0;
}

static void
skip_spaces(const char **p, const char *end)
{
	while (*p < end && **p == ' ')
		(*p)++;
}

/* A whitespace-delimited field; returns its length (0 = none). */
static size_t
field(const char **p, const char *end, const char **start)
{
	skip_spaces(p, end);
	*start = *p;
	while (*p < end && **p != ' ')
		(*p)++;
	return (size_t)(*p - *start);
}

static int
parse_decimal(const char *s, size_t n, uint32_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 10)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static bool
port_wanted(const uint16_t *ports, size_t n, uint16_t port)
{
	if (!ports)
		return true;
	for (size_t i = 0; i < n; i++)
		if (ports[i] == port)
			return true;
	return false;
}

/* One line; 1 = a wanted listener in *l, 0 = skip, -1 = malformed (why set). */
static int
parse_line(const char *p, const char *end, int family,
	   struct listener *l, const char **why)
{
	size_t words = family == AF_INET ? 1 : 4;
	const char *f;
	size_t n;
	uint32_t w, port, st, uid, inode;

	memset(l, 0, sizeof(*l));
	n = field(&p, end, &f);			/* "sl:" */
	if (n < 2 || f[n - 1] != ':') {
		*why = "no slot number";
		return -1;
	}
	skip_spaces(&p, end);
	for (size_t i = 0; i < words; i++) {
		if (hexn(&p, end, 8, &w) < 0) {
			*why = "bad local address";
			return -1;
		}
		memcpy(l->addr.a + 4 * i, &w, 4);	/* host-order word of a be32 */
	}
	if (p >= end || *p++ != ':' || hexn(&p, end, 4, &port) < 0 ||
	    (p < end && *p != ' ')) {
		*why = "bad local port";
		return -1;
	}
	n = field(&p, end, &f);			/* remote address */
	if (n != words * 8 + 5) {
		*why = "bad remote address";
		return -1;
	}
	skip_spaces(&p, end);
	if (hexn(&p, end, 2, &st) < 0 || (p < end && *p != ' ')) {
		*why = "bad state";
		return -1;
	}
	for (int i = 0; i < 3; i++)		/* tx:rx tr:when retrnsmt */
		if (field(&p, end, &f) == 0) {
			*why = "missing fields";
			return -1;
		}
	n = field(&p, end, &f);
	if (parse_decimal(f, n, &uid) < 0) {
		*why = "bad uid";
		return -1;
	}
	if (field(&p, end, &f) == 0) {		/* timeout */
		*why = "missing fields";
		return -1;
	}
	n = field(&p, end, &f);
	if (parse_decimal(f, n, &inode) < 0) {
		*why = "bad inode";
		return -1;
	}
	l->addr.family = family;
	l->port = (uint16_t)port;
	l->uid = uid;
	l->inode = inode;
	return st == TCP_STATE_LISTEN;
}

void
procnet_parse(const char *text, size_t len, int family, const char *path,
	      const uint16_t *ports, size_t n_ports, struct procnet_result *out)
{
	const char *p = text, *end = text + len;
	unsigned lineno = 0, warned = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		const char *why = NULL;
		struct listener l;
		int r;

		lineno++;
		if (lineno == 1) {
			p = nl ? nl + 1 : end;	/* header */
			continue;
		}
		if (eol - p > PROCNET_MAX_LINE) {
			why = "line too long";
			r = -1;
		} else if (eol == p) {
			r = 0;
		} else {
			r = parse_line(p, eol, family, &l, &why);
		}
		if (r < 0) {
			out->bad_lines++;
			if (warned++ < PROCNET_MAX_WARNINGS)
				log_file_warn(path, lineno, "%s", why);
		} else if (r == 1 && port_wanted(ports, n_ports, l.port)) {
			if (out->n < out->max)
				out->v[out->n++] = l;
			else
				out->overflow++;
		}
		p = nl ? nl + 1 : end;
	}
}

/*
 * http.h - the HTTP front end (libmicrohttpd).
 *
 * One MHD daemon per listen address, each on a socket bound here and handed
 * over with MHD_OPTION_LISTEN_SOCKET, served by MHD's internal polling
 * thread (epoll when available).  Connection slots, per client and in all,
 * and the response bytes in flight are managed by exporter/admission.c: at
 * a limit the busiest clients' idle or stalled connections make room, so
 * idle, slow or non-reading clients cannot lock a scraper out.  Bodies are
 * built in memory and shared: concurrent requests for the same format wait
 * for one collection, collections are rate-limited (HTTP_COLLECT_RATE), and
 * a body is sent by reference (docs/http.md).
 *
 * Routes: GET/HEAD <telemetry path>, / (landing page), /-/healthy.
 * Anything else is 404; a known path with another method is 405 + Allow.
 *
 * --web.config.file adds TLS, client certificates, basic auth and extra
 * response headers (exporter-toolkit format, see webconfig.h); it is read
 * at http_bind() (an invalid file is fatal) and again by http_reload()
 * (SIGHUP).  Listening sockets passed by systemd socket activation
 * (LISTEN_PID/LISTEN_FDS) are used instead of binding, with or without
 * --web.systemd-socket; the flag makes their absence fatal.
 */
#ifndef MTA_HTTP_H
#define MTA_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "collectors/core/scrape.h"
#include "exporter/options.h"
#include "lib/buf.h"

/* Per connection: request line + headers (up to about 16 KiB; more is
 * answered 414/431 by libmicrohttpd).  With --web.max-connections it bounds
 * what connections hold: 512 x 32 KiB = 16 MiB. */
#define HTTP_CONNECTION_MEMORY (32 * 1024)
/* Response bytes in flight, all connections (at least twice --web.max-body-bytes). */
#define HTTP_INFLIGHT_BYTES (32u << 20)
/* Connections libmicrohttpd may hold beyond twice the limit (being closed to make room). */
#define HTTP_MHD_EXTRA 64

struct http_server;

enum http_route {
	HTTP_ROUTE_METRICS,
	HTTP_ROUTE_LANDING,
	HTTP_ROUTE_HEALTHY,
	HTTP_ROUTE_NOT_FOUND,
	HTTP_ROUTE_METHOD_NOT_ALLOWED,
	HTTP_ROUTE_BAD_REQUEST,		/* the method is not an RFC 9110 token */
};

/* http_bind - load the web config, bind every --web.listen-address (or take
 * the systemd sockets); NULL with a logged reason. */
struct http_server *http_bind(const struct options *opts, struct scrape *s);
/* http_start - start serving on the bound sockets. */
int http_start(struct http_server *h);
void http_stop(struct http_server *h);
/* http_reload - re-read the web config; on error log it, keep the old one, return -1. */
int http_reload(struct http_server *h);

/* Pure helpers, exposed for tests. */
int http_parse_listen_address(const char *s, char *host, size_t hostlen, unsigned *port);
int http_gzip(const char *in, size_t inlen, struct buf *out);
/*
 * http_route - what a request for the target (target_len bytes, decoded)
 * with method gets (authentication aside).  A target holding a NUL byte
 * (sent raw in the request line) is never routed: as a C string
 * "/metrics\0junk" would be "/metrics".
 */
enum http_route http_route(const char *method, const char *target, size_t target_len,
			   const char *telemetry_path);
/* http_systemd_fds - validate LISTEN_PID/LISTEN_FDS for this process; the
 * sockets are fds 3 .. 3+*nfds-1.  1 with err set when no sockets are meant
 * for this process (unset, or LISTEN_PID names another one); -1 with err
 * set when they are but LISTEN_FDS is unusable. */
int http_systemd_fds(const char *listen_pid, const char *listen_fds, long mypid, int *nfds,
		     char *err, size_t errlen);

#endif

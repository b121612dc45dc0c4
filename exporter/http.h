/*
 * http.h - the HTTP front end (libmicrohttpd).
 *
 * One MHD daemon per listen address, each on a socket bound here and handed
 * over with MHD_OPTION_LISTEN_SOCKET, served by MHD's internal polling
 * thread (epoll when available).  Connection limits (global and per client
 * address) and an idle timeout keep slow or idle clients from starving
 * scrapes; responses are built in memory, so a client that reads slowly
 * holds only its own connection.
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

/* Per connection: request line + headers (a 64 KiB Accept header still fits;
 * more is answered 414/431 by libmicrohttpd). */
#define HTTP_CONNECTION_MEMORY (128 * 1024)

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

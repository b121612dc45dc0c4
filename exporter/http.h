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
 */
#ifndef MTA_HTTP_H
#define MTA_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "exporter/buf.h"
#include "exporter/options.h"
#include "exporter/scrape.h"

struct http_server;

/* http_bind - bind every --web.listen-address; -1 with a logged reason. */
struct http_server *http_bind(const struct options *opts, struct scrape *s);
/* http_start - start serving on the bound sockets. */
int http_start(struct http_server *h);
void http_stop(struct http_server *h);

/* Pure helpers, exposed for tests. */
int http_parse_listen_address(const char *s, char *host, size_t hostlen, unsigned *port);
int http_gzip(const char *in, size_t inlen, struct buf *out);

#endif

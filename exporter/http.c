/*
 * http.c - libmicrohttpd front end (see http.h).
 *
 * DIAGNOSTICS: bind failures are fatal at startup and name the address.
 * A scrape that cannot be rendered whole is answered 500 with a short text
 * body and a warning in the log; the body is never truncated.
 */
#include "exporter/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include "collectors/collector.h"
#include "exporter/log.h"
#include "exporter/negotiate.h"
#include "version.h"

struct http_listener {
	int fd;
	char addr[160];
	struct MHD_Daemon *daemon;
};

struct http_server {
	const struct options *opts;
	struct scrape *scrape;
	struct http_listener ls[OPTIONS_MAX_LISTEN];
	size_t n;
	char *landing;		/* prebuilt landing page */
	size_t landing_len;
};

/* A request-phase marker: MHD calls the handler once before any body. */
static int request_seen;

int
http_parse_listen_address(const char *s, char *host, size_t hostlen, unsigned *port)
{
	const char *colon, *hs = s, *he;
	char *end;
	unsigned long p;

	if (s[0] == '[') {
		he = strchr(s, ']');
		if (he == NULL || he[1] != ':')
			return -1;
		hs = s + 1;
		colon = he + 1;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL)
			return -1;
		he = colon;
		if (memchr(s, ':', (size_t)(colon - s)) != NULL)
			return -1;	/* bare IPv6 needs brackets */
	}
	if ((size_t)(he - hs) >= hostlen)
		return -1;
	memcpy(host, hs, (size_t)(he - hs));
	host[he - hs] = '\0';
	if (colon[1] < '0' || colon[1] > '9')
		return -1;
	errno = 0;
	p = strtoul(colon + 1, &end, 10);
	if (errno || *end != '\0' || p > 65535)
		return -1;
	*port = (unsigned)p;
	return 0;
}

static int
bind_one(const char *spec, char *err, size_t errlen)
{
	char host[128], portstr[8];
	struct addrinfo hints, *res = NULL, *ai;
	unsigned port;
	int fd = -1, one = 1, r;

	if (http_parse_listen_address(spec, host, sizeof(host), &port) < 0) {
		snprintf(err, errlen, "invalid listen address (want host:port or [v6]:port)");
		return -1;
	}
	snprintf(portstr, sizeof(portstr), "%u", port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((r = getaddrinfo(host[0] ? host : NULL, portstr, &hints, &res)) != 0) {
		snprintf(err, errlen, "cannot resolve: %s", gai_strerror(r));
		return -1;
	}
	/* An empty host binds the IPv6 wildcard (dual stack) when possible. */
	for (ai = res; ai; ai = ai->ai_next) {
		if (!host[0] && ai->ai_family != AF_INET6 && ai->ai_next)
			continue;
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (ai->ai_family == AF_INET6 && !host[0]) {
			int zero = 0;
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		}
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 128) == 0)
			break;
		snprintf(err, errlen, "%s", strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

static void
html_escape(struct buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '&': buf_puts(b, "&amp;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		case '\'': buf_puts(b, "&#39;"); break;
		default: buf_putc(b, *s);
		}
	}
}

static int
build_landing(struct http_server *h)
{
	struct buf b;

	buf_init(&b, 1u << 20);
	buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		     "<title>MTA Exporter</title></head><body>\n<h1>MTA Exporter</h1>\n"
		     "<p>Audits the hardening of local mail transfer agents (Postfix, Exim, Sendmail).</p>\n"
		     "<p>Version " MTA_VERSION " (revision " MTA_REVISION ")</p>\n<p><a href=\"");
	html_escape(&b, h->opts->telemetry_path);
	buf_puts(&b, "\">Metrics</a></p>\n<h2>Collectors</h2>\n<table>\n"
		     "<tr><th>collector</th><th>state</th><th>description</th></tr>\n");
	for (size_t i = 0; i < collector_count; i++) {
		buf_puts(&b, "<tr><td>");
		html_escape(&b, collector_table[i]->name);
		buf_puts(&b, h->opts->enabled[i] ? "</td><td>enabled</td><td>" : "</td><td>disabled</td><td>");
		html_escape(&b, collector_table[i]->help);
		buf_puts(&b, "</td></tr>\n");
	}
	buf_puts(&b, "</table>\n</body></html>\n");
	if (b.failed) {
		buf_free(&b);
		return -1;
	}
	h->landing = buf_steal(&b, &h->landing_len);
	return 0;
}

int
http_gzip(const char *in, size_t inlen, struct buf *out)
{
	z_stream z;
	unsigned char chunk[16384];
	int r;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	z.next_in = (unsigned char *)(uintptr_t)in;
	z.avail_in = (uInt)inlen;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		r = deflate(&z, Z_FINISH);
		if (r == Z_STREAM_ERROR)
			break;
		buf_append(out, chunk, sizeof(chunk) - z.avail_out);
	} while (r != Z_STREAM_END && !out->failed);
	deflateEnd(&z);
	return (r == Z_STREAM_END && !out->failed) ? 0 : -1;
}

static enum MHD_Result
queue_text(struct MHD_Connection *c, unsigned status, const char *text, const char *allow)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(strlen(text), (void *)(uintptr_t)text,
					    MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	if (allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
serve_metrics(struct http_server *h, struct MHD_Connection *c)
{
	const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	const char *ae = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING);
	enum metrics_format fmt = negotiate_format(accept);
	bool gzip = negotiate_gzip(ae), failed;
	struct MHD_Response *r;
	struct buf body, z;
	enum MHD_Result ret;
	char *data;
	size_t len;

	buf_init(&body, h->opts->max_body_bytes);
	if (scrape_render(h->scrape, fmt, &body, &failed) < 0) {
		buf_free(&body);
		log_warn("scrape could not be rendered whole; answering 500", NULL);
		return queue_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
				  "500 the metrics could not be produced completely; see the exporter log\n", NULL);
	}
	if (gzip) {
		buf_init(&z, h->opts->max_body_bytes);
		if (http_gzip(body.data, body.len, &z) < 0) {
			buf_free(&z);
			gzip = false;	/* fall back to the identity body */
		} else {
			buf_free(&body);
			body = z;
		}
	}
	data = buf_steal(&body, &len);
	r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(data);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				fmt == METRICS_OPENMETRICS_100 ? METRICS_CONTENT_TYPE_OPENMETRICS
							       : METRICS_CONTENT_TYPE_TEXT);
	MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, MHD_HTTP_HEADER_ACCEPT_ENCODING);
	if (gzip)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
serve_landing(struct http_server *h, struct MHD_Connection *c)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(h->landing_len, h->landing, MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/html; charset=utf-8");
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
	const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct http_server *h = cls;
	bool get_or_head;

	if (*con_cls == NULL) {
		*con_cls = &request_seen;
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		*upload_data_size = 0;	/* request bodies are read and dropped */
		return MHD_YES;
	}
	get_or_head = strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
		      strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
	if (strcmp(url, h->opts->telemetry_path) == 0) {
		if (!get_or_head)
			return queue_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "405 method not allowed\n", "GET, HEAD");
		return serve_metrics(h, c);
	}
	if (strcmp(url, "/") == 0) {
		if (!get_or_head)
			return queue_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "405 method not allowed\n", "GET, HEAD");
		return serve_landing(h, c);
	}
	if (strcmp(url, "/-/healthy") == 0) {
		if (!get_or_head)
			return queue_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "405 method not allowed\n", "GET, HEAD");
		return queue_text(c, MHD_HTTP_OK, "Healthy\n", NULL);
	}
	return queue_text(c, MHD_HTTP_NOT_FOUND, "404 page not found\n", NULL);
}

/* libmicrohttpd's own messages; the format string comes from the library. */
static void
mhd_logger(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	vsnprintf(msg, sizeof(msg), fmt, ap);
#pragma GCC diagnostic pop
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	log_debug("http", "detail", msg, NULL);
}

struct http_server *
http_bind(const struct options *opts, struct scrape *s)
{
	struct http_server *h = calloc(1, sizeof(*h));
	char err[256];

	if (h == NULL)
		return NULL;
	h->opts = opts;
	h->scrape = s;
	if (build_landing(h) < 0)
		goto fail;
	for (size_t i = 0; i < opts->n_listen; i++) {
		err[0] = '\0';
		h->ls[i].fd = bind_one(opts->listen[i], err, sizeof(err));
		snprintf(h->ls[i].addr, sizeof(h->ls[i].addr), "%s", opts->listen[i]);
		if (h->ls[i].fd < 0) {
			log_error("cannot listen", "address", opts->listen[i], "err", err, NULL);
			goto fail;
		}
		h->n++;
	}
	return h;
fail:
	http_stop(h);
	return NULL;
}

int
http_start(struct http_server *h)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;

	if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES)
		flags |= MHD_USE_EPOLL;
	else
		flags |= MHD_USE_AUTO;
	for (size_t i = 0; i < h->n; i++) {
		h->ls[i].daemon = MHD_start_daemon(
			flags, 0, NULL, NULL, &handler, h,
			MHD_OPTION_LISTEN_SOCKET, h->ls[i].fd,
			MHD_OPTION_CONNECTION_LIMIT, h->opts->max_connections,
			MHD_OPTION_PER_IP_CONNECTION_LIMIT, h->opts->max_connections_per_ip,
			MHD_OPTION_CONNECTION_TIMEOUT, h->opts->connection_timeout_s,
			MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
			MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, NULL,
			MHD_OPTION_END);
		if (h->ls[i].daemon == NULL) {
			log_error("cannot start HTTP server", "address", h->ls[i].addr, NULL);
			return -1;
		}
		log_info("listening", "address", h->ls[i].addr, NULL);
	}
	return 0;
}

void
http_stop(struct http_server *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < h->n; i++) {
		if (h->ls[i].daemon)
			MHD_stop_daemon(h->ls[i].daemon);
		else if (h->ls[i].fd >= 0)
			close(h->ls[i].fd);
	}
	free(h->landing);
	free(h);
}

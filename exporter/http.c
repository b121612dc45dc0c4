/*
 * http.c - libmicrohttpd front end (see http.h).
 *
 * Request handling: the TLS client-certificate checks the library does
 * not do (client_auth_type semantics, client_allowed_sans), then basic
 * auth (cached credentials at once; otherwise the request is suspended
 * while exporter/verifier.c runs the bcrypt, and decided when resumed),
 * then routing (http_route, a pure function), then the answer; the web
 * config's extra headers go on every response, errors included.
 *
 * Per connection (struct http_conn, MHD's socket context) the admission
 * record, the client, the request's phase and the raw target's length.
 * The verifier is closed (pending verifications answered 503) before any
 * daemon is stopped or restarted: MHD must not stop with a suspended
 * connection.
 *
 * The web configuration is shared by the MHD threads through a read-write
 * lock.  http_reload() (SIGHUP) loads the file again; on success it swaps
 * the configuration and, when the TLS material or settings changed,
 * restarts each daemon on its quiesced listening socket, so no socket is
 * ever closed and reopened.  On failure the last good configuration stays.
 *
 * DIAGNOSTICS: bind failures are fatal at startup and name the address.
 * A scrape that cannot be rendered whole is answered 500 with a short text
 * body and a warning in the log; the body is never truncated.  Web config
 * errors name the file, line and key.
 */
#include "exporter/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "collectors/core/collector.h"
#include "exporter/admission.h"
#include "exporter/auth.h"
#include "exporter/exposition/negotiate.h"
#include "exporter/verifier.h"
#include "exporter/webconfig.h"
#include "lib/log.h"
#include "lib/version.h"

/* Worker threads per daemon (bcrypt runs on the verifier's thread, not on these). */
#define HTTP_THREADS 4
/* The listen queue: a burst of connections waits there rather than losing SYNs (the kernel caps it at somaxconn). */
#define HTTP_BACKLOG SOMAXCONN
/* Seconds between two warnings that connections are being refused or closed to make room. */
#define HTTP_PRESSURE_LOG_S 60
/*
 * Collections: HTTP_COLLECT_BURST at once, then at most HTTP_COLLECT_RATE
 * per second and at most HTTP_COLLECT_DUTY of the time (the refill rate
 * is also capped at DUTY / the last collection's duration); a request
 * beyond that gets the newest body of its variant if it is younger than
 * HTTP_SHARE_MAX_AGE seconds (docs/http.md).  Collections run on the MHD
 * worker threads: a scrape can wait behind every collection that starts
 * before its turn, at most about BURST * duration / (1 - DUTY) seconds.
 */
#define HTTP_COLLECT_RATE 20.0
#define HTTP_COLLECT_BURST 8.0
#define HTTP_COLLECT_DUTY 0.5
#define HTTP_SHARE_MAX_AGE 1.0
/*
 * The kernel send buffer of each connection (the kernel doubles it): with
 * autotuning a client that never reads makes the kernel take up to 4 MiB
 * of responses per connection (tcp_wmem), so 512 of them kept every worker
 * thread copying bodies for seconds when a pipelining flood began.  256 KiB
 * still fills a 1 Gbit/s link at 2 ms round trip.
 */
#define HTTP_SNDBUF (128 * 1024)

/* One loaded web configuration with its derived state. */
struct http_web {
	struct webconfig wc;
	struct auth *auth;	/* NULL: no basic auth */
	char priority[512];
	char *trust;		/* PEM handed to MHD as trust (client CA, or the server cert as a placeholder) */
};

/*
 * A rendered exposition, shared by reference by every response that sends
 * it (the memory is freed with the last one).
 */
struct http_body {
	unsigned refs;		/* atomic */
	char *data;
	size_t len;
	enum metrics_format fmt;
	bool gzip;
	double started;		/* when its collection began */
};

/* A body being built; requests for the same variant meanwhile wait for it. */
struct http_build {
	struct http_body *body;	/* when done; NULL if it failed */
	bool done;
	unsigned waiters;	/* the last one out frees this */
};

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
	pthread_rwlock_t web_lock;
	struct http_web *web;	/* current configuration, never NULL after http_bind */
	struct http_web *daemon_web;	/* the one the running daemons were started with */
	struct admission *adm;	/* connection slots and response bytes, all listeners */
	struct verifier *verifier;	/* bcrypt off these threads (from http_start) */
	pthread_mutex_t share_lock;
	pthread_cond_t share_done;
	struct http_build *building[2][2];	/* [openmetrics][gzip] */
	struct http_body *latest[2][2];	/* the newest body of each variant (one reference) */
	double tokens, refilled;	/* collections allowed now (HTTP_COLLECT_RATE/BURST), and when */
	double collect_s;	/* how long the last collection took (under share_lock) */
	int pressure;		/* set when admission closed a connection (atomic) */
	double pressure_logged;	/* when that was last logged (under pressure_lock) */
	pthread_mutex_t pressure_lock;
};

/*
 * One connection (MHD's socket context, from NOTIFY_CONNECTION STARTED to
 * CLOSED) and the request in progress on it (the URI log callback starts
 * one, NOTIFY_COMPLETED ends it).
 */
struct http_conn {
	int fd;
	struct MHD_Connection *c;
	struct admission_client client;
	struct admission_conn *adm;
	/* MHD calls the handler once before any body; VERIFYING: suspended for the verifier */
	enum { REQ_NONE, REQ_NEW, REQ_HEADERS, REQ_VERIFYING } phase;
	enum { VERDICT_MATCH, VERDICT_MISMATCH, VERDICT_BUSY, VERDICT_UNAVAILABLE } verdict;
	struct auth_attempt attempt;	/* what auth_lookup found, while verifying */
	bool closing;		/* admission closed it to make room */
	const char *target;	/* the request target, in MHD's buffer */
	size_t target_scan;	/* its strlen() before decoding: short of its length if it holds a raw NUL */
};

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

int
http_systemd_fds(const char *listen_pid, const char *listen_fds, long mypid, int *nfds, char *err, size_t errlen)
{
	char *end;
	long pid, n;

	if (listen_pid == NULL || listen_fds == NULL) {
		snprintf(err, errlen, "LISTEN_PID/LISTEN_FDS not set (not started by systemd socket activation)");
		return 1;
	}
	errno = 0;
	pid = strtol(listen_pid, &end, 10);
	if (errno || end == listen_pid || *end != '\0' || pid <= 0) {
		snprintf(err, errlen, "LISTEN_PID=\"%.20s\" is not a process id", listen_pid);
		return 1;
	}
	if (pid != mypid) {
		snprintf(err, errlen, "LISTEN_PID=%ld is not this process (%ld)", pid, mypid);
		return 1;
	}
	errno = 0;
	n = strtol(listen_fds, &end, 10);
	if (errno || end == listen_fds || *end != '\0' || n < 1 || n > OPTIONS_MAX_LISTEN) {
		snprintf(err, errlen, "LISTEN_FDS=\"%.20s\": expected 1 to %d sockets", listen_fds, OPTIONS_MAX_LISTEN);
		return -1;
	}
	*nfds = (int)n;
	return 0;
}

/* RFC 9110 token characters. */
static bool
is_token(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (strchr("!#$%&'*+-.^_`|~", *s) == NULL && !((*s >= '0' && *s <= '9') ||
		    (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
			return false;
	return true;
}

enum http_route
http_route(const char *method, const char *url, size_t url_len, const char *telemetry_path)
{
	bool get_or_head = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	enum http_route r;

	if (!is_token(method))
		return HTTP_ROUTE_BAD_REQUEST;
	if (memchr(url, '\0', url_len) != NULL)
		return HTTP_ROUTE_NOT_FOUND;
	if (strcmp(url, telemetry_path) == 0)
		r = HTTP_ROUTE_METRICS;
	else if (strcmp(url, "/") == 0)
		r = HTTP_ROUTE_LANDING;
	else if (strcmp(url, "/-/healthy") == 0)
		r = HTTP_ROUTE_HEALTHY;
	else
		return HTTP_ROUTE_NOT_FOUND;
	return get_or_head ? r : HTTP_ROUTE_METHOD_NOT_ALLOWED;
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
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, HTTP_BACKLOG) == 0)
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
		buf_puts(&b, h->opts->env.enabled[i] ? "</td><td>enabled</td><td>" : "</td><td>disabled</td><td>");
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

/* queue - add the configured headers and queue r; consumes r. */
static enum MHD_Result
queue(const struct http_web *w, struct MHD_Connection *c, unsigned status, struct MHD_Response *r)
{
	enum MHD_Result ret;

	if (r == NULL)
		return MHD_NO;
	for (size_t i = 0; i < w->wc.n_headers; i++)
		MHD_add_response_header(r, w->wc.headers[i].name, w->wc.headers[i].value);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static struct MHD_Response *
text_response(const char *text)
{
	struct MHD_Response *r;

	r = MHD_create_response_from_buffer(strlen(text), (void *)(uintptr_t)text, MHD_RESPMEM_PERSISTENT);
	if (r)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	return r;
}

/* now - the monotonic clock in seconds, as admission wants it */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* body_unref - drop one reference (under share_lock or not: refs is atomic) */
static void
body_unref(void *cls)
{
	struct http_body *b = cls;

	if (b != NULL && __atomic_sub_fetch(&b->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		free(b->data);
		free(b);
	}
}

/* build - one collection rendered as fmt (gzip-compressed if asked and possible); NULL on failure */
static struct http_body *
build(struct http_server *h, enum metrics_format fmt, bool gzip)
{
	struct http_body *b = calloc(1, sizeof(*b));
	struct buf body, z;
	bool failed;

	if (b == NULL)
		return NULL;
	buf_init(&body, h->opts->max_body_bytes);
	if (scrape_render(h->scrape, fmt, &body, &failed) < 0) {
		buf_free(&body);
		free(b);
		log_warn("scrape could not be rendered whole; answering 500", NULL);
		return NULL;
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
	b->refs = 1;
	b->fmt = fmt;
	b->gzip = gzip;
	b->data = buf_steal(&body, &b->len);
	return b;
}

/* may_collect - take a collection token if there is one (under share_lock) */
static bool
may_collect(struct http_server *h, double t)
{
	double rate = HTTP_COLLECT_RATE;

	if (h->collect_s > 0 && HTTP_COLLECT_DUTY / h->collect_s < rate)
		rate = HTTP_COLLECT_DUTY / h->collect_s;
	h->tokens += (t - h->refilled) * rate;
	if (h->tokens > HTTP_COLLECT_BURST)
		h->tokens = HTTP_COLLECT_BURST;
	h->refilled = t;
	if (h->tokens < 1.0)
		return false;
	h->tokens -= 1.0;
	return true;
}

/*
 * shared_body - a body for (fmt, gzip), one reference for the caller:
 *   - the one being built for another request right now, if there is one
 *     (its collection began before this request came);
 *   - else a new collection, if the rate allows it (may_collect) or the
 *     newest body of this variant is older than HTTP_SHARE_MAX_AGE;
 *   - else that newest body.
 */
static struct http_body *
shared_body(struct http_server *h, enum metrics_format fmt, bool gzip)
{
	int om = fmt == METRICS_OPENMETRICS_100;
	struct http_build **slot = &h->building[om][gzip], *p;
	struct http_body *b, *old;
	double t = now(), t0;

	pthread_mutex_lock(&h->share_lock);
	if ((p = *slot) != NULL) {
		p->waiters++;
		while (!p->done)
			pthread_cond_wait(&h->share_done, &h->share_lock);
		b = p->body;	/* the builder took our reference for us */
		if (--p->waiters == 0)
			free(p);
		pthread_mutex_unlock(&h->share_lock);
		return b;
	}
	b = h->latest[om][gzip];
	if (!may_collect(h, t) && b != NULL && t - b->started < HTTP_SHARE_MAX_AGE) {
		__atomic_add_fetch(&b->refs, 1, __ATOMIC_ACQ_REL);
		pthread_mutex_unlock(&h->share_lock);
		return b;
	}
	p = calloc(1, sizeof(*p));
	if (p != NULL)
		*slot = p;
	pthread_mutex_unlock(&h->share_lock);
	t0 = now();
	b = build(h, fmt, gzip);
	if (b)
		b->started = t;
	pthread_mutex_lock(&h->share_lock);
	h->collect_s = now() - t0;	/* with the wait for another variant's collection: conservative */
	if (p != NULL) {
		*slot = NULL;	/* no one joins any more: take a reference for each waiter */
		if (b)
			__atomic_add_fetch(&b->refs, p->waiters, __ATOMIC_ACQ_REL);
		p->body = b;
		p->done = true;
		if (p->waiters == 0)
			free(p);
		pthread_cond_broadcast(&h->share_done);
	}
	old = NULL;
	if (b) {
		old = h->latest[om][gzip];
		__atomic_add_fetch(&b->refs, 1, __ATOMIC_ACQ_REL);	/* the cache's */
		h->latest[om][gzip] = b;
	}
	pthread_mutex_unlock(&h->share_lock);
	body_unref(old);
	return b;
}

static enum MHD_Result
serve_metrics(struct http_server *h, const struct http_web *w, struct MHD_Connection *c,
	      struct http_conn *hc)
{
	const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	const char *ae = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING);
	struct http_body *b = shared_body(h, negotiate_format(accept), negotiate_gzip(ae));
	struct MHD_Response *r;

	if (b == NULL)
		return queue(w, c, MHD_HTTP_INTERNAL_SERVER_ERROR,
			     text_response("500 the metrics could not be produced completely; see the exporter log\n"));
	if (!admission_respond(h->adm, hc->adm, b->len, now())) {
		body_unref(b);
		log_debug("too many response bytes in flight; answering 503", NULL);
		r = text_response("503 too many responses in flight; retry\n");
		if (r)
			MHD_add_response_header(r, "Retry-After", "1");
		return queue(w, c, MHD_HTTP_SERVICE_UNAVAILABLE, r);
	}
	r = MHD_create_response_from_buffer_with_free_callback_cls(b->len, b->data, body_unref, b);
	if (r == NULL) {
		body_unref(b);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				b->fmt == METRICS_OPENMETRICS_100 ? METRICS_CONTENT_TYPE_OPENMETRICS
								  : METRICS_CONTENT_TYPE_TEXT);
	MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, MHD_HTTP_HEADER_ACCEPT_ENCODING);
	if (b->gzip)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	return queue(w, c, MHD_HTTP_OK, r);
}

static struct MHD_Response *
landing_response(struct http_server *h)
{
	struct MHD_Response *r;

	r = MHD_create_response_from_buffer(h->landing_len, h->landing, MHD_RESPMEM_PERSISTENT);
	if (r)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/html; charset=utf-8");
	return r;
}

/* san_allowed - does the leaf certificate carry one of client_allowed_sans? */
static bool
san_allowed(const struct webconfig *wc, const gnutls_datum_t *der)
{
	gnutls_x509_crt_t crt;
	bool ok = false;

	if (gnutls_x509_crt_init(&crt) < 0)
		return false;
	if (gnutls_x509_crt_import(crt, der, GNUTLS_X509_FMT_DER) < 0)
		goto out;
	for (unsigned i = 0; !ok && i < 64; i++) {
		char name[512], text[INET6_ADDRSTRLEN];
		size_t size = sizeof(name) - 1;
		const char *cand = name;
		int type = gnutls_x509_crt_get_subject_alt_name(crt, i, name, &size, NULL);

		if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (type < 0)
			continue;	/* too long or unparsable: cannot match */
		if (type == GNUTLS_SAN_IPADDRESS) {
			if (size == 4)
				inet_ntop(AF_INET, name, text, sizeof(text));
			else if (size == 16)
				inet_ntop(AF_INET6, name, text, sizeof(text));
			else
				continue;
			cand = text;
		} else if (type == GNUTLS_SAN_DNSNAME || type == GNUTLS_SAN_RFC822NAME || type == GNUTLS_SAN_URI) {
			name[size] = '\0';
			if (strlen(name) != size)
				continue;	/* embedded NUL */
		} else {
			continue;
		}
		for (size_t k = 0; !ok && k < wc->n_allowed_sans; k++)
			ok = strcmp(cand, wc->allowed_sans[k]) == 0;
	}
out:
	gnutls_x509_crt_deinit(crt);
	return ok;
}

/* client_cert_refusal - the client_auth_type semantics GnuTLS leaves to us; NULL or the reason to refuse. */
static const char *
client_cert_refusal(const struct http_web *w, struct MHD_Connection *c)
{
	const struct webconfig *wc = &w->wc;
	const union MHD_ConnectionInfo *ci;
	const gnutls_datum_t *certs;
	unsigned ncerts = 0, status = 0;
	gnutls_session_t s;

	if (!wc->tls || wc->client_auth == WEBCONFIG_NO_CLIENT_CERT)
		return NULL;
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (ci == NULL || ci->tls_session == NULL)
		return "403 client certificate required\n";
	s = (gnutls_session_t)ci->tls_session;
	certs = gnutls_certificate_get_peers(s, &ncerts);
	if (certs == NULL || ncerts == 0) {
		if (wc->client_auth == WEBCONFIG_REQUIRE_ANY_CLIENT_CERT ||
		    wc->client_auth == WEBCONFIG_REQUIRE_AND_VERIFY_CLIENT_CERT)
			return "403 client certificate required\n";
		return NULL;
	}
	if (wc->client_auth == WEBCONFIG_VERIFY_CLIENT_CERT_IF_GIVEN ||
	    wc->client_auth == WEBCONFIG_REQUIRE_AND_VERIFY_CLIENT_CERT) {
		if (gnutls_certificate_verify_peers2(s, &status) < 0 || status != 0)
			return "403 client certificate not trusted\n";
		if (wc->n_allowed_sans && !san_allowed(wc, &certs[0]))
			return "403 client certificate SAN not allowed\n";
	}
	return NULL;
}

/* credentials - user and password of the Authorization header (auth_parse_basic); 0 or -1 */
static int
credentials(struct MHD_Connection *c, char **user, char **pass)
{
	const char *v = NULL;
	size_t n = 0;

	*user = *pass = NULL;
	if (MHD_lookup_connection_value_n(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION,
					  strlen(MHD_HTTP_HEADER_AUTHORIZATION), &v, &n) != MHD_YES ||
	    v == NULL)
		return -1;
	return auth_parse_basic(v, n, user, pass);
}

static void
credentials_free(char *user, char *pass)
{
	if (user == NULL)
		return;
	explicit_bzero(user, strlen(user));
	explicit_bzero(pass, strlen(pass));
	free(user);
}

/* verified - the verifier's answer for hc (on its thread): resume the request */
static void
verified(void *cls, enum verifier_result r)
{
	struct http_conn *hc = cls;

	hc->verdict = r == VERIFIER_MATCH ? VERDICT_MATCH : r == VERIFIER_MISMATCH ? VERDICT_MISMATCH
										 : VERDICT_UNAVAILABLE;
	MHD_resume_connection(hc->c);
}

enum auth_step { AUTH_PASS, AUTH_WAIT, AUTH_DENY, AUTH_BUSY, AUTH_UNAVAILABLE };

/*
 * authenticate - basic auth for the request on hc.  Cached credentials
 * pass at once; others are suspended for the verifier (AUTH_WAIT) and
 * decided when the handler is called again, resumed.
 */
static enum auth_step
authenticate(struct http_server *h, const struct http_web *w, struct MHD_Connection *c, struct http_conn *hc)
{
	char *user, *pass;
	enum verifier_refusal q;
	bool ok;

	if (hc->phase == REQ_VERIFYING) {	/* resumed with the verifier's answer */
		hc->phase = REQ_HEADERS;
		admission_hold(h->adm, hc->adm, false);
		ok = hc->verdict == VERDICT_MATCH && hc->attempt.known;
		if (ok && w->auth != NULL)	/* the digest covers the hash: harmless after a reload */
			auth_remember(w->auth, &hc->attempt);
		explicit_bzero(&hc->attempt, sizeof(hc->attempt));
		if (w->auth == NULL)	/* a reload meanwhile removed the users */
			return AUTH_PASS;
		if (!ok)
			log_debug("basic auth failed", "verdict", hc->verdict == VERDICT_BUSY ? "too many pending"
					: hc->verdict == VERDICT_UNAVAILABLE ? "cancelled" : "wrong user or password", NULL);
		return ok ? AUTH_PASS : hc->verdict == VERDICT_BUSY ? AUTH_BUSY
				  : hc->verdict == VERDICT_UNAVAILABLE ? AUTH_UNAVAILABLE : AUTH_DENY;
	}
	if (w->auth == NULL)
		return AUTH_PASS;
	if (credentials(c, &user, &pass) < 0) {
		log_debug("basic auth failed", "user", "(none or malformed)", NULL);
		return AUTH_DENY;
	}
	auth_lookup(w->auth, user, pass, &hc->attempt);
	if (hc->attempt.cached || h->verifier == NULL) {
		ok = hc->attempt.cached || (auth_verify(pass, hc->attempt.hash) && hc->attempt.known);
		credentials_free(user, pass);
		explicit_bzero(&hc->attempt, sizeof(hc->attempt));
		return ok ? AUTH_PASS : AUTH_DENY;
	}
	/* Suspend first: the verifier may answer (and resume) before submit returns. */
	hc->phase = REQ_VERIFYING;
	hc->c = c;
	admission_hold(h->adm, hc->adm, true);
	MHD_suspend_connection(c);
	q = verifier_submit(h->verifier, &hc->client, pass, hc->attempt.hash, verified, hc);
	credentials_free(user, pass);
	if (q != VERIFIER_QUEUED) {
		hc->verdict = q == VERIFIER_BUSY ? VERDICT_BUSY : VERDICT_UNAVAILABLE;
		MHD_resume_connection(c);
	}
	return AUTH_WAIT;
}

static enum MHD_Result
answer(struct http_server *h, const struct http_web *w, struct MHD_Connection *c, struct http_conn *hc,
       const char *url, size_t url_len, const char *method)
{
	struct MHD_Response *r;
	const char *refusal;

	if ((refusal = client_cert_refusal(w, c)) != NULL)
		return queue(w, c, MHD_HTTP_FORBIDDEN, text_response(refusal));
	switch (authenticate(h, w, c, hc)) {
	case AUTH_PASS:
		break;
	case AUTH_WAIT:
		return MHD_YES;
	case AUTH_DENY:
		r = text_response("401 Unauthorized\n");
		if (r)
			MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Basic");
		return queue(w, c, MHD_HTTP_UNAUTHORIZED, r);
	case AUTH_BUSY:
		r = text_response("429 too many password checks pending from this address\n");
		if (r)
			MHD_add_response_header(r, "Retry-After", "1");
		return queue(w, c, MHD_HTTP_TOO_MANY_REQUESTS, r);
	case AUTH_UNAVAILABLE:
		r = text_response("503 the server is restarting; retry\n");
		if (r)
			MHD_add_response_header(r, "Retry-After", "1");
		return queue(w, c, MHD_HTTP_SERVICE_UNAVAILABLE, r);
	}
	switch (http_route(method, url, url_len, h->opts->telemetry_path)) {
	case HTTP_ROUTE_METRICS:
		return serve_metrics(h, w, c, hc);
	case HTTP_ROUTE_LANDING:
		return queue(w, c, MHD_HTTP_OK, landing_response(h));
	case HTTP_ROUTE_HEALTHY:
		return queue(w, c, MHD_HTTP_OK, text_response("Healthy\n"));
	case HTTP_ROUTE_METHOD_NOT_ALLOWED:
		r = text_response("405 method not allowed\n");
		if (r)
			MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
		return queue(w, c, MHD_HTTP_METHOD_NOT_ALLOWED, r);
	case HTTP_ROUTE_BAD_REQUEST:
		return queue(w, c, MHD_HTTP_BAD_REQUEST, text_response("400 bad request\n"));
	case HTTP_ROUTE_NOT_FOUND:
		break;
	}
	return queue(w, c, MHD_HTTP_NOT_FOUND, text_response("404 page not found\n"));
}

/*
 * unescape - percent-decoding that leaves a path containing %00 as it is:
 * decoded, "/metrics%00" would compare equal to "/metrics" as a C string.
 */
static size_t
unescape(void *cls, struct MHD_Connection *c, char *s)
{
	for (const char *p = s; (p = strchr(p, '%')) != NULL; p++)
		if (p[1] == '0' && p[2] == '0')
			return strlen(s);
	return MHD_http_unescape(s);
}

/*
 * target_len - how many bytes of url to route: strlen(url), unless the
 * raw target held a NUL.  MHD gives the target as a C string; the bytes
 * it parsed run from the target to the space before the HTTP version
 * (MHD's version pointer, one past that space, in the same line buffer).
 * When strlen() of the target, taken before MHD decoded it, is shorter,
 * the target held a NUL: then the whole parsed span is routed, NUL and
 * all (http_route refuses it).
 */
static size_t
target_len(const struct http_conn *hc, const char *url, const char *version)
{
	uintptr_t u = (uintptr_t)url, v = (uintptr_t)version;
	size_t raw;

	if (hc == NULL || hc->target != url || v <= u || v - u > HTTP_CONNECTION_MEMORY)
		return strlen(url);	/* no version in the line (HTTP/0.9-like): MHD answers 400 */
	raw = (size_t)(v - 1 - u);
	return hc->target_scan < raw ? raw : strlen(url);
}

static enum MHD_Result
handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
	const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct http_server *h = cls;
	struct http_conn *hc = *con_cls;
	enum MHD_Result ret;

	if (hc == NULL || hc->closing)
		return MHD_NO;	/* refused, closed to make room, or out of memory: close */
	if (hc->phase == REQ_NEW) {
		hc->phase = REQ_HEADERS;
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		*upload_data_size = 0;	/* request bodies are read and dropped */
		return MHD_YES;
	}
	pthread_rwlock_rdlock(&h->web_lock);
	ret = answer(h, h->web, c, hc, url, target_len(hc, url, version), method);
	pthread_rwlock_unlock(&h->web_lock);
	return ret;
}

/* uri_logger - a request line was parsed: the request starts (its state is the connection's) */
static void *
uri_logger(void *cls, const char *uri, struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct http_conn *hc = ci ? ci->socket_context : NULL;

	if (hc == NULL)
		return NULL;
	hc->phase = REQ_NEW;
	hc->target = uri;
	hc->target_scan = strlen(uri);
	/* a connection closed to make room may still hold requests it sent: no work for them */
	hc->closing = !admission_request(((struct http_server *)cls)->adm, hc->adm, now());
	return hc;
}

static void
request_completed(void *cls, struct MHD_Connection *c, void **con_cls,
		  enum MHD_RequestTerminationCode toe)
{
	struct http_conn *hc = *con_cls;

	if (hc == NULL)
		return;
	hc->phase = REQ_NONE;
	hc->target = NULL;
	admission_done(((struct http_server *)cls)->adm, hc->adm, now());
}

/* evict - admission closes a connection to make room: MHD sees it end and closes it */
static void
evict(void *cls, int fd)
{
	struct http_server *h = cls;

	shutdown(fd, SHUT_RDWR);
	__atomic_store_n(&h->pressure, 1, __ATOMIC_RELAXED);
}

/* pressure_log - at most every HTTP_PRESSURE_LOG_S, say that clients are being refused or closed */
static void
pressure_log(struct http_server *h)
{
	struct admission_stats st;
	char conns[32], clients[32], refused[32], evicted[32];
	double t = now();
	bool say;

	if (!__atomic_exchange_n(&h->pressure, 0, __ATOMIC_RELAXED))
		return;
	pthread_mutex_lock(&h->pressure_lock);
	say = h->pressure_logged == 0 || t - h->pressure_logged >= HTTP_PRESSURE_LOG_S;
	if (say)
		h->pressure_logged = t;
	pthread_mutex_unlock(&h->pressure_lock);
	if (!say)
		return;
	admission_stats(h->adm, &st);
	snprintf(conns, sizeof(conns), "%u", st.conns);
	snprintf(clients, sizeof(clients), "%u", st.clients);
	snprintf(refused, sizeof(refused), "%lu", st.refused + st.refused_bytes);
	snprintf(evicted, sizeof(evicted), "%lu", st.evicted);
	log_warn("HTTP connection limits reached: refusing or closing connections of the busiest "
		 "clients (docs/security.md)", "connections", conns, "clients", clients,
		 "refused_total", refused, "closed_total", evicted, NULL);
}

/* accept_policy - a connection admission would refuse is refused before any work */
static enum MHD_Result
accept_policy(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	struct http_server *h = cls;
	struct admission_client cl;

	admission_client_of(addrlen ? addr : NULL, &cl);
	if (admission_may_connect(h->adm, &cl, now()))
		return MHD_YES;
	__atomic_store_n(&h->pressure, 1, __ATOMIC_RELAXED);
	pressure_log(h);
	return MHD_NO;
}

static void
notify_connection(void *cls, struct MHD_Connection *c, void **socket_context,
		  enum MHD_ConnectionNotificationCode toe)
{
	struct http_server *h = cls;
	const union MHD_ConnectionInfo *fd, *addr;
	struct admission_client cl;
	struct http_conn *hc = *socket_context;
	int sndbuf = HTTP_SNDBUF;

	if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (hc) {
			admission_close(h->adm, hc->adm);
			free(hc);
		}
		*socket_context = NULL;
		return;
	}
	fd = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	addr = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (fd == NULL)
		return;
	admission_client_of(addr ? addr->client_addr : NULL, &cl);
	hc = calloc(1, sizeof(*hc));
	if (hc == NULL || (hc->adm = admission_open(h->adm, &cl, fd->connect_fd, now())) == NULL) {
		shutdown(fd->connect_fd, SHUT_RDWR);	/* refused: MHD closes it */
		free(hc);
		__atomic_store_n(&h->pressure, 1, __ATOMIC_RELAXED);
		pressure_log(h);
		return;
	}
	hc->fd = fd->connect_fd;
	hc->client = cl;
	/* best effort: a smaller buffer only means a slower pipelining flood */
	setsockopt(hc->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	*socket_context = hc;
	pressure_log(h);
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

static void
web_free(struct http_web *w)
{
	if (w == NULL)
		return;
	auth_free(w->auth);
	webconfig_free(&w->wc);
	free(w->trust);
	free(w);
}

/* web_load - the configuration from opts->web_config_file, or the empty one. */
static struct http_web *
web_load(const struct options *opts)
{
	struct http_web *w = calloc(1, sizeof(*w));
	char err[512];

	if (w == NULL) {
		log_error("out of memory", NULL);
		return NULL;
	}
	if (opts->web_config_file == NULL)
		return w;
	if (webconfig_load(opts->web_config_file, &w->wc, err, sizeof(err)) < 0) {
		log_error("invalid web config file", "err", err, NULL);
		free(w);
		return NULL;
	}
	if (w->wc.n_users) {
		w->auth = auth_new(w->wc.users, w->wc.n_users);
		if (w->auth == NULL) {
			log_error("out of memory", NULL);
			web_free(w);
			return NULL;
		}
	}
	if (w->wc.tls) {
		webconfig_priority(&w->wc, w->priority, sizeof(w->priority));	/* checked by webconfig_load */
		if (w->wc.client_auth != WEBCONFIG_NO_CLIENT_CERT) {
			/* MHD asks for a client certificate only when given a trust list. */
			w->trust = strdup(w->wc.ca_pem ? w->wc.ca_pem : w->wc.cert_pem);
			if (w->trust == NULL) {
				web_free(w);
				return NULL;
			}
		}
	}
	return w;
}

/* same_daemon_settings - can daemons started with a keep serving b? */
static bool
same_daemon_settings(const struct http_web *a, const struct http_web *b)
{
#define SAME_STR(x, y) (((x) == NULL && (y) == NULL) || ((x) && (y) && strcmp((x), (y)) == 0))
	return a->wc.tls == b->wc.tls && SAME_STR(a->wc.cert_pem, b->wc.cert_pem) &&
	       SAME_STR(a->wc.key_pem, b->wc.key_pem) && SAME_STR(a->trust, b->trust) &&
	       strcmp(a->priority, b->priority) == 0;
#undef SAME_STR
}

/* bound_address - host:port a passed socket is bound to, for the log (else unchanged) */
static void
bound_address(int fd, char *out, size_t outlen)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[NI_MAXHOST], serv[NI_MAXSERV];

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0 ||
	    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6) ||
	    getnameinfo((struct sockaddr *)&ss, sl, host, sizeof(host), serv, sizeof(serv),
			NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		return;
	snprintf(out, outlen, ss.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, serv);
}

struct http_server *
http_bind(const struct options *opts, struct scrape *s)
{
	struct http_server *h = calloc(1, sizeof(*h));
	struct admission_limits lim;
	char err[256];
	int nfds = 0, rc;

	if (h == NULL)
		return NULL;
	h->opts = opts;
	h->scrape = s;
	pthread_rwlock_init(&h->web_lock, NULL);
	pthread_mutex_init(&h->pressure_lock, NULL);
	pthread_mutex_init(&h->share_lock, NULL);
	pthread_cond_init(&h->share_done, NULL);
	h->tokens = HTTP_COLLECT_BURST;
	h->refilled = now();
	lim.max_conns = opts->max_connections;
	lim.max_per_client = opts->max_connections_per_ip;
	lim.max_bytes = opts->max_body_bytes * 2 > HTTP_INFLIGHT_BYTES ? opts->max_body_bytes * 2
								    : HTTP_INFLIGHT_BYTES;
	if ((h->adm = admission_new(&lim, evict, h)) == NULL)
		goto fail;
	if (build_landing(h) < 0)
		goto fail;
	if ((h->web = web_load(opts)) == NULL)
		goto fail;
	/* Sockets passed by systemd are used with or without the flag (as
	 * daemon(7) asks), so one unit serves with and without
	 * mta_exporter.socket; the flag makes their absence an error. */
	rc = http_systemd_fds(getenv("LISTEN_PID"), getenv("LISTEN_FDS"), (long)getpid(), &nfds, err, sizeof(err));
	if (rc < 0 || (rc > 0 && opts->systemd_socket)) {
		log_error(opts->systemd_socket ? "--web.systemd-socket: no sockets" : "socket activation: no sockets",
			  "err", err, NULL);
		goto fail;
	}
	if (rc == 0) {
		if (!opts->systemd_socket)
			log_info("socket activation: serving on the sockets systemd passed, not --web.listen-address",
				 NULL);
		for (int i = 0; i < nfds; i++) {
			struct stat st;
			int fd = 3 + i, type = 0, listening = 0;
			socklen_t tl = sizeof(type), ll = sizeof(listening);

			snprintf(h->ls[i].addr, sizeof(h->ls[i].addr), "systemd socket fd %d", fd);
			if (fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode) ||
			    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) < 0 || type != SOCK_STREAM ||
			    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &ll) < 0 || !listening) {
				log_error("--web.systemd-socket: not a listening stream socket (Accept=no is needed)",
					  "address", h->ls[i].addr, NULL);
				goto fail;
			}
			fcntl(fd, F_SETFD, FD_CLOEXEC);
			bound_address(fd, h->ls[i].addr, sizeof(h->ls[i].addr));
			h->ls[i].fd = fd;
			h->n++;
		}
		unsetenv("LISTEN_PID");
		unsetenv("LISTEN_FDS");
		unsetenv("LISTEN_FDNAMES");
		return h;
	}
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

static struct MHD_Daemon *
start_daemon(struct http_server *h, int fd, const struct http_web *w)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC |
			 MHD_ALLOW_SUSPEND_RESUME;	/* for the verifier */
	/* admission enforces the limits; MHD's own is higher, so that connections being
	 * closed to make room never stop MHD from accepting the one they make room for */
	unsigned mhd_limit = 2 * h->opts->max_connections + HTTP_MHD_EXTRA;
	struct MHD_OptionItem tls[6];
	size_t nt = 0;

	if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES)
		flags |= MHD_USE_EPOLL;
	else
		flags |= MHD_USE_AUTO;
	if (w->wc.tls) {
		flags |= MHD_USE_TLS;
		tls[nt++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, w->wc.cert_pem };
		tls[nt++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, w->wc.key_pem };
		tls[nt++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)(uintptr_t)w->priority };
		if (w->trust)
			tls[nt++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_TRUST, 0, w->trust };
	}
	tls[nt++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	return MHD_start_daemon(
		flags, 0, accept_policy, h, &handler, h,
		MHD_OPTION_LISTEN_SOCKET, fd,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)HTTP_THREADS,
		MHD_OPTION_CONNECTION_LIMIT, mhd_limit,
		MHD_OPTION_CONNECTION_TIMEOUT, h->opts->connection_timeout_s,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONNECTION_MEMORY,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, NULL,
		MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
		MHD_OPTION_URI_LOG_CALLBACK, uri_logger, h,
		MHD_OPTION_NOTIFY_CONNECTION, notify_connection, h,
		MHD_OPTION_NOTIFY_COMPLETED, request_completed, h,
		MHD_OPTION_ARRAY, tls,
		MHD_OPTION_END);
}

int
http_start(struct http_server *h)
{
	/* after privileges are dropped: a thread keeps the capabilities it was created with */
	if (h->web->auth != NULL || h->opts->web_config_file != NULL) {
		h->verifier = verifier_new();
		if (h->verifier == NULL) {
			log_error("cannot start the password verification thread", NULL);
			return -1;
		}
	}
	for (size_t i = 0; i < h->n; i++) {
		char fd[16];

		h->ls[i].daemon = start_daemon(h, h->ls[i].fd, h->web);
		if (h->ls[i].daemon == NULL) {
			log_error("cannot start HTTP server", "address", h->ls[i].addr, NULL);
			return -1;
		}
		snprintf(fd, sizeof(fd), "%d", h->ls[i].fd);
		log_info("listening", "address", h->ls[i].addr, "tls", log_bool(h->web->wc.tls),
			 "basic_auth", log_bool(h->web->auth != NULL),
			 h->opts->systemd_socket ? "systemd_socket_fd" : NULL, fd, NULL);
	}
	h->daemon_web = h->web;
	return 0;
}

/* restart - move every daemon onto w's TLS settings, keeping the listening sockets. */
static int
restart(struct http_server *h, const struct http_web *w)
{
	int rc = 0;

	if (h->verifier)	/* no connection may stay suspended in a daemon being stopped */
		verifier_close(h->verifier);
	for (size_t i = 0; i < h->n; i++) {
		struct MHD_Daemon *old = h->ls[i].daemon, *nd;
		MHD_socket fd;

		if (old == NULL)
			continue;
		fd = MHD_quiesce_daemon(old);
		if (fd == MHD_INVALID_SOCKET) {
			rc = -1;
			continue;
		}
		MHD_stop_daemon(old);	/* a quiesced daemon leaves its socket open */
		nd = start_daemon(h, fd, w);
		if (nd == NULL) {
			log_error("cannot restart HTTP server with the new TLS settings; keeping the old ones",
				  "address", h->ls[i].addr, NULL);
			nd = start_daemon(h, fd, h->daemon_web);
			rc = -1;
		}
		h->ls[i].daemon = nd;
		if (nd == NULL) {
			log_error("HTTP server stopped", "address", h->ls[i].addr, NULL);
			close(fd);
		}
	}
	if (h->verifier)
		verifier_open(h->verifier);
	return rc;
}

int
http_reload(struct http_server *h)
{
	struct http_web *w, *old;
	bool tls_changed;

	if (h->opts->web_config_file == NULL)
		return 0;
	w = web_load(h->opts);
	if (w == NULL) {
		log_error("web config reload failed; keeping the last good configuration",
			  "file", h->opts->web_config_file, NULL);
		return -1;
	}
	tls_changed = !same_daemon_settings(w, h->daemon_web);
	if (tls_changed && restart(h, w) < 0) {
		web_free(w);
		return -1;
	}
	pthread_rwlock_wrlock(&h->web_lock);
	old = h->web;
	h->web = w;
	pthread_rwlock_unlock(&h->web_lock);
	if (tls_changed) {
		if (h->daemon_web != old)
			web_free(h->daemon_web);
		h->daemon_web = w;
	}
	if (old != h->daemon_web)
		web_free(old);
	log_info("web config reloaded", "file", h->opts->web_config_file, "tls", log_bool(w->wc.tls),
		 "basic_auth", log_bool(w->auth != NULL), "tls_restarted", log_bool(tls_changed), NULL);
	return 0;
}

void
http_stop(struct http_server *h)
{
	if (h == NULL)
		return;
	if (h->verifier)	/* no connection may stay suspended in a daemon being stopped */
		verifier_close(h->verifier);
	for (size_t i = 0; i < h->n; i++) {
		if (h->ls[i].daemon)
			MHD_stop_daemon(h->ls[i].daemon);
		else if (h->ls[i].fd >= 0)
			close(h->ls[i].fd);
	}
	if (h->daemon_web != h->web)
		web_free(h->daemon_web);
	web_free(h->web);
	pthread_rwlock_destroy(&h->web_lock);
	pthread_mutex_destroy(&h->pressure_lock);
	for (int i = 0; i < 4; i++)
		body_unref(h->latest[i / 2][i % 2]);
	pthread_mutex_destroy(&h->share_lock);
	pthread_cond_destroy(&h->share_done);
	verifier_free(h->verifier);
	admission_free(h->adm);
	free(h->landing);
	free(h);
}

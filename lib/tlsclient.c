/*
 * tlsclient.c - a TLS client handshake (implicit or SMTP STARTTLS) within
 * one deadline, on a non-blocking socket (see tlsclient.h).
 *
 * Diagnostics: none logged; the outcome and out->error say what happened.
 */
#include "lib/tlsclient.h"

#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static const char *const outcome_names[] = {
	[TLSCLIENT_OK] = "ok",
	[TLSCLIENT_REFUSED] = "refused",
	[TLSCLIENT_NO_STARTTLS] = "no_starttls",
	[TLSCLIENT_FAILED] = "failed",
	[TLSCLIENT_CANNOT_OFFER] = "cannot_offer",
};

const char *
tlsclient_outcome_name(enum tlsclient_outcome o)
{
	return (unsigned)o < sizeof(outcome_names) / sizeof(outcome_names[0]) ? outcome_names[o]
									       : "unknown";
}

/* ---- the deadline ---- */

long long
tlsclient_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until fd is ready for events or the deadline passes: 1 ready, 0 timeout, -1 error. */
static int
wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		long long left = deadline - tlsclient_now_ms();
		int r;

		if (left <= 0)
			return 0;
		r = poll(&p, 1, left > 60000 ? 60000 : (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r > 0)
			return 1;
	}
}

/* Set the outcome and the error "what" or "what: detail" (detail may quote the server). */
static enum tlsclient_outcome
failed(struct tlsclient_result *out, enum tlsclient_outcome o, const char *what,
       const char *detail)
{
	out->outcome = o;
	snprintf(out->error, sizeof(out->error), "%s%s%.150s", what, detail ? ": " : "",
		 detail ? detail : "");
	/* printable ASCII only */
	for (char *p = out->error; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
	return o;
}

static int
connect_by(const struct tlsclient_target *t, long long deadline, char *err, size_t errlen)
{
	int fd = socket(t->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (const struct sockaddr *)&t->addr, t->addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS) {
		snprintf(err, errlen, "connect: %s", strerror(errno));
		close(fd);
		return -1;
	}
	if (wait_fd(fd, POLLOUT, deadline) <= 0) {
		snprintf(err, errlen, "connect: timed out");
		close(fd);
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr != 0) {
		snprintf(err, errlen, "connect: %s", strerror(soerr ? soerr : errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* ---- SMTP before STARTTLS ---- */

static int
send_all(int fd, const char *s, long long deadline)
{
	size_t len = strlen(s), off = 0;

	while (off < len) {
		ssize_t n = send(fd, s + off, len - off, MSG_NOSIGNAL);

		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		if (wait_fd(fd, POLLOUT, deadline) <= 0)
			return -1;
	}
	return 0;
}

int
tlsclient_reply_code(const char *buf, size_t len)
{
	const char *line = buf, *nl;

	while ((nl = memchr(line, '\n', len - (size_t)(line - buf))) != NULL) {
		if (nl - line < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0'
		    || line[1] > '9' || line[2] < '0' || line[2] > '9')
			return -1;
		if (nl - line == 3 || line[3] == ' ' || line[3] == '\r')
			return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
		if (line[3] != '-')
			return -1;
		line = nl + 1;
	}
	return -2;
}

bool
tlsclient_ehlo_starttls(const char *reply, size_t len)
{
	const char *p = reply, *end = reply + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (n >= 12 && strncasecmp(p + 4, "STARTTLS", 8) == 0
		    && (n == 12 || p[12] == '\r' || p[12] == ' '))
			return true;
		p += n + 1;
	}
	return false;
}

/*
 * Read one SMTP reply (all its lines) into buf (NUL-terminated, *lenp
 * bytes): the reply code, or -1 (timeout, close, too long, not SMTP).  The
 * server says nothing more until we speak, so reading what is there never
 * eats TLS bytes.
 */
static int
read_reply(int fd, char *buf, size_t cap, size_t *lenp, long long deadline)
{
	size_t len = 0;

	buf[0] = '\0';
	for (;;) {
		int code = tlsclient_reply_code(buf, len);
		ssize_t n;

		*lenp = len;
		if (code != -2)
			return code;
		if (len + 1 >= cap)
			return -1;
		n = recv(fd, buf + len, cap - 1 - len, 0);
		if (n > 0) {
			len += (size_t)n;
			buf[len] = '\0';
			continue;
		}
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			return -1;
		if (wait_fd(fd, POLLIN, deadline) <= 0)
			return -1;
	}
}

/* The first line of a reply, for an error text. */
static const char *
first_line(char *reply)
{
	reply[strcspn(reply, "\r\n")] = '\0';
	return reply;
}

static enum tlsclient_outcome
smtp_starttls(int fd, const struct tlsclient_target *t, long long deadline,
	      struct tlsclient_result *out)
{
	char reply[TLSCLIENT_MAX_REPLY], cmd[300];
	size_t len;
	int code;

	code = read_reply(fd, reply, sizeof(reply), &len, deadline);
	if (code != 220)
		return failed(out, TLSCLIENT_FAILED, code < 0 ? "no SMTP greeting" : "greeting",
			      code < 0 ? NULL : first_line(reply));
	snprintf(cmd, sizeof(cmd), "EHLO %.255s\r\n", t->ehlo ? t->ehlo : "localhost");
	if (send_all(fd, cmd, deadline) < 0)
		return failed(out, TLSCLIENT_FAILED, "cannot send EHLO", NULL);
	code = read_reply(fd, reply, sizeof(reply), &len, deadline);
	if (code != 250)
		return failed(out, TLSCLIENT_FAILED, code < 0 ? "no EHLO reply" : "EHLO",
			      code < 0 ? NULL : first_line(reply));
	if (!tlsclient_ehlo_starttls(reply, len))
		return failed(out, TLSCLIENT_NO_STARTTLS, "STARTTLS not offered", NULL);
	if (send_all(fd, "STARTTLS\r\n", deadline) < 0)
		return failed(out, TLSCLIENT_FAILED, "cannot send STARTTLS", NULL);
	code = read_reply(fd, reply, sizeof(reply), &len, deadline);
	if (code < 0)
		return failed(out, TLSCLIENT_FAILED, "no STARTTLS reply", NULL);
	if (code != 220)
		return failed(out, TLSCLIENT_NO_STARTTLS, "STARTTLS", first_line(reply));
	return TLSCLIENT_OK;
}

/* ---- TLS ---- */

static const char *const version_prio[TLSINFO_V_COUNT] = {
	[TLSINFO_SSL3] = "+VERS-SSL3.0",
	[TLSINFO_TLS1_0] = "+VERS-TLS1.0",
	[TLSINFO_TLS1_1] = "+VERS-TLS1.1",
	[TLSINFO_TLS1_2] = "+VERS-TLS1.2",
	[TLSINFO_TLS1_3] = "+VERS-TLS1.3",
};

int
tlsclient_priority(const struct tlsclient_offer *offer, char *out, size_t outlen)
{
	size_t used;
	int n;

	if (offer->versions == 0 && !offer->dhe_only) {
		n = snprintf(out, outlen, "NORMAL");
		return n < 0 || (size_t)n >= outlen ? -1 : 0;
	}
	n = snprintf(out, outlen, "NORMAL:%%PROFILE_VERY_WEAK:%%VERIFY_ALLOW_SIGN_WITH_SHA1:"
		     "+SIGN-ALL:-VERS-ALL");
	if (n < 0 || (size_t)n >= outlen)
		return -1;
	used = (size_t)n;
	for (int v = 0; v < TLSINFO_V_COUNT; v++) {
		unsigned want = offer->dhe_only ? TLSINFO_BIT(TLSINFO_TLS1_2) : offer->versions;

		if (!(want & TLSINFO_BIT(v)))
			continue;
		n = snprintf(out + used, outlen - used, ":%s", version_prio[v]);
		if (n < 0 || (size_t)n >= outlen - used)
			return -1;
		used += (size_t)n;
	}
	if (offer->dhe_only) {
		n = snprintf(out + used, outlen - used, ":-KX-ALL:+DHE-RSA:+DHE-DSS:-GROUP-DH-ALL");
		if (n < 0 || (size_t)n >= outlen - used)
			return -1;
		used += (size_t)n;
	} else if (offer->versions & (TLSINFO_BIT(TLSINFO_SSL3) | TLSINFO_BIT(TLSINFO_TLS1_0)
				      | TLSINFO_BIT(TLSINFO_TLS1_1))) {
		/* what old servers have: CBC with SHA-1, plain RSA key exchange */
		n = snprintf(out + used, outlen - used, ":+SHA1:+AES-128-CBC:+AES-256-CBC:+3DES-CBC:+RSA");
		if (n < 0 || (size_t)n >= outlen - used)
			return -1;
	}
	return 0;
}

static enum tlsinfo_version
version_of(gnutls_protocol_t p)
{
	switch (p) {
	case GNUTLS_SSL3:
		return TLSINFO_SSL3;
	case GNUTLS_TLS1_0:
		return TLSINFO_TLS1_0;
	case GNUTLS_TLS1_1:
		return TLSINFO_TLS1_1;
	case GNUTLS_TLS1_2:
		return TLSINFO_TLS1_2;
	default:
		return TLSINFO_TLS1_3;
	}
}

/* A named group's bits as OpenSSL prints "Server Temp Key" (0 if unknown). */
static unsigned
group_bits(gnutls_group_t g)
{
	switch (g) {
	case GNUTLS_GROUP_SECP192R1:
		return 192;
	case GNUTLS_GROUP_SECP224R1:
		return 224;
	case GNUTLS_GROUP_SECP256R1:
		return 256;
	case GNUTLS_GROUP_SECP384R1:
		return 384;
	case GNUTLS_GROUP_SECP521R1:
		return 521;
	case GNUTLS_GROUP_X25519:
		return 253;
	case GNUTLS_GROUP_X448:
		return 448;
	case GNUTLS_GROUP_FFDHE2048:
		return 2048;
	case GNUTLS_GROUP_FFDHE3072:
		return 3072;
	case GNUTLS_GROUP_FFDHE4096:
		return 4096;
	case GNUTLS_GROUP_FFDHE6144:
		return 6144;
	case GNUTLS_GROUP_FFDHE8192:
		return 8192;
	default:
		return 0;
	}
}

static void
describe(gnutls_session_t s, struct tlsclient_result *out)
{
	gnutls_kx_algorithm_t kx = gnutls_kx_get(s);
	gnutls_group_t g = gnutls_group_get(s);
	const gnutls_datum_t *certs;
	const char *suite;
	unsigned n = 0;
	char err[128];

	out->version = version_of(gnutls_protocol_get_version(s));
	suite = gnutls_ciphersuite_get(s);
	snprintf(out->cipher, sizeof(out->cipher), "%s", suite ? suite : "unknown");
	if (kx == GNUTLS_KX_DHE_RSA || kx == GNUTLS_KX_DHE_DSS
	    || (g >= GNUTLS_GROUP_FFDHE2048 && g <= GNUTLS_GROUP_FFDHE8192)) {
		out->kx_dh = true;
		out->kx_bits = (g >= GNUTLS_GROUP_FFDHE2048 && g <= GNUTLS_GROUP_FFDHE8192)
				       ? group_bits(g) : (unsigned)gnutls_dh_get_prime_bits(s);
		snprintf(out->kx_group, sizeof(out->kx_group), "%s",
			 g != GNUTLS_GROUP_INVALID && gnutls_group_get_name(g)
				 ? gnutls_group_get_name(g) : "DH");
	} else if (g != GNUTLS_GROUP_INVALID) {
		out->kx_bits = group_bits(g);
		snprintf(out->kx_group, sizeof(out->kx_group), "%s",
			 gnutls_group_get_name(g) ? gnutls_group_get_name(g) : "unknown");
	} else {
		snprintf(out->kx_group, sizeof(out->kx_group), "%s",
			 kx == GNUTLS_KX_RSA ? "RSA" : "none");
	}
	certs = gnutls_certificate_get_peers(s, &n);
	if (certs != NULL && n > 0
	    && tlsinfo_cert_parse(certs[0].data, certs[0].size, NULL, &out->peer, err,
				  sizeof(err)) == 0) {
		out->have_peer = true;
		out->peer.chain_len = n;
	}
}

/* Run the handshake on the non-blocking fd until done or the deadline. */
static int
handshake(gnutls_session_t s, int fd, long long deadline)
{
	for (;;) {
		int r = gnutls_handshake(s);

		if (r == GNUTLS_E_SUCCESS)
			return 0;
		if (r != GNUTLS_E_AGAIN && r != GNUTLS_E_INTERRUPTED && gnutls_error_is_fatal(r))
			return r;
		if (r != GNUTLS_E_AGAIN && r != GNUTLS_E_INTERRUPTED)
			continue;	/* a non-fatal alert: go on */
		if (wait_fd(fd, gnutls_record_get_direction(s) ? POLLOUT : POLLIN, deadline) <= 0)
			return GNUTLS_E_TIMEDOUT;
	}
}

/* Can this GnuTLS offer the versions asked for at all? */
static bool
can_offer(const char *prio, const struct tlsclient_offer *offer, char *err, size_t errlen)
{
	unsigned mask = 0, want = offer->dhe_only ? TLSINFO_BIT(TLSINFO_TLS1_2) : offer->versions;

	if (tlsinfo_priority_versions(prio, &mask, err, errlen) < 0)
		return false;
	if (want && (mask & want) != want) {
		char names[64];

		tlsinfo_versions_format(want & ~mask, names, sizeof(names));
		snprintf(err, errlen, "this GnuTLS cannot offer %s", names);
		return false;
	}
	return true;
}

enum tlsclient_outcome
tlsclient_handshake(const struct tlsclient_target *t, const struct tlsclient_offer *offer,
		    int timeout_ms, struct tlsclient_result *out)
{
	long long deadline = tlsclient_now_ms() + (timeout_ms > 0 ? timeout_ms : 1);
	gnutls_certificate_credentials_t cred = NULL;
	gnutls_session_t s = NULL;
	char prio[256], err[160];
	const char *where = NULL;
	enum tlsclient_outcome o;
	int fd, r;

	memset(out, 0, sizeof(*out));
	if (tlsclient_priority(offer, prio, sizeof(prio)) < 0)
		return failed(out, TLSCLIENT_CANNOT_OFFER, "priority string too long", NULL);
	if (!can_offer(prio, offer, err, sizeof(err)))
		return failed(out, TLSCLIENT_CANNOT_OFFER, err, NULL);
	fd = connect_by(t, deadline, err, sizeof(err));
	if (fd < 0)
		return failed(out, TLSCLIENT_FAILED, err, NULL);
	if (t->mode == TLSCLIENT_STARTTLS_SMTP && (o = smtp_starttls(fd, t, deadline, out)) != TLSCLIENT_OK) {
		close(fd);
		return o;
	}
	if ((r = gnutls_certificate_allocate_credentials(&cred)) < 0
	    || (r = gnutls_init(&s, GNUTLS_CLIENT | GNUTLS_NONBLOCK)) < 0
	    || (r = gnutls_priority_set_direct(s, prio, &where)) < 0
	    || (r = gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred)) < 0) {
		o = failed(out, TLSCLIENT_CANNOT_OFFER, "GnuTLS", gnutls_strerror(r));
		goto done;
	}
	if (t->servername && *t->servername)
		gnutls_server_name_set(s, GNUTLS_NAME_DNS, t->servername, strlen(t->servername));
	gnutls_transport_set_int(s, fd);
	r = handshake(s, fd, deadline);
	if (r == GNUTLS_E_TIMEDOUT) {
		o = failed(out, TLSCLIENT_FAILED, "handshake timed out", NULL);
		goto done;
	}
	if (r < 0) {
		/* the server said no (an alert, or it closed the connection) */
		o = failed(out, TLSCLIENT_REFUSED, "handshake", gnutls_strerror(r));
		goto done;
	}
	describe(s, out);
	out->outcome = o = TLSCLIENT_OK;
	/* a polite end: QUIT, close_notify; best effort, never waited for */
	if (t->mode == TLSCLIENT_STARTTLS_SMTP)
		(void)gnutls_record_send(s, "QUIT\r\n", 6);
	(void)gnutls_bye(s, GNUTLS_SHUT_WR);
done:
	if (s != NULL)
		gnutls_deinit(s);
	if (cred != NULL)
		gnutls_certificate_free_credentials(cred);
	close(fd);
	return o;
}

/*
 * test_tlsclient.c - the TLS client against a GnuTLS server in a thread
 * on loopback that speaks SMTP (greeting, EHLO, STARTTLS) or implicit
 * TLS: negotiated version, key exchange and peer certificate; versions
 * pinned one at a time (accepted or refused); DHE-only key exchange and
 * its prime's bits (1024 bits against OpenSSL: tests/e2e/tls.sh); no STARTTLS; a silent server (the deadline holds); a
 * closed port.  Also the pure SMTP reply parsers and priority strings.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/tlsclient.h"
#include "tests/unit/lib/tlstest.h"

struct server {
	int lfd;
	uint16_t port;
	const char *prio;		/* server priority string */
	bool implicit;			/* TLS from the first byte */
	bool no_starttls;		/* EHLO reply without STARTTLS */
	bool silent;			/* accept, then say nothing */
	bool dh3072;			/* DHE with the 3072-bit RFC 7919 group */
	const struct tlstest_pem *pem;
	pthread_t th;
};

static int
read_line(int fd, char *buf, size_t cap)
{
	size_t n = 0;

	while (n + 1 < cap) {
		char c;

		if (recv(fd, &c, 1, 0) != 1)
			return -1;
		buf[n++] = c;
		if (c == '\n')
			break;
	}
	buf[n] = '\0';
	return 0;
}

static void
serve_one(struct server *sv, int fd)
{
	gnutls_certificate_credentials_t cred;
	gnutls_session_t s;
	gnutls_datum_t c = { (unsigned char *)sv->pem->cert, (unsigned)sv->pem->cert_len };
	gnutls_datum_t k = { (unsigned char *)sv->pem->key, (unsigned)sv->pem->key_len };
	char line[512];
	int r;

	if (sv->silent) {
		sleep(2);
		return;
	}
	if (!sv->implicit) {
		const char *caps = sv->no_starttls ? "250-mx.example.org\r\n250 PIPELINING\r\n"
						   : "250-mx.example.org\r\n250-PIPELINING\r\n"
						     "250-STARTTLS\r\n250 8BITMIME\r\n";

		send(fd, "220-mx.example.org ESMTP\r\n220 ready\r\n", 37, MSG_NOSIGNAL);
		if (read_line(fd, line, sizeof(line)) < 0 || strncmp(line, "EHLO ", 5) != 0)
			return;
		send(fd, caps, strlen(caps), MSG_NOSIGNAL);
		if (read_line(fd, line, sizeof(line)) < 0 || strcmp(line, "STARTTLS\r\n") != 0)
			return;
		send(fd, "220 2.0.0 go ahead\r\n", 20, MSG_NOSIGNAL);
	}
	gnutls_certificate_allocate_credentials(&cred);
	gnutls_certificate_set_x509_key_mem(cred, &c, &k, GNUTLS_X509_FMT_PEM);
	if (sv->dh3072)
		gnutls_certificate_set_known_dh_params(cred, GNUTLS_SEC_PARAM_HIGH);
	gnutls_init(&s, GNUTLS_SERVER);
	if (gnutls_priority_set_direct(s, sv->prio, NULL) < 0)
		fail_msg("server priority %s", sv->prio);
	gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred);
	gnutls_transport_set_int(s, fd);
	do {
		r = gnutls_handshake(s);
	} while (r < 0 && !gnutls_error_is_fatal(r));
	if (r == 0) {
		char buf[64];

		(void)gnutls_record_recv(s, buf, sizeof(buf));	/* QUIT */
		gnutls_bye(s, GNUTLS_SHUT_WR);
	}
	gnutls_deinit(s);
	gnutls_certificate_free_credentials(cred);
}

static void *
server_main(void *arg)
{
	struct server *sv = arg;
	int fd;

	while ((fd = accept(sv->lfd, NULL, NULL)) >= 0) {
		struct timeval tv = { 3, 0 };

		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		serve_one(sv, fd);
		close(fd);
	}
	return NULL;
}

static void
server_start(struct server *sv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);

	sv->lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (sv->lfd < 0 || bind(sv->lfd, (struct sockaddr *)&a, sizeof(a)) < 0
	    || listen(sv->lfd, 8) < 0 || getsockname(sv->lfd, (struct sockaddr *)&a, &al) < 0)
		fail_msg("cannot listen on loopback");
	sv->port = ntohs(a.sin_port);
	if (pthread_create(&sv->th, NULL, server_main, sv) != 0)
		fail_msg("pthread_create");
}

static void
server_stop(struct server *sv)
{
	shutdown(sv->lfd, SHUT_RDWR);
	close(sv->lfd);
	pthread_join(sv->th, NULL);
}

static void
target_of(const struct server *sv, struct tlsclient_target *t)
{
	struct sockaddr_in *a = (struct sockaddr_in *)&t->addr;

	memset(t, 0, sizeof(*t));
	a->sin_family = AF_INET;
	a->sin_port = htons(sv->port);
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	t->addrlen = sizeof(*a);
	t->mode = sv->implicit ? TLSCLIENT_IMPLICIT : TLSCLIENT_STARTTLS_SMTP;
	t->ehlo = "probe.example.org";
}

static struct tlstest_pem rsa2048;

static int
setup(void **state)
{
	time_t now = time(NULL);

	tlstest_make(GNUTLS_PK_RSA, 2048, "mx.example.org", "mx.example.org", now - 86400,
		     now + 30 * 86400, &rsa2048);
	return 0;
}

#define V(x) TLSINFO_BIT(TLSINFO_##x)

static void
test_handshakes(void **state)
{
	static const struct {
		const char *prio;
		bool implicit, no_starttls;
		bool dh3072;
		struct tlsclient_offer offer;
		enum tlsclient_outcome want;
		int version;			/* when OK */
		bool kx_dh;
		unsigned kx_bits;		/* when OK; 0: not compared */
	} cases[] = {
		/* a current server: TLS 1.3, GnuTLS prefers SECP256R1 */
		{ "NORMAL", false, false, false, { 0, false }, TLSCLIENT_OK, TLSINFO_TLS1_3, false, 256 },
		{ "NORMAL", true, false, false, { 0, false }, TLSCLIENT_OK, TLSINFO_TLS1_3, false, 256 },
		{ "NORMAL:-VERS-ALL:+VERS-TLS1.2", false, false, false, { V(TLS1_0), false },
		  TLSCLIENT_REFUSED, 0, false, 0 },
		{ "NORMAL:-VERS-ALL:+VERS-TLS1.2", false, false, false, { V(TLS1_1), false },
		  TLSCLIENT_REFUSED, 0, false, 0 },
		{ "NORMAL:-VERS-ALL:+VERS-TLS1.2", false, false, false, { V(TLS1_2), false },
		  TLSCLIENT_OK, TLSINFO_TLS1_2, false, 0 },
		/* a legacy server: the pinned probes see TLS 1.0 and 1.1 */
		{ "NORMAL:-VERS-ALL:+VERS-TLS1.0:+VERS-TLS1.1:+VERS-TLS1.2", false, false, false,
		  { V(TLS1_0), false }, TLSCLIENT_OK, TLSINFO_TLS1_0, false, 0 },
		{ "NORMAL:-VERS-ALL:+VERS-TLS1.0:+VERS-TLS1.1:+VERS-TLS1.2", false, false, false,
		  { V(TLS1_1), false }, TLSCLIENT_OK, TLSINFO_TLS1_1, false, 0 },
		/* the seed's EDH probe: the server's own DH group is measured */
		{ "NORMAL:+DHE-RSA", false, false, true, { 0, true }, TLSCLIENT_OK,
		  TLSINFO_TLS1_2, true, 3072 },
		{ "NORMAL:-DHE-RSA", false, false, false, { 0, true }, TLSCLIENT_REFUSED, 0, false, 0 },
		{ "NORMAL", false, true, false, { 0, false }, TLSCLIENT_NO_STARTTLS, 0, false, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct server sv = { .prio = cases[i].prio, .implicit = cases[i].implicit,
				     .no_starttls = cases[i].no_starttls, .pem = &rsa2048 };
		struct tlsclient_target t;
		struct tlsclient_result r;
		enum tlsclient_outcome o;

		sv.dh3072 = cases[i].dh3072;
		server_start(&sv);
		target_of(&sv, &t);
		o = tlsclient_handshake(&t, &cases[i].offer, 5000, &r);
		server_stop(&sv);
		if (o != cases[i].want || r.outcome != o)
			fail_msg("case %zu: %s (%s)", i, tlsclient_outcome_name(o), r.error);
		if (o != TLSCLIENT_OK) {
			if (r.error[0] == '\0')
				fail_msg("case %zu: no error text", i);
			continue;
		}
		if ((int)r.version != cases[i].version || r.kx_dh != cases[i].kx_dh
		    || (cases[i].kx_bits && r.kx_bits != cases[i].kx_bits))
			fail_msg("case %zu: %s kx %s dh %d %u bits", i, tlsinfo_version_name(r.version),
				 r.kx_group, r.kx_dh, r.kx_bits);
		if (!r.have_peer || strcmp(r.peer.key_alg, "rsa") != 0 || r.peer.key_bits != 2048
		    || strcmp(r.peer.subject_cn, "mx.example.org") != 0 || r.cipher[0] == '\0')
			fail_msg("case %zu: peer %s %u cipher %s", i, r.peer.key_alg, r.peer.key_bits,
				 r.cipher);
	}
}

static void
test_deadline_and_failures(void **state)
{
	struct server sv = { .prio = "NORMAL", .silent = true, .pem = &rsa2048 };
	struct tlsclient_offer def = TLSCLIENT_OFFER_DEFAULT;
	struct tlsclient_offer ssl3 = { V(SSL3), false };
	struct tlsclient_target t;
	struct tlsclient_result r;
	struct timespec a, b;
	long ms;

	server_start(&sv);
	target_of(&sv, &t);
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(tlsclient_handshake(&t, &def, 300, &r), TLSCLIENT_FAILED);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	if (ms < 250 || ms > 1500)
		fail_msg("a 300 ms deadline took %ld ms", ms);
	server_stop(&sv);
	/* nobody listens there any more */
	assert_int_equal(tlsclient_handshake(&t, &def, 1000, &r), TLSCLIENT_FAILED);
	assert_non_null(strstr(r.error, "connect"));
	/* Debian's GnuTLS has no SSLv3: never reported as "refused" */
	assert_int_equal(tlsclient_handshake(&t, &ssl3, 1000, &r), TLSCLIENT_CANNOT_OFFER);
}

static void
test_smtp_replies(void **state)
{
	static const struct {
		const char *text;
		int code;
		bool starttls;
	} cases[] = {
		{ "220 mx ESMTP\r\n", 220, false },
		{ "220-mx\r\n220 ready\r\n", 220, false },
		{ "220-mx\r\n", -2, false },
		{ "220 mx", -2, false },
		{ "250-mx\r\n250-STARTTLS\r\n250 8BITMIME\r\n", 250, true },
		{ "250-mx\r\n250 starttls\r\n", 250, true },
		{ "250-mx\r\n250-STARTTLSX\r\n250 SIZE\r\n", 250, false },
		{ "250-mx\r\n250 XSTARTTLS\r\n", 250, false },
		{ "554 no\n", 554, false },
		{ "220\r\n", 220, false },
		{ "hello\r\n", -1, false },
		{ "22\r\n", -1, false },
		{ "220+x\r\n", -1, false },
		{ "", -2, false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = strlen(cases[i].text);

		if (tlsclient_reply_code(cases[i].text, len) != cases[i].code
		    || tlsclient_ehlo_starttls(cases[i].text, len) != cases[i].starttls)
			fail_msg("case %zu: %d", i, tlsclient_reply_code(cases[i].text, len));
	}
}

static void
test_priorities(void **state)
{
	static const struct {
		struct tlsclient_offer offer;
		unsigned mask;
	} cases[] = {
		{ { 0, false }, 0 },
		{ { V(TLS1_0), false }, V(TLS1_0) },
		{ { V(TLS1_1), false }, V(TLS1_1) },
		{ { V(TLS1_2) | V(TLS1_3), false }, V(TLS1_2) | V(TLS1_3) },
		{ { 0, true }, V(TLS1_2) },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char prio[256], err[200];
		unsigned mask = 0;

		assert_int_equal(tlsclient_priority(&cases[i].offer, prio, sizeof(prio)), 0);
		if (tlsinfo_priority_versions(prio, &mask, err, sizeof(err)) < 0)
			fail_msg("case %zu: %s: %s", i, prio, err);
		if (cases[i].mask && mask != cases[i].mask)
			fail_msg("case %zu: %s offers %#x", i, prio, mask);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handshakes),
		cmocka_unit_test(test_deadline_and_failures),
		cmocka_unit_test(test_smtp_replies),
		cmocka_unit_test(test_priorities),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}

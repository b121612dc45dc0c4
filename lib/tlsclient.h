/*
 * tlsclient.h - one TLS client handshake with a server, within a deadline:
 * implicit TLS, or SMTP STARTTLS first (RFC 3207); what was negotiated and
 * the peer's certificate.  The I/O half of the TLS audit (lib/tlsinfo.h is
 * the pure half); used by the "tls" collector and meant for any probe that
 * needs a handshake.
 *
 * tlsclient_handshake() connects to t->addr, for STARTTLS reads the
 * greeting, sends EHLO, requires STARTTLS among the extensions and sends
 * it, then runs the GnuTLS handshake with the versions and key exchanges
 * a struct tlsclient_offer asks for, sends QUIT over TLS and closes.  The
 * peer certificate is described, not verified: the point is to see what
 * the server presents.  Everything, connect included, shares one deadline
 * (timeout_ms); the socket is non-blocking throughout and every read is
 * bounded (TLSCLIENT_MAX_REPLY per SMTP reply).
 *
 * Offers: TLSCLIENT_OFFER_DEFAULT is what a current client offers
 * (GnuTLS "NORMAL"); .versions pins the versions offered (one extra
 * handshake per version tells which ones the server accepts), .dhe_only
 * offers only finite-field DHE key exchange in TLS 1.2 (what the seed's
 * "openssl s_client -cipher EDH" measures), without RFC 7919 groups in
 * supported_groups, so that the server answers with the group it is
 * configured with rather than one the client proposed.  Pinned offers add
 * %PROFILE_VERY_WEAK and %VERIFY_ALLOW_SIGN_WITH_SHA1 so that the client's
 * own minimums (DH prime size, SHA-1 handshake signatures) do not refuse a
 * weak server: the probe must see weakness to report it.  A version the
 * GnuTLS in use cannot offer at all (SSLv3 is not compiled in by Debian;
 * a system-wide /etc/gnutls/config may disable TLS 1.0/1.1) is reported
 * as TLSCLIENT_CANNOT_OFFER, never as "refused".
 *
 * Outcome (struct tlsclient_result): .outcome says how far it got; on
 * TLSCLIENT_OK the version, cipher suite (IANA name), key-exchange group
 * and its bits (finite-field DH: prime bits; ECDHE: the curve's bits as
 * OpenSSL prints them, X25519 253) and the peer certificate; otherwise
 * .error is one line saying why (the SMTP reply or GnuTLS's text).
 *
 * Diagnostics: none logged; the caller decides what to say.  Thread-safe:
 * no shared state (GnuTLS sessions are per call).
 */
#ifndef MTA_TLSCLIENT_H
#define MTA_TLSCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "lib/tlsinfo.h"

#define TLSCLIENT_MAX_REPLY 4096	/* bytes of one SMTP reply, all its lines */

enum tlsclient_mode {
	TLSCLIENT_IMPLICIT,		/* TLS from the first byte (port 465) */
	TLSCLIENT_STARTTLS_SMTP,	/* SMTP greeting, EHLO, STARTTLS, then TLS */
};

struct tlsclient_target {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	enum tlsclient_mode mode;
	const char *ehlo;		/* EHLO argument; NULL: "localhost" */
	const char *servername;		/* SNI; NULL: none */
};

struct tlsclient_offer {
	unsigned versions;		/* TLSINFO_BIT mask; 0: the library's defaults */
	bool dhe_only;			/* TLS 1.2, finite-field DHE key exchange only */
};

#define TLSCLIENT_OFFER_DEFAULT ((struct tlsclient_offer){ 0, false })

enum tlsclient_outcome {
	TLSCLIENT_OK,			/* handshake completed */
	TLSCLIENT_REFUSED,		/* the server refused the handshake (alert, close) */
	TLSCLIENT_NO_STARTTLS,		/* SMTP without STARTTLS (or it was refused) */
	TLSCLIENT_FAILED,		/* no answer: connect, timeout, SMTP error */
	TLSCLIENT_CANNOT_OFFER,		/* this GnuTLS cannot offer what was asked */
};

struct tlsclient_result {
	enum tlsclient_outcome outcome;
	char error[200];
	enum tlsinfo_version version;
	char cipher[64];		/* "TLS_AES_256_GCM_SHA384" */
	char kx_group[24];		/* "X25519", "SECP256R1", "FFDHE2048", "DH", "RSA" */
	bool kx_dh;			/* finite-field DH (the group's bits are the prime's) */
	unsigned kx_bits;		/* 0 when the key exchange has no group (RSA) */
	bool have_peer;
	struct tlsinfo_cert peer;
};

/* "ok", "refused", "no_starttls", "failed", "cannot_offer". */
const char *tlsclient_outcome_name(enum tlsclient_outcome o);

/*
 * tlsclient_handshake - one handshake with t, offering what offer says,
 * all within timeout_ms.  Returns out->outcome (TLSCLIENT_OK = 0).
 */
enum tlsclient_outcome tlsclient_handshake(const struct tlsclient_target *t,
					   const struct tlsclient_offer *offer, int timeout_ms,
					   struct tlsclient_result *out);

/* The monotonic clock, in milliseconds, that the deadlines are measured on. */
long long tlsclient_now_ms(void);

/*
 * The pure parts of the SMTP dialogue, exposed for tests and the fuzzer:
 * tlsclient_reply_code() - the code of the first complete reply in buf
 * (lines "DDD-text" then "DDD text"), -2 while it is incomplete, -1 when
 * it is no SMTP reply; tlsclient_ehlo_starttls() - whether an EHLO reply
 * lists STARTTLS.
 */
int tlsclient_reply_code(const char *buf, size_t len);
bool tlsclient_ehlo_starttls(const char *reply, size_t len);

/*
 * tlsclient_priority - the GnuTLS priority string for an offer into out.
 * 0, or -1 when it does not fit.  Pure; exposed for tests.
 */
int tlsclient_priority(const struct tlsclient_offer *offer, char *out, size_t outlen);

#endif

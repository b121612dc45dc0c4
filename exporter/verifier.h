/*
 * verifier.h - bcrypt verifications on a thread of their own, taken from
 * the clients in turn, so that failed logins cannot starve scrapes.
 *
 * A bcrypt at a high cost takes most of a second of CPU.  Done on the HTTP
 * threads, 8 clients sending wrong passwords kept every thread busy and a
 * scrape with a correct (cached) password waited seconds.  Instead the
 * HTTP layer hands the verification to verifier_submit() and suspends the
 * request; one verifier thread (so bcrypt takes at most one core) runs the
 * verifications one at a time, taking the clients in turn (round robin: a
 * client with many pending verifications waits for every other client's
 * next one), and calls done(cls, result) on its thread when a result is
 * in.  A client (struct admission_client: an address, an IPv6 /64) may have
 * VERIFIER_PER_CLIENT verifications pending; more are refused at once.
 * Requests whose credentials are cached (auth.h) never come here.
 *
 * verifier_close() calls done(cls, VERIFIER_CANCELLED) for every pending
 * verification and for the running one (whose result is then dropped),
 * and refuses new ones until verifier_open(): libmicrohttpd must not be
 * stopped while a connection is suspended.  verifier_free() waits for the
 * running bcrypt to end.
 *
 * Thread-safe.  done runs with the verifier's lock held: it must not call
 * back into the verifier (resuming an MHD connection is fine).
 */
#ifndef MTA_VERIFIER_H
#define MTA_VERIFIER_H

#include "exporter/admission.h"

#define VERIFIER_PER_CLIENT 4

enum verifier_result {
	VERIFIER_MATCH,		/* the password matches the hash */
	VERIFIER_MISMATCH,
	VERIFIER_CANCELLED,	/* verifier_close() */
};

enum verifier_refusal {
	VERIFIER_QUEUED = 0,
	VERIFIER_BUSY = -1,	/* the client has VERIFIER_PER_CLIENT pending (or out of memory) */
	VERIFIER_CLOSED = -2,	/* between verifier_close() and verifier_open() */
};

typedef void (*verifier_done_fn)(void *cls, enum verifier_result r);

struct verifier;

/* verifier_new - start the thread (after privileges are dropped: threads keep their capabilities). */
struct verifier *verifier_new(void);
void verifier_free(struct verifier *v);
/* verifier_submit - queue "does pass match hash?" for client; done(cls, r) follows unless refused. */
enum verifier_refusal verifier_submit(struct verifier *v, const struct admission_client *client,
				      const char *pass, const char *hash, verifier_done_fn done, void *cls);
void verifier_close(struct verifier *v);
void verifier_open(struct verifier *v);

#endif

/*
 * admission.h - who keeps an HTTP connection slot, and whose responses may
 * stay in memory, when clients ask for more than the limits allow.
 *
 * A table of the open connections, each with its client (the address: an
 * IPv4 address, or the /64 of an IPv6 one, which a single host controls
 * whole; v4-mapped IPv6 counts as IPv4), when it last did something
 * useful (opened, a request began or ended) and the bytes of the response
 * it is sending.  The HTTP layer reports what happens; the table decides
 * and closes connections through the evict callback (which must not block:
 * shutdown(2) of the socket, the HTTP library then closes it):
 *
 *   Slots (admission_open): a client may hold max_per_client connections;
 *   the next is refused.  Below max_conns everyone gets in.  At the limit,
 *   a newcomer is let in by closing one connection, chosen in this order:
 *     1. the longest idle connection of the client holding the most
 *        connections, if that client holds more than the newcomer's
 *        client would (fair share: a flood from many addresses only ever
 *        loses its own connections, and a scraper that holds few always
 *        gets in);
 *     2. for a client that holds no other connection, the longest idle
 *        connection of anyone, if it has done nothing for ADMISSION_STALE_S
 *        (idle connections time out at once when the table is full);
 *     3. otherwise the newcomer is refused (cheaply: no work was done).
 *   Bytes (admission_respond): the response bodies being sent may total
 *   max_bytes.  A body that would pass it closes, in the same order, the
 *   connections of the client with the most bytes in flight (more than
 *   the requester's), then any connection whose body has been in flight
 *   for ADMISSION_STALE_S (a stalled reader); if that is not enough the
 *   request is refused (the HTTP layer answers 503).
 * A connection held by the caller (admission_hold: waiting for a bcrypt
 * on another thread) is never chosen.  Choosing is a scan of the table,
 * O(connections), only when a limit is reached.
 *
 * Thread-safe (one mutex); the evict callback runs under it.  Times are
 * the caller's clock in seconds (monotonic), so tests can drive it.
 */
#ifndef MTA_ADMISSION_H
#define MTA_ADMISSION_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#define ADMISSION_STALE_S 1.0

/* A client: address family and the address (IPv4) or its /64 (IPv6). */
struct admission_client {
	unsigned char key[9];
};

struct admission_limits {
	unsigned max_conns;		/* connection slots, all clients */
	unsigned max_per_client;
	size_t max_bytes;		/* response bytes in flight, all connections */
};

struct admission_stats {
	unsigned conns;			/* connections holding a slot */
	unsigned clients;
	size_t bytes;			/* response bytes in flight */
	unsigned long refused;		/* connections refused, ever */
	unsigned long evicted;		/* connections closed to make room, ever */
	unsigned long refused_bytes;	/* responses refused for the byte budget, ever */
};

typedef void (*admission_evict_fn)(void *cls, int fd);

struct admission;
struct admission_conn;

/* admission_client_of - the client of a peer address (AF_INET, AF_INET6; others: one client). */
void admission_client_of(const struct sockaddr *sa, struct admission_client *out);

struct admission *admission_new(const struct admission_limits *lim, admission_evict_fn evict, void *cls);
void admission_free(struct admission *a);
/*
 * admission_may_connect - would admission_open() let a connection of c in
 * now?  For refusing before any work (MHD's accept policy callback); the
 * answer of admission_open() is the one that counts.
 */
bool admission_may_connect(struct admission *a, const struct admission_client *c, double now);
/* admission_open - a new connection on fd; NULL: refused (or out of memory), the caller closes it. */
struct admission_conn *admission_open(struct admission *a, const struct admission_client *c, int fd,
				      double now);
/* admission_request - a request began on k; false: k was closed to make room, do no work for it. */
bool admission_request(struct admission *a, struct admission_conn *k, double now);
/* admission_respond - k will send a body of bytes; false: over the budget, answer 503 instead. */
bool admission_respond(struct admission *a, struct admission_conn *k, size_t bytes, double now);
/* admission_done - k's request ended (sent, or given up): its body no longer counts. */
void admission_done(struct admission *a, struct admission_conn *k, double now);
/* admission_hold - while held, k is never closed to make room. */
void admission_hold(struct admission *a, struct admission_conn *k, bool held);
/* admission_close - k is gone (whether or not it was evicted); frees it. */
void admission_close(struct admission *a, struct admission_conn *k);
void admission_stats(struct admission *a, struct admission_stats *st);

#endif

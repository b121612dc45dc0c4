/*
 * admission.c - connection slots and response bytes under pressure (see
 * admission.h).
 *
 * The connections are a doubly linked list; the clients a chained hash
 * table (ADMISSION_BUCKETS chains, FNV-1a of the key), each client with
 * the counts the policy compares and a reference count (its connections,
 * evicted ones included, until they are closed).  An evicted connection
 * stays in the list, marked, until the HTTP layer reports it closed; it
 * no longer counts against any limit.
 *
 * DIAGNOSTICS: none; the counters in admission_stats() say what happened
 * and the HTTP layer logs them.
 */
#include "exporter/admission.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hash.h"

#define ADMISSION_BUCKETS 1024

struct client {
	struct admission_client id;
	unsigned conns;		/* connections holding a slot */
	size_t bytes;		/* response bytes in flight */
	unsigned refs;		/* connections pointing here, evicted ones too */
	struct client *next;	/* hash chain */
};

struct admission_conn {
	struct client *client;
	int fd;
	double active;		/* opened, or a request began or ended */
	double since;		/* the body started */
	size_t bytes;		/* of the body in flight */
	bool held, evicted;
	struct admission_conn *prev, *next;
};

struct admission {
	struct admission_limits lim;
	admission_evict_fn evict;
	void *cls;
	pthread_mutex_t lock;
	struct admission_conn *head;
	struct client *bucket[ADMISSION_BUCKETS];
	struct admission_stats st;
};

void
admission_client_of(const struct sockaddr *sa, struct admission_client *out)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	memset(out, 0, sizeof(*out));
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;

		out->key[0] = 4;
		memcpy(out->key + 1, &in->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
		const unsigned char *b = in6->sin6_addr.s6_addr;

		if (memcmp(b, mapped, sizeof(mapped)) == 0) {
			out->key[0] = 4;
			memcpy(out->key + 1, b + 12, 4);
		} else {
			out->key[0] = 6;
			memcpy(out->key + 1, b, 8);	/* the /64 */
		}
	}
}

struct admission *
admission_new(const struct admission_limits *lim, admission_evict_fn evict, void *cls)
{
	struct admission *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	a->lim = *lim;
	a->evict = evict;
	a->cls = cls;
	pthread_mutex_init(&a->lock, NULL);
	return a;
}

void
admission_free(struct admission *a)
{
	if (a == NULL)
		return;
	while (a->head)
		admission_close(a, a->head);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

static struct client **
slot_of(struct admission *a, const struct admission_client *c)
{
	uint64_t h = hash_fnv1a(HASH_FNV1A_INIT, c->key, sizeof(c->key));
	struct client **p = &a->bucket[h & (ADMISSION_BUCKETS - 1)];

	while (*p && memcmp((*p)->id.key, c->key, sizeof(c->key)) != 0)
		p = &(*p)->next;
	return p;
}

/* release - k's body no longer counts */
static void
release(struct admission *a, struct admission_conn *k)
{
	k->client->bytes -= k->bytes;
	a->st.bytes -= k->bytes;
	k->bytes = 0;
}

/* evict - close k to make room: it stops counting at once */
static void
evict(struct admission *a, struct admission_conn *k)
{
	release(a, k);
	k->evicted = true;
	k->client->conns--;
	a->st.conns--;
	a->st.evicted++;
	a->evict(a->cls, k->fd);
}

/* unlink_conn - take k out of the list and drop its client reference; frees k */
static void
unlink_conn(struct admission *a, struct admission_conn *k)
{
	struct client *cl = k->client;

	if (k->prev)
		k->prev->next = k->next;
	else
		a->head = k->next;
	if (k->next)
		k->next->prev = k->prev;
	if (--cl->refs == 0) {
		struct client **p = slot_of(a, &cl->id);

		*p = cl->next;
		a->st.clients--;
		free(cl);
	}
	free(k);
}

/* weight - what the policy compares clients by: connections, or bytes in flight */
static size_t
weight(const struct client *c, bool bytes)
{
	return bytes ? c->bytes : c->conns;
}

/* since - how long r has been idle (slots), or its body in flight (bytes), counts from this */
static double
since(const struct admission_conn *r, bool bytes)
{
	return bytes ? r->since : r->active;
}

/*
 * victim - the connection to close for a request of client cl, which
 * would then weigh mine (admission.h): by slots (bytes false) or by bytes
 * in flight; me (the requester's own record, if it has one) is never
 * chosen.  NULL: none may be closed.
 */
static struct admission_conn *
victim(struct admission *a, const struct client *cl, size_t mine, const struct admission_conn *me, bool bytes,
       double now)
{
	struct admission_conn *heavy = NULL, *oldest = NULL;

	for (struct admission_conn *r = a->head; r; r = r->next) {
		if (r == me || r->evicted || r->held || (bytes && r->bytes == 0))
			continue;
		if (heavy == NULL || weight(r->client, bytes) > weight(heavy->client, bytes) ||
		    (weight(r->client, bytes) == weight(heavy->client, bytes) &&
		     since(r, bytes) < since(heavy, bytes)))
			heavy = r;
		if (oldest == NULL || since(r, bytes) < since(oldest, bytes))
			oldest = r;
	}
	if (heavy && heavy->client != cl && weight(heavy->client, bytes) > mine)
		return heavy;	/* 1: the heaviest client's longest idle */
	if (oldest && (bytes || mine == 1) && now - since(oldest, bytes) >= ADMISSION_STALE_S)
		return oldest;	/* 2: anyone's, stale */
	return NULL;
}

bool
admission_may_connect(struct admission *a, const struct admission_client *c, double now)
{
	struct client *cl;
	unsigned mine;
	bool ok;

	pthread_mutex_lock(&a->lock);
	cl = *slot_of(a, c);
	mine = cl ? cl->conns : 0;
	ok = mine < a->lim.max_per_client &&
	     (a->st.conns < a->lim.max_conns || victim(a, cl, mine + 1, NULL, false, now) != NULL);
	if (!ok)
		a->st.refused++;
	pthread_mutex_unlock(&a->lock);
	return ok;
}

struct admission_conn *
admission_open(struct admission *a, const struct admission_client *c, int fd, double now)
{
	struct admission_conn *k = calloc(1, sizeof(*k)), *v;
	struct client **p, *cl;

	if (k == NULL)
		return NULL;
	pthread_mutex_lock(&a->lock);
	p = slot_of(a, c);
	if ((cl = *p) == NULL) {
		if ((cl = calloc(1, sizeof(*cl))) == NULL) {
			pthread_mutex_unlock(&a->lock);
			free(k);
			return NULL;
		}
		cl->id = *c;
		*p = cl;
		a->st.clients++;
	}
	k->client = cl;
	k->fd = fd;
	k->active = now;
	cl->refs++;
	k->next = a->head;
	if (a->head)
		a->head->prev = k;
	a->head = k;
	if (cl->conns >= a->lim.max_per_client)
		goto refuse;
	cl->conns++;
	a->st.conns++;
	if (a->st.conns > a->lim.max_conns) {
		if ((v = victim(a, cl, cl->conns, k, false, now)) == NULL) {
			cl->conns--;
			a->st.conns--;
			goto refuse;
		}
		evict(a, v);
	}
	pthread_mutex_unlock(&a->lock);
	return k;
refuse:
	a->st.refused++;
	unlink_conn(a, k);
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

bool
admission_request(struct admission *a, struct admission_conn *k, double now)
{
	bool alive;

	pthread_mutex_lock(&a->lock);
	k->active = now;
	alive = !k->evicted;
	pthread_mutex_unlock(&a->lock);
	return alive;
}

bool
admission_respond(struct admission *a, struct admission_conn *k, size_t bytes, double now)
{
	struct admission_conn *v;
	bool ok = true;

	pthread_mutex_lock(&a->lock);
	if (k->evicted) {
		pthread_mutex_unlock(&a->lock);
		return true;	/* it is being closed anyway: the body goes nowhere */
	}
	release(a, k);
	if (bytes > a->lim.max_bytes) {	/* closing others could never make room */
		a->st.refused_bytes++;
		pthread_mutex_unlock(&a->lock);
		return false;
	}
	k->bytes = bytes;
	k->since = now;
	k->client->bytes += bytes;
	a->st.bytes += bytes;
	while (a->st.bytes > a->lim.max_bytes) {
		if ((v = victim(a, k->client, k->client->bytes, k, true, now)) == NULL) {
			release(a, k);
			a->st.refused_bytes++;
			ok = false;
			break;
		}
		evict(a, v);
	}
	pthread_mutex_unlock(&a->lock);
	return ok;
}

void
admission_done(struct admission *a, struct admission_conn *k, double now)
{
	pthread_mutex_lock(&a->lock);
	if (!k->evicted)
		release(a, k);
	k->active = now;
	pthread_mutex_unlock(&a->lock);
}

void
admission_hold(struct admission *a, struct admission_conn *k, bool held)
{
	pthread_mutex_lock(&a->lock);
	k->held = held;
	pthread_mutex_unlock(&a->lock);
}

void
admission_close(struct admission *a, struct admission_conn *k)
{
	pthread_mutex_lock(&a->lock);
	if (!k->evicted) {
		release(a, k);
		k->client->conns--;
		a->st.conns--;
	}
	unlink_conn(a, k);
	pthread_mutex_unlock(&a->lock);
}

void
admission_stats(struct admission *a, struct admission_stats *st)
{
	pthread_mutex_lock(&a->lock);
	*st = a->st;
	pthread_mutex_unlock(&a->lock);
}

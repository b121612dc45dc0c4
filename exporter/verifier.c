/*
 * verifier.c - bcrypt verifications on one thread, clients in turn (see
 * verifier.h).
 *
 * Each client with pending verifications has a FIFO of jobs; the clients
 * form a ring of turns: the thread takes the first client's first job and
 * puts the client back at the end of the ring if it has more.  Finding a
 * client's queue is a scan of the ring (bounded by the connections that
 * can be waiting).  The password is copied into the job and zeroed when
 * the job is freed.
 *
 * DIAGNOSTICS: none; the HTTP layer answers and logs.
 */
#include "exporter/verifier.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exporter/auth.h"

struct job {
	char *pass;
	char hash[AUTH_HASH_LEN + 1];
	verifier_done_fn done;
	void *cls;
	struct job *next;
};

struct turn {
	struct admission_client client;
	struct job *head, *tail;
	unsigned n;
	struct turn *next;
};

struct verifier {
	pthread_mutex_t lock;
	pthread_cond_t work;
	pthread_t thread;
	bool stop, closed;
	struct turn *first, *last;	/* the ring of clients with pending jobs */
	struct job *running;		/* being verified; NULL once its done was called */
};

static void
job_free(struct job *j)
{
	if (j == NULL)
		return;
	explicit_bzero(j->pass, strlen(j->pass));
	free(j->pass);
	free(j);
}

static void *
verifier_main(void *arg)
{
	struct verifier *v = arg;

	pthread_mutex_lock(&v->lock);
	while (!v->stop) {
		struct turn *t = v->first;
		struct job *j;
		bool match;

		if (t == NULL) {
			pthread_cond_wait(&v->work, &v->lock);
			continue;
		}
		j = t->head;
		t->head = j->next;
		t->n--;
		v->first = t->next;
		if (v->first == NULL)
			v->last = NULL;
		t->next = NULL;
		if (t->n > 0) {		/* back to the end of the ring */
			if (v->last)
				v->last->next = t;
			else
				v->first = t;
			v->last = t;
		} else {
			free(t);
		}
		v->running = j;
		pthread_mutex_unlock(&v->lock);
		match = auth_verify(j->pass, j->hash);
		pthread_mutex_lock(&v->lock);
		if (v->running == j)	/* not cancelled meanwhile */
			j->done(j->cls, match ? VERIFIER_MATCH : VERIFIER_MISMATCH);
		v->running = NULL;
		job_free(j);
	}
	pthread_mutex_unlock(&v->lock);
	return NULL;
}

struct verifier *
verifier_new(void)
{
	struct verifier *v = calloc(1, sizeof(*v));

	if (v == NULL)
		return NULL;
	pthread_mutex_init(&v->lock, NULL);
	pthread_cond_init(&v->work, NULL);
	if (pthread_create(&v->thread, NULL, verifier_main, v) != 0) {
		pthread_mutex_destroy(&v->lock);
		pthread_cond_destroy(&v->work);
		free(v);
		return NULL;
	}
	return v;
}

/* cancel_all - every pending job and the running one are told they are cancelled (under lock) */
static void
cancel_all(struct verifier *v)
{
	while (v->first) {
		struct turn *t = v->first;

		while (t->head) {
			struct job *j = t->head;

			t->head = j->next;
			j->done(j->cls, VERIFIER_CANCELLED);
			job_free(j);
		}
		v->first = t->next;
		free(t);
	}
	v->last = NULL;
	if (v->running) {
		v->running->done(v->running->cls, VERIFIER_CANCELLED);
		v->running = NULL;	/* the thread drops its result */
	}
}

void
verifier_free(struct verifier *v)
{
	if (v == NULL)
		return;
	pthread_mutex_lock(&v->lock);
	v->stop = true;
	cancel_all(v);
	pthread_cond_signal(&v->work);
	pthread_mutex_unlock(&v->lock);
	pthread_join(v->thread, NULL);
	pthread_mutex_destroy(&v->lock);
	pthread_cond_destroy(&v->work);
	free(v);
}

enum verifier_refusal
verifier_submit(struct verifier *v, const struct admission_client *client, const char *pass,
		const char *hash, verifier_done_fn done, void *cls)
{
	struct turn *t;
	struct job *j;

	pthread_mutex_lock(&v->lock);
	if (v->closed || v->stop) {
		pthread_mutex_unlock(&v->lock);
		return VERIFIER_CLOSED;
	}
	for (t = v->first; t; t = t->next)
		if (memcmp(&t->client, client, sizeof(*client)) == 0)
			break;
	if (t && t->n >= VERIFIER_PER_CLIENT)
		goto busy;
	j = calloc(1, sizeof(*j));
	if (j == NULL || (j->pass = strdup(pass)) == NULL) {
		free(j);
		goto busy;
	}
	snprintf(j->hash, sizeof(j->hash), "%s", hash);
	j->done = done;
	j->cls = cls;
	if (t == NULL) {
		if ((t = calloc(1, sizeof(*t))) == NULL) {
			job_free(j);
			goto busy;
		}
		t->client = *client;
		if (v->last)
			v->last->next = t;
		else
			v->first = t;
		v->last = t;
	}
	if (t->tail)
		t->tail->next = j;
	else
		t->head = j;
	t->tail = j;
	t->n++;
	pthread_cond_signal(&v->work);
	pthread_mutex_unlock(&v->lock);
	return VERIFIER_QUEUED;
busy:
	pthread_mutex_unlock(&v->lock);
	return VERIFIER_BUSY;
}

void
verifier_close(struct verifier *v)
{
	pthread_mutex_lock(&v->lock);
	v->closed = true;
	cancel_all(v);
	pthread_mutex_unlock(&v->lock);
}

void
verifier_open(struct verifier *v)
{
	pthread_mutex_lock(&v->lock);
	v->closed = false;
	pthread_mutex_unlock(&v->lock);
}

/*
 * tlsfile.c - TLS files described once per version (see tlsfile.h).
 *
 * Diagnostics: none; the state and error text go to the caller.
 */
#include "lib/tlsfile.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/fileio.h"

struct slot {
	char *path;		/* full path (rootfs included) */
	char *host;
	struct fileio_stat st;
	struct tlsfile desc;
	unsigned long used;	/* last use, for eviction */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct slot cache[TLSFILE_CACHE_SLOTS];
static unsigned long clock_tick, parses;

static void
describe(const char *data, size_t len, const char *host, struct tlsfile *out)
{
	char err[160];

	out->have_cert = tlsinfo_cert_parse(data, len, host, &out->cert, err, sizeof(err)) == 0;
	out->have_key = tlsinfo_key_parse(data, len, &out->key, out->error, sizeof(out->error)) == 0;
	out->have_dh = tlsinfo_dh_parse(data, len, &out->dh_bits, out->error,
					sizeof(out->error)) == 0;
	if (out->have_cert || out->have_key || out->have_dh)
		out->error[0] = '\0';
	else
		snprintf(out->error, sizeof(out->error), "%s", err);
}

static struct slot *
find(const char *full, const char *host)
{
	for (size_t i = 0; i < TLSFILE_CACHE_SLOTS; i++)
		if (cache[i].path && strcmp(cache[i].path, full) == 0
		    && strcmp(cache[i].host, host) == 0)
			return &cache[i];
	return NULL;
}

static struct slot *
victim(void)
{
	struct slot *v = &cache[0];

	for (size_t i = 0; i < TLSFILE_CACHE_SLOTS; i++) {
		if (cache[i].path == NULL)
			return &cache[i];
		if (cache[i].used < v->used)
			v = &cache[i];
	}
	return v;
}

static void
slot_clear(struct slot *s)
{
	free(s->path);
	free(s->host);
	memset(s, 0, sizeof(*s));
}

void
tlsfile_read(const char *rootfs, const char *path, const char *host, struct tlsfile *out)
{
	char full[4096], err[256];
	struct fileio_stat st;
	enum fileio_result r;
	struct slot *s;
	char *data = NULL;
	size_t len = 0;

	memset(out, 0, sizeof(*out));
	if (host == NULL)
		host = "";
	if (path == NULL || path[0] != '/' || fileio_path(rootfs, path, full, sizeof(full)) == NULL) {
		out->state = TLSFILE_UNREADABLE;
		snprintf(out->error, sizeof(out->error), "not an absolute path, or too long");
		return;
	}
	r = fileio_stat(rootfs, path, &st, err, sizeof(err));
	pthread_mutex_lock(&lock);
	s = find(full, host);
	if (r == FILEIO_OK && s != NULL && fileio_stat_equal(&s->st, &st)) {
		s->used = ++clock_tick;
		*out = s->desc;
		pthread_mutex_unlock(&lock);
		return;
	}
	if (s != NULL)
		slot_clear(s);
	pthread_mutex_unlock(&lock);
	if (r == FILEIO_ABSENT) {
		out->state = TLSFILE_ABSENT;
		snprintf(out->error, sizeof(out->error), "no such file");
		return;
	}
	if (r == FILEIO_OK)
		r = fileio_read(rootfs, path, TLSINFO_MAX_BYTES, &data, &len, &st, err, sizeof(err));
	if (r != FILEIO_OK) {
		out->state = r == FILEIO_ABSENT ? TLSFILE_ABSENT : TLSFILE_UNREADABLE;
		snprintf(out->error, sizeof(out->error), "%.150s",
			 r == FILEIO_ABSENT ? "no such file" : err);
		return;
	}
	out->state = TLSFILE_OK;
	describe(data, len, host, out);
	free(data);
	pthread_mutex_lock(&lock);
	parses++;
	s = victim();
	slot_clear(s);
	s->path = strdup(full);
	s->host = strdup(host);
	if (s->path == NULL || s->host == NULL) {
		slot_clear(s);
	} else {
		s->st = st;
		s->desc = *out;
		s->used = ++clock_tick;
	}
	pthread_mutex_unlock(&lock);
}

unsigned long
tlsfile_parses(void)
{
	unsigned long n;

	pthread_mutex_lock(&lock);
	n = parses;
	pthread_mutex_unlock(&lock);
	return n;
}

void
tlsfile_cache_clear(void)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < TLSFILE_CACHE_SLOTS; i++)
		slot_clear(&cache[i]);
	pthread_mutex_unlock(&lock);
}

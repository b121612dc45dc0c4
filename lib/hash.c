/*
 * hash.c - FNV-1a 64 (see hash.h): offset basis 0xcbf29ce484222325,
 * prime 0x100000001b3; the per-process seed of hash_key(); hash_index.
 * No diagnostics.
 */
#include "lib/hash.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

uint64_t
hash_fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

static uint64_t key_seed;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static void
seed_init(void)
{
	uint64_t s = 0;

	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != (ssize_t)sizeof(s)) {
		/* no entropy yet (early boot): still differs per process */
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		s = hash_fnv1a(HASH_FNV1A_INIT, &ts, sizeof(ts));
		s = hash_fnv1a(s, &(pid_t){ getpid() }, sizeof(pid_t));
	}
	key_seed = s ^ HASH_FNV1A_INIT;
}

uint64_t
hash_key(const void *p, size_t n)
{
	pthread_once(&key_once, seed_init);
	return hash_fnv1a(key_seed, p, n);
}

uint64_t
hash_key_int(uint64_t v)
{
	pthread_once(&key_once, seed_init);
	v ^= key_seed;
	v = (v ^ (v >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	v = (v ^ (v >> 27)) * UINT64_C(0x94d049bb133111eb);
	return v ^ (v >> 31);
}

/* The home slot of h: the top bits after a multiplicative mix. */
static size_t
home(const struct hash_index *ix, uint64_t h)
{
	return (size_t)((h * UINT64_C(0x9e3779b97f4a7c15)) >> 32) & (ix->cap - 1);
}

static void
place(struct hash_slot *slot, size_t cap, uint64_t h, size_t item1, size_t at)
{
	while (slot[at].item != 0)
		at = (at + 1) & (cap - 1);
	slot[at].h = h;
	slot[at].item = item1;
}

int
hash_index_put(struct hash_index *ix, uint64_t h, size_t item)
{
	if ((ix->n + 1) * 2 > ix->cap) {
		size_t ncap = ix->cap ? ix->cap * 2 : 16;
		struct hash_slot *ns = calloc(ncap, sizeof(*ns));
		struct hash_index tmp = { ns, ncap, ix->n };

		if (ns == NULL)
			return -1;
		for (size_t i = 0; i < ix->cap; i++)
			if (ix->slot[i].item != 0)
				place(ns, ncap, ix->slot[i].h, ix->slot[i].item,
				      home(&tmp, ix->slot[i].h));
		free(ix->slot);
		ix->slot = ns;
		ix->cap = ncap;
	}
	place(ix->slot, ix->cap, h, item + 1, home(ix, h));
	ix->n++;
	return 0;
}

size_t
hash_index_next(const struct hash_index *ix, uint64_t h, size_t *pos)
{
	size_t at;

	if (ix->cap == 0)
		return HASH_INDEX_END;
	at = *pos == HASH_INDEX_START ? home(ix, h) : (*pos + 1) & (ix->cap - 1);
	/* at most half full: the run ends at an empty slot */
	for (; ix->slot[at].item != 0; at = (at + 1) & (ix->cap - 1)) {
		if (ix->slot[at].h == h) {
			*pos = at;
			return ix->slot[at].item - 1;
		}
	}
	*pos = at;
	return HASH_INDEX_END;
}

void
hash_index_free(struct hash_index *ix)
{
	free(ix->slot);
	memset(ix, 0, sizeof(*ix));
}

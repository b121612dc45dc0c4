/*
 * hash.h - FNV-1a, 64 bits: a short fingerprint for bounded caches, and an
 * index from hashes to the items of a caller's array.
 *
 *	uint64_t h = hash_fnv1a(HASH_FNV1A_INIT, path, strlen(path));
 *	h = hash_fnv1a(h, &line, sizeof(line));
 *
 * hash_fnv1a() with HASH_FNV1A_INIT is the same on every run: used only
 * where a collision costs little (a log line suppressed, a cache entry
 * reused).  hash_key() starts from a random seed drawn once per process,
 * so that the keys a configuration file chooses cannot be picked to
 * collide in a hash_index (whose work per lookup would then grow with the
 * number of items).
 *
 * struct hash_index maps 64-bit hashes to item numbers of an array the
 * caller owns (the keys live there; the index holds no copies):
 *
 *	uint64_t h = hash_key(name, strlen(name));
 *	size_t pos = HASH_INDEX_START, i;
 *
 *	while ((i = hash_index_next(&ix, h, &pos)) != HASH_INDEX_END)
 *		if (strcmp(items[i].name, name) == 0)
 *			return &items[i];
 *	...
 *	hash_index_put(&ix, h, n_items++);
 *
 * Open addressing with linear probing, at most half full, grown by
 * doubling; items are never removed.  A zeroed struct hash_index is an
 * empty index.  Diagnostics: none; hash_index_put() returns -1 when memory
 * runs out (the index is then unchanged).
 */
#ifndef MTA_HASH_H
#define MTA_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_FNV1A_INIT UINT64_C(0xcbf29ce484222325)

/* hash_fnv1a - continue hash h over n bytes at p. */
uint64_t hash_fnv1a(uint64_t h, const void *p, size_t n);
/* hash_key - FNV-1a of n bytes at p from this process's random seed. */
uint64_t hash_key(const void *p, size_t n);
/*
 * hash_key_int - the same seed over a 64-bit integer key (a pair of small
 * numbers packed by the caller), mixed by the splitmix64 finaliser: a
 * bijection, so distinct keys never share a hash.
 */
uint64_t hash_key_int(uint64_t v);

struct hash_slot {
	uint64_t h;
	size_t item;		/* item number + 1; 0 = empty */
};

struct hash_index {
	struct hash_slot *slot;
	size_t cap;		/* slots: 0 or a power of two */
	size_t n;		/* items put */
};

#define HASH_INDEX_START ((size_t)-1)
#define HASH_INDEX_END ((size_t)-1)

/* hash_index_put - record that item has hash h; 0, or -1 out of memory. */
int hash_index_put(struct hash_index *ix, uint64_t h, size_t item);
/*
 * hash_index_next - the next item whose hash is h (*pos starts at
 * HASH_INDEX_START), or HASH_INDEX_END when there is none left.
 */
size_t hash_index_next(const struct hash_index *ix, uint64_t h, size_t *pos);
void hash_index_free(struct hash_index *ix);

#endif

/*
 * hash.h - FNV-1a, 64 bits: a short fingerprint for bounded caches.
 *
 *	uint64_t h = hash_fnv1a(HASH_FNV1A_INIT, path, strlen(path));
 *	h = hash_fnv1a(h, &line, sizeof(line));
 *
 * Not collision-resistant against a chosen input; used only where a
 * collision costs little (a log line suppressed, a cache entry reused).
 */
#ifndef MTA_HASH_H
#define MTA_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_FNV1A_INIT UINT64_C(0xcbf29ce484222325)

/* hash_fnv1a - continue hash h over n bytes at p. */
uint64_t hash_fnv1a(uint64_t h, const void *p, size_t n);

#endif

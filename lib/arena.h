/*
 * arena.h - bounded bump allocator for per-scrape data.
 *
 * Memory is taken from chunks and released all at once by arena_reset()
 * (which keeps the first chunk for the next scrape) or arena_free().  The
 * total is capped; past the cap arena_alloc() returns NULL and sets
 * arena->failed, which the scrape reports as a collector failure.
 */
#ifndef MTA_ARENA_H
#define MTA_ARENA_H

#include <stdbool.h>
#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;
	size_t used_total;
	size_t max;
	bool failed;
};

void arena_init(struct arena *a, size_t max);
void arena_reset(struct arena *a);
void arena_free(struct arena *a);
void *arena_alloc(struct arena *a, size_t n);	/* zeroed, 16-byte aligned */
void *arena_calloc(struct arena *a, size_t nmemb, size_t size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* arena_grow - realloc-like for arrays kept in the arena (old copy is not freed). */
void *arena_grow(struct arena *a, void *old, size_t oldsize, size_t newsize);

#endif

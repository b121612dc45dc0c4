/*
 * arena.c - bounded bump allocator for per-scrape data (see arena.h).
 *
 * Chunks are at least 16 KiB; a larger request gets a chunk of its own.
 * arena_reset() keeps the newest chunk so steady-state scrapes do not
 * allocate.  DIAGNOSTICS: none printed; exceeding max sets a->failed.
 */
#include "lib/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK_MIN (16u * 1024)
#define ARENA_ALIGN 16u

struct arena_chunk {
	struct arena_chunk *next;
	size_t size;	/* usable bytes in data */
	size_t used;
	_Alignas(16) unsigned char data[];
};

void
arena_init(struct arena *a, size_t max)
{
	memset(a, 0, sizeof(*a));
	a->max = max;
}

void
arena_free(struct arena *a)
{
	struct arena_chunk *c, *n;

	for (c = a->head; c; c = n) {
		n = c->next;
		free(c);
	}
	a->head = NULL;
	a->used_total = 0;
	a->failed = false;
}

void
arena_reset(struct arena *a)
{
	struct arena_chunk *keep = a->head, *c, *n;

	if (keep == NULL)
		return;
	for (c = keep->next; c; c = n) {
		n = c->next;
		free(c);
	}
	keep->next = NULL;
	keep->used = 0;
	a->used_total = keep->size;
	a->failed = false;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c = a->head;
	size_t off, csize;
	void *p;

	if (a->failed)
		return NULL;
	if (n == 0)
		n = 1;
	if (n > SIZE_MAX / 2) {
		a->failed = true;
		return NULL;
	}
	if (c) {
		off = (c->used + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
		if (off <= c->size && c->size - off >= n) {
			c->used = off + n;
			p = c->data + off;
			memset(p, 0, n);
			return p;
		}
	}
	csize = n > ARENA_CHUNK_MIN ? n : ARENA_CHUNK_MIN;
	if (a->used_total + csize > a->max) {
		a->failed = true;
		return NULL;
	}
	c = malloc(sizeof(*c) + csize);
	if (c == NULL) {
		a->failed = true;
		return NULL;
	}
	c->size = csize;
	c->used = n;
	c->next = a->head;
	a->head = c;
	a->used_total += csize;
	memset(c->data, 0, n);
	return c->data;
}

void *
arena_calloc(struct arena *a, size_t nmemb, size_t size)
{
	if (size && nmemb > SIZE_MAX / size) {
		a->failed = true;
		return NULL;
	}
	return arena_alloc(a, nmemb * size);
}

static char *
arena_copy(struct arena *a, const char *s, size_t len)
{
	char *p = arena_alloc(a, len + 1);

	if (p)
		memcpy(p, s, len);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	return arena_copy(a, s, strnlen(s, n));
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_copy(a, s, strlen(s));
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	p = arena_alloc(a, (size_t)n + 1);
	if (p == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void *
arena_grow(struct arena *a, void *old, size_t oldsize, size_t newsize)
{
	void *p;

	if (newsize <= oldsize)
		return old;
	p = arena_alloc(a, newsize);
	if (p && old && oldsize)
		memcpy(p, old, oldsize);
	return p;
}

/*
 * hash.c - FNV-1a 64 (see hash.h): offset basis 0xcbf29ce484222325,
 * prime 0x100000001b3.
 */
#include "lib/hash.h"

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

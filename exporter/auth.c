/*
 * auth.c - basic-auth verification with crypt_r and a cache of successes
 * (see auth.h).
 *
 * DIAGNOSTICS: none here; the HTTP layer answers 401 and logs at debug.
 */
#include "exporter/auth.h"

#include <crypt.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define AUTH_DIGEST 32

/*
 * A valid bcrypt hash (cost 10) that no configured user owns: unknown users
 * are verified against it so that they cost as much as known ones.
 */
static const char auth_dummy_hash[] = "$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a";

struct auth_user {
	char *name;
	char *hash;
};

struct auth {
	struct auth_user *users;
	size_t n;
	pthread_mutex_t lock;
	unsigned char cache[AUTH_CACHE_SIZE][AUTH_DIGEST];
	bool cache_used[AUTH_CACHE_SIZE];
	size_t cache_next;
	unsigned long hits;
};

bool
auth_ct_equal(const void *a, const void *b, size_t n)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char d = 0;

	for (size_t i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

struct auth *
auth_new(const struct webconfig_pair *users, size_t n)
{
	struct auth *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	pthread_mutex_init(&a->lock, NULL);
	a->users = calloc(n ? n : 1, sizeof(*a->users));
	if (a->users == NULL)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		a->users[i].name = strdup(users[i].name);
		a->users[i].hash = strdup(users[i].value);
		a->n++;
		if (a->users[i].name == NULL || a->users[i].hash == NULL)
			goto fail;
	}
	return a;
fail:
	auth_free(a);
	return NULL;
}

void
auth_free(struct auth *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->n; i++) {
		free(a->users[i].name);
		free(a->users[i].hash);
	}
	free(a->users);
	pthread_mutex_destroy(&a->lock);
	explicit_bzero(a->cache, sizeof(a->cache));
	free(a);
}

/* digest - SHA-256 over user NUL pass NUL hash; -1 on failure. */
static int
digest(const char *user, const char *pass, const char *hash, unsigned char out[AUTH_DIGEST])
{
	gnutls_hash_hd_t h;
	int r;

	if (gnutls_hash_init(&h, GNUTLS_DIG_SHA256) < 0)
		return -1;
	r = gnutls_hash(h, user, strlen(user) + 1);
	r |= gnutls_hash(h, pass, strlen(pass) + 1);
	r |= gnutls_hash(h, hash, strlen(hash));
	gnutls_hash_deinit(h, out);
	return r < 0 ? -1 : 0;
}

/* Walk the whole table whatever matches, so the lookup time does not depend on the position. */
static const struct auth_user *
find_user(const struct auth *a, const char *user)
{
	const struct auth_user *found = NULL;
	size_t ulen = strlen(user);

	for (size_t i = 0; i < a->n; i++) {
		size_t nlen = strlen(a->users[i].name);
		bool eq = nlen == ulen && auth_ct_equal(a->users[i].name, user, nlen);

		if (eq && found == NULL)
			found = &a->users[i];
	}
	return found;
}

bool
auth_check(struct auth *a, const char *user, const char *pass)
{
	const struct auth_user *u;
	struct crypt_data *cd;
	unsigned char d[AUTH_DIGEST];
	const char *hash, *res;
	bool ok = false, cached = false, have_digest;

	if (a == NULL || user == NULL || pass == NULL)
		return false;
	u = find_user(a, user);
	hash = u ? u->hash : auth_dummy_hash;
	have_digest = u && digest(user, pass, hash, d) == 0;
	if (have_digest) {
		pthread_mutex_lock(&a->lock);
		for (size_t i = 0; i < AUTH_CACHE_SIZE; i++)
			if (a->cache_used[i] && auth_ct_equal(a->cache[i], d, AUTH_DIGEST))
				cached = true;
		if (cached)
			a->hits++;
		pthread_mutex_unlock(&a->lock);
		if (cached)
			return true;
	}
	cd = calloc(1, sizeof(*cd));	/* ~32 KiB: not on an MHD thread's stack */
	if (cd == NULL)
		return false;
	res = crypt_r(pass, hash, cd);
	if (res != NULL && res[0] != '*' && strlen(res) == strlen(hash))
		ok = auth_ct_equal(res, hash, strlen(hash));
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	if (u == NULL)
		return false;
	if (ok && have_digest) {
		pthread_mutex_lock(&a->lock);
		memcpy(a->cache[a->cache_next], d, AUTH_DIGEST);
		a->cache_used[a->cache_next] = true;
		a->cache_next = (a->cache_next + 1) % AUTH_CACHE_SIZE;
		pthread_mutex_unlock(&a->lock);
	}
	return ok;
}

unsigned long
auth_cache_hits(struct auth *a)
{
	unsigned long h;

	pthread_mutex_lock(&a->lock);
	h = a->hits;
	pthread_mutex_unlock(&a->lock);
	return h;
}

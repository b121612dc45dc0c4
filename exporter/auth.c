/*
 * auth.c - basic-auth credentials, verification with crypt_r and a cache
 * of successes (see auth.h).
 *
 * DIAGNOSTICS: none here; the HTTP layer answers 401 and logs at debug.
 */
#include "exporter/auth.h"

#include <crypt.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The salt and checksum of a valid bcrypt hash that no configured user
 * owns (the PHP manual's example); auth_new() puts the highest configured
 * cost in front, so unknown users cost as much as known ones.
 */
static const char auth_dummy_tail[] = ".vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a";

struct auth_user {
	char *name;
	char *hash;
};

struct auth {
	struct auth_user *users;
	size_t n;
	char dummy[AUTH_HASH_LEN + 1];
	unsigned dummy_cost;
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

/* ------------------------------------------------------------ credentials */

static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* b64_decode - standard base64 with padding (Go's StdEncoding) into out; its length, or -1 */
static long
b64_decode(const unsigned char *in, size_t len, unsigned char *out)
{
	size_t o = 0;

	if (len % 4 != 0)
		return -1;
	for (size_t i = 0; i < len; i += 4) {
		int v[4], pad = 0;

		for (int k = 0; k < 4; k++) {
			if (in[i + k] == '=' && i + 4 == len && k >= 2) {
				v[k] = 0;
				pad++;
				continue;
			}
			if (pad || (v[k] = b64_value(in[i + k])) < 0)
				return -1;	/* a character after '=', or not base64 */
		}
		out[o++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
		if (pad < 2)
			out[o++] = (unsigned char)(v[1] << 4 | v[2] >> 2);
		if (pad < 1)
			out[o++] = (unsigned char)(v[2] << 6 | v[3]);
	}
	return (long)o;
}

int
auth_parse_basic(const char *value, size_t len, char **user, char **pass)
{
	static const char scheme[] = "basic ";
	unsigned char *buf;
	char *colon;
	long n;

	*user = *pass = NULL;
	if (len < sizeof(scheme) - 1)
		return -1;
	for (size_t i = 0; i < sizeof(scheme) - 1; i++)
		if ((value[i] | (value[i] >= 'A' && value[i] <= 'Z' ? 0x20 : 0)) != scheme[i])
			return -1;
	value += sizeof(scheme) - 1;
	len -= sizeof(scheme) - 1;
	if ((buf = malloc(len / 4 * 3 + 1)) == NULL)
		return -1;
	n = b64_decode((const unsigned char *)value, len, buf);
	if (n < 0 || memchr(buf, '\0', (size_t)n) != NULL ||
	    (colon = memchr(buf, ':', (size_t)n)) == NULL) {
		explicit_bzero(buf, len / 4 * 3 + 1);
		free(buf);
		return -1;
	}
	buf[n] = '\0';
	*colon = '\0';
	*user = (char *)buf;
	*pass = colon + 1;
	return 0;
}

/* ------------------------------------------------------------ users */

/* hash_cost - the cost of a "$2?$NN$..." hash; 0 if it is not one */
static unsigned
hash_cost(const char *h)
{
	if (strlen(h) != AUTH_HASH_LEN || h[0] != '$' || h[1] != '2' || h[3] != '$' || h[6] != '$' ||
	    h[4] < '0' || h[4] > '3' || h[5] < '0' || h[5] > '9')
		return 0;
	return (unsigned)(h[4] - '0') * 10 + (unsigned)(h[5] - '0');
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
		unsigned cost = hash_cost(users[i].value);

		a->users[i].name = strdup(users[i].name);
		a->users[i].hash = strdup(users[i].value);
		a->n++;
		if (a->users[i].name == NULL || a->users[i].hash == NULL)
			goto fail;
		if (cost > a->dummy_cost)
			a->dummy_cost = cost;
	}
	if (a->dummy_cost < 4)
		a->dummy_cost = 10;	/* no usable hash: the usual cost */
	snprintf(a->dummy, sizeof(a->dummy), "$2y$%02u$%s", a->dummy_cost % 100u, auth_dummy_tail);
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

unsigned
auth_dummy_cost(const struct auth *a)
{
	return a->dummy_cost;
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

void
auth_lookup(struct auth *a, const char *user, const char *pass, struct auth_attempt *t)
{
	const struct auth_user *u = find_user(a, user);

	memset(t, 0, sizeof(*t));
	t->known = u != NULL;
	snprintf(t->hash, sizeof(t->hash), "%s", u ? u->hash : a->dummy);
	t->have_digest = u && digest(user, pass, u->hash, t->digest) == 0;
	if (!t->have_digest)
		return;
	pthread_mutex_lock(&a->lock);
	for (size_t i = 0; i < AUTH_CACHE_SIZE; i++)
		if (a->cache_used[i] && auth_ct_equal(a->cache[i], t->digest, AUTH_DIGEST))
			t->cached = true;
	if (t->cached)
		a->hits++;
	pthread_mutex_unlock(&a->lock);
}

bool
auth_verify(const char *pass, const char *hash)
{
	struct crypt_data *cd = calloc(1, sizeof(*cd));	/* ~32 KiB: not on an MHD thread's stack */
	const char *res;
	bool ok = false;

	if (cd == NULL)
		return false;
	res = crypt_r(pass, hash, cd);
	if (res != NULL && res[0] != '*' && strlen(res) == strlen(hash))
		ok = auth_ct_equal(res, hash, strlen(hash));
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return ok;
}

void
auth_remember(struct auth *a, const struct auth_attempt *t)
{
	if (!t->known || !t->have_digest)
		return;
	pthread_mutex_lock(&a->lock);
	memcpy(a->cache[a->cache_next], t->digest, AUTH_DIGEST);
	a->cache_used[a->cache_next] = true;
	a->cache_next = (a->cache_next + 1) % AUTH_CACHE_SIZE;
	pthread_mutex_unlock(&a->lock);
}

bool
auth_check(struct auth *a, const char *user, const char *pass)
{
	struct auth_attempt t;
	bool ok;

	if (a == NULL || user == NULL || pass == NULL)
		return false;
	auth_lookup(a, user, pass, &t);
	if (t.cached)
		return true;
	ok = auth_verify(pass, t.hash) && t.known;
	if (ok)
		auth_remember(a, &t);
	explicit_bzero(&t, sizeof(t));
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

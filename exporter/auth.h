/*
 * auth.h - HTTP basic authentication against bcrypt hashes.
 *
 * auth_parse_basic() takes the credentials out of an Authorization header
 * value by the rules of Go's net/http, which exporter-toolkit serves with:
 * the scheme "Basic" in any case and one space, standard base64 with
 * padding, user and password split at the first ':'.  Credentials that
 * contain a NUL byte are refused: as C strings "secret\0anything" would
 * reach crypt_r as "secret".
 *
 * auth_new() copies the user table (name -> bcrypt hash) of a web config.
 * A verification is three steps, so that the expensive one can run on a
 * thread of its own (exporter/verifier.c) while the HTTP threads go on:
 *   - auth_lookup() finds the user (in constant time over the whole table)
 *     and answers from the cache of successes: cached, or the hash a
 *     bcrypt must be checked against.  An unknown user gets a dummy hash
 *     whose cost is the highest of the configured hashes, so "no such
 *     user" costs as much as a wrong password of the most expensive user;
 *   - auth_verify() is the bcrypt (libcrypt's crypt_r, constant-time
 *     comparison); it needs no struct auth;
 *   - auth_remember() caches a success (bounded, AUTH_CACHE_SIZE) as the
 *     SHA-256 of user NUL password NUL hash, never the password itself,
 *     so a scraper does not pay a bcrypt per scrape.  The cache belongs to
 *     one struct auth and goes away with it (a reload builds a new one).
 * auth_check() does the three in a row.
 * Thread-safe: MHD threads may call any of these concurrently.
 */
#ifndef MTA_AUTH_H
#define MTA_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "exporter/webconfig.h"

#define AUTH_CACHE_SIZE 64
#define AUTH_HASH_LEN 60	/* a bcrypt hash, as webconfig accepts them */
#define AUTH_DIGEST 32

struct auth;

/* What auth_lookup() found for one user and password. */
struct auth_attempt {
	bool known;			/* the user is configured */
	bool cached;			/* a cached success: no bcrypt needed */
	char hash[AUTH_HASH_LEN + 1];	/* to check with auth_verify(): the user's, or the dummy */
	unsigned char digest[AUTH_DIGEST];	/* the cache key (known users) */
	bool have_digest;
};

/*
 * auth_parse_basic - the user and password of the Authorization header
 * value (len bytes); 0 with *user malloc()ed (free it, after zeroing:
 * *pass points into the same block), or -1 if malformed or containing NUL.
 */
int auth_parse_basic(const char *value, size_t len, char **user, char **pass);

struct auth *auth_new(const struct webconfig_pair *users, size_t n);
void auth_free(struct auth *a);
/* auth_dummy_cost - the bcrypt cost unknown users are checked at. */
unsigned auth_dummy_cost(const struct auth *a);
void auth_lookup(struct auth *a, const char *user, const char *pass, struct auth_attempt *t);
/* auth_verify - does pass match hash (bcrypt; slow by design)? */
bool auth_verify(const char *pass, const char *hash);
/* auth_remember - cache a success found for t (a known user). */
void auth_remember(struct auth *a, const struct auth_attempt *t);
/* auth_check - true if user/pass match a configured user. */
bool auth_check(struct auth *a, const char *user, const char *pass);
/* auth_cache_hits - successful checks answered from the cache (for tests). */
unsigned long auth_cache_hits(struct auth *a);

/* auth_ct_equal - constant-time comparison of n bytes. */
bool auth_ct_equal(const void *a, const void *b, size_t n);

#endif

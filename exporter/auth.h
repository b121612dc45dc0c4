/*
 * auth.h - HTTP basic authentication against bcrypt hashes.
 *
 * auth_new() copies the user table (name -> bcrypt hash) of a web config.
 * auth_check() verifies a user name and password with libcrypt's crypt_r:
 *   - an unknown user is checked against a fixed dummy hash of the same
 *     cost, so the time taken does not tell whether the user exists;
 *   - every comparison of secrets is constant-time;
 *   - successful verifications are cached (bounded, AUTH_CACHE_SIZE) as the
 *     SHA-256 of user NUL password NUL hash, never the password itself, so
 *     a scraper does not pay a bcrypt per scrape.  The cache belongs to one
 *     struct auth and goes away with it (a reload builds a new one).
 * Thread-safe: MHD threads may call auth_check() concurrently.
 */
#ifndef MTA_AUTH_H
#define MTA_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "exporter/webconfig.h"

#define AUTH_CACHE_SIZE 64

struct auth;

struct auth *auth_new(const struct webconfig_pair *users, size_t n);
void auth_free(struct auth *a);
/* auth_check - true if user/pass match a configured user. */
bool auth_check(struct auth *a, const char *user, const char *pass);
/* auth_cache_hits - successful checks answered from the cache (for tests). */
unsigned long auth_cache_hits(struct auth *a);

/* auth_ct_equal - constant-time comparison of n bytes. */
bool auth_ct_equal(const void *a, const void *b, size_t n);

#endif

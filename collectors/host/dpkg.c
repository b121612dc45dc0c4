/*
 * dpkg.c - package versions from dpkg's status database (see dpkg.h).
 *
 * dpkg_status_version() is pure (the status text comes in as a buffer;
 * malformed stanzas are skipped).  dpkg_version() reads the file through
 * fileio and keeps a small cache per file identity.  Diagnostics: an
 * unreadable status file is logged with its path (log_file_warn).
 */
#include "collectors/host/dpkg.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/fileio.h"
#include "lib/log.h"

/* field - if line is "name: value", point val and vlen at the trimmed value */
static bool
field(const char *line, size_t len, const char *name, const char **val, size_t *vlen)
{
	size_t n = strlen(name);
	if (len <= n || strncasecmp(line, name, n) != 0 || line[n] != ':')
		return false;
	const char *v = line + n + 1;
	const char *end = line + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	*val = v;
	*vlen = (size_t)(end - v);
	return true;
}

static bool
installed(const char *v, size_t n)
{
	/* "want flag status": the third word must be "installed" */
	const char *last = v + n;
	const char *w = last;
	while (w > v && w[-1] != ' ')
		w--;
	return (size_t)(last - w) == 9 && strncmp(w, "installed", 9) == 0;
}

int
dpkg_status_version(const char *status, size_t len, const char *package, char *out, size_t outlen)
{
	const char *p = status, *end = status + len;
	bool match = false, inst = false;
	const char *ver = NULL;
	size_t verlen = 0;

	while (p <= end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		size_t ll = (size_t)(le - p);
		if (ll == 0 || (ll == 1 && *p == '\r')) {
			if (match && inst && ver) {
				snprintf(out, outlen, "%.*s", (int)verlen, ver);
				return 0;
			}
			match = inst = false;
			ver = NULL;
		} else if (*p != ' ' && *p != '\t') {
			const char *v;
			size_t vl;
			if (field(p, ll, "Package", &v, &vl))
				match = vl == strlen(package) && strncmp(v, package, vl) == 0;
			else if (field(p, ll, "Status", &v, &vl))
				inst = installed(v, vl);
			else if (field(p, ll, "Version", &v, &vl)) {
				ver = v;
				verlen = vl;
			}
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	if (match && inst && ver) {
		snprintf(out, outlen, "%.*s", (int)verlen, ver);
		return 0;
	}
	return -1;
}

/* ---- the cache ---- */

struct dpkg_entry {
	char package[64];
	int rc;				/* dpkg_status_version()'s answer */
	char version[128];
};

static struct {
	char path[4096];		/* the status file the entries are about */
	struct fileio_stat id;		/* its identity when they were read */
	struct dpkg_entry e[DPKG_CACHE_PACKAGES];
	size_t n, next;			/* entries used; next slot to reuse when full */
} cache;
static unsigned long reads;

unsigned long
dpkg_reads(void)
{
	return reads;
}

void
dpkg_cache_clear(void)
{
	memset(&cache, 0, sizeof(cache));
}

/* The entries hold for path as it is now (identity st); else drop them. */
static void
cache_keep_if(const char *path, const struct fileio_stat *st)
{
	if (strcmp(cache.path, path) == 0 && fileio_stat_equal(&cache.id, st))
		return;
	dpkg_cache_clear();
	snprintf(cache.path, sizeof(cache.path), "%s", path);
	cache.id = *st;
}

static const struct dpkg_entry *
cache_find(const char *package)
{
	for (size_t i = 0; i < cache.n; i++)
		if (strcmp(cache.e[i].package, package) == 0)
			return &cache.e[i];
	return NULL;
}

int
dpkg_version(const char *rootfs, const char *package, char *out, size_t outlen)
{
	char full[4096], err[256];
	const struct dpkg_entry *hit;
	struct dpkg_entry *e;
	struct fileio_stat st;
	enum fileio_result r;
	char *data = NULL;
	size_t len = 0;

	if (strlen(package) >= sizeof(cache.e[0].package)
	    || fileio_path(rootfs, "/var/lib/dpkg/status", full, sizeof(full)) == NULL)
		return -1;
	if ((r = fileio_stat(rootfs, "/var/lib/dpkg/status", &st, err, sizeof(err))) != FILEIO_OK) {
		if (r == FILEIO_ERROR)
			log_file_warn(full, 0, "%s", err);
		dpkg_cache_clear();
		return -1;
	}
	cache_keep_if(full, &st);
	if ((hit = cache_find(package)) == NULL) {
		if ((r = fileio_read(rootfs, "/var/lib/dpkg/status", DPKG_STATUS_MAX, &data, &len, &st, err, sizeof(err)))
		    != FILEIO_OK) {
			if (r == FILEIO_ERROR)
				log_file_warn(full, 0, "%s", err);
			dpkg_cache_clear();
			return -1;
		}
		reads++;
		cache_keep_if(full, &st);	/* it may have changed since the stat */
		if (cache.n < DPKG_CACHE_PACKAGES) {
			e = &cache.e[cache.n++];
		} else {
			e = &cache.e[cache.next];
			cache.next = (cache.next + 1) % DPKG_CACHE_PACKAGES;
		}
		snprintf(e->package, sizeof(e->package), "%s", package);
		e->rc = dpkg_status_version(data, len, package, e->version, sizeof(e->version));
		free(data);
		hit = e;
	}
	assert(hit->rc == 0 || hit->rc == -1);
	if (hit->rc == 0)
		snprintf(out, outlen, "%s", hit->version);
	return hit->rc;
}

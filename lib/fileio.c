/*
 * fileio.c - bounded reads of configuration files (see fileio.h).
 *
 * open() follows symlinks as the MTAs do (loops end in ELOOP), with O_NONBLOCK
 * so a FIFO cannot block the scrape, fstat() on the descriptor to refuse
 * non-regular files and oversize files, then read to EOF with the cap
 * enforced again (the file may grow while it is read).
 *
 * The identity table (fileio_identity) is a fixed array searched linearly:
 * FILEIO_IDENTITY_SLOTS entries of a path hash, the identity and a use
 * counter for least-recently-seen eviction, guarded by a mutex.
 */
#include "lib/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/hash.h"

char *
fileio_path(const char *rootfs, const char *path, char *out, size_t outlen)
{
	size_t rl = rootfs ? strlen(rootfs) : 0;
	int n;

	while (rl > 0 && rootfs[rl - 1] == '/')
		rl--;
	n = snprintf(out, outlen, "%.*s%s%s", (int)rl, rl ? rootfs : "",
		     path[0] == '/' ? "" : "/", path);
	if (n < 0 || (size_t)n >= outlen)
		return NULL;
	return out;
}

/* ------------------------------------------------------------ identities */

struct seen {
	uint64_t path;		/* hash of the path; 0 = free slot */
	uint64_t used;		/* ident_clock when last recorded */
	struct fileio_stat st;
};

static struct seen ident[FILEIO_IDENTITY_SLOTS];
static uint64_t ident_clock;
static pthread_mutex_t ident_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t
path_key(const char *path)
{
	uint64_t h = hash_fnv1a(HASH_FNV1A_INIT, path, strlen(path));

	return h ? h : 1;	/* 0 marks a free slot */
}

/* remember - record path's identity, or forget the path (st NULL) */
static void
remember(const char *path, const struct fileio_stat *st)
{
	uint64_t key = path_key(path);
	struct seen *slot = NULL, *oldest = &ident[0];

	pthread_mutex_lock(&ident_lock);
	for (size_t i = 0; i < FILEIO_IDENTITY_SLOTS; i++) {
		if (ident[i].path == key) {
			slot = &ident[i];
			break;
		}
		if (ident[i].used < oldest->used)
			oldest = &ident[i];	/* free slots have used 0 */
	}
	if (st == NULL) {
		if (slot)
			memset(slot, 0, sizeof(*slot));
	} else {
		if (slot == NULL)
			slot = oldest;
		slot->path = key;
		slot->used = ++ident_clock;
		slot->st = *st;
	}
	pthread_mutex_unlock(&ident_lock);
}

bool
fileio_identity(const char *fullpath, struct fileio_stat *st)
{
	uint64_t key = path_key(fullpath);
	bool found = false;

	pthread_mutex_lock(&ident_lock);
	for (size_t i = 0; i < FILEIO_IDENTITY_SLOTS && !found; i++) {
		if (ident[i].path == key) {
			*st = ident[i].st;
			found = true;
		}
	}
	pthread_mutex_unlock(&ident_lock);
	return found;
}

/* ------------------------------------------------------------ reading */

static void
fill_stat(struct fileio_stat *st, const struct stat *sb)
{
	st->dev = sb->st_dev;
	st->ino = sb->st_ino;
	st->size = sb->st_size;
	st->mtime = sb->st_mtim;
	st->ctime = sb->st_ctim;
}

/* seen_ok - the file was read or stat'ed: record it, and tell the caller */
static void
seen_ok(const char *path, struct fileio_stat *out, const struct stat *sb)
{
	struct fileio_stat st;

	fill_stat(&st, sb);
	remember(path, &st);
	if (out)
		*out = st;
}

static enum fileio_result
errno_result(const char *path, int e, char *err, size_t errlen, const char *what)
{
	remember(path, NULL);
	snprintf(err, errlen, "%s: %s", what, strerror(e));
	return (e == ENOENT || e == ENOTDIR) ? FILEIO_ABSENT : FILEIO_ERROR;
}

/* refuse - a failure that is not an errno: forget the path, say why */
static enum fileio_result __attribute__((format(printf, 4, 5)))
refuse(const char *path, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	remember(path, NULL);
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return FILEIO_ERROR;
}

enum fileio_result
fileio_stat(const char *fullpath, struct fileio_stat *st, char *err, size_t errlen)
{
	struct stat sb;

	if (stat(fullpath, &sb) < 0)
		return errno_result(fullpath, errno, err, errlen, "cannot stat");
	if (!S_ISREG(sb.st_mode))
		return refuse(fullpath, err, errlen, "not a regular file");
	seen_ok(fullpath, st, &sb);
	return FILEIO_OK;
}

bool
fileio_stat_equal(const struct fileio_stat *a, const struct fileio_stat *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec &&
	       a->ctime.tv_sec == b->ctime.tv_sec && a->ctime.tv_nsec == b->ctime.tv_nsec;
}

enum fileio_result
fileio_read(const char *fullpath, size_t max, char **data, size_t *len,
	    struct fileio_stat *st, char *err, size_t errlen)
{
	enum fileio_result r;
	struct stat sb;
	char *p = NULL;
	size_t cap, n = 0;
	int fd;

	*data = NULL;
	*len = 0;
	fd = open(fullpath, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return errno_result(fullpath, errno, err, errlen, "cannot open");
	if (fstat(fd, &sb) < 0) {
		r = errno_result(fullpath, errno, err, errlen, "cannot stat");
		close(fd);
		return r == FILEIO_ABSENT ? FILEIO_ERROR : r;
	}
	if (S_ISDIR(sb.st_mode)) {
		close(fd);
		return refuse(fullpath, err, errlen, "is a directory, expected a file");
	}
	if (!S_ISREG(sb.st_mode)) {
		close(fd);
		return refuse(fullpath, err, errlen, "not a regular file");
	}
	if (sb.st_size < 0 || (unsigned long long)sb.st_size > max) {
		close(fd);
		return refuse(fullpath, err, errlen, "file too large (%lld bytes, limit %zu)",
			      (long long)sb.st_size, max);
	}
	cap = (size_t)sb.st_size + 1;
	if (cap < 256)
		cap = 256;
	p = malloc(cap);
	if (p == NULL) {
		close(fd);
		return refuse(fullpath, err, errlen, "out of memory");
	}
	for (;;) {
		ssize_t got;

		if (n + 1 >= cap) {
			size_t ncap = cap * 2;
			char *q;

			if (ncap > max + 1)
				ncap = max + 1;
			if (n + 1 >= ncap) {
				r = refuse(fullpath, err, errlen,
					   "file too large (grew past limit %zu while read)", max);
				goto fail;
			}
			q = realloc(p, ncap);
			if (q == NULL) {
				r = refuse(fullpath, err, errlen, "out of memory");
				goto fail;
			}
			p = q;
			cap = ncap;
		}
		got = read(fd, p + n, cap - 1 - n);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			r = refuse(fullpath, err, errlen, "read error: %s", strerror(errno));
			goto fail;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	p[n] = '\0';
	seen_ok(fullpath, st, &sb);
	*data = p;
	*len = n;
	return FILEIO_OK;
fail:
	free(p);
	close(fd);
	return r;
}

/*
 * fileio.c - bounded reads of configuration files (see fileio.h).
 *
 * open() follows symlinks as the MTAs do (loops end in ELOOP), with O_NONBLOCK
 * so a FIFO cannot block the scrape, fstat() on the descriptor to refuse
 * non-regular files and oversize files, then read to EOF with the cap
 * enforced again (the file may grow while it is read).
 */
#include "collectors/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static void
fill_stat(struct fileio_stat *st, const struct stat *sb)
{
	if (st == NULL)
		return;
	st->dev = sb->st_dev;
	st->ino = sb->st_ino;
	st->size = sb->st_size;
	st->mtime = sb->st_mtim;
}

static enum fileio_result
errno_result(int e, char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s", what, strerror(e));
	return (e == ENOENT || e == ENOTDIR) ? FILEIO_ABSENT : FILEIO_ERROR;
}

enum fileio_result
fileio_stat(const char *fullpath, struct fileio_stat *st, char *err, size_t errlen)
{
	struct stat sb;

	if (stat(fullpath, &sb) < 0)
		return errno_result(errno, err, errlen, "cannot stat");
	if (!S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "not a regular file");
		return FILEIO_ERROR;
	}
	fill_stat(st, &sb);
	return FILEIO_OK;
}

bool
fileio_stat_equal(const struct fileio_stat *a, const struct fileio_stat *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec;
}

enum fileio_result
fileio_read(const char *fullpath, size_t max, char **data, size_t *len,
	    struct fileio_stat *st, char *err, size_t errlen)
{
	struct stat sb;
	char *p = NULL;
	size_t cap, n = 0;
	int fd;

	*data = NULL;
	*len = 0;
	fd = open(fullpath, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return errno_result(errno, err, errlen, "cannot open");
	if (fstat(fd, &sb) < 0) {
		enum fileio_result r = errno_result(errno, err, errlen, "cannot stat");
		close(fd);
		return r == FILEIO_ABSENT ? FILEIO_ERROR : r;
	}
	if (S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "is a directory, expected a file");
		close(fd);
		return FILEIO_ERROR;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "not a regular file");
		close(fd);
		return FILEIO_ERROR;
	}
	if (sb.st_size < 0 || (unsigned long long)sb.st_size > max) {
		snprintf(err, errlen, "file too large (%lld bytes, limit %zu)",
			 (long long)sb.st_size, max);
		close(fd);
		return FILEIO_ERROR;
	}
	cap = (size_t)sb.st_size + 1;
	if (cap < 256)
		cap = 256;
	p = malloc(cap);
	if (p == NULL) {
		snprintf(err, errlen, "out of memory");
		close(fd);
		return FILEIO_ERROR;
	}
	for (;;) {
		ssize_t r;

		if (n + 1 >= cap) {
			size_t ncap = cap * 2;
			char *q;

			if (ncap > max + 1)
				ncap = max + 1;
			if (n + 1 >= ncap) {
				snprintf(err, errlen, "file too large (grew past limit %zu while read)", max);
				goto fail;
			}
			q = realloc(p, ncap);
			if (q == NULL) {
				snprintf(err, errlen, "out of memory");
				goto fail;
			}
			p = q;
			cap = ncap;
		}
		r = read(fd, p + n, cap - 1 - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "read error: %s", strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	p[n] = '\0';
	fill_stat(st, &sb);
	*data = p;
	*len = n;
	return FILEIO_OK;
fail:
	free(p);
	close(fd);
	return FILEIO_ERROR;
}

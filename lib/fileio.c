/*
 * fileio.c - the one place files are opened (see fileio.h).
 *
 * Opening: open() (no root) or, under a root, openat2(RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS) relative to an O_PATH descriptor of the root,
 * else resolve_in_root(): the same resolution in user space, one
 * component at a time with O_PATH | O_NOFOLLOW, reading each symlink
 * (readlinkat) and splicing its target into the rest of the path (an
 * absolute target starts again at the root), at most FILEIO_MAX_LINKS
 * symlinks; ".." pops a component and re-opens the directory from the
 * root by the names walked, with O_NOFOLLOW at every step, so a directory
 * swapped for a symlink meanwhile fails the walk instead of leaving the
 * root.  The object found is opened with O_NOFOLLOW relative to its
 * parent.  Either way the flags are O_NONBLOCK | O_NOCTTY | O_CLOEXEC and
 * fstat() on the descriptor checks its type.
 *
 * fileio_read() then reads to EOF with the cap enforced again (the file
 * may grow while it is read).
 *
 * The identity table (fileio_identity) is a fixed array searched linearly:
 * FILEIO_IDENTITY_SLOTS entries of a path hash, the identity and a use
 * counter for least-recently-seen eviction, guarded by a mutex.
 */
#include "lib/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/buf.h"
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

/* ------------------------------------------------------------ opening */

/* no_root - NULL, "" and "/" mean the host's own root: no resolution inside a root. */
static bool
no_root(const char *root)
{
	return root == NULL || root[0] == '\0' || strcmp(root, "/") == 0;
}

static int
open_flags(enum fileio_kind kind)
{
	switch (kind) {
	case FILEIO_DIR:
		return O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	case FILEIO_ANY:
		return O_PATH | O_CLOEXEC;
	case FILEIO_FILE:
		break;
	}
	return O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
}

/* 1 once openat2 answered ENOSYS/EPERM: the kernel (or a seccomp filter) lacks it. */
static int openat2_missing;

static bool
userspace_forced(void)
{
	return getenv("MTA_EXPORTER_NO_OPENAT2") != NULL;
}

/* walk - a fresh O_PATH descriptor of root/names[0]/.../names[depth-1], never following a symlink */
static int
walk(int rootfd, const char *names, const size_t *off, size_t depth)
{
	int cur = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);

	for (size_t i = 0; i < depth && cur >= 0; i++) {
		int next = openat(cur, names + off[i], O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int e = errno;

		close(cur);
		errno = e;
		cur = next;
	}
	return cur;
}

/* The state of one user-space resolution. */
struct resolve {
	char rest[2 * PATH_MAX];	/* what is left of the path, symlink targets spliced in */
	char names[PATH_MAX];		/* the directories walked from the root, NUL-separated */
	size_t off[PATH_MAX / 2];	/* where each of them starts in names */
	size_t depth, used;
};

/*
 * resolve_in_root - open path below rootfd with flags as openat2
 * (RESOLVE_IN_ROOT) would: the fallback for kernels without it.
 * A descriptor, or -1 with errno.
 */
static int
resolve_in_root(int rootfd, const char *path, int flags)
{
	struct resolve *r = malloc(sizeof(*r));
	char link[PATH_MAX];
	unsigned links = 0;
	int cur, fd = -1, e = 0;

	if (r == NULL)
		return -1;
	if (strlen(path) >= sizeof(r->rest)) {
		free(r);
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(r->rest, path);
	r->depth = r->used = 0;
	cur = walk(rootfd, r->names, r->off, 0);
	if (cur < 0) {
		e = errno;
		goto out;
	}
	for (;;) {
		char *p = r->rest, *name, *next;
		bool last, dir_wanted;
		struct stat sb;
		size_t nl;
		ssize_t n;
		int obj;

		while (*p == '/')
			p++;
		if (*p == '\0') {	/* the path names the directory we are in */
			fd = openat(cur, ".", flags);
			e = errno;
			break;
		}
		name = p;
		next = strchr(p, '/');
		nl = next ? (size_t)(next - p) : strlen(p);
		dir_wanted = next != NULL;	/* "name/" must be a directory */
		p += nl;
		while (*p == '/')
			p++;
		last = *p == '\0';
		if (name[nl] != '\0')
			name[nl] = '\0';
		if (strcmp(name, ".") == 0) {
			memmove(r->rest, p, strlen(p) + 1);
			continue;
		}
		if (strcmp(name, "..") == 0) {
			memmove(r->rest, p, strlen(p) + 1);
			if (r->depth == 0)
				continue;	/* ".." of the root is the root */
			r->used = r->off[--r->depth];
			close(cur);
			if ((cur = walk(rootfd, r->names, r->off, r->depth)) < 0) {
				e = errno;
				goto out;
			}
			continue;
		}
		obj = openat(cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (obj < 0 || fstat(obj, &sb) < 0) {
			e = errno;
			if (obj >= 0)
				close(obj);
			break;
		}
		if (S_ISLNK(sb.st_mode)) {
			size_t tl, rl = strlen(p);

			n = readlinkat(obj, "", link, sizeof(link));
			e = errno;
			close(obj);
			if (n < 0)
				break;
			if ((size_t)n >= sizeof(link) || ++links > FILEIO_MAX_LINKS) {
				e = (size_t)n >= sizeof(link) ? ENAMETOOLONG : ELOOP;
				break;
			}
			if (n == 0) {
				e = ENOENT;
				break;
			}
			tl = (size_t)n;
			if (tl + 1 + rl + 1 > sizeof(r->rest)) {
				e = ENAMETOOLONG;
				break;
			}
			/* rest := target ["/" rest] (the tail first: it may overlap) */
			if (rl > 0 || dir_wanted) {	/* "link/" must be a directory too */
				memmove(r->rest + tl + 1, p, rl + 1);
				r->rest[tl] = '/';
			} else {
				r->rest[tl] = '\0';
			}
			memcpy(r->rest, link, tl);
			if (link[0] == '/') {	/* absolute: again from the root */
				close(cur);
				r->depth = r->used = 0;
				if ((cur = walk(rootfd, r->names, r->off, 0)) < 0) {
					e = errno;
					goto out;
				}
			}
			continue;
		}
		if (!last || dir_wanted) {
			if (!S_ISDIR(sb.st_mode)) {
				close(obj);
				e = ENOTDIR;
				break;
			}
			if (!last) {
				if (r->used + nl + 1 > sizeof(r->names) ||
				    r->depth == sizeof(r->off) / sizeof(r->off[0])) {
					close(obj);
					e = ENAMETOOLONG;
					break;
				}
				r->off[r->depth++] = r->used;
				memcpy(r->names + r->used, name, nl + 1);
				r->used += nl + 1;
				close(cur);
				cur = obj;
				memmove(r->rest, p, strlen(p) + 1);
				continue;
			}
		}
		/* the object itself; O_NOFOLLOW: if it became a symlink meanwhile, ELOOP */
		if ((flags & O_PATH) != 0) {
			fd = obj;
		} else {
			close(obj);
			fd = openat(cur, name, flags | O_NOFOLLOW);
			e = errno;
		}
		break;
	}
	close(cur);
out:
	free(r);
	errno = e;
	return fd;
}

/* open_in_root - path resolved inside root, opened with flags; -1 with errno */
static int
open_in_root(const char *root, const char *path, int flags)
{
	int rootfd, fd = -1, e;

	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -1;
	if (!__atomic_load_n(&openat2_missing, __ATOMIC_RELAXED) && !userspace_forced()) {
		struct open_how how;

		memset(&how, 0, sizeof(how));
		how.flags = (uint64_t)flags;
		how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
		for (int tries = 0; tries < 16; tries++) {
			fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
			if (fd >= 0 || errno != EAGAIN)	/* EAGAIN: a rename raced the ".." check */
				break;
		}
		if (fd < 0 && (errno == ENOSYS || errno == EPERM))
			__atomic_store_n(&openat2_missing, 1, __ATOMIC_RELAXED);
		else
			goto done;
	}
	fd = resolve_in_root(rootfd, path, flags);
done:
	e = errno;
	close(rootfd);
	errno = e;
	return fd;
}

enum fileio_result
fileio_open(const char *root, const char *path, enum fileio_kind kind, int *fdp,
	    struct stat *sbp, char *err, size_t errlen)
{
	struct stat sb;
	const char *why = NULL;
	int fd, e;

	*fdp = -1;
	if (root == NULL) {
		fd = open(path, open_flags(kind));
	} else if (no_root(root)) {	/* joined as fileio_path() does: "etc/x" is "/etc/x" */
		char full[PATH_MAX];

		if (fileio_path(root, path, full, sizeof(full)) == NULL) {
			snprintf(err, errlen, "path too long");
			errno = ENAMETOOLONG;
			return FILEIO_ERROR;
		}
		fd = open(full, open_flags(kind));
	} else {
		fd = open_in_root(root, path, open_flags(kind));
	}
	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "cannot open: %s", strerror(e));
		errno = e;
		return (e == ENOENT || e == ENOTDIR) ? FILEIO_ABSENT : FILEIO_ERROR;
	}
	if (fstat(fd, &sb) < 0) {
		e = errno;
		snprintf(err, errlen, "cannot stat: %s", strerror(e));
		close(fd);
		errno = e;
		return FILEIO_ERROR;
	}
	if (kind == FILEIO_FILE && S_ISDIR(sb.st_mode))
		why = "is a directory, expected a file";
	else if (kind == FILEIO_FILE && !S_ISREG(sb.st_mode))
		why = "not a regular file";
	else if (kind == FILEIO_DIR && !S_ISDIR(sb.st_mode))
		why = "not a directory";
	if (why) {
		snprintf(err, errlen, "%s", why);
		close(fd);
		errno = kind == FILEIO_DIR ? ENOTDIR : EINVAL;
		return FILEIO_ERROR;
	}
	*fdp = fd;
	if (sbp)
		*sbp = sb;
	return FILEIO_OK;
}

enum fileio_result
fileio_opendir(const char *root, const char *path, DIR **dir, char *err, size_t errlen)
{
	enum fileio_result r;
	int fd, e;

	*dir = NULL;
	r = fileio_open(root, path, FILEIO_DIR, &fd, NULL, err, errlen);
	if (r != FILEIO_OK)
		return r;
	if ((*dir = fdopendir(fd)) == NULL) {
		e = errno;
		snprintf(err, errlen, "cannot list: %s", strerror(e));
		close(fd);
		errno = e;
		return FILEIO_ERROR;
	}
	return FILEIO_OK;
}

int
fileio_write_atomic(const char *path, const void *data, size_t len)
{
	char tmp[PATH_MAX];
	int fd, n, e;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (unlink(tmp) < 0 && errno != ENOENT)	/* a stale one, whatever it is */
		return -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
		  0644);
	if (fd < 0)
		return -1;
	if (buf_write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		e = errno;
		close(fd);
		unlink(tmp);
		errno = e;
		return -1;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		e = errno;
		unlink(tmp);
		errno = e;
		return -1;
	}
	return 0;
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

/* refuse - a failure after the open: forget the path, say why */
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

/* joined - fileio_path() for the identity table; NULL (and err) if too long */
static const char *
joined(const char *root, const char *path, char *out, size_t outlen, char *err, size_t errlen)
{
	if (root == NULL ? strlen(path) < outlen && strcpy(out, path)
			 : fileio_path(root, path, out, outlen) != NULL)
		return out;
	snprintf(err, errlen, "path too long");
	return NULL;
}

enum fileio_result
fileio_stat(const char *root, const char *path, struct fileio_stat *st, char *err, size_t errlen)
{
	char full[PATH_MAX];
	enum fileio_result r;
	struct stat sb;
	int fd;

	if (joined(root, path, full, sizeof(full), err, errlen) == NULL)
		return FILEIO_ERROR;
	r = fileio_open(root, path, FILEIO_ANY, &fd, &sb, err, errlen);
	if (r != FILEIO_OK) {
		remember(full, NULL);
		return r;
	}
	close(fd);
	if (!S_ISREG(sb.st_mode))
		return refuse(full, err, errlen, "not a regular file");
	seen_ok(full, st, &sb);
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
fileio_read(const char *root, const char *path, size_t max, char **data, size_t *len,
	    struct fileio_stat *st, char *err, size_t errlen)
{
	char full[PATH_MAX];
	enum fileio_result r;
	struct stat sb;
	char *p = NULL;
	size_t cap, n = 0;
	int fd;

	*data = NULL;
	*len = 0;
	if (joined(root, path, full, sizeof(full), err, errlen) == NULL)
		return FILEIO_ERROR;
	r = fileio_open(root, path, FILEIO_FILE, &fd, &sb, err, errlen);
	if (r != FILEIO_OK) {
		remember(full, NULL);
		return r;
	}
	if (sb.st_size < 0 || (unsigned long long)sb.st_size > max) {
		close(fd);
		return refuse(full, err, errlen, "file too large (%lld bytes, limit %zu)",
			      (long long)sb.st_size, max);
	}
	cap = (size_t)sb.st_size + 1;
	if (cap < 256)
		cap = 256;
	p = malloc(cap);
	if (p == NULL) {
		close(fd);
		return refuse(full, err, errlen, "out of memory");
	}
	for (;;) {
		ssize_t got;

		if (n + 1 >= cap) {
			size_t ncap = cap * 2;
			char *q;

			if (ncap > max + 1)
				ncap = max + 1;
			if (n + 1 >= ncap) {
				r = refuse(full, err, errlen,
					   "file too large (grew past limit %zu while read)", max);
				goto fail;
			}
			q = realloc(p, ncap);
			if (q == NULL) {
				r = refuse(full, err, errlen, "out of memory");
				goto fail;
			}
			p = q;
			cap = ncap;
		}
		got = read(fd, p + n, cap - 1 - n);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			r = refuse(full, err, errlen, "read error: %s", strerror(errno));
			goto fail;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	p[n] = '\0';
	seen_ok(full, st, &sb);
	*data = p;
	*len = n;
	return FILEIO_OK;
fail:
	free(p);
	close(fd);
	return r;
}

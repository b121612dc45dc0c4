/*
 * fileio.h - the one place the exporter opens files: bounded reads of
 * configuration and procfs files, directory listings, and atomic writes.
 *
 * Opening never blocks and never leaves the audited root:
 *   - every open is O_NONBLOCK | O_NOCTTY | O_CLOEXEC, and fstat() on the
 *     descriptor checks that the object is what the caller expects (a
 *     regular file, a directory), so a FIFO, a device or a socket in
 *     place of a file costs one open and is refused with a message;
 *   - a path under a root (--path.rootfs other than "/") is resolved
 *     inside that root the way the audited host itself would see it:
 *     absolute symlinks start again at the root and ".." stops at it, as
 *     openat2(RESOLVE_IN_ROOT) does.  Where the kernel has no openat2
 *     (ENOSYS, or EPERM from a seccomp filter that does not know it), the
 *     same resolution is done component by component in user space.  The
 *     environment variable MTA_EXPORTER_NO_OPENAT2 (any value) forces
 *     that fallback, for tests.  With root "/" or "" the path is joined
 *     as fileio_path() does and opened as it is, following symlinks as the
 *     MTAs do; with root NULL it is a path of the exporter's own (procfs,
 *     the web config, a replay file), opened as given.
 *
 * fileio_read() refuses directories, devices, FIFOs and files larger than
 * the cap, follows symlinks (the kernel stops loops with ELOOP), and
 * reports every problem through a message without the path (the caller
 * names it).  Parsers never see the filesystem: they get the buffer.
 *
 * fileio_path() joins rootfs and an absolute path ("/" or "" rootfs = none)
 * into the name the log shows and the identity table is keyed by.
 *
 * Identity: every successful fileio_read() or fileio_stat() records the
 * identity of the path it was given (device, inode, size, mtime and ctime,
 * both to the nanosecond) in a bounded table of the FILEIO_IDENTITY_SLOTS
 * most recently seen paths (keyed by a 64-bit hash of the joined path; the
 * least recently seen is evicted); a failed one forgets the path.
 * fileio_identity() answers from that table without any I/O.  The log
 * uses it to say a warning once per version of a file (lib/log.h).
 * ctime is part of the identity so that a file replaced by one of the same
 * size and mtime (cp -p, rsync -t, touch -d) still counts as changed.
 * fileio_open() and fileio_opendir() record nothing (procfs reads would
 * otherwise crowd configuration files out of the table).
 */
#ifndef MTA_FILEIO_H
#define MTA_FILEIO_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#define FILEIO_MAX_CONFIG (8u << 20)	/* default cap for a config file */
#define FILEIO_MAX_LINKS 40		/* symlinks followed in one resolution, as Linux */

struct fileio_stat {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	struct timespec ctime;
};

#define FILEIO_IDENTITY_SLOTS 256

enum fileio_result {
	FILEIO_OK = 0,
	FILEIO_ABSENT = 1,	/* ENOENT/ENOTDIR: not an error for "is X installed" */
	FILEIO_ERROR = -1,	/* everything else; err says why */
};

/* What the caller expects to find at the path. */
enum fileio_kind {
	FILEIO_FILE,		/* a regular file, opened for reading */
	FILEIO_DIR,		/* a directory, opened for listing */
	FILEIO_ANY,		/* any object, opened only to fstat() it (O_PATH) */
};

/* fileio_path - rootfs + path into out; returns out, or NULL if too long. */
char *fileio_path(const char *rootfs, const char *path, char *out, size_t outlen);
/*
 * fileio_open - open path (under root, see above) as kind; on FILEIO_OK *fd
 * is the descriptor (caller closes) and sb (optional) its fstat().  On
 * failure errno is kept (EACCES, ENOENT, ...) and err says why.
 */
enum fileio_result fileio_open(const char *root, const char *path, enum fileio_kind kind,
			       int *fd, struct stat *sb, char *err, size_t errlen);
/* fileio_opendir - fileio_open(FILEIO_DIR) as a DIR stream (closedir() it). */
enum fileio_result fileio_opendir(const char *root, const char *path, DIR **dir,
				  char *err, size_t errlen);
/*
 * fileio_read - read a whole regular file under root, NUL-terminated, at
 * most max bytes.  On FILEIO_OK *data is malloc()ed (caller frees) and
 * *len set; st (optional) receives identity for cache keys.  On error, err
 * gets a one-line reason.
 */
enum fileio_result fileio_read(const char *root, const char *path, size_t max, char **data,
			       size_t *len, struct fileio_stat *st,
			       char *err, size_t errlen);
/* fileio_stat - identity of a regular file under root without reading it. */
enum fileio_result fileio_stat(const char *root, const char *path, struct fileio_stat *st,
			       char *err, size_t errlen);
bool fileio_stat_equal(const struct fileio_stat *a, const struct fileio_stat *b);
/*
 * fileio_identity - the identity fullpath (fileio_path's join) had when
 * this process last read or stat'ed it through fileio; false if unknown
 * (never seen, evicted, or the last attempt failed).  No I/O.  Thread-safe.
 */
bool fileio_identity(const char *fullpath, struct fileio_stat *st);
/*
 * fileio_write_atomic - write len bytes to path through path.tmp.<pid>
 * (created afresh: O_EXCL, never through a symlink or into a FIFO), fsync
 * and rename, so readers never see a partial file; 0, or -1 with errno.
 */
int fileio_write_atomic(const char *path, const void *data, size_t len);

#endif

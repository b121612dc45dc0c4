/*
 * fileio.h - bounded reads of configuration files under --path.rootfs.
 *
 * The only place collectors open files.  fileio_read() refuses directories,
 * devices, FIFOs and files larger than the cap, follows symlinks (the kernel
 * stops loops with ELOOP), and reports every problem through a message that
 * names the path.  Parsers never see the filesystem: they get the buffer.
 *
 * fileio_path() joins rootfs and an absolute path ("/" or "" rootfs = none).
 *
 * Identity: every successful fileio_read() or fileio_stat() records the
 * identity of the path it was given (device, inode, size, mtime and ctime,
 * both to the nanosecond) in a bounded table of the FILEIO_IDENTITY_SLOTS
 * most recently seen paths (keyed by a 64-bit hash of the path; the least
 * recently seen is evicted); a failed one forgets the path.
 * fileio_identity() answers from that table without any I/O.  The log
 * uses it to say a warning once per version of a file (lib/log.h).
 * ctime is part of the identity so that a file replaced by one of the same
 * size and mtime (cp -p, rsync -t, touch -d) still counts as changed.
 */
#ifndef MTA_FILEIO_H
#define MTA_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#define FILEIO_MAX_CONFIG (8u << 20)	/* default cap for a config file */

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

/* fileio_path - rootfs + path into out; returns out, or NULL if too long. */
char *fileio_path(const char *rootfs, const char *path, char *out, size_t outlen);
/*
 * fileio_read - read a whole regular file, NUL-terminated, at most max bytes.
 * On FILEIO_OK *data is malloc()ed (caller frees) and *len set; st (optional)
 * receives identity for cache keys.  On error, err gets a one-line reason.
 */
enum fileio_result fileio_read(const char *fullpath, size_t max, char **data,
			       size_t *len, struct fileio_stat *st,
			       char *err, size_t errlen);
/* fileio_stat - identity of a file without reading it. */
enum fileio_result fileio_stat(const char *fullpath, struct fileio_stat *st,
			       char *err, size_t errlen);
bool fileio_stat_equal(const struct fileio_stat *a, const struct fileio_stat *b);
/*
 * fileio_identity - the identity fullpath had when this process last read
 * or stat'ed it through fileio; false if unknown (never seen, evicted, or
 * the last attempt failed).  No I/O.  Thread-safe.
 */
bool fileio_identity(const char *fullpath, struct fileio_stat *st);

#endif

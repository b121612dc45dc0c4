/*
 * sockowner.c - socket inode -> owning process name, with caches.
 *
 * Interface, cost model and diagnostics: see sockowner.h.  This reads
 * procfs directly (readlink, fileio_opendir, small reads through fileio_open,
 * which never blocks on a FIFO); it never forks.
 */
#include "collectors/host/sockowner.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fileio.h"
#include "lib/log.h"

struct inode_ent {
	uint32_t inode;
	int pid;		/* 0 = not found by the last scan */
	int fd;
	time_t scanned;		/* when a scan last looked for it (pid 0) */
};

struct comm_ent {
	int pid;
	dev_t dev;
	ino_t ino;		/* identity of <procfs>/<pid> */
	char comm[SOCKOWNER_COMMLEN];
	bool used;		/* seen in this call */
};

struct sockowner {
	struct inode_ent ino[SOCKOWNER_CACHE];
	size_t n_ino;
	struct comm_ent comm[SOCKOWNER_CACHE];
	size_t n_comm;
	bool warned_full;	/* the "cache full" warning was logged */
};

struct sockowner *
sockowner_new(void)
{
	return calloc(1, sizeof(struct sockowner));
}

void
sockowner_free(struct sockowner *so)
{
	free(so);
}

static struct inode_ent *
ino_find(struct sockowner *so, uint32_t inode)
{
	for (size_t i = 0; i < so->n_ino; i++)
		if (so->ino[i].inode == inode)
			return &so->ino[i];
	return NULL;
}

static struct inode_ent *
ino_put(struct sockowner *so, uint32_t inode)
{
	struct inode_ent *e = ino_find(so, inode);

	if (e)
		return e;
	if (so->n_ino == SOCKOWNER_CACHE)
		return NULL;
	e = &so->ino[so->n_ino++];
	memset(e, 0, sizeof(*e));
	e->inode = inode;
	return e;
}

/* "socket:[123]" -> 123; 0 if the link is something else. */
static uint32_t
link_inode(const char *link, ssize_t n)
{
	uint64_t v = 0;
	ssize_t i;

	if (n < 10 || memcmp(link, "socket:[", 8) != 0 || link[n - 1] != ']')
		return 0;
	for (i = 8; i < n - 1; i++) {
		if (link[i] < '0' || link[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(link[i] - '0');
		if (v > UINT32_MAX)
			return 0;
	}
	return i > 8 ? (uint32_t)v : 0;
}

static uint32_t
fd_inode(const char *procfs, int pid, int fd)
{
	char path[4096], link[64];
	ssize_t n;

	if ((size_t)snprintf(path, sizeof(path), "%s/%d/fd/%d", procfs, pid, fd) >= sizeof(path))
		return 0;
	n = readlink(path, link, sizeof(link));
	if (n <= 0 || n >= (ssize_t)sizeof(link))
		return 0;
	return link_inode(link, n);
}

/* A decimal directory name ("123"); false for ".", ".." and the rest. */
static bool
parse_num(const char *s, int *out)
{
	long v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (*s - '0');
		if (v > 0x3fffffff)
			return false;
	}
	*out = (int)v;
	return true;
}

/* Scan every process until all wanted inodes without a valid owner are found. */
static void
full_scan(struct sockowner *so, const char *procfs, size_t missing,
	  time_t now, struct sockowner_stats *st)
{
	char path[4096], err[256];
	struct dirent *de;
	int first_errno = 0;
	DIR *d;

	st->full_scans++;
	if (fileio_opendir(NULL, procfs, &d, err, sizeof(err)) != FILEIO_OK) {
		log_debug("cannot list processes; process names left empty",
			  "path", procfs, "err", strerror(errno), NULL);
		return;
	}
	while (missing > 0 && (de = readdir(d))) {
		int pid, fd;
		DIR *fdd;
		struct dirent *fe;

		if (!parse_num(de->d_name, &pid) || pid == 0)
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%d/fd", procfs, pid) >= sizeof(path))
			continue;
		if (fileio_opendir(NULL, path, &fdd, err, sizeof(err)) != FILEIO_OK) {
			if (errno == EACCES || errno == EPERM) {
				st->denied++;
				if (!first_errno)
					first_errno = errno;
			}
			continue;
		}
		while (missing > 0 && (fe = readdir(fdd))) {
			struct inode_ent *e;
			uint32_t inode;

			if (!parse_num(fe->d_name, &fd))
				continue;
			inode = fd_inode(procfs, pid, fd);
			if (!inode || !(e = ino_find(so, inode)) || e->pid)
				continue;
			e->pid = pid;
			e->fd = fd;
			missing--;
		}
		closedir(fdd);
	}
	closedir(d);
	for (size_t i = 0; i < so->n_ino; i++)
		if (!so->ino[i].pid)
			so->ino[i].scanned = now;
	if (missing > 0 && st->denied > 0)
		log_debug("some process fd directories are not readable; their process names are left empty",
			  "path", procfs, "err", strerror(first_errno), NULL);
}

static const char *
comm_of(struct sockowner *so, const char *procfs, int pid)
{
	char path[4096], buf[64], err[256];
	struct stat sb;
	struct comm_ent *e = NULL;
	ssize_t n;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%d", procfs, pid) >= sizeof(path) ||
	    stat(path, &sb) < 0)
		return "";
	for (size_t i = 0; i < so->n_comm; i++)
		if (so->comm[i].pid == pid) {
			e = &so->comm[i];
			break;
		}
	if (e && e->dev == sb.st_dev && e->ino == sb.st_ino) {
		e->used = true;
		return e->comm;
	}
	if (!e) {
		if (so->n_comm == SOCKOWNER_CACHE)
			return "";
		e = &so->comm[so->n_comm++];
	}
	memset(e, 0, sizeof(*e));
	e->pid = pid;
	e->dev = sb.st_dev;
	e->ino = sb.st_ino;
	e->used = true;
	/* fileio_open: a FIFO or a device in place of comm must not block the scrape */
	if ((size_t)snprintf(path, sizeof(path), "%s/%d/comm", procfs, pid) < sizeof(path) &&
	    fileio_open(NULL, path, FILEIO_FILE, &fd, NULL, err, sizeof(err)) == FILEIO_OK) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			size_t k;

			buf[n] = '\0';
			k = strcspn(buf, "\n");
			if (k >= sizeof(e->comm))
				k = sizeof(e->comm) - 1;
			memcpy(e->comm, buf, k);
			e->comm[k] = '\0';
		}
	}
	return e->comm;
}

void
sockowner_resolve(struct sockowner *so, const char *procfs,
		  const uint32_t *inodes, size_t n,
		  char (*comm)[SOCKOWNER_COMMLEN], time_t now,
		  struct sockowner_stats *st)
{
	size_t missing = 0;
	bool need_scan = false;

	memset(st, 0, sizeof(*st));
	/* Forget inodes that are no longer listening. */
	for (size_t i = 0; i < so->n_ino;) {
		bool wanted = false;

		for (size_t j = 0; j < n && !wanted; j++)
			wanted = inodes[j] == so->ino[i].inode;
		if (!wanted)
			so->ino[i] = so->ino[--so->n_ino];
		else
			i++;
	}
	for (size_t i = 0; i < n; i++) {
		struct inode_ent *e = ino_put(so, inodes[i]);

		comm[i][0] = '\0';
		if (!e && inodes[i] && !so->warned_full) {
			char cap[16];

			snprintf(cap, sizeof(cap), "%d", SOCKOWNER_CACHE);
			log_warn("more listening sockets than the owner cache holds; process names left empty for the rest",
				 "limit", cap, NULL);
			so->warned_full = true;
		}
		if (!e || !inodes[i])
			continue;
		if (e->pid && fd_inode(procfs, e->pid, e->fd) == e->inode) {
			st->cache_hits++;
			continue;
		}
		if (e->pid) {		/* stale: the owner closed it or exited */
			e->pid = 0;
			e->scanned = 0;
		}
		missing++;
		if (e->scanned == 0 || now - e->scanned >= SOCKOWNER_RESCAN_S)
			need_scan = true;
	}
	if (need_scan)
		full_scan(so, procfs, missing, now, st);
	for (size_t i = 0; i < so->n_comm; i++)
		so->comm[i].used = false;
	for (size_t i = 0; i < n; i++) {
		struct inode_ent *e = inodes[i] ? ino_find(so, inodes[i]) : NULL;

		if (e && e->pid) {
			snprintf(comm[i], SOCKOWNER_COMMLEN, "%s", comm_of(so, procfs, e->pid));
			st->resolved++;
		}
	}
	/* Drop pids not used this time (gone, or no longer owning a listener). */
	for (size_t i = 0; i < so->n_comm;) {
		if (!so->comm[i].used)
			so->comm[i] = so->comm[--so->n_comm];
		else
			i++;
	}
}

/*
 * sockowner.h - map socket inodes to the owning process name (comm), as
 * `ss -p` does, at a cost that does not grow with the host's connections.
 *
 * sockowner_resolve() is given the inodes of the audited listeners only.
 * For each inode it first checks the cached (pid, fd) pair with a single
 * readlink("<procfs>/<pid>/fd/<fd>") == "socket:[inode]"; only when some
 * inode is not cached (or the check fails) does it scan
 * <procfs>/[0-9]+/fd/, and that scan stops as soon as every wanted inode is
 * found.  An inode that a scan could not find is not searched for again
 * before SOCKOWNER_RESCAN_S seconds (sockets of another pid namespace or of
 * processes we may not inspect would otherwise cost a full scan per scrape).
 * The pid -> comm cache is keyed by pid and the identity of the
 * <procfs>/<pid> directory, and an entry is dropped when that pid
 * disappears.  Both caches are bounded (SOCKOWNER_CACHE entries, as many
 * as the listeners collector keeps sockets); an inode beyond them is not
 * looked for, its name stays empty, and that is logged once (warning).
 *
 * Cost model per scrape: cached and valid: one readlink per listener and one
 * stat per owning process.  Otherwise: one full scan, O(processes + their
 * fds up to the last owner found), at most every SOCKOWNER_RESCAN_S seconds
 * for inodes that stay unresolved.
 *
 * Diagnostics: an unreadable procfs or fd directory (unprivileged, hidepid)
 * leaves the name empty and is reported at debug level; it is not an error.
 */
#ifndef MTA_SOCKOWNER_H
#define MTA_SOCKOWNER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define SOCKOWNER_CACHE 1024		/* every listener the collector keeps (LISTENERS_MAX) */
#define SOCKOWNER_RESCAN_S 60
#define SOCKOWNER_COMMLEN 16

struct sockowner;

struct sockowner_stats {
	unsigned full_scans;	/* directory scans started this call */
	unsigned cache_hits;	/* inodes confirmed from the cache */
	unsigned denied;	/* fd directories we could not read */
	unsigned resolved;
};

struct sockowner *sockowner_new(void);
void sockowner_free(struct sockowner *so);
/*
 * sockowner_resolve - fill comm[i] ("" if unknown) for inodes[i].
 * now is the caller's clock (seconds, for the rescan back-off).
 */
void sockowner_resolve(struct sockowner *so, const char *procfs,
		       const uint32_t *inodes, size_t n,
		       char (*comm)[SOCKOWNER_COMMLEN], time_t now,
		       struct sockowner_stats *st);

#endif

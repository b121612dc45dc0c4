/*
 * dpkg.h - the installed version of a package, from dpkg's status
 * database: the one dpkg reader of the program.
 *
 * dpkg_status_version() is pure: it takes the text of /var/lib/dpkg/status
 * and finds the stanza whose "Package:" field equals package and whose
 * "Status:" says installed ("install ok installed", also "hold ok
 * installed").  Stanzas are separated by blank lines; field names are
 * case-insensitive; continuation lines (leading space) are skipped.
 *
 * dpkg_version() is what the collectors call: it reads
 * <rootfs>/var/lib/dpkg/status through fileio and answers from a cache
 * keyed on the file's identity (device, inode, size, mtime, ctime:
 * fileio_stat), which keeps only the versions of the packages asked for
 * ("not installed" included).  The file, tens of megabytes on a large
 * host, is read again only when its identity changes, or for a package
 * not asked for since.  Called under the scrape lock (not thread-safe).
 * The cache is static memory, bounded (DPKG_CACHE_PACKAGES entries for one
 * file): nothing to release; dpkg_cache_clear() forgets it (tests).
 *
 * Diagnostics: a package that is not installed, text that is no status
 * file and a missing status file are all -1; a status file that exists but
 * cannot be read is logged with its path (log_file_warn) and is -1.
 */
#ifndef MTA_DPKG_H
#define MTA_DPKG_H

#include <stddef.h>

#define DPKG_STATUS_MAX (64u << 20)	/* largest status file read */
#define DPKG_CACHE_PACKAGES 16		/* packages remembered per file identity */

/* 0 and the version in out, or -1 when the package is not installed. */
int dpkg_status_version(const char *status, size_t len, const char *package,
			char *out, size_t outlen);

/* 0 and the installed version of package under rootfs in out, else -1. */
int dpkg_version(const char *rootfs, const char *package, char *out, size_t outlen);

/* Forget everything dpkg_version() remembered. */
void dpkg_cache_clear(void);
/* How many times dpkg_version() has read a status file (tests, measurements). */
unsigned long dpkg_reads(void);

#endif

/*
 * dpkg.h - read a package's version from dpkg's status database.
 *
 * dpkg_status_version() is pure: it takes the text of /var/lib/dpkg/status
 * (the caller reads it through fileio) and finds the stanza whose
 * "Package:" field equals package and whose "Status:" says installed
 * ("install ok installed", also "hold ok installed").  Stanzas are separated
 * by blank lines; field names are case-insensitive; continuation lines
 * (leading space) are skipped.  Diagnostics: none; a package that is not
 * installed, and text that is no status file, are both -1.
 */
#ifndef MTA_DPKG_H
#define MTA_DPKG_H

#include <stddef.h>

/* 0 and the version in out, or -1 when the package is not installed. */
int dpkg_status_version(const char *status, size_t len, const char *package,
			char *out, size_t outlen);

#endif

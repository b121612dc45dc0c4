/*
 * dpkg.h - installed package versions from the dpkg status database.
 *
 * Pure: dpkg_status_version() scans a /var/lib/dpkg/status buffer (RFC 822
 * style paragraphs separated by blank lines) for the paragraph whose
 * "Package:" is the one asked for and whose "Status:" ends in "installed",
 * and copies its "Version:".  Continuation lines (leading space) are
 * skipped.  No diagnostics: a malformed paragraph simply does not match.
 */
#ifndef MTA_DPKG_H
#define MTA_DPKG_H

#include <stddef.h>

/* 0 and the version in out (truncated to outlen-1), or -1 if not installed. */
int dpkg_status_version(const char *buf, size_t len, const char *package,
			char *out, size_t outlen);

#endif

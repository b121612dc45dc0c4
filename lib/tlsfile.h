/*
 * tlsfile.h - the certificate, key and DH-parameter files a configuration
 * names, read and described once per version of the file.
 *
 * tlsfile_read() stats rootfs+path through fileio; when the file's
 * identity (device, inode, size, mtime, ctime: lib/fileio.h) and the host
 * name asked about are those of the cached entry, the cached description
 * is returned without reading the file; otherwise the file is read
 * (at most TLSINFO_MAX_BYTES) and every description lib/tlsinfo.h can
 * make of its bytes is kept: its first certificate, its private key, its
 * DH parameters.  A file may hold several (a certificate file with the key
 * appended; Postfix chain files).  The cache holds TLSFILE_CACHE_SLOTS
 * entries (least recently used evicted) and is guarded by a mutex.
 *
 * Diagnostics: none logged here; out->state and out->error say what went
 * wrong (absent, unreadable: the errno text; too large; nothing in it that
 * parses), and the caller logs with the path.
 */
#ifndef MTA_TLSFILE_H
#define MTA_TLSFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/tlsinfo.h"

#define TLSFILE_CACHE_SLOTS 64

enum tlsfile_state {
	TLSFILE_OK,		/* read; see have_* for what it holds */
	TLSFILE_ABSENT,		/* no such file */
	TLSFILE_UNREADABLE,	/* exists, cannot be read (permissions, size, type) */
};

struct tlsfile {
	enum tlsfile_state state;
	char error[160];	/* why not OK, or what did not parse */
	bool have_cert, have_key, have_dh;
	struct tlsinfo_cert cert;
	struct tlsinfo_key key;
	unsigned dh_bits;
};

/* Describe rootfs+path (host: the name the certificate should cover, may be NULL). */
void tlsfile_read(const char *rootfs, const char *path, const char *host, struct tlsfile *out);
/* How many times a file was read and parsed (not answered from the cache). */
unsigned long tlsfile_parses(void);
/* Forget every cached entry (tests; fini). */
void tlsfile_cache_clear(void);

#endif

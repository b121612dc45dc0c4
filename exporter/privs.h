/*
 * privs.h - least privilege: --runas, capabilities, no_new_privs.
 *
 * privs_drop() is called after the listening sockets are bound and before
 * any thread is started (capabilities are per thread; threads created
 * later inherit the reduced set).  As root with --runas=USER it switches to
 * USER's uid, primary gid and supplementary groups, keeping only the
 * capabilities in `keep` (permitted + effective, nothing inheritable or
 * ambient).  In every case it sets PR_SET_NO_NEW_PRIVS, so nothing the
 * process could exec ever gains privileges.
 *
 * privs_needed_caps() says which capabilities the enabled collectors need:
 * the union of what each declares in its table entry (struct collector
 * caps).  Today only listeners declares any: reading other users' process
 * names (/proc/PID/comm of processes owned by others, with hidepid or
 * ptrace restrictions) needs CAP_SYS_PTRACE or CAP_DAC_READ_SEARCH.
 *
 * Diagnostics: privs_drop() fills err with the failing step and the errno
 * text and returns -1; main.c then refuses to start.
 */
#ifndef MTA_PRIVS_H
#define MTA_PRIVS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exporter/options.h"

/* privs_needed_caps - bit mask (1 << CAP_x) for the enabled collectors. */
uint64_t privs_needed_caps(const struct options *opts);
/* privs_drop - switch to opts->runas if set and root; -1 with err set. */
int privs_drop(const char *runas, uint64_t keep, char *err, size_t errlen);
/* privs_describe - "uid=… gid=… caps=…" of the current process, for the log. */
void privs_describe(char *out, size_t outlen);

#endif

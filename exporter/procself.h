/*
 * procself.h - the standard process_* metrics of the exporter's own process.
 *
 * The series every Prometheus exporter serves, with the names, types and
 * HELP texts of client_golang's process collector:
 *
 *	process_cpu_seconds_total          counter  utime+stime of /proc/self/stat
 *	process_open_fds                   gauge    entries of /proc/self/fd
 *	process_max_fds                    gauge    getrlimit(RLIMIT_NOFILE) soft limit
 *	process_virtual_memory_bytes       gauge    vsize of /proc/self/stat
 *	process_virtual_memory_max_bytes   gauge    getrlimit(RLIMIT_AS) soft limit
 *	process_resident_memory_bytes      gauge    rss of /proc/self/stat * page size
 *	process_start_time_seconds         gauge    see below
 *
 * They describe this process, so they are read from the real /proc/self
 * whatever --path.procfs says (that flag points at the audited host's
 * procfs), as node_exporter does.  Per scrape: one open and read of
 * /proc/self/stat, one directory read of /proc/self/fd, two getrlimit().
 *
 * Start time: starttime of /proc/self/stat is in clock ticks
 * (sysconf(_SC_CLK_TCK)) since boot on CLOCK_BOOTTIME; the boot time on
 * the wall clock is CLOCK_REALTIME - CLOCK_BOOTTIME, which is how the
 * kernel computes "btime" in /proc/stat, but to the nanosecond instead of
 * the second and without reading /proc/stat (tens of kilobytes on large
 * machines).  Computed at the first scrape and kept.
 *
 * A value that cannot be read is left out of the scrape (logged at debug
 * level); the rest is still served.  main.c hands procself_metrics() to
 * the scrape as its self_metrics, which runs it under the scrape lock
 * (collectors/core/scrape.c).
 *
 * procself_stat_parse() is the pure parser (tests/unit/exporter/test_procself.c,
 * tests/fuzz/fuzz_procself_stat.c): the command name in parentheses may
 * itself hold spaces and parentheses, so the fields are counted from the
 * last ')'.
 */
#ifndef MTA_PROCSELF_H
#define MTA_PROCSELF_H

#include <stddef.h>

#include "exporter/exposition/metrics.h"

struct procself_stat {
	unsigned long long utime;	/* clock ticks in user mode (field 14) */
	unsigned long long stime;	/* clock ticks in kernel mode (field 15) */
	unsigned long long starttime;	/* clock ticks after boot (field 22) */
	unsigned long long vsize;	/* bytes (field 23) */
	unsigned long long rss;		/* pages (field 24) */
};

/* procself_stat_parse - the text of /proc/<pid>/stat (not NUL-terminated); 0 or -1. */
int procself_stat_parse(const char *buf, size_t len, struct procself_stat *out);

/*
 * procself_start_time - seconds since the epoch of a start at `ticks` clock
 * ticks after boot, given both clocks read now.
 */
double procself_start_time(unsigned long long ticks, long clk_tck,
			   double realtime_now, double boottime_now);

/* procself_metrics - add the process_* families to m. */
void procself_metrics(struct metrics *m);

#endif

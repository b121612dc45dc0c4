/*
 * procself.c - process_* metrics of the exporter itself (see procself.h).
 *
 * Reading: /proc/self/stat into a stack buffer with one open and read
 * loop; /proc/self/fd counted with readdir (its own descriptor not
 * counted); limits from getrlimit().  Parsing: procself_stat_parse() on
 * the buffer.  Diagnostics: a source that cannot be read is logged at
 * debug level and its series are left out.
 */
#include "exporter/procself.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "lib/fileio.h"
#include "lib/log.h"

#define PROCSELF_STAT "/proc/self/stat"
#define PROCSELF_FD "/proc/self/fd"
#define PROCSELF_STAT_MAX 4096	/* 52 fields of at most 20 digits + comm */

/* fields of /proc/<pid>/stat, 1-based as in proc(5) */
enum { F_STATE = 3, F_UTIME = 14, F_STIME = 15, F_STARTTIME = 22, F_VSIZE = 23, F_RSS = 24 };

/* parse_ull - an unsigned decimal of [p, e), all digits, no overflow */
static int
parse_ull(const char *p, const char *e, unsigned long long *out)
{
	unsigned long long v = 0;

	if (p == e)
		return -1;
	for (; p < e; p++) {
		unsigned d;

		if (*p < '0' || *p > '9')
			return -1;
		d = (unsigned)(*p - '0');
		if (v > (ULLONG_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int
procself_stat_parse(const char *buf, size_t len, struct procself_stat *out)
{
	const char *end = buf + len, *open = NULL, *close = NULL, *p;
	struct procself_stat st;
	unsigned field = F_STATE;
	int got = 0;

	/* "pid (comm) state ...": comm is anything up to the last ')' */
	for (p = buf; p < end; p++) {
		if (*p == '(' && open == NULL)
			open = p;
		else if (*p == ')')
			close = p;
	}
	if (open == NULL || close == NULL || close < open)
		return -1;
	memset(&st, 0, sizeof(st));
	for (p = close + 1; p < end && field <= F_RSS; field++) {
		const char *tok;
		unsigned long long *dst = NULL;

		if (*p != ' ')
			return -1;	/* fields are separated by one space */
		tok = ++p;
		while (p < end && *p != ' ' && *p != '\n')
			p++;
		switch (field) {
		case F_UTIME: dst = &st.utime; break;
		case F_STIME: dst = &st.stime; break;
		case F_STARTTIME: dst = &st.starttime; break;
		case F_VSIZE: dst = &st.vsize; break;
		case F_RSS: dst = &st.rss; break;
		default:
			if (p == tok)
				return -1;
			break;
		}
		if (dst != NULL) {
			if (parse_ull(tok, p, dst) < 0)
				return -1;
			got++;
		}
	}
	if (got != 5)
		return -1;
	*out = st;
	return 0;
}

double
procself_start_time(unsigned long long ticks, long clk_tck, double realtime_now,
		    double boottime_now)
{
	return realtime_now - boottime_now + (double)ticks / (double)clk_tck;
}

static double
clock_seconds(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* read_stat - /proc/self/stat into buf; its length, or -1 (errno) */
static ssize_t
read_stat(char *buf, size_t cap)
{
	char err[128];
	size_t n = 0;
	int fd;

	if (fileio_open(NULL, PROCSELF_STAT, FILEIO_FILE, &fd, NULL, err, sizeof(err)) != FILEIO_OK)
		return -1;
	while (n < cap) {
		ssize_t r = read(fd, buf + n, cap - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (n == cap) {
		errno = EFBIG;
		return -1;
	}
	return (ssize_t)n;
}

/* count_fds - entries of /proc/self/fd but the one reading it, or -1 */
static long
count_fds(void)
{
	char err[128];
	struct dirent *de;
	long n = 0;
	int self;
	DIR *d;

	if (fileio_opendir(NULL, PROCSELF_FD, &d, err, sizeof(err)) != FILEIO_OK)
		return -1;
	self = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (atoi(de->d_name) == self)
			continue;
		n++;
	}
	closedir(d);
	return n;
}

static double
limit_value(rlim_t v)
{
	/* unlimited is the largest value, as client_golang reports it */
	return v == RLIM_INFINITY ? (double)UINT64_MAX : (double)v;
}

static void
gauge(struct metrics *m, const char *name, const char *help, double v)
{
	metrics_add(metrics_family(m, name, help, METRIC_GAUGE), v, NULL);
}

void
procself_metrics(struct metrics *m)
{
	static bool start_known;
	static double start_time;
	char buf[PROCSELF_STAT_MAX];
	struct procself_stat st;
	struct rlimit rl;
	ssize_t n;
	long fds, tck = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	bool have_stat;

	n = read_stat(buf, sizeof(buf));
	if (n < 0)
		log_debug("cannot read " PROCSELF_STAT, "err", strerror(errno), NULL);
	have_stat = n >= 0 && procself_stat_parse(buf, (size_t)n, &st) == 0 && tck > 0 && page > 0;
	if (n >= 0 && !have_stat)
		log_debug("cannot parse " PROCSELF_STAT, NULL);
	if (have_stat && !start_known) {
		start_time = procself_start_time(st.starttime, tck, clock_seconds(CLOCK_REALTIME),
						 clock_seconds(CLOCK_BOOTTIME));
		start_known = true;
	}

	if (have_stat)
		metrics_add(metrics_family(m, "process_cpu_seconds_total",
					   "Total user and system CPU time spent in seconds.",
					   METRIC_COUNTER),
			    (double)(st.utime + st.stime) / (double)tck, NULL);
	if ((fds = count_fds()) >= 0)
		gauge(m, "process_open_fds", "Number of open file descriptors.", (double)fds);
	else
		log_debug("cannot read " PROCSELF_FD, "err", strerror(errno), NULL);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		gauge(m, "process_max_fds", "Maximum number of open file descriptors.",
		      limit_value(rl.rlim_cur));
	if (have_stat)
		gauge(m, "process_virtual_memory_bytes", "Virtual memory size in bytes.",
		      (double)st.vsize);
	if (getrlimit(RLIMIT_AS, &rl) == 0)
		gauge(m, "process_virtual_memory_max_bytes",
		      "Maximum amount of virtual memory available in bytes.", limit_value(rl.rlim_cur));
	if (have_stat)
		gauge(m, "process_resident_memory_bytes", "Resident memory size in bytes.",
		      (double)st.rss * (double)page);
	if (start_known)
		gauge(m, "process_start_time_seconds",
		      "Start time of the process since unix epoch in seconds.", start_time);
}

/*
 * log.c - structured logging to stderr in logfmt or JSON (see log.h).
 *
 * Each record is formatted into a bounded stack buffer and written with one
 * write(2), so records from concurrent threads never interleave.  The
 * buffer keeps LOG_RESERVE bytes for the closing characters: a record that
 * does not fit is cut between two escaped characters, the cut value ends in
 * "..." and its quote and the JSON brace are still written (a log line may
 * be shortened; exposition bodies never are).  Key/value pairs after the
 * cut are dropped.
 *
 * File warnings (log_file_warn) go through a table of LOG_ONCE_SLOTS
 * fingerprints (FNV-1a of path, line, message and the file's identity from
 * fileio_identity()), each with the pass in which it was last said; a
 * warning found with this pass or the previous one is a repeat.  Repeats
 * are logged at debug level.  The table is guarded by a mutex.
 */
#include "lib/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/escape.h"
#include "lib/fileio.h"
#include "lib/hash.h"

#define LOG_RESERVE 8	/* room for ..."} + newline + NUL after a cut */

static enum log_level log_min = LOG_LEVEL_INFO;
static enum log_format log_fmt = LOG_FORMAT_LOGFMT;
static log_hook_fn log_hook;
static void *log_hook_arg;

static const char *const log_level_names[] = { "debug", "info", "warn", "error" };
static const char log_true[] = "true";
static const char log_false[] = "false";

int
log_parse_level(const char *s, enum log_level *out)
{
	for (size_t i = 0; i < sizeof(log_level_names) / sizeof(log_level_names[0]); i++) {
		if (strcmp(s, log_level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

int
log_parse_format(const char *s, enum log_format *out)
{
	if (strcmp(s, "logfmt") == 0)
		*out = LOG_FORMAT_LOGFMT;
	else if (strcmp(s, "json") == 0)
		*out = LOG_FORMAT_JSON;
	else
		return -1;
	return 0;
}

void
log_setup(enum log_level level, enum log_format format)
{
	log_min = level;
	log_fmt = format;
}

bool
log_enabled(enum log_level level)
{
	return level >= log_min;
}

void
log_set_hook(log_hook_fn fn, void *arg)
{
	log_hook = fn;
	log_hook_arg = arg;
}

const char *
log_bool(bool b)
{
	return b ? log_true : log_false;
}

/* ------------------------------------------------------------ one record */

struct line {
	char b[LOG_LINE_MAX];
	size_t n;
	bool full;	/* something did not fit: add nothing more */
};

/* line_put - append n bytes whole, or nothing (and the line is full) */
static bool
line_put(struct line *l, const char *s, size_t n)
{
	if (l->full || n > sizeof(l->b) - LOG_RESERVE - l->n) {
		l->full = true;
		return false;
	}
	memcpy(l->b + l->n, s, n);
	l->n += n;
	return true;
}

/* line_close - closing characters, written into the reserve */
static void
line_close(struct line *l, const char *s)
{
	size_t n = strlen(s);

	if (l->n + n + 2 <= sizeof(l->b)) {	/* + newline + NUL */
		memcpy(l->b + l->n, s, n);
		l->n += n;
	}
}

static bool
logfmt_needs_quotes(const char *s)
{
	if (*s == '\0')
		return true;
	for (; *s; s++)
		if (*s <= ' ' || *s == '=' || *s == '"' || *s == '\\' || (unsigned char)*s >= 0x7f)
			return true;
	return false;
}

/* line_escaped - s escaped character by character; false if it was cut */
static bool
line_escaped(struct line *l, const char *s)
{
	enum escape_style style = log_fmt == LOG_FORMAT_JSON ? ESCAPE_JSON : ESCAPE_LOGFMT;
	char u[ESCAPE_UNIT_MAX];

	while (*s) {
		size_t used = escape_unit(style, s, u);

		if (!line_put(l, u, strlen(u)))
			return false;
		s += used;
	}
	return true;
}

static void
line_kv(struct line *l, const char *k, const char *v)
{
	bool json = log_fmt == LOG_FORMAT_JSON;
	bool boolean = v == log_true || v == log_false;
	bool quoted = json ? !boolean : logfmt_needs_quotes(v);
	size_t n0 = l->n;

	if (l->full)
		return;
	/* the key and the opening quote go in whole or not at all */
	if (json) {
		if (!(n0 > 1 ? line_put(l, ",\"", 2) : line_put(l, "\"", 1)) ||
		    !line_escaped(l, k) || !line_put(l, quoted ? "\":\"" : "\":", quoted ? 3 : 2)) {
			l->n = n0;
			return;
		}
	} else {
		if ((n0 > 0 && !line_put(l, " ", 1)) || !line_escaped(l, k) ||
		    !line_put(l, quoted ? "=\"" : "=", quoted ? 2 : 1)) {
			l->n = n0;
			return;
		}
	}
	if (!line_escaped(l, v))
		line_close(l, "...");
	if (quoted)
		line_close(l, "\"");
}

static void
log_emit(enum log_level level, const char *msg, va_list ap)
{
	struct line l;
	char ts[80];
	struct timespec now;
	struct tm tm;
	const char *k, *v;
	ssize_t w;
	size_t off;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (long)(now.tv_nsec / 1000000) % 1000);
	l.n = 0;
	l.full = false;
	if (log_fmt == LOG_FORMAT_JSON)
		line_put(&l, "{", 1);
	line_kv(&l, "ts", ts);
	line_kv(&l, "level", log_level_names[level]);
	line_kv(&l, "msg", msg);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		line_kv(&l, k, v ? v : "");
	}
	if (log_fmt == LOG_FORMAT_JSON)
		line_close(&l, "}");
	l.b[l.n] = '\0';
	if (log_hook)
		log_hook(level, l.b, log_hook_arg);
	l.b[l.n++] = '\n';
	for (off = 0; off < l.n; off += (size_t)w) {
		w = write(STDERR_FILENO, l.b + off, l.n - off);
		if (w <= 0 && errno != EINTR)
			break;
		if (w < 0)
			w = 0;
	}
}

void
log_kv(enum log_level level, const char *msg, ...)
{
	va_list ap;

	if (!log_enabled(level))
		return;
	va_start(ap, msg);
	log_emit(level, msg, ap);
	va_end(ap);
}

/* ------------------------------------------------------------ file warnings */

struct once {
	uint64_t key;	/* fingerprint; 0 = free slot */
	uint64_t pass;	/* pass in which it was last said */
	uint64_t seq;	/* when it was entered, for eviction */
};

static struct once once_tab[LOG_ONCE_SLOTS];
static uint64_t once_pass = 1, once_seq;
static pthread_mutex_t once_lock = PTHREAD_MUTEX_INITIALIZER;

/* once_older - is a a better slot to reuse than b? free, then oldest */
static bool
once_older(const struct once *a, const struct once *b)
{
	if ((a->key != 0) != (b->key != 0))
		return a->key == 0;
	if (a->pass != b->pass)
		return a->pass < b->pass;
	return a->seq < b->seq;
}

/* once_repeat - was this warning said in this pass or the previous one? */
static bool
once_repeat(uint64_t key)
{
	struct once *slot = NULL;
	bool repeat = false;

	pthread_mutex_lock(&once_lock);
	for (size_t i = 0; i < LOG_ONCE_SLOTS; i++) {
		struct once *o = &once_tab[i];

		if (o->key == key) {
			repeat = o->pass + 1 >= once_pass;
			slot = o;
			break;
		}
		if (slot == NULL || once_older(o, slot))
			slot = o;
	}
	if (!repeat || slot->key != key) {
		slot->key = key;
		slot->seq = ++once_seq;
	}
	slot->pass = once_pass;
	pthread_mutex_unlock(&once_lock);
	return repeat;
}

void
log_file_warn_pass_end(void)
{
	pthread_mutex_lock(&once_lock);
	once_pass++;
	pthread_mutex_unlock(&once_lock);
}

static uint64_t
hash_u64(uint64_t h, uint64_t v)
{
	return hash_fnv1a(h, &v, sizeof(v));
}

/* once_key - fingerprint of a warning and of the file version it is about */
static uint64_t
once_key(const char *path, unsigned line, const char *msg)
{
	struct fileio_stat st;
	uint64_t h = hash_fnv1a(HASH_FNV1A_INIT, path, strlen(path) + 1);

	h = hash_u64(h, line);
	h = hash_fnv1a(h, msg, strlen(msg) + 1);
	if (fileio_identity(path, &st)) {
		h = hash_u64(h, (uint64_t)st.dev);
		h = hash_u64(h, (uint64_t)st.ino);
		h = hash_u64(h, (uint64_t)st.size);
		h = hash_u64(h, (uint64_t)st.mtime.tv_sec);
		h = hash_u64(h, (uint64_t)st.mtime.tv_nsec);
		h = hash_u64(h, (uint64_t)st.ctime.tv_sec);
		h = hash_u64(h, (uint64_t)st.ctime.tv_nsec);
	}
	return h ? h : 1;
}

static void __attribute__((format(printf, 6, 0)))
log_vprintf_kv(enum log_level level, const char *k1, const char *v1,
	       const char *k2, const char *v2, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_kv(level, msg, k1, v1, k2, v2, (char *)NULL);
}

void
log_file_warn(const char *path, unsigned line, const char *fmt, ...)
{
	enum log_level level = LOG_LEVEL_WARN;
	va_list ap;
	char ln[16], msg[1024];

	if (!log_enabled(LOG_LEVEL_WARN))
		return;
	if (path == NULL)
		path = "";
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (once_repeat(once_key(path, line, msg)))
		level = LOG_LEVEL_DEBUG;
	snprintf(ln, sizeof(ln), "%u", line);
	log_kv(level, msg, "file", path, line ? "line" : NULL, ln, (char *)NULL);
}

void
log_printf(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprintf_kv(level, NULL, NULL, NULL, NULL, fmt, ap);
	va_end(ap);
}

void
log_fatal(const char *fmt, ...)
{
	va_list ap;
	char msg[1024];
	int e = errno;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_kv(LOG_LEVEL_ERROR, msg, "err", strerror(e), (char *)NULL);
	exit(2);
}

void
log_fatalx(const char *fmt, ...)
{
	va_list ap;
	char msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_kv(LOG_LEVEL_ERROR, msg, (char *)NULL);
	exit(2);
}

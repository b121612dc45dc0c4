/*
 * log.c - structured logging to stderr in logfmt or JSON (see log.h).
 *
 * Each record is formatted into a bounded stack buffer and written with one
 * write(2), so records from concurrent threads never interleave.  Values
 * longer than the buffer are cut and end in "..." (a log line may be
 * shortened; exposition bodies never are).
 */
#include "exporter/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOG_LINE_MAX 4096

static enum log_level log_min = LOG_LEVEL_INFO;
static enum log_format log_fmt = LOG_FORMAT_LOGFMT;
static log_hook_fn log_hook;
static void *log_hook_arg;

static const char *const log_level_names[] = { "debug", "info", "warn", "error" };

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

struct line {
	char b[LOG_LINE_MAX];
	size_t n;
};

static void
line_putc(struct line *l, char c)
{
	if (l->n < sizeof(l->b) - 5)
		l->b[l->n++] = c;
	else if (l->n == sizeof(l->b) - 5) {
		memcpy(l->b + l->n, "...", 3);
		l->n += 3;
	}
}

static void
line_puts(struct line *l, const char *s)
{
	while (*s)
		line_putc(l, *s++);
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

/* Escape a value: quotes, backslashes and control characters. */
static void
line_put_escaped(struct line *l, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			line_putc(l, '\\');
			line_putc(l, (char)c);
		} else if (c == '\n') {
			line_puts(l, "\\n");
		} else if (c == '\t') {
			line_puts(l, "\\t");
		} else if (c < 0x20 || c == 0x7f) {
			line_puts(l, log_fmt == LOG_FORMAT_JSON ? "\\u00" : "\\x");
			line_putc(l, hex[c >> 4]);
			line_putc(l, hex[c & 15]);
		} else {
			line_putc(l, (char)c);
		}
	}
}

static void
line_kv(struct line *l, const char *k, const char *v)
{
	if (log_fmt == LOG_FORMAT_JSON) {
		if (l->n > 1)
			line_putc(l, ',');
		line_putc(l, '"');
		line_put_escaped(l, k);
		line_puts(l, "\":\"");
		line_put_escaped(l, v);
		line_putc(l, '"');
	} else {
		if (l->n > 0)
			line_putc(l, ' ');
		line_puts(l, k);
		line_putc(l, '=');
		if (logfmt_needs_quotes(v)) {
			line_putc(l, '"');
			line_put_escaped(l, v);
			line_putc(l, '"');
		} else {
			line_puts(l, v);
		}
	}
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
	if (log_fmt == LOG_FORMAT_JSON)
		line_putc(&l, '{');
	line_kv(&l, "ts", ts);
	line_kv(&l, "level", log_level_names[level]);
	line_kv(&l, "msg", msg);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		line_kv(&l, k, v ? v : "");
	}
	if (log_fmt == LOG_FORMAT_JSON)
		line_putc(&l, '}');
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
	va_list ap;
	char ln[16];

	snprintf(ln, sizeof(ln), "%u", line);
	va_start(ap, fmt);
	if (line)
		log_vprintf_kv(LOG_LEVEL_WARN, "file", path, "line", ln, fmt, ap);
	else
		log_vprintf_kv(LOG_LEVEL_WARN, "file", path, NULL, NULL, fmt, ap);
	va_end(ap);
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

/*
 * log.h - structured logging to stderr, logfmt or JSON.
 *
 * log_warn("file=%s line=%u msg=...") style is NOT used: the message is free
 * text and key/value pairs are passed separately so both formats can quote
 * them correctly:
 *
 *	log_warn("duplicate parameter", "file", path, "line", "12", NULL);
 *
 * logf_*() take a printf-style message and no extra keys.  Bad input must be
 * reported with "file" and "line" keys.  log_fatal()/log_fatalx() exit(2)
 * (log_fatal appends strerror(errno) as key "err").
 */
#ifndef MTA_LOG_H
#define MTA_LOG_H

#include <stdbool.h>

enum log_level { LOG_LEVEL_DEBUG, LOG_LEVEL_INFO, LOG_LEVEL_WARN, LOG_LEVEL_ERROR };
enum log_format { LOG_FORMAT_LOGFMT, LOG_FORMAT_JSON };

int log_parse_level(const char *s, enum log_level *out);
int log_parse_format(const char *s, enum log_format *out);
void log_setup(enum log_level level, enum log_format format);
bool log_enabled(enum log_level level);

/* Key/value pairs follow msg, terminated by NULL. */
void log_kv(enum log_level level, const char *msg, ...) __attribute__((sentinel));
#define log_debug(...) log_kv(LOG_LEVEL_DEBUG, __VA_ARGS__)
#define log_info(...)  log_kv(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_warn(...)  log_kv(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_error(...) log_kv(LOG_LEVEL_ERROR, __VA_ARGS__)

/* log_file_warn - warning about bad input at path:line (line 0 = whole file). */
void log_file_warn(const char *path, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void log_printf(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
_Noreturn void log_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void log_fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Test hook: every emitted line (at or above the level) is also passed here. */
typedef void (*log_hook_fn)(enum log_level level, const char *line, void *arg);
void log_set_hook(log_hook_fn fn, void *arg);

#endif

/*
 * log.h - structured logging to stderr, logfmt or JSON.
 *
 * log_warn("file=%s line=%u msg=...") style is NOT used: the message is free
 * text and key/value pairs are passed separately so both formats can quote
 * them correctly:
 *
 *	log_warn("duplicate parameter", "file", path, "line", "12", NULL);
 *
 * log_printf() takes a printf-style message and no extra keys.  Bad input must be
 * reported with "file" and "line" keys.  log_fatal()/log_fatalx() exit(2)
 * (log_fatal appends strerror(errno) as key "err").
 *
 * Values are strings, escaped by lib/escape.h so that every record is
 * one line and, in JSON, valid JSON whatever bytes a configuration file
 * held (invalid UTF-8 becomes \ufffd in JSON, \xNN in logfmt).  A value
 * from log_bool() is a boolean: JSON true/false, logfmt true/false; any
 * other string, even "true" read from a file, stays a JSON string.
 * A record longer than LOG_LINE_MAX is cut at a character boundary and the
 * cut value ends in "..."; the record stays well-formed.
 *
 * Warnings about a file are said once per version of the file: see
 * log_file_warn() below.
 */
#ifndef MTA_LOG_H
#define MTA_LOG_H

#include <stdbool.h>

#define LOG_LINE_MAX 4096	/* one record, newline included */
#define LOG_ONCE_SLOTS 1024	/* file warnings remembered (log_file_warn) */

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

/* log_bool - a value written as a boolean (JSON true/false). */
const char *log_bool(bool b);

/*
 * log_file_warn - warning about bad input at path:line (line 0 = whole
 * file), with keys "file" and "line".
 *
 * Said once per version of the file: a warning whose (path, line, message,
 * identity of path) is the same as one said in this pass or the previous
 * one is logged at debug level instead of warn.  The identity is the one
 * fileio last recorded for path (lib/fileio.h: device, inode, size,
 * mtime, ctime), so editing or touching the file says its warnings again;
 * a warning that went away for a pass and comes back is said again; and
 * a warning whose text depends on another file is said again when its text
 * changes.  A pass is one scrape: scrape_collect() ends it with
 * log_file_warn_pass_end().  Only the log line is spared: counts such as
 * postfix_config_warnings still count every warning of every scrape.
 * At most LOG_ONCE_SLOTS warnings are remembered (the least recently said
 * are forgotten first, and said again when they recur).
 */
void log_file_warn(const char *path, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* log_file_warn_pass_end - end a pass (see log_file_warn). */
void log_file_warn_pass_end(void);
void log_printf(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
_Noreturn void log_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void log_fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Test hook: every emitted line (at or above the level) is also passed here. */
typedef void (*log_hook_fn)(enum log_level level, const char *line, void *arg);
void log_set_hook(log_hook_fn fn, void *arg);

#endif

/*
 * buf.h - capped, growable byte buffer.
 *
 * A struct buf grows on demand up to a hard cap fixed at init.  Every append
 * either succeeds completely or fails, and once an append has failed the
 * buffer stays failed (buf->failed) and later appends are no-ops, so callers
 * may append freely and check once at the end.  The data is always
 * NUL-terminated (the NUL is not counted in len).  Nothing is ever truncated
 * silently: a failed buffer must not be served.
 */
#ifndef MTA_BUF_H
#define MTA_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;	/* allocated bytes */
	size_t max;	/* hard cap on len */
	bool failed;
};

void buf_init(struct buf *b, size_t max);
void buf_free(struct buf *b);
/* buf_reset - empty the buffer, keep its memory, clear the failed state. */
void buf_reset(struct buf *b);
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* buf_write_all - write n bytes to fd, retrying short writes and EINTR; 0 or -1. */
int buf_write_all(int fd, const char *p, size_t n);
/* buf_steal - hand the data to the caller (free() it) and reset *b. */
char *buf_steal(struct buf *b, size_t *len);

#endif

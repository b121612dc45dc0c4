/*
 * dpkg.c - dpkg status database lookup (see dpkg.h).
 *
 * Interface: dpkg_status_version().  No diagnostics; bounded by the buffer.
 */
#include "collectors/dpkg.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* value of "Field:" on the line [p, e), or NULL */
static const char *field(const char *p, const char *e, const char *name, size_t *vlen)
{
	size_t n = strlen(name);

	if ((size_t)(e - p) <= n || strncasecmp(p, name, n) != 0 || p[n] != ':')
		return NULL;
	p += n + 1;
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	*vlen = (size_t)(e - p);
	return p;
}

int dpkg_status_version(const char *buf, size_t len, const char *package,
			char *out, size_t outlen)
{
	const char *p = buf, *end = buf + len;
	bool pkg = false, installed = false;
	const char *ver = NULL;
	size_t verlen = 0;

	for (;;) {
		const char *nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
		const char *e = nl ? nl : end;
		const char *v;
		size_t vl;

		if (e == p || (e - p == 1 && *p == '\r') || p >= end) {
			/* paragraph end */
			if (pkg && installed && ver != NULL) {
				if (outlen > 0) {
					size_t n = verlen < outlen - 1 ? verlen : outlen - 1;

					memcpy(out, ver, n);
					out[n] = 0;
				}
				return 0;
			}
			pkg = installed = false;
			ver = NULL;
			if (p >= end)
				return -1;
		} else if (*p != ' ' && *p != '\t') {
			if ((v = field(p, e, "Package", &vl)) != NULL)
				pkg = vl == strlen(package) && strncmp(v, package, vl) == 0;
			else if ((v = field(p, e, "Status", &vl)) != NULL)
				installed = vl >= 10 && strncmp(v + vl - 10, " installed", 10) == 0;
			else if ((v = field(p, e, "Version", &vl)) != NULL) {
				ver = v;
				verlen = vl;
			}
		}
		if (nl == NULL)
			p = end;
		else
			p = nl + 1;
	}
}

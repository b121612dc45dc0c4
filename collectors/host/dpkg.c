/*
 * dpkg.c - package version from dpkg's status database (see dpkg.h).
 *
 * Pure: the status text comes in as a buffer.  Malformed stanzas are
 * skipped; no diagnostics.
 */
#include "collectors/host/dpkg.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* field - if line is "name: value", point val and vlen at the trimmed value */
static bool
field(const char *line, size_t len, const char *name, const char **val, size_t *vlen)
{
	size_t n = strlen(name);
	if (len <= n || strncasecmp(line, name, n) != 0 || line[n] != ':')
		return false;
	const char *v = line + n + 1;
	const char *end = line + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	*val = v;
	*vlen = (size_t)(end - v);
	return true;
}

static bool
installed(const char *v, size_t n)
{
	/* "want flag status": the third word must be "installed" */
	const char *last = v + n;
	const char *w = last;
	while (w > v && w[-1] != ' ')
		w--;
	return (size_t)(last - w) == 9 && strncmp(w, "installed", 9) == 0;
}

int
dpkg_status_version(const char *status, size_t len, const char *package, char *out, size_t outlen)
{
	const char *p = status, *end = status + len;
	bool match = false, inst = false;
	const char *ver = NULL;
	size_t verlen = 0;

	while (p <= end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		size_t ll = (size_t)(le - p);
		if (ll == 0 || (ll == 1 && *p == '\r')) {
			if (match && inst && ver) {
				snprintf(out, outlen, "%.*s", (int)verlen, ver);
				return 0;
			}
			match = inst = false;
			ver = NULL;
		} else if (*p != ' ' && *p != '\t') {
			const char *v;
			size_t vl;
			if (field(p, ll, "Package", &v, &vl))
				match = vl == strlen(package) && strncmp(v, package, vl) == 0;
			else if (field(p, ll, "Status", &v, &vl))
				inst = installed(v, vl);
			else if (field(p, ll, "Version", &v, &vl)) {
				ver = v;
				verlen = vl;
			}
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	if (match && inst && ver) {
		snprintf(out, outlen, "%.*s", (int)verlen, ver);
		return 0;
	}
	return -1;
}

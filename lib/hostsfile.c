/*
 * hostsfile.c - host name lookup in /etc/hosts text, the way glibc's
 * files source does it (see hostsfile.h).  No diagnostics.
 */
#include "lib/hostsfile.h"

#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#define HOSTSFILE_MAX_FIELD 256	/* longer fields cannot be a name or an address */

/* The next blank-separated field of [*p, end), or 0 at the end of the line. */
static size_t
next_field(const char **p, const char *end, const char **field)
{
	const char *s = *p, *e;

	while (s < end && (*s == ' ' || *s == '\t' || *s == '\r'))
		s++;
	e = s;
	while (e < end && *e != ' ' && *e != '\t' && *e != '\r')
		e++;
	*field = s;
	*p = e;
	return (size_t)(e - s);
}

static void
add_unique(struct inaddr *out, size_t max, size_t *n, const struct inaddr *a)
{
	for (size_t i = 0; i < *n; i++)
		if (inaddr_equal(&out[i], a))
			return;
	if (*n < max)
		out[(*n)++] = *a;
}

size_t
hostsfile_lookup(const char *text, size_t len, const char *name, int family,
		 struct inaddr *out, size_t max)
{
	const char *p = text, *end = text + len;
	size_t nlen = strlen(name), n = 0;

	if (nlen == 0 || nlen >= HOSTSFILE_MAX_FIELD)
		return 0;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *hash, *f;
		char abuf[HOSTSFILE_MAX_FIELD];
		struct inaddr a;
		size_t fl;

		if (eol == NULL)
			eol = end;
		hash = memchr(p, '#', (size_t)(eol - p));
		if (hash == NULL)
			hash = eol;
		fl = next_field(&p, hash, &f);
		if (fl == 0 || fl >= sizeof(abuf) || memchr(f, '\0', fl) != NULL)
			goto next;
		memcpy(abuf, f, fl);
		abuf[fl] = '\0';
		/* "[::1]" is no address to glibc's parser either */
		if (abuf[0] == '[' || inaddr_parse(abuf, &a) < 0)
			goto next;
		if (family != AF_UNSPEC && a.family != family)
			goto next;
		while ((fl = next_field(&p, hash, &f)) > 0)
			if (fl == nlen && strncasecmp(f, name, nlen) == 0) {
				add_unique(out, max, &n, &a);
				break;
			}
next:
		p = eol < end ? eol + 1 : end;
	}
	return n;
}

/*
 * negotiate.c - Accept / Accept-Encoding negotiation (see negotiate.h).
 *
 * A single left-to-right pass over the header: elements are separated by
 * commas outside quoted strings; within an element, ';' separates the media
 * range from its parameters.  Malformed elements (bad q, missing '/') are
 * skipped, as RFC 9110 allows.  q-values are kept in thousandths.
 * Diagnostics: none; bad input never fails, it only loses its elements.
 */
#include "exporter/exposition/negotiate.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

struct span {
	const char *p;
	size_t n;
};

struct offer {
	const char *type, *subtype, *version;
	int best_spec;	/* specificity of the best matching range, 0 = none */
	int q;		/* q of that range, thousandths */
};

static bool
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static struct span
trim(struct span s)
{
	while (s.n && is_ows(*s.p)) {
		s.p++;
		s.n--;
	}
	while (s.n && is_ows(s.p[s.n - 1]))
		s.n--;
	return s;
}

static bool
span_ieq(struct span s, const char *lit)
{
	size_t n = strlen(lit);

	return s.n == n && strncasecmp(s.p, lit, n) == 0;
}

/* Parse a qvalue ("1", "1.000", "0.5", ...) into thousandths; -1 if bad. */
static int
parse_q(struct span v)
{
	int q = 0, scale = 100;
	size_t i = 0;

	if (v.n == 0 || (v.p[0] != '0' && v.p[0] != '1'))
		return -1;
	q = (v.p[0] - '0') * 1000;
	i = 1;
	if (i < v.n) {
		if (v.p[i] != '.')
			return -1;
		for (i++; i < v.n; i++) {
			if (v.p[i] < '0' || v.p[i] > '9' || scale == 0)
				return -1;
			q += (v.p[i] - '0') * scale;
			scale /= 10;
		}
	}
	return q > 1000 ? -1 : q;
}

/* Next piece up to sep (outside quotes); advances *cur past sep. */
static struct span
next_piece(const char **cur, const char *end, char sep)
{
	const char *s = *cur, *p = s;
	bool quoted = false;

	for (; p < end; p++) {
		if (quoted) {
			if (*p == '\\' && p + 1 < end)
				p++;
			else if (*p == '"')
				quoted = false;
		} else if (*p == '"') {
			quoted = true;
		} else if (*p == sep) {
			break;
		}
	}
	*cur = p < end ? p + 1 : end;
	return (struct span){ s, (size_t)(p - s) };
}

static struct span
unquote(struct span v)
{
	if (v.n >= 2 && v.p[0] == '"' && v.p[v.n - 1] == '"') {
		v.p++;
		v.n -= 2;
	}
	return v;
}

static void
match_element(struct span elem, struct offer *offers, size_t noffers)
{
	const char *cur = elem.p, *end = elem.p + elem.n;
	struct span range = trim(next_piece(&cur, end, ';'));
	struct span type, subtype, version = { NULL, 0 };
	const char *slash;
	int q = 1000;

	slash = memchr(range.p, '/', range.n);
	if (slash == NULL)
		return;
	type = trim((struct span){ range.p, (size_t)(slash - range.p) });
	subtype = trim((struct span){ slash + 1, range.n - (size_t)(slash + 1 - range.p) });
	if (type.n == 0 || subtype.n == 0)
		return;
	while (cur < end) {
		struct span param = trim(next_piece(&cur, end, ';'));
		const char *eq = memchr(param.p, '=', param.n);
		struct span name, value;

		if (eq == NULL)
			continue;
		name = trim((struct span){ param.p, (size_t)(eq - param.p) });
		value = unquote(trim((struct span){ eq + 1, param.n - (size_t)(eq + 1 - param.p) }));
		if (span_ieq(name, "q")) {
			q = parse_q(value);
			if (q < 0)
				return;	/* malformed element: ignore it */
		} else if (span_ieq(name, "version")) {
			version = value;
		}
	}
	for (size_t i = 0; i < noffers; i++) {
		struct offer *o = &offers[i];
		int spec = 0;

		if (span_ieq(type, "*") && span_ieq(subtype, "*"))
			spec = 1;
		else if (span_ieq(type, o->type) && span_ieq(subtype, "*"))
			spec = 2;
		else if (span_ieq(type, o->type) && span_ieq(subtype, o->subtype)) {
			if (version.p == NULL)
				spec = 3;
			else if (version.n == strlen(o->version) &&
				 memcmp(version.p, o->version, version.n) == 0)
				spec = 4;
		}
		if (spec > o->best_spec || (spec == o->best_spec && spec && q > o->q)) {
			o->best_spec = spec;
			o->q = q;
		}
	}
}

enum metrics_format
negotiate_format(const char *accept)
{
	struct offer offers[2] = {
		{ "text", "plain", "0.0.4", 0, 0 },
		{ "application", "openmetrics-text", "1.0.0", 0, 0 },
	};
	const char *cur, *end;

	if (accept == NULL)
		return METRICS_TEXT_004;
	cur = accept;
	end = accept + strlen(accept);
	while (cur < end) {
		struct span elem = trim(next_piece(&cur, end, ','));

		if (elem.n)
			match_element(elem, offers, 2);
	}
	if (offers[1].best_spec && offers[1].q > 0 &&
	    (!offers[0].best_spec || offers[1].q > offers[0].q))
		return METRICS_OPENMETRICS_100;
	return METRICS_TEXT_004;
}

bool
negotiate_gzip(const char *accept_encoding)
{
	const char *cur, *end;
	int gzip_q = -1, star_q = -1;

	if (accept_encoding == NULL)
		return false;
	cur = accept_encoding;
	end = accept_encoding + strlen(accept_encoding);
	while (cur < end) {
		struct span elem = trim(next_piece(&cur, end, ','));
		const char *ecur = elem.p, *eend = elem.p + elem.n;
		struct span coding = trim(next_piece(&ecur, eend, ';'));
		int q = 1000;

		while (ecur < eend) {
			struct span param = trim(next_piece(&ecur, eend, ';'));
			const char *eq = memchr(param.p, '=', param.n);

			if (eq && span_ieq(trim((struct span){ param.p, (size_t)(eq - param.p) }), "q"))
				q = parse_q(trim((struct span){ eq + 1, param.n - (size_t)(eq + 1 - param.p) }));
		}
		if (q < 0)
			continue;
		if (span_ieq(coding, "gzip") || span_ieq(coding, "x-gzip")) {
			if (q > gzip_q)
				gzip_q = q;
		} else if (span_ieq(coding, "*")) {
			star_q = q;
		}
	}
	if (gzip_q >= 0)
		return gzip_q > 0;
	return star_q > 0;
}

/*
 * metrics.c - exposition writer for text 0.0.4 and OpenMetrics 1.0.0.
 *
 * Families and samples live in one bounded arena per scrape.  Families keep
 * creation order; samples keep insertion order within their family, so the
 * output is deterministic and grouped.  Type mapping:
 *
 *	type     0.0.4 TYPE   OpenMetrics family / sample
 *	gauge    gauge        name / name
 *	counter  counter      name minus _total / name
 *	info     gauge        name minus _info (TYPE info) / name
 *
 * Label values are stored as valid UTF-8: a byte that is not (Latin-1 from
 * a configuration file) becomes U+FFFD, since Prometheus refuses a whole
 * scrape with one invalid label value.  Duplicates are judged on the stored
 * value, through a hash index of every sample (lib/hash.h), so that the
 * test costs the same for the thousandth series of a family as for the
 * first.
 *
 * DIAGNOSTICS: invalid names, label-count overflow or exhausted memory make
 * metrics_failed() true and metrics_render() fail; a sample whose label set
 * repeats one already in its family is refused (metrics_add returns -1) and
 * the body stays valid.
 */
#include "exporter/exposition/metrics.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/escape.h"
#include "lib/hash.h"

#define METRICS_MAX_LABELS 16

struct sample {
	struct sample *next;
	const struct metric_family *owner;
	double value;
	size_t nlabels;
	const char **names;
	const char **values;
};

struct metric_family {
	struct metrics *owner;
	struct metric_family *next;
	const char *name;
	const char *help;
	enum metric_type type;
	struct sample *head, *tail;
	size_t nsamples;
};

struct metrics {
	struct arena arena;
	struct metric_family *head, *tail;
	bool failed;
	/* every sample, indexed by family and labels: the duplicate test of
	 * metrics_add() does not grow with the number of series */
	struct sample **all;
	size_t n_all, cap_all;
	struct hash_index ix;
};

struct metrics *
metrics_new(size_t max_bytes)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	arena_init(&m->arena, max_bytes);
	return m;
}

void
metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	arena_free(&m->arena);
	free(m->all);
	hash_index_free(&m->ix);
	free(m);
}

bool
metrics_failed(const struct metrics *m)
{
	return m->failed || m->arena.failed;
}

static bool
name_char_ok(char c, bool first, bool colon)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
		return true;
	if (colon && c == ':')
		return true;
	return !first && c >= '0' && c <= '9';
}

static bool
valid_name(const char *s, bool colon)
{
	if (s == NULL || *s == '\0')
		return false;
	for (size_t i = 0; s[i]; i++)
		if (!name_char_ok(s[i], i == 0, colon))
			return false;
	return true;
}

bool
metrics_valid_name(const char *name)
{
	return valid_name(name, true);
}

static bool
has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a > b && strcmp(s + a - b, suf) == 0;
}

struct metric_family *
metrics_family(struct metrics *m, const char *name, const char *help,
	       enum metric_type type)
{
	struct metric_family *f;

	for (f = m->head; f; f = f->next) {
		if (strcmp(f->name, name) == 0) {
			if (f->type != type)
				m->failed = true;
			return f;
		}
	}
	if (!metrics_valid_name(name) ||
	    (type == METRIC_COUNTER && !has_suffix(name, "_total")) ||
	    (type == METRIC_INFO && !has_suffix(name, "_info")))
		m->failed = true;
	f = arena_alloc(&m->arena, sizeof(*f));
	if (f == NULL) {
		m->failed = true;
		/* Hand back a detached family so callers need no NULL checks. */
		static struct metric_family dead;
		dead.owner = m;
		return &dead;
	}
	f->owner = m;
	f->name = arena_strdup(&m->arena, name);
	f->help = arena_strdup(&m->arena, help ? help : "");
	f->type = type;
	if (m->tail)
		m->tail->next = f;
	else
		m->head = f;
	m->tail = f;
	return f;
}

static bool
same_labels(const struct sample *s, size_t n, const char *const *names,
	    const char *const *values)
{
	if (s->nlabels != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(s->names[i], names[i]) || strcmp(s->values[i], values[i]))
			return false;
	return true;
}

/* A sample's identity: its family and its label pairs. */
static uint64_t
labels_key(const struct metric_family *f, size_t n, const char *const *names,
	   const char *const *values)
{
	uint64_t h = hash_key(&f, sizeof(f));

	for (size_t i = 0; i < n; i++) {
		h = hash_fnv1a(h, names[i], strlen(names[i]) + 1);
		h = hash_fnv1a(h, values[i], strlen(values[i]) + 1);
	}
	return h;
}

/* utf8_value - v, or a copy in the arena with each invalid byte as U+FFFD */
static const char *
utf8_value(struct arena *a, const char *v)
{
	static const char repl[] = "\xef\xbf\xbd";
	size_t len = strlen(v), i, n, o = 0;
	char *out;

	for (i = 0; i < len && (n = escape_utf8_len((const unsigned char *)v + i, len - i)) > 0; i += n)
		;
	if (i == len)
		return v;
	if (len > (SIZE_MAX - 1) / 3 || (out = arena_alloc(a, len * 3 + 1)) == NULL)
		return NULL;
	for (i = 0; i < len; i += n) {
		n = escape_utf8_len((const unsigned char *)v + i, len - i);
		if (n == 0) {
			memcpy(out + o, repl, 3);
			o += 3;
			n = 1;
		} else {
			memcpy(out + o, v + i, n);
			o += n;
		}
	}
	out[o] = '\0';
	return out;
}

int
metrics_addv(struct metric_family *f, double value, size_t nlabels,
	     const char *const *names, const char *const *in_values)
{
	struct metrics *m = f->owner;
	const char *values[METRICS_MAX_LABELS];
	size_t pos = HASH_INDEX_START, at;
	struct sample *s;
	uint64_t key;

	if (m == NULL || f->name == NULL) {
		if (m)
			m->failed = true;
		return -1;
	}
	if (nlabels > METRICS_MAX_LABELS) {
		m->failed = true;
		return -1;
	}
	for (size_t i = 0; i < nlabels; i++) {
		if (!valid_name(names[i], false) || strncmp(names[i], "__", 2) == 0 ||
		    in_values[i] == NULL) {
			m->failed = true;
			return -1;
		}
		if ((values[i] = utf8_value(&m->arena, in_values[i])) == NULL)
			goto fail;
	}
	key = labels_key(f, nlabels, names, values);
	while ((at = hash_index_next(&m->ix, key, &pos)) != HASH_INDEX_END)
		if (m->all[at]->owner == f && same_labels(m->all[at], nlabels, names, values))
			return -1;
	if (m->n_all == m->cap_all) {
		size_t ncap = m->cap_all ? 2 * m->cap_all : 64;
		struct sample **na = realloc(m->all, ncap * sizeof(*na));

		if (na == NULL)
			goto fail;
		m->all = na;
		m->cap_all = ncap;
	}
	s = arena_alloc(&m->arena, sizeof(*s));
	if (s == NULL || hash_index_put(&m->ix, key, m->n_all) < 0)
		goto fail;
	m->all[m->n_all++] = s;
	s->owner = f;
	s->value = value;
	s->nlabels = nlabels;
	if (nlabels) {
		s->names = arena_calloc(&m->arena, nlabels, sizeof(char *));
		s->values = arena_calloc(&m->arena, nlabels, sizeof(char *));
		if (s->names == NULL || s->values == NULL)
			goto fail;
		for (size_t i = 0; i < nlabels; i++) {
			s->names[i] = arena_strdup(&m->arena, names[i]);
			s->values[i] = arena_strdup(&m->arena, values[i]);
			if (s->names[i] == NULL || s->values[i] == NULL)
				goto fail;
		}
	}
	if (f->tail)
		f->tail->next = s;
	else
		f->head = s;
	f->tail = s;
	f->nsamples++;
	return 0;
fail:
	m->failed = true;
	return -1;
}

int
metrics_add(struct metric_family *f, double value, ...)
{
	const char *names[METRICS_MAX_LABELS], *values[METRICS_MAX_LABELS];
	const char *k;
	size_t n = 0;
	va_list ap;

	va_start(ap, value);
	while ((k = va_arg(ap, const char *)) != NULL) {
		if (n == METRICS_MAX_LABELS) {
			va_end(ap);
			if (f->owner)
				f->owner->failed = true;
			return -1;
		}
		names[n] = k;
		values[n] = va_arg(ap, const char *);
		n++;
	}
	va_end(ap);
	return metrics_addv(f, value, n, names, values);
}

void
metrics_format_double(double v, char *out, size_t outlen)
{
	if (isnan(v)) {
		snprintf(out, outlen, "NaN");
	} else if (isinf(v)) {
		snprintf(out, outlen, v > 0 ? "+Inf" : "-Inf");
	} else if (v == floor(v) && fabs(v) < 1e15) {
		snprintf(out, outlen, "%.0f", v == 0 ? 0.0 : v);
	} else {
		for (int prec = 1; prec <= 17; prec++) {
			snprintf(out, outlen, "%.*g", prec, v);
			if (strtod(out, NULL) == v)
				break;
		}
	}
}

/* Escape for a label value (both formats) or HELP (quote only in OpenMetrics). */
static void
put_escaped(struct buf *out, const char *s, bool quote)
{
	const char *run = s;

	for (; *s; s++) {
		const char *rep = NULL;

		if (*s == '\\')
			rep = "\\\\";
		else if (*s == '\n')
			rep = "\\n";
		else if (*s == '"' && quote)
			rep = "\\\"";
		if (rep) {
			buf_append(out, run, (size_t)(s - run));
			buf_puts(out, rep);
			run = s + 1;
		}
	}
	buf_append(out, run, (size_t)(s - run));
}

static void
render_family(const struct metric_family *f, enum metrics_format fmt, struct buf *out)
{
	bool om = fmt == METRICS_OPENMETRICS_100;
	char fname[256];
	const char *type;
	char num[64];
	size_t flen = strlen(f->name);

	/* OpenMetrics names the family without the type's sample suffix. */
	if (om && f->type == METRIC_COUNTER)
		flen -= strlen("_total");
	else if (om && f->type == METRIC_INFO)
		flen -= strlen("_info");
	if (flen >= sizeof(fname)) {
		out->failed = true;
		return;
	}
	memcpy(fname, f->name, flen);
	fname[flen] = '\0';

	switch (f->type) {
	case METRIC_COUNTER:
		type = "counter";
		break;
	case METRIC_INFO:
		type = om ? "info" : "gauge";
		break;
	default:
		type = "gauge";
		break;
	}
	buf_printf(out, "# HELP %s ", fname);
	put_escaped(out, f->help, om);
	buf_printf(out, "\n# TYPE %s %s\n", fname, type);
	for (const struct sample *s = f->head; s; s = s->next) {
		buf_puts(out, f->name);
		if (s->nlabels) {
			buf_putc(out, '{');
			for (size_t i = 0; i < s->nlabels; i++) {
				if (i)
					buf_putc(out, ',');
				buf_puts(out, s->names[i]);
				buf_puts(out, "=\"");
				put_escaped(out, s->values[i], true);
				buf_putc(out, '"');
			}
			buf_putc(out, '}');
		}
		metrics_format_double(s->value, num, sizeof(num));
		buf_putc(out, ' ');
		buf_puts(out, num);
		buf_putc(out, '\n');
	}
}

int
metrics_render(const struct metrics *m, enum metrics_format fmt, struct buf *out)
{
	if (metrics_failed(m))
		return -1;
	for (const struct metric_family *f = m->head; f; f = f->next)
		if (f->nsamples)
			render_family(f, fmt, out);
	if (fmt == METRICS_OPENMETRICS_100)
		buf_puts(out, "# EOF\n");
	return out->failed ? -1 : 0;
}

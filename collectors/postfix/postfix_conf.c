/*
 * postfix_conf.c - Postfix main.cf reader, parameter lookup (over the
 * table of postfix_params.c), expander and list splitter.
 *
 * Interface and semantics: see postfix_conf.h.  Everything is pure: the
 * caller hands in buffers and gets dictionaries, strings and diagnostics
 * back.  Each rule cites the Postfix source it follows; no Postfix code is
 * reused.
 *
 * Diagnostics (struct postfix_diags, deduplicated):
 *   SYNTAX     "missing '=' after attribute name", "logical line must not
 *              start with whitespace", over-long lines;
 *   DUPLICATE  "overriding earlier entry for NAME (line N)";
 *   UNDEFINED  "undefined parameter: NAME";
 *   EXPAND     truncated/empty/bad macro references, unbalanced {},
 *              bad operators, nesting deeper than POSTFIX_EXPAND_MAX_DEPTH;
 *   LIST       unbalanced {} in a list.
 */
#include "collectors/postfix/postfix_conf.h"

#include <assert.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/budget.h"
#include "lib/text.h"

#define IS_SPACE(c) isspace((unsigned char)(c))
#define IS_ALNUM(c) isalnum((unsigned char)(c))

/* ---------------------------------------------------------------- diags */

void
postfix_diags_add(struct postfix_diags *d, enum postfix_diag_kind kind,
		  const char *file, unsigned line, const char *fmt, ...)
{
	struct postfix_diag tmp;
	va_list ap;
	uint64_t fp;

	if (d == NULL)
		return;
	memset(&tmp, 0, sizeof(tmp));
	tmp.kind = kind;
	tmp.file = file ? file : "";
	tmp.line = line;
	va_start(ap, fmt);
	vsnprintf(tmp.msg, sizeof(tmp.msg), fmt, ap);
	va_end(ap);
	/* The same problem found twice (e.g. per service) counts once. */
	fp = hash_fnv1a(HASH_FNV1A_INIT, &tmp.kind, sizeof(tmp.kind));
	fp = hash_fnv1a(fp, &tmp.line, sizeof(tmp.line));
	fp = hash_fnv1a(fp, tmp.file, strlen(tmp.file) + 1);
	fp = hash_fnv1a(fp, tmp.msg, strlen(tmp.msg));
	for (size_t i = 0; i < d->n; i++) {
		if (d->fp[i] == fp && d->v[i].kind == kind && d->v[i].line == line &&
		    strcmp(d->v[i].file, tmp.file) == 0 &&
		    strcmp(d->v[i].msg, tmp.msg) == 0)
			return;
	}
	d->total++;
	if (d->n >= POSTFIX_DIAGS_MAX) {
		/* the first diagnostic that fails the collector is always shown */
		if ((kind == POSTFIX_DIAG_EXPAND || kind == POSTFIX_DIAG_LIMIT)
		    && !(d->kinds & (1u << kind))) {
			d->fp[d->n - 1] = fp;
			d->v[d->n - 1] = tmp;
		}
		d->kinds |= 1u << kind;
		return;
	}
	d->kinds |= 1u << kind;
	if (d->v == NULL) {
		d->v = calloc(POSTFIX_DIAGS_MAX, sizeof(*d->v));
		d->fp = calloc(POSTFIX_DIAGS_MAX, sizeof(*d->fp));
		if (d->v == NULL || d->fp == NULL) {
			free(d->v);
			free(d->fp);
			d->v = NULL;
			d->fp = NULL;
			return;
		}
	}
	d->fp[d->n] = fp;
	d->v[d->n++] = tmp;
}

bool
postfix_diags_has(const struct postfix_diags *d, enum postfix_diag_kind kind,
		  const char *needle)
{
	if (d == NULL)
		return false;
	if (*needle == 0)	/* any of that kind, stored or not */
		return (d->kinds & (1u << kind)) != 0;
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].kind == kind && strstr(d->v[i].msg, needle) != NULL)
			return true;
	return false;
}

void
postfix_diags_free(struct postfix_diags *d)
{
	free(d->v);
	free(d->fp);
	memset(d, 0, sizeof(*d));
}

/* -------------------------------------------------------- logical lines */

void
postfix_lline_init(struct postfix_lline *r, const char *buf, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->buf = buf ? buf : "";
	r->len = buf ? len : 0;
}

void
postfix_lline_free(struct postfix_lline *r)
{
	free(r->text);
	r->text = NULL;
	r->cap = 0;
}

/* append n bytes to r->text at *tlen; -1 when the logical line is too long */
static int
lline_append(struct postfix_lline *r, size_t *tlen, const char *p, size_t n)
{
	if (*tlen + n + 1 > POSTFIX_CONF_MAX_LINE)
		return -1;
	if (*tlen + n + 1 > r->cap) {
		size_t ncap = r->cap ? r->cap : 256;
		char *t;

		while (ncap < *tlen + n + 1)
			ncap *= 2;
		if ((t = realloc(r->text, ncap)) == NULL)
			return -1;
		r->text = t;
		r->cap = ncap;
	}
	memcpy(r->text + *tlen, p, n);
	*tlen += n;
	r->text[*tlen] = 0;
	return 0;
}

/*
 * util/readlline.c: read physical lines; drop empty, blank and comment
 * lines; a following line that starts with whitespace or '#' belongs to the
 * same logical line (a '#' line is then dropped as a comment).
 */
int
postfix_lline_next(struct postfix_lline *r, const char *file,
		   struct postfix_diags *d, const char **text, unsigned *first_line)
{
	for (;;) {
		size_t tlen = 0;
		unsigned first = 0;
		bool toolong = false;

		if (r->pos >= r->len)
			return 0;
		for (;;) {
			const char *p = r->buf + r->pos;
			const char *nl = memchr(p, '\n', r->len - r->pos);
			size_t n = nl ? (size_t)(nl - p) : r->len - r->pos;
			size_t i;

			r->pos += n + (nl ? 1 : 0);
			r->lineno++;
			for (i = 0; i < n && IS_SPACE(p[i]); i++)
				;
			if (i < n && p[i] != '#') {
				if (tlen == 0)
					first = r->lineno;
				if (!toolong && lline_append(r, &tlen, p, n) < 0)
					toolong = true;
			}
			if (r->pos >= r->len)
				break;
			if (tlen > 0 || toolong) {
				char next = r->buf[r->pos];

				if (next != '#' && !IS_SPACE(next))
					break;
			}
		}
		if (toolong) {
			postfix_diags_add(d, POSTFIX_DIAG_LIMIT, file, first,
					  "logical line longer than %u bytes, ignored",
					  POSTFIX_CONF_MAX_LINE);
			continue;
		}
		if (tlen == 0)
			return 0;
		if (IS_SPACE(r->text[0])) {
			size_t i;

			for (i = 0; IS_SPACE(r->text[i]); i++)
				;
			postfix_diags_add(d, POSTFIX_DIAG_SYNTAX, file, first,
					  "logical line must not start with whitespace: \"%.30s%s\"",
					  r->text + i, tlen - i > 30 ? "..." : "");
			continue;
		}
		*text = r->text;
		*first_line = first;
		return 1;
	}
}

/* util/split_nameval.c */
const char *
postfix_split_nameval(char *s, char **name, char **value)
{
	char *np, *ep, *cp, *vp, *end;

	for (np = s; *np && IS_SPACE(*np); np++)
		;
	if (*np == 0 || *np == '=')
		return "missing attribute name";
	for (ep = np; *ep && !IS_SPACE(*ep) && *ep != '='; ep++)
		;
	for (cp = ep; *cp && IS_SPACE(*cp); cp++)
		;
	if (*cp != '=')
		return "missing '=' after attribute name";
	*ep = 0;
	for (vp = cp + 1; *vp && IS_SPACE(*vp); vp++)
		;
	for (end = vp + strlen(vp); end > vp && IS_SPACE(end[-1]); end--)
		;
	*end = 0;
	*name = np;
	*value = vp;
	return NULL;
}

/* ----------------------------------------------------------- dictionary */

const struct postfix_param *
postfix_dict_get(const struct postfix_dict *dict,
		 const char *name)
{
	size_t pos = HASH_INDEX_START, i;
	uint64_t h;

	if (dict == NULL || dict->n == 0)
		return NULL;
	h = hash_key(name, strlen(name));
	while ((i = hash_index_next(&dict->ix, h, &pos)) != HASH_INDEX_END)
		if (strcmp(dict->v[i].name, name) == 0)
			return &dict->v[i];
	return NULL;
}

int
postfix_dict_set(struct postfix_dict *dict, const char *name, const char *value,
		 const char *file, unsigned line, struct postfix_diags *d)
{
	struct postfix_param *p = (struct postfix_param *)postfix_dict_get(dict, name);
	char *nv;

	if (p != NULL) {
		/* util/dict.c: "overriding earlier entry"; the last one wins. */
		postfix_diags_add(d, POSTFIX_DIAG_DUPLICATE, file, line,
				  "overriding earlier entry for \"%s\" (line %u)",
				  name, p->line);
		if ((nv = strdup(value)) == NULL)
			return -1;
		free(p->value);
		p->value = nv;
		p->file = file;
		p->line = line;
		return 0;
	}
	if (dict->n >= POSTFIX_CONF_MAX_PARAMS) {
		postfix_diags_add(d, POSTFIX_DIAG_LIMIT, file, line,
				  "more than %u parameters at \"%.40s\": the rest is not read",
				  POSTFIX_CONF_MAX_PARAMS, name);
		return -2;
	}
	if (dict->n == dict->cap) {
		size_t ncap = dict->cap ? dict->cap * 2 : 32;
		struct postfix_param *nvp = realloc(dict->v, ncap * sizeof(*nvp));

		if (nvp == NULL)
			return -1;
		dict->v = nvp;
		dict->cap = ncap;
	}
	p = &dict->v[dict->n];
	p->name = strdup(name);
	p->value = strdup(value);
	if (p->name == NULL || p->value == NULL
	    || hash_index_put(&dict->ix, hash_key(name, strlen(name)), dict->n) < 0) {
		free(p->name);
		free(p->value);
		return -1;
	}
	p->file = file;
	p->line = line;
	dict->n++;
	return 0;
}

void
postfix_dict_free(struct postfix_dict *dict)
{
	for (size_t i = 0; i < dict->n; i++) {
		free(dict->v[i].name);
		free(dict->v[i].value);
	}
	free(dict->v);
	hash_index_free(&dict->ix);
	memset(dict, 0, sizeof(*dict));
}

size_t
postfix_conf_parse(struct postfix_dict *dict, const char *file,
		   const char *buf, size_t len, struct postfix_diags *d)
{
	struct postfix_lline r;
	const char *text;
	unsigned line;
	size_t count = 0;
	int rc;

	postfix_lline_init(&r, buf, len);
	while (postfix_lline_next(&r, file, d, &text, &line) == 1) {
		char *name, *value;
		const char *err;

		/* NUL bytes: Postfix stops the string there, and so do we. */
		if ((err = postfix_split_nameval(r.text, &name, &value)) != NULL) {
			postfix_diags_add(d, POSTFIX_DIAG_SYNTAX, file, line,
					  "%s: \"%.40s\"", err, text);
			continue;
		}
		rc = postfix_dict_set(dict, name, value, file, line, d);
		if (rc == 0)
			count++;
		else if (rc == -2)
			break;		/* full: the collector cannot vouch for the rest */
	}
	postfix_lline_free(&r);
	return count;
}

/* ------------------------------------------------------------- versions */

int
postfix_version_parse(const char *s, unsigned *out)
{
	unsigned v[3] = {0, 0, 0};
	int i = 0;

	if (s == NULL)
		return -1;
	while (IS_SPACE(*s))
		s++;
	/* Debian epochs: "1:3.7.11-0" */
	{
		const char *colon = strchr(s, ':');
		const char *sp = s;

		while (*sp && isdigit((unsigned char)*sp))
			sp++;
		if (colon != NULL && sp == colon)
			s = colon + 1;
	}
	if (!isdigit((unsigned char)*s))
		return -1;
	while (i < 3) {
		unsigned long n = 0;

		if (!isdigit((unsigned char)*s))
			break;
		while (isdigit((unsigned char)*s)) {
			n = n * 10 + (unsigned)(*s - '0');
			if (n > 998)
				return -1;
			s++;
		}
		v[i++] = (unsigned)n;
		if (*s != '.')
			break;
		s++;
	}
	*out = POSTFIX_VERSION(v[0], v[1], v[2]);
	return 0;
}

/* Compatibility levels compare numerically, field by field (3.10 > 3.6). */
int
postfix_level_cmp(const char *a, const char *b)
{
	for (int f = 0; f < 3; f++) {
		unsigned long x = 0, y = 0;

		while (isdigit((unsigned char)*a) && x < 100000000)
			x = x * 10 + (unsigned)(*a++ - '0');
		while (isdigit((unsigned char)*b) && y < 100000000)
			y = y * 10 + (unsigned)(*b++ - '0');
		if (x != y)
			return x < y ? -1 : 1;
		if (*a == '.')
			a++;
		if (*b == '.')
			b++;
	}
	return 0;
}

/* ------------------------------------------------------------ expansion */

/*
 * One expansion.  The text is never copied: every level works on a span
 * (pointer and length) of the value it expands, and everything is written
 * to one output buffer (relational operands are expanded at its end and cut
 * off again).  The work is counted in bytes: each span is charged when it
 * is scanned (a nested reference is scanned again by every level around
 * it, and so charged again), each byte when it is written, and each
 * reference a fixed amount for its lookup.  The expansion stops with an
 * error when it exceeds its own budget (POSTFIX_EXPAND_MAX_WORK) or the
 * environment's shared one (e->budget).
 */
struct exp {
	const struct postfix_env *e;
	char *out;
	size_t len, cap;
	int level;
	struct budget work;
	bool err;
	const char *file;		/* the setting whose text is being expanded */
	unsigned line;
	const char *top_file;		/* the setting expanded at the outermost level */
	unsigned top_line;
};

#define EXP_REF_COST 32		/* bytes of work charged per reference (its lookup) */
#define EXP_UNDEF_COST 256	/* ... and per undefined one (its diagnostic) */

/* The first bytes of a span, for messages: "%.*s" with span_show(n). */
static int
span_show(size_t n)
{
	return n < 40 ? (int)n : 40;
}

static void exp_error(struct exp *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
exp_error(struct exp *x, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	if (x->err)
		return;
	x->err = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	postfix_diags_add(x->e->diags, POSTFIX_DIAG_EXPAND, x->file, x->line, "%s", msg);
}

/* Count n bytes of work; false (reported) once a budget is exceeded. */
static bool
exp_charge(struct exp *x, size_t n)
{
	if (x->err)
		return false;
	if (budget_charge(&x->work, n) && budget_charge(x->e->budget, n))
		return true;
	/* the cost adds up over the whole expansion: name where it started */
	x->file = x->top_file;
	x->line = x->top_line;
	if (x->work.exhausted)
		exp_error(x, "expanding this value needs more than %u bytes of work",
			  POSTFIX_EXPAND_MAX_WORK);
	else
		exp_error(x, "expanding this configuration needs more than %zu bytes of work",
			  x->e->budget->max);
	return false;
}

static void
exp_put(struct exp *x, const char *p, size_t n)
{
	if (!exp_charge(x, n))
		return;
	if (x->len + n + 1 > POSTFIX_EXPAND_MAX_LEN) {
		exp_error(x, "expanded value longer than %u bytes", POSTFIX_EXPAND_MAX_LEN);
		return;
	}
	if (x->len + n + 1 > x->cap) {
		size_t ncap = x->cap ? x->cap : 128;
		char *t;

		while (ncap < x->len + n + 1)
			ncap *= 2;
		if ((t = realloc(x->out, ncap)) == NULL) {
			exp_error(x, "out of memory");
			return;
		}
		x->out = t;
		x->cap = ncap;
	}
	memcpy(x->out + x->len, p, n);
	x->len += n;
	x->out[x->len] = 0;
}

static void exp_parse(struct exp *x, const char *s, size_t n);

/* The dynamic defaults live in per-thread buffers a nested lookup rewrites. */
static _Thread_local char dyn_host[3][300];

static bool
is_dyn(const char *p)
{
	uintptr_t a = (uintptr_t)p, lo = (uintptr_t)dyn_host[0];

	return a >= lo && a < lo + sizeof(dyn_host);
}

/* Expand a parameter's value; errors in it name the setting (where). */
static void
exp_value(struct exp *x, const char *value, const struct postfix_param *where)
{
	const char *file = x->file;
	unsigned line = x->line;
	char copy[sizeof(dyn_host[0])];

	if (is_dyn(value)) {
		snprintf(copy, sizeof(copy), "%s", value);
		value = copy;
	}
	if (where != NULL) {
		x->file = where->file;
		x->line = where->line;
	}
	exp_parse(x, value, strlen(value));
	x->file = file;
	x->line = line;
}

/*
 * "{payload}" at *cp (which points at '{', before end): balanced braces;
 * leading whitespace of the payload and whitespace after '}' are skipped.
 * The payload's span goes to *s, *n.  false after a (reported) error.
 */
static bool
exp_curly(struct exp *x, const char **cp, const char *end, const char **s, size_t *n)
{
	const char *p = *cp + 1, *start;
	int level = 1;

	while (p < end && IS_SPACE(*p))
		p++;
	start = p;
	for (;; p++) {
		if (p == end) {
			exp_error(x, "unbalanced {} in attribute expression: \"%.*s\"",
				  span_show((size_t)(end - *cp)), *cp);
			return false;
		}
		if (*p == '{')
			level++;
		else if (*p == '}' && --level == 0)
			break;
	}
	if (!exp_charge(x, (size_t)(p - *cp)))
		return false;
	*s = start;
	*n = (size_t)(p - start);
	p++;
	while (p < end && IS_SPACE(*p))
		p++;
	*cp = p;
	return true;
}

/* numeric compare of digit strings of any length */
static int
digits_cmp(const char *a, const char *b)
{
	size_t la, lb;

	while (*a == '0' && a[1])
		a++;
	while (*b == '0' && b[1])
		b++;
	la = strlen(a);
	lb = strlen(b);
	if (la != lb)
		return la < lb ? -1 : 1;
	return strcmp(a, b);
}

/* "{a} OP {b}" at *cp; returns 1 (true), 0 (false) or -1 (error). */
static int
exp_relational(struct exp *x, const char **cp, const char *end)
{
	static const struct {
		const char *op;
		int lt, eq, gt;
		bool level;
	} ops[] = {
		{"==", 0, 1, 0, false}, {"!=", 1, 0, 1, false},
		{"<", 1, 0, 0, false}, {"<=", 1, 1, 0, false},
		{">", 0, 0, 1, false}, {">=", 0, 1, 1, false},
		{"<level", 1, 0, 0, true}, {"<=level", 1, 1, 0, true},
		{">level", 0, 0, 1, true}, {">=level", 0, 1, 1, true},
	};
	const char *ls, *rs, *lv, *rv;
	size_t ln, rn, oplen = 0, mark, mid;
	int found = -1, cmp;

	if (!exp_curly(x, cp, end, &ls, &ln))
		return -1;
	while (*cp + oplen < end && strchr("<>!=?+-*/~&|%", (*cp)[oplen]) != NULL)
		oplen++;
	if ((size_t)(end - *cp) >= oplen + 5 && strncmp(*cp + oplen, "level", 5) == 0)
		oplen += 5;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strlen(ops[i].op) == oplen && strncmp(*cp, ops[i].op, oplen) == 0)
			found = (int)i;
	if (found < 0) {
		exp_error(x, "relational operator expected at: \"...%.*s}>>>%.*s\"",
			  ln < 20 ? (int)ln : 20, ls, (size_t)(end - *cp) < 20 ? (int)(end - *cp) : 20,
			  *cp);
		return -1;
	}
	*cp += oplen;
	while (*cp < end && IS_SPACE(**cp))
		(*cp)++;
	if (*cp == end || **cp != '{') {
		exp_error(x, "\"{expression}\" expected at: \"...>>>%.*s\"",
			  (size_t)(end - *cp) < 20 ? (int)(end - *cp) : 20, *cp);
		return -1;
	}
	if (!exp_curly(x, cp, end, &rs, &rn))
		return -1;
	/* both operands expanded at the end of the output, NUL-separated */
	mark = x->len;
	exp_parse(x, ls, ln);
	exp_put(x, "", 1);
	mid = x->len;
	exp_parse(x, rs, rn);
	if (x->err)
		return -1;
	lv = x->out + mark;
	rv = x->out + mid;
	if (ops[found].level)
		cmp = postfix_level_cmp(lv, rv);
	else if (text_all_digits(lv) && text_all_digits(rv))
		cmp = digits_cmp(lv, rv);
	else
		cmp = strcmp(lv, rv);
	x->len = mark;
	x->out[mark] = 0;
	return cmp < 0 ? ops[found].lt : cmp == 0 ? ops[found].eq : ops[found].gt;
}

/* The span of a ?/: operand at *cp: "{payload}" or the rest of the reference. */
static bool
exp_operand(struct exp *x, const char **cp, const char *end, const char **s, size_t *n)
{
	while (*cp < end && IS_SPACE(**cp))
		(*cp)++;
	if (*cp < end && **cp == '{')
		return exp_curly(x, cp, end, s, n);
	*s = *cp;
	*n = (size_t)(end - *cp);
	*cp = end;
	return true;
}

/* mac_expand_callback: one ${...} / $(...) / $name reference (n bytes at ref). */
static void
exp_reference(struct exp *x, const char *ref, size_t n)
{
	const char *cp = ref, *end = ref + n, *lookup = NULL, *op;
	const struct postfix_param *where = NULL;
	char nbuf[256], *name = NULL;
	size_t opn;
	bool truth;
	char ch = 0;

	if (++x->level > POSTFIX_EXPAND_MAX_DEPTH) {
		exp_error(x, "unreasonable macro call nesting: \"%.*s\"", span_show(n), ref);
		goto out;
	}
	if (!exp_charge(x, EXP_REF_COST))
		goto out;
	while (cp < end && IS_SPACE(*cp))
		cp++;
	if (cp < end && *cp == '{') {
		int r = exp_relational(x, &cp, end);

		if (r < 0)
			goto out;
		lookup = r == 1 ? "true" : "";
		if (cp < end) {
			ch = *cp;
			if (ch != '?' && ch != ':') {
				exp_error(x, "\"?\" or \":\" expected at: \"...}>>>%.*s\"",
					  (size_t)(end - cp) < 20 ? (int)(end - cp) : 20, cp);
				goto out;
			}
			cp++;
		}
	} else {
		const char *start = cp, *nend;
		size_t nl;

		while (cp < end && (IS_ALNUM(*cp) || *cp == '_'))
			cp++;
		nend = cp;
		while (cp < end && IS_SPACE(*cp))
			cp++;
		ch = cp < end ? *cp : 0;
		if ((ch != 0 && ch != '?' && ch != ':') || nend == start) {
			exp_error(x, "attribute name syntax error at: \"%.*s\"", span_show(n), ref);
			goto out;
		}
		if (ch)
			cp++;
		nl = (size_t)(nend - start);
		name = nl < sizeof(nbuf) ? nbuf : malloc(nl + 1);
		if (name == NULL) {
			exp_error(x, "out of memory");
			goto out;
		}
		memcpy(name, start, nl);
		name[nl] = 0;
		lookup = postfix_lookup(x->e, name, &where);
		if (lookup == NULL) {
			if (!exp_charge(x, EXP_UNDEF_COST))
				goto out;
			postfix_diags_add(x->e->diags, POSTFIX_DIAG_UNDEFINED, x->file,
					  x->line, "undefined parameter: %s", name);
		}
	}
	truth = lookup != NULL && *lookup != 0;
	switch (ch) {
	case '?':
		if (!exp_operand(x, &cp, end, &op, &opn))
			break;
		if (truth)
			exp_parse(x, op, opn);
		if (x->err || cp == end)
			break;
		if (*cp != ':') {
			exp_error(x, "\":\" expected at: \"...>>>%.*s\"",
				  (size_t)(end - cp) < 20 ? (int)(end - cp) : 20, cp);
			break;
		}
		cp++;
		/* FALLTHROUGH */
	case ':':
		if (!exp_operand(x, &cp, end, &op, &opn))
			break;
		if (!truth)
			exp_parse(x, op, opn);
		if (!x->err && cp != end)
			exp_error(x, "unexpected input at: \"...>>>%.*s\"",
				  (size_t)(end - cp) < 20 ? (int)(end - cp) : 20, cp);
		break;
	default:
		if (truth)
			exp_value(x, lookup, where);
		break;
	}
out:
	if (name != nbuf)
		free(name);
	x->level--;
}

/* util/mac_parse.c: literal text, $$, $name, ${...}, $(...) in n bytes at s. */
static void
exp_parse(struct exp *x, const char *s, size_t n)
{
	const char *vp = s, *end = s + n;

	if (!exp_charge(x, n))
		return;
	while (vp < end && !x->err) {
		const char *dollar = memchr(vp, '$', (size_t)(end - vp));
		const char *lit_end = dollar ? dollar : end;

		if (lit_end > vp)
			exp_put(x, vp, (size_t)(lit_end - vp));
		if (dollar == NULL || x->err)
			break;
		vp = dollar + 1;
		if (vp < end && *vp == '$') {
			exp_put(x, "$", 1);
			vp++;
			continue;
		}
		if (vp < end && (*vp == '{' || *vp == '(')) {
			char open = *vp, close = open == '{' ? '}' : ')';
			const char *ep;
			int level = 1;

			for (ep = vp + 1; level > 0; ep++) {
				if (ep == end) {
					exp_error(x, "truncated macro reference: \"%.*s\"",
						  span_show(n), s);
					return;
				}
				if (*ep == open)
					level++;
				else if (*ep == close)
					level--;
			}
			if (ep - vp - 2 == 0) {
				exp_error(x, "empty macro name: \"%.*s\"", span_show(n), s);
				return;
			}
			exp_reference(x, vp + 1, (size_t)(ep - vp - 2));
			vp = ep;
		} else {
			const char *ep = vp;

			while (ep < end && (IS_ALNUM(*ep) || *ep == '_'))
				ep++;
			if (ep == vp) {
				exp_error(x, "empty macro name: \"%.*s\"", span_show(n), s);
				return;
			}
			exp_reference(x, vp, (size_t)(ep - vp));
			vp = ep;
		}
	}
}

/* Expand text set at file:line (dynamic defaults are copied first). */
static char *
expand_at(const struct postfix_env *e, const char *text, const char *file, unsigned line)
{
	struct exp x;

	memset(&x, 0, sizeof(x));
	x.e = e;
	x.file = x.top_file = file;
	x.line = x.top_line = line;
	budget_init(&x.work, POSTFIX_EXPAND_MAX_WORK);
	if (text == NULL)
		text = "";
	exp_value(&x, text, NULL);
	if (x.err) {
		free(x.out);
		return NULL;
	}
	return x.out ? x.out : strdup("");
}

char *
postfix_expand(const struct postfix_env *e, const char *text, unsigned line)
{
	return expand_at(e, text, e->file, line);
}

/* ----------------------------------------------------------------- lookup */

static const char *
dict_value(const struct postfix_dict *d, const char *name,
	   const struct postfix_param **where)
{
	const struct postfix_param *p = postfix_dict_get(d, name);

	if (p != NULL && where != NULL)
		*where = p;
	return p ? p->value : NULL;
}

/*
 * Host-dependent defaults, computed into the small per-thread buffers
 * dyn_host (above) keyed by the environment (global/mail_params.c
 * check_myhostname/check_mydomain).
 */

static const char *
dyn_myhostname(const struct postfix_env *e)
{
	const char *h = e->hostname && *e->hostname ? e->hostname : "localhost";
	const char *dom;

	if (strchr(h, '.') != NULL)
		return h;
	dom = dict_value(e->local, postfix_param_name(POSTFIX_P_MYDOMAIN), NULL);
	if (dom == NULL)
		dom = dict_value(e->main, postfix_param_name(POSTFIX_P_MYDOMAIN), NULL);
	/* mydomain given: its raw text; expansion would need myhostname */
	if (dom == NULL || strchr(dom, '$') != NULL)
		dom = "localdomain";
	snprintf(dyn_host[0], sizeof(dyn_host[0]), "%s.%s", h, dom);
	return dyn_host[0];
}

static const char *
dyn_mydomain(const struct postfix_env *e)
{
	const char *hn = dict_value(e->local, postfix_param_name(POSTFIX_P_MYHOSTNAME), NULL);
	const char *dot;

	if (hn == NULL)
		hn = dict_value(e->main, postfix_param_name(POSTFIX_P_MYHOSTNAME), NULL);
	if (hn == NULL) {
		hn = dyn_myhostname(e);
	} else if (strchr(hn, '$') != NULL) {
		/* myhostname = x.$mydomain: mydomain cannot come from it */
		return "localdomain";
	}
	if ((dot = strchr(hn, '.')) == NULL || dot[1] == 0)
		return "localdomain";
	snprintf(dyn_host[1], sizeof(dyn_host[1]), "%s", dot + 1);
	return dyn_host[1];
}

const char *
postfix_lookup(const struct postfix_env *e, const char *name,
	       const struct postfix_param **where)
{
	const struct postfix_default *def;
	const char *v;
	int id;

	if (where != NULL)
		*where = NULL;
	if ((v = dict_value(e->local, name, where)) != NULL)
		return v;
	if ((v = dict_value(e->main, name, where)) != NULL)
		return v;
	if ((id = postfix_param_by_name(name)) < 0
	    || (def = postfix_param_default((enum postfix_param_id)id, e->version)) == NULL)
		return NULL;
	if (def->value != NULL)
		return def->value;
	switch (id) {
	case POSTFIX_P_MYHOSTNAME:
		return dyn_myhostname(e);
	case POSTFIX_P_MYDOMAIN:
		return dyn_mydomain(e);
	case POSTFIX_P_MYNETWORKS:
		return e->mynetworks ? e->mynetworks : "";
	case POSTFIX_P_MAIL_VERSION:
		snprintf(dyn_host[2], sizeof(dyn_host[2]), "%u.%u.%u", e->version / 1000000u,
			 (e->version / 1000u) % 1000u, e->version % 1000u);
		return dyn_host[2];
	default:
		/* a NULL default is one computed here, and only these are */
		assert(!"postfix_params[] has a computed default postfix_lookup() does not compute");
		return "";
	}
}

char *
postfix_eval(const struct postfix_env *e, const char *name)
{
	const struct postfix_param *where;
	const char *raw = postfix_lookup(e, name, &where);

	if (raw == NULL)
		return NULL;
	/* a setting's problems name its own file (main.cf or master.cf) */
	return expand_at(e, raw, where ? where->file : e->file, where ? where->line : 0);
}

char *
postfix_eval_id(const struct postfix_env *e, enum postfix_param_id id)
{
	return postfix_eval(e, postfix_param_name(id));
}

/* ------------------------------------------------------------------ lists */

/* 0, -1 out of memory, -2 past POSTFIX_LIST_MAX_ITEMS */
static int
list_add(struct postfix_list *l, const char *p, size_t n)
{
	if (l->n >= POSTFIX_LIST_MAX_ITEMS)
		return -2;
	/* grow by doubling: capacities are the powers of two from 8 */
	if (l->n >= 8 && (l->n & (l->n - 1)) == 0) {
		char **nv = realloc(l->item, 2 * l->n * sizeof(*nv));

		if (nv == NULL)
			return -1;
		l->item = nv;
	} else if (l->item == NULL && (l->item = malloc(8 * sizeof(*l->item))) == NULL) {
		return -1;
	}
	if ((l->item[l->n] = strndup(p, n)) == NULL)
		return -1;
	l->n++;
	return 0;
}

/*
 * util/mystrtokq.c mystrtokq() and util/extpar.c: tokens separated by the
 * separator set; a '{' opens a group that quotes separators until its
 * matching '}'; a token that is one whole {group} loses the outer braces
 * and the whitespace inside them.  The inet_interfaces rule has no groups.
 */
static const char *
list_sep(enum postfix_split how)
{
	return how == POSTFIX_SPLIT_INET ? " \t," : ", \t\r\n";
}

int
postfix_list_next(const char **pp, enum postfix_split how, const char **item, size_t *len)
{
	const char *sep = list_sep(how);
	const char *p = *pp, *s, *e;
	int level = 0;
	bool outer;

	p += strspn(p, sep);
	if (*p == 0) {
		*pp = p;
		return 0;
	}
	s = p;
	if (how == POSTFIX_SPLIT_INET) {
		p += strcspn(p, sep);
		*pp = p;
		*item = s;
		*len = (size_t)(p - s);
		return 1;
	}
	outer = *p == '{';
	for (; *p; p++) {
		if (*p == '{') {
			level++;
		} else if (*p == '}') {
			if (level == 0)
				return -1;
			if (--level == 0 && outer && p[1] != 0 && strchr(sep, p[1]) == NULL)
				outer = false;
		} else if (level == 0 && strchr(sep, *p) != NULL) {
			break;
		}
	}
	if (level > 0)
		return -1;
	*pp = p;
	e = p;
	if (outer && e - s >= 2 && e[-1] == '}') {
		for (s++, e--; s < e && IS_SPACE(*s); s++)
			;
		while (e > s && IS_SPACE(e[-1]))
			e--;
	}
	*item = s;
	*len = (size_t)(e - s);
	return 1;
}

int
postfix_list_split(const char *value, enum postfix_split how,
		   struct postfix_list *out, const char *file, unsigned line,
		   struct postfix_diags *d)
{
	const char *p = value ? value : "", *start, *item;
	size_t len;
	int r;

	memset(out, 0, sizeof(*out));
	for (;;) {
		start = p + strspn(p, list_sep(how));
		if ((r = postfix_list_next(&p, how, &item, &len)) == 0)
			return 0;
		if (r < 0) {
			postfix_diags_add(d, POSTFIX_DIAG_LIST, file, line,
					  "unbalanced {} in list: \"%.40s\"", start);
			return -1;
		}
		if ((r = list_add(out, item, len)) < 0) {
			if (r == -2)
				postfix_diags_add(d, POSTFIX_DIAG_LIMIT, file, line,
						  "list longer than %u items: the rest is not read",
						  POSTFIX_LIST_MAX_ITEMS);
			return -1;
		}
	}
}

bool
postfix_list_has(const char *value, const char *word)
{
	const char *p = value ? value : "", *item;
	size_t len, wl = strlen(word);

	while (postfix_list_next(&p, POSTFIX_SPLIT_LIST, &item, &len) == 1)
		if (len == wl && strncasecmp(item, word, wl) == 0)
			return true;
	return false;
}

void
postfix_list_free(struct postfix_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->item[i]);
	free(l->item);
	memset(l, 0, sizeof(*l));
}

bool
postfix_bool(const char *v, bool dflt)
{
	if (v == NULL)
		return dflt;
	if (strcasecmp(v, "yes") == 0)
		return true;
	if (strcasecmp(v, "no") == 0)
		return false;
	return dflt;
}

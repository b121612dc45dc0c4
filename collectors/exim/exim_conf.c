/*
 * exim_conf.c - Exim configuration parser, list splitter, listening and
 * relay decisions, Debian update-exim4.conf generation.  Pure code: no I/O.
 *
 * Interface and the rules followed: see exim_conf.h.  Model of the relay
 * decision: see docs/exim.md.
 *
 * Diagnostics: collected in struct exim_conf (file, line, text, fatal);
 * the caller logs them.  Memory: malloc, bounded by the EXIM_CONF_MAX_*
 * caps; exim_conf_free() releases everything.
 */
#include "collectors/exim/exim_conf.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/budget.h"
#include "lib/hash.h"
#include "lib/text.h"

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */

static void diag(struct exim_conf *c, const char *file, unsigned line, bool fatal,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void vdiag(struct exim_conf *c, const char *file, unsigned line, bool fatal, bool limit,
		  const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));
static void limit_hit(struct exim_conf *c, const char *file, unsigned line, const char *fmt,
		      ...) __attribute__((format(printf, 4, 5)));

static void
vdiag(struct exim_conf *c, const char *file, unsigned line, bool fatal, bool limit,
      const char *fmt, va_list ap)
{
	struct exim_diag *d;

	if (fatal)
		c->n_fatal++;
	else
		c->n_warnings++;
	if (c->n_diags < EXIM_CONF_MAX_DIAGS)
		d = &c->diags[c->n_diags++];
	else if (limit && c->n_limits == 0)
		d = &c->diags[EXIM_CONF_MAX_DIAGS - 1];	/* the first limit is always shown */
	else
		return;
	d->file = file;
	d->line = line;
	d->fatal = fatal;
	d->limit = limit;
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
}

static void
diag(struct exim_conf *c, const char *file, unsigned line, bool fatal, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(c, file, line, fatal, false, fmt, ap);
	va_end(ap);
}

/* A cap of ours was exceeded: the configuration is not fully read (the collector fails). */
static void
limit_hit(struct exim_conf *c, const char *file, unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(c, file, line, false, true, fmt, ap);
	va_end(ap);
	c->n_limits++;
}

static char *
xstrndup(struct exim_conf *c, const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (!p) {
		c->oom = true;
		return NULL;
	}
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static char *
xstrdup(struct exim_conf *c, const char *s)
{
	return xstrndup(c, s, strlen(s));
}

/* grow - make room for one more element in *arr (count *n). */
static void *
grow(struct exim_conf *c, void *arr, size_t n, size_t elsize, size_t *cap)
{
	if (n < *cap)
		return arr;
	size_t ncap = *cap ? *cap * 2 : 8;
	void *p = realloc(arr, ncap * elsize);
	if (!p) {
		c->oom = true;
		return NULL;
	}
	memset((char *)p + *cap * elsize, 0, (ncap - *cap) * elsize);
	*cap = ncap;
	return p;
}

static bool
is_name_char(int ch)
{
	return isalnum((unsigned char)ch) || ch == '_';
}

static const char *
skip_ws(const char *s)
{
	while (*s && isspace((unsigned char)*s))
		s++;
	return s;
}

/* ------------------------------------------------------------------ */
/* Lists                                                                */

void
exim_list_init(struct exim_list_iter *it, const char *list)
{
	memset(it, 0, sizeof(*it));
	it->s = list ? list : "";
	it->sep = ':';
}

bool
exim_list_next(struct exim_list_iter *it, char *item, size_t itemlen)
{
	const char *s = it->s;
	if (!it->started) {
		it->started = true;
		const char *p = skip_ws(s);
		/* "<x" with x punctuation (not alphanumeric, not whitespace) */
		if (p[0] == '<' && p[1] && ispunct((unsigned char)p[1])) {
			it->sep = p[1];
			p += 2;
		}
		it->pos = (size_t)(p - s);
	}
	const char *p = skip_ws(s + it->pos);
	if (!*p) {
		it->pos = (size_t)(p - s);
		return false;
	}
	size_t o = 0;
	size_t lastnonws = 0;
	for (;;) {
		char ch = *p;
		if (!ch)
			break;
		if (ch == it->sep) {
			if (p[1] == it->sep) {
				p += 2;
			} else {
				p++;
				break;
			}
		} else {
			p++;
		}
		if (o + 1 < itemlen) {
			item[o++] = ch;
			if (!isspace((unsigned char)ch))
				lastnonws = o;
		} else {
			it->truncated = true;
		}
	}
	if (itemlen)
		item[lastnonws] = '\0';
	it->pos = (size_t)(p - s);
	return true;
}

/* ------------------------------------------------------------------ */
/* Parser                                                               */

enum section { SEC_MAIN, SEC_ACL, SEC_OTHER };

struct parser {
	struct exim_conf *c;
	size_t cap_options, cap_lists, cap_acls, cap_macros;
	size_t n_items;
	enum section sec;
	struct exim_acl *acl;	/* current ACL (index stable via n_acls-1) */
	size_t stmt_cap;
	size_t cond_cap;
	/* conditionals */
	int cstate;
	int stack[EXIM_CONF_MAX_NEST];
	int sp;
	const char *file;	/* current logical line's start */
	unsigned line;
	unsigned order;
	unsigned *opt_order;	/* parallel to options: definition order */
	size_t opt_order_cap;
	/* macros: a trie of their names, for finding names in a line */
	struct macro_node *node;	/* [0] is the root (the empty prefix) */
	size_t n_node, cap_node;
	struct hash_index edges;	/* (parent, character) -> node */
	size_t max_name;	/* longest macro name */
	uint64_t pending[(EXIM_CONF_MAX_MACROS + 63) / 64];	/* macros that may occur */
	char *tmp;		/* second line buffer for substitute() */
	size_t *reps;		/* where substitute() put replacements ... */
	size_t n_reps;		/* ... in its last pass */
	struct budget work;	/* macro substitution: bytes scanned and written */
	struct budget stored;	/* bytes kept in the configuration */
};

/*
 * A node of the trie of macro names: the prefix of its parent plus ch;
 * full >= 0 when that prefix is the whole name of macro number full.
 */
struct macro_node {
	unsigned parent;
	unsigned char ch;
	int full;
};

#define EXIM_WALK_COST 16	/* work units per character a name search looks at */
#define EXIM_MAX_REPLACEMENTS 4096	/* per physical line */

static const int next_cstate[3][4] = {
	{ 0, 1, 2, 2 },
	{ 2, 2, 0, 1 },
	{ 2, 2, 2, 2 },
};

struct cond_dir {
	const char *name;
	int action_found, action_notfound, pushpop;
};

static const struct cond_dir cond_dirs[] = {
	{ "ifdef", 0, 1, 1 },
	{ "ifndef", 1, 0, 1 },
	{ "elifdef", 2, 3, 0 },
	{ "elifndef", 3, 2, 0 },
	{ "else", 2, 2, 0 },
	{ "endif", 0, 0, -1 },
};

/* Count macro-substitution work; false (reported once) past the budget. */
static bool
work(struct parser *ps, size_t n)
{
	if (ps->work.exhausted)
		return false;
	if (budget_charge(&ps->work, n))
		return true;
	limit_hit(ps->c, ps->file, ps->line,
		  "macro substitution needs more than %u bytes of work; not expanded further",
		  EXIM_CONF_MAX_MACRO_WORK);
	return false;
}

/* Count n bytes kept in the configuration; false (reported) past the cap. */
static bool
store(struct parser *ps, size_t n)
{
	if (ps->stored.exhausted)
		return false;
	if (budget_charge(&ps->stored, n))
		return true;
	limit_hit(ps->c, ps->file, ps->line,
		  "the configuration holds more than %u bytes of settings; the rest is ignored",
		  EXIM_CONF_MAX_STORED);
	return false;
}

static uint64_t
edge_key(unsigned parent, unsigned char ch)
{
	return hash_key_int((uint64_t)parent << 8 | ch);
}

/* The child of node parent by ch, 0 when there is none. */
static unsigned
trie_child(const struct parser *ps, unsigned parent, unsigned char ch)
{
	size_t pos = HASH_INDEX_START, i;
	uint64_t h = edge_key(parent, ch);

	while ((i = hash_index_next(&ps->edges, h, &pos)) != HASH_INDEX_END)
		if (ps->node[i].parent == parent && ps->node[i].ch == ch)
			return (unsigned)i;
	return 0;
}

/*
 * The macros whose whole names start at p (at most n characters there):
 * cb for each, shortest first.  Returns the characters looked at.
 */
static size_t
prefix_walk(const struct parser *ps, const char *p, size_t n,
	    void (*cb)(struct parser *ps, int macro, void *arg), void *arg)
{
	unsigned at = 0;
	size_t l;

	for (l = 0; l < n && l < ps->max_name; l++) {
		if ((at = trie_child(ps, at, (unsigned char)p[l])) == 0)
			break;
		if (ps->node[at].full >= 0)
			cb((struct parser *)ps, ps->node[at].full, arg);
	}
	return l + 1;
}

/* Add macro m's name to the trie; -1 out of memory. */
static int
prefix_add(struct parser *ps, unsigned m)
{
	const char *name = ps->c->macros[m].name;
	size_t n = strlen(name);
	unsigned at = 0;

	if (ps->n_node == 0) {
		if ((ps->node = grow(ps->c, ps->node, 0, sizeof(*ps->node), &ps->cap_node)) == NULL)
			return -1;
		ps->node[ps->n_node++] = (struct macro_node){ 0, 0, -1 };
	}
	for (size_t l = 0; l < n; l++) {
		unsigned char ch = (unsigned char)name[l];
		unsigned next = trie_child(ps, at, ch);

		if (next == 0) {
			struct macro_node *nv = grow(ps->c, ps->node, ps->n_node, sizeof(*nv),
						     &ps->cap_node);

			if (nv == NULL)
				return -1;
			ps->node = nv;
			if (hash_index_put(&ps->edges, edge_key(at, ch), ps->n_node) < 0) {
				ps->c->oom = true;
				return -1;
			}
			next = (unsigned)ps->n_node;
			ps->node[ps->n_node++] = (struct macro_node){ at, ch, -1 };
		}
		at = next;
	}
	ps->node[at].full = (int)m;
	if (n > ps->max_name)
		ps->max_name = n;
	return 0;
}

struct name_hits {
	int equal;		/* macro named exactly so, -1 none */
	int substring;		/* first-defined macro whose name is inside, -1 none */
	size_t len;
};

static void
note_inside(struct parser *ps, int macro, void *arg)
{
	struct name_hits *h = arg;

	if (strlen(ps->c->macros[macro].name) == h->len) {
		h->equal = macro;
		return;
	}
	if (h->substring < 0 || macro < h->substring)
		h->substring = macro;
}

static void
macro_define(struct parser *ps, const char *s)
{
	struct exim_conf *c = ps->c;
	char name[64];
	size_t n = 0;
	while (is_name_char(*s)) {
		if (n >= sizeof(name) - 1) {
			diag(c, ps->file, ps->line, true, "macro name too long (maximum is 63 characters)");
			return;
		}
		name[n++] = *s++;
	}
	name[n] = '\0';
	s = skip_ws(s);
	if (*s++ != '=') {
		diag(c, ps->file, ps->line, true, "malformed macro definition");
		return;
	}
	bool redef = false;
	if (*s == '=') {
		redef = true;
		s++;
	}
	s = skip_ws(s);
	/*
	 * readconf.c looks at the macros in definition order: the first one
	 * that equals the name, or is a shorter part of it, decides.  The
	 * macros whose names occur in the new name are found through the
	 * prefixes, at every position of the name.
	 */
	struct name_hits hits = { -1, -1, n };
	for (size_t i = 0; i < n; i++)
		prefix_walk(ps, name + i, n - i, note_inside, &hits);
	if (hits.substring >= 0 && (hits.equal < 0 || hits.substring < hits.equal)) {
		diag(c, ps->file, ps->line, true,
		     "\"%s\" cannot be defined as a macro because previously defined macro \"%s\" is a substring",
		     name, c->macros[hits.substring].name);
		return;
	}
	if (hits.equal >= 0 && !redef) {
		diag(c, ps->file, ps->line, true,
		     "macro \"%s\" is already defined (use \"==\" to redefine it)", name);
		return;
	}
	if (redef) {
		if (hits.equal < 0) {
			diag(c, ps->file, ps->line, true, "can't redefine an undefined macro \"%s\"", name);
			return;
		}
		struct exim_macro *m = &c->macros[hits.equal];
		if (!store(ps, strlen(s)))
			return;
		char *v = xstrdup(c, s);
		if (!v)
			return;
		free(m->value);
		m->value = v;
		return;
	}
	if (c->n_macros >= EXIM_CONF_MAX_MACROS) {
		limit_hit(c, ps->file, ps->line, "more than %u macros, \"%s\" ignored",
			  EXIM_CONF_MAX_MACROS, name);
		return;
	}
	if (!store(ps, n + strlen(s)))
		return;
	struct exim_macro *arr = grow(c, c->macros, c->n_macros, sizeof(*arr), &ps->cap_macros);
	if (!arr)
		return;
	c->macros = arr;
	char *nm = xstrdup(c, name), *v = xstrdup(c, s);
	if (!nm || !v) {
		free(nm);
		free(v);
		return;
	}
	arr[c->n_macros].name = nm;
	arr[c->n_macros].value = v;
	if (prefix_add(ps, (unsigned)c->n_macros) < 0) {
		free(nm);
		free(v);
		return;
	}
	c->n_macros++;
}

static void
mark_pending(struct parser *ps, int macro, void *arg)
{
	int after = *(const int *)arg;

	if (macro > after)
		ps->pending[macro / 64] |= UINT64_C(1) << (macro % 64);
}

/* Mark the macros whose names start in buf[a..b) (uppercase positions), if defined after "after". */
static bool
find_names(struct parser *ps, const char *buf, size_t len, size_t a, size_t b, int after)
{
	for (size_t i = a; i < b; i++) {
		if (!isupper((unsigned char)buf[i]))
			continue;
		if (!work(ps, EXIM_WALK_COST * prefix_walk(ps, buf + i, len - i, mark_pending,
							  &after)))
			return false;
	}
	return work(ps, b - a);
}

/* The next pending macro from m on, cleared; -1 when none. */
static int
next_pending(struct parser *ps, int m)
{
	for (size_t w = (size_t)m / 64; w < sizeof(ps->pending) / sizeof(ps->pending[0]); w++) {
		uint64_t bits = ps->pending[w];

		if (w == (size_t)m / 64)
			bits &= ~UINT64_C(0) << (m % 64);
		if (bits != 0) {
			int b = __builtin_ctzll(bits);

			ps->pending[w] &= ~(UINT64_C(1) << b);
			return (int)(w * 64) + b;
		}
	}
	return -1;
}

/*
 * replace_all - one macro over buf[from..*len), into ps->tmp and back:
 * every occurrence, left to right, the text after a replacement searched
 * from its end (readconf.c does not rescan a replacement for the same
 * macro).  Records where the replacements went (ps->reps).  Returns 1 if
 * anything was replaced, 0 if not, -1 when a cap stops it.
 */
static int
replace_all(struct parser *ps, const struct exim_macro *m, char *buf, size_t *len, size_t cap,
	    size_t from)
{
	size_t nl = strlen(m->name), rl = 0, p = from, o = from;
	bool any = false;
	const char *q;

	ps->n_reps = 0;
	while ((q = memmem(buf + p, *len - p, m->name, nl)) != NULL) {
		size_t k = (size_t)(q - buf);

		if (!any) {
			rl = strlen(m->value);
			memcpy(ps->tmp, buf, from);
			any = true;
		}
		if (ps->n_reps == EXIM_MAX_REPLACEMENTS) {
			limit_hit(ps->c, ps->file, ps->line,
				  "more than %u macro replacements on one line; not expanded further",
				  EXIM_MAX_REPLACEMENTS);
			return -1;
		}
		if (o + (k - p) + rl + (*len - k - nl) + 1 > cap) {
			limit_hit(ps->c, ps->file, ps->line,
				  "line longer than %u characters after macro expansion; not expanded further",
				  EXIM_CONF_MAX_LINE);
			return -1;
		}
		if (!work(ps, (k - p) + rl))
			return -1;
		memcpy(ps->tmp + o, buf + p, k - p);
		o += k - p;
		ps->reps[ps->n_reps++] = o;
		memcpy(ps->tmp + o, m->value, rl);
		o += rl;
		p = k + nl;
	}
	if (!work(ps, *len - p))	/* what memmem scanned after the last match */
		return -1;
	if (!any)
		return 0;
	memcpy(ps->tmp + o, buf + p, *len - p);
	o += *len - p;
	if (!work(ps, o))
		return -1;
	memcpy(buf, ps->tmp, o);
	buf[o] = '\0';
	*len = o;
	return 1;
}

/*
 * substitute - replace macros in buf[from..*len) as readconf.c's
 * macros_expand() does, in place; returns whether any replacement
 * happened.  Exim tries every macro, in definition order, on the whole
 * rest of the line (strstr), so a later macro also sees what an earlier
 * one put in, and an earlier one never sees what a later one put in.
 * Here the result is the same for a cost that follows what the line
 * holds: the macros whose names occur in the line are found first (names
 * start with an uppercase letter; their prefixes are indexed), and only
 * those are applied, in definition order; after each replacement the text
 * around it is searched again for names of macros still to come.  Every
 * byte scanned or written is charged to ps->work.  The buffer holds at
 * most cap-1 characters; beyond that, or past the budget, the line is left
 * as far as it got and a limit is reported.
 */
static bool
substitute(struct parser *ps, char *buf, size_t *len, size_t cap, size_t from)
{
	struct exim_conf *c = ps->c;
	bool found = false;
	size_t s = from;
	int m = 0;

	while (s < *len && !isupper((unsigned char)buf[s]))
		s++;
	if (s >= *len || c->n_macros == 0)
		return false;
	memset(ps->pending, 0, sizeof(ps->pending));
	if (!find_names(ps, buf, *len, s, *len, -1))
		return false;
	while ((m = next_pending(ps, m)) >= 0) {
		int r = replace_all(ps, &c->macros[m], buf, len, cap, s);
		size_t done = s, rl = strlen(c->macros[m].value);

		if (r < 0)
			return found;
		if (r == 0)
			continue;
		found = true;
		/* names of later macros that now start in or just before a replacement */
		for (size_t i = 0; i < ps->n_reps; i++) {
			size_t at = ps->reps[i];
			size_t a = at >= s + ps->max_name - 1 ? at - (ps->max_name - 1) : s;
			size_t b = at + rl;

			if (a < done)
				a = done;
			if (a < b && !find_names(ps, buf, *len, a, b, m))
				return found;
			if (b > done)
				done = b;
		}
		m++;
	}
	return found;
}

/* string_dequote-like: s starts with '"'; returns malloc'd text, sets *end. */
static char *
dequote(struct exim_conf *c, const char *s, const char **end)
{
	size_t n = strlen(s);
	char *out = malloc(n + 1);
	if (!out) {
		c->oom = true;
		return NULL;
	}
	size_t o = 0;
	s++;
	while (*s && *s != '"') {
		if (*s == '\\' && s[1]) {
			s++;
			char ch = *s;
			if (ch >= '0' && ch <= '7') {
				int v = 0;
				for (int k = 0; k < 3 && *s >= '0' && *s <= '7'; k++)
					v = v * 8 + (*s++ - '0');
				out[o++] = (char)v;
				continue;
			}
			if (ch == 'x' && isxdigit((unsigned char)s[1])) {
				int v = 0;
				s++;
				for (int k = 0; k < 2 && isxdigit((unsigned char)*s); k++, s++)
					v = v * 16 + (isdigit((unsigned char)*s) ? *s - '0'
						      : (tolower((unsigned char)*s) - 'a' + 10));
				out[o++] = (char)v;
				continue;
			}
			switch (ch) {
			case 'b': out[o++] = '\b'; break;
			case 'f': out[o++] = '\f'; break;
			case 'n': out[o++] = '\n'; break;
			case 'r': out[o++] = '\r'; break;
			case 't': out[o++] = '\t'; break;
			case 'v': out[o++] = '\v'; break;
			default: out[o++] = ch; break;
			}
			s++;
			continue;
		}
		out[o++] = *s++;
	}
	if (*s == '"')
		s++;
	out[o] = '\0';
	*end = s;
	return out;
}

/* read_value - an option or list value: dequoted if quoted, else as is. */
static char *
read_value(struct parser *ps, const char *s, const char *what)
{
	s = skip_ws(s);
	if (*s != '"')
		return xstrdup(ps->c, s);
	const char *end;
	char *v = dequote(ps->c, s, &end);
	if (v && *skip_ws(end))
		diag(ps->c, ps->file, ps->line, true, "extra characters follow %s", what);
	return v;
}

static void
set_option(struct parser *ps, const char *name, char *value)
{
	struct exim_conf *c = ps->c;
	for (size_t i = 0; i < c->n_options; i++) {
		if (strcmp(c->options[i].name, name) == 0) {
			diag(c, ps->file, ps->line, true, "\"%s\" option set for the second time", name);
			free(value);
			return;
		}
	}
	if (ps->n_items >= EXIM_CONF_MAX_ITEMS) {
		limit_hit(c, ps->file, ps->line, "more than %u settings, \"%s\" ignored",
			  EXIM_CONF_MAX_ITEMS, name);
		free(value);
		return;
	}
	if (!store(ps, strlen(name) + strlen(value))) {
		free(value);
		return;
	}
	struct exim_option *arr = grow(c, c->options, c->n_options, sizeof(*arr), &ps->cap_options);
	if (!arr) {
		free(value);
		return;
	}
	c->options = arr;
	char *nm = xstrdup(c, name);
	if (!nm) {
		free(value);
		return;
	}
	arr[c->n_options] = (struct exim_option){ nm, value, ps->file, ps->line };
	c->n_options++;
	ps->n_items++;
}

static const struct {
	const char *word;
	enum exim_list_type type;
	const char *desc;
} list_words[] = {
	{ "domainlist", EXIM_LIST_DOMAIN, "domain" },
	{ "hostlist", EXIM_LIST_HOST, "host" },
	{ "addresslist", EXIM_LIST_ADDRESS, "address" },
	{ "localpartlist", EXIM_LIST_LOCALPART, "local part" },
};

static bool
word_is(const char *s, const char *w, const char **rest)
{
	size_t n = strlen(w);
	if (strncmp(s, w, n) != 0 || is_name_char(s[n]))
		return false;
	*rest = s + n;
	return true;
}

static void
main_line(struct parser *ps, const char *s)
{
	struct exim_conf *c = ps->c;
	const char *rest;
	for (size_t i = 0; i < sizeof(list_words) / sizeof(list_words[0]); i++) {
		if (!word_is(s, list_words[i].word, &rest))
			continue;
		rest = skip_ws(rest);
		const char *n0 = rest;
		while (is_name_char(*rest))
			rest++;
		if (rest == n0) {
			diag(c, ps->file, ps->line, true, "missing name for %s list", list_words[i].desc);
			return;
		}
		char *name = xstrndup(c, n0, (size_t)(rest - n0));
		if (!name)
			return;
		rest = skip_ws(rest);
		if (*rest != '=') {
			diag(c, ps->file, ps->line, true, "missing '=' after \"%s\"", name);
			free(name);
			return;
		}
		if (exim_conf_list(c, list_words[i].type, name)) {
			diag(c, ps->file, ps->line, true, "duplicate name \"%s\" for a named %s list",
			     name, list_words[i].desc);
			free(name);
			return;
		}
		char *value = read_value(ps, rest + 1, "named list");
		struct exim_named_list *arr = grow(c, c->lists, c->n_lists, sizeof(*arr), &ps->cap_lists);
		if (!value || !arr || ps->n_items >= EXIM_CONF_MAX_ITEMS
		    || !store(ps, strlen(name) + strlen(value))) {
			if (ps->n_items >= EXIM_CONF_MAX_ITEMS)
				limit_hit(c, ps->file, ps->line, "more than %u settings, list \"%s\" ignored",
					  EXIM_CONF_MAX_ITEMS, name);
			free(name);
			free(value);
			return;
		}
		c->lists = arr;
		arr[c->n_lists++] = (struct exim_named_list){ list_words[i].type, name, value,
							      ps->file, ps->line };
		ps->n_items++;
		return;
	}

	if (word_is(s, "hide", &rest))
		s = skip_ws(rest);
	if (!isalpha((unsigned char)*s)) {
		diag(c, ps->file, ps->line, true, "main option name expected");
		return;
	}
	const char *n0 = s;
	while (is_name_char(*s))
		s++;
	char name[128];
	size_t nl = (size_t)(s - n0);
	if (nl >= sizeof(name))
		nl = sizeof(name) - 1;
	memcpy(name, n0, nl);
	name[nl] = '\0';
	s = skip_ws(s);
	if (*s == '=') {
		char desc[160];
		snprintf(desc, sizeof(desc), "option setting for \"%s\"", name);
		char *v = read_value(ps, s + 1, desc);
		if (v)
			set_option(ps, name, v);
		return;
	}
	if (*s) {
		diag(c, ps->file, ps->line, true, "extra characters follow \"%s\"", name);
		return;
	}
	/* boolean */
	const char *bname = name, *val = "true";
	if (strncmp(name, "no_", 3) == 0) {
		bname = name + 3;
		val = "false";
	} else if (strncmp(name, "not_", 4) == 0) {
		bname = name + 4;
		val = "false";
	}
	char *v = xstrdup(c, val);
	if (v)
		set_option(ps, bname, v);
}

static const char *const acl_verbs[] = {
	"accept", "defer", "deny", "discard", "drop", "require", "warn",
};

static void
acl_add_cond(struct parser *ps, const char *s)
{
	struct exim_conf *c = ps->c;
	if (!ps->acl || ps->acl->n_stmts == 0) {
		diag(c, ps->file, ps->line, true, "ACL condition or modifier without a verb");
		return;
	}
	struct exim_acl_stmt *st = &ps->acl->stmts[ps->acl->n_stmts - 1];
	bool neg = false;
	s = skip_ws(s);
	if (*s == '!') {
		neg = true;
		s = skip_ws(s + 1);
	}
	const char *n0 = s;
	while (is_name_char(*s))
		s++;
	if (s == n0) {
		diag(c, ps->file, ps->line, true, "ACL condition or modifier name expected");
		return;
	}
	char *name = xstrndup(c, n0, (size_t)(s - n0));
	if (!name)
		return;
	s = skip_ws(s);
	/* "set acl_m_x = value": keep the variable in the value */
	const char *val = "";
	if (*s == '=')
		val = skip_ws(s + 1);
	else if (strcmp(name, "set") == 0)
		val = s;
	else if (*s) {
		/* "endpass" and friends take no value; anything else is junk */
		diag(c, ps->file, ps->line, false, "unexpected text after ACL condition \"%s\"", name);
	}
	if (ps->n_items >= EXIM_CONF_MAX_ITEMS) {
		limit_hit(c, ps->file, ps->line, "more than %u settings, ACL line ignored",
			  EXIM_CONF_MAX_ITEMS);
		free(name);
		return;
	}
	if (!store(ps, strlen(name) + strlen(val))) {
		free(name);
		return;
	}
	if (st->n_conds == 0)
		ps->cond_cap = 0;
	struct exim_acl_cond *arr = grow(c, st->conds, st->n_conds, sizeof(*arr), &ps->cond_cap);
	char *v = xstrdup(c, val);
	if (!arr || !v) {
		free(name);
		free(v);
		return;
	}
	st->conds = arr;
	arr[st->n_conds++] = (struct exim_acl_cond){ name, v, neg, ps->line };
	ps->n_items++;
}

static void
acl_line(struct parser *ps, const char *s)
{
	struct exim_conf *c = ps->c;
	/* "name:" starts an ACL */
	const char *p = s;
	while (is_name_char(*p))
		p++;
	if (p > s && *skip_ws(p) == ':' && isalpha((unsigned char)*s)) {
		if (ps->n_items >= EXIM_CONF_MAX_ITEMS || c->n_acls >= 1024) {
			limit_hit(c, ps->file, ps->line, "more than %u settings or 1024 ACLs, ACL ignored",
				  EXIM_CONF_MAX_ITEMS);
			ps->acl = NULL;
			return;
		}
		char *name = xstrndup(c, s, (size_t)(p - s));
		if (!name)
			return;
		if (exim_conf_acl(c, name))
			diag(c, ps->file, ps->line, false, "ACL \"%s\" defined twice; the first is used", name);
		struct exim_acl *arr = grow(c, c->acls, c->n_acls, sizeof(*arr), &ps->cap_acls);
		if (!arr) {
			free(name);
			return;
		}
		c->acls = arr;
		arr[c->n_acls] = (struct exim_acl){ .name = name, .file = ps->file, .line = ps->line };
		ps->acl = &arr[c->n_acls];
		c->n_acls++;
		ps->stmt_cap = 0;
		ps->n_items++;
		const char *after = skip_ws(skip_ws(p) + 1);
		if (*after)
			acl_line(ps, after);
		return;
	}
	for (size_t i = 0; i < sizeof(acl_verbs) / sizeof(acl_verbs[0]); i++) {
		const char *rest;
		if (!word_is(s, acl_verbs[i], &rest))
			continue;
		if (!ps->acl) {
			diag(c, ps->file, ps->line, true, "ACL verb \"%s\" outside an ACL", acl_verbs[i]);
			return;
		}
		struct exim_acl_stmt *arr = grow(c, ps->acl->stmts, ps->acl->n_stmts, sizeof(*arr),
						 &ps->stmt_cap);
		char *verb = xstrdup(c, acl_verbs[i]);
		if (!arr || !verb) {
			free(verb);
			return;
		}
		ps->acl->stmts = arr;
		arr[ps->acl->n_stmts++] = (struct exim_acl_stmt){ .verb = verb, .file = ps->file,
								   .line = ps->line };
		ps->n_items++;
		rest = skip_ws(rest);
		if (*rest)
			acl_add_cond(ps, rest);
		return;
	}
	if (!ps->acl) {
		diag(c, ps->file, ps->line, true, "ACL name expected (\"name:\")");
		return;
	}
	acl_add_cond(ps, s);
}

static void
logical_line(struct parser *ps, char *s)
{
	struct exim_conf *c = ps->c;
	if (strncasecmp(s, "begin", 5) == 0 && isspace((unsigned char)s[5])) {
		const char *sec = skip_ws(s + 5);
		if (strncasecmp(sec, "acl", 3) == 0)
			ps->sec = SEC_ACL;
		else
			ps->sec = SEC_OTHER;
		ps->acl = NULL;
		return;
	}
	if (isupper((unsigned char)*s)) {
		const char *p = s;
		while (is_name_char(*p))
			p++;
		if (*skip_ws(p) == '=') {
			macro_define(ps, s);
			return;
		}
	}
	switch (ps->sec) {
	case SEC_MAIN:
		main_line(ps, s);
		break;
	case SEC_ACL:
		acl_line(ps, s);
		break;
	case SEC_OTHER:
		break;
	}
	(void)c;
}

/* One file being read: a top-level source or an .include'd file. */
struct frame {
	const char *name;	/* for diagnostics */
	const char *path;	/* as Exim names it: relative .include, loops */
	const char *text;
	size_t len;
	size_t off;
	unsigned lineno;
	bool owned;		/* path is ours (an included file's), freed on pop */
};

/*
 * include_line - a physical line starting with ".include" or
 * ".include_if_exists" (readconf.c get_config_line()): push the named file
 * on the stack, skip it, or report why not.  line is the text after the
 * leading whitespace, NUL-terminated.
 */
static void
include_line(struct parser *ps, struct frame *stack, int *sp, char *line)
{
	struct exim_conf *c = ps->c;
	bool if_exists = !isspace((unsigned char)line[8]);
	char *p = line + (if_exists ? 18 : 8);
	char *t;
	char path[4096];
	const char *text, *name;
	size_t len;
	char err[256];
	int r;

	p = (char *)skip_ws(p);
	t = p + strlen(p);
	while (t > p && isspace((unsigned char)t[-1]))
		t--;
	if (*p == '"' && t > p + 1 && t[-1] == '"') {
		p++;
		t--;
	}
	*t = '\0';
	if (!c->files.read) {
		c->n_includes_unread++;
		diag(c, ps->file, ps->line, false,
		     ".include is not followed; settings in the included file are not seen");
		return;
	}
	if (*p != '/') {
		const char *dir = stack[*sp].path;
		const char *slash = strrchr(dir, '/');

		if (if_exists) {
			diag(c, ps->file, ps->line, true, ".include specifies a non-absolute path \"%.100s\"", p);
			return;
		}
		if ((size_t)snprintf(path, sizeof(path), "%.*s/%s",
				     slash ? (int)(slash - dir) : 0, dir, p) >= sizeof(path)) {
			diag(c, ps->file, ps->line, false, ".include path too long; not followed");
			c->n_includes_unread++;
			return;
		}
	} else if ((size_t)snprintf(path, sizeof(path), "%s", p) >= sizeof(path)) {
		diag(c, ps->file, ps->line, false, ".include path too long; not followed");
		c->n_includes_unread++;
		return;
	}
	for (int i = 0; i <= *sp; i++) {
		if (strcmp(stack[i].path, path) == 0) {
			/* Exim reopens it until it runs out of file descriptors */
			diag(c, ps->file, ps->line, true,
			     "failed to open included configuration file %.200s: it includes itself "
			     "(Exim nests it until it runs out of file descriptors)", path);
			return;
		}
	}
	if (*sp + 1 >= EXIM_CONF_MAX_INCLUDE_DEPTH) {
		diag(c, ps->file, ps->line, false,
		     ".include nested deeper than %d files; %.200s not read",
		     EXIM_CONF_MAX_INCLUDE_DEPTH, path);
		c->n_includes_unread++;
		return;
	}
	if (c->n_includes >= EXIM_CONF_MAX_INCLUDES) {
		diag(c, ps->file, ps->line, false, "more than %d .include files; %.200s not read",
		     EXIM_CONF_MAX_INCLUDES, path);
		c->n_includes_unread++;
		return;
	}
	r = c->files.read(c->files.ctx, path, &text, &len, &name, err, sizeof(err));
	if (r == 1) {
		if (!if_exists)
			diag(c, ps->file, ps->line, true,
			     "failed to open included configuration file %.200s: no such file", path);
		return;
	}
	if (r != 0) {
		diag(c, ps->file, ps->line, false, "cannot read included file %.200s: %.200s; not followed",
		     path, err);
		c->n_includes_unread++;
		return;
	}
	char *kept = xstrdup(c, path);
	if (!kept)
		return;
	(*sp)++;
	stack[*sp] = (struct frame){ name, kept, text, len, 0, 0, true };
	c->n_includes++;
}

int
exim_conf_parse(const struct exim_source *src, size_t nsrc,
		const struct exim_macro *predef, size_t npredef,
		const struct exim_files *files, struct exim_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	if (files)
		conf->files = *files;
	struct parser ps = { .c = conf, .sp = -1 };
	size_t cap = EXIM_CONF_MAX_LINE + 1;
	char *buf = malloc(cap);
	struct frame *stack = calloc(EXIM_CONF_MAX_INCLUDE_DEPTH, sizeof(*stack));
	ps.tmp = malloc(cap);
	ps.reps = malloc(EXIM_MAX_REPLACEMENTS * sizeof(*ps.reps));
	budget_init(&ps.work, EXIM_CONF_MAX_MACRO_WORK);
	budget_init(&ps.stored, EXIM_CONF_MAX_STORED);
	if (!buf || !stack || !ps.tmp || !ps.reps) {
		free(buf);
		free(stack);
		free(ps.tmp);
		free(ps.reps);
		conf->oom = true;
		return -1;
	}
	for (size_t i = 0; i < npredef && !conf->oom; i++) {
		char tmp[EXIM_CONF_MAX_LINE];
		snprintf(tmp, sizeof(tmp), "%s=%s", predef[i].name, predef[i].value);
		ps.file = "(predefined)";
		macro_define(&ps, tmp);
	}

	size_t len = 0;		/* logical line so far */
	const char *lfile = NULL;
	unsigned lline = 0;
	int sp = -1;		/* top of the file stack */
	size_t si = 0;		/* next top-level source */

	while (!conf->oom && !conf->n_limits) {
		if (sp < 0) {
			if (si >= nsrc)
				break;
			const struct exim_source *sr = &src[si++];
			sp = 0;
			stack[0] = (struct frame){ sr->name, sr->path ? sr->path : sr->name, sr->text,
						   sr->len, 0, sr->first_line ? sr->first_line - 1 : 0,
						   false };
		}
		struct frame *fr = &stack[sp];
		if (fr->off >= fr->len) {
			/* end of a file: an included one returns to its includer */
			if (fr->owned)
				free((char *)fr->path);
			sp--;
			continue;
		}
		{
			const char *nl = memchr(fr->text + fr->off, '\n', fr->len - fr->off);
			size_t plen = nl ? (size_t)(nl - (fr->text + fr->off)) : fr->len - fr->off;
			const char *phys = fr->text + fr->off;
			fr->off += plen + (nl ? 1 : 0);
			fr->lineno++;
			unsigned lineno = fr->lineno;
			ps.file = fr->name;
			ps.line = lineno;

			if (len + plen + 1 > cap) {
				/* the whole logical line is dropped */
				limit_hit(conf, fr->name, lineno, "line longer than %u characters ignored",
					  EXIM_CONF_MAX_LINE);
				len = 0;
				continue;
			}
			/* copy the physical line after what we have; embedded NULs end it */
			memcpy(buf + len, phys, plen);
			buf[len + plen] = '\0';
			size_t newlen = len + strlen(buf + len);
			size_t ss = len;
			while (ss < newlen && isspace((unsigned char)buf[ss]))
				ss++;
			/*
			 * A comment: Exim replaces macros in it first, but a macro
			 * name starts with an uppercase letter, so the '#' stays
			 * first and the line stays a comment whatever the macros
			 * hold.  Skipping it is the same, and costs nothing.
			 */
			if (buf[ss] == '#') {
				buf[len] = '\0';
				continue;
			}
			size_t from = ss;
			if (len == 0 && isupper((unsigned char)buf[ss])) {
				size_t q = ss;
				while (is_name_char(buf[q]))
					q++;
				while (buf[q] && isspace((unsigned char)buf[q]))
					q++;
				if (buf[q] == '=')
					from = q;
			}
			bool found = substitute(&ps, buf, &newlen, cap, from);
			while (ss < newlen && isspace((unsigned char)buf[ss]))
				ss++;
			if (buf[ss] == '#') {
				buf[len] = '\0';
				continue;
			}
			if (buf[ss] == '.') {
				bool handled = false;
				for (size_t k = 0; k < sizeof(cond_dirs) / sizeof(cond_dirs[0]); k++) {
					const struct cond_dir *cd = &cond_dirs[k];
					size_t dl = strlen(cd->name);
					if (strncmp(buf + ss + 1, cd->name, dl) != 0)
						continue;
					char nx = buf[ss + 1 + dl];
					if (nx != ' ' && nx != 't' && nx != '\n' && nx != '\0')
						break;
					handled = true;
					if (cd->pushpop > 0) {
						if (ps.sp >= EXIM_CONF_MAX_NEST - 1) {
							diag(conf, fr->name, lineno, true, ".%s nested too deeply",
							     cd->name);
							break;
						}
						ps.stack[++ps.sp] = ps.cstate;
						ps.cstate = next_cstate[ps.cstate][found ? cd->action_found
										  : cd->action_notfound];
					} else if (ps.sp < 0) {
						diag(conf, fr->name, lineno, true, ".%s without matching .ifdef",
						     cd->name);
					} else if (cd->pushpop < 0) {
						ps.cstate = ps.stack[ps.sp--];
					} else {
						ps.cstate = next_cstate[ps.cstate][found ? cd->action_found
										  : cd->action_notfound];
					}
					break;
				}
				if (handled) {
					buf[len] = '\0';
					continue;
				}
			}
			if (ps.cstate != 0) {
				buf[len] = '\0';
				continue;
			}
			if (strncmp(buf + ss, ".include", 8) == 0 &&
			    (isspace((unsigned char)buf[ss + 8]) ||
			     (strncmp(buf + ss + 8, "_if_exists", 10) == 0 &&
			      isspace((unsigned char)buf[ss + 18])))) {
				include_line(&ps, stack, &sp, buf + ss);
				buf[len] = '\0';
				continue;
			}
			if (len == 0) {
				lfile = fr->name;
				lline = lineno;
				memmove(buf, buf + ss, newlen - ss + 1);
				newlen -= ss;
			} else if (ss > len) {
				memmove(buf + len, buf + ss, newlen - ss + 1);
				newlen -= ss - len;
			}
			len = newlen;
			while (len > 0 && isspace((unsigned char)buf[len - 1]))
				len--;
			buf[len] = '\0';
			if (len > 0) {
				if (buf[len - 1] == '\\') {
					buf[--len] = '\0';
					continue;
				}
				ps.file = lfile;
				ps.line = lline;
				logical_line(&ps, buf);
				len = 0;
			}
		}
	}
	if (len > 0 && !conf->oom && !conf->n_limits) {
		ps.file = lfile;
		ps.line = lline;
		logical_line(&ps, buf);
	}
	if (ps.sp >= 0 && nsrc > 0 && !conf->n_limits)
		diag(conf, src[nsrc - 1].name, 0, true,
		     "unexpected end of configuration file: .endif missing");
	for (; sp >= 0; sp--)	/* left early (out of memory) */
		if (stack[sp].owned)
			free((char *)stack[sp].path);
	free(buf);
	free(ps.tmp);
	free(ps.reps);
	free(ps.node);
	hash_index_free(&ps.edges);
	free(stack);
	return conf->oom ? -1 : 0;
}

void
exim_conf_free(struct exim_conf *c)
{
	for (size_t i = 0; i < c->n_options; i++) {
		free(c->options[i].name);
		free(c->options[i].value);
	}
	free(c->options);
	for (size_t i = 0; i < c->n_lists; i++) {
		free(c->lists[i].name);
		free(c->lists[i].value);
	}
	free(c->lists);
	for (size_t i = 0; i < c->n_acls; i++) {
		struct exim_acl *a = &c->acls[i];
		for (size_t j = 0; j < a->n_stmts; j++) {
			struct exim_acl_stmt *st = &a->stmts[j];
			for (size_t k = 0; k < st->n_conds; k++) {
				free(st->conds[k].name);
				free(st->conds[k].value);
			}
			free(st->conds);
			free(st->verb);
		}
		free(a->stmts);
		free(a->name);
	}
	free(c->acls);
	for (size_t i = 0; i < c->n_macros; i++) {
		free(c->macros[i].name);
		free(c->macros[i].value);
	}
	free(c->macros);
	memset(c, 0, sizeof(*c));
}

const struct exim_option *
exim_conf_option_entry(const struct exim_conf *c, const char *name)
{
	/* daemon_smtp_port is an alias of daemon_smtp_ports: the later wins */
	if (strcmp(name, "daemon_smtp_ports") == 0 || strcmp(name, "daemon_smtp_port") == 0) {
		const struct exim_option *best = NULL;
		for (size_t i = 0; i < c->n_options; i++)
			if (strcmp(c->options[i].name, "daemon_smtp_ports") == 0 ||
			    strcmp(c->options[i].name, "daemon_smtp_port") == 0)
				best = &c->options[i];
		return best;
	}
	for (size_t i = 0; i < c->n_options; i++)
		if (strcmp(c->options[i].name, name) == 0)
			return &c->options[i];
	return NULL;
}

const char *
exim_conf_option(const struct exim_conf *c, const char *name)
{
	const struct exim_option *o = exim_conf_option_entry(c, name);
	return o ? o->value : NULL;
}

const char *
exim_conf_default(const char *name)
{
	static const struct {
		const char *name, *value;
	} defs[] = {
		{ "local_interfaces", "<; ::0 ; 0.0.0.0" },
		{ "daemon_smtp_ports", "smtp" },
		{ "daemon_smtp_port", "smtp" },
		{ "disable_ipv6", "false" },
		/* Exim 4.96 src/globals.c and src/tls-gnu.c (docs/tls.md) */
		{ "tls_advertise_hosts", "*" },
		{ "tls_require_ciphers", "NORMAL" },
	};
	for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++)
		if (strcmp(defs[i].name, name) == 0)
			return defs[i].value;
	return NULL;
}

const char *
exim_conf_effective(const struct exim_conf *c, const char *name)
{
	const char *v = exim_conf_option(c, name);
	if (!v)
		v = exim_conf_default(name);
	return v ? v : "";
}

const struct exim_named_list *
exim_conf_list(const struct exim_conf *c, enum exim_list_type type, const char *name)
{
	for (size_t i = 0; i < c->n_lists; i++)
		if (c->lists[i].type == type && strcmp(c->lists[i].name, name) == 0)
			return &c->lists[i];
	return NULL;
}

const struct exim_acl *
exim_conf_acl(const struct exim_conf *c, const char *name)
{
	for (size_t i = 0; i < c->n_acls; i++)
		if (strcmp(c->acls[i].name, name) == 0)
			return &c->acls[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Listening                                                            */

int
exim_port_parse(const char *s, uint16_t *port)
{
	static const struct {
		const char *name;
		uint16_t port;
	} names[] = {
		{ "smtp", 25 }, { "smtps", 465 }, { "submissions", 465 }, { "ssmtp", 465 },
		{ "submission", 587 }, { "lmtp", 24 },
	};
	if (*s >= '0' && *s <= '9') {
		unsigned long v = 0;
		for (const char *p = s; *p; p++) {
			if (*p < '0' || *p > '9')
				return -1;
			v = v * 10 + (unsigned long)(*p - '0');
			if (v > 65535)
				return -1;
		}
		if (v == 0)
			return -1;
		*port = (uint16_t)v;
		return 0;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i].name, s) == 0) {
			*port = names[i].port;
			return 0;
		}
	return -1;
}

const char *
exim_listen_service(uint16_t port, bool tls_on_connect, char *buf, size_t len)
{
	if (tls_on_connect)
		return "smtps";
	if (port == 25)
		return "smtp";
	if (port == 587)
		return "submission";
	if (port == 465)
		return "smtps";
	snprintf(buf, len, "port-%u", (unsigned)port);
	return buf;
}

static void
listen_warn(struct exim_listen_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
listen_warn(struct exim_listen_result *r, const char *fmt, ...)
{
	r->warnings++;
	if (r->n_warn >= sizeof(r->warn) / sizeof(r->warn[0]))
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->warn[r->n_warn++], sizeof(r->warn[0]), fmt, ap);
	va_end(ap);
}

/*
 * split_addr_port - Exim's "addr.port" and "[addr]:port" forms.  Writes the
 * address to addr; *port = 0 when none.  Returns -1 on a malformed item.
 */
static int
split_addr_port(const char *item, char *addr, size_t alen, uint16_t *port)
{
	*port = 0;
	if (item[0] == '[') {
		const char *close = strchr(item, ']');
		if (!close)
			return -1;
		size_t n = (size_t)(close - item - 1);
		if (n >= alen)
			return -1;
		memcpy(addr, item + 1, n);
		addr[n] = '\0';
		const char *rest = close + 1;
		if (!*rest)
			return 0;
		if ((*rest == ':' || *rest == '.') && exim_port_parse(rest + 1, port) == 0 &&
		    text_all_digits(rest + 1))
			return 0;
		return -1;
	}
	if (strlen(item) >= alen)
		return -1;
	strcpy(addr, item);
	char *dot = strrchr(addr, '.');
	if (!dot || !text_all_digits(dot + 1))
		return 0;
	bool v6 = strchr(addr, ':') != NULL;
	struct inaddr tmp;
	if (v6) {
		/* "::1.25" has a port; "::ffff:192.0.2.1" does not */
		*dot = '\0';
		if (inaddr_parse(addr, &tmp) == 0 && tmp.family != 0 &&
		    exim_port_parse(dot + 1, port) == 0)
			return 0;
		*dot = '.';
		*port = 0;
		return 0;
	}
	size_t dots = 0;
	for (const char *p = addr; *p; p++)
		dots += *p == '.';
	if (dots == 4) {
		*dot = '\0';
		if (exim_port_parse(dot + 1, port) != 0)
			return -1;
	}
	return 0;
}

static void
add_endpoint(struct exim_listen_result *r, const char *addr, uint16_t port, const char *tlsports)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->ep[i].port == port && strcmp(r->ep[i].address, addr) == 0) {
			/* Exim binds the first and retries the second until it gives up */
			listen_warn(r, "socket %s port %u listed twice: the daemon's second bind() fails "
				    "(\"Address already in use\") and it does not start",
				    addr, (unsigned)port);
			return;
		}
	if (r->n >= EXIM_LISTEN_MAX) {
		r->truncated = true;
		return;
	}
	struct exim_listen *e = &r->ep[r->n++];
	memset(e, 0, sizeof(*e));
	snprintf(e->address, sizeof(e->address), "%s", addr);
	e->port = port;
	if (inaddr_parse(addr, &e->addr) == 0) {
		e->numeric = true;
		e->wildcard = inaddr_is_wildcard(&e->addr);
		e->loopback = inaddr_is_loopback(&e->addr);
	}
	struct exim_list_iter it;
	char item[64];
	exim_list_init(&it, tlsports);
	while (exim_list_next(&it, item, sizeof(item))) {
		uint16_t p;
		if (exim_port_parse(item, &p) == 0 && p == port)
			e->tls_on_connect = true;
	}
}

static bool
truthy(const char *v)
{
	return v && (strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0);
}

void
exim_listen_compute(const struct exim_conf *c, struct exim_listen_result *r)
{
	memset(r, 0, sizeof(*r));
	const char *ifaces = exim_conf_effective(c, "local_interfaces");
	const char *ports = exim_conf_effective(c, "daemon_smtp_ports");
	const char *tlsports = exim_conf_effective(c, "tls_on_connect_ports");
	bool no_v6 = truthy(exim_conf_option(c, "disable_ipv6"));

	if (strchr(ifaces, '$') || strchr(ports, '$')) {
		r->undetermined = true;
		listen_warn(r, "local_interfaces or daemon_smtp_ports needs expansion; not judged");
		return;
	}
	uint16_t portv[64];
	size_t np = 0;
	struct exim_list_iter it;
	char item[256];
	exim_list_init(&it, ports);
	while (exim_list_next(&it, item, sizeof(item))) {
		uint16_t p;
		if (!*item)
			continue;
		if (exim_port_parse(item, &p) != 0) {
			listen_warn(r, "daemon_smtp_ports: invalid port \"%s\"", item);
			continue;
		}
		if (np < sizeof(portv) / sizeof(portv[0]))
			portv[np++] = p;
	}
	exim_list_init(&it, ifaces);
	while (exim_list_next(&it, item, sizeof(item))) {
		char addr[INADDR_STRLEN + 8];
		uint16_t port;
		if (!*item)
			continue;
		if (split_addr_port(item, addr, sizeof(addr), &port) != 0) {
			listen_warn(r, "local_interfaces: malformed item \"%s\"", item);
			continue;
		}
		struct inaddr ia;
		if (inaddr_parse(addr, &ia) != 0) {
			listen_warn(r, "local_interfaces: \"%s\" is not an IP address", addr);
			continue;
		}
		if (no_v6 && ia.family != AF_INET)
			continue;
		if (port) {
			add_endpoint(r, addr, port, tlsports);
		} else {
			for (size_t i = 0; i < np; i++)
				add_endpoint(r, addr, portv[i], tlsports);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Relay decision                                                       */

/*
 * Truth of a condition for the attacker's RCPT (an unauthenticated client at
 * an arbitrary Internet address, recipient at an arbitrary external domain).
 */
enum tv {
	TV_F,		/* never holds */
	TV_T,		/* always holds */
	TV_C,		/* the client chooses (sender, local part, recipient count...) */
	TV_U,		/* cannot be judged from the configuration */
};

static enum tv
tv_not(enum tv v)
{
	return v == TV_T ? TV_F : v == TV_F ? TV_T : v;
}

/* A file a list or lookup names, read once per judgement. */
struct lkfile {
	char *path;
	int state;		/* 0 read, 1 absent, -1 unreadable */
	const char *text;
	size_t len;
	bool scanned;		/* the key summary below is filled */
	bool key_star;		/* a key "*" (the default of lookup types with '*') */
	bool key_all4;		/* an iplsearch key covering every IPv4 address */
	bool key_all6;		/* ... every IPv6 address */
	bool key_pattern;	/* a key that is a regex or needs expansion (wildlsearch) */
	bool key_tld;		/* a key "*.tld" / "*tld": any name under a top-level domain */
};

/* One judgement's state: the configuration, the files it read. */
struct eval {
	const struct exim_conf *c;
	struct lkfile files[EXIM_CONF_MAX_LOOKUP_FILES];
	size_t n_files;
	char why[200];		/* the first thing that could not be judged */
};

static void
eval_why(struct eval *ev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
eval_why(struct eval *ev, const char *fmt, ...)
{
	va_list ap;

	if (ev->why[0])
		return;
	va_start(ap, fmt);
	vsnprintf(ev->why, sizeof(ev->why), fmt, ap);
	va_end(ap);
}

static void
eval_free(struct eval *ev)
{
	for (size_t i = 0; i < ev->n_files; i++)
		free(ev->files[i].path);
	ev->n_files = 0;
}

/* The file at path (an absolute path as Exim names it), read at most once. */
static struct lkfile *
eval_file(struct eval *ev, const char *path)
{
	struct lkfile *f;
	const char *name;
	char err[200];

	for (size_t i = 0; i < ev->n_files; i++)
		if (strcmp(ev->files[i].path, path) == 0)
			return &ev->files[i];
	if (!ev->c->files.read) {
		eval_why(ev, "%.150s is not read here", path);
		return NULL;
	}
	if (ev->n_files >= EXIM_CONF_MAX_LOOKUP_FILES) {
		eval_why(ev, "more than %d lookup files", EXIM_CONF_MAX_LOOKUP_FILES);
		return NULL;
	}
	f = &ev->files[ev->n_files];
	memset(f, 0, sizeof(*f));
	f->path = strdup(path);
	if (!f->path)
		return NULL;
	ev->n_files++;
	f->state = ev->c->files.read(ev->c->files.ctx, path, &f->text, &f->len, &name, err,
				     sizeof(err));
	if (f->state != 0) {
		f->text = NULL;
		f->len = 0;
	}
	return f;
}

/* usable: read, else the reason recorded */
static struct lkfile *
eval_file_read(struct eval *ev, const char *path)
{
	struct lkfile *f = eval_file(ev, path);

	if (!f)
		return NULL;
	if (f->state == 1) {
		/* Exim's process dies at the lookup (search_open: LOG_PANIC_DIE) */
		eval_why(ev, "%.150s does not exist", path);
		return NULL;
	}
	if (f->state != 0) {
		eval_why(ev, "%.150s cannot be read", path);
		return NULL;
	}
	return f;
}

/* next physical line of text[*off..len) into line (cut at linelen-1) */
static bool
next_text_line(const char *text, size_t len, size_t *off, char *line, size_t linelen)
{
	if (*off >= len)
		return false;
	const char *s = text + *off;
	const char *nl = memchr(s, '\n', len - *off);
	size_t n = nl ? (size_t)(nl - s) : len - *off;
	*off += n + (nl ? 1 : 0);
	if (n >= linelen)
		n = linelen - 1;
	memcpy(line, s, n);
	line[n] = '\0';
	return true;
}

/*
 * The keys of an lsearch-format file (lookups/lsearch.c): a line that is
 * empty, starts with '#' or with white space (a continuation) has none;
 * a key in double quotes may hold anything (backslash escapes), else it
 * ends at ':' or white space.
 */
static void
lkfile_scan(struct lkfile *f)
{
	char line[1024], key[512];
	size_t off = 0;

	if (f->scanned)
		return;
	f->scanned = true;
	while (next_text_line(f->text, f->len, &off, line, sizeof(line))) {
		const char *s = line;
		size_t k = 0;

		if (!*s || *s == '#' || isspace((unsigned char)*s))
			continue;
		if (*s == '"') {
			for (s++; *s && *s != '"' && k + 1 < sizeof(key); s++) {
				if (*s == '\\' && s[1])
					s++;
				key[k++] = *s;
			}
		} else {
			while (*s && *s != ':' && !isspace((unsigned char)*s) && k + 1 < sizeof(key))
				key[k++] = *s++;
		}
		key[k] = '\0';
		if (strcmp(key, "*") == 0)
			f->key_star = true;
		if (key[0] == '^' || strchr(key, '$') || strstr(key, "\\N"))
			f->key_pattern = true;
		if (key[0] == '*' && key[1]) {
			const char *dot = strchr(key + 2, '.');
			if (!dot)
				f->key_tld = true;
		}
		struct inaddr net;
		unsigned plen;
		if (strchr(key, '/') && inaddr_parse_cidr(key, &net, &plen) == 0 && plen == 0) {
			if (net.family == AF_INET)
				f->key_all4 = true;
			else
				f->key_all6 = true;
		}
	}
}

/* A lookup item "[net[N]-][partial[N]-]type[*|*@][,opts];data". */
struct lookup {
	bool net;		/* net[N]-: the key is the client's IP address */
	int mask;		/* N of net[N]-, -1 when none */
	bool partial;		/* partial[N]-: wildcard keys for names */
	int partial_n;		/* N of partial[N]-, 2 by default */
	bool star;		/* type* or type*@: a default key "*" */
	char type[24];
	const char *data;	/* after the ';' */
};

static bool
lookup_parse(const char *item, struct lookup *lk)
{
	const char *semi = strchr(item, ';');
	const char *p = item;
	size_t n = 0;

	memset(lk, 0, sizeof(*lk));
	lk->mask = -1;
	lk->partial_n = 2;
	if (!semi)
		return false;
	lk->data = skip_ws(semi + 1);
	if (strncmp(p, "net", 3) == 0 && (isdigit((unsigned char)p[3]) || p[3] == '-')) {
		const char *q = p + 3;
		int m = -1;
		while (isdigit((unsigned char)*q)) {
			m = (m < 0 ? 0 : m) * 10 + (*q - '0');
			if (m > 128)
				m = 128;
			q++;
		}
		if (*q == '-') {
			lk->net = true;
			lk->mask = m;
			p = q + 1;
		}
	}
	if (strncmp(p, "partial", 7) == 0) {
		const char *q = p + 7;
		int m = -1;
		while (isdigit((unsigned char)*q)) {
			m = (m < 0 ? 0 : m) * 10 + (*q - '0');
			if (m > 99)
				m = 99;
			q++;
		}
		if (*q == '-' || *q == '(') {
			lk->partial = true;
			lk->partial_n = m < 0 ? 2 : m;
			while (*q && *q != '-' && q < semi)
				q++;	/* "partial(affix)-" */
			p = *q == '-' ? q + 1 : q;
		}
	}
	while (p < semi && (isalnum((unsigned char)*p) || *p == '_') && n + 1 < sizeof(lk->type))
		lk->type[n++] = *p++;
	lk->type[n] = '\0';
	if (p < semi && *p == '*') {
		lk->star = true;
		p++;
		if (*p == '@')
			p++;
	}
	return n > 0 && (p == semi || *p == ',');
}

static bool
type_is(const struct lookup *lk, const char *const *names)
{
	for (; *names; names++)
		if (strcmp(lk->type, *names) == 0)
			return true;
	return false;
}

static const char *const text_keyed[] = { "lsearch", "wildlsearch", "nwildlsearch", "iplsearch", NULL };
static const char *const binary_keyed[] = { "dbm", "dbmnz", "dbmjz", "cdb", NULL };
static const char *const wild_keyed[] = { "wildlsearch", "nwildlsearch", NULL };

/* The file a single-key lookup reads (dbm: the .db file of Berkeley DB). */
static void
lookup_file(const struct lookup *lk, char *out, size_t outlen)
{
	size_t n = strcspn(lk->data, " \t");

	snprintf(out, outlen, "%.*s%s", (int)n, lk->data,
		 strncmp(lk->type, "dbm", 3) == 0 ? ".db" : "");
}

/*
 * What a host-list item can do for the abstract client (an arbitrary
 * address of family fam; a host name in a domain it controls, verified by
 * Exim's forward lookup, or none, as it likes): each bit one outcome of
 * verify.c check_host() that can happen.
 */
#define HO_OK 0x1u		/* matches */
#define HO_FAIL 0x2u		/* does not match: the list goes on */
#define HO_ERROR 0x4u		/* Exim's ERROR (needed information missing) */
#define HO_ENV 0x8u		/* which of the above is not known offline */

/* patterns matched against the client's host name: it may have none */
#define HO_NAME (HO_FAIL | HO_ERROR)

static unsigned
host_lookup(struct eval *ev, const char *item, int fam)
{
	struct lookup lk;
	struct lkfile *f;
	char path[4096];

	if (!lookup_parse(item, &lk)) {
		eval_why(ev, "host list item \"%.80s\"", item);
		return HO_ENV;
	}
	if (!type_is(&lk, text_keyed) && !type_is(&lk, binary_keyed)) {
		/* query-style and other types: the answer is in their data */
		eval_why(ev, "%s lookup in a host list", lk.type);
		return HO_ENV;
	}
	if (lk.data[0] != '/') {
		eval_why(ev, "%s lookup with a relative file name", lk.type);
		return HO_ENV;
	}
	lookup_file(&lk, path, sizeof(path));
	f = eval_file_read(ev, path);
	if (!f)
		return HO_ENV;
	if (lk.net) {
		/* the key is the client's address: the same for every client only with net0- */
		if (lk.mask == 0 || (lk.mask > 0 && strcmp(lk.type, "iplsearch") == 0)) {
			eval_why(ev, "net%d-%s;%.120s", lk.mask, lk.type, path);
			return HO_ENV;
		}
		if (type_is(&lk, binary_keyed)) {
			if (!lk.star)
				return HO_FAIL;	/* literal keys name somebody else */
			eval_why(ev, "%s* default key in %.120s (not read)", lk.type, path);
			return HO_ENV;
		}
		lkfile_scan(f);
		if (lk.star && f->key_star)
			return HO_OK;
		if (strcmp(lk.type, "iplsearch") == 0)
			return (fam == AF_INET ? f->key_all4 : f->key_all6) ? HO_OK : HO_FAIL;
		if (type_is(&lk, wild_keyed)) {
			if (f->key_star)
				return HO_OK;
			if (f->key_pattern) {
				eval_why(ev, "pattern keys in %.120s", path);
				return HO_ENV;
			}
		}
		return HO_FAIL;
	}
	/* keyed by the client's (verified) host name: it may have none */
	if (type_is(&lk, binary_keyed)) {
		if (!lk.star && !lk.partial)
			return HO_NAME;
		eval_why(ev, "%s%s lookup in %.120s (not read)", lk.partial ? "partial-" : "",
			 lk.type, path);
		return HO_NAME | HO_ENV;
	}
	lkfile_scan(f);
	if (lk.star && f->key_star)
		return HO_OK | HO_NAME;
	if (strcmp(lk.type, "iplsearch") == 0)
		return HO_NAME;	/* a name is no IP address */
	if (type_is(&lk, wild_keyed)) {
		if (f->key_star || f->key_tld)
			return HO_OK | HO_NAME;
		if (f->key_pattern) {
			eval_why(ev, "pattern keys in %.120s", path);
			return HO_NAME | HO_ENV;
		}
		return HO_NAME;
	}
	if (lk.partial && f->key_tld && lk.partial_n <= 1)
		return HO_OK | HO_NAME;
	return HO_NAME;
}

/* one host-list item (not "+name", not a file), for an arbitrary client of family fam */
static unsigned
host_item(struct eval *ev, const char *item, int fam)
{
	const char *t;

	if (strcmp(item, "*") == 0)
		return HO_OK;
	if (!*item)
		return HO_FAIL;	/* matches only when there is no remote host */
	if (item[0] == '$' || strstr(item, "${")) {
		eval_why(ev, "host list item \"%.80s\" needs expansion", item);
		return HO_ENV;
	}
	if (strcmp(item, "@") == 0 || strcmp(item, "@[]") == 0)
		return HO_FAIL;	/* this host's own addresses */
	if (strchr(item, ';'))
		return host_lookup(ev, item, fam);
	struct inaddr net;
	unsigned plen;
	if (inaddr_parse_cidr(item, &net, &plen) == 0)
		return net.family == fam && plen == 0 ? HO_OK : HO_FAIL;
	/* digits and dots only, or before a '/': "malformed IPv4 address" for everyone */
	for (t = item; isdigit((unsigned char)*t) || *t == '.'; t++)
		;
	if (!*t || (*t == '/' && t != item))
		return HO_ERROR;
	if (item[0] == '^') {
		eval_why(ev, "regular expression \"%.80s\" on the client's host name", item);
		return HO_NAME | HO_ENV;
	}
	if (item[0] == '*') {
		/* the end of the client's host name: "*.com" is anybody's */
		const char *dot = strchr(item + 2, '.');
		return item[1] && !dot ? HO_OK | HO_NAME : HO_NAME;
	}
	for (t = item; isalnum((unsigned char)*t) || *t == '.' || *t == '-' || *t == '_'; t++)
		;
	if (!*t)
		return HO_FAIL;	/* a name: its addresses are somebody else's */
	return HO_NAME;	/* compared with the client's host name */
}

/* one domain-list item (not "+name", not a file) for an arbitrary external domain */
static enum tv
domain_item(struct eval *ev, const char *item)
{
	if (strcmp(item, "*") == 0)
		return TV_T;
	if (strncmp(item, "@mx_", 4) == 0)
		return TV_C;	/* a domain whose MX the client points at this host */
	if (item[0] == '$' || strstr(item, "${")) {
		eval_why(ev, "domain list item \"%.80s\" needs expansion", item);
		return TV_U;
	}
	if (item[0] == '^') {
		eval_why(ev, "regular expression \"%.80s\" on the domain", item);
		return TV_U;
	}
	if (strchr(item, ';')) {
		struct lookup lk;
		struct lkfile *f;
		char path[4096];

		/* a lookup holds a fixed set of domains; a default or wildcard key may not */
		if (!lookup_parse(item, &lk) || (!lk.star && !lk.partial))
			return TV_F;
		if (!type_is(&lk, text_keyed) || lk.data[0] != '/') {
			eval_why(ev, "%s%s%s lookup in a domain list", lk.partial ? "partial-" : "",
				 lk.type, lk.star ? "*" : "");
			return TV_U;
		}
		lookup_file(&lk, path, sizeof(path));
		f = eval_file_read(ev, path);
		if (!f)
			return TV_U;
		lkfile_scan(f);
		if (lk.star && f->key_star)
			return TV_T;
		if (lk.partial && (f->key_tld || f->key_star) && lk.partial_n <= 1)
			return TV_T;
		if (type_is(&lk, wild_keyed) && f->key_pattern) {
			eval_why(ev, "pattern keys in %.120s", path);
			return TV_U;
		}
		return TV_F;
	}
	return TV_F;	/* "@", "@[]", "localhost", names, "*.suffix" */
}

/*
 * A list as match.c match_check_list() runs it, for the abstract client:
 * each item in order; a match returns the item's sense ("!" negates), an
 * item that does not match goes on, and the end of the list matches when
 * the last item was negative.  In host lists Exim's ERROR (a host name or
 * address that cannot be found) fails the whole list, unless
 * "+include_unknown" (it matches) or "+ignore_unknown" (the item is
 * skipped) came before.  A file item ("/path") is a list of its own lines
 * read in place ("!/path" inverts their sense).  What the client can reach
 * is collected: only matches (T), only non-matches (F), both by its own
 * choice (C), both depending on what is not known offline (U).
 */
struct walk {
	struct eval *ev;
	enum exim_list_type type;
	int fam;
	int depth;
	bool include_unknown, ignore_unknown;
	bool go_on;		/* some path reaches the next item */
	bool last_neg;
	bool can_match, can_nomatch, env;
};

static enum tv eval_list(struct eval *ev, enum exim_list_type type, const char *list, int depth,
			 int fam);

static void
walk_item(struct walk *w, const char *p, bool neg)
{
	unsigned o;

	if (w->type == EXIM_LIST_HOST) {
		o = host_item(w->ev, p, w->fam);
	} else {
		enum tv v = domain_item(w->ev, p);
		o = v == TV_T ? HO_OK : v == TV_F ? HO_FAIL : v == TV_C ? HO_OK | HO_FAIL
		  : HO_OK | HO_FAIL | HO_ENV;
	}
	if (o & HO_ENV) {
		w->env = true;
		o |= HO_OK | HO_FAIL;
	}
	bool next = false;
	if (o & HO_OK) {
		if (neg)
			w->can_nomatch = true;
		else
			w->can_match = true;
	}
	if (o & HO_FAIL)
		next = true;
	if (o & HO_ERROR) {
		if (w->ignore_unknown)
			next = true;
		else if (w->include_unknown)
			w->can_match = true;	/* "accepted by +include_unknown", whatever the sense */
		else
			w->can_nomatch = true;	/* "list matching forced to fail" */
	}
	w->go_on = next;
	w->last_neg = neg;
}

static void
walk_file(struct walk *w, const char *path, bool neg)
{
	struct lkfile *f = eval_file_read(w->ev, path);
	char line[1024];
	size_t off = 0;
	bool any = false;

	if (!f) {
		/* Exim's process dies at an unreadable list file (LOG_PANIC_DIE) */
		w->env = true;
		w->can_match = w->can_nomatch = true;
		w->go_on = false;
		return;
	}
	while (w->go_on && next_text_line(f->text, f->len, &off, line, sizeof(line))) {
		char *s = line, *e;
		bool lneg = neg;

		if ((e = strchr(s, '#')) != NULL)
			*e = '\0';	/* host and domain lists: '#' anywhere starts a comment */
		e = s + strlen(s);
		while (e > s && isspace((unsigned char)e[-1]))
			*--e = '\0';
		s = (char *)skip_ws(s);
		if (!*s)
			continue;
		if (*s == '!') {
			lneg = !lneg;
			s = (char *)skip_ws(s + 1);
		}
		any = true;
		walk_item(w, s, lneg);
	}
	if (!any)
		w->last_neg = neg;	/* an empty file keeps the file item's sense */
}

static enum tv
eval_list(struct eval *ev, enum exim_list_type type, const char *list, int depth, int fam)
{
	struct walk w = { .ev = ev, .type = type, .fam = fam, .depth = depth, .go_on = true };

	if (depth > 16) {
		eval_why(ev, "named lists nested deeper than 16");
		return TV_U;
	}
	if (depth > 0) {
		/* list is the name of a named list */
		const struct exim_named_list *nl = exim_conf_list(ev->c, type, list);
		if (!nl) {
			eval_why(ev, "no list named \"%.80s\"", list);
			return TV_U;	/* Exim defers: unknown named list */
		}
		list = nl->value;
	}
	struct exim_list_iter it;
	char item[1024];
	exim_list_init(&it, list);
	while (w.go_on && exim_list_next(&it, item, sizeof(item))) {
		const char *p = item;
		bool neg = false;

		if (type == EXIM_LIST_HOST && *p == '+') {
			static const char *const specials[] = {
				"+include_unknown", "+ignore_unknown", "+include_defer", "+ignore_defer",
			};
			size_t k;
			for (k = 0; k < sizeof(specials) / sizeof(specials[0]); k++)
				if (strcmp(p, specials[k]) == 0)
					break;
			if (k == 0 || k == 1) {
				w.include_unknown = k == 0;
				w.ignore_unknown = k == 1;
				continue;
			}
			if (k < 4)
				continue;	/* temporary DNS errors: not the client's */
		}
		if (*p == '!') {
			neg = true;
			p = skip_ws(p + 1);
		}
		if (*p == '/') {
			walk_file(&w, p, neg);
			continue;
		}
		if (*p == '+') {
			enum tv v = eval_list(ev, type, p + 1, depth + 1, fam);
			/* a named list is one item: its own matching decides, then the sense */
			if (v == TV_U)
				w.env = true;
			if (v != TV_F && neg)
				w.can_nomatch = true;
			else if (v != TV_F)
				w.can_match = true;
			w.go_on = v != TV_T;
			w.last_neg = neg;
			continue;
		}
		walk_item(&w, p, neg);
	}
	if (w.go_on) {
		/* no item matched: a list ending in a negative item matches (as Exim) */
		if (w.last_neg)
			w.can_match = true;
		else
			w.can_nomatch = true;
	}
	if (w.can_match && !w.can_nomatch)
		return TV_T;
	if (!w.can_match)
		return TV_F;
	return w.env ? TV_U : TV_C;
}

/*
 * "condition" values: a small part of Exim's string expansion (expand.c),
 * enough for what an unauthenticated client cannot set.  A value is known
 * (its text), the client's choice, or unknown.  Variables:
 *   - $authenticated_id, $authenticated_sender, $sender_host_authenticated
 *     are empty for a client that has not authenticated;
 *   - the envelope, HELO name and counts ($sender_address, $local_part,
 *     $domain, $rcpt_count, ...) are the client's choice;
 *   - everything else ($sender_host_address, lookups, other operators) is
 *     unknown.
 * Items: ${if COND {A}{B}} (also without B or both), ${NAME}, $NAME, \x,
 * ${op:STRING} (the client's when it chose STRING, else unknown);
 * conditions: def:NAME, eq/eqi/==/=/</<=/>/>= {X}{Y}, and{{C}...},
 * or{{C}...}, bool{X}, bool_lax{X}, "!".  The truth of the value follows
 * acl.c ACLC_CONDITION: empty or "0" (digits) false, other digits true,
 * "yes"/"true" true, "no"/"false" false (case-blind); anything else is a
 * configuration error at run time (unknown here).
 */
enum xk { XK_KNOWN, XK_CLIENT, XK_UNKNOWN };

#define XVAL_MAX 256

struct xval {
	enum xk k;
	size_t n;
	char s[XVAL_MAX];
};

struct xexp {
	const char *p;		/* cursor */
	int depth;
	bool bad;		/* syntax we do not follow: unknown */
};

static void
xval_add(struct xval *v, const char *s, size_t n)
{
	if (v->k != XK_KNOWN)
		return;
	if (v->n + n >= XVAL_MAX) {
		v->k = XK_UNKNOWN;	/* longer than we keep */
		return;
	}
	memcpy(v->s + v->n, s, n);
	v->n += n;
	v->s[v->n] = '\0';
}

static void
xval_join(struct xval *v, const struct xval *w)
{
	if (w->k == XK_UNKNOWN || v->k == XK_UNKNOWN)
		v->k = XK_UNKNOWN;
	else if (w->k == XK_CLIENT)
		v->k = XK_CLIENT;
	else
		xval_add(v, w->s, w->n);
}

static enum xk
xvar(const char *name, size_t n)
{
	static const char *const empty[] = {
		"authenticated_id", "authenticated_sender", "sender_host_authenticated",
	};
	static const char *const client[] = {
		"sender_address", "sender_address_domain", "sender_address_local_part",
		"local_part", "local_part_prefix", "local_part_suffix", "domain",
		"sender_helo_name", "rcpt_count", "recipients_count", "received_count",
		"smtp_command", "smtp_command_argument", "message_size", "authenticated_fail_id",
	};
	for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++)
		if (strlen(empty[i]) == n && strncmp(empty[i], name, n) == 0)
			return XK_KNOWN;
	for (size_t i = 0; i < sizeof(client) / sizeof(client[0]); i++)
		if (strlen(client[i]) == n && strncmp(client[i], name, n) == 0)
			return XK_CLIENT;
	return XK_UNKNOWN;
}

static void xexpand(struct xexp *x, struct xval *v, char stop);
static enum tv xcond(struct xexp *x);

/* "{...}" argument, expanded */
static bool
xarg(struct xexp *x, struct xval *v)
{
	x->p = skip_ws(x->p);
	if (*x->p != '{') {
		x->bad = true;
		return false;
	}
	x->p++;
	xexpand(x, v, '}');
	if (*x->p != '}') {
		x->bad = true;
		return false;
	}
	x->p++;
	return true;
}

static bool
xname(struct xexp *x, const char **name, size_t *n)
{
	*name = x->p;
	while (is_name_char(*x->p))
		x->p++;
	*n = (size_t)(x->p - *name);
	return *n > 0;
}

/* the truth Exim gives a value (acl.c ACLC_CONDITION, expand.c bool) */
static enum tv
xtruth(const struct xval *v, bool lax)
{
	if (v->k == XK_CLIENT)
		return TV_C;
	if (v->k == XK_UNKNOWN)
		return TV_U;
	const char *s = v->s;
	while (lax && isspace((unsigned char)*s))
		s++;
	const char *d = *s == '-' ? s + 1 : s;
	if (strspn(d, "0123456789") == strlen(d))
		return atol(s) == 0 ? TV_F : TV_T;
	if (strcasecmp(s, "no") == 0 || strcasecmp(s, "false") == 0)
		return TV_F;
	if (strcasecmp(s, "yes") == 0 || strcasecmp(s, "true") == 0)
		return TV_T;
	return lax ? TV_T : TV_U;
}

static enum tv
tv_and(enum tv a, enum tv b)
{
	if (a == TV_F || b == TV_F)
		return TV_F;
	if (a == TV_U || b == TV_U)
		return TV_U;
	return a == TV_C || b == TV_C ? TV_C : TV_T;
}

static enum tv
tv_or(enum tv a, enum tv b)
{
	return tv_not(tv_and(tv_not(a), tv_not(b)));
}

static enum tv
xcompare(const char *op, const struct xval *a, const struct xval *b)
{
	if (a->k == XK_UNKNOWN || b->k == XK_UNKNOWN)
		return TV_U;
	if (a->k == XK_CLIENT || b->k == XK_CLIENT)
		return TV_C;
	if (strcmp(op, "eq") == 0)
		return strcmp(a->s, b->s) == 0 ? TV_T : TV_F;
	if (strcmp(op, "eqi") == 0)
		return strcasecmp(a->s, b->s) == 0 ? TV_T : TV_F;
	long x = atol(a->s), y = atol(b->s);
	if (strcmp(op, "==") == 0 || strcmp(op, "=") == 0)
		return x == y ? TV_T : TV_F;
	if (strcmp(op, "<") == 0)
		return x < y ? TV_T : TV_F;
	if (strcmp(op, "<=") == 0)
		return x <= y ? TV_T : TV_F;
	if (strcmp(op, ">") == 0)
		return x > y ? TV_T : TV_F;
	return x >= y ? TV_T : TV_F;
}

static enum tv
xcond(struct xexp *x)
{
	static const char *const cmp_ops[] = { "<=", ">=", "==", "<", ">", "=", "eqi", "eq", NULL };
	bool neg = false;
	enum tv v = TV_U;

	if (++x->depth > 16) {
		x->bad = true;
		return TV_U;
	}
	x->p = skip_ws(x->p);
	while (*x->p == '!') {
		neg = !neg;
		x->p = skip_ws(x->p + 1);
	}
	for (const char *const *op = cmp_ops; *op; op++) {
		size_t n = strlen(*op);
		if (strncmp(x->p, *op, n) != 0 || (isalpha((unsigned char)**op) && is_name_char(x->p[n])))
			continue;
		struct xval a = { 0 }, b = { 0 };
		x->p += n;
		if (xarg(x, &a) && xarg(x, &b))
			v = xcompare(*op, &a, &b);
		goto done;
	}
	const char *name;
	size_t n;
	if (!xname(x, &name, &n)) {
		x->bad = true;
		goto done;
	}
	if (n == 3 && strncmp(name, "def", 3) == 0 && *x->p == ':') {
		const char *vn;
		size_t vl;
		x->p++;
		if (*x->p == '$')
			x->p++;
		if (!xname(x, &vn, &vl)) {
			x->bad = true;
			goto done;
		}
		enum xk k = xvar(vn, vl);
		v = k == XK_KNOWN ? TV_F : k == XK_CLIENT ? TV_C : TV_U;	/* known ones are empty */
	} else if ((n == 3 && strncmp(name, "and", 3) == 0) || (n == 2 && strncmp(name, "or", 2) == 0)) {
		bool is_and = n == 3;
		v = is_and ? TV_T : TV_F;
		x->p = skip_ws(x->p);
		if (*x->p != '{') {
			x->bad = true;
			goto done;
		}
		x->p++;
		for (;;) {
			x->p = skip_ws(x->p);
			if (*x->p == '}') {
				x->p++;
				break;
			}
			if (*x->p != '{') {
				x->bad = true;
				goto done;
			}
			x->p++;
			enum tv c = xcond(x);
			x->p = skip_ws(x->p);
			if (x->bad || *x->p != '}') {
				x->bad = true;
				goto done;
			}
			x->p++;
			v = is_and ? tv_and(v, c) : tv_or(v, c);
		}
	} else if ((n == 4 && strncmp(name, "bool", 4) == 0) ||
		   (n == 8 && strncmp(name, "bool_lax", 8) == 0)) {
		struct xval a = { 0 };
		if (xarg(x, &a))
			v = xtruth(&a, n == 8);
	} else {
		x->bad = true;	/* another condition: unknown */
	}
done:
	x->depth--;
	if (x->bad)
		return TV_U;
	return neg ? tv_not(v) : v;
}

/* ${if COND {A}{B}} after "${if" */
static void
xif(struct xexp *x, struct xval *v)
{
	enum tv c = xcond(x);
	struct xval a = { 0 }, b = { 0 };
	bool has_a, has_b = false;

	if (x->bad) {
		v->k = XK_UNKNOWN;
		return;
	}
	x->p = skip_ws(x->p);
	has_a = *x->p == '{';
	if (has_a) {
		xarg(x, &a);
		x->p = skip_ws(x->p);
		if (*x->p == '{') {
			has_b = true;
			xarg(x, &b);
		}
	} else {
		xval_add(&a, "true", 4);	/* ${if COND}: "true" or "" */
	}
	x->p = skip_ws(x->p);
	if (x->bad || *x->p != '}') {
		x->bad = true;
		v->k = XK_UNKNOWN;
		return;
	}
	x->p++;
	(void)has_b;
	if (c == TV_T) {
		xval_join(v, &a);
	} else if (c == TV_F) {
		xval_join(v, &b);
	} else if (a.k == XK_KNOWN && b.k == XK_KNOWN && a.n == b.n && memcmp(a.s, b.s, a.n) == 0) {
		xval_join(v, &a);
	} else {
		struct xval w = { c == TV_C ? XK_CLIENT : XK_UNKNOWN, 0, "" };
		/* both branches the same truth: the condition does not matter */
		if (a.k == XK_KNOWN && b.k == XK_KNOWN && xtruth(&a, false) == xtruth(&b, false) &&
		    xtruth(&a, false) != TV_U)
			w = a;
		xval_join(v, &w);
	}
}

/* expand up to stop (a '}' that closes an argument, or '\0') */
static void
xexpand(struct xexp *x, struct xval *v, char stop)
{
	while (*x->p && *x->p != stop && !x->bad) {
		if (*x->p == '\\' && x->p[1]) {
			xval_add(v, x->p + 1, 1);
			x->p += 2;
			continue;
		}
		if (*x->p != '$') {
			xval_add(v, x->p, 1);
			x->p++;
			continue;
		}
		x->p++;
		const char *name;
		size_t n;
		if (*x->p == '{') {
			x->p++;
			if (strncmp(x->p, "if", 2) == 0 && isspace((unsigned char)x->p[2])) {
				x->p += 2;
				xif(x, v);
				continue;
			}
			if (xname(x, &name, &n) && *x->p == ':') {
				/* ${op:string}: the client's if it chose the string */
				struct xval w = { 0 };
				x->p++;
				xexpand(x, &w, '}');
				if (*x->p != '}')
					x->bad = true;
				else
					x->p++;
				w.k = w.k == XK_CLIENT && !x->bad ? XK_CLIENT : XK_UNKNOWN;
				xval_join(v, &w);
				continue;
			}
			if (n == 0 || *x->p != '}') {
				x->bad = true;	/* another item or operator: unknown */
				v->k = XK_UNKNOWN;
				return;
			}
			x->p++;
		} else if (!xname(x, &name, &n)) {
			x->bad = true;
			v->k = XK_UNKNOWN;
			return;
		}
		struct xval w = { xvar(name, n), 0, "" };
		xval_join(v, &w);
	}
}

/* the truth of an ACL "condition" value for the abstract client */
static enum tv
condition_truth(const char *value)
{
	struct xexp x = { .p = value };
	struct xval v = { 0 };

	xexpand(&x, &v, '\0');
	if (x.bad)
		return TV_U;
	return xtruth(&v, false);
}

static enum tv
eval_cond(struct eval *ev, const struct exim_acl_cond *cd, bool *is_modifier,
	  const char **kind, int fam)
{
	const char *n = cd->name;
	enum tv v;
	*is_modifier = false;
	*kind = NULL;
	static const char *const modifiers[] = {
		"add_header", "continue", "control", "delay", "log_message", "log_reject_target",
		"logwrite", "message", "queue", "remove_header", "set", "udpsend",
	};
	for (size_t i = 0; i < sizeof(modifiers) / sizeof(modifiers[0]); i++)
		if (strcmp(n, modifiers[i]) == 0) {
			*is_modifier = true;
			return TV_T;
		}
	if (strcmp(n, "hosts") == 0) {
		v = eval_list(ev, EXIM_LIST_HOST, cd->value, 0, fam);
		if (v == TV_T)
			*kind = "hosts";	/* the list holds every client */
	} else if (strcmp(n, "domains") == 0) {
		v = eval_list(ev, EXIM_LIST_DOMAIN, cd->value, 0, 0);
		if (v == TV_T)
			*kind = "domains";	/* the list holds every domain */
	} else if (strcmp(n, "authenticated") == 0) {
		v = TV_F;	/* the client has not authenticated */
	} else if (strcmp(n, "local_parts") == 0 || strcmp(n, "senders") == 0 ||
		   strcmp(n, "sender_domains") == 0 || strcmp(n, "recipients") == 0 ||
		   strcmp(n, "verify") == 0 || strcmp(n, "dnslists") == 0 ||
		   strcmp(n, "ratelimit") == 0 || strcmp(n, "spf") == 0 ||
		   strcmp(n, "encrypted") == 0 || strcmp(n, "dkim_signers") == 0 ||
		   strcmp(n, "dkim_status") == 0 || strcmp(n, "seen") == 0) {
		v = TV_C;
	} else if (strcmp(n, "condition") == 0) {
		v = condition_truth(cd->value);
		if (v == TV_U)
			eval_why(ev, "condition \"%.100s\"", cd->value);
	} else {
		v = TV_U;	/* acl, custom conditions, content scanning, unknown names */
		eval_why(ev, "condition \"%.60s\"", n);
	}
	return cd->negated ? tv_not(v) : v;
}

static void
relay_set(struct exim_relay_result *r, enum relay_verdict v, const char *reason,
	  const char *file, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static void
relay_set(struct exim_relay_result *r, enum relay_verdict v, const char *reason,
	  const char *file, unsigned line, const char *fmt, ...)
{
	r->verdict = v;
	r->reason = reason;
	r->file = file;
	r->line = line;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
}

/* the conjunction of a statement's conditions, in the order given */
static enum tv
stmt_truth(struct eval *ev, const struct exim_acl_stmt *st, size_t from, size_t to,
	   const char **open_kind, int fam, bool for_deny)
{
	bool has_u = false, has_c = false;
	*open_kind = NULL;
	for (size_t i = from; i < to; i++) {
		bool mod;
		const char *kind;
		enum tv v = eval_cond(ev, &st->conds[i], &mod, &kind, fam);
		if (mod)
			continue;
		if (kind && !*open_kind)
			*open_kind = kind;
		if (v == TV_F)
			return TV_F;
		/* the client avoids a deny whose condition it chooses */
		if (v == TV_C && for_deny)
			return TV_F;
		if (v == TV_U)
			has_u = true;
		if (v == TV_C)
			has_c = true;
		if (kind && !*open_kind)
			*open_kind = kind;
	}
	return has_u ? TV_U : has_c ? TV_C : TV_T;
}

static void walk_acl(struct eval *ev, const struct exim_acl *acl, int fam,
		     struct exim_relay_result *r);

static void
relay_evaluate(struct eval *ev, struct exim_relay_result *r)
{
	const struct exim_conf *c = ev->c;

	memset(r, 0, sizeof(*r));
	if (c->n_fatal) {
		relay_set(r, RELAY_CONFIG_ERROR, "config_error", c->diags[0].file, c->diags[0].line,
			  "Exim refuses this configuration: %s",
			  c->n_diags ? c->diags[0].msg : "fatal error");
		for (size_t i = 0; i < c->n_diags; i++)
			if (c->diags[i].fatal) {
				relay_set(r, RELAY_CONFIG_ERROR, "config_error", c->diags[i].file,
					  c->diags[i].line, "Exim refuses this configuration: %s",
					  c->diags[i].msg);
				break;
			}
		return;
	}
	const struct exim_option *opt = exim_conf_option_entry(c, "acl_smtp_rcpt");
	const char *name = opt ? opt->value : NULL;
	if (!name || !*skip_ws(name)) {
		relay_set(r, RELAY_CLOSED, "acl_rcpt_unset", NULL, 0,
			  "acl_smtp_rcpt is unset: Exim refuses every RCPT");
		return;
	}
	name = skip_ws(name);
	if (strchr(name, '$') || name[0] == '/') {
		relay_set(r, RELAY_UNDETERMINED, "acl_rcpt_undetermined", opt->file, opt->line,
			  "acl_smtp_rcpt is expanded or read from a file: not judged");
		return;
	}
	const struct exim_acl *acl = exim_conf_acl(c, name);
	struct exim_acl inline_acl = { 0 };
	struct exim_acl_stmt inline_stmt = { 0 };
	if (!acl) {
		/* no such ACL: Exim takes the text itself as the ACL ("accept") */
		bool simple = true;
		for (const char *p = name; *p; p++)
			if (!is_name_char(*p))
				simple = false;
		const char *rest;
		bool verb = false;
		for (size_t i = 0; i < sizeof(acl_verbs) / sizeof(acl_verbs[0]); i++)
			if (word_is(name, acl_verbs[i], &rest) && !*skip_ws(rest))
				verb = true;
		if (simple && verb) {
			inline_stmt.verb = (char *)name;
			inline_stmt.file = opt->file;
			inline_stmt.line = opt->line;
			inline_acl.name = (char *)"(inline)";
			inline_acl.stmts = &inline_stmt;
			inline_acl.n_stmts = 1;
			acl = &inline_acl;
		} else if (simple) {
			relay_set(r, RELAY_CONFIG_ERROR, "acl_rcpt_undefined", opt->file, opt->line,
				  "acl_smtp_rcpt names ACL \"%s\", which is not defined: every RCPT gets a temporary error",
				  name);
			return;
		} else {
			relay_set(r, RELAY_UNDETERMINED, "acl_rcpt_undetermined", opt->file, opt->line,
				  "acl_smtp_rcpt is an inline ACL: not judged");
			return;
		}
	}

	/* judge for an IPv4 and an IPv6 client; the worse verdict stands */
	struct exim_relay_result r4, r6;
	walk_acl(ev, acl, AF_INET, &r4);
	walk_acl(ev, acl, AF_INET6, &r6);
	*r = r4;
	if (r6.verdict == RELAY_OPEN && r4.verdict != RELAY_OPEN)
		*r = r6;
	else if (r6.verdict == RELAY_UNDETERMINED && r4.verdict == RELAY_CLOSED)
		*r = r6;
}

void
exim_relay_evaluate(const struct exim_conf *c, struct exim_relay_result *r)
{
	struct eval *ev = calloc(1, sizeof(*ev));

	if (!ev) {
		memset(r, 0, sizeof(*r));
		relay_set(r, RELAY_UNDETERMINED, "acl_rcpt_undetermined", NULL, 0, "out of memory");
		return;
	}
	ev->c = c;
	relay_evaluate(ev, r);
	eval_free(ev);
	free(ev);
	/* settings in .include'd files were not seen: "closed" is not proven */
	if (r->verdict == RELAY_CLOSED && c->n_includes_unread)
		relay_set(r, RELAY_UNDETERMINED, "acl_rcpt_undetermined", r->file, r->line,
			  "the configuration .includes files that were not read; without them relaying is denied");
}

static void
walk_acl(struct eval *ev, const struct exim_acl *acl, int fam,
	 struct exim_relay_result *r)
{
	memset(r, 0, sizeof(*r));
	const struct exim_acl_stmt *maybe_accept = NULL;
	const struct exim_acl_stmt *maybe_deny = NULL;
	const char *opened = NULL;	/* a hosts/domains list holding everything */
	for (size_t i = 0; i < acl->n_stmts; i++) {
		const struct exim_acl_stmt *st = &acl->stmts[i];
		const char *verb = st->verb;
		size_t endpass = st->n_conds;
		for (size_t k = 0; k < st->n_conds; k++)
			if (strcmp(st->conds[k].name, "endpass") == 0) {
				endpass = k;
				break;
			}
		const char *kind;
		bool deny_verb = strcmp(verb, "deny") == 0 || strcmp(verb, "drop") == 0 ||
				 strcmp(verb, "defer") == 0 || strcmp(verb, "discard") == 0;
		enum tv v = stmt_truth(ev, st, 0, endpass, &kind, fam, deny_verb);
		if (kind && !opened && strcmp(verb, "warn") != 0)
			opened = kind;
		if (strcmp(verb, "accept") == 0) {
			if (v == TV_F)
				continue;
			if (v == TV_U) {
				if (!maybe_accept)
					maybe_accept = st;
				continue;
			}
			/* conditions after endpass: failing them denies */
			if (endpass < st->n_conds) {
				const char *k2;
				enum tv v2 = stmt_truth(ev, st, endpass + 1, st->n_conds, &k2, fam,
							false);
				if (v2 == TV_F) {
					v = TV_F;
				} else if (v2 == TV_U) {
					maybe_deny = maybe_deny ? maybe_deny : st;
				}
				if (v == TV_F)
					goto denied;
			}
			if (maybe_deny) {
				relay_set(r, RELAY_UNDETERMINED, "acl_rcpt_undetermined", maybe_deny->file,
					  maybe_deny->line,
					  "ACL \"%s\": %s at %s:%u accepts relaying unless the \"%s\" at %s:%u, which cannot be judged (%s), denies it",
					  acl->name, verb, st->file, st->line, maybe_deny->verb,
					  maybe_deny->file, maybe_deny->line, ev->why);
				return;
			}
			const char *why = kind ? kind : opened;
			const char *reason = why && strcmp(why, "hosts") == 0 ? "relay_hosts_open"
					   : why && strcmp(why, "domains") == 0 ? "relay_domains_open"
					   : "acl_accepts_any";
			relay_set(r, RELAY_OPEN, reason, st->file, st->line,
				  "ACL \"%s\": \"%s\" at %s:%u accepts RCPT to any domain from any host",
				  acl->name, verb, st->file, st->line);
			return;
		}
		/*
		 * require denies when its conditions fail; deny (and discard,
		 * which accepts but drops the message: it relays nothing) when
		 * they hold
		 */
		if (strcmp(verb, "require") == 0 || deny_verb) {
			if (v == (deny_verb ? TV_T : TV_F))
				goto denied;
			if (v == TV_U && !maybe_deny)
				maybe_deny = st;
			continue;
		}
		/* warn: no effect on the outcome */
		continue;
	denied:
		r->file = st->file;
		r->line = st->line;
		goto denied_at;
	}
	/* implicit deny at the end */
	r->file = acl->file;
	r->line = acl->line;
denied_at:
	if (maybe_accept) {
		relay_set(r, RELAY_UNDETERMINED, "acl_rcpt_undetermined", maybe_accept->file,
			  maybe_accept->line,
			  "ACL \"%s\": \"%s\" at %s:%u may accept relaying; its conditions cannot be judged (%s)",
			  acl->name, maybe_accept->verb, maybe_accept->file, maybe_accept->line,
			  ev->why);
		return;
	}
	{
		const char *f = r->file;
		unsigned l = r->line;
		relay_set(r, RELAY_CLOSED, "relay_denied", f, l,
			  "ACL \"%s\" denies RCPT to external domains from unauthenticated external hosts (%s:%u)",
			  acl->name, f ? f : "", l);
	}
}

/* ------------------------------------------------------------------ */
/* Debian update-exim4.conf                                             */

static char **
dc_field(struct exim_debian_conf *dc, const char *name)
{
	static const struct {
		const char *name;
		size_t off;
	} fields[] = {
		{ "dc_eximconfig_configtype", offsetof(struct exim_debian_conf, configtype) },
		{ "dc_local_interfaces", offsetof(struct exim_debian_conf, local_interfaces) },
		{ "dc_relay_nets", offsetof(struct exim_debian_conf, relay_nets) },
		{ "dc_relay_domains", offsetof(struct exim_debian_conf, relay_domains) },
		{ "dc_other_hostnames", offsetof(struct exim_debian_conf, other_hostnames) },
		{ "dc_readhost", offsetof(struct exim_debian_conf, readhost) },
		{ "dc_smarthost", offsetof(struct exim_debian_conf, smarthost) },
		{ "dc_localdelivery", offsetof(struct exim_debian_conf, localdelivery) },
		{ "dc_minimaldns", offsetof(struct exim_debian_conf, minimaldns) },
		{ "dc_hide_mailname", offsetof(struct exim_debian_conf, hide_mailname) },
		{ "dc_use_split_config", offsetof(struct exim_debian_conf, use_split_config) },
	};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strcmp(fields[i].name, name) == 0)
			return (char **)((char *)dc + fields[i].off);
	return NULL;
}

/* shell_word - the value of a simple shell assignment right-hand side */
static char *
shell_value(const char *s, size_t n)
{
	char *out = malloc(n + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	size_t i = 0;
	while (i < n) {
		char ch = s[i];
		if (ch == '\'') {
			i++;
			while (i < n && s[i] != '\'')
				out[o++] = s[i++];
			i++;
		} else if (ch == '"') {
			i++;
			while (i < n && s[i] != '"') {
				if (s[i] == '\\' && i + 1 < n &&
				    (s[i + 1] == '"' || s[i + 1] == '\\' || s[i + 1] == '$' || s[i + 1] == '`'))
					i++;
				out[o++] = s[i++];
			}
			i++;
		} else if (ch == '\\' && i + 1 < n) {
			out[o++] = s[i + 1];
			i += 2;
		} else if (isspace((unsigned char)ch) || ch == '#' || ch == ';') {
			break;
		} else {
			out[o++] = ch;
			i++;
		}
	}
	out[o] = '\0';
	return out;
}

int
exim_debian_parse(const char *text, size_t len, struct exim_debian_conf *dc)
{
	memset(dc, 0, sizeof(*dc));
	size_t off = 0;
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t ll = nl ? (size_t)(nl - (text + off)) : len - off;
		const char *line = text + off;
		off += ll + (nl ? 1 : 0);
		size_t i = 0;
		while (i < ll && isspace((unsigned char)line[i]))
			i++;
		if (i >= ll || line[i] == '#')
			continue;
		size_t n0 = i;
		while (i < ll && is_name_char(line[i]))
			i++;
		if (i == n0 || i >= ll || line[i] != '=')
			continue;
		char name[64];
		size_t nlen = i - n0 < sizeof(name) - 1 ? i - n0 : sizeof(name) - 1;
		memcpy(name, line + n0, nlen);
		name[nlen] = '\0';
		char *val = shell_value(line + i + 1, ll - i - 1);
		if (!val)
			return -1;
		char **f = dc_field(dc, name);
		if (f) {
			free(*f);
			*f = val;
			if (strcmp(name, "dc_eximconfig_configtype") == 0)
				dc->found_configtype = true;
		} else if (isupper((unsigned char)name[0]) && strcmp(name, "CFILEMODE") != 0 &&
			   n0 == 0 && dc->n_extra < sizeof(dc->extra) / sizeof(dc->extra[0])) {
			/* update-exim4.conf turns these lines into macros, raw right side */
			char *raw = malloc(ll - i);
			char *nm = strdup(name);
			if (!raw || !nm) {
				free(raw);
				free(nm);
				free(val);
				return -1;
			}
			memcpy(raw, line + i + 1, ll - i - 1);
			raw[ll - i - 1] = '\0';
			dc->extra[dc->n_extra].name = nm;
			dc->extra[dc->n_extra].value = raw;
			dc->n_extra++;
			free(val);
		} else {
			free(val);
		}
	}
	return 0;
}

void
exim_debian_free(struct exim_debian_conf *dc)
{
	char **fields[] = { &dc->configtype, &dc->local_interfaces, &dc->relay_nets,
			    &dc->relay_domains, &dc->other_hostnames, &dc->readhost,
			    &dc->smarthost, &dc->localdelivery, &dc->minimaldns,
			    &dc->hide_mailname, &dc->use_split_config };
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		free(*fields[i]);
	for (size_t i = 0; i < dc->n_extra; i++) {
		free(dc->extra[i].name);
		free(dc->extra[i].value);
	}
	memset(dc, 0, sizeof(*dc));
}

bool
exim_debian_split(const struct exim_debian_conf *dc)
{
	return dc->use_split_config && strcasecmp(dc->use_split_config, "true") == 0;
}

struct sbuf {
	char *p;
	size_t len, cap;
	bool failed;
};

static void
sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t nc = (b->len + n + 1) * 2;
		if (nc > (1u << 20)) {
			b->failed = true;
			return;
		}
		char *q = realloc(b->p, nc);
		if (!q) {
			b->failed = true;
			return;
		}
		b->p = q;
		b->cap = nc;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
sb_puts(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/*
 * sanitize - what "$(lowercase $x | check_ascii_pipe)" does: words split on
 * whitespace and joined by one space, lowercased, characters outside
 * [-0-9A-Za-z/.!*@_~:;< \[\]] replaced by '_'.  lower=false skips lowercasing.
 */
static void
sanitize(struct sbuf *b, const char *v, bool lower)
{
	bool first = true;
	const char *p = v ? v : "";
	for (;;) {
		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		if (!first)
			sb_add(b, " ", 1);
		first = false;
		while (*p && !isspace((unsigned char)*p)) {
			unsigned char ch = (unsigned char)*p++;
			if (lower && ch >= 'A' && ch <= 'Z')
				ch = (unsigned char)(ch - 'A' + 'a');
			if (!(isalnum(ch) && ch < 128) && !strchr("-/.!*@_~:;< []", ch))
				ch = '_';
			char c1 = (char)ch;
			sb_add(b, &c1, 1);
		}
	}
}

static char *
sanitized(const char *v, bool lower)
{
	struct sbuf b = { 0 };
	sb_add(&b, "", 0);
	sanitize(&b, v, lower);
	if (b.failed) {
		free(b.p);
		return NULL;
	}
	if (!b.p)
		return strdup("");
	return b.p;
}

static void
seed(struct sbuf *b, const char *name, const char *contents)
{
	sb_puts(b, ".ifndef ");
	sb_puts(b, name);
	sb_puts(b, "\n");
	sb_puts(b, name);
	sb_puts(b, "=");
	sanitize(b, contents, true);
	sb_puts(b, "\n.endif\n");
}

/* the "<; " prefix rule for semicolon fields; returns malloc'd */
static char *
semicolon_fix(const char *v)
{
	const char *s = v ? v : "";
	if (!strchr(s, ';'))
		return strdup(s);
	/* "echo $temp | grep -q ^<": leading whitespace does not count */
	const char *t = skip_ws(s);
	if (*t == '<')
		return strdup(s);
	size_t n = strlen(s);
	char *out = malloc(n + 4);
	if (!out)
		return NULL;
	memcpy(out, "<; ", 3);
	memcpy(out + 3, s, n + 1);
	return out;
}

char *
exim_debian_macros(const struct exim_debian_conf *dc, const char *mailname, const char *version)
{
	struct sbuf b = { 0 };
	sb_add(&b, "", 0);
	char *ctype = sanitized(dc->configtype, true);
	if (!ctype) {
		free(b.p);
		return NULL;
	}
	if (strcmp(ctype, "satellite") != 0 && strcmp(ctype, "smarthost") != 0 &&
	    strcmp(ctype, "local") != 0 && strcmp(ctype, "internet") != 0) {
		free(ctype);
		return b.p;	/* "none" and unknown types: no substitution */
	}
	char *li = semicolon_fix(dc->local_interfaces);
	char *rn0 = semicolon_fix(dc->relay_nets);
	char *rd = semicolon_fix(dc->relay_domains);
	char *rn = rn0 ? sanitized(rn0, true) : NULL;
	char *smart = sanitized(dc->smarthost, true);
	char *other = sanitized(dc->other_hostnames, true);
	char *readhost = sanitized(dc->readhost, true);
	char *hide = sanitized(dc->hide_mailname, true);
	struct sbuf tmp = { 0 };
	if (!li || !rn0 || !rd || !rn || !smart || !other || !readhost || !hide)
		b.failed = true;

	if (!b.failed) {
		/* relay nets: the loopback addresses are always appended */
		sb_add(&tmp, "", 0);
		sb_puts(&tmp, rn);
		if (strncmp(rn, "<;", 2) == 0)
			sb_puts(&tmp, " ; 127.0.0.1 ; ::1");
		else
			sb_puts(&tmp, " : 127.0.0.1 : ::::1");
		/* smarthost: semicolons become colons */
		for (char *p = smart; *p; p++)
			if (*p == ';')
				*p = ':';
		/* local domains: "@:localhost:" + other hostnames, trailing separators and
		 * the first space removed, ';' -> ':' */
		struct sbuf ld = { 0 };
		sb_add(&ld, "", 0);
		sb_puts(&ld, "@:localhost:");
		sb_puts(&ld, other);
		if (!ld.failed) {
			size_t n = ld.len;
			while (n > 0 && strchr(";: ", ld.p[n - 1]))
				n--;
			ld.p[n] = '\0';
			ld.len = n;
			/* the script's second sed expression matches the empty string at the start of the line: a no-op */
			for (char *p = ld.p; *p; p++)
				if (*p == ';')
					*p = ':';
		}

		sb_puts(&b, "##############################################\n");
		sb_puts(&b, "# the following macro definitions were created\n");
		sb_puts(&b, "# dynamically by update-exim4.conf\n");
		if (li && *li)
			seed(&b, "MAIN_LOCAL_INTERFACES", li);
		if (dc->minimaldns && strcmp(dc->minimaldns, "true") == 0)
			seed(&b, "DC_minimaldns", "1");
		if ((strcmp(ctype, "satellite") == 0 || strcmp(ctype, "smarthost") == 0) &&
		    strcmp(hide, "true") == 0 && *readhost)
			seed(&b, "HIDE_MAILNAME", "1");
		seed(&b, "MAIN_PACKAGE_VERSION", version ? version : "");
		seed(&b, "MAIN_LOCAL_DOMAINS", ld.failed ? "" : ld.p);
		seed(&b, "MAIN_RELAY_TO_DOMAINS", rd);
		seed(&b, "ETC_MAILNAME", mailname ? mailname : "");
		seed(&b, "LOCAL_DELIVERY", dc->localdelivery ? dc->localdelivery : "mail_spool");
		seed(&b, "MAIN_RELAY_NETS", tmp.p);
		seed(&b, "DCreadhost", readhost);
		seed(&b, "DCsmarthost", smart);
		seed(&b, "DC_eximconfig_configtype", ctype);
		char cname[96];
		snprintf(cname, sizeof(cname), "DCconfig_%s", ctype);
		seed(&b, cname, "1");
		for (size_t i = 0; i < dc->n_extra; i++)
			seed(&b, dc->extra[i].name, dc->extra[i].value);
		sb_puts(&b, "##############################################\n");
		if (ld.failed)
			b.failed = true;
		free(ld.p);
	}
	free(tmp.p);
	free(li);
	free(rn0);
	free(rd);
	free(rn);
	free(smart);
	free(other);
	free(readhost);
	free(hide);
	free(ctype);
	if (b.failed) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

size_t
exim_debian_assemble(const struct exim_source *in, size_t nin, const char *macros,
		     const char *macros_name, struct exim_source *out, size_t outmax)
{
	size_t n = 0;
	bool done = !macros || !*macros;
	for (size_t i = 0; i < nin && n < outmax; i++) {
		const struct exim_source *s = &in[i];
		if (done) {
			out[n++] = *s;
			continue;
		}
		/* find a line starting with UPEX4CmacrosUPEX4C */
		size_t off = 0;
		unsigned line = s->first_line ? s->first_line : 1;
		bool split = false;
		while (off < s->len) {
			const char *nl = memchr(s->text + off, '\n', s->len - off);
			size_t ll = nl ? (size_t)(nl - (s->text + off)) : s->len - off;
			if (ll >= 18 && strncmp(s->text + off, "UPEX4CmacrosUPEX4C", 18) == 0) {
				size_t cut = off + ll + (nl ? 1 : 0);
				if (n + 3 > outmax)
					break;
				out[n++] = (struct exim_source){ s->name, s->text, cut, s->first_line,
								 s->path };
				out[n++] = (struct exim_source){ macros_name, macros, strlen(macros), 1,
								 s->path };
				out[n++] = (struct exim_source){ s->name, s->text + cut, s->len - cut,
								 line + 1, s->path };
				split = true;
				break;
			}
			off += ll + (nl ? 1 : 0);
			line++;
		}
		if (split)
			done = true;
		else if (n < outmax)
			out[n++] = *s;
	}
	return n;
}

unsigned
exim_dhparam_bits(const char *value, const char **source)
{
	static const struct {
		const char *name;
		unsigned bits;
	} named[] = {
		{ "ffdhe2048", 2048 }, { "ffdhe3072", 3072 }, { "ffdhe4096", 4096 },
		{ "ffdhe6144", 6144 }, { "ffdhe8192", 8192 }, { "ike1", 768 }, { "ike2", 1024 },
		{ "ike5", 1536 }, { "ike14", 2048 }, { "ike15", 3072 }, { "ike16", 4096 },
		{ "ike17", 6144 }, { "ike18", 8192 }, { "ike22", 1024 }, { "ike23", 2048 },
		{ "ike24", 2048 },
	};

	if (value == NULL || *value == '\0') {
		*source = "builtin";		/* std_dh_prime_default(): ffdhe2048 */
		return 2048;
	}
	if (strchr(value, '$') != NULL) {
		*source = "unknown";		/* expanded at run time */
		return 0;
	}
	if (strcmp(value, "none") == 0) {
		*source = "none";
		return 0;
	}
	if (strcmp(value, "historic") == 0) {
		*source = "builtin";		/* generated, GNUTLS_SEC_PARAM_NORMAL */
		return 2048;
	}
	if (value[0] == '/') {
		*source = "file";
		return 0;			/* the caller reads the file */
	}
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (strcmp(value, named[i].name) == 0) {
			*source = "builtin";
			return named[i].bits;
		}
	*source = "unknown";			/* "No standard prime named": TLS fails */
	return 0;
}

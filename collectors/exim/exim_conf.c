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

#include "lib/text.h"

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */

static void diag(struct exim_conf *c, const char *file, unsigned line, bool fatal,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
diag(struct exim_conf *c, const char *file, unsigned line, bool fatal, const char *fmt, ...)
{
	if (fatal)
		c->n_fatal++;
	else
		c->n_warnings++;
	if (c->n_diags >= EXIM_CONF_MAX_DIAGS)
		return;
	struct exim_diag *d = &c->diags[c->n_diags++];
	d->file = file;
	d->line = line;
	d->fatal = fatal;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
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
};

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
	struct exim_macro *m = NULL;
	for (size_t i = 0; i < c->n_macros; i++) {
		struct exim_macro *x = &c->macros[i];
		if (strcmp(x->name, name) == 0) {
			if (!redef) {
				diag(c, ps->file, ps->line, true,
				     "macro \"%s\" is already defined (use \"==\" to redefine it)", name);
				return;
			}
			m = x;
			break;
		}
		if (strlen(x->name) < n && strstr(name, x->name)) {
			diag(c, ps->file, ps->line, true,
			     "\"%s\" cannot be defined as a macro because previously defined macro \"%s\" is a substring",
			     name, x->name);
			return;
		}
	}
	if (redef) {
		if (!m) {
			diag(c, ps->file, ps->line, true, "can't redefine an undefined macro \"%s\"", name);
			return;
		}
		char *v = xstrdup(c, s);
		if (!v)
			return;
		free(m->value);
		m->value = v;
		return;
	}
	if (c->n_macros >= EXIM_CONF_MAX_MACROS) {
		diag(c, ps->file, ps->line, false, "too many macros, \"%s\" ignored", name);
		return;
	}
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
	c->n_macros++;
}

/*
 * substitute - replace macros in buf[from..len), in place; returns whether
 * any replacement happened.  The buffer holds at most cap-1 characters;
 * beyond that the line is left unexpanded and flagged.
 */
static bool
substitute(struct parser *ps, char *buf, size_t *len, size_t cap, size_t from)
{
	struct exim_conf *c = ps->c;
	bool found = false;
	unsigned budget = 4096;	/* replacements per physical line */
	for (size_t i = 0; i < c->n_macros; i++) {
		const char *name = c->macros[i].name;
		const char *rep = c->macros[i].value;
		size_t nl = strlen(name), rl = strlen(rep);
		size_t t = from;
		char *p;
		while (t <= *len && (p = strstr(buf + t, name)) != NULL) {
			size_t off = (size_t)(p - buf);
			if (budget-- == 0) {
				diag(c, ps->file, ps->line, false,
				     "too many macro replacements on one line; not expanded further");
				return found;
			}
			if (*len - nl + rl + 1 > cap) {
				diag(c, ps->file, ps->line, false,
				     "line too long after macro expansion; not expanded further");
				return found;
			}
			if (rl != nl)
				memmove(p + rl, p + nl, *len - off - nl + 1);
			memcpy(p, rep, rl);
			*len = *len - nl + rl;
			t = off + rl;
			found = true;
		}
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
		diag(c, ps->file, ps->line, false, "too many settings, \"%s\" ignored", name);
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
		if (!value || !arr || ps->n_items >= EXIM_CONF_MAX_ITEMS) {
			if (ps->n_items >= EXIM_CONF_MAX_ITEMS)
				diag(c, ps->file, ps->line, false, "too many settings, list \"%s\" ignored", name);
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
		diag(c, ps->file, ps->line, false, "too many ACL lines, rest ignored");
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
			diag(c, ps->file, ps->line, false, "too many ACLs, rest ignored");
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

int
exim_conf_parse(const struct exim_source *src, size_t nsrc,
		const struct exim_macro *predef, size_t npredef, struct exim_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	struct parser ps = { .c = conf, .sp = -1 };
	size_t cap = EXIM_CONF_MAX_LINE + 1;
	char *buf = malloc(cap);
	if (!buf) {
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

	for (size_t si = 0; si < nsrc && !conf->oom; si++) {
		const struct exim_source *sr = &src[si];
		size_t off = 0;
		unsigned lineno = sr->first_line ? sr->first_line - 1 : 0;
		while (off < sr->len && !conf->oom) {
			const char *nl = memchr(sr->text + off, '\n', sr->len - off);
			size_t plen = nl ? (size_t)(nl - (sr->text + off)) : sr->len - off;
			const char *phys = sr->text + off;
			off += plen + (nl ? 1 : 0);
			lineno++;
			ps.file = sr->name;
			ps.line = lineno;

			if (len + plen + 1 > cap) {
				/* the whole logical line is dropped */
				diag(conf, sr->name, lineno, false,
				     "line longer than %u characters ignored", EXIM_CONF_MAX_LINE);
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
							diag(conf, sr->name, lineno, true, ".%s nested too deeply",
							     cd->name);
							break;
						}
						ps.stack[++ps.sp] = ps.cstate;
						ps.cstate = next_cstate[ps.cstate][found ? cd->action_found
										  : cd->action_notfound];
					} else if (ps.sp < 0) {
						diag(conf, sr->name, lineno, true, ".%s without matching .ifdef",
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
				conf->n_includes++;
				diag(conf, sr->name, lineno, false,
				     ".include is not followed; settings in the included file are not seen");
				buf[len] = '\0';
				continue;
			}
			if (len == 0) {
				lfile = sr->name;
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
	if (len > 0 && !conf->oom) {
		ps.file = lfile;
		ps.line = lline;
		logical_line(&ps, buf);
	}
	if (ps.sp >= 0 && nsrc > 0)
		diag(conf, src[nsrc - 1].name, 0, true,
		     "unexpected end of configuration file: .endif missing");
	free(buf);
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

static enum tv eval_list(const struct exim_conf *c, enum exim_list_type type,
			 const char *list, int depth, int fam);

/* a network that holds every address of the client's family */
static bool
cidr_all(const char *item, int fam)
{
	struct inaddr net;
	unsigned plen;
	if (!strchr(item, '/'))
		return false;
	if (inaddr_parse_cidr(item, &net, &plen) != 0 || plen != 0)
		return false;
	return net.family == fam;
}

/* one host-list item, for an arbitrary Internet client address */
static enum tv
host_item(const struct exim_conf *c, const char *item, int depth, int fam)
{
	if (strcmp(item, "*") == 0)
		return TV_T;
	if (item[0] == '+')
		return eval_list(c, EXIM_LIST_HOST, item + 1, depth + 1, fam);
	if (item[0] == '$' || strstr(item, "${"))
		return TV_U;
	if (item[0] == '/')
		return TV_U;	/* a file of items */
	if (item[0] == '^')
		return TV_U;	/* regex on the (client-controlled) host name */
	const char *semi = strchr(item, ';');
	if (semi) {
		/* "net-lsearch;file", "lsearch;file", "dnsdb..." */
		return TV_U;
	}
	if (cidr_all(item, fam))
		return TV_T;
	/* addresses, networks, names, "@", "@[]", "localhost": specific hosts */
	return TV_F;
}

static enum tv
domain_item(const struct exim_conf *c, const char *item, int depth)
{
	if (strcmp(item, "*") == 0)
		return TV_T;
	if (item[0] == '+')
		return eval_list(c, EXIM_LIST_DOMAIN, item + 1, depth + 1, 0);
	if (strncmp(item, "@mx_", 4) == 0)
		return TV_T;	/* any domain whose MX the client points at us */
	if (item[0] == '$' || strstr(item, "${"))
		return TV_U;
	if (item[0] == '^' || item[0] == '/')
		return TV_U;
	const char *semi = strchr(item, ';');
	if (semi) {
		/* plain lookups hold a fixed set; wildcard/partial ones may not */
		if (strstr(item, "partial") && (size_t)(strstr(item, "partial") - item) < (size_t)(semi - item))
			return TV_U;
		if (semi > item && (semi[-1] == '*' || semi[-1] == '@'))
			return TV_U;
		return TV_F;
	}
	return TV_F;	/* "@", "@[]", "localhost", names, "*.suffix" */
}

static enum tv
eval_list(const struct exim_conf *c, enum exim_list_type type, const char *list, int depth,
	  int fam)
{
	if (depth > 16)
		return TV_U;
	if (depth > 0) {
		/* list is the name of a named list */
		const struct exim_named_list *nl = exim_conf_list(c, type, list);
		if (!nl)
			return TV_U;	/* Exim defers: unknown named list */
		list = nl->value;
	}
	struct exim_list_iter it;
	char item[1024];
	exim_list_init(&it, list);
	bool last_neg = false;
	while (exim_list_next(&it, item, sizeof(item))) {
		const char *p = item;
		bool neg = false;
		while (*p == '!') {
			neg = !neg;
			p = skip_ws(p + 1);
		}
		enum tv v;
		if (!*p) {
			/* empty item: "hosts = :" matches only local (non-TCP) senders */
			v = TV_F;
		} else if (type == EXIM_LIST_HOST) {
			v = host_item(c, p, depth, fam);
		} else {
			v = domain_item(c, p, depth);
		}
		last_neg = neg;
		if (v == TV_F)
			continue;
		if (v == TV_T)
			return neg ? TV_F : TV_T;
		return TV_U;
	}
	/* no item matched: a list ending in a negative item matches (as Exim) */
	return last_neg ? TV_T : TV_F;
}

/* does a condition expression only use counts the client controls? */
static bool
condition_client_counts(const char *v)
{
	const char *p = v;
	bool any = false;
	while ((p = strchr(p, '$')) != NULL) {
		p++;
		if (*p == '{') {
			/* "${if", "${eval:" are operators, not variables */
			p++;
			continue;
		}
		const char *n0 = p;
		while (is_name_char(*p))
			p++;
		size_t n = (size_t)(p - n0);
		if ((n == 10 && strncmp(n0, "rcpt_count", n) == 0) ||
		    (n == 16 && strncmp(n0, "recipients_count", n) == 0)) {
			any = true;
			continue;
		}
		return false;
	}
	return any;
}

static enum tv
eval_cond(const struct exim_conf *c, const struct exim_acl_cond *cd, bool *is_modifier,
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
		v = eval_list(c, EXIM_LIST_HOST, cd->value, 0, fam);
		if (v == TV_T)
			*kind = "hosts";	/* the list holds every client */
	} else if (strcmp(n, "domains") == 0) {
		v = eval_list(c, EXIM_LIST_DOMAIN, cd->value, 0, 0);
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
		v = condition_client_counts(cd->value) ? TV_C : TV_U;
	} else {
		v = TV_U;	/* acl, custom conditions, content scanning, unknown names */
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
stmt_truth(const struct exim_conf *c, const struct exim_acl_stmt *st, size_t from, size_t to,
	   const char **open_kind, int fam, bool for_deny)
{
	bool has_u = false, has_c = false;
	*open_kind = NULL;
	for (size_t i = from; i < to; i++) {
		bool mod;
		const char *kind;
		enum tv v = eval_cond(c, &st->conds[i], &mod, &kind, fam);
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

static void walk_acl(const struct exim_conf *c, const struct exim_acl *acl, int fam,
		     struct exim_relay_result *r);

static void
relay_evaluate(const struct exim_conf *c, struct exim_relay_result *r)
{
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
	walk_acl(c, acl, AF_INET, &r4);
	walk_acl(c, acl, AF_INET6, &r6);
	*r = r4;
	if (r6.verdict == RELAY_OPEN && r4.verdict != RELAY_OPEN)
		*r = r6;
	else if (r6.verdict == RELAY_UNDETERMINED && r4.verdict == RELAY_CLOSED)
		*r = r6;
}

void
exim_relay_evaluate(const struct exim_conf *c, struct exim_relay_result *r)
{
	relay_evaluate(c, r);
	/* settings in .include'd files were not seen: "closed" is not proven */
	if (r->verdict == RELAY_CLOSED && c->n_includes)
		relay_set(r, RELAY_UNDETERMINED, "acl_rcpt_undetermined", r->file, r->line,
			  "the configuration .includes files that were not read; without them relaying is denied");
}

static void
walk_acl(const struct exim_conf *c, const struct exim_acl *acl, int fam,
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
		enum tv v = stmt_truth(c, st, 0, endpass, &kind, fam, deny_verb);
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
				enum tv v2 = stmt_truth(c, st, endpass + 1, st->n_conds, &k2, fam,
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
					  "ACL \"%s\": %s at %s:%u accepts relaying unless the \"%s\" at %s:%u, which cannot be judged, denies it",
					  acl->name, verb, st->file, st->line, maybe_deny->verb,
					  maybe_deny->file, maybe_deny->line);
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
			  "ACL \"%s\": \"%s\" at %s:%u may accept relaying; its conditions cannot be judged",
			  acl->name, maybe_accept->verb, maybe_accept->file, maybe_accept->line);
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
				out[n++] = (struct exim_source){ s->name, s->text, cut, s->first_line };
				out[n++] = (struct exim_source){ macros_name, macros, strlen(macros), 1 };
				if (cut < s->len || true)
					out[n++] = (struct exim_source){ s->name, s->text + cut,
									 s->len - cut, line + 1 };
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

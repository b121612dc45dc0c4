/*
 * postfix_table.c - Postfix lookup tables: types, the postmap source
 * format, inline:, and pcre:/regexp: tables (see postfix_table.h).
 *
 * Pure: no I/O.  PCRE2 compiles pcre: patterns with the options
 * util/dict_pcre.c gives them; regexp: patterns go to the C library's
 * regcomp(), which is what util/dict_regexp.c uses.  Diagnostics: the
 * warnings Postfix prints for a line, into a struct postfix_diags, with
 * the file and line.
 */
#include "collectors/postfix/postfix_table.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <pcre2.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- table types ---- */

static const char *const indexed_types[] = { "hash", "btree", "lmdb", "cdb", "dbm", "sdbm", NULL };
/* Tables whose data a server holds (a file names only its address or its query). */
static const char *const remote_types[] = {
	"ldap", "mysql", "pgsql", "sqlite", "memcache", "mongodb", "tcp", "socketmap", "nis",
	"nisplus", "netinfo", NULL,
};

static bool
in_set(const char *const *set, const char *s)
{
	for (size_t i = 0; set[i]; i++)
		if (strcmp(set[i], s) == 0)
			return true;
	return false;
}

int
postfix_table_ref(const char *spec, struct postfix_table_ref *out)
{
	const char *colon;
	size_t tl;

	memset(out, 0, sizeof(*out));
	while (strncasecmp(spec, "proxy:", 6) == 0) {
		spec += 6;
		out->proxied = true;
	}
	if ((colon = strchr(spec, ':')) == NULL)
		return -1;
	tl = (size_t)(colon - spec);
	if (tl >= sizeof(out->type))
		tl = sizeof(out->type) - 1;
	for (size_t i = 0; i < tl; i++)
		out->type[i] = (char)tolower((unsigned char)spec[i]);
	out->type[tl] = '\0';
	out->arg = colon + 1;
	if (strcmp(out->type, "cidr") == 0)
		out->kind = POSTFIX_TABLE_CIDR;
	else if (in_set(indexed_types, out->type))
		out->kind = POSTFIX_TABLE_INDEXED;
	else if (strcmp(out->type, "texthash") == 0)
		out->kind = POSTFIX_TABLE_TEXTHASH;
	else if (strcmp(out->type, "inline") == 0)
		out->kind = POSTFIX_TABLE_INLINE;
	else if (strcmp(out->type, "static") == 0)
		out->kind = POSTFIX_TABLE_STATIC;
	else if (strcmp(out->type, "pcre") == 0)
		out->kind = POSTFIX_TABLE_PCRE;
	else if (strcmp(out->type, "regexp") == 0)
		out->kind = POSTFIX_TABLE_REGEXP;
	else if (strcmp(out->type, "fail") == 0)
		out->kind = POSTFIX_TABLE_FAIL;
	else if (in_set(remote_types, out->type))
		out->kind = POSTFIX_TABLE_REMOTE;
	else
		out->kind = POSTFIX_TABLE_OTHER;
	return 0;
}

const char *const *
postfix_table_compiled_suffixes(const char *type)
{
	static const char *const db[] = { ".db", NULL }, *const lmdb[] = { ".lmdb", NULL },
				 *const cdb[] = { ".cdb", NULL }, *const dbm[] = { ".dir", ".pag", NULL },
				 *const none[] = { NULL };

	if (strcmp(type, "hash") == 0 || strcmp(type, "btree") == 0)
		return db;
	if (strcmp(type, "lmdb") == 0)
		return lmdb;
	if (strcmp(type, "cdb") == 0)
		return cdb;
	if (strcmp(type, "dbm") == 0 || strcmp(type, "sdbm") == 0)
		return dbm;
	return none;
}

/* ---- exact-key tables ---- */

static char *
lower_dup(const char *s, size_t n)
{
	char *r = malloc(n + 1);

	if (r == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		r[i] = (char)tolower((unsigned char)s[i]);
	r[n] = '\0';
	return r;
}

static struct postfix_map_entry *
map_find(const struct postfix_map *m, const char *key)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->v[i].key, key) == 0)
			return &m->v[i];
	return NULL;
}

/* Add key (lowered here) = value; replace: inline's "last wins". -1 on memory. */
static int
map_add(struct postfix_map *m, const char *key, size_t klen, const char *value, unsigned line,
	bool replace, bool *dup)
{
	struct postfix_map_entry *e;
	char *k = lower_dup(key, klen), *v;

	*dup = false;
	if (k == NULL)
		return -1;
	if ((e = map_find(m, k)) != NULL) {
		*dup = true;
		free(k);
		if (!replace)
			return 0;
		if ((v = strdup(value)) == NULL)
			return -1;
		free((char *)e->value);
		e->value = v;
		return 0;
	}
	if (m->n >= POSTFIX_TABLE_MAX_ENTRIES) {
		free(k);
		return 1;
	}
	if (m->n == m->cap) {
		size_t ncap = m->cap ? 2 * m->cap : 16;
		struct postfix_map_entry *t = realloc(m->v, ncap * sizeof(*t));

		if (t == NULL) {
			free(k);
			return -1;
		}
		m->v = t;
		m->cap = ncap;
	}
	if ((v = strdup(value)) == NULL) {
		free(k);
		return -1;
	}
	m->v[m->n++] = (struct postfix_map_entry){ k, v, line };
	return 0;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

int
postfix_map_parse(struct postfix_map *m, const char *text, size_t len, const char *file,
		  struct postfix_diags *d)
{
	struct postfix_lline r;
	const char *line;
	unsigned lineno;
	char *buf = NULL;
	size_t bufcap = 0;
	int rc = 0;
	bool capped = false;

	postfix_lline_init(&r, text, len);
	while (postfix_lline_next(&r, file, d, &line, &lineno) == 1) {
		size_t n = strlen(line);
		char *p, *key, *value, *end;
		bool in_quotes = false, dup;
		int added;

		if (n + 1 > bufcap) {
			char *t = realloc(buf, n + 1);

			if (t == NULL) {
				rc = -1;
				break;
			}
			buf = t;
			bufcap = n + 1;
		}
		memcpy(buf, line, n + 1);
		/* split at the first blank outside quotes (postmap.c, dict_thash.c) */
		for (p = buf; *p; p++) {
			if (*p == '\\') {
				if (*++p == '\0')
					break;
			} else if (is_space(*p)) {
				if (!in_quotes)
					break;
			} else if (*p == '"') {
				in_quotes = !in_quotes;
			}
		}
		if (in_quotes) {
			postfix_diags_add(d, POSTFIX_DIAG_SYNTAX, file, lineno,
					  "unbalanced '\"' in table entry: ignoring this line");
			continue;
		}
		key = buf;
		value = p;
		if (*value)
			*value++ = '\0';
		while (is_space(*value))
			value++;
		end = value + strlen(value);
		while (end > value && is_space(end[-1]))
			*--end = '\0';
		if (*key == '\0' || *value == '\0') {
			postfix_diags_add(d, POSTFIX_DIAG_SYNTAX, file, lineno,
					  "expected format: key whitespace value: ignoring this line");
			continue;
		}
		added = map_add(m, key, strlen(key), value, lineno, false, &dup);
		if (added < 0) {
			rc = -1;
			break;
		}
		if (added > 0 && !capped) {
			capped = true;
			postfix_diags_add(d, POSTFIX_DIAG_OTHER, file, lineno,
					  "more than %u entries: the rest is not read",
					  POSTFIX_TABLE_MAX_ENTRIES);
		}
		if (dup) {
			m->duplicates++;
			postfix_diags_add(d, POSTFIX_DIAG_DUPLICATE, file, lineno,
					  "duplicate entry: \"%.100s\"", key);
		}
	}
	free(buf);
	postfix_lline_free(&r);
	return rc;
}

/* split_qnameval: "key = value", the key possibly quoted.  NULL or why not. */
static const char *
split_qnameval(char *buf, char **key, char **value)
{
	bool in_quotes = false;
	char *k = buf, *e, *v;

	while (is_space(*k))
		k++;
	if (*k == '\0')
		return "no key found; expected format: key = value";
	for (e = k; *e; e++) {
		if (*e == '\\') {
			if (*++e == '\0')
				break;
		} else if (is_space(*e) || *e == '=') {
			if (!in_quotes)
				break;
		} else if (*e == '"') {
			in_quotes = !in_quotes;
		}
	}
	if (in_quotes)
		return "unbalanced '\"'";
	v = e;
	while (is_space(*v))
		v++;
	if (*v != '=')
		return "missing '=' after attribute name";
	*e = '\0';
	do
		v++;
	while (is_space(*v));
	e = v + strlen(v);
	while (e > v && is_space(e[-1]))
		*--e = '\0';
	*key = k;
	*value = v;
	return NULL;
}

int
postfix_map_parse_inline(struct postfix_map *m, const char *spec, const char *file,
			 struct postfix_diags *d)
{
	size_t len = strlen(spec), ilen;
	const char *p, *item, *why = NULL;
	char buf[POSTFIX_TABLE_MAX_VALUE];
	int count = 0;

	if (len < 2 || spec[0] != '{' || spec[len - 1] != '}') {
		postfix_diags_add(d, POSTFIX_DIAG_SYNTAX, file, 0,
				  "bad syntax: \"inline:%.100s\"; need \"inline:{name=value...}\"",
				  spec);
		return 1;
	}
	/* the outer braces must enclose the whole text, balanced */
	{
		char *inner;
		const char *q = spec;
		int rc;

		if (postfix_list_next(&q, POSTFIX_SPLIT_LIST, &item, &ilen) != 1 || *q != '\0')
			goto bad;
		if ((inner = strndup(spec + 1, len - 2)) == NULL)
			return -1;
		p = inner;
		while ((rc = postfix_list_next(&p, POSTFIX_SPLIT_LIST, &item, &ilen)) == 1) {
			char *k, *v;
			bool dup;

			if (ilen >= sizeof(buf)) {
				why = "entry too long";
				break;
			}
			memcpy(buf, item, ilen);
			buf[ilen] = '\0';
			if ((why = split_qnameval(buf, &k, &v)) != NULL)
				break;
			if (map_add(m, k, strlen(k), v, 0, true, &dup) < 0) {
				free(inner);
				return -1;
			}
			count++;
		}
		free(inner);
		if (rc < 0)
			why = "unbalanced braces";
	}
	if (why == NULL && count > 0)
		return 0;
bad:
	postfix_diags_add(d, POSTFIX_DIAG_SYNTAX, file, 0, "%s: \"inline:%.100s\"",
			  why ? why : "empty table", spec);
	return 1;
}

const char *
postfix_map_get(const struct postfix_map *m, const char *key)
{
	const struct postfix_map_entry *e = map_find(m, key);

	return e ? e->value : NULL;
}

void
postfix_map_free(struct postfix_map *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free((char *)m->v[i].key);
		free((char *)m->v[i].value);
	}
	free(m->v);
	memset(m, 0, sizeof(*m));
}

/* ---- pcre: and regexp: ---- */

struct pattern {
	bool match;
	char *text;		/* NUL-terminated copy */
	unsigned options;	/* PCRE2_* or REG_* */
};

/*
 * "[!...]/pattern/flags": dict_pcre_get_pattern / dict_regexp_get_pat.
 * Advances *pp past the flags.  0, or -1 after a reported skip.
 */
static int
get_pattern(bool pcre, const char **pp, struct pattern *pat, const char *file, unsigned line,
	    struct postfix_diags *d)
{
	const char *p = *pp, *start;
	const char *map = pcre ? "pcre" : "regexp";
	char delim;

	pat->match = true;
	for (;; p++) {
		if (*p == '!')
			pat->match = !pat->match;
		else if (!is_space(*p))
			break;
	}
	if (*p == '\0') {
		postfix_diags_add(d, POSTFIX_DIAG_SYNTAX, file, line,
				  "%s map: no regexp: skipping this rule", map);
		return -1;
	}
	delim = *p++;
	start = p;
	while (*p) {
		if (*p == '\\') {
			if (p[1] == '\0')
				break;
			p++;
		} else if (*p == delim) {
			break;
		}
		p++;
	}
	if (*p == '\0') {
		postfix_diags_add(d, POSTFIX_DIAG_SYNTAX, file, line,
				  "%s map: no closing regexp delimiter \"%c\": skipping this rule",
				  map, delim);
		return -1;
	}
	if ((pat->text = strndup(start, (size_t)(p - start))) == NULL)
		return -1;
	p++;
	pat->options = pcre ? (PCRE2_CASELESS | PCRE2_DOTALL) : (REG_EXTENDED | REG_ICASE);
	while (*p && !is_space(*p) && (pcre || *p != '!')) {
		unsigned bit = 0;

		if (pcre) {
			switch (*p) {
			case 'i': bit = PCRE2_CASELESS; break;
			case 'm': bit = PCRE2_MULTILINE; break;
			case 's': bit = PCRE2_DOTALL; break;
			case 'x': bit = PCRE2_EXTENDED; break;
			case 'A': bit = PCRE2_ANCHORED; break;
			case 'E': bit = PCRE2_DOLLAR_ENDONLY; break;
			case 'U': bit = PCRE2_UNGREEDY; break;
			case 'X':
				postfix_diags_add(d, POSTFIX_DIAG_OTHER, file, line,
						  "pcre map: ignoring obsolete regexp option \"X\"");
				break;
			default: break;
			}
		} else {
			switch (*p) {
			case 'i': bit = REG_ICASE; break;
			case 'm': bit = REG_NEWLINE; break;
			case 'x': bit = REG_EXTENDED; break;
			default: break;
			}
		}
		if (bit == 0 && !(pcre && *p == 'X')) {
			postfix_diags_add(d, POSTFIX_DIAG_SYNTAX, file, line,
					  "%s map: unknown regexp option \"%c\": skipping this rule",
					  map, *p);
			free(pat->text);
			pat->text = NULL;
			return -1;
		}
		pat->options ^= bit;
		p++;
	}
	*pp = p;
	return 0;
}

/*
 * regexp_cost - an estimate of the nodes the C library's regcomp() builds
 * for an extended POSIX pattern, or POSTFIX_TABLE_MAX_REGEX_COST + 1 as
 * soon as it is exceeded.  glibc copies the operand of every duplication
 * ("a+" is "aa*", "a{m,n}" is m..n copies), so adjacent or nested
 * repetitions multiply: 70 "+" in a row take more than 2 GiB to compile.
 * The estimate multiplies an operand's size by 2 for *, + and ?, by the
 * larger bound for {m,n}, and refuses more than two duplication symbols in
 * a row (POSIX leaves their meaning undefined).
 */
static size_t
regexp_cost(const char *p)
{
	enum { MAX_NEST = 64 };
	const size_t max = POSTFIX_TABLE_MAX_REGEX_COST;
	size_t outer[MAX_NEST], depth = 0, cur = 0, last = 0;
	unsigned run = 0;

	for (size_t i = 0; p[i] != '\0'; i++) {
		char c = p[i];
		size_t mult = 0;

		if (c == '*' || c == '+' || c == '?') {
			mult = 2;
		} else if (c == '{' && p[i + 1] >= '0' && p[i + 1] <= '9') {
			size_t m = 0, n = 0;
			bool comma = false, has_n = false;

			for (i++; p[i] >= '0' && p[i] <= '9'; i++)
				m = m < max ? m * 10 + (size_t)(p[i] - '0') : max;
			if (p[i] == ',') {
				comma = true;
				for (i++; p[i] >= '0' && p[i] <= '9'; i++, has_n = true)
					n = n < max ? n * 10 + (size_t)(p[i] - '0') : max;
			}
			if (p[i] != '}')
				return max + 1;	/* regcomp refuses it; no cost to judge */
			mult = has_n ? n : (comma ? m + 1 : m);
			if (mult < 2)
				mult = 2;
		}
		if (mult) {
			if (++run > 2)
				return max + 1;
			if (last > max / mult)
				return max + 1;
			cur += last * (mult - 1);
			last *= mult;
			if (cur > max)
				return max + 1;
			continue;
		}
		run = 0;
		if (c == '(') {
			if (depth == MAX_NEST)
				return max + 1;
			outer[depth++] = cur;
			cur = 0;
			last = 0;
			continue;
		}
		if (c == ')' && depth > 0) {
			last = cur + 1;
			cur = outer[--depth] + last;
		} else if (c == '[') {
			/* a bracket expression is one node: skip to its ']' */
			size_t j = i + 1;

			if (p[j] == '^')
				j++;
			if (p[j] == ']')
				j++;
			while (p[j] != '\0' && p[j] != ']') {
				if (p[j] == '[' && (p[j + 1] == ':' || p[j + 1] == '=' || p[j + 1] == '.')) {
					char end = p[j + 1];
					const char *q = p + j + 2;

					while (*q != '\0' && !(q[0] == end && q[1] == ']'))
						q++;
					j = *q ? (size_t)(q - p) + 2 : (size_t)(q - p);
					continue;
				}
				j++;
			}
			i = p[j] ? j : j - 1;
			last = 1;
			cur++;
		} else if (c == '\\' && p[i + 1] != '\0') {
			i++;
			last = 1;
			cur++;
		} else {
			last = c == '|' ? 0 : 1;
			cur++;
		}
		if (cur > max)
			return max + 1;
	}
	return cur;
}

/* Compile; NULL after a reported error.  *nsub gets the capture count. */
static void *
compile(bool pcre, const struct pattern *pat, unsigned *nsub, const char *file, unsigned line,
	struct postfix_diags *d)
{
	if (pcre) {
		int err;
		PCRE2_SIZE off;
		uint32_t cap = 0;
		pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat->text, PCRE2_ZERO_TERMINATED,
					       pat->options, &err, &off, NULL);

		if (re == NULL) {
			PCRE2_UCHAR msg[120];

			pcre2_get_error_message(err, msg, sizeof(msg));
			postfix_diags_add(d, POSTFIX_DIAG_SYNTAX, file, line,
					  "pcre map: error in regex at offset %zu: %s: skipping "
					  "this rule", (size_t)off, (const char *)msg);
			return NULL;
		}
		pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &cap);
		*nsub = cap;
		return re;
	} else {
		regex_t *re = malloc(sizeof(*re));
		int err;

		if (re == NULL)
			return NULL;
		if (regexp_cost(pat->text) > POSTFIX_TABLE_MAX_REGEX_COST) {
			free(re);
			postfix_diags_add(d, POSTFIX_DIAG_OTHER, file, line,
					  "regexp map: pattern too complex to compile within the "
					  "exporter's bounds (more than %u nodes after repetition): "
					  "skipping this rule", POSTFIX_TABLE_MAX_REGEX_COST);
			return NULL;
		}
		if ((err = regcomp(re, pat->text, (int)pat->options)) != 0) {
			char msg[120];

			regerror(err, re, msg, sizeof(msg));
			free(re);
			postfix_diags_add(d, POSTFIX_DIAG_SYNTAX, file, line,
					  "regexp map: %s: skipping this rule", msg);
			return NULL;
		}
		*nsub = (unsigned)re->re_nsub;
		return re;
	}
}

static void
rx_free(bool pcre, void *re)
{
	if (re == NULL)
		return;
	if (pcre) {
		pcre2_code_free(re);
	} else {
		regfree(re);
		free(re);
	}
}

/*
 * The $n references of a replacement text (dict_pcre_prescan): highest n
 * into *max; the literal text (with "$$" as "$") into lit when there is
 * no $n.  -1 on a reference that is no positive number.
 */
static int
prescan(const char *s, unsigned *max, char *lit, size_t litlen)
{
	size_t o = 0;

	*max = 0;
	while (*s) {
		if (*s != '$') {
			if (o + 1 < litlen)
				lit[o++] = *s;
			s++;
			continue;
		}
		s++;
		if (*s == '$') {
			if (o + 1 < litlen)
				lit[o++] = '$';
			s++;
		} else if (*s == '{' || *s == '(' || isalnum((unsigned char)*s) || *s == '_') {
			char close = *s == '{' ? '}' : *s == '(' ? ')' : '\0';
			unsigned long n = 0;
			bool digits = true, any = false;

			if (close)
				s++;
			while (*s && (close ? *s != close : (isalnum((unsigned char)*s) || *s == '_'))) {
				if (!isdigit((unsigned char)*s))
					digits = false;
				else if (n < 100000)
					n = n * 10 + (unsigned long)(*s - '0');
				any = true;
				s++;
			}
			if (close) {
				if (*s != close)
					return -1;
				s++;
			}
			if (!any || !digits || n < 1)
				return -1;
			if (n > *max)
				*max = (unsigned)n;
		} else {
			if (o + 1 < litlen)
				lit[o++] = '$';
		}
	}
	lit[o] = '\0';
	return 0;
}

static int
rule_add(struct postfix_regex_table *t, const struct postfix_regex_rule *r)
{
	if (t->n == t->cap) {
		size_t ncap = t->cap ? 2 * t->cap : 16;
		struct postfix_regex_rule *v = realloc(t->v, ncap * sizeof(*v));

		if (v == NULL)
			return -1;
		t->v = v;
		t->cap = ncap;
	}
	t->v[t->n++] = *r;
	return 0;
}

/* One logical line (dict_pcre_parse_rule, dict_regexp_parse_rule). 0, or -1 on memory. */
static int
parse_rule(struct postfix_regex_table *t, const char *p, unsigned line, size_t *stack,
	   size_t *depth, const char *file, struct postfix_diags *d)
{
	const char *map = t->pcre ? "pcre" : "regexp";
	struct postfix_regex_rule r;
	struct pattern pat = { 0 }, pat2 = { 0 };
	unsigned nsub = 0, nsub2 = 0;

	memset(&r, 0, sizeof(r));
	r.line = line;
	if (!isalnum((unsigned char)*p)) {
		char lit[POSTFIX_TABLE_MAX_VALUE];

		if (get_pattern(t->pcre, &p, &pat, file, line, d) < 0)
			return 0;
		if (!t->pcre && *p == '!') {
			if (get_pattern(false, &p, &pat2, file, line, d) < 0)
				goto skip;
		}
		while (is_space(*p))
			p++;
		if (*p == '\0')
			postfix_diags_add(d, POSTFIX_DIAG_OTHER, file, line,
					  "%s map: no replacement text: using empty string", map);
		if (prescan(p, &r.max_sub, lit, sizeof(lit)) < 0) {
			postfix_diags_add(d, POSTFIX_DIAG_SYNTAX, file, line,
					  "%s map: bad replacement syntax: skipping this rule", map);
			goto skip;
		}
		if (r.max_sub > 0 && !pat.match) {
			postfix_diags_add(d, POSTFIX_DIAG_SYNTAX, file, line,
					  "%s map: $number found in negative match replacement "
					  "text: skipping this rule", map);
			goto skip;
		}
		if ((r.re = compile(t->pcre, &pat, &nsub, file, line, d)) == NULL)
			goto skip;
		if (pat2.text && (r.re2 = compile(false, &pat2, &nsub2, file, line, d)) == NULL)
			goto skip;
		if (r.max_sub > nsub) {
			postfix_diags_add(d, POSTFIX_DIAG_SYNTAX, file, line,
					  "%s map: out of range replacement index \"%u\": skipping "
					  "this rule", map, r.max_sub);
			goto skip;
		}
		r.op = POSTFIX_REGEX_MATCH;
		r.match = pat.match;
		r.pattern = pat.text;
		r.result = strdup(r.max_sub ? p : lit);
		free(pat2.text);
		if (r.result == NULL || rule_add(t, &r) < 0) {
			free(r.result);
			rx_free(t->pcre, r.re);
			rx_free(false, r.re2);
			free(pat.text);
			return -1;
		}
		return 0;
	}
	if (strncasecmp(p, "if", 2) == 0 && !isalnum((unsigned char)p[2])) {
		p += 2;
		while (is_space(*p))
			p++;
		if (get_pattern(t->pcre, &p, &pat, file, line, d) < 0)
			return 0;
		while (is_space(*p))
			p++;
		if (*p)
			postfix_diags_add(d, POSTFIX_DIAG_OTHER, file, line,
					  "%s map: ignoring extra text after IF statement", map);
		if ((r.re = compile(t->pcre, &pat, &nsub, file, line, d)) == NULL)
			goto skip;
		r.op = POSTFIX_REGEX_IF;
		r.match = pat.match;
		r.pattern = pat.text;
		r.endif = (size_t)-1;
		if (rule_add(t, &r) < 0) {
			rx_free(t->pcre, r.re);
			free(pat.text);
			return -1;
		}
		if (*depth < POSTFIX_TABLE_MAX_ENTRIES)
			stack[(*depth)++] = t->n - 1;
		return 0;
	}
	if (strncasecmp(p, "endif", 5) == 0 && !isalnum((unsigned char)p[5])) {
		if (*depth == 0) {
			postfix_diags_add(d, POSTFIX_DIAG_OTHER, file, line,
					  "%s map: ignoring ENDIF without matching IF", map);
			return 0;
		}
		p += 5;
		while (is_space(*p))
			p++;
		if (*p)
			postfix_diags_add(d, POSTFIX_DIAG_OTHER, file, line,
					  "%s map: ignoring extra text after ENDIF", map);
		r.op = POSTFIX_REGEX_ENDIF;
		if (rule_add(t, &r) < 0)
			return -1;
		t->v[stack[--(*depth)]].endif = t->n - 1;
		return 0;
	}
	postfix_diags_add(d, POSTFIX_DIAG_SYNTAX, file, line,
			  "%s map: ignoring unrecognized request", map);
	return 0;
skip:
	free(pat.text);
	free(pat2.text);
	rx_free(t->pcre, r.re);
	rx_free(false, r.re2);
	return 0;
}

int
postfix_regex_table_parse(struct postfix_regex_table *t, bool pcre, const char *text, size_t len,
			  const char *file, struct postfix_diags *d)
{
	struct postfix_lline r;
	const char *line;
	unsigned lineno, last = 0;
	size_t *stack, depth = 0;
	int rc = 0;

	memset(t, 0, sizeof(*t));
	t->pcre = pcre;
	if (pcre) {
		pcre2_match_context *mc = pcre2_match_context_create(NULL);

		if (mc == NULL)
			return -1;
		pcre2_set_match_limit(mc, POSTFIX_TABLE_MATCH_LIMIT);
		pcre2_set_depth_limit(mc, POSTFIX_TABLE_MATCH_LIMIT);
		t->mctx = mc;
	}
	stack = calloc(POSTFIX_TABLE_MAX_ENTRIES, sizeof(*stack));
	if (stack == NULL)
		return -1;
	postfix_lline_init(&r, text, len);
	while (postfix_lline_next(&r, file, d, &line, &lineno) == 1) {
		last = lineno;
		if (t->n >= POSTFIX_TABLE_MAX_ENTRIES) {
			postfix_diags_add(d, POSTFIX_DIAG_OTHER, file, lineno,
					  "more than %u rules: the rest is not read",
					  POSTFIX_TABLE_MAX_ENTRIES);
			break;
		}
		if (parse_rule(t, line, lineno, stack, &depth, file, d) < 0) {
			rc = -1;
			break;
		}
	}
	/* an IF without ENDIF: its block runs to the end (endif = n) */
	if (depth > 0)
		postfix_diags_add(d, POSTFIX_DIAG_OTHER, file, last, "%s map: IF has no matching ENDIF",
				  pcre ? "pcre" : "regexp");
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].op == POSTFIX_REGEX_IF && t->v[i].endif == (size_t)-1)
			t->v[i].endif = t->n;
	postfix_lline_free(&r);
	free(stack);
	return rc;
}

/* Match re against key; ov (may be NULL) receives 2*(nsub+1) offsets (-1: unset). */
static bool
rx_match(const struct postfix_regex_table *t, void *re, const char *key, long *ov, size_t nov)
{
	if (t->pcre) {
		pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
		int rc;

		if (md == NULL)
			return false;
		rc = pcre2_match(re, (PCRE2_SPTR)key, strlen(key), 0, 0, md, t->mctx);
		if (rc >= 0 && ov != NULL) {
			PCRE2_SIZE *o = pcre2_get_ovector_pointer(md);
			uint32_t n = pcre2_get_ovector_count(md);

			for (size_t i = 0; i < nov; i++)
				ov[i] = i < 2 * (size_t)n && o[i] != PCRE2_UNSET ? (long)o[i] : -1;
		}
		pcre2_match_data_free(md);
		return rc >= 0;	/* no match, or a limit hit: no match */
	} else {
		regmatch_t m[10];
		size_t nm = nov / 2 > 10 ? 10 : nov / 2;

		if (regexec(re, key, ov ? nm : 0, ov ? m : NULL, 0) != 0)
			return false;
		for (size_t i = 0; ov != NULL && i < nov; i++)
			ov[i] = i / 2 < nm && m[i / 2].rm_so >= 0
					? (long)(i % 2 ? m[i / 2].rm_eo : m[i / 2].rm_so) : -1;
		return true;
	}
}

bool
postfix_regex_rule_matches(const struct postfix_regex_table *t, size_t i, const char *key)
{
	const struct postfix_regex_rule *r = &t->v[i];
	bool m;

	if (r->op == POSTFIX_REGEX_ENDIF)
		return r->match;
	m = rx_match(t, r->re, key, NULL, 0);
	if (m && r->re2 != NULL)
		m = !rx_match(t, r->re2, key, NULL, 0);
	return m;
}

bool
postfix_regex_rule_accepts(const struct postfix_regex_table *t, size_t i, const char *key)
{
	return postfix_regex_rule_matches(t, i, key) == t->v[i].match;
}

/* Substitute $n in result (dict_pcre_expand); ov from re_match. */
static const char *
expand(const char *result, const char *key, const long *ov, unsigned nsub, char *buf,
       size_t buflen)
{
	size_t o = 0;

	for (const char *s = result; *s && o + 1 < buflen;) {
		if (*s != '$') {
			buf[o++] = *s++;
			continue;
		}
		s++;
		if (*s == '$') {
			buf[o++] = '$';
			s++;
		} else if (*s == '{' || *s == '(' || isdigit((unsigned char)*s)) {
			char close = *s == '{' ? '}' : *s == '(' ? ')' : '\0';
			unsigned long n = 0;

			if (close)
				s++;
			while (isdigit((unsigned char)*s)) {
				if (n < 100000)
					n = n * 10 + (unsigned long)(*s - '0');
				s++;
			}
			if (close && *s == close)
				s++;
			if (n <= nsub && ov[2 * n] >= 0 && ov[2 * n + 1] >= ov[2 * n])
				for (long k = ov[2 * n]; k < ov[2 * n + 1] && o + 1 < buflen; k++)
					buf[o++] = key[k];
		} else {
			buf[o++] = '$';
		}
	}
	buf[o] = '\0';
	return buf;
}

const char *
postfix_regex_table_lookup(const struct postfix_regex_table *t, const char *key, char *buf,
			   size_t buflen, size_t *rule)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct postfix_regex_rule *r = &t->v[i];

		if (r->op == POSTFIX_REGEX_ENDIF)
			continue;
		if (r->op == POSTFIX_REGEX_IF) {
			if (!postfix_regex_rule_accepts(t, i, key))
				i = r->endif;	/* past the block (the loop steps over ENDIF) */
			continue;
		}
		if (r->max_sub == 0) {
			if (!postfix_regex_rule_accepts(t, i, key))
				continue;
			if (rule)
				*rule = i;
			snprintf(buf, buflen, "%s", r->result);
			return buf;
		}
		{
			long ov[2 * 100];
			unsigned nsub = r->max_sub < 99 ? r->max_sub : 99;

			if (!rx_match(t, r->re, key, ov, 2 * (size_t)(nsub + 1)))
				continue;
			if (r->re2 != NULL && rx_match(t, r->re2, key, NULL, 0))
				continue;
			if (rule)
				*rule = i;
			return expand(r->result, key, ov, nsub, buf, buflen);
		}
	}
	return NULL;
}

void
postfix_regex_table_free(struct postfix_regex_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		rx_free(t->pcre, t->v[i].re);
		rx_free(false, t->v[i].re2);
		free(t->v[i].pattern);
		free(t->v[i].result);
	}
	free(t->v);
	if (t->mctx)
		pcre2_match_context_free(t->mctx);
	memset(t, 0, sizeof(*t));
}

/* ---- what a client can make its name match ---- */

/* "^...$" over digits, "\.", \d, [0-9], [0-9.], groups and quantifiers only. */
static bool
numeric_only(const char *p)
{
	size_t n = strlen(p);
	const char *end = p + n - 1;

	if (n < 3 || p[0] != '^' || *end != '$' || end[-1] == '\\')
		return false;
	for (p++; p < end;) {
		if (isdigit((unsigned char)*p) || *p == '(' || *p == ')' || *p == '|' || *p == '+'
		    || *p == '*' || *p == '?' || *p == ',' || *p == '{' || *p == '}') {
			/* "(?" opens a group with options: only (?: */
			if (*p == '(' && p[1] == '?' && p[2] != ':')
				return false;
			p += *p == '(' && p[1] == '?' ? 3 : 1;
		} else if (p[0] == '\\' && (p[1] == '.' || p[1] == 'd')) {
			p += 2;
		} else if (strncmp(p, "[0-9]", 5) == 0) {
			p += 5;
		} else if (strncmp(p, "[0-9.]", 6) == 0 || strncmp(p, "[.0-9]", 6) == 0) {
			p += 6;
		} else {
			return false;
		}
	}
	return true;
}

/* Ends in "\.<digits>$" ("\.[0-9]+$", "\.\d{1,3}$", "\.5$"): a numeric last label. */
static bool
numeric_last_label(const char *pat)
{
	size_t n = strlen(pat);
	const char *p;

	if (n < 4 || pat[n - 1] != '$' || pat[n - 2] == '\\' || strchr(pat, '|') != NULL)
		return false;
	p = pat + n - 1;
	/* one quantifier: +, {n}, {n,m} */
	if (p[-1] == '+') {
		p--;
	} else if (p[-1] == '}') {
		const char *o = p - 1;

		while (o > pat && *o != '{')
			o--;
		if (*o != '{' || !isdigit((unsigned char)o[1]) || o[1] == '0')
			return false;
		p = o;
	}
	/* one digit atom before it */
	if (p - pat >= 5 && strncmp(p - 5, "[0-9]", 5) == 0)
		p -= 5;
	else if (p - pat >= 2 && p[-2] == '\\' && p[-1] == 'd')
		p -= 2;
	else if (p - pat >= 1 && isdigit((unsigned char)p[-1]))
		while (p > pat && isdigit((unsigned char)p[-1]))
			p--;
	else
		return false;
	return p - pat >= 2 && p[-2] == '\\' && p[-1] == '.' && (p - pat < 3 || p[-3] != '\\');
}

/* Ends in "\.<label>\.<label>...$", or is "^<label>\.<label>...$". */
static bool
domain_anchored(const char *pattern)
{
	size_t n = strlen(pattern), labels = 0;
	const char *p;
	bool in_label = false;

	if (strchr(pattern, '|') != NULL || n < 2 || pattern[n - 1] != '$'
	    || (n >= 2 && pattern[n - 2] == '\\'))
		return false;
	/* walk back over "<label>(\.<label>)*" */
	p = pattern + n - 1;
	while (p > pattern) {
		char c = p[-1];

		if (isalnum((unsigned char)c) || c == '-') {
			/* an escaped letter (\d, \w) is a class, not a literal */
			if (p - 1 > pattern && p[-2] == '\\')
				return false;
			in_label = true;
			p--;
		} else if (c == '.' && p - 1 > pattern && p[-2] == '\\' && in_label) {
			labels++;
			in_label = false;
			p -= 2;
		} else {
			break;
		}
	}
	if (!in_label)		/* the tail starts with "\.": a label boundary */
		return labels >= 2;
	/* else it starts with a label: only "^" before it makes that a boundary */
	return p > pattern && p - 1 == pattern && p[-1] == '^' && labels + 1 >= 2;
}

bool
postfix_regex_no_client_name(const char *pattern)
{
	return domain_anchored(pattern) || numeric_only(pattern) || numeric_last_label(pattern);
}

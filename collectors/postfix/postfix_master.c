/*
 * postfix_master.c - master.cf parser (see postfix_master.h).
 *
 * Interface: postfix_master_parse() / postfix_master_free(),
 * postfix_host_port(), postfix_port_number(), postfix_service_format().
 * Diagnostics: POSTFIX_DIAG_MASTER for bad field counts, bad columns,
 * unbalanced {}, private inet services, bad "-o" values and unparseable
 * inet service names; each names the file and the entry's first line.
 */
#include "collectors/postfix/postfix_master.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"

#define BLANKS " \t\r\n"
#define IS_BLANK(c) ((c) == ' ' || (c) == '\t' || (c) == '\r' || (c) == '\n')	/* one of BLANKS */
#define IS_SPACE(c) isspace((unsigned char)(c))

struct argv {
	char **v;
	size_t n;
	size_t cap;		/* slots of v, the NULL after the last word included */
};

/* room for n words (and the NULL after them); -1 out of memory */
static int
argv_reserve(struct argv *a, size_t n)
{
	size_t ncap = a->cap ? a->cap : 8;
	char **nv;

	if (n + 1 <= a->cap)
		return 0;
	while (ncap < n + 1)
		ncap *= 2;
	if ((nv = realloc(a->v, ncap * sizeof(*nv))) == NULL)
		return -1;
	a->v = nv;
	a->cap = ncap;
	return 0;
}

/* append an owned string; -1 (s freed) past POSTFIX_MASTER_MAX_ARGS or out of memory */
static int
argv_push(struct argv *a, char *s)
{
	if (s == NULL || a->n >= POSTFIX_MASTER_MAX_ARGS || argv_reserve(a, a->n + 1) < 0) {
		free(s);
		return -1;
	}
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
	return 0;
}

static int
argv_add(struct argv *a, const char *p, size_t n)
{
	return argv_push(a, strndup(p, n));
}

static void
argv_free(struct argv *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	a->v = NULL;
	a->n = 0;
	a->cap = 0;
}

/* argv_splitq(): blanks separate, {} groups (kept in the token). -1 unbalanced */
static int
split_fields(const char *s, struct argv *a)
{
	for (;;) {
		const char *start;
		int level = 0;

		s += strspn(s, BLANKS);
		if (*s == 0)
			return 0;
		start = s;
		for (; *s; s++) {
			if (*s == '{')
				level++;
			else if (*s == '}' && level > 0)
				level--;
			else if (level == 0 && IS_BLANK(*s))
				break;
		}
		if (level > 0)
			return -1;
		if (argv_add(a, start, (size_t)(s - start)) < 0)
			return -2;
	}
}

/* extpar(): "{ text }" -> "text" (trimmed). */
static void
extract_braces(char **arg)
{
	char *s = *arg, *e;
	size_t n = strlen(s);

	if (n < 2 || s[0] != '{' || s[n - 1] != '}')
		return;
	s[n - 1] = 0;
	for (s++; IS_SPACE(*s); s++)
		;
	for (e = s + strlen(s); e > s && IS_SPACE(e[-1]); e--)
		;
	*e = 0;
	memmove(*arg, s, strlen(s) + 1);
}

static const char *
check_entry(char **v)
{
	static const char *types[] = {"inet", "unix", "unix-dgram", "fifo", "pass"};
	static char why[80];
	const char *cp;
	size_t i, len;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(v[POSTFIX_MF_TYPE], types[i]) == 0)
			break;
	if (i == sizeof(types) / sizeof(types[0]))
		return "invalid type field";
	for (i = POSTFIX_MF_PRIVATE; i <= POSTFIX_MF_CHROOT; i++) {
		cp = v[i];
		if (cp[0] == 0 || cp[1] != 0 || strchr("yn-", cp[0]) == NULL) {
			snprintf(why, sizeof(why), "invalid %s field",
				 i == POSTFIX_MF_PRIVATE ? "private" :
				 i == POSTFIX_MF_UNPRIV ? "unprivileged" : "chroot");
			return why;
		}
	}
	cp = v[POSTFIX_MF_WAKEUP];
	len = strlen(cp);
	if (len > 0 && cp[len - 1] == '?')
		len--;
	if (!(cp[0] == '-' && len == 1) && strspn(cp, "0123456789") != len)
		return "invalid wakeup field";
	cp = v[POSTFIX_MF_MAXPROC];
	if (strcmp(cp, "-") != 0 && cp[strspn(cp, "0123456789")] != 0)
		return "invalid process limit field";
	return NULL;
}

/* "-o" value in braces: "{ name = v }" -> "name=v" (a bad one is reported, kept unbraced) */
static int
normalize_option(char **arg, const char *file, unsigned line, struct postfix_diags *d)
{
	char *name, *value, *copy;
	const char *err;

	extract_braces(arg);
	if ((copy = strdup(*arg)) == NULL)
		return -1;
	if ((err = postfix_split_nameval(copy, &name, &value)) != NULL) {
		postfix_diags_add(d, POSTFIX_DIAG_MASTER, file, line, "%s: \"%.40s\"", err, *arg);
	} else {
		size_t nl = strlen(name), vl = strlen(value);
		char *norm = malloc(nl + vl + 2);

		if (norm == NULL) {
			free(copy);
			return -1;
		}
		memcpy(norm, name, nl);
		norm[nl] = '=';
		memcpy(norm + nl + 1, value, vl + 1);
		free(*arg);
		*arg = norm;
	}
	free(copy);
	return 0;
}

/*
 * pcf_normalize_daemon_args(): a new vector in one pass (the words split
 * off an option are handled as the next words), so the work is linear in
 * the number of words.  a is consumed.
 */
static int
normalize_args(struct argv *a, const char *file, unsigned line,
	       struct postfix_diags *d)
{
	struct argv out = {NULL, 0, 0};
	char *pending = NULL;	/* a word split off the previous one, handled next */
	bool in_opts = true;
	size_t f = 0;
	int rc = 0;

	/* the fixed fields then move over without a failure */
	if (argv_reserve(&out, a->n) < 0)
		return -1;
	while (rc == 0 && (pending != NULL || f < a->n)) {
		char *arg = pending != NULL ? pending : a->v[f++];
		bool value_follows = false;

		pending = NULL;
		if (out.n < POSTFIX_MF_COUNT) {
			rc = argv_push(&out, arg);
			continue;
		}
		if (in_opts && (arg[0] != '-' || strcmp(arg, "--") == 0))
			in_opts = false;
		if (!in_opts) {
			if (arg[0] == '{')
				extract_braces(&arg);
			rc = argv_push(&out, arg);
			continue;
		}
		/*
		 * getopt() as the daemon sees it: flags before the first 'o' stand
		 * alone, the rest of the word after that 'o' is its value.
		 * (postconf -M/-P keeps scanning past the first 'o' and splits at a
		 * later one too, e.g. "-ox=hostname"; the daemons do not, and
		 * neither do we.  docs/postfix-config.md.)
		 */
		for (char *cp = arg + 2; arg[1] != 'o' && arg[1] != 0 && *cp; cp++) {
			if (*cp == 'o') {
				/* "-stuffozz" -> "-stuff" "-ozz" */
				size_t n = strlen(cp);

				if ((pending = malloc(n + 2)) == NULL) {
					rc = -1;
					break;
				}
				pending[0] = '-';
				memcpy(pending + 1, cp, n + 1);
				*cp = 0;
				break;
			}
		}
		if (rc == 0 && arg[1] == 'o') {
			if (arg[2] != 0) {
				/* "-oname=v" -> "-o" "name=v" */
				pending = strdup(arg + 2);
				arg[2] = 0;
				if (pending == NULL)
					rc = -1;
				value_follows = true;
			} else if (f < a->n) {
				value_follows = true;
			}
		}
		if (rc == 0)
			rc = argv_push(&out, arg);
		else
			free(arg);
		if (rc == 0 && value_follows) {
			char *v = pending != NULL ? pending : a->v[f++];

			pending = NULL;
			if (v[0] == '{' && normalize_option(&v, file, line, d) < 0) {
				free(v);
				rc = -1;
			} else {
				rc = argv_push(&out, v);
			}
		}
	}
	free(pending);
	while (f < a->n)
		free(a->v[f++]);
	free(a->v);
	*a = out;
	return rc;
}

int
postfix_host_port(const char *name, char **host, char **port)
{
	const char *h, *p;
	size_t hl;

	*host = *port = NULL;
	if (name[0] == '[') {
		const char *close = strchr(name, ']');

		if (close == NULL || close[1] != ':' || close[2] == 0)
			return -1;
		h = name + 1;
		hl = (size_t)(close - h);
		p = close + 2;
	} else {
		const char *colon = strrchr(name, ':');

		if (colon == NULL) {
			h = "";
			hl = 0;
			p = name;
		} else {
			h = name;
			hl = (size_t)(colon - name);
			p = colon + 1;
		}
	}
	if (*p == 0 || strchr(p, '[') != NULL || strchr(p, ']') != NULL)
		return -1;
	for (const char *c = p; *c; c++)
		if (IS_SPACE(*c))
			return -1;
	*host = strndup(h, hl);
	*port = strdup(p);
	if (*host == NULL || *port == NULL) {
		free(*host);
		free(*port);
		*host = *port = NULL;
		return -1;
	}
	return 0;
}

int
postfix_port_number(const char *port)
{
	static const struct {
		const char *name;
		int port;
	} known[] = {
		{"lmtp", 24}, {"smtp", 25}, {"smtps", 465}, {"submissions", 465},
		{"submission", 587},
	};
	unsigned long n = 0;

	if (port == NULL || *port == 0)
		return -1;
	if (strspn(port, "0123456789") == strlen(port)) {
		if (strlen(port) > 5)
			return -1;
		n = strtoul(port, NULL, 10);
		return n <= 65535 ? (int)n : -1;
	}
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(port, known[i].name) == 0)
			return known[i].port;
	return -1;
}

const char *
postfix_service_command(const struct postfix_service *s)
{
	const char *cmd = s->argv[POSTFIX_MF_COMMAND];
	const char *slash = strrchr(cmd, '/');

	return slash ? slash + 1 : cmd;
}

static void
service_free(struct postfix_service *s)
{
	for (size_t i = 0; i < s->argc; i++)
		free(s->argv[i]);
	free(s->argv);
	postfix_dict_free(&s->params);
	free(s->host);
	free(s->port);
	memset(s, 0, sizeof(*s));
}

void
postfix_master_free(struct postfix_master *m)
{
	for (size_t i = 0; i < m->n; i++)
		service_free(&m->v[i]);
	free(m->v);
	m->v = NULL;
	m->n = 0;
	m->cap = 0;
}

/* collect "-o name=value" into the service dictionary */
static void
collect_params(struct postfix_service *s, struct postfix_diags *d)
{
	for (size_t f = POSTFIX_MF_COUNT; f < s->argc; f++) {
		const char *arg = s->argv[f];
		char *copy, *name, *value;
		const char *err;

		if (arg[0] != '-' || strcmp(arg, "--") == 0)
			break;
		if (strcmp(arg, "-o") != 0)
			continue;
		if (f + 1 >= s->argc) {
			postfix_diags_add(d, POSTFIX_DIAG_MASTER, s->file, s->line,
					  "service %s: -o without value", s->argv[0]);
			break;
		}
		f++;
		if ((copy = strdup(s->argv[f])) == NULL)
			return;
		if ((err = postfix_split_nameval(copy, &name, &value)) != NULL)
			postfix_diags_add(d, POSTFIX_DIAG_MASTER, s->file, s->line,
					  "service %s: -o %s: \"%.40s\"", s->argv[0], err,
					  s->argv[f]);
		else
			postfix_dict_set(&s->params, name, value, s->file, s->line, NULL);
		free(copy);
	}
}

size_t
postfix_master_parse(struct postfix_master *m, const char *file,
		     const char *buf, size_t len, struct postfix_diags *d)
{
	struct postfix_lline r;
	const char *text;
	unsigned line;

	memset(m, 0, sizeof(*m));
	postfix_lline_init(&r, buf, len);
	while (postfix_lline_next(&r, file, d, &text, &line) == 1) {
		struct argv a = {NULL, 0, 0};
		struct postfix_service *s, *nv;
		const char *err;
		int rc;

		if (m->n >= POSTFIX_MASTER_MAX_SERVICES) {
			postfix_diags_add(d, POSTFIX_DIAG_LIMIT, file, line,
					  "more than %u services: the rest is not read",
					  POSTFIX_MASTER_MAX_SERVICES);
			break;
		}
		if ((rc = split_fields(text, &a)) < 0) {
			if (rc == -1)
				postfix_diags_add(d, POSTFIX_DIAG_MASTER, file, line,
						  "unbalanced {}: \"%.40s\"", text);
			else
				postfix_diags_add(d, POSTFIX_DIAG_LIMIT, file, line,
						  "more than %u fields: \"%.40s\"",
						  POSTFIX_MASTER_MAX_ARGS, text);
			argv_free(&a);
			continue;
		}
		if (a.n < POSTFIX_MF_COUNT) {
			postfix_diags_add(d, POSTFIX_DIAG_MASTER, file, line,
					  "bad field count: \"%.40s\"", text);
			argv_free(&a);
			continue;
		}
		if (m->n == m->cap) {
			size_t ncap = m->cap ? 2 * m->cap : 16;

			if ((nv = realloc(m->v, ncap * sizeof(*nv))) == NULL) {
				argv_free(&a);
				break;
			}
			m->v = nv;
			m->cap = ncap;
		}
		s = &m->v[m->n++];
		memset(s, 0, sizeof(*s));
		s->file = file;
		s->line = line;
		s->valid = true;
		if ((err = check_entry(a.v)) != NULL) {
			postfix_diags_add(d, POSTFIX_DIAG_MASTER, file, line,
					  "%s in \"%.60s\"", err, text);
			s->valid = false;
		}
		if (normalize_args(&a, file, line, d) < 0)
			s->valid = false;
		s->argv = a.v;
		s->argc = a.n;
		collect_params(s, d);
		if (strcmp(s->argv[POSTFIX_MF_TYPE], "inet") == 0) {
			if (postfix_host_port(s->argv[0], &s->host, &s->port) < 0) {
				postfix_diags_add(d, POSTFIX_DIAG_MASTER, file, line,
						  "bad inet service name \"%.60s\"", s->argv[0]);
				s->valid = false;
			} else if (postfix_port_number(s->port) < 0) {
				postfix_diags_add(d, POSTFIX_DIAG_MASTER, file, line,
						  "unknown port \"%.40s\" (not numeric, not in known_tcp_ports)",
						  s->port);
			}
			if (strcmp(s->argv[POSTFIX_MF_PRIVATE], "n") != 0 && s->valid) {
				postfix_diags_add(d, POSTFIX_DIAG_MASTER, file, line,
						  "inet service %s cannot be private", s->argv[0]);
				s->valid = false;
			}
		}
		for (size_t i = 0; i + 1 < m->n; i++) {
			struct postfix_service *o = &m->v[i];

			if (!o->superseded && strcmp(o->argv[0], s->argv[0]) == 0 &&
			    strcmp(o->argv[1], s->argv[1]) == 0) {
				o->superseded = true;
				postfix_diags_add(d, POSTFIX_DIAG_MASTER, file, line,
						  "duplicate service %s/%s (line %u)",
						  s->argv[0], s->argv[1], o->line);
			}
		}
	}
	postfix_lline_free(&r);
	return m->n;
}

/* pcf_print_master_entry(), without column padding */
char *
postfix_service_format(const struct postfix_service *s, const struct postfix_env *env)
{
	struct postfix_env e2;
	struct buf sb;
	bool in_opts = true;

	buf_init(&sb, POSTFIX_FORMAT_MAX);
#define PUT(str) buf_puts(&sb, (str))
	PUT("");
	if (env != NULL) {
		e2 = *env;
		e2.local = &s->params;
		e2.file = s->file;
	}
	for (size_t f = 0; f < s->argc; f++) {
		const char *arg = s->argv[f];
		char *aval = NULL;
		bool parens = false;
		bool was_in_opts = in_opts;

		if (f > 0)
			PUT(" ");
		if (f < POSTFIX_MF_COUNT) {
			PUT(arg);
			continue;
		}
		if (in_opts) {
			if (arg[0] != '-' || strcmp(arg, "--") == 0) {
				in_opts = false;
			} else if (arg[1] == 'o' && f + 1 < s->argc) {
				const char *v = s->argv[f + 1];

				if (env != NULL && strcmp(arg, "-o") == 0)
					aval = postfix_expand(&e2, v, s->line);
				if (aval == NULL)
					aval = strdup(v);
				if (aval == NULL) {
					sb.failed = true;
					break;
				}
				parens = aval[strcspn(aval, BLANKS)] != 0;
			}
		}
		/* as postconf: the first non-option argument is shown unbraced */
		if (!was_in_opts)
			parens = arg[strcspn(arg, BLANKS)] != 0;
		if (!in_opts && parens)
			PUT("{");
		PUT(arg);
		if (!in_opts && parens)
			PUT("}");
		if (aval != NULL) {
			PUT(" ");
			if (parens)
				PUT("{");
			PUT(aval);
			if (parens)
				PUT("}");
			free(aval);
			f++;
		}
	}
#undef PUT
	if (sb.failed) {
		buf_free(&sb);
		return NULL;
	}
	return buf_steal(&sb, NULL);
}

/*
 * postfix_conf.h - Postfix main.cf semantics, as Postfix itself reads it.
 *
 * Pure code: buffers in, structs out, no I/O.  What it models:
 *   - logical lines (util/readlline.c): blank lines and lines whose first
 *     non-space character is '#' are dropped, also between continuation
 *     lines; a line starting with whitespace continues the previous one
 *     (newline removed, leading whitespace kept); a '#' after text is text;
 *   - "name = value" (util/split_nameval.c), whitespace around '=' optional;
 *     the last setting of a parameter wins (with a warning naming both lines);
 *   - parameter lookup as postconf does it (postconf/postconf_lookup.c):
 *     master.cf "-o" overrides of the service, then main.cf, then the
 *     built-in default of the Postfix version (table postfix_params[] in
 *     postfix_params.c, documented in docs/postfix-defaults.md);
 *   - expansion (util/mac_parse.c, util/mac_expand.c): $name, ${name},
 *     $(name), $$, ${name?x}, ${name:x}, ${name?{a}:{b}}, relational
 *     ${{a} OP {b} ? {c} : {d}} with ==, !=, <, <=, >, >= (numeric when both
 *     sides are all digits) and <level, <=level, >level, >=level
 *     (compatibility-level comparison); nesting is limited to
 *     POSTFIX_EXPAND_MAX_DEPTH, beyond which expansion fails;
 *   - the cost of expansion is counted in bytes, not references: every
 *     span of text scanned (again at each level of nesting around it), every
 *     byte written and every reference's lookup is charged to the
 *     expansion's budget (POSTFIX_EXPAND_MAX_WORK) and to the environment's
 *     shared one (postfix_env.budget: the collector gives each instance one
 *     per scrape); the text is never copied per level;
 *   - list splitting: on ", \t\r\n" with {} grouping, and the inet_interfaces
 *     rule (" \t," without grouping).
 *
 * Diagnostics: every problem is appended to a struct postfix_diags with the
 * file and line it concerns (the collector logs them with log_file_warn and
 * counts them as postfix_config_warnings); a problem in the value of a
 * parameter names the setting of that parameter (main.cf or master.cf),
 * wherever it was expanded from.  Nothing here aborts: bad input is
 * reported and skipped.  A cap that is exceeded (POSTFIX_DIAG_LIMIT: too
 * many parameters, a logical line or a list too long) is reported, and
 * what is beyond it is not read: the caller cannot vouch for the rest.
 * Memory is malloc()ed and bounded by the caps below; the free functions
 * release it.
 */
#ifndef MTA_POSTFIX_CONF_H
#define MTA_POSTFIX_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/postfix/postfix_params.h"
#include "lib/budget.h"
#include "lib/hash.h"

#define POSTFIX_CONF_MAX_LINE (1u << 20)	/* logical line cap, bytes */
#define POSTFIX_CONF_MAX_PARAMS 8192		/* parameters per dictionary */
#define POSTFIX_EXPAND_MAX_DEPTH 100		/* as mac_expand's nesting limit */
#define POSTFIX_EXPAND_MAX_LEN (256u << 10)	/* expanded value cap, bytes */
#define POSTFIX_EXPAND_MAX_WORK (4u << 20)	/* one expansion: bytes scanned + written */
#define POSTFIX_DIAGS_MAX 256			/* stored diagnostics (all counted) */
#define POSTFIX_FORMAT_MAX (1u << 20)		/* a formatted list or master.cf entry, bytes */
#define POSTFIX_LIST_MAX_ITEMS 65536		/* items of one split list */

/* ---- diagnostics ---- */

enum postfix_diag_kind {
	POSTFIX_DIAG_SYNTAX,		/* a line postconf rejects */
	POSTFIX_DIAG_DUPLICATE,		/* parameter set twice */
	POSTFIX_DIAG_UNDEFINED,		/* $name that names nothing */
	POSTFIX_DIAG_EXPAND,		/* expansion syntax error / depth */
	POSTFIX_DIAG_MASTER,		/* malformed master.cf entry */
	POSTFIX_DIAG_LIST,		/* unparseable list */
	POSTFIX_DIAG_LIMIT,		/* a cap exceeded: the configuration is not fully read */
	POSTFIX_DIAG_OTHER,
};

struct postfix_diag {
	enum postfix_diag_kind kind;
	const char *file;		/* not owned: the caller's string */
	unsigned line;			/* 0 = whole file */
	char msg[200];
};

struct postfix_diags {
	struct postfix_diag *v;
	uint64_t *fp;			/* fingerprints of v[], for the duplicate test */
	size_t n;			/* stored, at most POSTFIX_DIAGS_MAX */
	unsigned total;			/* all reported, stored or not */
	unsigned kinds;			/* 1 << kind for every kind reported */
};

void postfix_diags_add(struct postfix_diags *d, enum postfix_diag_kind kind,
		       const char *file, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/*
 * True if a diagnostic of that kind whose text contains needle was stored;
 * with needle "", if one of that kind was reported at all.
 */
bool postfix_diags_has(const struct postfix_diags *d, enum postfix_diag_kind kind,
		       const char *needle);
void postfix_diags_free(struct postfix_diags *d);

/* ---- logical lines ---- */

struct postfix_lline {
	const char *buf;
	size_t len;
	size_t pos;
	unsigned lineno;		/* physical lines consumed */
	char *text;			/* current logical line (owned) */
	size_t cap;
};

void postfix_lline_init(struct postfix_lline *r, const char *buf, size_t len);
/*
 * Next logical line: 1 with *text (valid until the next call) and
 * *first_line (its first physical line), or 0 at the end.  Lines with
 * leading whitespace that continue nothing, and over-long lines, are
 * reported to d and skipped.
 */
int postfix_lline_next(struct postfix_lline *r, const char *file,
		       struct postfix_diags *d, const char **text, unsigned *first_line);
void postfix_lline_free(struct postfix_lline *r);

/* split_nameval: NULL on success (name/value point into s, modified), else why. */
const char *postfix_split_nameval(char *s, char **name, char **value);

/* ---- parameter dictionary ---- */

struct postfix_param {
	char *name;
	char *value;
	const char *file;		/* not owned */
	unsigned line;
};

struct postfix_dict {
	struct postfix_param *v;
	size_t n, cap;
	struct hash_index ix;		/* name -> v[]: lookups do not grow with n */
};

/*
 * Set name=value (last wins; a duplicate is reported to d if d != NULL).
 * 0, -1 out of memory, -2 when the dictionary is full (reported as
 * POSTFIX_DIAG_LIMIT).
 */
int postfix_dict_set(struct postfix_dict *dict, const char *name, const char *value,
		     const char *file, unsigned line, struct postfix_diags *d);
const struct postfix_param *postfix_dict_get(const struct postfix_dict *dict,
					     const char *name);
void postfix_dict_free(struct postfix_dict *dict);

/*
 * Parse a whole main.cf buffer into dict.  Returns the number of settings.
 * Reading stops at the first setting that does not fit (POSTFIX_DIAG_LIMIT).
 */
size_t postfix_conf_parse(struct postfix_dict *dict, const char *file,
			  const char *buf, size_t len, struct postfix_diags *d);

/* ---- versions and compatibility levels ---- */

/* POSTFIX_VERSION() (postfix_params.h) of "3.7.11-0+deb12u1"; -1 if unparseable. */
int postfix_version_parse(const char *s, unsigned *out);
/* Compare two compatibility levels ("2", "3.6", "3.10"); <0, 0, >0. */
int postfix_level_cmp(const char *a, const char *b);

/* ---- evaluation ---- */

struct postfix_env {
	const struct postfix_dict *main;	/* main.cf (may be NULL) */
	const struct postfix_dict *local;	/* one service's -o overrides, or NULL */
	unsigned version;			/* Postfix version (POSTFIX_VERSION) */
	const char *hostname;			/* gethostname() of the host audited */
	const char *mynetworks;			/* computed default, NULL = unknown */
	const char *file;			/* for diagnostics */
	struct postfix_diags *diags;		/* may be NULL */
	struct budget *budget;			/* shared by every expansion in it, or NULL */
};

/*
 * Raw (unexpanded) value of a parameter in that environment: -o override,
 * main.cf, default.  NULL if the name is no parameter at all.  *where (may
 * be NULL) gets the defining setting, or NULL for a default.
 */
const char *postfix_lookup(const struct postfix_env *e, const char *name,
			   const struct postfix_param **where);
/*
 * Expand text (set at e->file, line); returns a malloc()ed string, or NULL
 * after a reported error (syntax, depth, size, work).  Undefined names
 * expand to empty and are reported as POSTFIX_DIAG_UNDEFINED, at the
 * setting whose value names them.
 */
char *postfix_expand(const struct postfix_env *e, const char *text, unsigned line);
/* postfix_lookup + postfix_expand; NULL when unknown or on error. */
char *postfix_eval(const struct postfix_env *e, const char *name);
/* The same for a parameter of the table (the way code asks for one). */
char *postfix_eval_id(const struct postfix_env *e, enum postfix_param_id id);

/* ---- lists ---- */

enum postfix_split {
	POSTFIX_SPLIT_LIST,	/* ", \t\r\n" with {} grouping (braces stripped) */
	POSTFIX_SPLIT_INET,	/* " \t," without grouping (inet_interfaces) */
};

struct postfix_list {
	char **item;
	size_t n;
};

/*
 * The one list splitter: the next item of the list at *pp, which it
 * advances.  Returns 1 with the item at *item (*len bytes, not
 * NUL-terminated, braces of a whole {group} stripped), 0 at the end, or -1
 * on unbalanced braces (*pp is then left alone).
 */
int postfix_list_next(const char **pp, enum postfix_split how, const char **item, size_t *len);
/*
 * Split into malloc()ed items; returns 0, or -1 on unbalanced braces or
 * more than POSTFIX_LIST_MAX_ITEMS items (reported; the items so far are
 * kept).
 */
int postfix_list_split(const char *value, enum postfix_split how,
		       struct postfix_list *out, const char *file, unsigned line,
		       struct postfix_diags *d);
void postfix_list_free(struct postfix_list *l);
/* Whether a ", \t\r\n" list (value may be NULL) has word as an item, ignoring case. */
bool postfix_list_has(const char *value, const char *word);

/* The one Postfix boolean: "yes"/"no" (case-insensitive); dflt when neither or NULL. */
bool postfix_bool(const char *v, bool dflt);

#endif
